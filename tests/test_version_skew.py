"""Version skew during a rollout, over HTTP: a node whose change schema is one step outside
the range HQ accepts — one behind HQ's oldest, or one ahead of HQ's newest — says its
release and schema at hello (HQ keeps them and flags the one behind on its screens),
holds its own changes with the reason (device_outdated / hub_older) while it keeps
pulling, and a push of those changes anyway is refused whole with 426
`schema_unsupported`, the accepted range in the error, nothing applied."""
import types

import pytest
from starlette.testclient import TestClient

from fieldsync.testing.world import World
from hub.app import create_app
from hub.blobs import BlobStore
from hub.services import HubServices, HubSession
from sync import change, http_client, keys
from sync.errors import SyncError
from sync.http_client import HttpTransport
from sync.node_store import NodeStore
from sync.node_sync import sync_round
from tests import forge

LOW, HIGH = change.SCHEMA_RANGE


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    w.app = create_app(w.hub, blobs=BlobStore(tmp_path / "blobs"))
    yield w
    w.close()


def enroll(w):
    key = keys.SigningKey.generate()
    token = w.hub.create_enroll_token(w.outlets[0])
    enrollment = http_client.enroll("http://testserver", None, {"token": token, "public_key": key.public_b64,
                                                                "name": "前台电脑"}, client=TestClient(w.app))
    store = NodeStore(w.tmp / f"{enrollment['node_id']}.db")
    store.bind(enrollment)
    return store, key, HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(w.app))


@pytest.mark.parametrize("node_schema, held", [(LOW - 1, "device_outdated"), (HIGH + 1, "hub_older")],
                         ids=["one-behind", "one-ahead"])
def test_a_node_one_schema_outside_hqs_range(world, monkeypatch, node_schema, held):
    w = world
    store, key, t = enroll(w)
    order = w.dispatch(w.outlets[0])
    sync_round(store, t, key)
    with monkeypatch.context() as m:  # this node runs a release of another schema
        m.setattr(change, "SCHEMA", node_schema)
        m.setattr(change, "APP_VERSION", "0.0.9" if node_schema < LOW else "9.0.0")
        store.write(w.user(w.outlets[0], "clerk"), [
            {"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "带上梯子"}}])
        later = w.dispatch(w.outlets[0])
        result = sync_round(store, t, key)
        assert (result.held, result.pushed) == (held, 0)  # said, not silent; nothing lost
        assert store.pending_count() == 1
        assert store.rows("service_orders", "id = ?", (later,))  # it still pulls HQ's work
        node = types.SimpleNamespace(store=store, node_id=store.node_id, key=key)
        with pytest.raises(SyncError) as refused:  # a push anyway: refused whole
            t.push(forge.unsent_body(node))
    assert (refused.value.status, refused.value.code) == (426, "schema_unsupported")
    assert refused.value.extra["schema"] == {"min": LOW, "max": HIGH}
    assert w.hub.node(store.node_id)["seq"] == 0 and w.hub_row("service_orders", order)["notes"] != "带上梯子"
    # HQ sees what the node runs, and flags the one behind
    seen = w.hub.node(store.node_id)
    assert seen["schema"] == node_schema and seen["app_version"] in ("0.0.9", "9.0.0")
    (row,) = HubServices(w.hub).admin.nodes.nodes(HubSession.of_system("test"))
    assert row.behind is (node_schema < LOW)
