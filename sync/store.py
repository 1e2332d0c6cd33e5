"""The SQLite file under a replica: WAL, one writer lock, explicit transactions. Both the
hub store and the node store build on it; their write functions are the only writers."""
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from sync.schema import create_replicated_tables


class InjectedFault(RuntimeError):
    """Raised by a test's before-commit hook to prove a write leaves nothing behind."""


class SQLiteStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")  # a CLI and a server may share a file
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.db = sqlite_utils.Database(self.conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        # Tests set this to a callable that raises, to crash a write just before COMMIT.
        self.before_commit = None
        with self.tx():
            create_replicated_tables(self.conn)
            self.create_own_tables()

    def create_own_tables(self) -> None:
        """Subclasses add their bookkeeping tables here."""

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
    def snapshot(self):
        """A consistent read of committed data on this thread's own connection: WAL readers
        neither wait for the writer nor see its uncommitted transaction."""
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

    def after_begin(self) -> None:
        """Catch up with another process on the same file (`fieldsync node sync` beside
        `node serve`, an HQ tool beside `hub serve`): both stores persist their clock as
        `_meta.hlc` in every write, so a write here never takes a clock older than a change
        the other process already applied or made."""
        if getattr(self, "clock", None) is not None:
            self.follow_clock()

    def follow_clock(self) -> None:
        """Take the persisted clock into account; after a rewind another process persisted
        (`hlc_resets` moved on), take it as it is."""
        persisted = int(self.meta_get("hlc", 0) or 0)
        resets = int(self.meta_get("hlc_resets", 0) or 0)
        if resets != getattr(self, "_hlc_resets", resets):
            self.clock.reset(persisted)
        else:
            self.clock.observe(persisted)
        self._hlc_resets = resets

    def after_rollback(self) -> None:
        """Subclasses drop in-memory state that the rolled-back transaction touched."""

    def meta_get(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def meta_set(self, key: str, value) -> None:
        self.conn.execute("INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    def rows(self, table: str, where: str = "", params=(), order: str = "") -> list[dict]:
        """Read helper for services and tests (not a write path). It holds the writer's
        lock, so another thread's transaction is never seen half-done."""
        sql = (f"SELECT * FROM [{table}]" + (f" WHERE {where}" if where else "")
               + (f" ORDER BY {order}" if order else ""))
        with self._lock:
            cur = self.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                try:
                    reader.close()
                except sqlite3.ProgrammingError:
                    pass  # made in another thread; it closes when that thread's objects go
            self._readers.clear()
            self.conn.close()
