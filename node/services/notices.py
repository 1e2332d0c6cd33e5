"""HQ's notices for the outlet's office: the SLA warnings HQ's escalation job sends the
manager, HQ's notes on an order, an order HQ took back, a device that stopped syncing —
every `notices` row of the outlet but the refusals (those belong to the sync panel, with
the change they refused).

Each person reads them on their own: what the manager has read is still unread for the
clerk. The read marks are this device's alone (node-local `_notice_reads`, never
replicated): HQ's ledger row stays as HQ wrote it, and a notice is read where it was read.
The manager and the clerk see them; a technician hears of their own orders on their
device, not here."""
import json
from dataclasses import dataclass

from shared import notices
from shared.labels import label, pair
from shared.policies import NOTICES
from shared.roles import OFFICE

from node.services import guards
from node.services.errors import ServiceError
from node.services.session import Session

REFUSED = "refused"  # the sync panel's kind (shared/policies.py refusal_notice)
READS = ("CREATE TABLE IF NOT EXISTS _notice_reads (notice_id TEXT NOT NULL, user_id TEXT NOT NULL, "
         "at INTEGER NOT NULL, PRIMARY KEY (notice_id, user_id))")
_OURS = f"FROM {NOTICES} n WHERE n.outlet_id = ? AND n.kind IS NOT '{REFUSED}'"
_UNREAD = "NOT EXISTS (SELECT 1 FROM _notice_reads r WHERE r.notice_id = n.id AND r.user_id = ?)"


@dataclass(frozen=True, slots=True)
class HqNotice:
    """One notice as the list shows it: no ids on screen, the order's number instead."""
    id: str
    kind: str
    kind_label: str
    row_label: str          # the order's number, when it concerns one
    order_id: str | None    # the order it opens, when this node has it
    message: str            # in the session's language
    at: int | None
    read: bool


class HqNotices:
    def __init__(self, ctx):
        self.ctx = ctx

    def list(self, session: Session, limit: int = 50) -> tuple[HqNotice, ...]:
        """The newest `limit` notices, newest first, each marked read or not for this user."""
        self._allow(session)
        rows = self.ctx.query(
            f"SELECT n.*, NOT {_UNREAD} AS is_read {_OURS} ORDER BY n.at DESC, n.id LIMIT ?",
            (session.user_id, self.ctx.outlet_id, limit))
        return tuple(self._notice(session, r) for r in rows)

    def unread(self, session: Session) -> int:
        """How many this user has not read (the app bar's badge); 0 for a role that does
        not see them, so the shell may ask for any session."""
        if session.role not in OFFICE:
            return 0
        return self.ctx.scalar(f"SELECT COUNT(*) {_OURS} AND {_UNREAD}", (self.ctx.outlet_id, session.user_id))

    def mark_read(self, session: Session, notice_id: str) -> None:
        """This user has read the notice (opening its order reads it)."""
        self._allow(session)
        self.ctx.current_user(session)
        if self.ctx.scalar(f"SELECT COUNT(*) {_OURS} AND n.id = ?", (self.ctx.outlet_id, notice_id or "")) == 0:
            raise ServiceError.of("not_found", thing=pair("table", NOTICES))
        self._mark(session, f"SELECT n.id {_OURS} AND n.id = ?", (self.ctx.outlet_id, notice_id))

    def mark_all_read(self, session: Session) -> int:
        """Every notice read by this user; returns how many were unread."""
        self._allow(session)
        self.ctx.current_user(session)
        return self._mark(session, f"SELECT n.id {_OURS} AND {_UNREAD}", (self.ctx.outlet_id, session.user_id))

    # ---- helpers ----

    def _allow(self, session: Session) -> None:
        if session.role not in OFFICE:
            raise guards.forbidden("read_notices", OFFICE)

    def _mark(self, session: Session, ids_sql: str, params: tuple) -> int:
        """The read marks, written where the node keeps what only this device remembers."""
        with self.ctx.store.tx() as c:
            cur = c.execute(f"INSERT OR IGNORE INTO _notice_reads (notice_id, user_id, at) "
                            f"SELECT id, ?, ? FROM ({ids_sql})", (session.user_id, self.ctx.now(), *params))
            return cur.rowcount

    def _notice(self, session: Session, r: dict) -> HqNotice:
        detail = _json(r.get("detail"))
        order_id = r.get("row_id") if r.get("table_name") == "service_orders" else None
        number = self.ctx.scalar("SELECT number FROM service_orders WHERE id = ?", (order_id,)) if order_id else None
        if number is None:  # an order HQ took away: the number HQ named, and nothing to open
            params = detail.get("params") if isinstance(detail, dict) else None
            number = params.get("number") if isinstance(params, dict) else None
            order_id = None
        return HqNotice(r["id"], r.get("kind") or "", label("notice_kind", r.get("kind"), session.lang),
                        str(number or ""), order_id,
                        notices.render(detail, session.lang, r.get("message") or ""), r.get("at"),
                        bool(r.get("is_read")))


def _json(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None
