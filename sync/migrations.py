"""The version of a store file and the steps between versions.

A file's schema version is `PRAGMA user_version`. Opening a store brings its file to the
newest version the code knows, in one transaction, before anything else reads it:

- a brand-new file is created at the newest version directly, from the live declarations
  (shared/tables.py, the stores' own tables, the services' DDL) — one path that every test
  takes, and no replay of history on each new outlet;
- a file of release 0.1.0 carries no version (user_version 0, tables present): it is
  version 1, first completed to release 1's schema as 0.1.0 itself would have on start
  (the frozen statements in sync/schema_v1/, IF NOT EXISTS: a node enrolled but never
  started lacks its services' tables);
- an older file is copied beside itself (`node.db.v1.bak`) and then upgraded by each
  numbered migration after its version, all in one transaction: a failure leaves the file
  exactly as it was;
- a file newer than the code is refused (SchemaTooNew), never opened half-understood.

A migration is plain SQL (or sqlite-utils' `table.transform()`, which rebuilds a table
inside the open transaction) on the connection it is given. tests/upgrade/test_schema_drift.py
holds the two paths together: release 1 plus every migration must equal a brand-new file.
Each app registers its kind of file (`register`), since its services' tables are in it.

A PostgreSQL store (the hub's, sync/pg_store.py) keeps the same numbering in its table
`_schema_version` (`open_pg_schema`): a new database is created at the newest version from
the same declarations (their SQL translated, sync/pg_sql.py), and each later migration runs
on it through the same connection API, translated. No PostgreSQL store is older than the
schema's `postgres_from`: the migrations up to it are SQLite history only; every migration
after it must run on both (hub/migrations.py says how to write one)."""
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

RELEASE_1 = 1  # the version of a file written by release 0.1.0, which set no user_version
SNAPSHOTS = Path(__file__).with_name("schema_v1")


@dataclass(frozen=True)
class Migration:
    version: int        # the version the file has after this step
    summary: str        # one line: what changes, for the changelog and the log
    apply: Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class StoreSchema:
    """Everything that shapes one kind of store file (`node` or `hub`)."""
    kind: str
    create: Callable[[sqlite3.Connection], None]   # the newest schema, on a brand-new file
    migrations: tuple[Migration, ...] = field(default=())
    # The oldest version a PostgreSQL store of this kind can be at (None: SQLite only).
    postgres_from: int | None = None

    @property
    def latest(self) -> int:
        return self.migrations[-1].version if self.migrations else RELEASE_1

    def release_1(self) -> list[str]:
        """The statements release 0.1.0 ran on this kind of file (sqlite_master's own text)."""
        return json.loads((SNAPSHOTS / f"{self.kind}.json").read_text(encoding="utf-8"))


# The schema of each kind of file, registered by the app that owns it (node/migrations.py,
# hub/migrations.py, imported by their packages): the services' tables are part of the
# file, and the sync layer does not import the layers above it.
SCHEMAS: dict[str, StoreSchema] = {}


def register(schema: StoreSchema) -> None:
    SCHEMAS[schema.kind] = schema


def schema_of(kind: str) -> StoreSchema:
    if kind not in SCHEMAS:
        raise RuntimeError(f"no schema registered for {kind} files: import the {kind} package first")
    return SCHEMAS[kind]


class SchemaTooNew(ValueError):
    """The file was written by a newer release: this code must not touch it. (A ValueError:
    the CLI prints it in words, as it does other unusable input.)"""

    def __init__(self, path: str, found: int, known: int):
        self.found, self.known = found, known
        super().__init__(
            f"{path}: 此数据文件由较新版本的软件写入（数据结构 {found}），本程序只认识到 {known}。"
            f"请安装新版本，或恢复升级前的备份。 / This data file was written by a newer release "
            f"(schema {found}); this program knows schema {known} at most. Install the newer "
            f"release, or restore the backup taken before the upgrade.")


def version_of(conn) -> int:
    """The store's schema version: SQLite's user_version, PostgreSQL's `_schema_version`."""
    if getattr(conn, "dialect", "sqlite") == "postgres":
        row = conn.execute("SELECT version FROM _schema_version").fetchone()
        return row[0] if row else 0
    return conn.execute("PRAGMA user_version").fetchone()[0]


def backup_path(path: str | Path, version: int) -> Path:
    path = Path(path)
    return path.with_name(f"{path.name}.v{version}.bak")


def open_schema(conn: sqlite3.Connection, path: str, schema: StoreSchema) -> int:
    """Bring the file on `conn` (autocommit mode) to `schema.latest`; returns the version it
    had (0 for a brand-new file). Holds the write lock throughout, so two processes opening
    the same file do not both migrate it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = version_of(conn)
        if found > schema.latest:
            raise SchemaTooNew(path, found, schema.latest)
        brand_new = found == 0 and not _has_tables(conn)
        if brand_new:
            schema.create(conn)
        elif found < schema.latest or found == 0:
            _backup(path, found or RELEASE_1)
            if found == 0:
                _complete_release_1(conn, schema.release_1())
            for step in schema.migrations:
                if step.version > max(found, RELEASE_1):
                    step.apply(conn)
        if found != schema.latest:
            conn.execute(f"PRAGMA user_version = {int(schema.latest)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return 0 if brand_new else (found or RELEASE_1)


def open_pg_schema(conn, url: str, schema: StoreSchema, *, lock: int) -> int:
    """`open_schema` for a PostgreSQL database on `conn` (sync.pg_store.PgConn, autocommit):
    one transaction under the store's write lock, so two hub processes starting together
    do not both create or migrate it. Returns the version it had (0: brand new)."""
    if schema.postgres_from is None:
        raise RuntimeError(f"{schema.kind} stores are SQLite files only")
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (lock,))
        conn.execute("CREATE TABLE IF NOT EXISTS _schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM _schema_version").fetchone()
        found = row[0] if row else 0
        if found > schema.latest:
            raise SchemaTooNew(without_password(url), found, schema.latest)
        if found == 0:
            create_pg(conn, schema)
        elif found < schema.latest:
            for step in schema.migrations:
                if step.version > found:
                    step.apply(conn)
            conn.execute("UPDATE _schema_version SET version = ?", (schema.latest,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def create_pg(conn, schema: StoreSchema) -> None:
    """The newest schema in an empty PostgreSQL database, on the caller's transaction
    (`open_pg_schema`; the hub's move into PostgreSQL, hub/move.py, in its one transaction)."""
    conn.execute("CREATE TABLE IF NOT EXISTS _schema_version (version INTEGER NOT NULL)")
    schema.create(conn)
    conn.execute("INSERT INTO _schema_version (version) VALUES (?)", (schema.latest,))


def without_password(url: str) -> str:
    """A database URL fit for a message or a log: its password masked."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _has_tables(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is not None


_CREATE = re.compile(r"^CREATE\s+(UNIQUE\s+INDEX|INDEX|TABLE|VIRTUAL\s+TABLE|TRIGGER)\s+(?!IF\s)", re.I)


def _complete_release_1(conn, statements: list[str]) -> None:
    """What a 0.1.0 file lacks of release 1 (services never started on it) is made now."""
    for sql in statements:
        conn.execute(_CREATE.sub(lambda m: f"CREATE {m.group(1)} IF NOT EXISTS ", sql, count=1))


def _backup(path: str, version: int) -> None:
    """A consistent copy of the file as it stands, beside it, named with its version. The
    caller holds the write lock, so the copy is exactly what the migration starts from; it
    is written under a temporary name first, so an earlier backup is never half-replaced."""
    target = backup_path(path, version)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source, copy = sqlite3.connect(path), sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)


def snapshot_statements(conn) -> list[str]:
    """The statements that made a file's schema, as sqlite_master keeps them (without the
    tables SQLite makes itself, FTS5's shadow tables included): what sync/schema_v1/ holds."""
    fts = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    shadow = {f"{t}_{s}" for t in fts for s in ("data", "idx", "content", "docsize", "config")}
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid").fetchall()
    return [sql for name, sql in rows if name not in shadow]
