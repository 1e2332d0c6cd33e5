"""The migration runner on real store files. Each test registers its own next migration
after the real ones (NOW + 1, as the next issue's will be written): it runs
once, after a backup, atomically; a file newer than the code is refused; and a table
rebuilt by sqlite-utils' transform keeps the node's unsynced work, which then reaches HQ
exactly once."""
import sqlite3

import pytest
import sqlite_utils

import node.migrations
from sync.hub_store import HubStore
from sync.migrations import SCHEMAS, Migration, SchemaTooNew, StoreSchema, backup_path, version_of
from sync.node_store import NodeStore
from sync.store import InjectedFault
from tests.test_convergence import fingerprint
from tests.upgrade import field_work
from tests.upgrade.checks import upgrade_and_sync
from tests.upgrade.shape import schema_shape


NOW = node.migrations.NODE_SCHEMA.latest  # the version this code makes files at
NEXT = NOW + 1


def register(monkeypatch, *steps: Migration) -> None:
    """This code, as if it shipped `steps` after its own migrations."""
    monkeypatch.setitem(SCHEMAS, "node", StoreSchema("node", node.migrations.create,
                                                     node.migrations.MIGRATIONS + steps))


def audit_device_column(runs: list):
    def apply(conn):
        runs.append(version_of(conn))
        conn.execute("ALTER TABLE _audit ADD COLUMN device TEXT")
    return Migration(NEXT, "the audit names the device", apply)


def columns(path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]


@pytest.fixture
def node_file(tmp_path):
    """A node file of this release (version NOW) with a change in its log."""
    path = tmp_path / "node.db"
    store = NodeStore(path)
    store.bind({"node_id": "node-1", "outlet_id": "outlet-1", "buckets": []})
    store.write("clerk", [{"op": "put", "table": "service_orders", "id": "o1",
                           "fields": {"outlet_id": "outlet-1", "notes": "空调不制冷"}}])
    store.close()
    return path


def test_a_brand_new_file_is_made_at_the_newest_version_directly(tmp_path, monkeypatch):
    runs = []
    register(monkeypatch, audit_device_column(runs))
    store = NodeStore(tmp_path / "node.db")
    assert (version_of(store.conn), store.opened_at_version, runs) == (NEXT, 0, [])
    assert not backup_path(tmp_path / "node.db", NOW).exists()  # nothing to keep


def test_a_migration_runs_once_after_a_backup_of_the_old_file(node_file, monkeypatch):
    runs = []
    register(monkeypatch, audit_device_column(runs))
    NodeStore(node_file).close()
    NodeStore(node_file).close()
    assert runs == [NOW]
    assert "device" in columns(node_file, "_audit")
    with sqlite3.connect(node_file) as conn:
        assert version_of(conn) == NEXT
    backup = backup_path(node_file, NOW)
    with sqlite3.connect(backup) as old:
        assert version_of(old) == NOW and old.execute("SELECT COUNT(*) FROM _log").fetchone()[0] == 1
    assert "device" not in columns(backup, "_audit")


def test_a_failed_migration_leaves_the_file_as_it_was(node_file, monkeypatch):
    def half_done(conn):
        sqlite_utils.Database(conn)["service_orders"].transform(drop={"notes"})
        raise InjectedFault("the power went at the worst moment")
    with sqlite3.connect(node_file) as conn:
        before = fingerprint(conn)
    shape = schema_shape(node_file)
    register(monkeypatch, audit_device_column([]), Migration(NEXT + 1, "breaks half-way", half_done))
    with pytest.raises(InjectedFault):
        NodeStore(node_file)
    with sqlite3.connect(node_file) as conn:
        assert (version_of(conn), fingerprint(conn)) == (NOW, before)
    assert schema_shape(node_file) == shape
    runs = []
    register(monkeypatch, audit_device_column(runs))
    assert NodeStore(node_file).opened_at_version == NOW and runs == [NOW]  # the fixed release upgrades it


@pytest.mark.parametrize("store", [NodeStore, HubStore])
def test_a_file_newer_than_the_code_is_refused_in_both_languages(tmp_path, store):
    path = tmp_path / "store.db"
    store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
        before = fingerprint(conn)
    with pytest.raises(SchemaTooNew) as refused:
        store(path)
    assert "较新版本" in str(refused.value) and "newer release (schema 99)" in str(refused.value)
    with sqlite3.connect(path) as conn:
        assert (version_of(conn), fingerprint(conn)) == (99, before)


def test_a_rebuilt_table_keeps_unsynced_work_which_reaches_hq_once(tmp_path, monkeypatch):
    field_work.main(tmp_path)  # this release's files, with work waiting for HQ
    runs = []

    def rebuild_orders(conn):  # a table rebuild as sqlite-utils does it (new table, copy, rename)
        runs.append(version_of(conn))
        sqlite_utils.Database(conn)["service_orders"].transform(column_order=["id", "number", "status"])
    register(monkeypatch, Migration(NEXT, "service_orders rebuilt", rebuild_orders))
    hub, nodes = upgrade_and_sync(tmp_path)
    assert runs == [NOW, NOW]  # once per node file, after the real migrations
    assert columns(tmp_path / "node_a.db", "service_orders")[:3] == ["id", "number", "status"]
