"""A technician's device holds their share of the outlet: their orders with everything under
them and those customers, their own user row, the reference data and knowledge base — not
the outlet's other orders, customers or colleagues' password hashes. Reassigning an order
moves it between devices; offline work on it reaches HQ before it leaves; closed orders
leave after the device's window; the hub refuses a device writing as another user, for
another outlet or on another technician's order."""
import hashlib

import pytest

from fieldsync.testing.world import World, uid
from shared.tables import TABLES, tech_bucket
from sync import hub_handlers, relay
from sync.errors import Revoked
from sync.hlc import now_ms
from sync.node_store import DAY_MS, DEFAULT_KEEP_CLOSED_DAYS

T2 = "technician-1b"


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    world.hub.write([
        {"op": "put", "table": "users", "id": T2, "fields": {
            "username": T2, "role": "technician", "outlet_id": "outlet-1", "active": True,
            "password_hash": "scrypt$secret-of-b"}},
        {"op": "put", "table": "users", "id": "clerk-1", "fields": {"password_hash": "scrypt$secret-of-clerk"}},
        {"op": "put", "table": "kb_articles", "id": "kb-1", "fields": {
            "title": "空调不制冷", "body": "先查冷媒", "active": True}},
        {"op": "put", "table": "product_models", "id": "M-1", "fields": {
            "code": "KFR-35", "name": "挂机", "category": "AC", "active": True}}])
    world.users[("outlet-1", "technician-b")] = T2
    yield world
    world.close()


def customer(w, name="张三") -> str:
    cid = uid()
    w.hub.write([{"op": "put", "table": "customers", "id": cid, "fields": {
        "name": name, "phone": "13800000000", "address": "上海"}}])
    return cid


def order_with_work(w, technician: str | None, outlet: str = "outlet-1") -> tuple[str, str]:
    """An order at `outlet` for a new customer, with an event, a part used and a photo."""
    cid = customer(w)
    oid = w.dispatch(outlet, customer_id=cid, technician_id=technician)
    w.hub.write([
        {"op": "add", "table": "order_events", "id": uid(), "fields": {
            "order_id": oid, "to_status": "new", "at": now_ms()}},
        {"op": "add", "table": "order_parts", "id": uid(), "fields": {
            "order_id": oid, "part_id": "P-1001", "qty": 1, "new_serial": "SN-1"}},
        {"op": "add", "table": "attachments", "id": uid(), "fields": {
            "order_id": oid, "kind": "photo", "sha256": hashlib.sha256(oid.encode()).hexdigest(), "size": 3}}])
    return oid, cid


def assign(w, order: str, technician: str | None, **more) -> None:
    w.hub.write([{"op": "put", "table": "service_orders", "id": order,
                  "fields": {"technician_id": technician, **more}}])


def ids(node, table: str) -> set[str]:
    return {r["id"] for r in node.store.rows(table)}


def under(node, order: str) -> dict[str, int]:
    """How many rows of each kind a node holds under an order."""
    return {t: len(node.store.rows(t, "order_id = ?", (order,)))
            for t in ("order_events", "order_parts", "attachments")}


FULL = {"order_events": 1, "order_parts": 1, "attachments": 1}
NONE = {"order_events": 0, "order_parts": 0, "attachments": 0}


def test_a_device_holds_its_technicians_share_and_nothing_else(w):
    tech = w.user("outlet-1", "technician")
    mine, my_customer = order_with_work(w, tech)
    theirs, their_customer = order_with_work(w, T2)
    unassigned, unassigned_customer = order_with_work(w, None)
    elsewhere, _ = order_with_work(w, "technician-2", outlet="outlet-2")
    device, pc = w.device(tech), w.node("outlet-1")
    device.sync()
    pc.sync()
    assert ids(device, "service_orders") == {mine}
    assert under(device, mine) == FULL
    assert ids(device, "customers") == {my_customer}
    assert ids(device, "users") == {tech}  # its own row, to log in offline; no colleague's hash
    assert {"kb-1"} <= ids(device, "kb_articles") and "M-1" in ids(device, "product_models")
    assert "P-1001" in ids(device, "parts") and "outlet-1" in ids(device, "outlets")
    # the outlet's PC keeps the whole outlet
    assert ids(pc, "service_orders") == {mine, theirs, unassigned}
    assert ids(pc, "customers") == {my_customer, their_customer, unassigned_customer}
    assert {tech, T2, "clerk-1"} <= ids(pc, "users")
    assert elsewhere not in ids(pc, "service_orders")


def test_reassignment_moves_the_order_with_everything_under_it(w):
    tech = w.user("outlet-1", "technician")
    order, cust = order_with_work(w, tech)
    first, second = w.device(tech), w.device(T2)
    first.sync(), second.sync()
    assert order in ids(first, "service_orders") and order not in ids(second, "service_orders")
    assign(w, order, T2)
    first.sync(), second.sync()
    assert ids(second, "service_orders") == {order} and under(second, order) == FULL
    assert cust in ids(second, "customers")
    row = second.store.rows("service_orders", "id = ?", (order,))[0]
    assert (row["technician_id"], row["number"], row["outlet_id"]) == (T2, f"HQ-{order[:6]}", "outlet-1")
    assert order not in ids(first, "service_orders") and under(first, order) == NONE
    assert cust not in ids(first, "customers")
    # ... and back: the first device gets the order whole again
    assign(w, order, tech)
    first.sync(), second.sync()
    assert under(first, order) == FULL and cust in ids(first, "customers")
    assert order not in ids(second, "service_orders")


def test_offline_work_on_a_reassigned_order_reaches_hq_then_the_order_leaves(w):
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    first, second = w.device(tech), w.device(T2)
    first.sync(), second.sync()
    # a day without network: the technician works the order while the clerk reassigns it
    assign(w, order, T2)
    part_id = uid()
    first.store.write(tech, [
        {"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "换了压缩机"}},
        {"op": "add", "table": "order_parts", "id": part_id, "fields": {
            "order_id": order, "part_id": "P-1001", "qty": 1, "old_serial": "OLD", "new_serial": "NEW"}}])
    result = first.sync()
    assert result.rejected == []
    assert w.hub_row("service_orders", order)["notes"] == "换了压缩机"
    assert w.hub_row("order_parts", part_id) is not None
    assert order not in ids(first, "service_orders") and part_id not in ids(first, "order_parts")
    second.sync()
    assert second.store.rows("service_orders", "id = ?", (order,))[0]["notes"] == "换了压缩机"
    assert part_id in ids(second, "order_parts")


def test_a_reassigned_order_stays_while_its_work_is_unacknowledged(w):
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    device = w.device(tech)
    device.sync()
    assign(w, order, T2)
    device.store.write(tech, [{"op": "put", "table": "service_orders", "id": order,
                               "fields": {"notes": "还没传上去"}}])
    assert device.store.evict_out_of_scope(now_ms()) == 0  # HQ has not got the work yet
    assert order in ids(device, "service_orders")
    device.sync()
    assert order not in ids(device, "service_orders")


def test_closed_orders_leave_the_device_after_its_window(w):
    tech = w.user("outlet-1", "technician")
    device = w.device(tech)
    assert device.store.keep_closed_days == DEFAULT_KEEP_CLOSED_DAYS == 30
    device.store.set_keep_closed_days(7)
    with pytest.raises(ValueError):
        device.store.set_keep_closed_days(-1)
    recent, _ = order_with_work(w, tech)
    old, old_customer = order_with_work(w, tech)
    open_, _ = order_with_work(w, tech)
    assign(w, recent, tech, status="closed", closed_at=now_ms() - 6 * DAY_MS)
    assign(w, old, tech, status="cancelled", closed_at=now_ms() - 8 * DAY_MS)
    device.sync()
    assert ids(device, "service_orders") == {recent, open_}
    assert under(device, old) == NONE and old_customer not in ids(device, "customers")
    assert device.store.keep_closed_days == 7  # kept in the node file's _meta
    # HQ's later word on the old order (a callback) does not bring a fragment back
    w.hub.write([{"op": "put", "table": "service_orders", "id": old, "fields": {"callback_score": 5}}])
    device.sync()
    assert old not in ids(device, "service_orders")


def test_a_device_enrolled_after_orders_were_assigned_gets_them(w):
    tech = w.user("outlet-1", "technician")
    before = [order_with_work(w, tech)[0] for _ in range(3)]
    device = w.device(tech)
    device.sync()
    assert ids(device, "service_orders") == set(before)
    after, _ = order_with_work(w, tech)
    device.sync()
    assert ids(device, "service_orders") == {*before, after}
    assert under(device, after) == FULL


def test_an_upgraded_hub_seeds_the_technicians_bucket_once(w):
    """Rows assigned before technicians' buckets existed: the hub file's migration marks
    it, and each technician's first device starts from a snapshot of their rows."""
    tech = w.user("outlet-1", "technician")
    order, cust = order_with_work(w, tech)
    with w.hub.tx() as c:  # as a hub of 0.1.0 would hold it: nothing in the technician's bucket
        c.execute("DELETE FROM bucket_changes WHERE bucket = ?", (tech_bucket(tech),))
        c.execute("DELETE FROM buckets WHERE bucket = ?", (tech_bucket(tech),))
        c.execute("INSERT INTO _meta (key, value) VALUES ('tech_buckets_partial', 1)")
    device = w.device(tech)
    device.sync()
    assert ids(device, "service_orders") == {order} and under(device, order) == FULL
    assert cust in ids(device, "customers") and tech in ids(device, "users")
    seq = w.hub.conn.execute("SELECT seq FROM buckets WHERE bucket = ?", (tech_bucket(tech),)).fetchone()[0]
    w.device(tech).sync()  # a second device of the same technician: no second snapshot
    assert w.hub.conn.execute("SELECT seq FROM buckets WHERE bucket = ?",
                              (tech_bucket(tech),)).fetchone()[0] == seq


def test_a_device_writing_as_another_user_is_refused_with_a_notice(w):
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    device = w.device(tech)
    device.sync()
    device.store.write(w.user("outlet-1", "clerk"), [
        {"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "冒充文员"}}])
    result = device.sync()
    assert [(r["code"]) for r in result.rejected] == ["forbidden"]
    assert "bound to one technician" in result.rejected[0]["message"]
    assert w.hub_row("service_orders", order)["notes"] is None
    refused = device.store.refused()
    assert len(refused) == 1 and refused[0]["code"] == "forbidden"  # the notice reached the device
    row = device.store.rows("service_orders", "id = ?", (order,))[0]
    assert row["notes"] is None  # the hub's word came back to the device's bucket
    notice = w.hub.conn.execute("SELECT technician_id FROM notices WHERE kind = 'refused'").fetchone()
    assert notice[0] == tech


def test_a_device_may_not_write_another_technicians_or_outlets_rows(w):
    tech = w.user("outlet-1", "technician")
    theirs, _ = order_with_work(w, T2)
    other_outlet, _ = order_with_work(w, "technician-2", outlet="outlet-2")
    device = w.device(tech)
    device.sync()
    device.store.write(tech, [
        {"op": "put", "table": "service_orders", "id": theirs, "fields": {"notes": "偷改"}},
        {"op": "add", "table": "order_events", "id": uid(), "fields": {
            "order_id": theirs, "to_status": "accepted", "at": now_ms()}},
        {"op": "put", "table": "service_orders", "id": other_outlet, "fields": {"notes": "偷改"}}])
    result = device.sync()
    assert [r["code"] for r in result.rejected] == ["not_owner"] * 3
    assert w.hub_row("service_orders", theirs)["notes"] is None
    assert w.hub_row("service_orders", theirs)["status"] == "new"
    assert w.hub_row("service_orders", other_outlet)["notes"] is None
    assert theirs not in ids(device, "service_orders")  # nothing of theirs stays on the device


def test_a_devices_stock_move_off_the_outlet_shelf_is_the_outlets(w):
    """A move naming no technician is checked by outlet scope alone; once HQ has it, it
    leaves the device (the outlet's stock is not the technician's share)."""
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    device = w.device(tech)
    device.sync()
    move = uid()
    device.store.write(tech, [{"op": "add", "table": "stock_moves", "id": move, "fields": {
        "outlet_id": "outlet-1", "part_id": "P-1001", "qty": -1, "kind": "consume", "ref": order,
        "at": now_ms()}}])
    assert device.sync().rejected == []
    assert w.hub_row("stock_moves", move) is not None
    assert move not in ids(device, "stock_moves")


def test_a_retired_technicians_device_is_refused_whole_in_words(w):
    """A technician who left: their device neither pushes nor pulls any more (403 revoked,
    nothing applied), and comes back if HQ makes them active again."""
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    device = w.device(tech)
    device.sync()
    w.hub.write([{"op": "put", "table": "users", "id": tech, "fields": {"active": False}}])
    device.store.write(tech, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "离职后"}}])
    with pytest.raises(Revoked, match="no longer works at the outlet"):
        device.sync()
    with pytest.raises(Revoked):
        hub_handlers.pull(w.hub, device.node_id, tech_bucket(tech), 0)
    assert w.hub_row("service_orders", order)["notes"] is None
    assert w.hub.node(device.node_id)["seq"] == 0 and device.store.pending_count() == 1
    w.hub.write([{"op": "put", "table": "users", "id": tech, "fields": {"active": True}}])
    assert device.sync().rejected == []
    assert w.hub_row("service_orders", order)["notes"] == "离职后"


def test_a_device_reads_its_orders_photo_not_another_technicians(w):
    tech = w.user("outlet-1", "technician")
    mine, _ = order_with_work(w, tech)
    theirs, _ = order_with_work(w, T2)
    device = w.device(tech)
    photo = {o: hashlib.sha256(o.encode()).hexdigest() for o in (mine, theirs)}
    assert hub_handlers.may_read_blob(w.hub, device.node_id, photo[mine])
    assert not hub_handlers.may_read_blob(w.hub, device.node_id, photo[theirs])
    assign(w, theirs, tech)
    assert hub_handlers.may_read_blob(w.hub, device.node_id, photo[theirs])


def test_sla_warnings_on_a_technicians_order_reach_their_device(w):
    tech = w.user("outlet-1", "technician")
    order, _ = order_with_work(w, tech)
    w.hub.write([{"op": "add", "table": "notices", "id": uid(), "fields": {
        "outlet_id": "outlet-1", "kind": "sla_warning", "code": "sla_warning", "message": "快超时了",
        "table_name": "service_orders", "row_id": order, "technician_id": tech, "at": now_ms()}},
        {"op": "add", "table": "notices", "id": uid(), "fields": {
            "outlet_id": "outlet-1", "kind": "info", "code": "info", "message": "网点通知", "at": now_ms()}}])
    device = w.device(tech)
    device.sync()
    assert [n["message"] for n in device.store.rows("notices")] == ["快超时了"]


def test_relay_places_a_row_in_every_bucket_it_belongs_to(w):
    """A stock move naming a holder (a technician's bag) reaches that technician with no
    code of its own: the rule reads `TableSpec.technician` (stock_moves declares "holder")."""
    tech = w.user("outlet-1", "technician")
    order, cust = order_with_work(w, tech)
    c = w.hub.conn
    spec = {t: TABLES[t] for t in ("service_orders", "order_events", "customers", "users")}
    both = ["outlet:outlet-1", tech_bucket(tech)]
    assert relay.buckets_of(c, spec["service_orders"], w.hub_row("service_orders", order)) == both
    event = c.execute("SELECT id FROM order_events WHERE order_id = ?", (order,)).fetchone()[0]
    assert relay.buckets_of(c, spec["order_events"], w.hub_row("order_events", event)) == both
    assert relay.buckets_of(c, spec["customers"], w.hub_row("customers", cust)) == both
    assert relay.buckets_of(c, spec["users"], w.hub_row("users", tech)) == both
    bag = TABLES["stock_moves"]
    assert bag.technician == "holder"
    assert relay.own_buckets(bag, {"outlet_id": "outlet-1", "holder": tech}) == both
    assert relay.own_buckets(bag, {"outlet_id": "outlet-1", "holder": None}) == both[:1]
    assert relay.reaches_technician(bag) and not relay.reaches_technician(TABLES["parts_requests"])


@pytest.mark.parametrize("first", ["devices", "pc"])
def test_a_day_without_network_then_everyone_syncs(w, first):
    """Both devices work a day offline while the clerk, on the outlet's PC, reassigns one of
    the first device's orders to the second technician; then everyone syncs (in either
    order): nothing lost or doubled, the order gone from the first device with its work."""
    tech = w.user("outlet-1", "technician")
    moved, _ = order_with_work(w, tech)
    kept, _ = order_with_work(w, tech)
    theirs, _ = order_with_work(w, T2)
    pc, first_device, second_device = w.node("outlet-1"), w.device(tech), w.device(T2)
    for n in (pc, first_device, second_device):
        n.sync()
    pc.store.write(w.user("outlet-1", "clerk"), [
        {"op": "put", "table": "service_orders", "id": moved, "fields": {"technician_id": T2}}])
    work = {}
    for device, who, orders_ in ((first_device, tech, (moved, kept)), (second_device, T2, (theirs,))):
        for order in orders_:
            work[order] = uid()
            device.store.write(who, [
                {"op": "put", "table": "service_orders", "id": order, "fields": {"resolution": f"修好了 {order[:4]}"}},
                {"op": "add", "table": "order_parts", "id": work[order], "fields": {
                    "order_id": order, "part_id": "P-1001", "qty": 1, "new_serial": f"N-{order[:4]}"}}])
    order_ = [pc, first_device, second_device] if first == "pc" else [first_device, second_device, pc]
    for _ in range(2):
        for n in order_:
            assert n.sync().rejected == []
    for order, part in work.items():
        assert w.hub_row("service_orders", order)["resolution"] == f"修好了 {order[:4]}"
        assert w.hub.conn.execute("SELECT COUNT(*) FROM order_parts WHERE id = ?", (part,)).fetchone()[0] == 1
    assert w.hub_row("service_orders", moved)["technician_id"] == T2
    assert ids(first_device, "service_orders") == {kept}
    assert ids(second_device, "service_orders") == {moved, theirs}
    assert work[moved] in ids(second_device, "order_parts") and work[moved] not in ids(first_device, "order_parts")
    assert ids(pc, "service_orders") == {moved, kept, theirs}
    assert {work[o] for o in work} <= ids(pc, "order_parts")
    for n in (pc, first_device, second_device):
        for order in n.store.rows("service_orders"):
            hub = w.hub_row("service_orders", order["id"])
            assert {k: order[k] for k in ("technician_id", "resolution", "status")} == \
                {k: hub[k] for k in ("technician_id", "resolution", "status")}


def test_hqs_sla_warning_on_a_technicians_order_reaches_their_device(tmp_path):
    from fieldsync.testing.outlet import seed
    from hub.services import HubServices
    from hub.services.monitor import escalation_job
    world = World(tmp_path)
    try:
        seed(world)
        outlet = world.outlets[0]
        tech = world.user(outlet, "technician")
        mine = world.dispatch(outlet, technician_id=tech, created_at=now_ms() - 100 * 60_000)
        world.dispatch(outlet, created_at=now_ms() - 100 * 60_000)  # nobody's yet: the outlet's only
        device = world.device(tech)
        assert escalation_job(HubServices(world.hub)) == {75: 2, 100: 0}
        device.sync()
        [notice] = device.store.rows("notices", "kind = 'sla_warning'")
        assert (notice["row_id"], notice["technician_id"]) == (mine, tech)
    finally:
        world.close()
