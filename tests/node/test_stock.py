"""Stock on hand (Σ moves), low-stock markers, the ledger in words, and receiving what HQ
approved: in transit until received, received once, by the office."""
from node.services.receiving import Arrived
from shared.stock import on_hand
from sync.hlc import now_ms
from fieldsync.testing.world import uid


def approve(env, request_id, qty_by_part, comment="同意，已安排物流发货"):
    """HQ approves a submitted parts request: approved quantities, status, an approvals row."""
    lines = env.w.hub.rows("parts_request_lines", "request_id = ?", (request_id,))
    ops = [{"op": "put", "table": "parts_request_lines", "id": line["id"],
            "fields": {"approved_qty": qty_by_part.get(line["part_id"], 0)}} for line in lines]
    ops.append({"op": "put", "table": "parts_requests", "id": request_id,
                "fields": {"status": "approved", "decided_at": now_ms()}})
    ops.append({"op": "add", "table": "approvals", "id": uid(), "fields": {
        "outlet_id": env.outlet, "subject_table": "parts_requests", "subject_id": request_id,
        "decision": "approved", "level": 1, "comment": comment, "approver_id": "hq-approver", "at": now_ms()}})
    env.w.hub.write(ops)
    env.sync()


def requested(env, qty_by_part) -> str:
    r = env.svc.requests.create_draft(env.clerk, use_suggestions=False)
    for part, qty in qty_by_part.items():
        env.svc.requests.set_qty(env.clerk, r, part, qty)
    env.svc.requests.submit(env.clerk, r)
    env.sync()
    return r


def test_levels_and_low_stock_markers(env):
    env.stock_from_hq("P-2001", 3)  # safety stock 5: low
    env.stock_from_hq("P-2002", 4)  # safety stock 2: fine
    levels = {s.part_id: s for s in env.svc.stock.levels(env.clerk)}
    assert (levels["P-2001"].on_hand, levels["P-2001"].low) == (3, True)
    assert (levels["P-2002"].on_hand, levels["P-2002"].low) == (4, False)
    assert levels["P-1001"].on_hand == 0 and levels["P-1001"].low  # never held, safety stock 1
    assert "P-2003" not in levels  # no stock, no safety stock, nothing expected
    assert {s.part_id for s in env.svc.stock.levels(env.clerk, low_only=True)} == {"P-2001", "P-1001"}
    assert env.svc.stock.levels(env.clerk)[0].low  # low ones first


def test_receiving_a_shipment_once(env):
    r = requested(env, {"P-2001": 6, "P-2002": 2})
    assert env.svc.stock.shipments(env.clerk) == ()
    approve(env, r, {"P-2001": 5, "P-2002": 2})
    [shipment] = env.svc.stock.shipments(env.clerk)
    assert shipment.comment == "同意，已安排物流发货"
    assert {(x.name, x.approved_qty) for x in shipment.lines} == {("室内温度传感器", 5), ("排水泵", 2)}
    assert shipment.summary == "室内温度传感器×5，排水泵×2"  # by SKU
    en, = env.svc.stock.shipments(env.session(env.clerk.user_id, "en"))
    assert en.summary == "室内温度传感器×5, 排水泵×2"
    assert {s.part_id: s.in_transit for s in env.svc.stock.levels(env.clerk)}["P-2001"] == 5
    env.refused("role_forbidden", env.svc.receiving.receive, env.tech, r)
    short = {line.line_id: Arrived(1) for line in shipment.lines if line.part_id == "P-2002"}
    env.refused("receive_too_many", env.svc.receiving.receive, env.clerk, r,
                {shipment.lines[0].line_id: Arrived(99)})
    env.svc.receiving.receive(env.clerk, r, short)  # one 排水泵 was missing from the box
    env.refused("already_received", env.svc.receiving.receive, env.clerk, r)
    assert env.svc.stock.shipments(env.clerk) == ()
    levels = {s.part_id: s for s in env.svc.stock.levels(env.clerk)}
    assert (levels["P-2001"].on_hand, levels["P-2001"].in_transit) == (5, 0)
    assert levels["P-2002"].on_hand == 1
    ledger = env.svc.stock.ledger(env.clerk, kind="receipt")
    assert {m.ref_label for m in ledger} == {env.svc.requests.get(env.clerk, r).number}
    env.sync()
    assert env.hub_on_hand("P-2001") == 5 and env.hub_on_hand("P-2002") == 1


def test_a_second_device_receiving_the_same_shipment_is_refused_by_hq(env):
    r = requested(env, {"P-2001": 4})
    approve(env, r, {"P-2001": 4})
    other = env.w.node(env.outlet)
    other.sync()
    from node.services import NodeServices
    other_svc = NodeServices(other.store, now=lambda: now_ms() - 60_000)  # a minute apart
    other_svc.receiving.receive(env.session(env.clerk.user_id), r)  # offline, unaware of the first
    env.svc.receiving.receive(env.clerk, r)
    env.sync()
    result = other.sync()
    assert {x["code"] for x in result.rejected} == {"conflict"}
    assert env.hub_on_hand("P-2001") == 4
    assert on_hand(other.store, "P-2001") == 4


def test_nothing_to_receive_before_hq_approves(env):
    r = requested(env, {"P-2001": 4})
    env.refused("not_shipped", env.svc.receiving.receive, env.clerk, r)
