"""Ticket query (工单查询): every HQ role finds orders by creation date, region, outlet, the
agent who took the call (`created_by` of the order's intake row in hq_requests), technician,
type, status, model, SLA state (shared/order_query.py) and free text — an order number
(or its beginning), a phone number (the customer's, whole or its last digits, or the
order's contact number) or a customer's name (or its beginning) — and pages through any
number of them.

Paging is by keyset (seek), never OFFSET: a page is the next `limit` orders after the
last one shown, by (sort column, id), so page 2,000 of a million orders costs what page 1
does. The cursor carries that pair; the ids of a page are found first over the indexes
below (each filter's column leads one, with creation time and id after it), then only
those rows are joined to their customer, model, outlet, technician, agent and SLA state.
The total is counted up to COUNT_CAP ("more than 10,000" beyond): exact counts of large
results would cost more than the page itself.

    q = services.order_query
    page = q.search(session, QueryFilter(text="13800001234"))
    more = q.search(session, QueryFilter(text="13800001234"), cursor=page.next_cursor)
    q.count(session, QueryFilter(status="new"))      # Total(n, capped)
    q.export(session, QueryFilter(region="华东大区"))  # ("orders-20260528-0930.xlsx", bytes)"""
import base64
import json
from dataclasses import dataclass, field
from datetime import date

from shared import order_query as oq
from shared.choices import Choice
from shared.errors import ServiceError
from shared.intake import ORDER_REQUESTS, PHONE_TAIL_MIN, normal_phone
from shared.labels import label, pair
from shared.orders import OrderType, Status
from shared.order_query import SORT_KEYS, SlaState, Sort
from shared.periods import DAY_MS, local_datetime, ms_of
from shared.roles import HUB_ROLES, HqWork, Role

from hub.services.choices import OutletChoice, outlet_choices, regions_of
from hub.services.session import HubSession

# Hub-side indexes (migration 15): each common filter's column first, then the sort key and
# the id, so a filtered page is read in order from one index and stops after `limit` rows.
# (The agent filter reads hq_requests by order: rollups.py's ix_hq_requests_order.)
DDL = (
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_created ON service_orders (created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_outlet_created ON service_orders (outlet_id, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_status_created ON service_orders (status, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_tech_created ON service_orders (technician_id, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_model_created ON service_orders (product_model_id, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_contact_phone ON service_orders (contact_phone)",
    "CREATE INDEX IF NOT EXISTS ix_hq_customers_name ON customers (name)",
    "CREATE INDEX IF NOT EXISTS ix_hq_customers_merged ON customers (merged_into)",
    # the full record's lookups by order (hub/services/order_file.py)
    "CREATE INDEX IF NOT EXISTS ix_hq_audit_subject ON hq_audit (subject, at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_settlement_lines_order ON settlement_lines (order_id)",
)
INTAKE_TYPES = tuple(sorted(str(t) for t in ORDER_REQUESTS))  # the hq_requests rows that made an order
TOP = "\U0010ffff"  # above every character: [prefix, prefix + TOP) is "starts with prefix"
CHUNK = 500


@dataclass(frozen=True)
class QueryFilter:
    """What to find; every field is optional and they all hold together (AND). Dates are
    local days (UTC+8), both included: a date or "YYYY-MM-DD"."""
    date_from: date | str | None = None
    date_to: date | str | None = None
    region: str | None = None
    outlet_id: str | None = None
    agent_id: str | None = None
    technician_id: str | None = None
    type: str | None = None
    status: str | None = None
    product_model_id: str | None = None
    sla: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order as the result list and the export show it (labels in the reader's language)."""
    id: str
    number: str
    created_at: int | None
    type: str
    type_label: str
    status: str
    status_label: str
    customer_name: str
    phone: str
    city: str
    model_code: str
    outlet_code: str
    outlet_name: str
    region: str
    technician_name: str
    agent_name: str
    sla: str
    sla_label: str
    closed_at: int | None
    fault_description: str


@dataclass(frozen=True)
class Page:
    rows: list[OrderRow]
    next_cursor: str | None      # None: this is the last page
    sort: str


@dataclass(frozen=True, slots=True)
class Total:
    n: int
    capped: bool                 # more than COUNT_CAP match; `n` is the cap

    def text(self, lang: str) -> str:
        return oq.count_text(self.n, self.capped, lang)


@dataclass(frozen=True)
class QueryChoices:
    """What the filters offer, in the session's language."""
    regions: tuple[str, ...]
    outlets: tuple[OutletChoice, ...]
    agents: tuple[Choice, ...]
    types: tuple[Choice, ...]
    statuses: tuple[Choice, ...]
    models: tuple[Choice, ...]
    sla_states: tuple[Choice, ...]
    sorts: tuple[Choice, ...]


@dataclass
class _Where:
    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    empty: bool = False          # the text matched nothing: no need to ask the store

    def add(self, clause: str, *params) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1 = 1"


def _date(value, what: tuple[str, str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError.of("query_date", field="date", what=what) from None


def encode_cursor(sort: str, key, order_id: str) -> str:
    raw = json.dumps([sort, key, order_id], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cur_sort, key, order_id = json.loads(raw)
    except (ValueError, TypeError):
        raise ServiceError.of("query_cursor") from None
    col, _ = SORT_KEYS[Sort(sort)]
    key_ok = isinstance(key, int) if col == "created_at" else isinstance(key, str)
    if cur_sort != sort or not key_ok or not isinstance(order_id, str):
        raise ServiceError.of("query_cursor")
    return key, order_id


class OrderQuery:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- what the filters offer ----

    def choices(self, session: HubSession) -> QueryChoices:
        self.ctx.allow(session, HqWork.QUERY)
        lang = session.lang
        outlets = outlet_choices(self.ctx, active_only=False)
        agents = tuple(Choice(u["id"], u["display_name"] or u["username"] or u["id"]) for u in self.ctx.query(
            f"SELECT id, username, display_name FROM users WHERE outlet_id IS NULL AND role IN "
            f"({', '.join('?' for _ in HUB_ROLES)}) ORDER BY username", sorted(str(r) for r in HUB_ROLES)))
        models = tuple(Choice(m["id"], " ".join(filter(None, (m["code"], m["name"])))) for m in self.ctx.query(
            "SELECT id, code, name FROM product_models ORDER BY code"))
        return QueryChoices(
            regions_of(outlets), outlets, agents,
            tuple(Choice(str(t), label("order_type", str(t), lang)) for t in OrderType),
            tuple(Choice(str(s), label("status", str(s), lang)) for s in Status),
            models,
            tuple(Choice(str(s), oq.word("sla_state", s, lang)) for s in SlaState),
            tuple(Choice(str(s), oq.word("sort", s, lang)) for s in Sort))

    def technicians(self, session: HubSession, outlet_id: str | None = None) -> tuple[Choice, ...]:
        """The technicians (of one outlet), for the technician filter."""
        self.ctx.allow(session, HqWork.QUERY)
        where, params = "role = ?", [str(Role.TECHNICIAN)]
        if outlet_id:
            where += " AND outlet_id = ?"
            params.append(outlet_id)
        return tuple(Choice(u["id"], u["display_name"] or u["username"] or u["id"]) for u in self.ctx.query(
            f"SELECT id, username, display_name FROM users WHERE {where} ORDER BY display_name, id", params))

    # ---- finding ----

    def search(self, session: HubSession, f: QueryFilter, *, sort: str = Sort.NEWEST, cursor: str | None = None,
               limit: int = oq.PAGE_SIZE) -> Page:
        """The next page of orders matching `f`, in `sort` order, after `cursor` (None: the
        first page). `next_cursor` reads the page after this one."""
        self.ctx.allow(session, HqWork.QUERY)
        sort = self._sort(sort)
        limit = max(1, min(int(limit), oq.MAX_PAGE_SIZE))
        where = self._where(f)
        if where.empty:
            return Page([], None, sort)
        ids = self._page_ids(where, sort, cursor, limit + 1)
        more = len(ids) > limit
        ids = ids[:limit]
        rows = self._rows([i for i, _ in ids], session.lang)
        next_cursor = encode_cursor(sort, ids[-1][1], ids[-1][0]) if more else None
        return Page(rows, next_cursor, sort)

    def count(self, session: HubSession, f: QueryFilter) -> Total:
        """How many orders match, counted up to COUNT_CAP."""
        self.ctx.allow(session, HqWork.QUERY)
        where = self._where(f)
        if where.empty:
            return Total(0, False)
        n = self._count(where, oq.COUNT_CAP + 1)
        return Total(min(n, oq.COUNT_CAP), n > oq.COUNT_CAP)

    def export(self, session: HubSession, f: QueryFilter, *, sort: str = Sort.NEWEST) -> tuple[str, bytes]:
        """(file name, .xlsx bytes): every matching order (at most EXPORT_LIMIT, else refused)."""
        from hub.services.order_query_excel import to_xlsx
        self.ctx.allow(session, HqWork.EXPORT)
        sort = self._sort(sort)
        where = self._where(f)
        rows: list[OrderRow] = []
        if not where.empty:
            if self._count(where, oq.EXPORT_LIMIT + 1) > oq.EXPORT_LIMIT:
                raise ServiceError.of("query_export_too_many", n=f"{oq.EXPORT_LIMIT:,}")
            cursor = None
            while True:
                ids = self._page_ids(where, sort, cursor, 1000)
                if not ids:
                    break
                rows += self._rows([i for i, _ in ids], session.lang)
                cursor = encode_cursor(sort, ids[-1][1], ids[-1][0])
        self.ctx.audit(session, "orders_exported", "", f"{len(rows)}")
        now = self.ctx.now()
        return f"orders-{local_datetime(now).strftime('%Y%m%d-%H%M')}.xlsx", to_xlsx(
            rows, self.describe(session, f), session.lang, now)

    def describe(self, session: HubSession, f: QueryFilter) -> str:
        """The filters in words, for the export's title line."""
        lang, parts = session.lang, []
        if f.date_from or f.date_to:
            parts.append(f"{f.date_from or '…'} – {f.date_to or '…'}")
        if f.region:
            parts.append(f.region)
        for table, value, col in (("outlets", f.outlet_id, "name"), ("users", f.agent_id, "display_name"),
                                  ("users", f.technician_id, "display_name"), ("product_models", f.product_model_id,
                                                                               "code")):
            if value:
                row = self.ctx.row(table, value) or {}
                parts.append(str(row.get(col) or value))
        if f.type:
            parts.append(label("order_type", f.type, lang))
        if f.status:
            parts.append(label("status", f.status, lang))
        if f.sla:
            parts.append(oq.word("sla_state", f.sla, lang))
        if (f.text or "").strip():
            parts.append(f"“{f.text.strip()}”")
        return " · ".join(parts)

    # ---- the SQL ----

    @staticmethod
    def _sort(sort) -> str:
        try:
            return str(Sort(sort or Sort.NEWEST))
        except ValueError:
            raise ServiceError.of("query_choice", field="sort", what=("排序", "sort order")) from None

    def _page_ids(self, where: _Where, sort: str, cursor: str | None, n: int) -> list[tuple[str, object]]:
        col, desc = SORT_KEYS[Sort(sort)]
        clauses, params = list(where.clauses), list(where.params)
        if cursor:
            key, after_id = decode_cursor(cursor, sort)
            clauses.append(f"(o.{col}, o.id) {'<' if desc else '>'} (?, ?)")
            params += [key, after_id]
        way = "DESC" if desc else "ASC"
        sql = (f"SELECT o.id, o.{col} AS k FROM service_orders o WHERE {' AND '.join(clauses) or '1 = 1'} "
               f"ORDER BY o.{col} {way}, o.id {way} LIMIT {int(n)}")
        return [(r["id"], r["k"]) for r in self.ctx.query(sql, params)]

    def _count(self, where: _Where, cap: int) -> int:
        return int(self.ctx.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM service_orders o WHERE {where.sql()} "
                                   f"LIMIT {int(cap)}) t", where.params) or 0)

    def _where(self, f: QueryFilter) -> _Where:
        """The filter as SQL over service_orders `o`; refuses what no list offers."""
        w = _Where()
        start = _date(f.date_from, ("开始日期", "start date"))
        end = _date(f.date_to, ("结束日期", "end date"))
        if start and end and start > end:
            raise ServiceError.of("query_range", field="date_from")
        if start:
            w.add("o.created_at >= ?", ms_of(start))
        if end:
            w.add("o.created_at < ?", ms_of(end) + DAY_MS)
        if f.region:
            if not self.ctx.scalar("SELECT 1 FROM outlets WHERE region = ? LIMIT 1", (f.region,)):
                raise self._bad("region", ("大区", "region"))
            w.add("o.outlet_id IN (SELECT id FROM outlets WHERE region = ?)", f.region)
        if f.outlet_id:
            self._known("outlets", f.outlet_id, "outlet_id", ("网点", "outlet"))
            w.add("o.outlet_id = ?", f.outlet_id)
        if f.technician_id:
            self._known("users", f.technician_id, "technician_id", ("师傅", "technician"))
            w.add("o.technician_id = ?", f.technician_id)
        if f.agent_id:
            self._known("users", f.agent_id, "agent_id", ("坐席", "agent"))
            w.add(f"EXISTS (SELECT 1 FROM hq_requests r WHERE r.order_id = o.id AND r.created_by = ? "
                  f"AND r.type IN ({', '.join('?' for _ in INTAKE_TYPES)}))", f.agent_id, *INTAKE_TYPES)
        if f.type:
            if f.type not in set(OrderType):
                raise self._bad("type", pair("field", "type"))
            w.add("o.type = ?", f.type)
        if f.status:
            if f.status not in set(Status):
                raise self._bad("status", pair("field", "status"))
            w.add("o.status = ?", f.status)
        if f.product_model_id:
            self._known("product_models", f.product_model_id, "product_model_id", pair("field", "product_model_id"))
            w.add("o.product_model_id = ?", f.product_model_id)
        if f.sla:
            try:
                state = SlaState(f.sla)
            except ValueError:
                raise self._bad("sla", ("时效状态", "SLA state")) from None
            if state == SlaState.OK:
                w.add("NOT EXISTS (SELECT 1 FROM hq_escalations e WHERE e.order_id = o.id)")
            elif state == SlaState.WARNING:
                # a warning at whichever level HQ set (hub/services/hq_settings.py), not yet overdue
                w.add("EXISTS (SELECT 1 FROM hq_escalations e WHERE e.order_id = o.id AND e.level < ?) "
                      "AND NOT EXISTS (SELECT 1 FROM hq_escalations e WHERE e.order_id = o.id AND e.level >= ?)",
                      oq.SLA_LEVEL[SlaState.OVERDUE], oq.SLA_LEVEL[SlaState.OVERDUE])
            else:
                w.add("EXISTS (SELECT 1 FROM hq_escalations e WHERE e.order_id = o.id AND e.level >= ?)",
                      oq.SLA_LEVEL[SlaState.OVERDUE])
        if (f.text or "").strip():
            self._text(w, f.text.strip())
        return w

    def _text(self, w: _Where, text: str) -> None:
        """An order number (or its start), a phone number (whole, or its last digits) or a
        customer's name (or its start)."""
        if len(text) < oq.TEXT_MIN:
            raise ServiceError.of("query_text", field="text", n=oq.TEXT_MIN)
        digits = normal_phone(text)
        if text.replace(" ", "").replace("-", "").replace("+", "").isdigit() and len(digits) >= PHONE_TAIL_MIN:
            found = self.ctx.query("SELECT id FROM customers WHERE phone = ? LIMIT ?",
                                   (digits, oq.CUSTOMER_MATCH_LIMIT + 1))
            if not found and len(digits) < 11:
                found = self.ctx.query(
                    f"SELECT id FROM customers WHERE substr(phone, -{PHONE_TAIL_MIN}) = ? AND phone LIKE ? LIMIT ?",
                    (digits[-PHONE_TAIL_MIN:], "%" + digits, oq.CUSTOMER_MATCH_LIMIT + 1))
            ids = self._with_merged([r["id"] for r in found], text)
            marks = ", ".join("?" for _ in ids)
            # the customer's orders, or any order whose contact number it is (each side indexed)
            w.add(f"({'o.customer_id IN (' + marks + ') OR ' if ids else ''}o.contact_phone = ?)", *ids, digits)
            return
        if any(ch.isdigit() for ch in text) and text.isascii():  # HQ-0000123, SH01-A-000042, or their start
            number = text.upper()
            w.add("o.number >= ? AND o.number < ?", number, number + TOP)
            return
        found = self.ctx.query("SELECT id FROM customers WHERE name >= ? AND name < ? LIMIT ?",
                               (text, text + TOP, oq.CUSTOMER_MATCH_LIMIT + 1))
        ids = self._with_merged([r["id"] for r in found], text)
        if not ids:
            w.empty = True
            return
        w.add(f"o.customer_id IN ({', '.join('?' for _ in ids)})", *ids)

    def _with_merged(self, ids: list[str], text: str) -> list[str]:
        """The customers found and the duplicates merged into them (whose orders are theirs)."""
        if len(ids) > oq.CUSTOMER_MATCH_LIMIT:
            raise ServiceError.of("query_too_many_customers", field="text", text=text,
                                  n=f"{oq.CUSTOMER_MATCH_LIMIT:,}")
        out = list(ids)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            out += [r["id"] for r in self.ctx.query(
                f"SELECT id FROM customers WHERE merged_into IN ({', '.join('?' for _ in chunk)})", chunk)]
        return list(dict.fromkeys(out))

    def _known(self, table: str, row_id: str, name: str, what: tuple[str, str]) -> None:
        if self.ctx.row(table, row_id) is None:
            raise self._bad(name, what)

    @staticmethod
    def _bad(name: str, what: tuple[str, str]) -> ServiceError:
        return ServiceError.of("query_choice", field=name, what=what)

    def _rows(self, ids: list[str], lang: str) -> list[OrderRow]:
        """The orders with these ids, in this order, joined to what the list shows."""
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        found = {r["id"]: r for r in self.ctx.query(
            "SELECT o.id, o.number, o.created_at, o.type, o.status, o.closed_at, o.fault_description, "
            "o.contact_phone, c.name AS customer_name, c.phone AS customer_phone, c.city, m.code AS model_code, "
            "t.code AS outlet_code, t.name AS outlet_name, t.region, u.display_name AS technician_name, "
            "(SELECT MAX(e.level) FROM hq_escalations e WHERE e.order_id = o.id) AS sla_level "
            "FROM service_orders o LEFT JOIN customers c ON c.id = o.customer_id "
            "LEFT JOIN product_models m ON m.id = o.product_model_id LEFT JOIN outlets t ON t.id = o.outlet_id "
            f"LEFT JOIN users u ON u.id = o.technician_id WHERE o.id IN ({marks})", ids)}
        agents: dict[str, str] = {}
        # by order only (a type or an ORDER BY here draws SQLite to the (type, created_at) index
        # and every call of those types); the call that made the order is the first of its kind
        calls = self.ctx.query(
            "SELECT r.order_id, r.type, r.created_at, r.created_by, u.display_name FROM hq_requests r "
            f"LEFT JOIN users u ON u.id = r.created_by WHERE r.order_id IN ({marks})", ids)
        for r in sorted(calls, key=lambda r: r["created_at"] or 0):
            if r["type"] in INTAKE_TYPES:
                agents.setdefault(r["order_id"], r["display_name"] or r["created_by"] or "")
        out = []
        for i in ids:
            o = found.get(i)
            if o is None:
                continue
            state = sla_state(o["sla_level"])
            out.append(OrderRow(
                o["id"], o["number"] or "", o["created_at"], o["type"] or "", label("order_type", o["type"], lang),
                o["status"] or "", label("status", o["status"], lang), o["customer_name"] or "",
                o["customer_phone"] or o["contact_phone"] or "", o["city"] or "", o["model_code"] or "",
                o["outlet_code"] or "", o["outlet_name"] or "", o["region"] or "", o["technician_name"] or "",
                agents.get(i, ""), str(state), oq.word("sla_state", state, lang), o["closed_at"],
                o["fault_description"] or ""))
        return out


def sla_state(level: int | None) -> SlaState:
    """The state the highest recorded escalation level stands for: overdue at HQ's level,
    else a warning at whichever level HQ set when it was recorded (hub/services/hq_settings.py)."""
    if level is not None and level >= oq.SLA_LEVEL[SlaState.OVERDUE]:
        return SlaState.OVERDUE
    if level is not None and level > 0:
        return SlaState.WARNING
    return SlaState.OK
