"""Two processes on one replica file (the app's `node serve` and a `fieldsync node sync`
beside it; an HQ tool beside `hub serve`): a write in one must take a clock later than
every change the other already applied, or last-writer-wins would drop a person's edit
in favour of an older value. The chaos run (tests/chaos) works this way: its workload
writes to each replica while the node's own process syncs it."""
from shared.tables import TABLES
from sync import merge
from sync.hlc import HLC, now_ms
from sync.hub_store import HubStore
from sync.node_store import NodeStore
from fieldsync.testing.world import World

HQ_AHEAD_MS = 5 * 60_000  # HQ's clock a few minutes ahead of the tablet's: within the drift HQ allows


def test_an_edit_after_another_process_pulled_wins_over_the_pulled_value(tmp_path):
    world = World(tmp_path, hub_clock=HLC(wall=lambda: now_ms() + HQ_AHEAD_MS))
    node = world.node("outlet-1", clock=HLC(wall=now_ms))
    order = world.dispatch("outlet-1")
    node.sync()
    app = NodeStore(node.path, clock=HLC(wall=now_ms))  # the app, open before HQ's edit arrives
    world.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "总部：客户改约"}}])
    node.sync()  # the CLI's round pulls HQ's edit into the same file
    app.write(world.user("outlet-1", "technician"),
              [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "师傅：已上门"}}])
    assert merge.load(app.conn, TABLES["service_orders"], order)["notes"] == "师傅：已上门"
    node.sync()
    assert world.hub_row("service_orders", order)["notes"] == "师傅：已上门"
    app.close()
    world.close()


def test_hq_tool_beside_the_hub_server_writes_after_what_the_server_applied(tmp_path):
    world = World(tmp_path, hub_clock=HLC(wall=now_ms))
    node = world.node("outlet-1", clock=HLC(wall=lambda: now_ms() + HQ_AHEAD_MS))
    order = world.dispatch("outlet-1")
    node.sync()
    tool = HubStore(world.hub.path, key=world.hub.key, clock=HLC(wall=now_ms))  # opened before the push
    node.store.write(world.user("outlet-1", "technician"),
                     [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "师傅：已上门"}}])
    node.sync()  # the server applies the tablet's edit, clocked a few minutes ahead
    tool.write([{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "总部：已回访"}}])
    assert world.hub_row("service_orders", order)["notes"] == "总部：已回访"
    tool.close()
    world.close()
