"""A bucket bigger than one pull body still reaches every node: the hub answers a pull
with at most segment.MAX_BYTES, and never makes a bucket change too big to pull."""
from sync import segment
from fieldsync.testing.world import World, uid


def test_a_new_node_catches_up_on_a_long_outlet_history(tmp_path):
    w = World(tmp_path, n_outlets=1)
    o = w.outlets[0]
    a = w.node(o)
    clerk = w.user(o, "clerk")
    note = "压缩机异响，更换后试机正常。" * 60  # ~2.5 KB: the history is > 4 MiB
    for i in range(2000):
        a.store.write(clerk, [{"op": "put", "table": "service_orders", "id": uid(), "fields": {
            "outlet_id": o, "number": f"SH01-A-{i:06d}", "type": "repair", "notes": note}}])
    a.sync()
    b = w.node(o)
    result = b.sync()
    assert result.pulled > 1
    assert b.store.conn.execute("SELECT COUNT(*) FROM service_orders").fetchone()[0] == 2000
    w.close()


def test_hq_imports_a_large_knowledge_base_and_nodes_still_sync(tmp_path):
    w = World(tmp_path, n_outlets=1)
    body = "空调不制冷的排查步骤：" * 180  # ~5 KB each, ~5 MB in one hub write
    w.hub.write([{"op": "put", "table": "kb_articles", "id": f"kb-{i}",
                  "fields": {"title": f"t{i}", "body": body, "active": True}} for i in range(1000)])
    sizes = [len(b) for (b,) in w.hub.conn.execute("SELECT body FROM bucket_changes")]
    assert max(sizes) < segment.MAX_BYTES
    n = w.node(w.outlets[0])
    n.sync()
    assert n.store.conn.execute("SELECT COUNT(*) FROM kb_articles").fetchone()[0] == 1000
    w.close()
