"""HQ's IT restores the hub from last night's backup, with real processes: `hub serve` over
HTTPS, nodes driven by `fieldsync node sync`. The backup is taken from the live file with
SQLite's backup API (README "Backups"); the restore stops the server, puts the file back
and starts it again. The orders HQ dispatched after the backup come back from the outlet."""
import json
import signal
import sqlite3

from fieldsync.testing.processes import HubProcess, NodeDir, run
from fieldsync.testing.world import uid


def hub_backup(hub: HubProcess, dest) -> None:
    src, dst = sqlite3.connect(str(hub.home.dir / "hub.db")), sqlite3.connect(str(dest))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def hub_restore(hub: HubProcess, backup) -> None:
    hub.kill(signal.SIGTERM)
    db = hub.home.dir / "hub.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    src, dst = sqlite3.connect(str(backup)), sqlite3.connect(str(db))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    hub.start()


def dispatch(hub: HubProcess, outlet_code: str, n: int) -> list[str]:
    store = hub.store()
    ids = [uid() for _ in range(n)]
    try:
        store.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-9{i:06d}", "outlet_id": hub.outlets[outlet_code], "type": "repair",
            "status": "new"}} for i, oid in enumerate(ids)])
    finally:
        store.close()
    return ids


def hub_has(hub: HubProcess, order: str) -> bool:
    store = hub.store()
    try:
        return store.conn.execute("SELECT 1 FROM service_orders WHERE id = ?", (order,)).fetchone() is not None
    finally:
        store.close()


def node_has(node: NodeDir, order: str) -> bool:
    store = node.store()
    try:
        return store.conn.execute("SELECT 1 FROM service_orders WHERE id = ?", (order,)).fetchone() is not None
    finally:
        store.close()


def test_a_hub_restored_from_last_nights_backup_gets_its_dispatches_back(tmp_path):
    hub = HubProcess(tmp_path)
    hub.add_outlet("SH01", "上海徐汇网点")
    hub.start()
    try:
        node, other = NodeDir(tmp_path, "n1"), NodeDir(tmp_path, "n2")
        node.enroll(hub.code("SH01"))
        other.enroll(hub.code("SH01"))
        hub_backup(hub, tmp_path / "nightly.db")
        orders = dispatch(hub, "SH01", 2)
        node.sync()
        assert all(node_has(node, o) for o in orders)

        hub_restore(hub, tmp_path / "nightly.db")
        assert not any(hub_has(hub, o) for o in orders)
        out = json.loads(node.sync().stdout.strip().splitlines()[-1])
        assert out["ok"] and out["handed_back"] >= 1 and out["lost"] == 0  # one change held both
        assert all(hub_has(hub, o) for o in orders)
        other.sync()   # a node that never saw them gets them like any dispatch
        assert all(node_has(other, o) for o in orders)

        report = run("hub", "restore-report", "--dir", hub.home.dir, "--lang", "en").stdout
        assert "outlet SH01" in report and "recovered from the nodes" in report and "hq_ tables" in report
        status = json.loads(run("node", "status", "--dir", node.home.dir).stdout)
        assert status["lost_in_hq_restore"] == [] and status["pending"] == 0
    finally:
        hub.kill()
