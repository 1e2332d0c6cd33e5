"""Stocktakes from a real node: HQ recomputes each variance from its own ledger (moves up to
the count's clock), posts the small ones itself as `adjust` moves (once, however often the
job runs), and the approver decides the large ones; after a pull the outlet's on-hand is
what it counted."""
import pytest

from hub.jobs import JOBS
from shared.approvals import AUTO_POST_MAX_QTY, auto_posts
from shared.errors import ServiceError
from tests.hub.outlet_node import enroll, hub_dump, hub_row


@pytest.fixture
def shop(hub, tmp_path):
    o = enroll(hub, tmp_path)
    yield o
    o.node.store.close()


def count(shop, changes: dict[str, int]) -> tuple[str, dict[str, int]]:
    """Open a count, enter every line as expected except `changes` (part → variance),
    submit and sync. Returns (count id, part → counted)."""
    svc, clerk = shop.svc.stocktake, shop.clerk
    cid = svc.open(clerk)
    counted = {}
    for line in svc.get(clerk, cid).lines:
        counted[line.part_id] = line.expected + changes.get(line.part_id, 0)
        svc.enter(clerk, cid, line.part_id, counted[line.part_id])
    svc.submit(clerk, cid)
    shop.sync()
    return cid, counted


def pick(services, shop):
    """A cheap part whose +1 posts by itself and a part whose −(limit+3) waits."""
    held = services.ctx.query(
        "SELECT p.id, p.unit_price, SUM(m.qty) AS on_hand FROM stock_moves m JOIN parts p ON p.id = m.part_id "
        "WHERE m.outlet_id = ? AND m.holder IS NULL GROUP BY p.id HAVING SUM(m.qty) > ? ORDER BY p.unit_price",
        (shop.outlet_id, AUTO_POST_MAX_QTY + 3))
    small, large = held[0], held[-1]
    assert auto_posts(1, small["unit_price"]) and not auto_posts(-(AUTO_POST_MAX_QTY + 3), large["unit_price"])
    return small["id"], large["id"]


def test_small_variances_post_themselves_and_the_approver_decides_the_rest(services, approver, shop, hub):
    small, large = pick(services, shop)
    big = -(AUTO_POST_MAX_QTY + 3)
    cid, counted = count(shop, {small: 1, large: big})
    review = services.approvals.stocktake(approver, cid)
    lines = {x.part_id: x for x in review.lines}
    assert (lines[small].variance, lines[small].auto) == (1, True)
    assert (lines[large].variance, lines[large].auto) == (big, False)
    assert lines[large].node_variance == big and review.waiting == 1

    assert services.approvals.autopost(None) == 1
    assert services.approvals.autopost(None) == 0  # the job again: nothing twice
    assert hub_row(hub, "stock_counts", cid)["status"] == "submitted"
    shop.sync()
    assert shop.on_hand(small) == counted[small] and shop.on_hand(large) == counted[large] - big

    review = services.approvals.stocktake(approver, cid)
    assert [x.posted for x in review.lines if x.part_id == small] == [True] and review.waiting == 1
    assert services.approvals.decide_stocktake(approver, cid, "approved", "差异已核实，准予调整",
                                               seen_hash=review.content_hash) == "approved"
    shop.sync()
    assert shop.on_hand(small) == counted[small] and shop.on_hand(large) == counted[large]
    view = shop.svc.stocktake.get(shop.clerk, cid)
    assert view.status == "approved" and view.comment == "差异已核实，准予调整"
    kinds = {m.kind_label for m in shop.svc.stock.ledger(shop.clerk, kind="adjust")}
    assert kinds == {"盘点调整"}
    adjusts = hub.conn.execute("SELECT COUNT(*) FROM stock_moves WHERE kind = 'adjust' AND ref = ?",
                               (cid,)).fetchone()[0]
    assert adjusts == 2


def test_a_count_within_the_limit_is_approved_by_the_hub(services, approver, shop, hub):
    small, _ = pick(services, shop)
    cid, counted = count(shop, {small: -1})
    [job] = [fn for job_id, fn, _ in JOBS if job_id == "approvals_autopost"]
    job(services)  # what the hub process runs every minute
    row = hub_row(hub, "stock_counts", cid)
    assert row["status"] == "approved"
    shop.sync()
    view = shop.svc.stocktake.get(shop.clerk, cid)
    assert view.status == "approved" and "自动" in view.comment
    assert shop.on_hand(small) == counted[small]
    assert services.approvals.inbox(approver, pending_only=True) == []


def test_a_rejected_count_keeps_its_large_variances_unposted(services, approver, agent, shop, hub):
    small, large = pick(services, shop)
    cid, counted = count(shop, {small: 1, large: -(AUTO_POST_MAX_QTY + 3)})
    before = hub_dump(hub)
    for who, code, args in [(agent, "role_forbidden", ("approved", "ok")),
                            (approver, "reject_comment", ("rejected", "")),
                            (approver, "approval_stale", ("approved", "ok", "f" * 64))]:
        with pytest.raises(ServiceError) as e:
            services.approvals.decide_stocktake(who, cid, *args)
        assert e.value.code == code
        assert hub_dump(hub) == before
    assert services.approvals.decide_stocktake(approver, cid, "rejected", "差异过大，请复盘") == "rejected"
    with pytest.raises(ServiceError) as e:
        services.approvals.decide_stocktake(approver, cid, "approved", "ok")
    assert e.value.code == "approval_decided"
    shop.sync()
    assert shop.on_hand(small) == counted[small]   # within the limit: HQ posted it anyway
    assert shop.on_hand(large) == counted[large] + AUTO_POST_MAX_QTY + 3
    view = shop.svc.stocktake.get(shop.clerk, cid)
    assert view.status == "rejected" and view.comment == "差异过大，请复盘"


def test_moves_made_while_the_count_runs_are_no_variance(services, approver, shop, hub):
    """A part used after the count opened (the clock is later) does not show up as missing."""
    small, _ = pick(services, shop)
    svc, clerk = shop.svc.stocktake, shop.clerk
    cid = svc.open(clerk)
    lines = {x.part_id: x.expected for x in svc.get(clerk, cid).lines}
    hub.write([{"op": "add", "table": "stock_moves", "id": "late-move", "fields": {
        "outlet_id": shop.outlet_id, "part_id": small, "qty": -1, "kind": "consume", "ref": "x", "at": 1}}])
    shop.sync()
    for part_id, expected in lines.items():
        svc.enter(clerk, cid, part_id, expected)
    svc.submit(clerk, cid)
    shop.sync()
    review = services.approvals.stocktake(approver, cid)
    assert all(x.variance == 0 for x in review.lines)


def test_hq_counts_the_store_without_the_bags_and_leaves_bag_counts_alone(services, approver, shop, hub):
    """The demo's technicians carry parts: HQ's expected quantities are the store's only (no
    variance for what a technician carries), and a bag count stays the outlet's record."""
    tech = shop.svc.ctx.one("SELECT id FROM users WHERE outlet_id = ? AND role = 'technician' ORDER BY username",
                            (shop.outlet_id,))["id"]
    bag = shop.svc.van.bag(shop.clerk, tech)
    assert bag.lines  # the demo issued parts to every technician
    cid, _ = count(shop, {})
    review = services.approvals.stocktake(approver, cid)
    assert all(x.variance == 0 for x in review.lines)
    counted = {x.part_id: x.qty - 1 for x in bag.lines}  # one of each missing from the bag
    bag_count = shop.svc.van.count_bag(shop.clerk, tech, counted)
    shop.sync()
    assert hub_row(hub, "stock_counts", bag_count)["holder"] == tech
    assert bag_count not in {x.id for x in services.approvals.inbox(approver)}
    services.approvals.autopost(None)  # the store's count, all zeros, is approved by the hub
    before = hub_dump(hub)
    assert services.approvals.autopost(None) == 0
    for call in (lambda: services.approvals.stocktake(approver, bag_count),
                 lambda: services.approvals.decide_stocktake(approver, bag_count, "approved", "ok")):
        with pytest.raises(ServiceError) as e:
            call()
        assert e.value.code == "not_found"
    assert hub_dump(hub) == before  # nothing posted for the bag
