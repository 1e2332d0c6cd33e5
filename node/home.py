"""A node's directory: its replica, its key, the pinned hub certificate and its settings, all
of it private to its owner (shared.private_files)."""
import json
from dataclasses import dataclass
from pathlib import Path

from shared.private_files import private_dir, private_file, write_private
from sync.keys import SigningKey
from sync.node_store import NodeStore


@dataclass(frozen=True)
class NodeHome:
    dir: Path

    db = property(lambda s: s.dir / "node.db")
    key = property(lambda s: s.dir / "node.key")
    cert = property(lambda s: s.dir / "hub-cert.pem")
    config = property(lambda s: s.dir / "node.json")
    blobs = property(lambda s: s.dir / "blobs")
    ui_tls = property(lambda s: s.dir / "ui-tls")  # the outlet app's certificate (node.ui_tls)

    def enrolled(self) -> bool:
        return self.config.exists() and self.key.exists()

    def settings(self) -> dict:
        if not self.enrolled():
            raise SystemExit(f"no enrolled node in {self.dir}: run `fieldsync node enroll CODE --dir {self.dir}`")
        return json.loads(self.config.read_text())

    def save_settings(self, settings: dict) -> None:
        private_dir(self.dir)
        write_private(self.config, json.dumps(settings, indent=2, ensure_ascii=False).encode())

    def save_cert(self, cert_pem: str) -> None:
        private_dir(self.dir)
        write_private(self.cert, cert_pem.encode())

    def open_store(self) -> NodeStore:
        private_dir(self.dir)
        private_file(self.db)  # before SQLite opens it: its -wal and -shm take its mode
        return NodeStore(self.db)

    def signing_key(self) -> SigningKey:
        return SigningKey.load(self.key)

    def cert_pem(self) -> str | None:
        return self.cert.read_text() if self.cert.exists() else None
