"""A hub's directory: the store (or where its PostgreSQL database is), the hub key, the TLS
certificate and the blobs, in one place so that `hub init` and `hub serve` agree on it; all
of it private to its owner (shared.private_files). A hub on PostgreSQL keeps its database's
URL — which may carry a password — in the private file `database` instead of `hub.db`."""
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.errors import ServiceError
from shared.private_files import private_dir, private_file
from sync.enrollment import cert_fingerprint
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store

# `_meta` key of a store that must never serve again (hub/move.py sets and lifts it): its
# value says why — moved to PostgreSQL, a copy not yet switched to, moved back to SQLite.
RETIRED = "retired"
MOVED_SUFFIX = ".moved-to-postgresql"


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
    def moved_db(self) -> Path:
        """Where hub.db goes once the hub moved to PostgreSQL (kept for `migrate --undo`)."""
        return self.dir / ("hub.db" + MOVED_SUFFIX)

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
        """The hub's store; refused when it is retired (hub/move.py: a SQLite file whose hub
        moved to PostgreSQL, a copy not yet switched to, a database moved back from): one
        hub's data never serves from two places."""
        if not self.exists():
            raise ServiceError.of("no_hub", dir=str(self.dir))
        self.make_private()
        store = open_hub_store(self.location, key=SigningKey.load(self.key))
        mark = retired(store)
        if mark is not None:
            store.close()
            raise ServiceError.of(f"hub_retired_{mark['state']}", where=mark.get("where", "?"), dir=str(self.dir))
        return store

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Held by every process serving or administering this hub (a shared lock on
        `hub.lock`): `hub migrate` takes it exclusively, so it never moves a hub that is
        running, and nothing starts on the directory while it moves."""
        with self._lock(fcntl.LOCK_SH, "hub_moving"):
            yield

    @contextmanager
    def moving(self) -> Iterator[None]:
        """Held by `hub migrate` (exclusive): refused while anything holds `in_use`."""
        with self._lock(fcntl.LOCK_EX, "hub_running"):
            yield

    @contextmanager
    def _lock(self, how: int, refusal: str) -> Iterator[None]:
        private_dir(self.dir)
        fd = os.open(self.dir / "hub.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, how | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ServiceError.of(refusal, dir=str(self.dir)) from None
            yield
        finally:
            os.close(fd)  # releases the lock

    def fingerprint(self) -> str | None:
        return cert_fingerprint(self.cert.read_text()) if self.cert.exists() else None


def retired(store) -> dict | None:
    """The store's retirement mark (`RETIRED`), None for a store that may serve."""
    value = store.meta_get(RETIRED)
    return json.loads(value) if value else None
