"""Attachments (photos, signatures) stored by content hash; a PUT is idempotent and checked.

Where they live follows the hub's store: beside a SQLite hub, files in the hub's directory
(`BlobStore`); on PostgreSQL, in the database itself (`DbBlobStore`, table `hub_blobs`).
Several hub processes on several machines share one PostgreSQL database and nothing else,
so the database is the one place every process reaches; and `pg_dump` / point-in-time
recovery then back up each blob with the rows that name it (docs/operations.md)."""
import hashlib
import os
import re
from pathlib import Path

from shared import attachments
from shared.private_files import private_dir, write_private
from sync.errors import BadRequest, TooLarge

MAX_BLOB = attachments.MAX_BYTES
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _check(sha: str, data: bytes, max_size: int) -> None:
    if len(data) > max_size:
        raise TooLarge(f"a blob may be at most {max_size // (1024 * 1024)} MiB")
    if hashlib.sha256(data).hexdigest() != sha:
        raise BadRequest("the blob's content does not match its SHA-256 name")


def _named(sha: str) -> str:
    if not _SHA.match(sha or ""):
        raise BadRequest("a blob is named by its lowercase SHA-256 hex")
    return sha


def blob_store_for(hub, root: Path, max_size: int = MAX_BLOB):
    """The blob store that goes with this hub store: in the database on PostgreSQL, else
    files under `root`."""
    if getattr(hub, "dialect", "sqlite") == "postgres":
        return DbBlobStore(hub, max_size)
    return BlobStore(root, max_size)


class DbBlobStore:
    """Blobs in the hub's PostgreSQL database (`hub_blobs`, made by the store)."""

    def __init__(self, hub, max_size: int = MAX_BLOB):
        self.hub = hub
        self.max_size = max_size

    def has(self, sha: str) -> bool:
        with self.hub.snapshot() as c:
            return c.execute("SELECT 1 FROM hub_blobs WHERE sha256 = ?", (_named(sha),)).fetchone() is not None

    def put(self, sha: str, data: bytes) -> bool:
        _named(sha)
        _check(sha, data, self.max_size)
        with self.hub.tx() as c:
            return c.execute("INSERT OR IGNORE INTO hub_blobs (sha256, data) VALUES (?, ?)",
                             (sha, data)).rowcount == 1

    def get(self, sha: str) -> bytes | None:
        with self.hub.snapshot() as c:
            row = c.execute("SELECT data FROM hub_blobs WHERE sha256 = ?", (_named(sha),)).fetchone()
        return bytes(row[0]) if row else None


class BlobStore:
    def __init__(self, root: Path, max_size: int = MAX_BLOB):
        self.root = Path(root)
        self.max_size = max_size

    def _path(self, sha: str) -> Path:
        return self.root / _named(sha)[:2] / sha

    def has(self, sha: str) -> bool:
        return self._path(sha).exists()

    def put(self, sha: str, data: bytes) -> bool:
        """Store data under its hash; False if it was already there."""
        path = self._path(sha)
        _check(sha, data, self.max_size)
        if path.exists():
            return False
        private_dir(path.parent)
        tmp = path.with_suffix(f".{os.getpid()}.part")
        write_private(tmp, data)
        os.replace(tmp, path)
        return True

    def get(self, sha: str) -> bytes | None:
        path = self._path(sha)
        return path.read_bytes() if path.exists() else None
