"""Hostile bytes on the wire, through the hub's real HTTP app (signed where the endpoint
wants a signature): malformed and oversized NDJSON, gzip bombs, deeply nested JSON,
invalid UTF-8, encoded and escaped lone surrogates. Each gets its protocol error code in
the protocol's error shape, never a 5xx, and leaves every hub table as it was. Valid but
unusual text (NUL, RTL, emoji, very long, SQL-looking) in a signed change is stored and
relayed verbatim."""
import gzip
import json

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.blobs import BlobStore
from sync import http_sig, keys, segment
from sync.canonical import ZERO_HASH, canonical_bytes
from sync.http_client import HttpTransport
from sync.node_sync import sync_round
from tests import forge
from tests.forge import dump
from fieldsync.testing.world import World, uid

DEEP = 100_000


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    world.app = create_app(world.hub, blobs=BlobStore(tmp_path / "blobs", max_size=1024 * 1024))
    world.client = TestClient(world.app, raise_server_exceptions=False)
    world.n = world.node(world.outlets[0])
    yield world
    world.close()


def signed_post(w, path, body, headers=None):
    h = http_sig.sign(w.n.key, w.n.node_id, "POST", path, "", body, None)
    return w.client.post(path, content=body, headers={**h, **(headers or {})})


def push(w, body, headers=None):
    return signed_post(w, "/api/v1/sync/push", body, {"Content-Type": "application/x-ndjson", **(headers or {})})


def segment_of(w, lines):
    m = segment.manifest_for(hub=w.hub.hub_id, origin_key="origin", origin=w.n.node_id, epoch=1, first=1,
                             lines=lines, prev=ZERO_HASH)
    return segment.encode(m, segment.sign_manifest(w.n.key, keys.SEGMENT, m), lines)


def receipt_line(w, note_json: bytes) -> bytes:
    """A signed-chain change whose stock move note is the given raw JSON text."""
    line = forge.change(w.n, 1, ZERO_HASH, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
        "outlet_id": w.outlets[0], "part_id": "P-1001", "qty": 1, "kind": "receipt", "note": "@NOTE@"}}],
        actor=w.user(w.outlets[0]), hlc=1)
    return line.replace(b'"@NOTE@"', note_json)


def refused(w, response, status, code):
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert set(body) >= {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and body["error"]["message"]


WIRE = {
    "garbage bytes": (lambda w: b"\x00\xff\xfe\n\x01\x02", None, 400, "bad_request"),
    "empty body": (lambda w: b"", None, 400, "bad_request"),
    "only newlines": (lambda w: b"\n\n\n", None, 400, "bad_request"),
    "manifest not an object": (lambda w: b"[1,2,3]\n", None, 400, "bad_request"),
    "manifest nested 100k deep": (lambda w: b'{"manifest":' + b"[" * DEEP + b"]" * DEEP + b"}\n", None, 400,
                                  "bad_request"),
    "manifest invalid UTF-8": (lambda w: b'{"manifest":{"v":"\xc3\x28"},"sig":"x"}\n', None, 400, "bad_request"),
    "manifest lone surrogate": (lambda w: b'{"manifest":{"v":"\\udfff"},"sig":"x"}\n', None, 400, "bad_request"),
    "change nested 100k deep": (lambda w: segment_of(w, [receipt_line(w, b"[" * DEEP + b"]" * DEEP)]), None, 400,
                                "bad_change"),
    "change nested 1100 deep": (lambda w: segment_of(w, [receipt_line(w, b"{\"a\":" * 1100 + b"1" + b"}" * 1100)]),
                                None, 400, "bad_change"),
    "change escaped lone surrogate": (lambda w: segment_of(w, [receipt_line(w, b'"a\\ud800b"')]), None, 400,
                                      "bad_change"),
    "change escaped low surrogate alone": (lambda w: segment_of(w, [receipt_line(w, b'"\\udc00"')]), None, 400,
                                           "bad_change"),
    "change UTF-8-encoded surrogate": (lambda w: segment_of(w, [receipt_line(w, b'"\xed\xa0\x80"')]), None, 400,
                                       "bad_change"),
    "change invalid UTF-8": (lambda w: segment_of(w, [receipt_line(w, b'"\xff\xfe\xfd"')]), None, 400,
                             "bad_change"),
    "change overlong UTF-8": (lambda w: segment_of(w, [receipt_line(w, b'"\xc0\xaf"')]), None, 400, "bad_change"),
    "change truncated": (lambda w: segment_of(w, [receipt_line(w, b'"x"')[:-7]]), None, 400, "bad_change"),
    "change NaN": (lambda w: segment_of(w, [receipt_line(w, b"NaN")]), None, 400, "bad_change"),
    "body over 4 MiB": (lambda w: b'{"manifest":{}}\n' + b"x" * (4 * 1024 * 1024 + 10), None, 413, "too_large"),
    "one 5 MiB line": (lambda w: b"[" + b" " * (5 * 1024 * 1024) + b"]\n", None, 413, "too_large"),
    "1001 changes": (lambda w: b'{"manifest":{},"sig":"x"}\n' + b"{}\n" * 1001, None, 413, "too_large"),
    "gzip bomb": (lambda w: gzip.compress(b"\n" * (64 * 1024 * 1024), 9), {"Content-Encoding": "gzip"}, 413,
                  "too_large"),
    "gzip truncated": (lambda w: gzip.compress(b'{"manifest":{}}\n' * 100)[:40], {"Content-Encoding": "gzip"}, 400,
                       "bad_request"),
    "gzip of garbage": (lambda w: b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"}, 400, "bad_request"),
    "unknown encoding": (lambda w: b"{}", {"Content-Encoding": "br"}, 400, "bad_request"),
}


@pytest.mark.parametrize("case", sorted(WIRE))
def test_hostile_push_bodies_get_their_error_and_change_nothing(w, case):
    make, headers, status, code = WIRE[case]
    before = dump(w.hub)
    refused(w, push(w, make(w), headers), status, code)
    assert dump(w.hub) == before


ENROLL = {
    "nested 20k deep": (b'{"token":' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400, "bad_request"),
    "invalid UTF-8": (b'{"token":"\xff","public_key":"x"}', 400, "bad_request"),
    "lone surrogate in the name": (None, 400, "bad_request"),
    "a list": (b"[]", 400, "bad_request"),
    "over 64 KiB": (b'{"token":"' + b"t" * 70_000 + b'"}', 413, "too_large"),
    "NUL and junk": (b"\x00" * 100, 400, "bad_request"),
}


@pytest.mark.parametrize("case", sorted(ENROLL))
def test_hostile_enrollments_get_their_error_and_enroll_nothing(w, case):
    body, status, code = ENROLL[case]
    if body is None:
        token = w.hub.create_enroll_token(w.outlets[0])
        body = json.dumps({"token": token, "public_key": keys.SigningKey.generate().public_b64,
                           "name": "平板\ud800"}).encode()  # ensure_ascii: the surrogate travels escaped
    before = dump(w.hub)
    refused(w, w.client.post("/api/v1/enroll", content=body), status, code)
    assert dump(w.hub) == before


def test_hostile_rotation_bodies_are_bad_requests(w):
    for body in (b"[" * 20_000 + b"]" * 20_000, b'{"rotation":"\\ud800","sig":"x"}', b"\xff\xfe"):
        refused(w, signed_post(w, "/api/v1/nodes/rotate", body, {"Content-Type": "application/json"}),
                400, "bad_request")
    assert w.hub.node(w.n.node_id)["public_key"] == w.n.key.public_b64


def test_hostile_query_strings_are_bad_requests(w):
    for query in ("bucket=%FF%FE&after=0", "bucket=outlet%3A%00&after=-1", "bucket=global&after=1e9999",
                  "bucket=global&limit=abc", "bucket=global&after=0&after=x"):
        path = "/api/v1/sync/pull"
        h = http_sig.sign(w.n.key, w.n.node_id, "GET", path, query, None, None)
        r = w.client.get(f"{path}?{query}", headers=h)
        assert 400 <= r.status_code < 500, (query, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] in ("bad_request", "forbidden", "bad_signature")


TEXTS = ["前\x00后", "\u202eكلمة\u202c", "🧊❄️👩🏽‍🔧", "e\u0301\u0308", "行\u2028分\u2029隔", "\ufeff\u200b",
         "'; DROP TABLE stock_moves; --", '{"manifest":{}}\n{"v":1}', "长" * 200_000, "\\ud800 as text"]


def test_unusual_text_in_a_signed_change_is_stored_and_relayed_verbatim(w):
    """Through the real client over the app: every text goes to the hub and to a second
    device of the outlet byte for byte."""
    clerk = w.user(w.outlets[0])
    transport = HttpTransport("http://testserver", w.n.node_id, w.n.key, client=TestClient(w.app))
    ids = {}
    for text in TEXTS:
        ids[text] = uid()
        w.n.store.write(clerk, [{"op": "add", "table": "stock_moves", "id": ids[text], "fields": {
            "outlet_id": w.outlets[0], "part_id": "P-1001", "qty": 1, "kind": "receipt", "note": text}}])
    result = sync_round(w.n.store, transport, w.n.key)
    assert result.rejected == [] and result.pushed == len(TEXTS)
    other = w.node(w.outlets[0])
    other.sync()
    for text, move in ids.items():
        assert w.hub_row("stock_moves", move)["note"] == text
        got = other.store.conn.execute("SELECT note FROM stock_moves WHERE id = ?", (move,)).fetchone()[0]
        assert got == text
    bodies = [r[0] for r in w.hub.conn.execute("SELECT body FROM bucket_changes")]
    assert all(canonical_bytes(json.loads(b)) == bytes(b) for b in bodies)  # still canonical, still UTF-8
