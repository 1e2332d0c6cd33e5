"""A store on PostgreSQL (psycopg 3): the same `Store` API as the SQLite file, so one hub
code runs on both. The SQL stays SQLite's and `PgConn` translates each statement
(sync/pg_sql.py).

- One writer connection per process (autocommit; `tx` issues BEGIN/COMMIT), held under the
  process's writer lock as the SQLite store does.
- Every write transaction first takes one transaction-scoped advisory lock: what BEGIN
  IMMEDIATE is on a SQLite file — one writer at a time across every process on the database,
  so the code's read-then-write steps (a chain's head, a row's clocks) stay as safe as on
  SQLite. It is taken in `tx` only, the one place finer locks (per node, per bucket) would
  replace it.
- Snapshots come from a psycopg_pool pool of REPEATABLE READ, read-only connections: a
  consistent read that never waits for the writer (SQLite's WAL readers).
- A lost connection (server restarted, network cut) rolls the transaction back and raises
  `StoreUnavailable` (503 with Retry-After on the wire): never a half-applied write; the next
  transaction reconnects."""
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg_pool import ConnectionPool

from sync.errors import StoreUnavailable
from sync.migrations import open_pg_schema
from sync.pg_sql import translate
from sync.store import Store

WRITE_LOCK = 0x66_73_79_6E_63  # "fsync": the advisory lock every write transaction takes
POOL_MAX = 8


def is_postgres_url(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


class _BoolAsInt(Dumper):
    """SQLite has no booleans: a Python bool is stored as 0/1 in an INTEGER column."""
    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj):
        return b"1" if obj else b"0"


class _Number(Loader):
    """numeric (SUM, AVG of integers) as SQLite answers it: an int when whole, else a float."""

    def load(self, data):
        text = bytes(data).decode()
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() and "." not in text else float(value)


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.adapters.register_loader("numeric", _Number)


class PgCursor:
    """psycopg's cursor with sqlite3's few extras the code uses."""

    def __init__(self, cur: psycopg.Cursor):
        self._cur = cur

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self):
        return self._cur.fetchall()

    def __iter__(self):
        return iter(self._cur)

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self):
        return self._cur.description

    def close(self) -> None:
        self._cur.close()


class PgConn:
    """A psycopg connection that takes SQLite's SQL (translated, sync/pg_sql.py)."""
    dialect = "postgres"

    def __init__(self, raw: psycopg.Connection, pk_of):
        self.raw = raw
        self._pk_of = pk_of

    def execute(self, sql: str, params: Any = ()) -> PgCursor:
        text = translate(sql, self._pk_of)
        cur = self.raw.cursor()
        try:
            if params:
                cur.execute(text, tuple(params))
            else:  # no parameters: several statements may go at once (DDL)
                cur.execute(text.replace("%%", "%"))
        except psycopg.OperationalError as lost:
            raise StoreUnavailable() from lost
        return PgCursor(cur)

    def executemany(self, sql: str, rows) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            try:
                self.raw.cursor().executemany(translate(sql, self._pk_of), rows)
            except psycopg.OperationalError as lost:
                raise StoreUnavailable() from lost


def primary_key_of(raw: psycopg.Connection, table: str) -> list[str]:
    """The columns of `table`'s primary key, in order ([] for none or no such table)."""
    rows = raw.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary"
        " ORDER BY array_position(i.indkey, a.attnum)", (table,)).fetchall()
    return [r[0] for r in rows]


def connect(url: str) -> PgConn:
    """A connection of its own (autocommit, SQLite's SQL translated) for a tool that runs
    its own transaction beside any store: the hub's move into PostgreSQL (hub/move.py)."""
    try:
        raw = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as lost:
        raise StoreUnavailable() from lost
    _configure(raw)
    known: dict[str, list[str]] = {}

    def pk_of(table: str) -> list[str]:
        if table not in known:
            found = primary_key_of(raw, table)
            if not found:
                return []
            known[table] = found
        return known[table]
    return PgConn(raw, pk_of)


class PgStore(Store):
    """`Store` on a PostgreSQL database named by a postgresql:// URL."""
    dialect = "postgres"

    def open_storage(self, url: str | Path) -> None:
        self.url = self.path = str(url)
        self._lock = threading.RLock()
        self._depth = 0
        self._pk: dict[str, list[str]] = {}
        self._pool: ConnectionPool | None = None
        self.before_commit = None
        self._raw: psycopg.Connection | None = None
        self.conn = self._connect()
        self.opened_at_version = open_pg_schema(self.conn, self.url, self.schema(), lock=WRITE_LOCK)

    # ---- connections ----

    def _connect(self) -> PgConn:
        try:
            raw = psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as lost:
            raise StoreUnavailable() from lost
        _configure(raw)
        self._raw = raw
        return PgConn(raw, self.primary_key)

    def _writer(self) -> PgConn:
        if self._raw is None or self._raw.closed or self._raw.broken:
            if self._raw is not None:
                self._raw.close()
            self.conn = self._connect()
        return self.conn

    def primary_key(self, table: str) -> list[str]:
        """The primary key's columns (INSERT OR REPLACE, ON CONFLICT DO UPDATE need them)."""
        if table not in self._pk:
            assert self._raw is not None
            # On the writer: a table made earlier in this (schema) transaction counts too.
            found = primary_key_of(self._raw, table)
            if not found:
                return []
            self._pk[table] = found
        return self._pk[table]

    def _reader_pool(self) -> ConnectionPool:
        if self._pool is None:
            def configure(conn: psycopg.Connection) -> None:
                _configure(conn)
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
            self._pool = ConnectionPool(self.url, min_size=1, max_size=POOL_MAX, configure=configure,
                                        open=True, name="fieldsync-readers")
        return self._pool

    def meta_get(self, key: str, default: Any = None) -> Any:
        """`_meta.value` is untyped in SQLite (an int stays an int) and TEXT here: a value
        written as an int reads back as one (its canonical digits), as on SQLite."""
        value = super().meta_get(key, default)
        if isinstance(value, str) and value.lstrip("-").isdigit() and str(int(value)) == value:
            return int(value)
        return value

    # ---- transactions and reads ----

    @contextmanager
    def tx(self):
        """One transaction holding the write lock across processes; nested use joins."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            conn = self._writer()
            conn.execute("BEGIN")
            self._depth = 1
            try:
                conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                self.after_begin()
                yield conn
                if self.before_commit is not None:
                    self.before_commit()
                try:
                    conn.raw.execute("COMMIT")
                except psycopg.OperationalError as lost:
                    raise StoreUnavailable() from lost
            except BaseException as failure:
                self._rollback()
                self.after_rollback()
                if isinstance(failure, psycopg.OperationalError):
                    raise StoreUnavailable() from failure
                raise
            finally:
                self._depth = 0

    def _rollback(self) -> None:
        raw = self._raw
        if raw is None or raw.closed or raw.broken:
            return
        try:
            raw.execute("ROLLBACK")
        except psycopg.Error:
            raw.close()  # the next transaction reconnects

    @contextmanager
    def read(self) -> Iterator[Any]:  # a PgConn
        """The writer's connection, holding the writer lock (see SQLiteStore.read)."""
        with self._lock:
            yield self._writer() if not self._depth else self.conn

    @contextmanager
    def snapshot(self) -> Iterator[Any]:  # a PgConn
        """A consistent read of committed data (REPEATABLE READ, read only) on a pooled
        connection: it never waits for the writer nor sees its open transaction."""
        try:
            with self._reader_pool().connection() as raw:
                yield PgConn(raw, self.primary_key)
        except psycopg.OperationalError as lost:
            raise StoreUnavailable() from lost

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            if self._raw is not None:
                self._raw.close()

