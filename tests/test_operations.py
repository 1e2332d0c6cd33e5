"""Running it in production (docs/operations.md): the hub's and the node's health and
readiness probes, the hub's Prometheus metrics, and JSON log lines carrying the
balancer's request id — over HTTP, in-process, against the real apps."""
import io
import json
import logging
import threading
import types

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from fieldsync.testing.world import World, uid
from hub.app import METRICS_TOKEN_ENV, create_app
from hub.blobs import BlobStore
from node.health import node_checks
from node.sync_service import SyncService
from node.ui.server import create_app as create_node_app
from shared import health
from shared.jsonlog import JsonFormatter
from sync import http_client, keys
from sync.http_client import HttpTransport
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round

TOKEN = "scrape-me-" + "x" * 20


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv(METRICS_TOKEN_ENV, TOKEN)
    w = World(tmp_path)
    w.app = create_app(w.hub, blobs=BlobStore(tmp_path / "blobs"))
    w.client = TestClient(w.app, raise_server_exceptions=False)
    yield w
    w.close()


def enroll(w, outlet=None):
    key = keys.SigningKey.generate()
    token = w.hub.create_enroll_token(outlet or w.outlets[0])
    enrollment = http_client.enroll("http://testserver", None, {"token": token, "public_key": key.public_b64,
                                                                "name": "前台电脑"}, client=TestClient(w.app))
    store = NodeStore(w.tmp / f"{enrollment['node_id']}.db")
    store.bind(enrollment)
    return store, key, HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(w.app))


def scrape(w) -> dict[tuple, float]:
    r = w.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# ---- health and readiness ----

def test_healthz_and_readyz_answer_without_credentials(world):
    r = world.client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "alive"})
    r = world.client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert {c["name"]: c["ok"] for c in r.json()["checks"]} == {"store": True, "migrations": True, "jobs": True}


def test_readyz_is_503_when_the_store_does_not_answer(world, monkeypatch):
    """The disk under the store failed: not ready (the balancer takes this process out)."""
    import sqlite3

    def failing():
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(world.hub, "snapshot", failing)
    r = world.client.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "not_ready"
    checks = {c["name"]: c for c in r.json()["checks"]}
    assert checks["store"]["ok"] is False and "disk I/O error" in checks["store"]["detail"]
    assert checks["migrations"]["ok"] is False
    assert world.client.get("/healthz").status_code == 200  # alive, only not ready


def test_readyz_is_503_when_the_store_hangs(world, monkeypatch):
    """A store stuck behind a lock: the probe gets its 503 within the bound, not a hang."""
    stuck = threading.Event()
    monkeypatch.setattr(health, "READY_TIMEOUT_S", 0.2)
    real = world.hub.snapshot

    def snapshot():
        stuck.wait(30)
        return real()
    monkeypatch.setattr(world.hub, "snapshot", snapshot)
    try:
        r = world.client.get("/readyz")
    finally:
        stuck.set()
    assert r.status_code == 503 and r.json()["checks"][0]["name"] == "answer"


def test_readyz_is_503_when_a_newer_release_migrated_the_file(world):
    import sqlite3
    latest = world.hub.schema().latest
    other = sqlite3.connect(world.hub.path)
    other.execute(f"PRAGMA user_version = {latest + 1}")
    other.close()
    r = world.client.get("/readyz")
    assert r.status_code == 503
    migrations = next(c for c in r.json()["checks"] if c["name"] == "migrations")
    assert migrations["ok"] is False and str(latest + 1) in migrations["detail"]


def test_readyz_says_who_leads_the_jobs(tmp_path):
    w = World(tmp_path)
    running = types.SimpleNamespace(leader=lambda: "this process")
    stopped = types.SimpleNamespace(leader=lambda: None)
    try:
        r = TestClient(create_app(w.hub, jobs=running)).get("/readyz")
        assert r.status_code == 200
        assert {"name": "jobs", "ok": True, "detail": "leader: this process"} in r.json()["checks"]
        r = TestClient(create_app(w.hub, jobs=stopped)).get("/readyz")
        assert r.status_code == 503
        assert next(c for c in r.json()["checks"] if c["name"] == "jobs")["ok"] is False
    finally:
        w.close()


def test_the_node_answers_the_same_probes_on_its_ui_port(tmp_path):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    sync = SyncService(node.store, LocalTransport(w.hub, node.node_id), node.key, interval_s=3600)
    runtime = types.SimpleNamespace(store=node.store, sync=sync)
    client = TestClient(create_node_app(None, None, checks=lambda: node_checks(runtime)))
    try:
        assert client.get("/healthz").json() == {"status": "alive"}
        r = client.get("/readyz")  # the background sync is not scheduled yet
        assert r.status_code == 503 and {c["name"]: c["ok"] for c in r.json()["checks"]} == {
            "store": True, "migrations": True, "sync": False}
        sync.start()
        r = client.get("/readyz")
        assert r.status_code == 200 and r.json()["status"] == "ready"
        sync.stop(5)
        assert client.get("/readyz").status_code == 503
    finally:
        sync.stop(5)
        w.close()


# ---- metrics ----

def test_metrics_need_the_token_on_the_hubs_port(world, monkeypatch):
    assert world.client.get("/metrics").status_code == 404
    assert world.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert world.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    monkeypatch.delenv(METRICS_TOKEN_ENV)  # no token configured: not exposed there at all
    assert world.client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_counts_move_after_a_push_and_a_refusal(world):
    w = world
    store, key, t = enroll(w)
    sync_round(store, t, key)
    before = scrape(w)
    order, theirs = w.dispatch(w.outlets[0]), w.dispatch(w.outlets[1])
    sync_round(store, t, key)
    clerk = w.user(w.outlets[0], "clerk")
    store.write(clerk, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "上门前电话"}},
                        {"op": "put", "table": "service_orders", "id": theirs, "fields": {"notes": "越权"}}])
    result = sync_round(store, t, key)
    assert [r["code"] for r in result.rejected] == ["not_owner"]
    after = scrape(w)
    assert value(after, "fieldsync_hub_ops_applied_total") - value(before, "fieldsync_hub_ops_applied_total") == 1
    assert value(after, "fieldsync_hub_ops_refused_total", code="not_owner") \
        - value(before, "fieldsync_hub_ops_refused_total", code="not_owner") == 1
    push = dict(endpoint="/api/v1/sync/push", method="POST", status="200")
    assert value(after, "fieldsync_hub_requests_total", **push) - value(before, "fieldsync_hub_requests_total",
                                                                         **push) == 1
    assert value(after, "fieldsync_hub_push_bytes_count") > value(before, "fieldsync_hub_push_bytes_count")
    assert value(after, "fieldsync_hub_pull_bytes_count") > value(before, "fieldsync_hub_pull_bytes_count")
    assert value(after, "fieldsync_hub_store_seconds_count", work="push") \
        > value(before, "fieldsync_hub_store_seconds_count", work="push")
    assert value(after, "fieldsync_hub_enrollments_total") >= 1
    # the outlet's gauges: a sync just now, by the outlet's code
    assert 0 <= value(after, "fieldsync_outlet_last_sync_age_seconds", outlet="SH01") < 3600
    assert value(after, "fieldsync_nodes", status="active") == 1


def test_labels_stay_bounded_whatever_the_requests(world):
    w = world
    store, key, t = enroll(w)
    for i in range(30):
        w.client.get(f"/no/such/path/{uid()}")
        w.client.get(f"/api/v1/blobs/{i:064x}")
        t.pull(["global", f"outlet:{w.outlets[0]}"][i % 2], 0)
    samples = scrape(w)
    endpoints = {dict(labels).get("endpoint") for (name, labels) in samples if name == "fieldsync_hub_requests_total"}
    templates = {route.path for route in w.app.routes}
    assert "/api/v1/sync/pull" in endpoints and "unmatched" in endpoints
    assert endpoints <= templates | {"unmatched", "/hq"}  # never a raw path, a hash or a bucket
    assert not any(w.outlets[0] in str(labels) for (_, labels) in samples if "requests" in _)


def test_outlet_gauges_stay_bounded_to_the_outlets_longest_without_a_sync(world, monkeypatch):
    from hub import metrics
    w = world
    for outlet in w.outlets:
        store, key, t = enroll(w, outlet)
        sync_round(store, t, key)
    with w.hub.tx() as c:  # SH02's nodes were last heard from a day ago
        c.execute("UPDATE nodes SET last_seen_at = last_seen_at - 86400000 WHERE outlet_id = ?", (w.outlets[1],))
    monkeypatch.setattr(metrics, "MAX_OUTLET_SERIES", 1)
    samples = scrape(w)
    ages = {dict(labels)["outlet"]: v for (name, labels), v in samples.items()
            if name == "fieldsync_outlet_last_sync_age_seconds"}
    assert list(ages) == ["SH02"] and ages["SH02"] >= 86400


def test_metrics_on_a_separate_address_need_no_token(world):
    import httpx
    from fieldsync.testing.processes import free_port
    from hub import metrics
    port = free_port()
    server = metrics.serve_separately(world.app.state.metrics, "127.0.0.1", port)
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert r.status_code == 200 and "fieldsync_hub_requests_total" in r.text and "fieldsync_nodes" in r.text
    finally:
        server.shutdown()


def test_a_fork_and_a_revocation_are_counted(world):
    from hub.services import HubServices, HubSession
    from sync.canonical import ZERO_HASH
    from sync.errors import SyncError
    from tests import forge
    w = world
    store, key, t = enroll(w)
    order = w.dispatch(w.outlets[0])
    sync_round(store, t, key)
    clerk = w.user(w.outlets[0], "clerk")
    store.write(clerk, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "第一次"}}])
    sync_round(store, t, key)
    before = scrape(w)
    node = types.SimpleNamespace(store=store, node_id=store.node_id, key=key, outlet_id=w.outlets[0])
    copy = [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "另一份拷贝"}}]
    other = forge.change(node, 1, ZERO_HASH, copy, actor=clerk, hlc=store.clock.tick())
    with pytest.raises(SyncError) as forked:  # the same seq, another history: a copy of the node
        t.push(forge.body(node, [other]))
    assert forked.value.code == "fork"
    HubServices(w.hub).admin.nodes.revoke(HubSession.of_system("test"), store.node_id)
    after = scrape(w)
    for name in ("fieldsync_hub_fork_alerts_total", "fieldsync_hub_revocations_total"):
        assert value(after, name) - value(before, name) == 1, name
    fork = dict(endpoint="/api/v1/sync/push", method="POST", status="409")
    assert value(after, "fieldsync_hub_requests_total", **fork) - value(before, "fieldsync_hub_requests_total",
                                                                         **fork) == 1


# ---- logs ----

@pytest.fixture
def log_lines():
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter("hub"))
    logger = logging.getLogger("fieldsync.hub.http")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in buf.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old)


def test_each_request_logs_one_json_line_with_the_balancers_request_id(world, log_lines):
    w = world
    store, key, t = enroll(w)
    t._c.headers["X-Request-ID"] = "lb-7f3a-0001"
    t.hello()
    lines = [x for x in log_lines() if x.get("endpoint") == "/api/v1/sync/hello"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "lb-7f3a-0001" and line["node_id"] == store.node_id
    assert line["status"] == 200 and line["outcome"] == "ok" and line["app"] == "hub" and line["msg"] == "request"
    r = w.client.get("/api/v1/sync/hello", headers={"X-Request-ID": "lb-7f3a-0002"})
    assert r.headers["x-request-id"] == "lb-7f3a-0002"
    refused = [x for x in log_lines() if x.get("request_id") == "lb-7f3a-0002"]
    assert refused and refused[0]["outcome"] == "bad_signature" and refused[0]["status"] == 401


def test_a_request_without_a_sane_id_gets_one(world, log_lines):
    r = world.client.get("/healthz", headers={"X-Request-ID": "bad id\" with quotes"})
    made = r.headers["x-request-id"]
    assert made != "bad id\" with quotes" and len(made) == 32
    assert [x["request_id"] for x in log_lines() if x.get("endpoint") == "/healthz"] == [made]


def test_log_lines_never_carry_a_phone_or_a_password():
    logger = logging.getLogger("fieldsync.test.scrub")
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter("hub"))
    logger.addHandler(handler)
    try:
        logger.warning("customer 13812345678 called; password=hunter2 token: abc.def")
    finally:
        logger.removeHandler(handler)
    text = buf.getvalue()
    assert "13812345678" not in text and "hunter2" not in text and "abc.def" not in text
    assert json.loads(text)["msg"].startswith("customer 138****5678")


# ---- HQ's network screen over the admin API ----

def test_the_sync_health_board_over_the_admin_api(world):
    import base64
    from shared.passwords import hash_password
    w = world
    w.hub.write([{"op": "put", "table": "users", "id": "hq-admin", "fields": {
        "username": "hq-admin", "role": "admin", "active": True, "password_hash": hash_password("s3cret!")}}])
    store, key, t = enroll(w)
    sync_round(store, t, key)
    assert w.client.get("/api/v1/admin/sync-health").status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"hq-admin:s3cret!").decode()}
    board = w.client.get("/api/v1/admin/sync-health", headers=auth).json()
    assert board["silent_hours"] == 24 and board["silent"] == 0
    (node,) = board["nodes"]
    assert node["node_id"] == store.node_id and node["kind"] == "outlet" and node["pending"] == 0
    assert node["last_sync_at"] and abs(node["clock_drift_ms"]) < 60_000
    r = w.client.get("/api/v1/admin/sync-health?format=csv", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "前台电脑" in r.content.decode("utf-8-sig")
