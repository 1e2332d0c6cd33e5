"""SQLite tables for the declared replicated tables, and value encoding between JSON ops
and SQLite cells. Record rows carry `_clk` (JSON {field: [hlc, src]}); ledger rows carry
the (`_hlc`, `_src`) of the write that added them."""
import json

import sqlite_utils

from shared.tables import BOOL, INT, JSON, TABLES, TableSpec

def is_postgres(conn) -> bool:
    """Is this a PostgreSQL store's connection (sync.pg_store.PgConn)? For the few steps
    that differ (a migration's table rebuild, a search index)."""
    return getattr(conn, "dialect", "sqlite") == "postgres"


SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "bool": "INTEGER", "json": "TEXT"}


def create_replicated_tables(conn) -> None:
    """The declared tables as they are now: a brand-new file's; an older file gets a
    declaration's later changes through a numbered migration (sync/migrations.py)."""
    for name in TABLES:
        create_declared_table(conn, name)


def create_declared_table(conn, table: str) -> None:
    """One declared table as it is now, with its declared indexes; a migration that adds a
    replicated table calls this too."""
    spec = TABLES[table]
    cols = ", ".join(f"[{c}] {SQL_TYPES[t]}" for c, t in spec.columns.items() if c != "id")
    extra = "_clk TEXT NOT NULL DEFAULT '{}'" if spec.is_record else "_hlc INTEGER, _src TEXT"
    conn.execute(f"CREATE TABLE IF NOT EXISTS [{spec.name}] (id TEXT PRIMARY KEY, {cols}, {extra})")
    for cols_ in spec.indexes:
        create_declared_index(conn, spec.name, cols_)


def create_declared_index(conn, table: str, columns: tuple[str, ...]) -> None:
    """An index a table declares (`TableSpec.indexes`), named as every file names it; a
    migration that adds a declared index calls this too."""
    name = f"ix_{table}_{'_'.join(columns)}"
    conn.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({', '.join(columns)})")


def add_declared_column(conn, table: str, column: str) -> None:
    """A column a replicated table declares since a later release (a migration step): added,
    then the table rebuilt in a brand-new file's column order (declared columns before the
    sync columns), so that an upgraded file and a new one are the same shape. On PostgreSQL
    (a hub migration runs on both stores) the column is added; no rebuild: rows are read by
    column name, never by position."""
    spec = TABLES[table]
    conn.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] {SQL_TYPES[spec.columns[column]]}")
    if is_postgres(conn):
        return
    sync_cols = ["_clk"] if spec.is_record else ["_hlc", "_src"]
    sqlite_utils.Database(conn).table(table).transform(column_order=[*spec.columns, *sync_cols])


def to_cell(kind: str, value):
    if value is None:
        return None
    if kind == BOOL:
        return int(value)
    if kind == JSON:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


def from_cell(kind: str, value):
    if value is None:
        return None
    if kind == BOOL:
        return bool(value)
    if kind == JSON:
        return json.loads(value)
    return value


def decode_row(spec: TableSpec, row: dict) -> dict:
    """A stored row as op fields (without id and sync columns)."""
    return {c: from_cell(t, row.get(c)) for c, t in spec.columns.items() if c != "id"}


def is_int(value) -> bool:
    """An integer that is not a bool (JSON true is not a schema number)."""
    return isinstance(value, int) and not isinstance(value, bool)


__all__ = ["create_replicated_tables", "to_cell", "from_cell", "decode_row", "INT"]
