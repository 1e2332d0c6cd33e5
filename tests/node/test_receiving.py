"""Receiving a shipment line by line: good, damaged and extra pieces per line; good and
extra ones into the store, damaged ones not; every difference sent to HQ once, as one
`receipt_discrepancies` row HQ settles (hub side: tests/hub/test_approvals_receipts.py);
bad quantities refused in words, changing nothing."""
import json

from node.services import NodeServices
from node.services.receiving import Arrived, discrepancy_id
from sync.hlc import now_ms
from tests.node.test_stock import approve, requested


def shipped(env, qty_by_part):
    r = requested(env, qty_by_part)
    approve(env, r, qty_by_part)
    return r, {line.part_id: line.line_id for line in env.svc.receiving.shipment(env.clerk, r).lines}


def test_differences_go_to_hq_once_and_good_pieces_into_stock(env):
    r, line = shipped(env, {"P-2001": 5, "P-2002": 2, "P-2003": 3})
    view = env.svc.receiving.receive(env.clerk, r, {
        line["P-2001"]: Arrived(4),                # one sensor short
        line["P-2002"]: Arrived(1, damaged=1),     # a pump broken in the box
        line["P-2003"]: Arrived(3, extra=1)})      # one seal more than shipped
    assert view.id == discrepancy_id(r) and view.status_label == "待总部处理"
    assert view.summary == "室内温度传感器 短少1，排水泵 破损1，门封条 超发1"
    levels = {s.part_id: s for s in env.svc.stock.levels(env.clerk)}
    assert (levels["P-2001"].on_hand, levels["P-2002"].on_hand, levels["P-2003"].on_hand) == (4, 1, 4)
    assert levels["P-2001"].in_transit == 0
    env.refused("already_received", env.svc.receiving.receive, env.clerk, r)
    env.sync()
    env.sync()  # a repeated sync posts nothing twice
    [hub] = env.w.hub.rows("receipt_discrepancies", "request_id = ?", (r,))
    assert hub["id"] == view.id and hub["status"] == "submitted"
    lines = json.loads(hub["lines"])
    assert {x["part_id"]: (x["shipped"], x["received"], x["damaged"], x["extra"]) for x in lines} == {
        "P-2001": (5, 4, 0, 0), "P-2002": (2, 1, 1, 0), "P-2003": (3, 3, 0, 1)}
    assert env.hub_on_hand("P-2003") == 4 and env.hub_on_hand("P-2002") == 1
    en = env.svc.receiving.discrepancies(env.session(env.clerk.user_id, "en"))[0]
    assert en.summary == "室内温度传感器 1 short, 排水泵 1 damaged, 门封条 1 extra"


def test_a_shipment_that_arrived_as_shipped_reports_nothing(env):
    r, _ = shipped(env, {"P-2001": 2})
    assert env.svc.receiving.receive(env.clerk, r) is None
    assert env.svc.receiving.discrepancies(env.clerk) == ()
    assert env.svc.stock.shipments(env.clerk) == ()


def test_everything_damaged_is_still_received_once(env):
    r, line = shipped(env, {"P-2002": 2})
    env.svc.receiving.receive(env.clerk, r, {line["P-2002"]: Arrived(0, damaged=2)})
    assert env.svc.stock.shipments(env.clerk) == ()  # no receipt move, but received
    env.refused("already_received", env.svc.receiving.receive, env.clerk, r)
    assert {s.part_id: s.on_hand for s in env.svc.stock.levels(env.clerk)}.get("P-2002", 0) == 0


def test_a_quantity_below_zero_or_beyond_the_shipment_is_refused_in_words(env):
    r, line = shipped(env, {"P-2001": 3})
    err = env.refused("bad_received", env.svc.receiving.receive, env.clerk, r, {line["P-2001"]: Arrived(-1)})
    assert err.message("zh") == "室内温度传感器的完好数量必须是不小于0的整数。"
    assert err.message("en") == "The received quantity of 室内温度传感器 must be a whole number, 0 or more."
    env.refused("bad_received", env.svc.receiving.receive, env.clerk, r, {line["P-2001"]: Arrived(1, damaged=-2)})
    env.refused("bad_received", env.svc.receiving.receive, env.clerk, r, {line["P-2001"]: Arrived(1, extra=-1)})
    env.refused("receive_too_many", env.svc.receiving.receive, env.clerk, r, {line["P-2001"]: Arrived(3, damaged=1)})
    env.refused("role_forbidden", env.svc.receiving.receive, env.tech, r)
    assert len(env.svc.stock.shipments(env.clerk)) == 1


def test_two_devices_receiving_one_shipment_post_its_differences_once(env):
    r, line = shipped(env, {"P-2001": 4})
    other = env.w.node(env.outlet)
    other.sync()
    other_svc = NodeServices(other.store, now=lambda: now_ms() - 60_000)
    other_svc.receiving.receive(env.session(env.clerk.user_id), r, {line["P-2001"]: Arrived(2)})  # offline
    env.svc.receiving.receive(env.clerk, r, {line["P-2001"]: Arrived(3)})
    env.sync()
    other.sync()
    env.sync()
    rows = env.w.hub.rows("receipt_discrepancies", "request_id = ?", (r,))
    assert len(rows) == 1 and json.loads(rows[0]["lines"])[0]["received"] == 3  # the first to reach HQ
    assert env.hub_on_hand("P-2001") == 3
