"""The store's part of readiness: it answers a read, and its file is at the schema this
code knows (another process may have migrated it further: then this one must not serve)."""
from shared.health import Check, checked
from sync.migrations import version_of
from sync.store import SQLiteStore


def store_checks(store: SQLiteStore) -> list[Check]:
    def answers() -> str:
        with store.snapshot() as c:
            c.execute("SELECT 1").fetchone()
        return "answers"

    def migrations() -> str:
        with store.snapshot() as c:
            found = version_of(c)
        latest = store.schema().latest
        if found != latest:
            raise RuntimeError(f"the file is at schema {found}, this release runs {latest}")
        return f"schema {found}"

    first = checked("store", answers)
    if not first.ok:
        return [first, Check("migrations", False, "the store does not answer")]
    return [first, checked("migrations", migrations)]
