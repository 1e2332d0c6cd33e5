"""A hub's directory: the store, the hub key, the TLS certificate and the blobs, in one
place so that `hub init` and `hub serve` agree on it."""
from dataclasses import dataclass
from pathlib import Path

from shared.errors import ServiceError
from sync.enrollment import cert_fingerprint
from sync.hub_store import HubStore
from sync.keys import SigningKey


@dataclass(frozen=True)
class HubHome:
    dir: Path

    @property
    def db(self) -> Path:
        return self.dir / "hub.db"

    @property
    def key(self) -> Path:
        return self.dir / "hub.key"

    @property
    def cert(self) -> Path:
        return self.dir / "tls" / "cert.pem"

    @property
    def tls_key(self) -> Path:
        return self.dir / "tls" / "key.pem"

    @property
    def blobs(self) -> Path:
        return self.dir / "blobs"

    def exists(self) -> bool:
        return self.db.exists() and self.key.exists()

    def open(self) -> HubStore:
        if not self.exists():
            raise ServiceError.of("no_hub", dir=str(self.dir))
        return HubStore(self.db, key=SigningKey.load(self.key))

    def fingerprint(self) -> str | None:
        return cert_fingerprint(self.cert.read_text()) if self.cert.exists() else None
