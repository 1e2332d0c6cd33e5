"""Moving a SQLite hub into PostgreSQL (`hub/move.py`), in process: the demo network's hub
with two enrolled nodes, one holding offline work it has not pushed. The move copies every
table, chain and attachment; interrupted at any step it leaves at most one store that will
serve and, run again, finishes; after it both nodes sync on as before (nothing lost or held
twice, the offline work arrives); undo goes back while nothing new reached the database and
is refused after; a retired store refuses to serve wherever it is copied.
The same with real processes over HTTPS: tests/procs/test_hub_move_processes.py."""
import hashlib
import json
import shutil

import pytest

from fieldsync.demo.data import SMALL, generate
from fieldsync.testing.world import Node, uid
from hub.admin import init_hub
from hub.blobs import BlobStore
from hub.home import HubHome, retired
from hub.move import migrate, undo
from shared.errors import ServiceError
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.node_sync import LocalTransport, sync_round
from sync.pg_store import connect

PHOTO = "现场照片".encode() * 100
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


class InjectedFault(RuntimeError):
    pass


class Network:
    """A SQLite hub in `home` with the small demo network, an attachment, and two nodes of
    one outlet (node a with three stock receipts and a note it has not pushed)."""

    def __init__(self, tmp):
        self.home = HubHome(tmp / "hub")
        init_hub(self.home)
        hub = self.home.open()
        generate(hub, sizes=SMALL)
        self.outlet = hub.conn.execute("SELECT id FROM outlets ORDER BY code LIMIT 1").fetchone()[0]
        self.clerk = hub.conn.execute("SELECT id FROM users WHERE outlet_id = ? AND role = 'clerk'",
                                      (self.outlet,)).fetchone()[0]
        self.order = hub.conn.execute("SELECT id FROM service_orders WHERE outlet_id = ? ORDER BY id LIMIT 1",
                                      (self.outlet,)).fetchone()[0]
        BlobStore(self.home.blobs).put(PHOTO_SHA, PHOTO)
        self.a, self.b = Node(tmp / "a.db", hub, self.outlet), Node(tmp / "b.db", hub, self.outlet)
        for n in (self.a, self.b):
            n.sync()
        self.moves = [uid() for _ in range(3)]
        for m in self.moves:
            self.a.store.write(self.clerk, [{"op": "add", "table": "stock_moves", "id": m, "fields": {
                "outlet_id": self.outlet, "part_id": "P-MOVE", "qty": 2, "kind": "receipt"}}])
        self.a.store.write(self.clerk, [{"op": "put", "table": "service_orders", "id": self.order,
                                         "fields": {"notes": "迁移期间离线录入"}}])
        self.heads = _heads(hub)
        self.counts = _counts(hub)
        hub.close()  # the hub is stopped for the move

    def sync_both(self, hub) -> None:
        for n in (self.a, self.b):
            n.hub = hub
            result = sync_round(n.store, LocalTransport(hub, n.node_id), n.key)
            assert not result.rejected

    def close(self) -> None:
        for n in (self.a, self.b):
            n.store.close()


def _heads(hub) -> list:
    return [tuple(r) for r in hub.conn.execute("SELECT node_id, epoch, seq, head FROM nodes ORDER BY node_id")] + \
        [tuple(r) for r in hub.conn.execute("SELECT bucket, epoch, seq, head FROM buckets ORDER BY bucket")]


def _counts(hub) -> dict[str, int]:
    tables = ("service_orders", "customers", "order_events", "stock_moves", "node_changes", "bucket_changes",
              "refusals", "users", "kb_articles", "hq_audit")
    return {t: hub.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.fixture
def net(tmp_path):
    n = Network(tmp_path)
    yield n
    n.close()


@pytest.fixture
def target(postgres):
    url = postgres.create_database()
    yield url
    from fieldsync.testing.postgres import database_name
    postgres.drop_database(database_name(url))


def serving(home: HubHome, url: str) -> list[str]:
    """Which stores of this hub would serve: the file (under either name), the database."""
    live = []
    for path in (home.db, home.moved_db):
        if path.exists():
            store = HubStore(path, key=SigningKey.load(home.key))
            live += [] if retired(store) else ["file"]
            store.close()
    c = connect(url)  # (not a store: opening one would make a hub in an empty database)
    try:
        if c.execute("SELECT to_regclass('_meta')").fetchone()[0] is not None:
            marks = dict(c.execute("SELECT key, value FROM _meta WHERE key IN ('migrated_from', 'retired')").fetchall())
            live += ["database"] if "migrated_from" in marks and "retired" not in marks else []
    finally:
        c.raw.close()
    return live


def check_after_move(net: Network, url: str) -> None:
    assert net.home.location == url and not net.home.db.exists() and net.home.moved_db.exists()
    hub = net.home.open()
    try:
        assert _heads(hub) == net.heads and _counts(hub) == net.counts  # as the file held it
        assert hub.hub_id == json.loads(hub.meta_get("migrated_from"))["hub_id"]
        data = hub.conn.execute("SELECT data FROM hub_blobs WHERE sha256 = ?", (PHOTO_SHA,)).fetchone()[0]
        assert bytes(data) == PHOTO
        net.sync_both(hub)  # the same nodes, no new enrollment
        net.sync_both(hub)
        stock = hub.conn.execute("SELECT id FROM stock_moves WHERE part_id = 'P-MOVE' ORDER BY id").fetchall()
        assert sorted(r[0] for r in stock) == sorted(net.moves)  # the offline work, once each
        for store in (hub, net.b.store):
            assert store.conn.execute("SELECT notes FROM service_orders WHERE id = ?",
                                      (net.order,)).fetchone()[0] == "迁移期间离线录入"
        assert net.b.store.conn.execute("SELECT SUM(qty) FROM stock_moves WHERE part_id = 'P-MOVE'").fetchone()[0] == 6
        held = hub.node(net.a.node_id)
        assert (held["epoch"], held["seq"], held["head"]) == (net.a.store.epoch, *net.a.store.last())
        # the next refusal and fork alert take fresh ids (the identities follow the copied rows)
        hub.write([{"op": "put", "table": "outlets", "id": uid(), "fields": {"code": "ZZ99", "name": "新网点"}}])
    finally:
        hub.close()


def test_the_move_copies_everything_and_the_nodes_sync_on(net, target):
    said = []
    moved = migrate(net.home, target, say=said.append)
    assert moved.rows["node_changes"] == net.counts["node_changes"] and moved.blobs == 1
    assert any("verified" in line for line in said)
    check_after_move(net, target)
    assert serving(net.home, target) == ["database"]
    again = migrate(net.home, target, say=said.append)  # run again: nothing to do
    assert again.resumed and not again.rows


@pytest.mark.parametrize("step", ["copied node_changes", "verified", "file marked", "directory switched",
                                  "database live"])
def test_a_move_interrupted_at_any_step_leaves_one_hub_and_finishes_when_run_again(net, target, step):
    def fault(at):
        if at == step:
            raise InjectedFault(at)
    with pytest.raises(InjectedFault):
        migrate(net.home, target, say=lambda _: None, fault=fault)
    assert len(serving(net.home, target)) <= 1  # never two live hubs
    try:
        net.home.open().close()
    except ServiceError as refusal:  # in the middle of the switch: neither serves until it ends
        assert refusal.code.startswith("hub_retired_")
    migrate(net.home, target, say=lambda _: None)
    check_after_move(net, target)
    assert serving(net.home, target) == ["database"]


def test_undo_goes_back_to_the_file_while_the_database_took_no_new_work(net, target):
    migrate(net.home, target, say=lambda _: None)
    hub = net.home.open()
    for n in (net.b,):  # a node that only pulls changes nothing held
        sync_round(n.store, LocalTransport(hub, n.node_id), n.key)
    hub.close()
    undo(net.home, say=lambda _: None)
    assert net.home.location == net.home.db and not net.home.database.exists()
    assert serving(net.home, target) == ["file"]
    with pytest.raises(ServiceError) as e:  # the database never serves again
        _open_retired(net.home, target)
    assert e.value.code == "hub_retired_back"
    hub = net.home.open()  # back on SQLite: the pending work arrives there
    try:
        net.sync_both(hub)
        assert hub.conn.execute("SELECT COUNT(*) FROM stock_moves WHERE part_id = 'P-MOVE'").fetchone()[0] == 3
    finally:
        hub.close()


def _open_retired(home: HubHome, url: str):
    other = HubHome(home.dir.parent / "other")
    other.dir.mkdir()
    shutil.copy(home.key, other.key)
    other.database.write_text(url)
    return other.open()


def test_undo_is_refused_once_a_node_pushed_to_the_database(net, target):
    migrate(net.home, target, say=lambda _: None)
    hub = net.home.open()
    net.sync_both(hub)  # node a's offline work lands in PostgreSQL only
    hub.close()
    with pytest.raises(ServiceError) as e:
        undo(net.home, say=lambda _: None)
    assert e.value.code == "hub_undo_new_work" and "stock_moves" in e.value.message("en")
    assert net.home.location == target and serving(net.home, target) == ["database"]  # unchanged


def test_undo_before_the_switch_lets_the_file_serve_again(net, target):
    def fault(at):
        if at == "file marked":
            raise InjectedFault(at)
    with pytest.raises(InjectedFault):  # (the file's mark rolled back with the fault)
        migrate(net.home, target, say=lambda _: None, fault=fault)
    undo(net.home, say=lambda _: None)
    assert serving(net.home, target) == ["file"]
    net.home.open().close()


def test_a_moved_file_refuses_to_serve_wherever_it_is_copied(net, target, tmp_path):
    migrate(net.home, target, say=lambda _: None)
    copy = HubHome(tmp_path / "copy")
    copy.dir.mkdir()
    shutil.copy(net.home.moved_db, copy.db)
    shutil.copy(net.home.key, copy.key)
    with pytest.raises(ServiceError) as e:
        copy.open()
    assert e.value.code == "hub_retired_moved" and "PostgreSQL" in e.value.message("en")
    assert "撤销" in e.value.message("zh") or "退回" in e.value.message("zh")


def test_the_move_is_refused_while_the_hub_runs_or_into_another_hubs_database(net, target, postgres, tmp_path):
    with net.home.in_use():  # what `hub serve` holds
        with pytest.raises(ServiceError) as e:
            migrate(net.home, target, say=lambda _: None)
        assert e.value.code == "hub_running"
    other = postgres.create_database()
    init_hub(HubHome(tmp_path / "other-hub"), database=other)
    with pytest.raises(ServiceError) as e:
        migrate(net.home, other, say=lambda _: None)
    assert e.value.code == "hub_db_in_use"
    assert serving(net.home, target) == ["file"] and net.home.location == net.home.db
    with pytest.raises(ServiceError) as e:
        migrate(net.home, "mysql://nope", say=lambda _: None)
    assert e.value.code == "hub_db_url"
