"""Call intake (来电受理): who is calling, and what they asked for.

An agent looks the caller up by phone (the full number or its last digits): a returning
customer comes with their orders (status, model, outlet) and membership in one card; a new
one is created (a replicated, hub-owned `customers` row). Every call is recorded in the
hub-only `hq_requests` as repair / install / consult / complaint / praise:

- repair / install become a service order dispatched to an outlet (hub/services/dispatch);
- a consult records the knowledge-base article that answered it;
- a complaint goes to a department's queue with a deadline (services.complaints.open);
- praise is recorded, linked to the order it names.

`record_request` does all of this in one transaction, so a refusal leaves nothing behind:

    rec = services.intake.record_request(agent, type="repair", customer_id=cid,
                                         summary="空调不制冷", order={"product_model_id": m,
                                         "fault_description": "不制冷"})
    rec.request_id, rec.order_id, rec.order_number, rec.outlet_id
"""
from dataclasses import dataclass, field

from shared import phone as phones
from shared.complaints import ComplaintSource, Severity
from shared.errors import ServiceError
from shared.intake import MEMBER_LEVELS, ORDER_REQUESTS, PHONE_TAIL_MIN, RequestType, normal_phone
from shared.labels import label, pair
from shared.roles import HqWork

from hub.services.context import new_id
from hub.services.master_data import FaultCode
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_requests (id TEXT PRIMARY KEY, type TEXT NOT NULL,
        customer_id TEXT, phone TEXT, summary TEXT, order_id TEXT, kb_article_id TEXT,
        complaint_id TEXT, outlet_id TEXT, created_at INTEGER NOT NULL, created_by TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_requests_customer ON hq_requests (customer_id, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_requests_type ON hq_requests (type, created_at)",
    # A lookup by the number's last digits reads this index, not every customer (hub-side).
    f"CREATE INDEX IF NOT EXISTS ix_hq_customers_phone_tail ON customers (substr(phone, -{PHONE_TAIL_MIN}))",
)
HISTORY_LIMIT = 50
MATCH_LIMIT = 20
ORDER_FIELDS = ("product_model_id", "serial_no", "purchase_date", "fault_description", "fault_code",
                "priority", "contact_name", "contact_phone", "address", "notes",
                "fault_code_id", "fault_detail")  # the fault picked from master data, and words beside it


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    phone: str
    city: str
    address: str
    member_level: str | None


@dataclass(frozen=True, slots=True)
class PastOrder:
    """One of the customer's orders, as the card lists it (labels in the agent's language)."""
    id: str
    number: str
    type: str
    type_label: str
    status: str
    status_label: str
    created_at: int | None
    fault_description: str
    serial_no: str
    purchase_date: str
    product_model_id: str | None
    model_code: str
    outlet_name: str


@dataclass(frozen=True, slots=True)
class PastCall:
    """An earlier call: when, what kind, the order or article it led to, what was said."""
    created_at: int
    type: str
    type_label: str
    about: str        # the order's number or the article's title
    summary: str


@dataclass(frozen=True, slots=True)
class ModelChoice:
    id: str
    code: str
    name: str
    category: str


@dataclass(frozen=True)
class FaultGroup:
    """A fault category of the product's category and its faults, as the picker offers them."""
    id: str
    label: str
    faults: list[FaultCode]


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str


@dataclass(frozen=True)
class CustomerCard:
    """A returning customer as the agent sees them: who, membership, past orders (newest
    first) and earlier calls."""
    customer: Customer
    orders: list[PastOrder]
    requests: list[PastCall]

    @property
    def id(self) -> str:
        return self.customer.id

    @property
    def member(self) -> bool:
        return bool(self.customer.member_level)


@dataclass(frozen=True)
class Lookup:
    digits: str
    customers: list[CustomerCard] = field(default_factory=list)

    @property
    def returning(self) -> bool:
        return bool(self.customers)


@dataclass(frozen=True)
class RecordedRequest:
    request_id: str
    type: str
    customer_id: str
    order_id: str | None = None
    order_number: str | None = None
    outlet_id: str | None = None
    outlet_name: str | None = None
    override: bool = False
    complaint_id: str | None = None
    department: tuple[str, str] | None = None   # the complaint's department, (zh, en)
    deadline_at: int | None = None              # the complaint's

    def department_name(self, lang: str) -> str:
        """Worded when shown: the confirmation outlives a switch of language."""
        zh, en = self.department or ("", "")
        return (en if lang == "en" else None) or zh
    kb_article_id: str | None = None


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _required(value, name: str) -> str:
    text = _text(value)
    if not text:
        raise ServiceError.of("required", field=name, what=pair("intake_field", name))
    return text


class Intake:
    def __init__(self, ctx, dispatch, complaints, kb, master_data, customers):
        self.ctx, self.dispatch, self.complaints, self.kb = ctx, dispatch, complaints, kb
        self.master_data, self.customers = master_data, customers

    # ---- who is calling ----

    def lookup(self, session: HubSession, phone: str) -> Lookup:
        """Customers with this number (exact match) or, for a shorter input, whose number
        ends in these digits. No match: a new caller."""
        self.ctx.allow(session, HqWork.INTAKE)
        d = normal_phone(phone)
        if len(d) < PHONE_TAIL_MIN or len(d) > 15 or any(ch.isalpha() for ch in (phone or "")):
            raise ServiceError.of("phone_query", field="phone")
        rows = self.ctx.query("SELECT * FROM customers WHERE phone = ? ORDER BY created_at", (d,))
        if not rows and len(d) < 11:
            rows = self.ctx.query(f"SELECT * FROM customers WHERE substr(phone, -{PHONE_TAIL_MIN}) = ? "
                                  "AND phone LIKE ? ORDER BY name LIMIT ?", (d[-PHONE_TAIL_MIN:], "%" + d, MATCH_LIMIT))
        kept: dict[str, dict] = {}
        for r in rows:  # a duplicate merged away stands for the customer it became
            target = self.ctx.row("customers", r["merged_into"]) if r.get("merged_into") else r
            if target is not None:
                kept.setdefault(target["id"], target)
        return Lookup(d, [self._card(r, session.lang) for r in kept.values()])

    def card(self, session: HubSession, customer_id: str) -> CustomerCard:
        self.ctx.allow(session, HqWork.INTAKE)
        row = self.ctx.row("customers", customer_id)
        if row is None:
            raise ServiceError.of("not_found", thing=("客户", "customer"))
        return self._card(row, session.lang)

    def _card(self, customer: dict, lang: str) -> CustomerCard:
        ids = self.customers.ids_of(customer["id"])
        marks = ", ".join("?" for _ in ids)
        orders = self.ctx.query(
            "SELECT o.id, o.number, o.type, o.status, o.created_at, o.fault_description, o.serial_no,"
            " o.purchase_date, o.product_model_id, o.outlet_id, o.closed_at, m.code AS model_code,"
            " m.name AS model_name, t.code AS outlet_code, t.name AS outlet_name "
            "FROM service_orders o LEFT JOIN product_models m ON m.id = o.product_model_id "
            f"LEFT JOIN outlets t ON t.id = o.outlet_id WHERE o.customer_id IN ({marks}) "
            "ORDER BY o.created_at DESC LIMIT ?", (*ids, HISTORY_LIMIT))
        requests = self.ctx.query(
            "SELECT r.*, o.number AS order_number, a.title AS article_title FROM hq_requests r "
            "LEFT JOIN service_orders o ON o.id = r.order_id LEFT JOIN kb_articles a ON a.id = r.kb_article_id "
            "WHERE r.customer_id = ? ORDER BY r.created_at DESC LIMIT ?", (customer["id"], HISTORY_LIMIT))
        return CustomerCard(
            Customer(customer["id"], customer.get("name") or "", customer.get("phone") or "",
                     customer.get("city") or "", customer.get("address") or "", customer.get("member_level")),
            [PastOrder(o["id"], o["number"] or "", o["type"], label("order_type", o["type"], lang), o["status"],
                       label("status", o["status"], lang), o["created_at"], o["fault_description"] or "",
                       o["serial_no"] or "", o["purchase_date"] or "", o["product_model_id"], o["model_code"] or "",
                       o["outlet_name"] or "") for o in orders],
            [_call(r, lang) for r in requests])

    # ---- the customer's record ----

    def save_customer(self, session: HubSession, customer_id: str | None = None, *, name: str,
                      phone: str, city: str, address: str, member_level: str | None = None) -> str:
        """Create (customer_id None) or edit a customer; returns the id. The phone is
        stored as digits; two customers never share a number."""
        ctx = self.ctx
        ctx.allow(session, HqWork.INTAKE)
        fields = {"name": _required(name, "name"), "city": _required(city, "city"),
                  "address": _required(address, "address")}
        raw = _required(phone, "phone")
        if not phones.plausible(raw):
            raise ServiceError.of("bad_phone", field="phone")
        fields["phone"] = normal_phone(raw)
        level = _text(member_level) or None
        if level is not None and level not in MEMBER_LEVELS:
            raise ServiceError.of("bad_choice", field="member_level", what=pair("intake_field", "member_level"))
        fields["member_level"] = level
        with ctx.tx():
            if customer_id is not None and ctx.row("customers", customer_id) is None:
                raise ServiceError.of("not_found", thing=("客户", "customer"))
            other = ctx.one("SELECT id, name FROM customers WHERE phone = ? AND id != ?",
                            (fields["phone"], customer_id or ""))
            if other is not None:
                raise ServiceError.of("phone_taken", field="phone", phone=fields["phone"], name=other["name"])
            new = customer_id is None
            customer_id = customer_id or new_id()
            if new:
                fields["created_at"] = ctx.now()
            ctx.write(session, [{"op": "put", "table": "customers", "id": customer_id, "fields": fields}])
            ctx.audit(session, "customer_created" if new else "customer_edited", customer_id)
        return customer_id

    def models(self, session: HubSession) -> list[ModelChoice]:
        """The active product models an order may name, by code."""
        self.ctx.allow(session, HqWork.INTAKE)
        return [ModelChoice(m["id"], m["code"] or "", m["name"] or "", m["category"] or "") for m in self.ctx.query(
            "SELECT id, code, name, category FROM product_models WHERE COALESCE(active, 1) != 0 ORDER BY code")]

    def faults(self, session: HubSession, product_model_id: str | None) -> list[FaultGroup]:
        """The active fault categories of the model's product category, each with its
        active faults (master data's `fault_codes`); empty when the model is unknown or
        its category has none yet."""
        self.ctx.allow(session, HqWork.INTAKE)
        model = self.ctx.row("product_models", product_model_id) if product_model_id else None
        if model is None or not model.get("category"):
            return []
        md = self.master_data
        codes = md.fault_codes(session, category=model["category"], active_only=True)
        return [FaultGroup(g.id, g.label(session.lang), [c for c in codes if c.fault_category_id == g.id])
                for g in md.fault_categories(session, model["category"], active_only=True)
                if any(c.fault_category_id == g.id for c in codes)]

    def _fault(self, session: HubSession, kind: RequestType, form: dict) -> dict:
        """The order's fault from the one picked (`fault_code_id`, or its `fault_code`) among
        the faults of the product's category, with the agent's words beside it
        (`fault_detail`). A repair of a category that has faults must pick one."""
        picked_id, detail = form.pop("fault_code_id", None), _text(form.pop("fault_detail", None))
        model = self.ctx.row("product_models", form.get("product_model_id") or "")
        category = (model or {}).get("category")
        faults = self.master_data.fault_codes(session, category=category, active_only=True) if category else []
        picked = None
        if picked_id:
            picked = next((f for f in faults if f.id == picked_id), None)
            if picked is None:
                raise ServiceError.of("fault_other_category", field="fault_code_id")
        elif form.get("fault_code"):
            picked = next((f for f in faults if f.code == str(form["fault_code"]).strip().upper()), None)
        else:  # a fault named in words by a caller of the service (the CLI, a script)
            said = _text(form.get("fault_description"))
            picked = next((f for f in sorted(faults, key=lambda f: -len(f.name)) if said.startswith(f.name)), None)
        if picked is None:
            if kind == RequestType.REPAIR and faults:
                raise ServiceError.of("fault_required", field="fault_code_id")
            if detail and not _text(form.get("fault_description")):
                form["fault_description"] = detail
            return form
        form["fault_code"] = picked.code
        if not _text(form.get("fault_description")):
            form["fault_description"] = f"{picked.name}：{detail}" if detail else picked.name
        return form

    # ---- knowledge base ----

    def search_kb(self, session: HubSession, query: str, limit: int = 10):
        return self.kb.search(session, query, limit)

    def article(self, session: HubSession, article_id: str) -> Article:
        """An active article in full, for the agent to read the answer out."""
        self.ctx.allow(session, HqWork.INTAKE)
        a = self.kb.article(article_id)
        if a is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        return Article(a["id"], a.get("title") or "", a.get("body") or "")

    # ---- recording the call ----

    def record_request(self, session: HubSession, *, type: str, customer_id: str | None = None,
                       customer: dict | None = None, summary: str | None = None, phone: str | None = None,
                       order: dict | None = None, outlet_id: str | None = None,
                       suggested_outlet_id: str | None = None, override_reason: str | None = None,
                       kb_article_id: str | None = None, department_id: str | None = None,
                       severity: str = Severity.NORMAL, order_id: str | None = None,
                       manual_dispatch: bool = False) -> RecordedRequest:
        """Record a call and do what it asks, all in one transaction.

        `customer_id` (a known customer) or `customer` (fields for save_customer: a new
        caller). `type`: repair / install / consult / complaint / praise.
        repair/install: `order` = {product_model_id, fault_description, serial_no,
        purchase_date, fault_code, priority, contact_name, contact_phone, address, notes};
        the order goes to `outlet_id`, or to the best suggestion when None; another outlet
        than the suggested one needs `override_reason`; `manual_dispatch`: saved without an
        outlet, queued for a person to dispatch (a city no outlet covers). consult: `kb_article_id`, the article
        that answered (optional). complaint: `department_id`, `severity`, `order_id`
        (optional). praise: `order_id` it names (optional). `summary`: what the caller said
        (required for consult, complaint and praise; defaults to the fault for orders)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.INTAKE)
        try:
            kind = RequestType(type)
        except ValueError:
            raise ServiceError.of("bad_choice", field="type", what=pair("intake_field", "type")) from None
        if kind in ORDER_REQUESTS:
            ctx.allow(session, HqWork.DISPATCH)
        if customer_id is None and customer is None:
            raise ServiceError.of("required", field="customer_id", what=pair("intake_field", "customer_id"))
        unknown = set(order or {}) - set(ORDER_FIELDS)
        if unknown:  # a caller's mistake, not the agent's
            raise TypeError(f"unknown order fields: {sorted(unknown)}")
        text = _text(summary)
        with ctx.tx():
            if customer_id is None:
                customer_id = self.save_customer(session, **customer)
            else:
                known = ctx.row("customers", customer_id)
                if known is None:
                    raise ServiceError.of("not_found", thing=("客户", "customer"))
                if known.get("merged_into"):
                    raise ServiceError.of("merged_customer", field="customer_id")
            caller = normal_phone(phone)  # the number that called, when the agent has it whole
            rec = {"type": str(kind), "customer_id": customer_id, "created_at": ctx.now(),
                   "created_by": session.user_id,
                   "phone": caller if len(caller) >= 7 else ctx.scalar("SELECT phone FROM customers WHERE id = ?",
                                                                       (customer_id,))}
            out = {}
            if kind in ORDER_REQUESTS:
                form = self._fault(session, kind, dict(order or {}))
                created = self.dispatch.create_order(
                    session, customer_id=customer_id, type=ORDER_REQUESTS[kind], outlet_id=outlet_id,
                    suggested_outlet_id=suggested_outlet_id, override_reason=override_reason,
                    manual=manual_dispatch, **form)
                text = text or _text(form.get("fault_description")) or pair("request_type", str(kind))[0]
                rec.update(order_id=created.order_id, outlet_id=created.outlet_id)
                out = {"order_id": created.order_id, "order_number": created.number,
                       "outlet_id": created.outlet_id, "outlet_name": created.outlet_name,
                       "override": created.override}
            else:
                text = _required(text, "summary")
                if kind == RequestType.CONSULT and kb_article_id:
                    if self.kb.article(kb_article_id) is None:
                        raise ServiceError.of("not_found", field="kb_article_id", thing=pair("table", "kb_articles"))
                    rec["kb_article_id"] = out["kb_article_id"] = kb_article_id
                if kind in (RequestType.COMPLAINT, RequestType.PRAISE) and order_id:
                    self._customers_order(order_id, customer_id)
                    rec["order_id"] = out["order_id"] = order_id
            rec["summary"] = text
            request_id = ctx.insert("hq_requests", rec)
            if kind == RequestType.COMPLAINT:
                complaint_id = self.complaints.open(
                    session, summary=text, customer_id=customer_id, order_id=order_id or None,
                    request_id=request_id, department_id=department_id, source=ComplaintSource.CALL,
                    severity=severity)
                ctx.update("hq_requests", request_id, {"complaint_id": complaint_id})
                opened = ctx.one("SELECT c.deadline_at, d.name, d.name_en FROM hq_complaints c "
                                 "JOIN hq_departments d ON d.id = c.department_id WHERE c.id = ?", (complaint_id,))
                out.update(complaint_id=complaint_id, deadline_at=opened["deadline_at"],
                           department=(opened["name"], opened["name_en"] or opened["name"]))
            ctx.audit(session, "request_recorded", request_id, str(kind))
        return RecordedRequest(request_id, str(kind), customer_id, **out)

    def _customers_order(self, order_id: str, customer_id: str) -> None:
        order = self.ctx.row("service_orders", order_id)
        if order is None:
            raise ServiceError.of("not_found", field="order_id", thing=pair("table", "service_orders"))
        if order.get("customer_id") not in self.customers.ids_of(customer_id):
            raise ServiceError.of("order_of_other_customer", field="order_id")

    def requests(self, session: HubSession, type: str | None = None, limit: int = 100) -> list[PastCall]:
        """The latest recorded calls (of one type), newest first."""
        self.ctx.allow(session, HqWork.INTAKE)
        where = "WHERE r.type = ? " if type else ""
        return [_call(r, session.lang) for r in self.ctx.query(
            "SELECT r.*, o.number AS order_number, a.title AS article_title FROM hq_requests r "
            "LEFT JOIN service_orders o ON o.id = r.order_id LEFT JOIN kb_articles a ON a.id = r.kb_article_id "
            + where + "ORDER BY r.created_at DESC LIMIT ?", ((type, limit) if type else (limit,)))]


def _call(r: dict, lang: str) -> PastCall:
    return PastCall(r["created_at"], r["type"], label("request_type", r["type"], lang),
                    r["order_number"] or r["article_title"] or "", r["summary"] or "")
