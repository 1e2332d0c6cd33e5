"""Photos and signatures: queued on the node, uploaded once by content hash, resumed after
a restart, never uploaded twice even when the node died right after an upload."""
from starlette.testclient import TestClient

from hub.app import create_app
from hub.blobs import BlobStore
from node.sync_service import SyncService
from sync import http_client, keys
from sync.http_client import HttpTransport
from sync.node_store import NodeStore
from fieldsync.testing.world import World


class CountingTransport(HttpTransport):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.puts = []

    def put_blob(self, sha256, data):
        self.puts.append(sha256)
        return super().put_blob(sha256, data)


def test_upload_queue_resumes_and_never_uploads_twice(tmp_path):
    w = World(tmp_path)
    blobs = BlobStore(tmp_path / "hub-blobs")
    app = create_app(w.hub, blobs=blobs)
    key = keys.SigningKey.generate()
    enrollment = http_client.enroll("http://testserver", None, {
        "token": w.hub.create_enroll_token(w.outlets[0]), "public_key": key.public_b64}, client=TestClient(app))
    store = NodeStore(tmp_path / "node.db")
    store.bind(enrollment)

    def service():
        t = CountingTransport("http://testserver", enrollment["node_id"], key, client=TestClient(app))
        return SyncService(store, t, key, blobs_dir=tmp_path / "node-blobs"), t

    svc, t = service()
    photos = [f"照片{i}".encode() * 500 for i in range(3)]
    shas = [svc.queue_attachment(p) for p in photos]
    assert svc.queue_attachment(photos[0]) == shas[0]  # the same photo queues once
    # the first photo reached HQ but the node died before it could mark it
    t.put_blob(shas[0], photos[0])
    svc2, t2 = service()  # restart: a new service over the same store
    assert svc2.sync_now().last_error is None
    assert sorted(t2.puts) == sorted(shas[1:])  # not the one HQ already had
    assert all(blobs.get(s) == p for s, p in zip(shas, photos, strict=True))
    assert store.blobs_to_upload() == []
    svc3, t3 = service()
    svc3.sync_now()
    assert t3.puts == []
    w.close()
