"""A real outlet node enrolled in-process with an enrollment code an admin made in the
HQ services: the code is decoded as the node's CLI does, the token goes to the hub's
enroll handler, and sync rounds run through the real handlers (LocalTransport)."""
from pathlib import Path

from node.services import NodeServices
from sync import hub_handlers
from sync.enrollment import decode_code
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round


class EnrolledNode:
    def __init__(self, hub, code: str, path: Path):
        data = decode_code(code)
        assert data["hub_id"] == hub.hub_id
        self.hub, self.key = hub, SigningKey.generate()
        self.store = NodeStore(path)
        self.enrollment = hub_handlers.enroll(hub, {"token": data["token"], "public_key": self.key.public_b64,
                                                    "name": path.stem, "app_version": "test"})
        self.store.bind(self.enrollment)
        self.node_id = self.enrollment["node_id"]
        self.services = NodeServices(self.store)

    def sync(self):
        return sync_round(self.store, LocalTransport(self.hub, self.node_id), self.key)

    def close(self):
        self.store.close()

    def restore_from(self, copy: Path):
        """Replace the node's file with an older copy of it (a restored backup)."""
        import shutil
        path = Path(self.store.path)
        self.store.close()
        for suffix in ("-wal", "-shm"):
            p = path.with_name(path.name + suffix)
            if p.exists():
                p.unlink()
        shutil.copy(copy, path)
        self.store = NodeStore(path)
        self.services = NodeServices(self.store)

    def backup_to(self, dest: Path):
        import sqlite3
        dst = sqlite3.connect(dest)
        self.store.conn.backup(dst)
        dst.close()
