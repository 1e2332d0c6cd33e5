"""Parts requests from a real node: HQ sees the lines priced at catalog price with the
outlet's stock beside them, approves by level (one approver up to ¥5,000, a second person
above), may cut quantities, and the final approval is a shipment the node receives into
stock. Every refusal is in words and changes nothing."""
import pytest

from shared.approvals import LEVEL_LIMITS
from shared.errors import ServiceError
from tests.hub.outlet_node import enroll, hub_dump, hub_row


@pytest.fixture
def shop(hub, tmp_path):
    o = enroll(hub, tmp_path)
    yield o
    o.node.store.close()


def cheap_and_dear(services):
    parts = services.ctx.query("SELECT id, name, unit_price FROM parts WHERE unit_price > 0 ORDER BY unit_price")
    return parts[0], parts[-1]


def submit_request(shop, lines: dict[str, int]) -> str:
    rid = shop.svc.requests.create_draft(shop.clerk, note="补货", use_suggestions=False)
    for part_id, qty in lines.items():
        shop.svc.requests.set_qty(shop.clerk, rid, part_id, qty)
    shop.svc.requests.submit(shop.clerk, rid)
    shop.sync()
    return rid


def refused(hub, code, fn, *args, **kwargs) -> ServiceError:
    before = hub_dump(hub)
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, e.value
    assert e.value.message("zh") and e.value.message("en")
    assert hub_dump(hub) == before
    return e.value


def test_a_small_request_is_approved_by_one_approver_and_received_at_the_outlet(services, approver, shop, hub):
    cheap, _ = cheap_and_dear(services)
    rid = submit_request(shop, {cheap["id"]: 6})
    inbox = services.approvals.inbox(approver)
    assert inbox[0].id == rid and inbox[0].pending and inbox[0].outlet_code == "SH01"
    review = services.approvals.parts_request(approver, rid)
    line = review.lines[0]
    assert (line.qty, line.unit_price, line.amount) == (6, cheap["unit_price"], 6 * cheap["unit_price"])
    assert line.on_hand == shop.on_hand(cheap["id"]) and review.levels_needed == 1
    before = shop.on_hand(cheap["id"])

    out = services.approvals.decide_parts_request(approver, rid, "approved", "先发4件，其余下月补",
                                                  {line.line_id: 4}, seen_hash=review.content_hash)
    assert (out.status, out.level, out.final) == ("approved", 1, True)
    assert hub_row(hub, "parts_request_lines", line.line_id)["approved_qty"] == 4
    shipped = services.approvals.parts.shipments(approver, shop.outlet_id)
    assert shipped[0].request_id == rid and shipped[0].total == 4 * cheap["unit_price"] and not shipped[0].received

    shop.sync()
    seen = shop.svc.requests.get(shop.clerk, rid)
    assert seen.status == "approved" and seen.comment == "先发4件，其余下月补"
    assert [x.approved_qty for x in seen.lines] == [4]
    [shipment] = shop.svc.stock.shipments(shop.clerk)
    assert shipment.request_id == rid and [x.approved_qty for x in shipment.lines] == [4]
    shop.svc.receiving.receive(shop.clerk, rid)
    shop.sync()
    assert shop.on_hand(cheap["id"]) == before + 4
    hub_on_hand = hub.conn.execute("SELECT SUM(qty) FROM stock_moves WHERE outlet_id = ? AND part_id = ?",
                                   (shop.outlet_id, cheap["id"])).fetchone()[0]
    assert hub_on_hand == before + 4  # the shipment is not a move of its own: counted once
    assert services.approvals.parts.shipments(approver, shop.outlet_id)[0].received
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action = 'parts_request_approved' "
                               "AND subject = ?", (rid,)) == 1


def test_a_large_request_needs_a_second_approver(services, approver, admin, shop, hub):
    _, dear = cheap_and_dear(services)
    qty = LEVEL_LIMITS[0] // dear["unit_price"] + 1
    rid = submit_request(shop, {dear["id"]: qty})
    review = services.approvals.parts_request(approver, rid)
    assert review.amount > LEVEL_LIMITS[0] and review.levels_needed == 2 and review.next_level == 1

    out = services.approvals.decide_parts_request(approver, rid, "approved", "金额较大，提交二级审批")
    assert (out.status, out.decision, out.level, out.final) == ("submitted", "passed", 1, False)
    shop.sync()
    assert shop.svc.stock.shipments(shop.clerk) == ()  # nothing ships on the first level
    seen = shop.svc.requests.get(shop.clerk, rid)
    assert seen.status == "submitted" and seen.comment == "金额较大，提交二级审批"

    e = refused(hub, "same_approver", services.approvals.decide_parts_request, approver, rid, "approved", "再批一次")
    assert "另一位审批员" in e.message("zh")
    review = services.approvals.parts_request(admin, rid)
    assert review.next_level == 2 and review.passed_by == (approver.user_id,)
    out = services.approvals.decide_parts_request(admin, rid, "approved", "同意发货", seen_hash=review.content_hash)
    assert (out.status, out.level, out.final) == ("approved", 2, True)
    levels = [(h.level, h.decision) for h in services.approvals.parts_request(admin, rid).history]
    assert levels == [(1, "passed"), (2, "approved")]
    shop.sync()
    [shipment] = shop.svc.stock.shipments(shop.clerk)
    assert [x.approved_qty for x in shipment.lines] == [qty]
    assert shop.svc.requests.get(shop.clerk, rid).comment == "同意发货"


def test_cutting_a_large_request_below_the_limit_needs_one_level(services, approver, shop):
    _, dear = cheap_and_dear(services)
    qty = LEVEL_LIMITS[0] // dear["unit_price"] + 1
    rid = submit_request(shop, {dear["id"]: qty})
    out = services.approvals.decide_parts_request(approver, rid, "approved", "先发1件", {dear["id"]: 1})
    assert out.final and out.status == "approved"


def test_refusals_are_in_words_and_change_nothing(services, agent, approver, shop, hub):
    cheap, _ = cheap_and_dear(services)
    draft = shop.svc.requests.create_draft(shop.clerk, use_suggestions=False)
    shop.svc.requests.set_qty(shop.clerk, draft, cheap["id"], 2)
    shop.sync()
    rid = submit_request(shop, {cheap["id"]: 3})
    decide = services.approvals.decide_parts_request
    e = refused(hub, "role_forbidden", decide, agent, rid, "approved", "ok")
    assert "审批员" in e.message("zh")
    e = refused(hub, "approval_not_submitted", decide, approver, draft, "approved", "ok")
    assert "草稿" in e.message("zh")
    e = refused(hub, "approved_qty_range", decide, approver, rid, "approved", "ok", {cheap["id"]: 4})
    assert "3" in e.message("zh")
    refused(hub, "approved_qty_range", decide, approver, rid, "approved", "ok", {cheap["id"]: -1})
    refused(hub, "approve_nothing", decide, approver, rid, "approved", "ok", {cheap["id"]: 0})
    refused(hub, "reject_comment", decide, approver, rid, "rejected", "  ")
    refused(hub, "approval_stale", decide, approver, rid, "approved", "ok", seen_hash="0" * 64)
    refused(hub, "bad_choice", decide, approver, rid, "maybe", "ok")

    assert decide(approver, rid, "rejected", "本月已超预算，请下月再申请").status == "rejected"
    assert services.approvals.parts_request(approver, rid).approved_amount == 0
    e = refused(hub, "approval_decided", decide, approver, rid, "approved", "ok")
    assert "已驳回" in e.message("zh")
    shop.sync()
    seen = shop.svc.requests.get(shop.clerk, rid)
    assert seen.status == "rejected" and seen.comment == "本月已超预算，请下月再申请"
    assert shop.svc.stock.shipments(shop.clerk) == ()


def test_the_second_level_may_reject_what_the_first_passed(services, approver, admin, shop):
    _, dear = cheap_and_dear(services)
    qty = LEVEL_LIMITS[0] // dear["unit_price"] + 2
    rid = submit_request(shop, {dear["id"]: qty})
    services.approvals.decide_parts_request(approver, rid, "approved", "同意", {dear["id"]: qty - 1})
    out = services.approvals.decide_parts_request(admin, rid, "rejected", "预算不足，驳回")
    assert (out.status, out.level) == ("rejected", 2)
    shop.sync()
    seen = shop.svc.requests.get(shop.clerk, rid)
    assert seen.status == "rejected" and seen.comment == "预算不足，驳回"
    assert [x.approved_qty for x in seen.lines] == [0] and shop.svc.stock.shipments(shop.clerk) == ()
    with pytest.raises(ServiceError) as e:
        services.approvals.decide_parts_request(admin, rid, "approved", "改判")
    assert e.value.message("en") == "This parts request is already rejected; it cannot be decided again."
