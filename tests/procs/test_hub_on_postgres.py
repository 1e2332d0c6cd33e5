"""A hub on PostgreSQL as an operator runs it: `fieldsync hub init --db postgresql://…`,
`fieldsync hub serve` over HTTPS, nodes enrolling, pushing and pulling with the CLI, the hub
killed and started again on the same database — and nothing lost or applied twice."""
import os
import stat

from fieldsync.testing.processes import HubProcess, NodeDir, run
from fieldsync.testing.world import uid


def test_a_hub_on_postgres_serves_nodes_across_a_restart(postgres, tmp_path):
    url = postgres.create_database()
    hub = HubProcess(tmp_path, init=False)
    out = run("hub", "init", "--dir", hub.home.dir, "--db", url).stdout
    assert "admin user: admin" in out
    assert hub.home.database.read_text().strip() == url  # where the data is, kept private
    assert stat.S_IMODE(os.stat(hub.home.database).st_mode) == 0o600
    assert not hub.home.db.exists()  # no SQLite file beside it
    again = run("hub", "init", "--dir", tmp_path / "other", "--db", url, check=False)
    assert again.returncode == 2 and "already holds a hub" in again.stderr  # never adopted

    outlet = hub.add_outlet("SH01", "上海徐汇网点")
    store = hub.store()
    clerk, order = "clerk-SH01", uid()
    store.write([{"op": "put", "table": "users", "id": clerk, "fields": {
        "username": clerk, "role": "clerk", "outlet_id": outlet, "active": True}},
        {"op": "put", "table": "service_orders", "id": order, "fields": {
            "number": "HQ-0000001", "outlet_id": outlet, "type": "repair", "status": "new"}}])
    store.close()
    hub.start()
    try:
        a, b = NodeDir(tmp_path, "a"), NodeDir(tmp_path, "b")
        a.enroll(hub.code("SH01"))
        b.enroll(hub.code("SH01"))
        for n in (a, b):
            n.sync()
        s = a.store()
        s.write(clerk, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "周末上门"}}])
        for _ in range(3):
            s.write(clerk, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
                "outlet_id": outlet, "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        s.close()
        a.sync()

        hub.kill()  # kill -9, then the same directory and database again
        hub.start()
        b.sync()
        a.sync()
        sb = b.store()
        assert sb.conn.execute("SELECT notes FROM service_orders WHERE id = ?", (order,)).fetchone()[0] == "周末上门"
        assert sb.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 3
        sb.close()
        held = hub.store()
        try:
            assert held.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 3
            chains = held.conn.execute("SELECT origin, COUNT(*) FROM node_changes GROUP BY origin").fetchall()
            assert sorted(n for _, n in chains) == [4]  # node a's 4 changes, each once
        finally:
            held.close()
    finally:
        hub.kill()
