"""A tablet whose date was set days ahead: HQ refuses its changes (`clock_ahead`) with a
notice, and once the date is right again its work counts at once, not days later. Its
hybrid clock had run ahead with the date, and a clock that never goes back would keep
every later change days ahead of HQ's (found by the chaos run's clock jumps). A tablet
whose date went back keeps its edits in order."""
from shared.stock import on_hand
from sync.hlc import HLC, now_ms, wall_ms
from sync.node_store import NodeStore
from fieldsync.testing.world import World, uid

DAY_MS = 86_400_000


class DeviceClock:
    def __init__(self):
        self.offset_ms = 0

    def now(self) -> int:
        return now_ms() + self.offset_ms


def receipt(world, node) -> str:
    move = uid()
    node.store.write(world.user("outlet-1"), [{"op": "add", "table": "stock_moves", "id": move, "fields": {
        "outlet_id": "outlet-1", "part_id": "P-1001", "qty": 1, "kind": "receipt"}}])
    return move


def test_after_the_date_is_set_right_the_tablets_work_counts_again(tmp_path):
    world = World(tmp_path)
    device = DeviceClock()
    node = world.node("outlet-1", clock=HLC(wall=device.now))
    node.sync()
    device.offset_ms = 2 * DAY_MS
    ahead = receipt(world, node)
    r = node.sync()
    assert [x["code"] for x in r.rejected] == ["clock_ahead"]
    assert on_hand(node.store, "P-1001") == 0  # the refused receipt left the replica
    assert world.hub_row("stock_moves", ahead) is None
    device.offset_ms = 0  # the clerk sets the date right
    node.reopen(clock=HLC(wall=device.now))  # even after a restart of the app
    fixed = receipt(world, node)
    r = node.sync()
    assert r.rejected == []
    assert world.hub_row("stock_moves", fixed)["qty"] == 1
    assert on_hand(node.store, "P-1001") == 1
    assert wall_ms(node.store.clock.last) < now_ms() + 60_000
    world.close()


def test_while_the_date_is_still_wrong_every_change_is_refused(tmp_path):
    world = World(tmp_path)
    device = DeviceClock()
    node = world.node("outlet-1", clock=HLC(wall=device.now))
    device.offset_ms = 3 * DAY_MS
    for _ in range(2):
        receipt(world, node)
        assert [x["code"] for x in node.sync().rejected] == ["clock_ahead"]
    assert world.hub.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 0
    world.close()


def test_a_date_set_back_keeps_the_devices_edits_in_order(tmp_path):
    world = World(tmp_path)
    device = DeviceClock()
    node = world.node("outlet-1", clock=HLC(wall=device.now))
    order = world.dispatch("outlet-1")
    node.sync()
    tech = world.user("outlet-1", "technician")
    node.store.write(tech, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "第一次"}}])
    node.sync()
    device.offset_ms = -2 * DAY_MS
    node.store.write(tech, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "第二次"}}])
    assert node.sync().rejected == []
    assert world.hub_row("service_orders", order)["notes"] == "第二次"
    world.close()


def test_another_process_on_the_file_follows_the_rewound_clock(tmp_path):
    world = World(tmp_path)
    device = DeviceClock()
    node = world.node("outlet-1", clock=HLC(wall=device.now))
    device.offset_ms = 2 * DAY_MS
    app = NodeStore(node.path, clock=HLC(wall=device.now))  # the app beside the syncing process
    app.write(world.user("outlet-1"), [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
        "outlet_id": "outlet-1", "part_id": "P-1001", "qty": 1, "kind": "receipt"}}])
    device.offset_ms = 0
    node.sync()  # refused, and the syncing process rewinds the file's clock
    move = uid()
    app.write(world.user("outlet-1"), [{"op": "add", "table": "stock_moves", "id": move, "fields": {
        "outlet_id": "outlet-1", "part_id": "P-1001", "qty": 1, "kind": "receipt"}}])
    assert node.sync().rejected == []
    assert world.hub_row("stock_moves", move) is not None
    app.close()
    world.close()
