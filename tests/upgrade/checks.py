"""What an upgrade must keep, checked on a hub's and its nodes' files (made by
tests/upgrade/field_work.py, with a release's code or this one's): the work that waits
for HQ is untouched by opening, reaches HQ exactly once, chains stay as they were, and the
replicas converge."""
import json
import sqlite3
from contextlib import closing

from shared.tables import TABLES
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.migrations import backup_path
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round
from tests.test_convergence import table_rows

WAITING = ("_log", "_pending", "_deferred", "_refused", "_blob_queue")


def waiting_work(path) -> dict:
    """What a node holds that HQ has not settled yet, read straight from the file."""
    conn = sqlite3.connect(path)
    try:
        state = {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr) for t in WAITING}
        state["_meta"] = dict(conn.execute("SELECT key, value FROM _meta WHERE key IN "
                                           "('epoch', 'acked_epoch', 'acked_seq', 'node_id')").fetchall())
        return state
    finally:
        conn.close()


def open_upgraded(root, work):
    hub = HubStore(root / work["hub"]["db"], key=SigningKey.load(root / work["hub"]["key"]))
    nodes = {name: NodeStore(root / f"{name}.db") for name in work["nodes"]}
    return hub, nodes


def assert_converged(hub, stores) -> None:
    """Every row a node holds is HQ's row, and every row HQ holds for the outlet is on it."""
    for spec in TABLES.values():
        at_hub = table_rows(hub.conn, spec)
        for store in stores:
            mine = table_rows(store.conn, spec)
            assert mine == {i: at_hub.get(i) for i in mine}, f"{spec.name} differs from HQ's"
            if "outlet_id" in spec.columns:
                outlet = {i for i, r in at_hub.items() if r["outlet_id"] == store.outlet_id}
                assert outlet <= set(mine), f"{spec.name}: HQ's rows of the outlet are missing"


def upgrade_and_sync(root) -> tuple[HubStore, dict[str, NodeStore]]:
    """Open the files of a field-work directory with this code and sync every node twice,
    checking on the way that nothing waiting is lost, sent twice or re-chained."""
    work = json.loads((root / "work.json").read_text())
    before = {name: waiting_work(root / f"{name}.db") for name in work["nodes"]}
    assert before["node_a"]["_deferred"] and before["node_b"]["_refused"] and before["node_a"]["_blob_queue"]
    hub, nodes = open_upgraded(root, work)
    for name, store in nodes.items():
        assert waiting_work(root / f"{name}.db") == before[name], f"{name}: opening changed waiting work"
        with closing(sqlite3.connect(backup_path(root / f"{name}.db", store.opened_at_version))) as copy:
            assert copy.execute("SELECT COUNT(*) FROM _log").fetchone()[0] == len(before[name]["_log"])

    for _ in range(2):
        for name, store in nodes.items():
            node_id = work["nodes"][name]
            result = sync_round(store, LocalTransport(hub, node_id), SigningKey.load(root / f"{name}.key"))
            assert not result.new_epoch and result.held is None

    for name, store in nodes.items():
        node_id, log = work["nodes"][name], before[name]["_log"]
        assert store.epoch == int(before[name]["_meta"]["epoch"])
        now = store.conn.execute("SELECT epoch, seq, hash, hlc, body FROM _log ORDER BY epoch, seq").fetchall()
        assert now == log, f"{name}: its chain changed"
        held = hub.conn.execute("SELECT epoch, seq, hash FROM node_changes WHERE origin = ? ORDER BY epoch, seq",
                                (node_id,)).fetchall()
        assert held == [r[:3] for r in log], f"{name}: HQ does not hold each change exactly once"
        assert store.conn.execute("SELECT COUNT(*) FROM _deferred").fetchone()[0] == 0
    a, b = nodes["node_a"], nodes["node_b"]
    for table, row_id in (("stock_moves", work["move"]), ("service_orders", work["new_order"])):
        assert hub.rows(table, "id = ?", (row_id,)), f"HQ lacks the offline {table} row"
    assert hub.rows("attachments", "sha256 = ?", (work["photo"],))
    assert [sha for sha, _ in a.blobs_to_upload()] == [work["photo"]]  # still waits for its upload
    assert [r["notice_id"] for r in b.refused()] == [r[0] for r in before["node_b"]["_refused"]]
    assert_converged(hub, nodes.values())
    return hub, nodes
