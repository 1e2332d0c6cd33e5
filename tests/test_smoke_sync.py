"""The shortest round trip a user would notice: HQ dispatches, the outlet accepts offline,
sync, HQ sees the accepted order; a refused transition comes back to the node."""
from shared.tables import TABLES
from sync import merge
from fieldsync.testing.world import World, uid


def status(store_or_conn, order_id):
    conn = getattr(store_or_conn, "conn", store_or_conn)
    row = merge.load(conn, TABLES["service_orders"], order_id)
    return row and row["status"]


def test_dispatch_accept_and_refusal(tmp_path, hub_db):
    w = World(tmp_path, hub_at=hub_db)
    o1 = w.outlets[0]
    a, b = w.node(o1), w.node(o1)
    order = w.dispatch(o1)
    a.sync(), b.sync()
    assert status(a.store, order) == "new"
    tech = w.user(o1, "technician")
    a.store.write(tech, [{"op": "add", "table": "order_events", "id": uid(),
                          "fields": {"order_id": order, "to_status": "accepted", "at": 1}}])
    assert status(a.store, order) == "accepted"  # optimistic, offline
    bad = uid()
    b.store.write(tech, [{"op": "add", "table": "order_events", "id": bad,
                          "fields": {"order_id": order, "to_status": "completed", "at": 1}}])
    a.sync()
    result = b.sync()
    assert [r["code"] for r in result.rejected] == ["bad_transition"]
    assert status(w.hub, order) == "accepted"
    assert status(b.store, order) == "accepted"  # the authoritative status came back
    assert merge.load(b.store.conn, TABLES["order_events"], bad) is None
    assert b.store.refused()[0]["code"] == "bad_transition"
    w.close()


def test_an_idle_round_is_one_request_and_a_moved_bucket_is_pulled(tmp_path, hub_db):
    """Hello carries every bucket's head: a node already at those heads asks nothing more;
    when HQ writes to one bucket, the next round pulls that bucket alone."""
    from sync.node_sync import sync_round
    w = World(tmp_path, hub_at=hub_db)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    calls: list[str] = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            calls.append(name)
            return getattr(self.inner, name)

    sync_round(node.store, Counting(node.transport()), node.key)
    assert calls == ["hello"]
    calls.clear()
    order = w.dispatch(o1)
    sync_round(node.store, Counting(node.transport()), node.key)
    assert calls == ["hello", "pull"] and status(node.store, order) == "new"
