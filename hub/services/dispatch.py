"""Dispatch (派单): which outlet should take an order, and sending it there.

The suggestion weighs every active outlet by coverage (the customer's district or city,
else a nearby outlet of the same region), product qualification (the model's category)
and load (open orders against outlets.capacity), and says why for each: the candidates
best first with their reasons and score, and the outlets left out with theirs. The agent
confirms the best one or overrides it with a reason; both are recorded in
`hq_dispatches`. Creating an order mints its HQ-<n> number (counter in the hub's _meta,
in the same transaction), sets its SLA due times from the matching policy and writes it
through HubStore.write, which relays it (with its customer) to the outlet's bucket.

A declined order is re-dispatched (declined -> new, another outlet_id; the hub store moves
the row with its events and customer to the new bucket); an order can be cancelled with
a reason. SLA due times stay those of the order's creation: the customer's clock runs on."""
import json
from dataclasses import dataclass

from shared import phone as phones
from shared import sla
from shared import vocabulary as vocab
from shared.errors import ServiceError
from shared.intake import (COVER_CITY, COVER_DISTRICT, COVER_REGION, LOAD_POINTS,
                           UNKNOWN_CAPACITY_POINTS, DispatchKind, normal_phone, reason)
from shared.labels import in_sentence, label, pair
from shared.numbering import hq_counter_of, hq_number
from shared.orders import HUB, OPEN, OrderType, Priority, Status, can_transition
from shared.roles import HqWork
from shared.warranty import parse_date
from shared.periods import local_date

from hub.services.context import new_id
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_dispatches (id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
        kind TEXT NOT NULL, outlet_id TEXT NOT NULL, from_outlet_id TEXT,
        suggested_outlet_id TEXT, score INTEGER, override INTEGER NOT NULL, reason TEXT,
        decline_reason TEXT, at INTEGER NOT NULL, by TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_dispatches_order ON hq_dispatches (order_id, at)",
    # The dispatch queue reads declined orders by status alone (hub-side index).
    "CREATE INDEX IF NOT EXISTS ix_hq_service_orders_status ON service_orders (status)",
)
COUNTER_KEY = "hq_order_counter"
MINUTE_MS = 60_000
# What counts as an outlet's load: orders it holds that are not finished or handed back.
LOAD_STATUSES = tuple(sorted(str(s) for s in OPEN - {Status.DECLINED}))


@dataclass(frozen=True)
class Candidate:
    outlet_id: str
    code: str
    name: str
    score: int
    reasons: tuple[tuple[str, str], ...]   # (zh, en) each
    open_orders: int
    capacity: int | None

    def why(self, lang: str = "zh") -> list[str]:
        return [r[1] if lang == "en" else r[0] for r in self.reasons]


@dataclass(frozen=True)
class Excluded:
    outlet_id: str
    code: str
    name: str
    reasons: tuple[tuple[str, str], ...]

    def why(self, lang: str = "zh") -> list[str]:
        return [r[1] if lang == "en" else r[0] for r in self.reasons]

    def why_line(self, lang: str = "zh") -> str:
        """The reasons as one line, joined as the language writes a list."""
        return ("; " if lang == "en" else "；").join(self.why(lang))


@dataclass(frozen=True)
class Suggestion:
    candidates: tuple[Candidate, ...]      # best first
    excluded: tuple[Excluded, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def candidate(self, outlet_id: str) -> Candidate | None:
        return next((c for c in self.candidates if c.outlet_id == outlet_id), None)


@dataclass(frozen=True, slots=True)
class DispatchedOrder:
    """Where an order went (created or re-dispatched), named for the confirmation."""
    order_id: str
    number: str
    outlet_id: str | None         # None: saved for manual dispatch
    outlet_name: str
    override: bool


@dataclass(frozen=True, slots=True)
class QueuedOrder:
    """An order waiting for HQ: declined by its outlet (with the reason) or never dispatched."""
    id: str
    number: str
    status: str
    status_label: str
    customer_name: str
    city: str
    model_code: str
    outlet_code: str | None       # the outlet that declined it
    decline_reason: str | None
    created_at: int | None


@dataclass(frozen=True, slots=True)
class OrderAtHq:
    """One order as the dispatch screen shows it: status, where it is and why it came back."""
    id: str
    number: str
    status: str
    status_label: str
    address: str
    fault_description: str
    customer_name: str
    outlet_id: str | None
    outlet_name: str
    decline_reason: str | None    # the outlet's, while the order is declined


@dataclass(frozen=True, slots=True)
class DispatchLine:
    """One dispatch of an order (hq_dispatches): where, suggested where, override and why."""
    at: int
    kind: str
    outlet_id: str
    outlet_code: str
    from_outlet_id: str | None
    suggested_code: str | None
    override: bool
    reason: str | None
    decline_reason: str | None
    by: str | None


def _json_list(value) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return value if isinstance(value, (list, dict)) else []


def coverage_of(value) -> tuple[list[str], list[str]]:
    """(cities, districts) an outlet covers. outlets.coverage is a list of place names
    (the demo lists cities) or {"cities": [...], "districts": [...]}; in a list, a name
    that is not a known city is taken as a district."""
    v = _json_list(value)
    if isinstance(v, dict):
        return [str(c) for c in v.get("cities") or []], [str(d) for d in v.get("districts") or []]
    known = {c for r in vocab.regions() for c in r["cities"]}
    names = [str(x) for x in v if x]
    return [n for n in names if n in known], [n for n in names if n not in known]


def region_of(city: str | None) -> str | None:
    return next((r["name"] for r in vocab.regions() if city in r["cities"]), None)


def category_words(code: str | None) -> tuple[str, str]:
    return pair("product_category", code) if code else ("", "")


def dispatch_lines(ctx, order_id: str) -> list[DispatchLine]:
    """Every dispatch of the order (hq_dispatches), in the order they happened; the caller
    checks the role (the dispatch screen's, or the ticket query's full record)."""
    return [DispatchLine(d["at"], d["kind"], d["outlet_id"], d["outlet_code"] or "", d["from_outlet_id"],
                         d["suggested_code"], bool(d["override"]), d["reason"], d["decline_reason"], d["by"])
            for d in ctx.query(
        "SELECT d.*, o.code AS outlet_code, s.code AS suggested_code FROM hq_dispatches d "
        "LEFT JOIN outlets o ON o.id = d.outlet_id LEFT JOIN outlets s ON s.id = d.suggested_outlet_id "
        "WHERE d.order_id = ? ORDER BY d.at, d.rowid", (order_id,))]


class Dispatch:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- the suggestion ----

    def suggest(self, session: HubSession | None, *, customer_id: str | None = None,
                city: str | None = None, address: str | None = None,
                product_model_id: str | None = None, exclude=()) -> Suggestion:
        """Outlets for an order at this place and for this product, best first, and those
        left out; `exclude`: outlets that declined the order. The city and address default
        to the customer's."""
        if session is not None:
            self.ctx.allow(session, HqWork.DISPATCH)
        if customer_id and not (city and address):
            cust = self.ctx.row("customers", customer_id) or {}
            city, address = city or cust.get("city"), address or cust.get("address")
        model = self.ctx.row("product_models", product_model_id) if product_model_id else None
        return self._suggest(city, address, (model or {}).get("category"), set(exclude))

    def suggest_for(self, session: HubSession, order_id: str) -> Suggestion:
        """The suggestion for an order already made (a declined one): its customer's city,
        its address and model; the outlets that declined it left out."""
        self.ctx.allow(session, HqWork.DISPATCH)
        order = self._order(order_id)
        return self.suggest(None, customer_id=order.get("customer_id"), address=order.get("address"),
                            product_model_id=order.get("product_model_id"), exclude=self._declined_by(order))

    def _suggest(self, city, address, category, exclude: set) -> Suggestion:
        city, address = (city or "").strip(), (address or "").strip()
        region = region_of(city)
        cat = category_words(category)
        candidates, excluded = [], []
        for o in self.ctx.query("SELECT * FROM outlets WHERE COALESCE(active, 1) != 0 ORDER BY code"):
            why, out = [], []
            cities, districts = coverage_of(o.get("coverage"))
            district = next((d for d in districts if d and d in address), None)
            points = 0
            if district:
                points = COVER_DISTRICT
                why.append(reason("covers_district", district=district))
            elif city and city in cities:
                points = COVER_CITY
                why.append(reason("covers_city", city=city))
            elif region and o.get("region") == region:
                points = COVER_REGION
                why.append(reason("same_region", city=city, region=region))
            else:
                out.append(reason("not_covered", city=city or "—"))
            if category:
                quals = [str(q) for q in _json_list(o.get("qualifications")) or []]
                if category in quals:
                    why.append(reason("qualified", category=cat))
                else:
                    out.append(reason("not_qualified", category=cat))
            if o["id"] in exclude:
                out.append(reason("declined_before"))
            base = {"outlet_id": o["id"], "code": o.get("code") or "", "name": o.get("name") or ""}
            if out:
                excluded.append(Excluded(**base, reasons=tuple(out)))
                continue
            load = self.open_orders(o["id"])
            capacity = o.get("capacity") if isinstance(o.get("capacity"), int) and o["capacity"] > 0 else None
            if capacity is None:
                points += UNKNOWN_CAPACITY_POINTS
                why.append(reason("load_unknown", open=load))
            elif load >= capacity:
                excluded.append(Excluded(**base, reasons=(reason("full", open=load, capacity=capacity),)))
                continue
            else:
                points += round(LOAD_POINTS * (capacity - load) / capacity)
                why.append(reason("load", open=load, capacity=capacity))
            candidates.append(Candidate(**base, score=points, reasons=tuple(why), open_orders=load,
                                        capacity=capacity))
        candidates.sort(key=lambda c: (-c.score, c.open_orders, c.code))
        return Suggestion(tuple(candidates), tuple(excluded))

    def open_orders(self, outlet_id: str) -> int:
        marks = ",".join("?" * len(LOAD_STATUSES))
        return self.ctx.scalar(f"SELECT COUNT(*) FROM service_orders WHERE outlet_id = ? AND status IN ({marks})",
                               (outlet_id, *LOAD_STATUSES)) or 0

    # ---- choosing the outlet ----

    def _choose(self, suggestion: Suggestion, outlet_id: str | None, suggested_outlet_id: str | None,
                override_reason: str | None) -> tuple[dict, bool, str | None]:
        """(outlet, override?, reason). No outlet given: the best candidate. Another
        outlet than the best (or than the one the agent was shown, if still a candidate)
        is an override and needs a reason."""
        best = suggestion.best
        if not outlet_id:
            if best is None:
                raise ServiceError.of("no_outlet", field="outlet_id")
            outlet_id = best.outlet_id
        outlet = self.ctx.row("outlets", outlet_id)
        if outlet is None or outlet.get("active") is False or outlet.get("active") == 0:
            raise ServiceError.of("outlet_unknown", field="outlet_id")
        confirmed = (best is not None and outlet_id == best.outlet_id) or (
            suggested_outlet_id == outlet_id and suggestion.candidate(outlet_id) is not None)
        text = (override_reason or "").strip() or None
        if not confirmed and not text:
            raise ServiceError.of("override_reason", field="override_reason")
        return outlet, not confirmed, text

    # ---- creating an order ----

    def create_order(self, session: HubSession, *, customer_id: str, type: str = OrderType.REPAIR,
                     product_model_id: str | None = None, serial_no: str | None = None,
                     purchase_date: str | None = None, fault_description: str | None = None,
                     fault_code: str | None = None, priority: str = Priority.NORMAL,
                     contact_name: str | None = None, contact_phone: str | None = None,
                     address: str | None = None, notes: str | None = None,
                     outlet_id: str | None = None, suggested_outlet_id: str | None = None,
                     override_reason: str | None = None, manual: bool = False) -> DispatchedOrder:
        """A new order from HQ (status new, source hub) dispatched to `outlet_id`, or to the
        best suggestion when None. Contact, phone and address default to the customer's.
        `manual`: saved without an outlet (a city no outlet covers), waiting in the dispatch
        queue for a person to choose one."""
        ctx = self.ctx
        ctx.allow(session, HqWork.DISPATCH)
        fields = self._order_fields(customer_id=customer_id, type=type, product_model_id=product_model_id,
                                    serial_no=serial_no, purchase_date=purchase_date,
                                    fault_description=fault_description, fault_code=fault_code,
                                    priority=priority, contact_name=contact_name, contact_phone=contact_phone,
                                    address=address, notes=notes)
        order_id = new_id()
        with ctx.tx() as c:
            now = ctx.now()
            if manual:
                number = self._mint(c)
                ctx.write(session, [{"op": "put", "table": "service_orders", "id": order_id, "fields": {
                    **fields, "number": number, "status": str(Status.NEW), "source": HUB, "created_at": now,
                    **self._sla_dues(fields["type"], fields["priority"], now)}}])
                ctx.audit(session, "order_queued_manual", order_id, number)
                return DispatchedOrder(order_id, number, None, "", False)
            suggestion = self.suggest(None, customer_id=customer_id, address=fields["address"],
                                      product_model_id=product_model_id)
            outlet, override, why = self._choose(suggestion, outlet_id, suggested_outlet_id, override_reason)
            number = self._mint(c)
            dues = self._sla_dues(fields["type"], fields["priority"], now)
            ctx.write(session, [{"op": "put", "table": "service_orders", "id": order_id, "fields": {
                **fields, "number": number, "outlet_id": outlet["id"], "status": str(Status.NEW),
                "source": HUB, "created_at": now, **dues}}])
            self._record(session, order_id, DispatchKind.DISPATCH, outlet["id"], None, suggestion, override, why)
        return DispatchedOrder(order_id, number, outlet["id"], outlet.get("name") or "", override)

    def _order_fields(self, *, customer_id, type, product_model_id, serial_no, purchase_date,
                      fault_description, fault_code, priority, contact_name, contact_phone,
                      address, notes) -> dict:
        ctx = self.ctx
        customer = ctx.row("customers", customer_id) if customer_id else None
        if customer is None:
            raise ServiceError.of("not_found", field="customer_id", thing=("客户", "customer"))
        if type not in (OrderType.REPAIR, OrderType.INSTALL, OrderType.MAINTENANCE, OrderType.INSPECTION):
            raise ServiceError.on_field("bad_choice", "type")
        if priority not in set(Priority):
            raise ServiceError.on_field("bad_choice", "priority")
        model = ctx.row("product_models", product_model_id) if product_model_id else None
        if model is None or model.get("active") in (False, 0):
            raise ServiceError.of("bad_choice", field="product_model_id", what=pair("field", "product_model_id"))
        clean = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in {
            "contact_name": contact_name, "contact_phone": contact_phone, "address": address,
            "fault_description": fault_description, "fault_code": fault_code, "serial_no": serial_no,
            "purchase_date": purchase_date, "notes": notes}.items()}
        clean["contact_name"] = clean["contact_name"] or customer.get("name")
        clean["contact_phone"] = clean["contact_phone"] or customer.get("phone")
        clean["address"] = clean["address"] or customer.get("address")
        for f in ("contact_name", "contact_phone", "address"):
            if not clean[f]:
                raise ServiceError.on_field("required", f)
        if not phones.plausible(clean["contact_phone"]):
            raise ServiceError.of("bad_phone", field="contact_phone")
        clean["contact_phone"] = normal_phone(clean["contact_phone"])
        if type == OrderType.REPAIR and not clean["fault_description"]:
            raise ServiceError.on_field("required", "fault_description")
        if clean["purchase_date"]:
            d = parse_date(clean["purchase_date"])
            if d is None or len(clean["purchase_date"]) != 10 or d > local_date(ctx.now()):
                raise ServiceError.on_field("bad_date", "purchase_date")
        return {"customer_id": customer_id, "type": str(type), "priority": str(priority),
                "product_model_id": product_model_id,
                **{k: v for k, v in clean.items() if v is not None}}

    def _mint(self, c) -> str:
        """The next HQ-<n>: past both the stored counter and any HQ number already on an
        order (the demo data and older runs minted some), in the caller's transaction."""
        store = self.ctx.hub
        last = int(store.meta_get(COUNTER_KEY, 0) or 0)
        top = c.execute("SELECT number FROM service_orders WHERE number >= 'HQ-' AND number < 'HQ.' "
                        "ORDER BY number DESC LIMIT 1").fetchone()
        n = max(last, (hq_counter_of(top[0]) or 0) if top else 0) + 1
        store.meta_set(COUNTER_KEY, n)
        return hq_number(n)

    def _sla_dues(self, order_type: str, priority: str, created_at: int) -> dict:
        policies = self.ctx.query("SELECT * FROM sla_policies")
        for p in policies:
            p["active"] = p.get("active") not in (0, False)
        policy = sla.policy_for(policies, order_type, priority)
        if policy is None:
            return {}
        out = {}
        for name, column in (("accept_within_min", "sla_accept_due"), ("on_site_within_min", "sla_on_site_due"),
                             ("complete_within_min", "sla_complete_due")):
            if isinstance(policy.get(name), int):
                out[column] = created_at + policy[name] * MINUTE_MS
        return out

    def _record(self, session, order_id, kind, outlet_id, from_outlet_id, suggestion: Suggestion,
                override: bool, why: str | None, decline_reason: str | None = None) -> None:
        best = suggestion.best
        chosen = suggestion.candidate(outlet_id)
        self.ctx.insert("hq_dispatches", {
            "order_id": order_id, "kind": str(kind), "outlet_id": outlet_id, "from_outlet_id": from_outlet_id,
            "suggested_outlet_id": best.outlet_id if best else None, "score": chosen.score if chosen else None,
            "override": 1 if override else 0, "reason": why, "decline_reason": decline_reason,
            "at": self.ctx.now(), "by": session.user_id})
        code = self.ctx.scalar("SELECT code FROM outlets WHERE id = ?", (outlet_id,)) or outlet_id
        self.ctx.audit(session, f"order_{kind}", order_id, code + (f" override: {why}" if override else ""))

    # ---- declined orders: re-dispatch; cancelling ----

    def queue(self, session: HubSession) -> list[QueuedOrder]:
        """Orders waiting for HQ: declined ones (with the outlet's reason) and new ones
        without an outlet, the oldest first."""
        self.ctx.allow(session, HqWork.DISPATCH)
        rows = self.ctx.query(
            "SELECT o.id, o.number, o.status, o.created_at, c.name AS customer_name, c.city,"
            " t.code AS outlet_code, m.code AS model_code "
            "FROM service_orders o LEFT JOIN customers c ON c.id = o.customer_id "
            "LEFT JOIN outlets t ON t.id = o.outlet_id LEFT JOIN product_models m ON m.id = o.product_model_id "
            "WHERE o.status = ? OR (o.status = ? AND o.outlet_id IS NULL) ORDER BY o.created_at",
            (str(Status.DECLINED), str(Status.NEW)))
        return [QueuedOrder(r["id"], r["number"] or "", r["status"], label("status", r["status"], session.lang),
                            r["customer_name"] or "", r["city"] or "", r["model_code"] or "", r["outlet_code"],
                            self._decline_reason(r["id"]) if r["status"] == Status.DECLINED else None, r["created_at"])
                for r in rows]

    def _decline_reason(self, order_id: str) -> str | None:
        return self.ctx.scalar("SELECT reason FROM order_events WHERE order_id = ? AND to_status = ? "
                               "ORDER BY at DESC LIMIT 1", (order_id, str(Status.DECLINED)))

    def _declined_by(self, order: dict) -> set[str]:
        """The outlets that handed this order back: earlier re-dispatches' and the current
        one when it is declined."""
        out = {r["from_outlet_id"] for r in self.ctx.query(
            "SELECT from_outlet_id FROM hq_dispatches WHERE order_id = ? AND from_outlet_id IS NOT NULL",
            (order["id"],))}
        if order.get("status") == Status.DECLINED and order.get("outlet_id"):
            out.add(order["outlet_id"])
        return out

    def redispatch(self, session: HubSession, order_id: str, outlet_id: str | None = None, *,
                   suggested_outlet_id: str | None = None, override_reason: str | None = None) -> DispatchedOrder:
        """Send a declined order (or a new one without an outlet) to another outlet: the
        best suggestion unless `outlet_id` names one."""
        ctx = self.ctx
        ctx.allow(session, HqWork.DISPATCH)
        with ctx.tx():
            order = self._order(order_id)
            status = order.get("status")
            if status == Status.DECLINED:
                if not can_transition(status, Status.NEW, HUB):  # the state machine decides
                    raise self._illegal(order, "redispatch")
            elif not (status == Status.NEW and not order.get("outlet_id")):
                raise self._illegal(order, "redispatch")
            suggestion = self.suggest(None, customer_id=order.get("customer_id"), address=order.get("address"),
                                      product_model_id=order.get("product_model_id"),
                                      exclude=self._declined_by(order))
            outlet, override, why = self._choose(suggestion, outlet_id, suggested_outlet_id, override_reason)
            decline = self._decline_reason(order_id) if status == Status.DECLINED else None
            ctx.write(session, [{"op": "put", "table": "service_orders", "id": order_id,
                                 "fields": {"status": str(Status.NEW), "outlet_id": outlet["id"]}}])
            self._record(session, order_id, DispatchKind.REDISPATCH if status == Status.DECLINED
                         else DispatchKind.DISPATCH, outlet["id"], order.get("outlet_id"), suggestion,
                         override, why, decline)
        return DispatchedOrder(order_id, order.get("number") or "", outlet["id"], outlet.get("name") or "", override)

    def cancel(self, session: HubSession, order_id: str, reason_text: str) -> None:
        """HQ cancels an order (the customer withdrew, a duplicate …) with the reason."""
        ctx = self.ctx
        ctx.allow(session, HqWork.DISPATCH)
        with ctx.tx():
            order = self._order(order_id)
            if not can_transition(order.get("status"), Status.CANCELLED, HUB):
                raise self._illegal(order, "cancel")
            text = (reason_text or "").strip()
            if not text:
                raise ServiceError.on_field("required", "reason")
            ctx.write(session, [{"op": "put", "table": "service_orders", "id": order_id, "fields": {
                "status": str(Status.CANCELLED), "closed_at": ctx.now(), "closed_reason": text}}])
            ctx.audit(session, "order_cancelled", order_id, text)

    def history(self, session: HubSession, order_id: str) -> list[DispatchLine]:
        """Every dispatch of the order: where, suggested where, override and why."""
        self.ctx.allow(session, HqWork.DISPATCH)
        return dispatch_lines(self.ctx, order_id)

    def order(self, session: HubSession, order_id: str) -> OrderAtHq:
        """One order with its customer's and outlet's names, for the dispatch screen."""
        self.ctx.allow(session, HqWork.DISPATCH)
        self._order(order_id)
        o = self.ctx.one(
            "SELECT o.id, o.number, o.status, o.address, o.fault_description, o.outlet_id,"
            " c.name AS customer_name, t.name AS outlet_name "
            "FROM service_orders o LEFT JOIN customers c ON c.id = o.customer_id "
            "LEFT JOIN outlets t ON t.id = o.outlet_id WHERE o.id = ?", (order_id,))
        return OrderAtHq(o["id"], o["number"] or "", o["status"], label("status", o["status"], session.lang),
                         o["address"] or "", o["fault_description"] or "", o["customer_name"] or "",
                         o["outlet_id"], o["outlet_name"] or "",
                         self._decline_reason(order_id) if o["status"] == Status.DECLINED else None)

    def find(self, session: HubSession, number: str) -> OrderAtHq:
        """An order by its number (HQ-0000123, SH01-A-000042)."""
        self.ctx.allow(session, HqWork.DISPATCH)
        row = self.ctx.one("SELECT id FROM service_orders WHERE number = ?", ((number or "").strip(),))
        if row is None:
            raise ServiceError.of("not_found", thing=pair("table", "service_orders"))
        return self.order(session, row["id"])

    # ---- helpers ----

    def _order(self, order_id: str) -> dict:
        order = self.ctx.row("service_orders", order_id)
        if order is None:
            raise ServiceError.of("not_found", thing=pair("table", "service_orders"))
        return order

    @staticmethod
    def _illegal(order: dict, action: str) -> ServiceError:
        return ServiceError.of("illegal_transition", status=in_sentence("status", order.get("status")),
                               action=pair("hq_action", action))
