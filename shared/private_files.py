"""Everything under a hub's or a node's directory is its owner's alone: the stores hold
customers' names and phone numbers and every user's password hash, beside the signing key,
the TLS key and the photos. Files 0600, directories 0700, whatever the umask of the process
that made them; the hub and node commands also set `OWNER_ONLY` as their umask, so files
made later (SQLite's -wal and -shm, a blob) are born private too."""
import os
from pathlib import Path

OWNER_ONLY = 0o077  # the umask: no group or other bits
DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """The directory, made if missing, with its mode set to 0700 (an old 0755 one included);
    missing parents are made 0700 too (`mkdir(parents=True)` would give them the umask's)."""
    path = Path(path)
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=DIR_MODE, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """The file, made empty if missing, with its mode set to 0600. Before SQLite opens a
    database: SQLite gives its -wal and -shm files the database file's mode."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    os.chmod(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to a file only its owner may read (made or replaced)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, FILE_MODE)
