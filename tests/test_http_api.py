"""The wire contract over HTTP, in-process: the node's real client (HttpTransport) talks
to the real FastAPI app through Starlette's TestClient (an httpx.Client). Every endpoint
and every protocol error code, in the protocol's error shape."""
import base64
import gzip
import hashlib
import json
import time

import pytest
from starlette.testclient import TestClient

from hub.services import HubServices, HubSession
from hub.app import create_app
from hub.blobs import blob_store_for
from shared.passwords import hash_password
from shared.stock import on_hand
from sync import http_client, http_sig, keys, segment
from sync.change import make_change
from sync.canonical import ZERO_HASH
from sync.errors import SyncError
from sync.http_client import HttpTransport
from sync.node_store import NodeStore
from sync.node_sync import sync_round
from fieldsync.testing.world import World, uid


@pytest.fixture
def world(tmp_path, hub_db):
    w = World(tmp_path, hub_at=hub_db)
    w.hub.write([{"op": "put", "table": "users", "id": "hq-admin", "fields": {
        "username": "hq-admin", "role": "admin", "active": True, "password_hash": hash_password("s3cret!")}}])
    w.app = create_app(w.hub, blobs=blob_store_for(w.hub, tmp_path / "blobs", max_size=1024 * 1024))
    w.client = TestClient(w.app, raise_server_exceptions=False)
    yield w
    w.close()


def enroll(w, outlet=None, tmp=None):
    key = keys.SigningKey.generate()
    token = w.hub.create_enroll_token(outlet or w.outlets[0])
    enrollment = http_client.enroll("http://testserver", None, {"token": token, "public_key": key.public_b64,
                                                                "name": "tablet"}, client=TestClient(w.app))
    store = NodeStore((tmp or w.tmp) / f"{enrollment['node_id']}.db")
    store.bind(enrollment)
    return store, key, HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(w.app))


def code_of(call) -> tuple[int, str]:
    with pytest.raises(SyncError) as err:
        call()
    return err.value.status, err.value.code


def signed(w, node_id, key, method, path, query="", body=None, created=None, headers=None):
    h = http_sig.sign(key, node_id, method, path, query, body, created)
    url = path + (f"?{query}" if query else "")
    return w.client.request(method, url, content=body, headers={**h, **(headers or {})})


def test_full_round_over_http_converges(world):
    w = world
    store, key, t = enroll(w)
    order = w.dispatch(w.outlets[0])
    sync_round(store, t, key)
    tech = w.user(w.outlets[0], "technician")
    store.write(tech, [{"op": "add", "table": "order_events", "id": uid(),
                        "fields": {"order_id": order, "to_status": "accepted", "at": 1}}])
    for _ in range(30):  # big enough to be gzipped
        store.write(tech, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": w.outlets[0], "part_id": "P-1001", "qty": -1, "kind": "consume", "note": "换压缩机" * 5}}])
    result = sync_round(store, t, key)
    assert result.pushed == 31 and result.rejected == []
    assert w.hub_row("service_orders", order)["status"] == "accepted"
    hub_on_hand = w.hub.conn.execute("SELECT SUM(qty) FROM stock_moves").fetchone()[0]
    assert hub_on_hand == on_hand(store, "P-1001") == -30


def test_enroll_errors(world):
    w = world
    key = keys.SigningKey.generate()
    r = w.client.post("/api/v1/enroll", content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    r = w.client.post("/api/v1/enroll", json={"token": "nope", "public_key": key.public_b64})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"
    token = w.hub.create_enroll_token(w.outlets[0])
    assert w.client.post("/api/v1/enroll", json={"token": token, "public_key": key.public_b64}).status_code == 201
    r = w.client.post("/api/v1/enroll", json={"token": token, "public_key": key.public_b64})
    assert r.json()["error"]["code"] == "bad_token"  # one-time
    expired = w.hub.create_enroll_token(w.outlets[0], ttl_ms=-1)
    r = w.client.post("/api/v1/enroll", json={"token": expired, "public_key": key.public_b64})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"
    r = w.client.post("/api/v1/enroll", json={"token": w.hub.create_enroll_token(w.outlets[0]), "public_key": "xx"})
    assert r.status_code in (400, 401) and r.json()["error"]["code"] in ("bad_request", "bad_signature")
    stored = w.hub.rows("enroll_tokens")
    assert all(token not in json.dumps(row) for row in stored)  # only hashes are kept


def test_request_signature_errors(world):
    w = world
    store, key, t = enroll(w)
    nid = store.node_id
    assert w.client.get("/api/v1/sync/hello").json()["error"]["code"] == "bad_signature"
    assert signed(w, nid, key, "GET", "/api/v1/sync/hello").status_code == 200
    other = keys.SigningKey.generate()
    r = signed(w, nid, other, "GET", "/api/v1/sync/hello")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    r = signed(w, "node-nobody", key, "GET", "/api/v1/sync/hello")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "unknown_node")
    r = signed(w, nid, key, "GET", "/api/v1/sync/hello", created=int(time.time()) - 3600)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "clock_skew")
    assert abs(r.json()["hub_time"] - time.time() * 1000) < 60_000
    # the path is covered: a signature for hello does not open pull
    h = http_sig.sign(key, nid, "GET", "/api/v1/sync/hello", "", None)
    r = w.client.get("/api/v1/sync/pull?bucket=global&after=0", headers=h)
    assert r.json()["error"]["code"] == "bad_signature"
    # the body is covered: Content-Digest must match what was sent
    body = b'{"manifest":{}}\n'
    h = http_sig.sign(key, nid, "POST", "/api/v1/sync/push", "", body)
    r = w.client.post("/api/v1/sync/push", content=body + b" ", headers=h)
    assert r.json()["error"]["code"] == "bad_signature"


def test_client_corrects_its_clock_after_clock_skew(world, monkeypatch):
    w = world
    store, key, t = enroll(w)
    monkeypatch.setattr(http_client, "_now", lambda: time.time() - 7200)  # the tablet is 2 h behind
    hello = t.hello()
    assert hello["hub_id"] == w.hub.hub_id
    assert 7100 < t.offset_s < 7300


def test_revoked_node_is_refused_on_its_next_request(world):
    w = world
    store, key, t = enroll(w)
    assert t.hello()["node"]["status"] == "active"
    HubServices(w.hub).admin.nodes.revoke(HubSession.of_system("test"), store.node_id)
    assert code_of(t.hello) == (403, "revoked")
    assert code_of(lambda: t.pull("global", 0)) == (403, "revoked")


def test_push_errors_over_http(world):
    w = world
    store, key, t = enroll(w)
    nid = store.node_id
    for _ in range(5):
        store.write(w.user(w.outlets[0]), [{"op": "put", "table": "service_orders", "id": uid(),
                                            "fields": {"outlet_id": w.outlets[0], "type": "repair"}}])
    lines = [b for _, _, b in store.unsent(0)][:1]
    fifth = [store.unsent(4)[0][2]]

    def seg(lines, first=1, prev=ZERO_HASH, **over):
        m = segment.manifest_for(hub=w.hub.hub_id, origin_key="origin", origin=nid, epoch=1, first=first,
                                 lines=lines, prev=prev)
        m.update(over)
        return segment.encode(m, segment.sign_manifest(key, keys.SEGMENT, m), lines)

    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=b"not ndjson\n")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_request")
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=seg(lines, hub="hub-other"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_segment")
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=seg(fifth, first=5, prev=store.hash_at(1, 4)))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "chain_gap")
    assert r.json()["have"] == {"epoch": 1, "seq": 0, "head": ZERO_HASH}
    bad = b"gzip? no"
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=bad, headers={"Content-Encoding": "gzip"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_request")
    bomb = gzip.compress(b"\n" * (segment.MAX_BYTES + 10))
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=bomb, headers={"Content-Encoding": "gzip"})
    assert (r.status_code, r.json()["error"]["code"]) == (413, "too_large")
    huge = b"x" * (segment.MAX_BYTES + 100 * 1024)
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=huge)
    assert (r.status_code, r.json()["error"]["code"]) == (413, "too_large")
    future = make_change(origin=nid, epoch=1, seq=1, prev=ZERO_HASH, hlc=1, at=1, actor="x", outlet=None,
                         ops=[{"op": "put", "table": "outlets", "id": "o", "fields": {}}]).replace(
        b'"schema":1', b'"schema":99')
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=seg([future]))
    assert (r.status_code, r.json()["error"]["code"]) == (426, "schema_unsupported")
    assert w.hub.node(nid)["seq"] == 0 and w.hub.rows("node_changes") == []
    ok = signed(w, nid, key, "POST", "/api/v1/sync/push", body=gzip.compress(seg(lines)),
                headers={"Content-Encoding": "gzip"})
    assert ok.status_code == 200 and ok.json()["have"]["seq"] == 1
    again = signed(w, nid, key, "POST", "/api/v1/sync/push", body=seg(lines))
    assert again.status_code == 200 and again.json()["have"] == ok.json()["have"]
    forked = make_change(origin=nid, epoch=1, seq=1, prev=ZERO_HASH, hlc=5, at=5, actor="x", outlet=None,
                         ops=[{"op": "put", "table": "outlets", "id": "o", "fields": {}}])
    r = signed(w, nid, key, "POST", "/api/v1/sync/push", body=seg([forked]))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "fork")
    assert len(w.hub.fork_alerts()) == 1


def test_pull_errors_over_http(world):
    w = world
    store, key, t = enroll(w)
    assert code_of(lambda: t.pull(f"outlet:{w.outlets[1]}", 0)) == (403, "forbidden")
    r = signed(w, store.node_id, key, "GET", "/api/v1/sync/pull", "bucket=global&after=-3")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_request")
    r = signed(w, store.node_id, key, "GET", "/api/v1/sync/pull", "bucket=global&after=abc")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_request")
    body = t.pull("global", 0)
    m = json.loads(body.split(b"\n")[0])["manifest"]
    assert m["bucket"] == "global" and m["count"] >= 1
    store.apply_pull("global", body)
    assert store.cursor("global")[1] == m["last"]


def test_blobs(world):
    w = world
    store, key, t = enroll(w)
    photo = "签名图片".encode() * 1000
    sha = hashlib.sha256(photo).hexdigest()
    assert t.has_blob(sha) is False
    assert t.put_blob(sha, photo)["created"] is True
    assert t.put_blob(sha, photo)["created"] is False  # idempotent
    order = uid()  # a node reads the blobs its outlet's attachments name (tests/security/test_blob_scope.py)
    w.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
        "number": "HQ-0000001", "outlet_id": w.outlets[0], "type": "repair", "status": "new"}},
        {"op": "add", "table": "attachments", "id": uid(), "fields": {"order_id": order, "sha256": sha}}])
    assert t.has_blob(sha) is True and t.get_blob(sha) == photo
    assert code_of(lambda: t.put_blob(sha, photo + b"!")) == (400, "bad_request")
    big = b"0" * (1024 * 1024 + 1)
    assert code_of(lambda: t.put_blob(hashlib.sha256(big).hexdigest(), big)) == (413, "too_large")
    assert code_of(lambda: t.get_blob("../../etc/passwd")) in ((400, "bad_request"), (404, "not_found"))


def test_key_rotation(world):
    w = world
    store, key, t = enroll(w)
    new = keys.SigningKey.generate()
    old_key = t.key
    assert t.rotate(new)["public_key"] == new.public_b64
    assert t.hello()["hub_id"] == w.hub.hub_id  # signed with the new key
    r = signed(w, store.node_id, old_key, "GET", "/api/v1/sync/hello")
    assert r.json()["error"]["code"] == "bad_signature"
    # a rotation signed by a key that is not the node's current one is refused
    stranger = keys.SigningKey.generate()
    rotation = {"node_id": store.node_id, "new_public_key": stranger.public_b64, "at": 1}
    from sync.canonical import canonical_bytes
    body = canonical_bytes({"rotation": rotation, "sig": stranger.sign(keys.ROTATE, canonical_bytes(rotation))})
    r = signed(w, store.node_id, new, "POST", "/api/v1/nodes/rotate", body=body)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    assert w.hub.node(store.node_id)["public_key"] == new.public_b64


def test_unknown_paths_and_openapi_use_the_error_shape(world):
    w = world
    r = w.client.get("/api/v1/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    spec = w.client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/enroll", "/api/v1/sync/hello", "/api/v1/sync/push", "/api/v1/sync/pull",
            "/api/v1/blobs/{sha256}", "/api/v1/nodes/rotate"} <= set(spec["paths"])


def test_admin_api(world):
    w = world
    assert w.client.get("/api/v1/admin/outlets").json()["error"]["code"] == "unauthorized"
    bad = {"Authorization": "Basic " + base64.b64encode(b"hq-admin:wrong").decode()}
    assert w.client.get("/api/v1/admin/outlets", headers=bad).status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"hq-admin:s3cret!").decode()}
    assert {o["code"] for o in w.client.get("/api/v1/admin/outlets", headers=auth).json()} >= {"SH01", "SH02"}
    r = w.client.post("/api/v1/admin/outlets", headers=auth, json={"code": "GZ01", "name": "广州天河网点"})
    assert r.status_code == 201
    assert w.client.post("/api/v1/admin/outlets", headers=auth, json={"code": "GZ01", "name": "x"}).status_code == 409
    r = w.client.post("/api/v1/admin/enroll-codes", headers=auth, json={"outlet": "GZ01", "url": "http://testserver"})
    code = r.json()["code"]
    from sync.enrollment import decode_code
    assert decode_code(code)["hub_id"] == w.hub.hub_id
    store, key, t = enroll(w)
    nodes = w.client.get("/api/v1/admin/nodes", headers=auth).json()
    assert store.node_id in {n["node_id"] for n in nodes}
    assert w.client.post(f"/api/v1/admin/nodes/{store.node_id}/revoke", headers=auth).status_code == 200
    assert code_of(t.hello) == (403, "revoked")
    assert w.client.get("/api/v1/admin/forks", headers=auth).json() == []


def test_our_signatures_verify_with_an_independent_rfc9421_implementation(world):
    """Cross-check against the http-message-signatures library's verifier."""
    import http_message_signatures as hms
    import httpx
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    key = keys.SigningKey.generate()
    body = b'{"hello":"world"}'
    headers = http_sig.sign(key, "node-x", "POST", "/api/v1/sync/push", "a=1", body)
    request = httpx.Request("POST", "https://hub.example/api/v1/sync/push?a=1", content=body, headers=headers)

    class Keys(hms.HTTPSignatureKeyResolver):
        def resolve_public_key(self, key_id):
            assert key_id == "node-x"
            return Ed25519PublicKey.from_public_bytes(keys.unb64u(key.public_b64))

    verifier = hms.HTTPMessageVerifier(signature_algorithm=hms.algorithms.ED25519, key_resolver=Keys())
    results = verifier.verify(request)
    assert results and results[0].label == "sig1"
