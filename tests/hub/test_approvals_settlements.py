"""Settlements from a real node: HQ recomputes every line with the shared fee rules and its
own callback results, shows each difference (an amount, an order the outlet left out, a
line for an order not completed in the period), and approves or rejects the exact version
it looked at; the node sees the decision after a pull."""
import pytest

from node.services.settlement import line_id
from shared.errors import ServiceError
from shared.fees import CallbackResult
from fieldsync.testing.world import uid
from tests.hub.conftest import NOW
from tests.hub.outlet_node import enroll, hub_dump, hub_row

PERIOD = "2026-05"


@pytest.fixture
def shop(hub, tmp_path):
    o = enroll(hub, tmp_path)
    yield o
    o.node.store.close()


def orders(hub, outlet_id, status):
    return [r[0] for r in hub.conn.execute("SELECT id FROM service_orders WHERE outlet_id = ? AND status = ? "
                                           "ORDER BY number", (outlet_id, status))]


def complete_at_hq(hub, order_id, at):
    """The order completes (its events reach HQ) without the node having pulled it yet."""
    hub.write([{"op": "add", "table": "order_events", "id": uid(), "fields": {
                   "order_id": order_id, "to_status": to, "at": at + i, "actor_id": None}}
               for i, to in enumerate(("en_route", "on_site", "completed"))]
              + [{"op": "put", "table": "service_orders", "id": order_id, "fields": {"status": "completed"}}])


def submitted_with_differences(shop, hub):
    """The node drafts May, a cancelled order is slipped onto it, an order completes at HQ
    unseen by the node, then the node submits and syncs; HQ marks one order's callback
    unsatisfied. Returns (settlement id, unsatisfied order, left-out order, extra order)."""
    svc, clerk = shop.svc.settlements, shop.clerk
    sid = svc.draft(clerk, PERIOD)
    extra = orders(hub, shop.outlet_id, "cancelled")[0]
    shop.node.store.write(clerk.user_id, [{"op": "put", "table": "settlement_lines", "id": line_id(sid, extra),
                                           "fields": {"settlement_id": sid, "order_id": extra, "parts_fee": 0,
                                                      "visit_fee": 3000, "labour_fee": 8000, "deduction": 0}}])
    left_out = orders(hub, shop.outlet_id, "scheduled")[0]
    complete_at_hq(hub, left_out, NOW - 3_600_000)
    svc.submit(clerk, sid)
    shop.sync()
    unhappy = next(line.order_id for line in svc.get(clerk, sid).lines
                   if line.visit_fee + line.labour_fee > 0 and line.order_id != extra)
    hub.write([{"op": "put", "table": "service_orders", "id": unhappy,
                "fields": {"callback_result": CallbackResult.UNSATISFIED, "callback_score": 1}}])
    return sid, unhappy, left_out, extra


def test_hq_recomputes_every_line_and_shows_each_difference(services, approver, shop, hub):
    sid, unhappy, left_out, extra = submitted_with_differences(shop, hub)
    review = services.approvals.settlement(approver, sid)
    by_order = {x.order_id: x for x in review.lines}
    assert by_order[unhappy].kind == "amount" and by_order[unhappy].differs == ("deduction",)
    node_line, hub_line = by_order[unhappy].node, by_order[unhappy].hub
    assert node_line.deduction == 0
    assert hub_line.deduction == (hub_line.visit_fee + hub_line.labour_fee) // 2 and hub_line.reason == "unsatisfied"
    assert by_order[left_out].kind == "missing" and by_order[left_out].node is None and by_order[left_out].hub
    assert by_order[extra].kind == "extra" and by_order[extra].hub is None and by_order[extra].node.total == 11000
    assert by_order[extra].kind_label == "非本期完工"
    assert review.differences == 3
    assert sum(1 for x in review.lines if x.kind == "same") == len(review.lines) - 3
    assert review.node_total == sum(x.node.total for x in review.lines if x.node)
    assert review.hub_total == (review.node_total - hub_line.deduction + by_order[left_out].hub.total - 11000)
    assert review.content_hash == hub_row(hub, "settlements", sid)["content_hash"]


def test_a_repeat_repair_of_the_same_appliance_is_deducted(services, approver, shop, hub):
    repairs = [r for r in services.ctx.query(
        "SELECT o.id, MIN(e.at) AS done FROM service_orders o JOIN order_events e ON e.order_id = o.id "
        "AND e.to_status = 'completed' WHERE o.outlet_id = ? AND o.type = 'repair' GROUP BY o.id ORDER BY done",
        (shop.outlet_id,))]
    first, again = repairs[0], repairs[1]
    serial = hub_row(hub, "service_orders", first["id"])["serial_no"]
    hub.write([{"op": "put", "table": "service_orders", "id": again["id"], "fields": {"serial_no": serial}}])
    shop.sync()
    sid = shop.svc.settlements.draft(shop.clerk, PERIOD)
    shop.svc.settlements.submit(shop.clerk, sid)
    shop.sync()
    line = next(x for x in services.approvals.settlement(approver, sid).lines if x.order_id == again["id"])
    assert line.hub.reason == "repeat_repair" and line.hub.deduction == line.hub.visit_fee + line.hub.labour_fee
    # The node's draft deducts the same way (node/services/settlement.py, hub-callbacks).
    assert line.kind == "same" and line.node.deduction == line.hub.deduction and line.node.reason == "repeat_repair"


def test_an_earlier_repair_by_another_outlet_is_not_this_outlets_repeat(services, approver, shop, hub):
    """The deduction is for the outlet's own repair that did not hold; HQ counts it as the
    outlet's draft does, so the two agree."""
    repair = next(r[0] for r in hub.conn.execute(
        "SELECT o.id FROM service_orders o JOIN order_events e ON e.order_id = o.id AND e.to_status = 'completed' "
        "WHERE o.outlet_id = ? AND o.type = 'repair' ORDER BY e.at DESC", (shop.outlet_id,)))
    serial = hub_row(hub, "service_orders", repair)["serial_no"]
    other = next(r[0] for r in hub.conn.execute("SELECT id FROM outlets WHERE id != ?", (shop.outlet_id,)))
    earlier = uid()
    hub.write([{"op": "put", "table": "service_orders", "id": earlier, "fields": {
        "number": "HQ-OTHER", "outlet_id": other, "type": "repair", "status": "completed", "serial_no": serial,
        "created_at": NOW - 10 * 86_400_000}},
        {"op": "add", "table": "order_events", "id": uid(), "fields": {
            "order_id": earlier, "to_status": "completed", "at": NOW - 9 * 86_400_000, "actor_id": None}}])
    shop.sync()
    sid = shop.svc.settlements.draft(shop.clerk, PERIOD)
    shop.svc.settlements.submit(shop.clerk, sid)
    shop.sync()
    line = next(x for x in services.approvals.settlement(approver, sid).lines if x.order_id == repair)
    assert line.kind == "same" and "repeat_repair" not in (line.hub.reason or "")


def test_the_approver_approves_the_version_seen_and_the_node_sees_it(services, approver, agent, shop, hub):
    sid, *_ = submitted_with_differences(shop, hub)
    review = services.approvals.settlement(approver, sid)
    decide = services.approvals.decide_settlement
    before = hub_dump(hub)
    for who, args, code in [(agent, ("approved", "ok", review.content_hash), "role_forbidden"),
                            (approver, ("rejected", " ", review.content_hash), "reject_comment"),
                            (approver, ("approved", "ok", "0" * 64), "approval_stale")]:
        with pytest.raises(ServiceError) as e:
            decide(who, sid, *args)
        assert e.value.code == code and e.value.message("en")
        assert hub_dump(hub) == before

    assert decide(approver, sid, "approved", "扣除回访不满意部分后同意结算", review.content_hash) == "approved"
    row = services.ctx.one("SELECT * FROM approvals WHERE subject_id = ?", (sid,))
    assert row["content_hash"] == review.content_hash and row["approver_id"] == approver.user_id
    with pytest.raises(ServiceError) as e:
        decide(approver, sid, "rejected", "改判", review.content_hash)
    assert e.value.code == "approval_decided" and "已批准" in e.value.message("zh")

    shop.sync()
    seen = shop.svc.settlements.get(shop.clerk, sid)
    assert seen.status == "approved" and seen.comment == "扣除回访不满意部分后同意结算"
    assert [(a.decision, a.comment) for a in seen.approvals] == [("approved", "扣除回访不满意部分后同意结算")]


def test_a_resubmitted_version_is_refused_until_reviewed_again(services, approver, shop, hub):
    sid, *_ = submitted_with_differences(shop, hub)
    seen = services.approvals.settlement(approver, sid).content_hash
    # What the hub does when a settlement arrives submitted again with other content.
    hub.write([{"op": "put", "table": "settlements", "id": sid, "fields": {"content_hash": "e" * 64}}])
    with pytest.raises(ServiceError) as e:
        services.approvals.decide_settlement(approver, sid, "approved", "ok", seen)
    assert e.value.code == "approval_stale" and "重新提交" in e.value.message("zh")
    with pytest.raises(ServiceError) as e:  # and a stored hash the rows do not match is no version at all
        services.approvals.decide_settlement(approver, sid, "approved", "ok", "e" * 64)
    assert e.value.code == "approval_stale"


def test_after_a_rejection_the_outlet_submits_a_new_settlement(services, approver, shop, hub):
    sid, *_ = submitted_with_differences(shop, hub)
    review = services.approvals.settlement(approver, sid)
    assert services.approvals.decide_settlement(approver, sid, "rejected", "请删除已取消工单后重新提交",
                                                review.content_hash) == "rejected"
    shop.sync()
    assert shop.svc.settlements.get(shop.clerk, sid).comment == "请删除已取消工单后重新提交"
    again = shop.svc.settlements.draft(shop.clerk, PERIOD)
    assert again != sid
    shop.svc.settlements.submit(shop.clerk, again)
    shop.sync()
    pending = [i for i in services.approvals.inbox(approver, pending_only=True) if i.subject == "settlements"]
    assert [i.id for i in pending] == [again] and pending[0].title == PERIOD
    assert services.approvals.settlement(approver, again).lines
