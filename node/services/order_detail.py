"""One order as the technician and the clerk see it: customer (phone masked; revealing it
is recorded), appliance with its warranty worked out, fault, SLA clocks, timeline, parts,
attachments, and the actions this person may take now."""
import json
import uuid
from dataclasses import dataclass

from shared import phone
from shared.audit import AuditAction
from shared.labels import heading, label, ui_text
from shared.orders import OUTLET, TERMINAL, Status, next_for
from shared.periods import local_date
from shared.warranty import IN, warranty_status
from sync.hlc import wall_ms

from node.services import guards
from node.services.order_rows import SlaBook, check_technician, may_work_on, own_order
from node.services.session import Session

# The timeline's first entries, before any status event (not statuses: no event sets them).
CREATED, DISPATCHED = "created", "dispatched"
FINISHED = frozenset(TERMINAL | {Status.COMPLETED, Status.DECLINED})


@dataclass(frozen=True, slots=True)
class SlaLine:
    milestone: str
    label: str
    due_at: int | None
    met_at: int | None
    met: bool
    stopped: bool
    remaining_ms: int | None
    breached: bool


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: str
    at: int | None
    status: str
    status_label: str
    reason: str
    actor_name: str


@dataclass(frozen=True, slots=True)
class OrderPartLine:
    id: str
    part_id: str
    sku: str
    name: str
    qty: int
    text: str            # name, SKU and quantity, as the parts section lists them
    old_serial: str
    new_serial: str
    in_warranty: bool
    returned: bool
    at: int | None


@dataclass(frozen=True, slots=True)
class AttachmentLine:
    id: str
    kind: str
    kind_label: str
    sha256: str
    size: int
    mime: str
    at: int | None


@dataclass(frozen=True, slots=True)
class PhoneReveal:
    at: int
    name: str


@dataclass(frozen=True, slots=True)
class OrderAction:
    """A step this person may take on the order now, worded for its button."""
    key: str             # a status to move to, or use_part / attach / edit_order / assign
    label: str


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: str
    number: str
    status: str | None
    status_label: str
    status_pending: bool          # shown optimistically; HQ has not confirmed it yet
    type: str | None
    type_label: str
    priority: str | None
    priority_label: str
    urgent: bool
    source: str | None
    customer_name: str
    phone_masked: str
    phone_reveals: tuple[PhoneReveal, ...]  # who saw the full number on this device, newest first
    address: str
    member_level: str
    model_id: str | None
    model_code: str
    model_name: str
    category: str
    serial_no: str
    purchase_date: str
    warranty: str                 # in / out / unknown
    warranty_label: str
    warranty_until: str           # ISO date of the last covered day, "" when unknown
    warranty_months: int
    warranty_text: str            # the label, with the last covered day when known
    fault_description: str
    fault_code: str
    notes: str
    resolution: str
    technician_id: str | None
    technician_name: str
    appointment_at: int | None
    created_at: int | None
    sla: tuple[SlaLine, ...]
    sla_paused: bool
    overdue: bool
    timeline: tuple[TimelineEntry, ...]
    parts: tuple[OrderPartLine, ...]
    attachments: tuple[AttachmentLine, ...]
    actions: tuple[OrderAction, ...]

    def action(self, key: str) -> OrderAction | None:
        """The step `key` when this person may take it now."""
        return next((a for a in self.actions if a.key == key), None)

    @property
    def in_warranty(self) -> bool:
        """Whether a part fitted now is in warranty by default (unknown counts as out)."""
        return self.warranty == IN


def _warranty_text(w, lang: str) -> str:
    text = label("warranty", w.state, lang)
    return ui_text("warranty_text", lang, w=text, d=w.until.isoformat()) if w.until else text


class OrderDetails:
    def __init__(self, ctx):
        self.ctx = ctx

    def get(self, session: Session, order_id: str) -> OrderDetail:
        ctx, lang = self.ctx, session.lang
        o = own_order(ctx, order_id)
        customer = ctx.one("SELECT * FROM customers WHERE id = ?", (o.get("customer_id") or "",)) or {}
        model = ctx.one("SELECT * FROM product_models WHERE id = ?", (o.get("product_model_id") or "",)) or {}
        tech = ctx.user(o.get("technician_id")) or {}
        events = ctx.query("SELECT e.*, COALESCE(u.display_name, u.username) AS actor_name FROM order_events e "
                           "LEFT JOIN users u ON u.id = e.actor_id WHERE e.order_id = ? "
                           "ORDER BY e.at, e._hlc", (order_id,))
        now = ctx.now()
        clock = SlaBook(ctx).clock(o, [(e["to_status"], e["at"]) for e in events], now)
        w = warranty_status(o.get("purchase_date"), model.get("warranty_months"), model.get("category"),
                            local_date(now))
        pending = ctx.store.is_pending("service_orders", order_id, "status")
        return OrderDetail(
            id=o["id"], number=o["number"] or "", status=o["display_status"],
            status_label=label("status", o["display_status"], lang), status_pending=pending,
            type=o["type"], type_label=label("order_type", o["type"], lang), priority=o["priority"],
            priority_label=label("priority", o["priority"], lang), urgent=o["priority"] == "urgent", source=o["source"],
            customer_name=o.get("contact_name") or customer.get("name") or "",
            phone_masked=phone.mask(o.get("contact_phone") or customer.get("phone")),
            phone_reveals=self._reveals(order_id),
            address=o.get("address") or customer.get("address") or "",
            member_level=customer.get("member_level") or "",
            model_id=o.get("product_model_id"), model_code=model.get("code") or "",
            model_name=model.get("name") or "", category=model.get("category") or "",
            serial_no=o.get("serial_no") or "", purchase_date=o.get("purchase_date") or "",
            warranty=w.state, warranty_label=label("warranty", w.state, lang),
            warranty_until=w.until.isoformat() if w.until else "", warranty_months=w.months,
            warranty_text=_warranty_text(w, lang),
            fault_description=o.get("fault_description") or "", fault_code=o.get("fault_code") or "",
            notes=o.get("notes") or "", resolution=o.get("resolution") or "",
            technician_id=o.get("technician_id"),
            technician_name=tech.get("display_name") or tech.get("username") or "",
            appointment_at=o.get("appointment_at"), created_at=o.get("created_at"),
            sla=tuple(SlaLine(m.name, label("milestone", m.name, lang), m.due_at, m.met_at, m.met, m.stopped,
                              m.remaining_ms, m.breached) for m in (clock.milestones if clock else ())),
            sla_paused=bool(clock and clock.paused), overdue=bool(clock and clock.overdue),
            timeline=(*self._origin(o, lang),
                      *(TimelineEntry(e["id"], e["at"], e["to_status"], label("status", e["to_status"], lang),
                                      e["reason"] or "", e["actor_name"] or "") for e in events)),
            parts=self._parts(order_id, lang), attachments=self._attachments(order_id, lang),
            actions=self._actions(session, o))

    def _origin(self, o: dict, lang: str) -> tuple[TimelineEntry, ...]:
        """How the order began: created (at HQ, or phoned in at the outlet) and, for HQ's
        orders, its dispatch to this outlet — when the outlet_id it carries was written
        (the field's clock; a re-dispatch moves it)."""
        if o.get("source") == OUTLET:
            return (TimelineEntry("created", o.get("created_at"), CREATED, ui_text("created_outlet", lang), "", ""),)
        outlet = self.ctx.one("SELECT name, code FROM outlets WHERE id = ?", (o.get("outlet_id") or "",)) or {}
        entries = [TimelineEntry("created", o.get("created_at"), CREATED, ui_text("created_hq", lang), "", "")]
        clock = json.loads(o.get("_clk") or "{}").get("outlet_id")
        if clock:
            entries.append(TimelineEntry("dispatched", wall_ms(clock[0]), DISPATCHED, ui_text("dispatched", lang),
                                         outlet.get("name") or outlet.get("code") or "", ""))
        return tuple(entries)

    def _parts(self, order_id: str, lang: str) -> tuple[OrderPartLine, ...]:
        rows = self.ctx.query(
            "SELECT op.*, p.sku, p.name, EXISTS (SELECT 1 FROM stock_moves m WHERE m.kind = 'return' "
            "AND m.ref = op.id) AS returned FROM order_parts op LEFT JOIN parts p ON p.id = op.part_id "
            "WHERE op.order_id = ? ORDER BY op.at, op.id", (order_id,))
        return tuple(OrderPartLine(r["id"], r["part_id"], r["sku"] or "", r["name"] or r["part_id"], r["qty"],
                                   ui_text("part_qty", lang, name=r["name"] or r["part_id"], sku=r["sku"] or "",
                                           qty=r["qty"]),
                                   r["old_serial"] or "", r["new_serial"] or "", bool(r["in_warranty"]),
                                   bool(r["returned"]), r["at"]) for r in rows)

    def _reveals(self, order_id: str) -> tuple[PhoneReveal, ...]:
        rows = self.ctx.query(
            "SELECT a.at, COALESCE(u.display_name, u.username, a.actor_id) AS name FROM order_audit a "
            "LEFT JOIN users u ON u.id = a.actor_id WHERE a.action = ? AND a.order_id = ? "
            "ORDER BY a.at DESC, a._hlc DESC LIMIT 5", (str(AuditAction.REVEAL_PHONE), order_id))
        return tuple(PhoneReveal(r["at"], r["name"] or "") for r in rows)

    def _attachments(self, order_id: str, lang: str) -> tuple[AttachmentLine, ...]:
        rows = self.ctx.query("SELECT * FROM attachments WHERE order_id = ? ORDER BY at, id", (order_id,))
        return tuple(AttachmentLine(r["id"], r["kind"], label("attachment", r["kind"], lang), r["sha256"],
                                    r["size"] or 0, r["mime"] or "", r["at"]) for r in rows)

    def _actions(self, session: Session, o: dict) -> tuple[OrderAction, ...]:
        status, lang = o["display_status"], session.lang
        acts: list[str] = []
        if may_work_on(session, o) and status:
            acts += [str(s) for s in next_for(status, OUTLET)]
            if status == Status.SCHEDULED:
                acts.append(str(Status.SCHEDULED))  # set another appointment
            if status == Status.ON_SITE:
                acts.append("use_part")
            if status not in TERMINAL:
                acts.append("attach")
            if status not in TERMINAL and status != Status.DECLINED:
                acts.append("edit_order")  # OrderActions.update_details: serial, model, fault, notes
        if session.office and status not in FINISHED:
            acts.append("assign")
        return tuple(OrderAction(a, ui_text("reschedule", lang) if a == status == Status.SCHEDULED
                                 else heading("action", a, lang)) for a in acts)

    def reveal_phone(self, session: Session, order_id: str) -> str:
        """The customer's full number, for calling them; who looked is recorded in the
        order_audit ledger, which reaches HQ's audit with the next sync (no number in it)."""
        o = own_order(self.ctx, order_id)
        check_technician(self.ctx, session, o)
        self.ctx.current_user(session)
        number = o.get("contact_phone")
        if not number and o.get("customer_id"):
            number = self.ctx.scalar("SELECT phone FROM customers WHERE id = ?", (o["customer_id"],))
        guards.require_add(session, "order_audit", "reveal_phone")
        self.ctx.write(session, [{"op": "add", "table": "order_audit", "id": str(uuid.uuid4()), "fields": {
            "order_id": o["id"], "action": str(AuditAction.REVEAL_PHONE), "actor_id": session.user_id,
            "at": self.ctx.now()}}])
        return number or ""
