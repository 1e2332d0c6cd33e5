"""What every hub service shares: the hub store, the clock, read helpers, role checks and
the write paths. Replicated rows change only through `HubStore.write` (which relays them to
the nodes' buckets); hub-only tables (calls, complaints, callbacks, escalations, audit, …)
change only through `insert`/`update` here. Both may join one transaction (`tx`), so a
service that records a call and dispatches its order commits both or neither.

Reads outside a transaction use the store's per-thread WAL snapshot (never a half-done
write of another thread); inside `tx` they use the writer's connection, so a service sees
what it has just written."""
import json
import threading
import uuid
from contextlib import contextmanager
from collections.abc import Callable, Iterable

from shared.errors import ServiceError
from shared.labels import label, pair
from shared.roles import HQ_WORK, HUB_ROLES
from sync.hlc import now_ms
from sync.hub_store import HubStore
from sync.store import dict_rows

from hub.services.session import HubSession


class HubContext:
    def __init__(self, hub: HubStore, now: Callable[[], int] | None = None):
        self.hub = hub
        self.now = now or now_ms
        self._local = threading.local()

    # ---- reads ----

    @contextmanager
    def _reader(self):
        if getattr(self._local, "depth", 0):  # inside this thread's `tx`: see its writes
            with self.hub.read() as c:
                yield c
        else:
            with self.hub.snapshot() as c:
                yield c

    def query(self, sql: str, params: Iterable = ()) -> list[dict]:
        with self._reader() as c:
            return dict_rows(c.execute(sql, tuple(params)))

    def one(self, sql: str, params: Iterable = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Iterable = ()):
        with self._reader() as c:
            row = c.execute(sql, tuple(params)).fetchone()
            return row[0] if row else None

    def row(self, table: str, row_id: str) -> dict | None:
        return self.one(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))

    # ---- who ----

    def current_user(self, session: HubSession) -> dict:
        """The session's user as the hub holds it now: an active HQ user, same role (a
        system session stands for itself: it has no row in `users`)."""
        if session.system:
            return {"id": session.user_id, "username": session.username, "role": session.role,
                    "active": True, "outlet_id": None}
        user = self.row("users", session.user_id)
        if user is None or not user.get("active") or user.get("outlet_id") is not None \
                or user.get("role") not in HUB_ROLES:
            raise ServiceError.of("user_inactive")
        if user.get("role") != session.role:
            raise ServiceError.of("relogin")
        return user

    def require(self, session: HubSession, roles: Iterable[str], action: tuple[str, str]) -> dict:
        """Refuse unless the session's (current) role is one of `roles`. `action`: (zh, en)
        words for the message, e.g. ("审批配件申请", "approve parts requests")."""
        user = self.current_user(session)
        roles = list(roles)
        if user["role"] not in roles:
            names = ("、".join(label("role", r, "zh") for r in roles),
                     ", ".join(label("role", r, "en") for r in roles))
            raise ServiceError.of("role_forbidden", roles=names, action=action)
        return user

    def allow(self, session: HubSession, work: str) -> dict:
        """Refuse unless the session's role may do this kind of HQ work (shared/roles.py
        HQ_WORK); returns the user as the hub holds it now."""
        return self.require(session, HQ_WORK[work], pair("hq_work", work))

    # ---- writes ----

    @contextmanager
    def tx(self):
        """One transaction for replicated and hub-only writes together (nested use joins)."""
        with self.hub.tx() as c:
            self._local.depth = getattr(self._local, "depth", 0) + 1
            try:
                yield c
            finally:
                self._local.depth -= 1

    def write(self, session: HubSession | None, ops: list[dict]) -> None:
        """Replicated rows (orders, approvals, reference data …) by a hub user; `None`
        is the hub itself (scheduled jobs). Callers check roles and rules first."""
        with self.tx():
            if session is not None:
                self.current_user(session)
            self.hub.write(ops, actor=session.user_id if session else "hub")

    def insert(self, table: str, fields: dict) -> str:
        """A row of a hub-only table; returns its id (made here unless given)."""
        row = {"id": fields.get("id") or str(uuid.uuid4()), **fields}
        cols = list(row)
        with self.tx() as c:
            c.execute(f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in cols)}) VALUES "
                      f"({', '.join('?' for _ in cols)})", [_sql_value(row[k]) for k in cols])
        return row["id"]

    def update(self, table: str, row_id: str, fields: dict) -> None:
        if not fields:
            return
        with self.tx() as c:
            c.execute(f"UPDATE [{table}] SET {', '.join(f'[{k}] = ?' for k in fields)} WHERE id = ?",
                      [*(_sql_value(v) for v in fields.values()), row_id])

    def audit(self, session: HubSession | None, action: str, subject: str = "", detail: str = "") -> None:
        """Who did what at HQ (logins, decisions, dispatches), kept on the hub only."""
        self.insert("hq_audit", {"at": self.now(), "user_id": session.user_id if session else None,
                                 "action": action, "subject": subject, "detail": detail})


def _sql_value(v):
    return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v


def new_id() -> str:
    return str(uuid.uuid4())
