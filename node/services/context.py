"""What every service shares: the replica, the device clock, read helpers, and the one
write path (the store's write, recording the acting user and the device time).

The sync thread writes on the same SQLite connection; its transactions hold the store's
writer lock, and so does every read here, so a read never sees a pull half-applied.
(A whole service call holds the lock too: see locking.py.)"""
from collections.abc import Callable

from sync.store import dict_rows

from node.services import guards
from node.services.errors import ServiceError
from node.services.schema import ensure_kb_index
from node.services.session import Session


class Context:
    def __init__(self, store, now: Callable[[], int] | None = None):
        self.store = store
        self.now = now or store.clock.wall_now
        ensure_kb_index(store)

    @property
    def lock(self):
        """The store's writer lock (re-entrant; sync/store.py's transactions hold it)."""
        return self.store.lock

    @property
    def outlet_id(self) -> str:
        return self.store.outlet_id

    def query(self, sql: str, params=()) -> list[dict]:
        with self.store.read() as c:
            return dict_rows(c.execute(sql, _params(params)))

    def tuples(self, sql: str, params=()) -> list[tuple]:
        """Rows as tuples, for reads that build a mapping or a list of ids."""
        with self.store.read() as c:
            return c.execute(sql, _params(params)).fetchall()

    def one(self, sql: str, params=()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params=()):
        with self.store.read() as c:
            row = c.execute(sql, _params(params)).fetchone()
        return row[0] if row else None

    def reference(self, table: str) -> list[dict]:
        """Rows of an HQ reference table with `active` as a bool (unset means active)."""
        rows = self.query(f"SELECT * FROM [{table}]")
        for r in rows:
            r["active"] = r.get("active") != 0
        return rows

    def user(self, user_id: str | None) -> dict | None:
        return self.one("SELECT * FROM users WHERE id = ?", (user_id or "",))

    def current_user(self, session: Session) -> dict:
        """The session's user as HQ last said: active, of this outlet, same role."""
        user = self.user(session.user_id)
        if user is None or not user.get("active") or user.get("outlet_id") != self.outlet_id:
            raise ServiceError.of("user_inactive")
        if user.get("role") != session.role:
            raise ServiceError.of("relogin")
        return user

    def write(self, session: Session, ops: list[dict]) -> int:
        """Record ops as one change by the session's user, at the device's time."""
        with self.lock:
            self.current_user(session)
            guards.storable_text(ops)
            return self.store.write(session.user_id, ops, at=self.now())


def _params(params) -> tuple:
    """Query parameters; text that SQLite cannot take (a lone surrogate typed in a search
    box) is the person's to fix, not a crash."""
    params = tuple(params)
    if not guards.is_text(params):
        raise ServiceError.on_field("bad_text", "input")
    return params
