"""The hub store on PostgreSQL: HubStore's rows and rules (sync/hub_store.py) on PgStore's
connections (sync/pg_store.py). `open_hub_store` picks the store from where it is: a
postgresql:// URL or a SQLite file's path."""
from pathlib import Path

from sync.hub_store import HubStore
from sync.pg_store import PgStore, is_postgres_url


# Attachments live in the database on PostgreSQL (hub/blobs.py DbBlobStore says why): the
# storage's table, not a replicated or service table, so no hub migration.
HUB_BLOBS_DDL = "CREATE TABLE IF NOT EXISTS hub_blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)"


class PgHubStore(PgStore, HubStore):
    """PgStore's storage methods come first in the MRO; HubStore's logic is shared."""

    def open_storage(self, url) -> None:
        super().open_storage(url)
        with self.tx() as c:
            c.execute(HUB_BLOBS_DDL)


def open_hub_store(location: str | Path, **kwargs) -> HubStore:
    """The hub store at `location`: PostgreSQL for a postgresql:// URL, else a SQLite file."""
    if is_postgres_url(location):
        return PgHubStore(str(location), **kwargs)
    return HubStore(location, **kwargs)
