"""The raw baseline every benchmark compares against: a fresh SQLite file with the
replicated schema, WAL and synchronous=NORMAL like the stores, written with executemany."""
import sqlite3
from pathlib import Path

from sync.schema import create_replicated_tables


def fresh_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN")
    create_replicated_tables(conn)
    conn.execute("COMMIT")
    return conn
