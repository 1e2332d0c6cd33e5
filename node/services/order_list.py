"""The outlet's order lists: today's, mine and all, with filters (status, type,
technician, overdue, a date range on the created, appointment or completed day) and a
search box that finds an order by its number, the customer's phone (its tail, typed with
or without spaces and dashes) or name. Cards carry what a list row shows, SLA countdown
included."""
import json
from dataclasses import dataclass
from datetime import date, timedelta

from shared import phone, sla
from shared.labels import label
from shared.orders import INITIAL, OPEN, OUTLET, OrderType, Priority, Status
from shared.periods import day_bounds, ms_of

from node.services.errors import ServiceError
from node.services.order_rows import DISPLAY_STATUS_SQL, SlaBook, events_by_order
from node.services.people import People
from shared.choices import Choice
from node.services.session import Session

TODAY, MINE, ALL = "today", "mine", "all"
# The outlet's open work: what is not finished and not handed back to HQ (declined). SLA
# clocks run only for these, so the overdue filter looks at these only.
ACTIVE = tuple(sorted(OPEN - {Status.DECLINED}))
# The days a list can be narrowed by (labels: shared/labels.py "order_date"). An order's
# completed day is that of its first completion event (as the settlement counts it).
CREATED, APPOINTMENT, COMPLETED = "created", "appointment", "completed"
DATE_FIELDS = (CREATED, APPOINTMENT, COMPLETED)

_COLUMNS = f"""o.id, o.number, o.status, o.source, o.type, o.priority, o.technician_id,
    o.appointment_at, o.created_at, o.fault_description, {DISPLAY_STATUS_SQL} AS display_status,
    COALESCE(o.contact_name, c.name) AS customer_name,
    COALESCE(o.contact_phone, c.phone) AS customer_phone,
    COALESCE(o.address, c.address) AS address,
    COALESCE(u.display_name, u.username) AS technician_name, pm.name AS model_name"""
_FROM = """FROM service_orders o LEFT JOIN customers c ON c.id = o.customer_id
    LEFT JOIN users u ON u.id = o.technician_id
    LEFT JOIN product_models pm ON pm.id = o.product_model_id"""


@dataclass(frozen=True, slots=True)
class OrderCard:
    id: str
    number: str
    status: str | None
    status_label: str
    type: str | None
    type_label: str
    priority_label: str
    urgent: bool
    customer_name: str
    phone_masked: str
    address: str
    fault_description: str
    model_name: str
    technician_id: str | None
    technician_name: str
    appointment_at: int | None
    created_at: int | None
    sla_milestone: str | None     # the clock that runs (accept / on_site / complete)
    sla_label: str
    sla_remaining_ms: int | None  # negative: overdue by that much
    sla_paused: bool
    overdue: bool
    mine: bool


@dataclass(frozen=True, slots=True)
class OrderPage:
    cards: tuple[OrderCard, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class OrderChoices:
    """What the list's filters and the new-order form offer, worded."""
    statuses: tuple[Choice, ...]
    types: tuple[Choice, ...]
    priorities: tuple[Choice, ...]
    technicians: tuple[Choice, ...]  # the outlet's active technicians, by name
    date_fields: tuple[Choice, ...] = ()  # which day a date range narrows by


@dataclass(frozen=True, slots=True)
class DateRange:
    """Orders whose `field` day is from `start` to `end`, both days included; either end
    may be open."""
    field: str
    start: date | None
    end: date | None

    @classmethod
    def typed(cls, field: str, start: str | None, end: str | None) -> "DateRange | None":
        """From what a person typed (2026-11-01); None when both ends are empty. A date
        that is not one, or a start after the end, is refused in words."""
        if field not in DATE_FIELDS:
            raise ServiceError.on_field("bad_choice", "date_field")
        a, b = _day(start, "date_from"), _day(end, "date_to")
        if a and b and a > b:
            raise ServiceError.of("date_range_reversed", field="date_from", start=a.isoformat(), end=b.isoformat())
        return cls(field, a, b) if a or b else None

    def bounds(self) -> tuple[int, int]:
        """[start, end) in epoch ms, local days (an open end: the widest)."""
        return (ms_of(self.start) if self.start else -(2 ** 62),
                ms_of(self.end + timedelta(days=1)) if self.end else 2 ** 62)


def _day(text: str | None, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError.of("bad_filter_date", field=field, value=text[:20]) from None


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class OrderList:
    def __init__(self, ctx):
        self.ctx = ctx

    def page(self, session: Session, view: str = ALL, *, status=None, type: str | None = None,
             technician_id: str | None = None, overdue: bool = False, search: str | None = None,
             dates: DateRange | None = None, limit: int = 50, offset: int = 0) -> OrderPage:
        """`status`: one status, several, or "open"; the rest narrow the list further
        (`dates`: DateRange.typed of what the person typed). The filters run on
        service_orders alone (its indexes); only the page's rows are joined with
        customers, technicians and models."""
        where, params = self._where(session, view, status, type, technician_id, search)
        if dates is not None:
            sql, args = _in_range(dates)
            where += " AND " + sql
            params += args
        # Ties are broken by id, a stable order for paging; newest first follows the list
        # index (created_at DESC, id DESC), so a page is read off it without sorting.
        order_by = {TODAY: "o.appointment_at IS NULL, o.appointment_at, o.created_at, o.id",
                    MINE: "o.appointment_at IS NULL, o.appointment_at, o.created_at DESC, o.id"
                    }.get(view, "o.created_at DESC, o.id DESC")
        now, book = self.ctx.now(), SlaBook(self.ctx)
        if overdue:
            ids = self._overdue_ids(where, params, order_by, book, now)
            total, page_ids = len(ids), ids[offset:offset + limit]
        else:
            total = self.ctx.scalar(f"SELECT COUNT(*) FROM service_orders o WHERE {where}", params)
            page_ids = [r[0] for r in self.ctx.tuples(
                f"SELECT o.id FROM service_orders o WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?",
                (*params, limit, offset))]
        rows = self._rows_by_id(page_ids)
        events = events_by_order(self.ctx, page_ids)
        cards = tuple(self._card(session, r, book.clock(r, events.get(r["id"], []), now)) for r in rows)
        return OrderPage(cards, total, offset, limit)

    def date_range(self, field: str, start: str | None, end: str | None) -> DateRange | None:
        """The range a person typed (DateRange.typed), checked before the list uses it."""
        return DateRange.typed(field, start, end)

    def choices(self, session: Session) -> OrderChoices:
        lang = session.lang
        return OrderChoices(
            statuses=tuple(Choice(str(s), label("status", str(s), lang)) for s in Status),
            types=tuple(Choice(str(t), label("order_type", str(t), lang)) for t in OrderType),
            priorities=tuple(Choice(str(p), label("priority", str(p), lang)) for p in Priority),
            technicians=tuple(Choice(p.id, p.name) for p in People(self.ctx).technicians(session)),
            date_fields=tuple(Choice(f, label("order_date", f, lang)) for f in DATE_FIELDS))

    def _where(self, session, view, status, type_, technician_id, search):
        q = (search or "").strip()[:MAX_SEARCH]
        # A search is matched first; its (few) ids then drive the query, so the outlet
        # test must not pick the outlet index over the primary key (`+` keeps it off).
        where, params = ["+o.outlet_id = ?" if q else "o.outlet_id = ?"], [self.ctx.outlet_id]
        if view == TODAY:
            start, end = day_bounds(self.ctx.now())
            where.append("((o.appointment_at >= ? AND o.appointment_at < ?) OR "
                         "(o.created_at >= ? AND o.created_at < ?))")
            params += [start, end, start, end]
        elif view == MINE:
            where.append("o.technician_id = ?")
            params.append(session.user_id)
        statuses = _statuses(status)
        if statuses:
            where.append(_status_in(statuses))
            params += statuses
        if type_:
            where.append("o.type = ?")
            params.append(type_)
        if technician_id:
            where.append("o.technician_id = ?")
            params.append(technician_id)
        if q:  # matched once here, not again by the count and the page queries
            sql, args = _search(q)
            ids = [r["id"] for r in self.ctx.query(sql, args)]
            where.append("o.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(ids))
        return " AND ".join(where), params

    def _overdue_ids(self, where, params, order_by, book, now) -> list[str]:
        """The overdue orders, in list order. SQL finds them among the running orders that
        never waited for parts nor were declined (their due offset is
        `book.running_offset_sql`); the few others need their events, and their clocks are
        worked out here."""
        offset_sql, offset_args = book.running_offset_sql(ACTIVE)
        waited = ("o.id IN (SELECT order_id FROM order_events WHERE to_status IN "
                  f"({', '.join(repr(x) for x in sla.CLOCK_EVENTS)}))")  # paused or stopped once
        rows = self.ctx.query(
            f"SELECT o.id, o.type, o.priority, o.status, o.source, o.created_at, {waited} AS waited "
            f"FROM service_orders o WHERE {where} AND {_status_in(ACTIVE)} AND o.created_at IS NOT NULL "
            f"AND ({waited} OR o.created_at + {offset_sql} < ?) ORDER BY {order_by}",
            (*params, *ACTIVE, *offset_args, now))
        events = events_by_order(self.ctx, [r["id"] for r in rows if r["waited"]])
        out = []
        for r in rows:
            if r["waited"]:
                clock = book.clock(r, events.get(r["id"], []), now)
                if clock is None or not clock.overdue:
                    continue
            out.append(r["id"])
        return out

    def _rows_by_id(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        rows = {r["id"]: r for r in self.ctx.query(
            f"SELECT {_COLUMNS} {_FROM} WHERE o.id IN ({','.join('?' * len(ids))})", ids)}
        return [rows[i] for i in ids]

    def _card(self, session: Session, r: dict, clock) -> OrderCard:
        lang = session.lang
        nxt = clock.next if clock else None
        return OrderCard(
            id=r["id"], number=r["number"] or "", status=r["display_status"],
            status_label=label("status", r["display_status"], lang), type=r["type"],
            type_label=label("order_type", r["type"], lang), priority_label=label("priority", r["priority"], lang),
            urgent=r["priority"] == Priority.URGENT,
            customer_name=r["customer_name"] or "", phone_masked=phone.mask(r["customer_phone"]),
            address=r["address"] or "", fault_description=r["fault_description"] or "",
            model_name=r["model_name"] or "", technician_id=r["technician_id"],
            technician_name=r["technician_name"] or "", appointment_at=r["appointment_at"],
            created_at=r["created_at"], sla_milestone=nxt.name if nxt else None,
            sla_label=label("milestone", nxt.name, lang) if nxt else "",
            sla_remaining_ms=nxt.remaining_ms if nxt else None,
            sla_paused=bool(clock and clock.paused), overdue=bool(clock and clock.overdue),
            mine=r["technician_id"] == session.user_id)


# A number, a name or a phone tail is far shorter; a pasted essay is cut here rather than
# handed to LIKE, which refuses patterns past 50,000 bytes ("pattern too complex").
MAX_SEARCH = 100


def _in_range(dates: DateRange) -> tuple[str, list]:
    start, end = dates.bounds()
    if dates.field == COMPLETED:
        return ("o.id IN (SELECT order_id FROM order_events WHERE to_status = ? GROUP BY order_id "
                "HAVING MIN(at) >= ? AND MIN(at) < ?)", [str(Status.COMPLETED), start, end])
    column = "o.created_at" if dates.field == CREATED else "o.appointment_at"
    return f"{column} >= ? AND {column} < ?", [start, end]


def _status_in(statuses) -> str:
    """The display status in `statuses`, written so that the (outlet_id, status) index
    serves it: an outlet-made order without a status yet shows as accepted."""
    marks = ",".join("?" * len(statuses))
    if INITIAL[OUTLET] in statuses:
        return f"(o.status IN ({marks}) OR (o.status IS NULL AND o.source = '{OUTLET}'))"
    return f"o.status IN ({marks})"


def _search(q: str) -> tuple[str, list]:
    """Ids of orders whose number or contact name contains `q`, or whose customer's name
    does; a typed number of 4+ digits (spaces and dashes ignored) also matches the end of a
    phone number. Each part scans
    one table, and customers lead to their orders through the customer_id index."""
    pattern = f"%{_like(q)}%"
    own = ["number LIKE ? ESCAPE '\\'", "contact_name LIKE ? ESCAPE '\\'"]
    cust = ["c.name LIKE ? ESCAPE '\\'"]
    own_args, cust_args = [pattern] * 2, [pattern]
    tail = phone.searchable(q)
    if tail:  # a number typed (138 1234-5678 as well): the end of a phone number
        own.append("REPLACE(REPLACE(contact_phone, '-', ''), ' ', '') LIKE ?")
        cust.append("REPLACE(REPLACE(c.phone, '-', ''), ' ', '') LIKE ?")
        own_args.append(f"%{tail}")
        cust_args.append(f"%{tail}")
    sql = (f"SELECT id FROM service_orders WHERE {' OR '.join(own)} UNION SELECT id FROM service_orders "
           f"WHERE customer_id IN (SELECT c.id FROM customers c WHERE {' OR '.join(cust)})")
    return sql, own_args + cust_args


def _statuses(status) -> list[str]:
    if not status:
        return []
    if status == "open":
        return list(ACTIVE)
    if isinstance(status, str):
        return [Status(status).value]
    return [Status(s).value for s in status]
