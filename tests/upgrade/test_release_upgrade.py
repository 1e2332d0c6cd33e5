"""A released version's files opened with this code, as an outlet or HQ upgrading in the
field would: the offline work reaches HQ exactly once, nothing waiting is lost, every chain
stays as it was, the replicas converge, and each file ends at the schema a brand-new file
has (releases.json lists the releases; tests/upgrade/field_work.py makes the work)."""
import json
import sqlite3

from hub.migrations import HUB_SCHEMA
from node.migrations import NODE_SCHEMA
from sync.hub_store import HubStore
from sync.migrations import snapshot_statements, version_of
from sync.node_store import NodeStore
from tests.upgrade.checks import open_upgraded, upgrade_and_sync
from tests.upgrade.releases import RELEASES
from tests.upgrade.shape import schema_shape


def test_offline_work_of_a_release_reaches_hq_once_after_the_upgrade(release, field_copy):
    hub, nodes = upgrade_and_sync(field_copy(release))
    for store in (hub, *nodes.values()):
        assert store.opened_at_version == RELEASES[release]["store_version"]


def test_files_of_a_release_open_at_the_schema_of_a_brand_new_file(release, field_copy, tmp_path):
    root = field_copy(release)
    work = json.loads((root / "work.json").read_text())
    hub, nodes = open_upgraded(root, work)
    for store in (hub, *nodes.values()):
        assert version_of(store.conn) == store.schema().latest
        store.close()
    HubStore(tmp_path / "new-hub.db").close()
    NodeStore(tmp_path / "new-node.db").close()
    assert schema_shape(root / "hub.db") == schema_shape(tmp_path / "new-hub.db")
    for name in work["nodes"]:  # node_b was enrolled, never started: completed to release 1 first
        assert schema_shape(root / f"{name}.db") == schema_shape(tmp_path / "new-node.db"), name


def test_release_1_statements_are_what_release_0_1_0_made(field_work):
    root = field_work("0.1.0")
    for schema, file in ((NODE_SCHEMA, "node_a.db"), (HUB_SCHEMA, "hub.db")):
        conn = sqlite3.connect(f"file:{root / file}?mode=ro", uri=True)
        try:
            assert sorted(snapshot_statements(conn)) == sorted(schema.release_1())
        finally:
            conn.close()
