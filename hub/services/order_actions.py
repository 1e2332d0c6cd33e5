"""HQ acting on an order it is watching (an escalation, a complaint): take an active order
back from its outlet and re-dispatch it with a reason, note an action on it, tell its
outlet (a notice the manager reads, and the technician's devices), and read the old
outlet's late work on an order it moved (`late_work`: ops pushed after the move, refused
`moved_away`, kept whole by the sync layer)."""
import json
from dataclasses import dataclass

from shared import notices
from shared.errors import ServiceError
from shared.intake import DispatchKind
from shared.labels import pair
from shared.orders import HUB, Status, can_transition
from shared.roles import HqWork

from hub.services.context import new_id
from hub.services.dispatch import Dispatch, DispatchedOrder
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_order_notes (id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
        at INTEGER NOT NULL, by TEXT, text TEXT NOT NULL, notice_outlet_id TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_order_notes ON hq_order_notes (order_id, at)",
)
# An order HQ may take back: at an outlet and not yet done (new ones too — they may sit unaccepted).
TAKE_BACK_FROM = frozenset({Status.NEW, Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.ON_SITE,
                            Status.WAITING_PARTS})
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class OrderNote:
    at: int
    by_name: str
    text: str
    notified: bool            # sent to the outlet as a notice


@dataclass(frozen=True, slots=True)
class LateWork:
    """One op the old outlet pushed after HQ moved the order away, as it was sent."""
    at: int                   # when HQ received it
    outlet_code: str
    table: str
    row_id: str
    actor_name: str
    op: dict


class OrderActions:
    def __init__(self, ctx, dispatch: Dispatch):
        self.ctx = ctx
        self.dispatch = dispatch

    def take_back(self, session: HubSession, order_id: str, reason: str, outlet_id: str | None = None, *,
                  suggested_outlet_id: str | None = None, override_reason: str | None = None) -> DispatchedOrder:
        """Take an active order from its outlet and send it to another (the best suggestion
        unless `outlet_id` names one), new again and with nobody assigned. The old outlet is
        told why; its later pushes on the order are refused and kept (`late_work`)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.DISPATCH)
        with ctx.tx():
            order = self._order(order_id)
            status, old_outlet = order.get("status"), order.get("outlet_id")
            if status not in TAKE_BACK_FROM or not old_outlet or (
                    status != Status.NEW and not can_transition(status, Status.NEW, HUB)):
                raise self.dispatch._illegal(order, "take_back")
            text = (reason or "").strip()
            if not text:
                raise ServiceError.on_field("required", "reason")
            suggestion = self.dispatch.suggest(None, customer_id=order.get("customer_id"), address=order.get("address"),
                                               product_model_id=order.get("product_model_id"),
                                               exclude=self.dispatch._declined_by(order) | {old_outlet})
            if outlet_id == old_outlet:
                raise ServiceError.of("same_outlet", field="outlet_id")
            outlet, override, why = self.dispatch._choose(suggestion, outlet_id, suggested_outlet_id, override_reason)
            ctx.write(session, [{"op": "put", "table": "service_orders", "id": order_id, "fields": {
                "status": str(Status.NEW), "outlet_id": outlet["id"], "technician_id": None,
                "appointment_at": None}}])
            self.dispatch._record(session, order_id, DispatchKind.TAKE_BACK, outlet["id"], old_outlet, suggestion,
                                  override, why, decline_reason=text)
            detail = notices.detail("taken_back", number=order.get("number") or "", reason=text)
            self._notice(session, old_outlet, order_id, "taken_back", detail, order.get("technician_id"))
            ctx.audit(session, "order_taken_back", order_id, text)
        return DispatchedOrder(order_id, order.get("number") or "", outlet["id"], outlet.get("name") or "", override)

    def note(self, session: HubSession, order_id: str, text: str, notify: bool = False) -> None:
        """HQ's note of an action on the order; `notify`: also a notice to its outlet."""
        ctx = self.ctx
        ctx.allow(session, HqWork.MONITOR)
        with ctx.tx():
            order = self._order(order_id)
            body = (text or "").strip()
            if not body:
                raise ServiceError.on_field("required", "note")
            if len(body) > NOTE_MAX:
                raise ServiceError.of("too_long", what=pair("field", "note"), max=NOTE_MAX)
            outlet = order.get("outlet_id") if notify else None
            if notify and not outlet:
                raise ServiceError.of("no_outlet_to_notify")
            ctx.insert("hq_order_notes", {"order_id": order_id, "at": ctx.now(), "by": session.user_id,
                                          "text": body, "notice_outlet_id": outlet})
            if outlet:
                detail = notices.detail("hq_note", number=order.get("number") or "", text=body)
                self._notice(session, outlet, order_id, "hq_note", detail, order.get("technician_id"))
            ctx.audit(session, "order_note", order_id, "notified" if outlet else "")

    def notes(self, session: HubSession, order_id: str) -> list[OrderNote]:
        self.ctx.allow(session, HqWork.MONITOR)
        return [OrderNote(r["at"], r["display_name"] or r["username"] or "", r["text"], bool(r["notice_outlet_id"]))
                for r in self.ctx.query(
                    "SELECT n.*, u.display_name, u.username FROM hq_order_notes n LEFT JOIN users u ON u.id = n.by "
                    "WHERE n.order_id = ? ORDER BY n.at, n.rowid", (order_id,))]

    def late_work(self, session: HubSession, order_id: str | None = None, limit: int = 200) -> list[LateWork]:
        """What old outlets pushed on orders HQ had moved away (one order's, or all), newest first."""
        self.ctx.allow(session, HqWork.DISPATCH)
        where, params = ("WHERE l.moved_row_id = ? ", [order_id]) if order_id else ("", [])
        return [LateWork(r["at"], r["code"] or r["outlet_id"], r["table_name"] or "", r["row_id"] or "",
                         r["display_name"] or r["username"] or "", json.loads(r["op"]))
                for r in self.ctx.query(
                    "SELECT l.*, o.code, u.display_name, u.username FROM late_work l "
                    "LEFT JOIN outlets o ON o.id = l.outlet_id LEFT JOIN users u ON u.id = l.actor "
                    f"{where}ORDER BY l.at DESC, l.seq DESC, l.op_index DESC LIMIT ?", [*params, limit])]

    # ---- helpers ----

    def _notice(self, session: HubSession, outlet_id: str, order_id: str, kind: str, detail: dict,
                technician_id: str | None) -> None:
        """A notice in the outlet's bucket (the manager's HQ notices), and on the
        technician's devices when the order names one."""
        self.ctx.write(session, [{"op": "add", "table": "notices", "id": new_id(), "fields": {
            "outlet_id": outlet_id, "kind": kind, "code": kind, "message": notices.render(detail, "zh"),
            "detail": detail, "table_name": "service_orders", "row_id": order_id, "at": self.ctx.now(),
            "technician_id": technician_id}}])

    def _order(self, order_id: str) -> dict:
        order = self.ctx.row("service_orders", order_id) if order_id else None
        if order is None:
            raise ServiceError.of("not_found", thing=pair("table", "service_orders"))
        return order
