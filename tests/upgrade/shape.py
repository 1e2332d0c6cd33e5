"""A store file's schema as something to compare: every table's columns, every index's and
trigger's definition. Columns are read back (PRAGMA table_info), not taken from the CREATE
text, which ALTER TABLE rewrites, and compared as a set: a column added by a migration
(ALTER TABLE appends it after the sync columns) and the same column in a brand-new file
are equal here."""
import sqlite3

from sync.migrations import snapshot_statements


def schema_shape(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        kept = set(snapshot_statements(conn))
        shape = {}
        for kind, name, _table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
            if sql not in kept:
                continue
            if kind == "table" and not sql.startswith("CREATE VIRTUAL"):
                shape[name] = sorted(tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info([{name}])"))
            else:
                shape[name] = sql
        return shape
    finally:
        conn.close()
