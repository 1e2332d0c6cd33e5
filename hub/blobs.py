"""Attachments (photos, signatures) stored by content hash; a PUT is idempotent and checked."""
import hashlib
import os
import re
from pathlib import Path

from shared import attachments
from shared.private_files import private_dir, write_private
from sync.errors import BadRequest, TooLarge

MAX_BLOB = attachments.MAX_BYTES
_SHA = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path, max_size: int = MAX_BLOB):
        self.root = Path(root)
        self.max_size = max_size

    def _path(self, sha: str) -> Path:
        if not _SHA.match(sha or ""):
            raise BadRequest("a blob is named by its lowercase SHA-256 hex")
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self._path(sha).exists()

    def put(self, sha: str, data: bytes) -> bool:
        """Store data under its hash; False if it was already there."""
        path = self._path(sha)
        if len(data) > self.max_size:
            raise TooLarge(f"a blob may be at most {self.max_size // (1024 * 1024)} MiB")
        if hashlib.sha256(data).hexdigest() != sha:
            raise BadRequest("the blob's content does not match its SHA-256 name")
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
