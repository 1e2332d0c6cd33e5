"""A hub's directory: the store (or where its PostgreSQL database is), the hub key, the TLS
certificate and the blobs, in one place so that `hub init` and `hub serve` agree on it; all
of it private to its owner (shared.private_files). A hub on PostgreSQL keeps its database's
URL — which may carry a password — in the private file `database` instead of `hub.db`."""
from dataclasses import dataclass
from pathlib import Path

from shared.errors import ServiceError
from shared.private_files import private_dir, private_file
from sync.enrollment import cert_fingerprint
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store


@dataclass(frozen=True)
class HubHome:
    dir: Path

    @property
    def db(self) -> Path:
        return self.dir / "hub.db"

    @property
    def database(self) -> Path:
        """The private file holding the PostgreSQL URL (a hub on PostgreSQL only)."""
        return self.dir / "database"

    @property
    def location(self) -> str | Path:
        """Where the store is: the PostgreSQL URL when `database` exists, else hub.db."""
        if self.database.exists():
            return self.database.read_text(encoding="utf-8").strip()
        return self.db

    @property
    def on_postgres(self) -> bool:
        return self.database.exists()

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

    def make_private(self) -> None:
        """The directory 0700 and the store 0600 (made empty if new), before SQLite opens it."""
        private_dir(self.dir)
        if self.on_postgres:
            private_file(self.database)
        else:
            private_file(self.db)

    def exists(self) -> bool:
        return (self.db.exists() or self.database.exists()) and self.key.exists()

    def open(self) -> HubStore:
        if not self.exists():
            raise ServiceError.of("no_hub", dir=str(self.dir))
        self.make_private()
        return open_hub_store(self.location, key=SigningKey.load(self.key))

    def fingerprint(self) -> str | None:
        return cert_fingerprint(self.cert.read_text()) if self.cert.exists() else None
