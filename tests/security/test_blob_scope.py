"""Photos and signatures are scoped like rows (issue #17 item 8): a node reads a blob only
when an attachment of its own outlet names it, and an upload from a stranger is refused
before its body is read."""
import hashlib
import socket

import pytest
from starlette.testclient import TestClient

from fieldsync.testing.world import World, uid
from hub.app import create_app
from hub.blobs import BlobStore
from sync import http_client, keys
from sync.http_client import HttpTransport


def enrolled(w: World, app, outlet: str) -> HttpTransport:
    key = keys.SigningKey.generate()
    enrollment = http_client.enroll("http://testserver", None, {
        "token": w.hub.create_enroll_token(outlet), "public_key": key.public_b64}, client=TestClient(app))
    return HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(app))


def test_a_node_reads_only_its_own_outlets_photos(tmp_path):
    w = World(tmp_path)
    app = create_app(w.hub, blobs=BlobStore(tmp_path / "blobs"))
    mine, other = enrolled(w, app, w.outlets[0]), enrolled(w, app, w.outlets[1])
    photo = "客户签名".encode() * 300
    sha = hashlib.sha256(photo).hexdigest()
    mine.put_blob(sha, photo)
    order = uid()
    w.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
        "number": "HQ-0000001", "outlet_id": w.outlets[0], "type": "repair", "status": "new"}},
        {"op": "add", "table": "attachments", "id": uid(), "fields": {
            "order_id": order, "kind": "signature", "sha256": sha, "size": len(photo)}}])
    assert mine.get_blob(sha) == photo
    with pytest.raises(Exception) as refused:
        other.get_blob(sha)
    assert getattr(refused.value, "code", None) == "not_found"
    w.close()


def test_an_unsigned_15_mib_upload_is_refused_before_its_body_is_sent(served_hub):
    """The head of the request alone gets the 401: the hub never waits for 15 MiB."""
    sha = "ab" * 32
    with socket.create_connection(("127.0.0.1", served_hub.port), timeout=20) as s:
        s.sendall(f"PUT /api/v1/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Content-Type: application/octet-stream\r\nContent-Length: {15 * 1024 * 1024}\r\n\r\n"
                  .encode() + b"x" * 1024)
        answer = s.recv(4096).decode(errors="replace")  # times out (fails) if the hub waits for the body
    assert answer.startswith("HTTP/1.1 401"), answer
