"""Moving a running network's hub from SQLite to PostgreSQL as an operator does it, with real
processes over HTTPS: a hub on SQLite, two enrolled nodes, one holding offline work it has
not pushed; `fieldsync hub migrate` refused while the hub serves; the hub stopped; a move
killed (kill -9) midway and run again; `hub serve` on PostgreSQL; both nodes sync without
re-enrolling, the pending work arrives once; the old file refuses to serve anywhere; undo
refused once the database took new work — and, in a second network, undo taken back to
SQLite before any node pushed, the offline work then arriving there."""
import shutil
import signal
import subprocess

from fieldsync.testing.processes import FIELDSYNC, HubProcess, NodeDir, run
from fieldsync.testing.world import uid
from hub.home import HubHome


class Network:
    def __init__(self, tmp_path):
        self.hub = HubProcess(tmp_path)
        self.outlet = self.hub.add_outlet("SH01", "上海徐汇网点")
        store = self.hub.store()
        self.clerk, self.order = "clerk-SH01", uid()
        store.write([{"op": "put", "table": "users", "id": self.clerk, "fields": {
            "username": self.clerk, "role": "clerk", "outlet_id": self.outlet, "active": True}},
            {"op": "put", "table": "service_orders", "id": self.order, "fields": {
                "number": "HQ-0000001", "outlet_id": self.outlet, "type": "repair", "status": "new"}}])
        store.close()
        self.hub.start()
        self.a, self.b = NodeDir(tmp_path, "a"), NodeDir(tmp_path, "b")
        for n in (self.a, self.b):
            n.enroll(self.hub.code("SH01"))
            n.sync()

    def offline_work(self) -> None:
        """Node a, offline: three receipts and a note, not pushed."""
        s = self.a.store()
        for _ in range(3):
            s.write(self.clerk, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
                "outlet_id": self.outlet, "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        s.write(self.clerk, [{"op": "put", "table": "service_orders", "id": self.order,
                              "fields": {"notes": "迁移时离线"}}])
        s.close()

    def check_synced(self) -> None:
        """Both nodes sync against the hub as it now runs; the work is everywhere, once."""
        for n in (self.a, self.b, self.a, self.b):
            n.sync()
        held = self.hub.store()
        try:
            assert held.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 3
            chains = dict(held.conn.execute("SELECT origin, COUNT(*) FROM node_changes GROUP BY origin").fetchall())
            assert sorted(chains.values()) == [4]  # node a's four changes, each held once
        finally:
            held.close()
        sb = self.b.store()
        try:
            assert sb.conn.execute("SELECT notes FROM service_orders WHERE id = ?", (self.order,)).fetchone()[0] \
                == "迁移时离线"
            assert sb.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 3
        finally:
            sb.close()


def migrate(hub: HubProcess, url: str, *extra, check=True) -> subprocess.CompletedProcess:
    return run("hub", "migrate", "--dir", hub.home.dir, "--to", url, *extra, check=check)


def test_a_sqlite_hub_moves_to_postgres_and_its_nodes_sync_on(postgres, tmp_path):
    net = Network(tmp_path)
    hub = net.hub
    url = postgres.create_database()
    try:
        net.offline_work()
        busy = migrate(hub, url, check=False)
        assert busy.returncode == 2 and "stop `fieldsync hub serve`" in busy.stderr  # never under a running hub
        hub.kill(signal.SIGTERM)

        # killed midway (after its first table), then run again
        mover = subprocess.Popen([FIELDSYNC, "hub", "migrate", "--dir", str(hub.home.dir), "--to", url],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert mover.stdout is not None
            first = mover.stdout.readline()
            assert first.startswith("copied "), first
            mover.kill()
        finally:
            mover.wait(timeout=30)
        assert "now runs on" in migrate(hub, url).stdout
        assert hub.home.on_postgres and hub.home.moved_db.exists() and not hub.home.db.exists()

        hub.start()  # the same directory, key, certificate and port: now on PostgreSQL
        net.check_synced()
        hub.kill(signal.SIGTERM)

        refused = run("hub", "migrate", "--dir", hub.home.dir, "--undo", check=False)
        assert refused.returncode == 2 and "new work" in refused.stderr and hub.home.on_postgres

        old = HubHome(tmp_path / "old-copy")  # the old file, served from another directory
        old.dir.mkdir()
        shutil.copy(hub.home.moved_db, old.db)
        shutil.copy(hub.home.key, old.key)
        shutil.copytree(hub.home.dir / "tls", old.dir / "tls")
        served = run("hub", "serve", "--dir", old.dir, "--port", "1", check=False)
        assert served.returncode == 2 and "moved to PostgreSQL" in served.stderr
    finally:
        hub.kill()


def test_undo_takes_a_moved_hub_back_to_sqlite_before_any_node_pushed(postgres, tmp_path):
    net = Network(tmp_path)
    hub = net.hub
    url = postgres.create_database()
    try:
        net.offline_work()
        hub.kill(signal.SIGTERM)
        migrate(hub, url)
        hub.start()
        net.b.sync()  # only pulls: nothing new for the database
        hub.kill(signal.SIGTERM)
        back = run("hub", "migrate", "--dir", hub.home.dir, "--undo")
        assert "runs on hub.db again" in back.stdout
        assert not hub.home.on_postgres and hub.home.db.exists() and not hub.home.moved_db.exists()
        hub.start()  # on SQLite again: the offline work arrives there
        net.check_synced()
    finally:
        hub.kill()
    other = HubHome(tmp_path / "on-the-old-database")
    other.dir.mkdir()
    other.database.write_text(url)
    shutil.copy(hub.home.key, other.key)
    shutil.copytree(hub.home.dir / "tls", other.dir / "tls")
    served = run("hub", "serve", "--dir", other.dir, "--port", "1", check=False)
    assert served.returncode == 2 and "moved back to SQLite" in served.stderr  # never a second live hub
