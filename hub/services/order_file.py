"""An order's full record (工单档案), as the ticket query and intake's service history open
it, for every HQ role: the order, its customer, the product and its warranty, every event
with who recorded it, when (the device's time and the time HQ received it) and where (the
device or HQ), each dispatch with its reasons, the parts used, the attachments (viewable
through `attachment`), the callback, the complaints, the settlement line, HQ's notes,
escalations and audit.

HQ's time of an outlet's event is when the hub accepted the signed change that carried it
(`node_changes.received_at`): the event row keeps the change's clock and origin (`_hlc`,
`_src`), and the change is found among that node's by a binary search on the clock
(`_received`) — a handful of rows, however many changes the node sent.
An event HQ made itself has its own clock's time for both."""
import json
from dataclasses import dataclass
from datetime import date

from shared.errors import ServiceError
from shared.labels import label, pair
from shared.periods import local_date
from shared.roles import HqWork
from shared.warranty import warranty_status
from sync.hlc import MAX_DRIFT_MS, wall_ms
from sync.hub_store import HUB_SRC

from hub.services.callbacks import task_id
from hub.services.dispatch import dispatch_lines
from hub.services.session import HubSession

CHANGE_SCAN = 200  # a node's changes read to find the one that carried an event


@dataclass(frozen=True, slots=True)
class CustomerPart:
    id: str
    name: str
    phone: str
    city: str
    address: str
    member_level: str


@dataclass(frozen=True, slots=True)
class ProductPart:
    model_code: str
    model_name: str
    category: str               # its words in the reader's language
    serial_no: str
    purchase_date: str
    warranty: str               # in / out / unknown
    warranty_label: str
    warranty_until: date | None


@dataclass(frozen=True, slots=True)
class EventLine:
    status: str
    status_label: str
    reason: str
    device_at: int | None       # the device's clock when it was recorded
    hq_at: int | None           # when HQ received it (None: not found among the node's changes)
    who: str                    # the user's name
    role_label: str
    where: str                  # the device (node) name and outlet, or HQ


@dataclass(frozen=True, slots=True)
class DispatchStep:
    at: int
    kind: str                   # shared/intake.py DispatchKind
    outlet: str
    from_outlet: str
    suggested: str
    override: bool
    reason: str
    decline_reason: str
    by: str


@dataclass(frozen=True, slots=True)
class PartLine:
    sku: str
    name: str
    qty: int
    unit_price: int | None      # fen
    in_warranty: bool | None
    old_serial: str
    new_serial: str
    at: int | None


@dataclass(frozen=True, slots=True)
class AttachmentLine:
    id: str
    kind: str
    kind_label: str
    mime: str
    size: int | None
    sha256: str
    at: int | None
    held: bool                  # HQ holds the file (a device may not have uploaded it yet)


@dataclass(frozen=True, slots=True)
class CallbackPart:
    status: str
    result: str
    result_label: str
    score: int | None
    note: str
    agent: str
    due_at: int | None
    finished_at: int | None
    answers: list


@dataclass(frozen=True, slots=True)
class ComplaintPart:
    id: str
    summary: str
    status: str                 # shared/complaints.py ComplaintStatus
    severity: str
    source: str
    department: str
    created_at: int | None
    deadline_at: int | None
    resolved_at: int | None
    resolution: str


@dataclass(frozen=True, slots=True)
class SettlementPart:
    period: str
    status: str
    status_label: str
    parts_fee: int
    visit_fee: int
    labour_fee: int
    deduction: int
    reason: str
    adjustment: int
    adjustment_reason: str

    @property
    def total(self) -> int:
        return self.parts_fee + self.visit_fee + self.labour_fee - self.deduction + self.adjustment


@dataclass(frozen=True, slots=True)
class LogLine:
    """A line of HQ's side of the story: a call, a note, an escalation, an audit entry."""
    at: int | None
    who: str
    what: str                   # an audit action, a request type, "note", "escalation"
    detail: str


@dataclass(frozen=True)
class OrderFile:
    id: str
    number: str
    type: str
    type_label: str
    status: str
    status_label: str
    priority_label: str
    source: str
    created_at: int | None
    appointment_at: int | None
    closed_at: int | None
    closed_reason: str
    fault_code: str
    fault_description: str
    resolution: str
    notes: str
    contact_name: str
    contact_phone: str
    address: str
    outlet_name: str
    region: str
    technician: str
    sla_dues: dict[str, int | None]   # milestone → due time set at creation
    customer: CustomerPart | None
    product: ProductPart
    events: list[EventLine]
    dispatches: list[DispatchStep]
    parts: list[PartLine]
    attachments: list[AttachmentLine]
    callback: CallbackPart | None
    complaints: list[ComplaintPart]
    settlement: SettlementPart | None
    calls: list[LogLine]              # the intake calls that name the order
    escalations: list[LogLine]
    notes_hq: list[LogLine]
    audit: list[LogLine]


class OrderFiles:
    def __init__(self, ctx):
        self.ctx = ctx
        self._blobs = None

    def use_blobs(self, blobs) -> None:
        """Where HQ keeps attachment files (hub/blobs.py), so the record can show them."""
        self._blobs = blobs

    def find(self, session: HubSession, number: str) -> OrderFile:
        """The record of the order with this number (HQ-0000123, SH01-A-000042)."""
        self.ctx.allow(session, HqWork.QUERY)
        text = (number or "").strip().upper()
        row = self.ctx.one("SELECT id FROM service_orders WHERE number = ?", (text,)) if text else None
        if row is None:
            raise ServiceError.of("query_no_order", field="number", number=(number or "").strip())
        return self.record(session, row["id"])

    def record(self, session: HubSession, order_id: str) -> OrderFile:
        ctx, lang = self.ctx, session.lang
        ctx.allow(session, HqWork.QUERY)
        o = ctx.one(
            "SELECT o.*, t.name AS outlet_name, t.region, u.display_name AS technician_name "
            "FROM service_orders o LEFT JOIN outlets t ON t.id = o.outlet_id "
            "LEFT JOIN users u ON u.id = o.technician_id WHERE o.id = ?", (order_id,))
        if o is None:
            raise ServiceError.of("not_found", field="order_id", thing=pair("table", "service_orders"))
        names = _Names(ctx)
        return OrderFile(
            o["id"], o["number"] or "", o["type"] or "", label("order_type", o["type"], lang), o["status"] or "",
            label("status", o["status"], lang), label("priority", o["priority"], lang), o["source"] or "",
            o["created_at"], o["appointment_at"], o["closed_at"], o["closed_reason"] or "", o["fault_code"] or "",
            o["fault_description"] or "", o["resolution"] or "", o["notes"] or "", o["contact_name"] or "",
            o["contact_phone"] or "", o["address"] or "", o["outlet_name"] or "", o["region"] or "",
            o["technician_name"] or "",
            {"accept": o["sla_accept_due"], "on_site": o["sla_on_site_due"], "complete": o["sla_complete_due"]},
            self._customer(o.get("customer_id")), self._product(o, lang), self._events(order_id, names, lang),
            self._dispatches(order_id, names), self._parts(order_id), self._attachments(order_id, lang),
            self._callback(order_id, names, lang), self._complaints(order_id, lang),
            self._settlement(order_id, lang), *self._hq_lines(order_id, names, lang))

    def attachment(self, session: HubSession, order_id: str, attachment_id: str) -> tuple[str, bytes]:
        """(mime type, bytes) of one of the order's attachments, for viewing."""
        self.ctx.allow(session, HqWork.QUERY)
        a = self.ctx.one("SELECT * FROM attachments WHERE id = ? AND order_id = ?", (attachment_id, order_id))
        data = self._blobs.get(a["sha256"]) if a is not None and self._blobs is not None else None
        if data is None:
            raise ServiceError.of("not_found", field="attachment_id", thing=pair("table", "attachments"))
        return a["mime"] or "application/octet-stream", data

    # ---- the parts of the record ----

    def _customer(self, customer_id: str | None) -> CustomerPart | None:
        c = self.ctx.row("customers", customer_id) if customer_id else None
        if c is None:
            return None
        return CustomerPart(c["id"], c["name"] or "", c["phone"] or "", c["city"] or "", c["address"] or "",
                            c.get("member_level") or "")

    def _product(self, o: dict, lang: str) -> ProductPart:
        m = self.ctx.row("product_models", o["product_model_id"]) if o.get("product_model_id") else None
        m = m or {}
        on = local_date(o["created_at"]) if isinstance(o.get("created_at"), int) else local_date(self.ctx.now())
        w = warranty_status(o.get("purchase_date"), m.get("warranty_months"), m.get("category"), on)
        return ProductPart(m.get("code") or "", m.get("name") or "", label("product_category", m.get("category"), lang),
                           o.get("serial_no") or "", o.get("purchase_date") or "", w.state,
                           label("warranty", w.state, lang), w.until)

    def _events(self, order_id: str, names: "_Names", lang: str) -> list[EventLine]:
        out, bodies = [], {}
        for e in self.ctx.query("SELECT * FROM order_events WHERE order_id = ? ORDER BY at, _hlc, id", (order_id,)):
            src, hlc = e.get("_src"), e.get("_hlc")
            user = names.user(e.get("actor_id"))
            if src == HUB_SRC or src is None:
                hq_at = wall_ms(hlc) if isinstance(hlc, int) else None
                where = "总部" if lang != "en" else "HQ"
            else:
                hq_at = self._received(src, hlc, bodies)
                where = names.node(src)
            out.append(EventLine(e["to_status"] or "", label("status", e["to_status"], lang), e["reason"] or "",
                                 e["at"], hq_at, user[0], label("role", user[1], lang) if user[1] else "", where))
        return out

    def _received(self, origin: str, hlc, bodies: dict) -> int | None:
        """When HQ accepted the node's change clocked `hlc`. A node's clock only moves
        forward within an epoch, so its changes are in clock order by seq: a binary search
        over each epoch (newest first) reads a handful of them, however many the node sent.
        A clock the node had to rewind breaks that order: then the changes received since
        the clock's wall time (less the drift allowed) are read in turn, up to CHANGE_SCAN."""
        if not isinstance(hlc, int):
            return None
        ctx = self.ctx
        epoch = ctx.scalar("SELECT MAX(epoch) FROM node_changes WHERE origin = ?", (origin,))
        while isinstance(epoch, int) and epoch > 0:
            lo, hi = 1, ctx.scalar("SELECT MAX(seq) FROM node_changes WHERE origin = ? AND epoch = ?",
                                   (origin, epoch)) or 0
            while lo < hi:  # the first seq whose clock is not below `hlc`
                mid = (lo + hi) // 2
                got = self._change(origin, epoch, mid, bodies)
                if got is None or got[0] < hlc:
                    lo = mid + 1
                else:
                    hi = mid
            got = self._change(origin, epoch, lo, bodies) if hi else None
            if got is not None and got[0] == hlc:
                return got[1]
            epoch = ctx.scalar("SELECT MAX(epoch) FROM node_changes WHERE origin = ? AND epoch < ?", (origin, epoch))
        since = wall_ms(hlc) - MAX_DRIFT_MS
        for r in ctx.query("SELECT epoch, seq FROM node_changes WHERE origin = ? AND received_at >= ? "
                           "ORDER BY received_at, epoch, seq LIMIT ?", (origin, since, CHANGE_SCAN)):
            got = self._change(origin, r["epoch"], r["seq"], bodies)
            if got is not None and got[0] == hlc:
                return got[1]
        return None

    def _change(self, origin: str, epoch: int, seq: int, bodies: dict) -> tuple[int, int] | None:
        """(clock, received_at) of one received change, read once per record."""
        key = (origin, epoch, seq)
        if key not in bodies:
            r = self.ctx.one("SELECT body, received_at FROM node_changes WHERE origin = ? AND epoch = ? AND seq = ?",
                             key)
            try:
                clock = json.loads(bytes(r["body"])).get("hlc") if r is not None else None
            except (ValueError, AttributeError):
                clock = None
            bodies[key] = (clock, r["received_at"]) if isinstance(clock, int) else None
        return bodies[key]

    def _dispatches(self, order_id: str, names: "_Names") -> list[DispatchStep]:
        def code(outlet_id):
            return names.outlet(outlet_id) if outlet_id else ""
        return [DispatchStep(d.at, d.kind, code(d.outlet_id), code(d.from_outlet_id), d.suggested_code or "",
                             d.override, d.reason or "", d.decline_reason or "", names.user(d.by)[0])
                for d in dispatch_lines(self.ctx, order_id)]

    def _parts(self, order_id: str) -> list[PartLine]:
        return [PartLine(p["sku"] or "", p["name"] or "", p["qty"] or 0, p["unit_price"],
                         None if p["in_warranty"] is None else bool(p["in_warranty"]), p["old_serial"] or "",
                         p["new_serial"] or "", p["at"])
                for p in self.ctx.query(
            "SELECT op.*, p.sku, p.name, p.unit_price FROM order_parts op LEFT JOIN parts p ON p.id = op.part_id "
            "WHERE op.order_id = ? ORDER BY op.at, op.id", (order_id,))]

    def _attachments(self, order_id: str, lang: str) -> list[AttachmentLine]:
        out = []
        for a in self.ctx.query("SELECT * FROM attachments WHERE order_id = ? ORDER BY at, id", (order_id,)):
            held = bool(self._blobs is not None and a["sha256"] and self._blobs.has(a["sha256"]))
            out.append(AttachmentLine(a["id"], a["kind"] or "", label("attachment", a["kind"], lang), a["mime"] or "",
                                      a["size"], a["sha256"] or "", a["at"], held))
        return out

    def _callback(self, order_id: str, names: "_Names", lang: str) -> CallbackPart | None:
        c = self.ctx.one("SELECT * FROM hq_callbacks WHERE order_id = ?", (order_id,))
        if c is None:
            return None
        try:
            answers = json.loads(c["answers"]) if c["answers"] else []
        except ValueError:
            answers = []
        return CallbackPart(c["status"] or "", c["result"] or "", label("callback_result", c["result"], lang),
                            c["score"], c["note"] or "", names.user(c["agent_id"])[0], c["due_at"], c["finished_at"],
                            answers if isinstance(answers, list) else [])

    def _complaints(self, order_id: str, lang: str) -> list[ComplaintPart]:
        return [ComplaintPart(c["id"], c["summary"] or "", c["status"] or "", c["severity"] or "", c["source"] or "",
                              (c["name_en"] if lang == "en" else None) or c["name"] or "", c["created_at"],
                              c["deadline_at"], c["resolved_at"], c["resolution"] or "")
                for c in self.ctx.query(
            "SELECT c.*, d.name, d.name_en FROM hq_complaints c LEFT JOIN hq_departments d ON d.id = c.department_id "
            "WHERE c.order_id = ? ORDER BY c.created_at", (order_id,))]

    def _settlement(self, order_id: str, lang: str) -> SettlementPart | None:
        s = self.ctx.one(
            "SELECT l.*, s.period, s.status FROM settlement_lines l JOIN settlements s ON s.id = l.settlement_id "
            "WHERE l.order_id = ? ORDER BY s.period DESC LIMIT 1", (order_id,))
        if s is None:
            return None
        return SettlementPart(s["period"] or "", s["status"] or "", label("doc_status", s["status"], lang),
                              s["parts_fee"] or 0, s["visit_fee"] or 0, s["labour_fee"] or 0, s["deduction"] or 0,
                              s["reason"] or "", s["adjustment"] or 0, s["adjustment_reason"] or "")

    def _hq_lines(self, order_id: str, names: "_Names", lang: str) -> tuple[list[LogLine], ...]:
        ctx = self.ctx
        calls = [LogLine(r["created_at"], names.user(r["created_by"])[0], label("request_type", r["type"], lang),
                         r["summary"] or "")
                 for r in ctx.query("SELECT * FROM hq_requests WHERE order_id = ? ORDER BY created_at", (order_id,))]
        escalations = [LogLine(e["at"], "", label("milestone", e["milestone"], lang),
                               label("sla_level", e["level"], lang))
                       for e in ctx.query("SELECT * FROM hq_escalations WHERE order_id = ? ORDER BY at, level",
                                          (order_id,))]
        notes = [LogLine(n["at"], names.user(n["by"])[0], "note", n["text"] or "")
                 for n in ctx.query("SELECT * FROM hq_order_notes WHERE order_id = ? ORDER BY at", (order_id,))]
        # HQ's audit names the order, or its callback task, complaints or calls
        subjects = [order_id, task_id(order_id), *(r["id"] for r in ctx.query(
            "SELECT id FROM hq_complaints WHERE order_id = ?", (order_id,))), *(r["id"] for r in ctx.query(
            "SELECT id FROM hq_requests WHERE order_id = ?", (order_id,)))]
        marks = ", ".join("?" for _ in subjects)
        audit = sorted((LogLine(a["at"], names.user(a["user_id"])[0], a["action"] or "", a["detail"] or "")
                        for a in ctx.query(f"SELECT * FROM hq_audit WHERE subject IN ({marks})", subjects)),
                       key=lambda a: (a.at or 0, a.what))
        return calls, escalations, notes, audit


class _Names:
    """Users, outlets and nodes by id, each read once per record."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._users: dict = {}
        self._outlets: dict = {}
        self._nodes: dict = {}

    def user(self, user_id: str | None) -> tuple[str, str]:
        """(name, role) of a user; a system actor or an unknown id stands as itself."""
        if not user_id:
            return "", ""
        if user_id not in self._users:
            u = self.ctx.row("users", user_id)
            self._users[user_id] = ((u.get("display_name") or u.get("username") or user_id, u.get("role") or "")
                                    if u else (user_id, ""))
        return self._users[user_id]

    def outlet(self, outlet_id: str) -> str:
        if outlet_id not in self._outlets:
            t = self.ctx.row("outlets", outlet_id)
            self._outlets[outlet_id] = " ".join(filter(None, (t.get("code"), t.get("name")))) if t else outlet_id
        return self._outlets[outlet_id]

    def node(self, node_id: str) -> str:
        if node_id not in self._nodes:
            n = self.ctx.one("SELECT n.name, t.code FROM nodes n LEFT JOIN outlets t ON t.id = n.outlet_id "
                             "WHERE n.node_id = ?", (node_id,))
            self._nodes[node_id] = " · ".join(filter(None, (n["code"], n["name"]))) if n else node_id
        return self._nodes[node_id]
