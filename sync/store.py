"""The database under a replica. `Store` is what every store offers whatever holds its rows
(transactions, reads, the persisted clock, `_meta`); `SQLiteStore` is the SQLite file (WAL,
one writer lock, explicit transactions) under the node store and, by default, the hub store
(sync/pg_store.py is the hub's PostgreSQL one). Their write functions are the only writers.
Opening one brings its file to the newest schema first (sync/migrations.py)."""
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from threading import RLock
from typing import Any

from sync.hlc import HLC
from sync.migrations import StoreSchema, open_schema


def _names(cursor: sqlite3.Cursor) -> list[str]:
    return [d[0] for d in cursor.description]


def _as_dict(names: list[str], raw: tuple) -> dict:
    """The one place a row becomes {column: value}. Connections keep sqlite3's plain tuples,
    which the engine's hot paths index by position."""
    return dict(zip(names, raw, strict=True))


def dict_row(cursor: sqlite3.Cursor) -> dict | None:
    """The cursor's next row as a dict, None when there is none."""
    raw = cursor.fetchone()
    return None if raw is None else _as_dict(_names(cursor), raw)


def dict_rows(cursor: sqlite3.Cursor) -> list[dict]:
    names = _names(cursor)
    return [_as_dict(names, raw) for raw in cursor.fetchall()]


def iter_dicts(cursor: sqlite3.Cursor) -> Iterator[dict]:
    """The rows as they come (a large read that should not sit in memory at once)."""
    names = _names(cursor)
    return (_as_dict(names, raw) for raw in cursor)


def table_names(conn) -> list[str]:
    """The tables of the store on `conn`, SQLite's or PostgreSQL's (tests and tools that
    look at every table)."""
    if getattr(conn, "dialect", "sqlite") == "postgres":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [r[0] for r in conn.execute(sql)]


class InjectedFault(RuntimeError):
    """Raised by a test's before-commit hook to prove a write leaves nothing behind."""


class Store:
    """What a store is whatever database holds it. Subclasses provide `open_storage`, `tx`,
    `read`, `snapshot`, `close` and `conn` (an object with sqlite3's `execute`)."""
    # The replica's clock, which subclasses set once their tables exist (until then no
    # transaction has a clock to bring up to date).
    clock: HLC | None = None
    dialect = "sqlite"
    conn: Any
    _lock: RLock

    def open_storage(self, location: str | Path) -> None:
        raise NotImplementedError

    def schema(self) -> StoreSchema:
        """What shapes this kind of file: its tables, release 1 and the migrations since."""
        raise NotImplementedError

    def tx(self):
        raise NotImplementedError

    def read(self):
        raise NotImplementedError

    def snapshot(self):
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def lock(self) -> RLock:
        """The writer lock (re-entrant): every transaction and every `read` holds it. A
        caller that must keep several reads and its write together holds it across them."""
        return self._lock

    def after_begin(self) -> None:
        """Catch up with another process on the same file (`fieldsync node sync` beside
        `node serve`, an HQ tool beside `hub serve`, another hub process on the same
        PostgreSQL database): every store persists its clock as `_meta.hlc` in every write,
        so a write here never takes a clock older than a change the other process already
        applied or made."""
        if self.clock is not None:
            self.follow_clock()

    def follow_clock(self) -> None:
        """Take the persisted clock into account; after a rewind another process persisted
        (`hlc_resets` moved on), take it as it is."""
        assert self.clock is not None, "follow_clock needs the store's clock"
        persisted = int(self.meta_get("hlc", 0) or 0)
        resets = int(self.meta_get("hlc_resets", 0) or 0)
        if resets != getattr(self, "_hlc_resets", resets):
            self.clock.reset(persisted)
        else:
            self.clock.observe(persisted)
        self._hlc_resets = resets

    def after_rollback(self) -> None:
        """Subclasses drop in-memory state that the rolled-back transaction touched."""

    def meta_get(self, key: str, default: Any = None) -> Any:
        with self.read() as c:
            row = c.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def meta_set(self, key: str, value) -> None:
        self.conn.execute("INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    def rows(self, table: str, where: str = "", params: Sequence[Any] = (), order: str = "") -> list[dict]:
        """Read helper for services and tests (not a write path), through `read`."""
        sql = (f"SELECT * FROM [{table}]" + (f" WHERE {where}" if where else "")
               + (f" ORDER BY {order}" if order else ""))
        with self.read() as c:
            return dict_rows(c.execute(sql, params))


class SQLiteStore(Store):
    def __init__(self, path: str | Path):
        self.open_storage(path)

    def open_storage(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")  # a CLI and a server may share a file
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self._lock = threading.RLock()
        self._depth = 0
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        # Tests set this to a callable that raises, to crash a write just before COMMIT.
        self.before_commit = None
        self.opened_at_version = open_schema(self.conn, self.path, self.schema())

    @contextmanager
    def tx(self):
        """One SQLite transaction (BEGIN IMMEDIATE); nested use joins the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                self.after_begin()
                yield self.conn
                if self.before_commit is not None:
                    self.before_commit()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                self.after_rollback()
                raise
            finally:
                self._depth = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The writer's connection for a read, holding the writer lock. Every thread shares
        that connection, so a read without the lock would see another thread's transaction
        half done (and the sync thread could push a change that is then rolled back).
        With it, a thread inside its own transaction reads its own writes, and any other
        thread waits for that transaction to end: at most one local transaction, never a
        network call. Use `snapshot` instead for reads that must not wait for writers."""
        with self._lock:
            yield self.conn

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent read of committed data on this thread's own connection: WAL readers
        neither wait for the writer nor see its uncommitted transaction (nor this thread's:
        never use it for a read that must see the caller's own transaction)."""
        conn = getattr(self._local, "reader", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA query_only=1")
            self._local.reader = conn
            with self._lock:
                self._readers.append(conn)
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                try:
                    reader.close()
                except sqlite3.ProgrammingError:
                    pass  # made in another thread; it closes when that thread's objects go
            self._readers.clear()
            self.conn.close()
