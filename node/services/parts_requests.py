"""Parts requests to HQ: suggested quantities (shared/stock.py: last 90 days' use, safety
stock, on hand, in transit), a draft the office edits — lines added (a part found by SKU or
name), changed and removed, or a copy of last month's request —, submission (draft →
submitted; then frozen), and HQ's decision as it arrives (status, approved quantities,
comment).

A line is one row per part (its id derived from the part), so removing a line sets its
quantity to 0 and the request no longer shows it: an edit on another node meets the same
row instead of adding a second line for the part."""
import uuid
from dataclasses import dataclass

from shared.documents import DocStatus
from shared.labels import label
from shared.periods import DAY_MS, period_bounds, period_of
from shared.stock import HISTORY_DAYS, MoveKind, large_request, suggest_qty

from node.services import guards
from node.services.documents import put, require_draft
from node.services.errors import ServiceError
from node.services.part_search import PartHit, find_parts
from node.services.session import Session
from node.services.stock import in_transit_all, latest_comment, outlet_total_all, part_row

LINE_NS = uuid.UUID("3d0c8a4e-2b6f-4f1a-8e5d-7c9b1a2e4f60")
TABLE, LINES = "parts_requests", "parts_request_lines"


@dataclass(frozen=True, slots=True)
class Suggestion:
    part_id: str
    sku: str
    name: str
    consumed: int        # over the last HISTORY_DAYS days
    safety_stock: int
    on_hand: int
    in_transit: int
    suggested_qty: int


@dataclass(frozen=True, slots=True)
class RequestLine:
    line_id: str
    part_id: str
    sku: str
    name: str
    qty: int
    suggested_qty: int | None
    approved_qty: int | None
    unit_price: int
    amount: int          # qty × unit price (fen)


@dataclass(frozen=True, slots=True)
class RequestView:
    id: str
    number: str
    status: str
    status_label: str
    editable: bool
    note: str
    total: int
    submitted_at: int | None
    decided_at: int | None
    comment: str         # HQ's latest comment
    lines: tuple[RequestLine, ...]

    @property
    def large(self) -> bool:
        """Large enough to be confirmed, its total shown, before it is submitted."""
        return large_request(self.total, len(self.lines))


@dataclass(frozen=True, slots=True)
class RequestHead:
    """A request in the list of them: what picks one, without its lines."""
    id: str
    number: str
    status: str
    status_label: str


def line_id(request_id: str, part_id: str) -> str:
    """One line per part: editing a part's quantity (on any node) updates the same row."""
    return str(uuid.uuid5(LINE_NS, f"{request_id}:{part_id}"))


class PartsRequests:
    def __init__(self, ctx):
        self.ctx = ctx

    def suggestions(self, session: Session) -> tuple[Suggestion, ...]:
        ctx = self.ctx
        since = ctx.now() - HISTORY_DAYS * DAY_MS
        used = {r[0]: r[1] for r in ctx.tuples(
            "SELECT part_id, -SUM(qty) FROM stock_moves WHERE outlet_id = ? AND kind = ? AND at >= ? "
            "GROUP BY part_id", (ctx.outlet_id, str(MoveKind.CONSUME), since))}
        have, transit = outlet_total_all(ctx), in_transit_all(ctx)
        parts = ctx.query("SELECT * FROM parts WHERE COALESCE(active, 1) != 0 AND (safety_stock > 0 OR id IN "
                          f"({','.join('?' * len(used))}))", list(used))
        out = []
        for p in parts:
            pid = p["id"]
            qty = suggest_qty(used.get(pid, 0), p.get("safety_stock") or 0, have.get(pid, 0), transit.get(pid, 0))
            if qty > 0:
                out.append(Suggestion(pid, p.get("sku") or pid, p.get("name") or pid, used.get(pid, 0),
                                      p.get("safety_stock") or 0, have.get(pid, 0), transit.get(pid, 0), qty))
        return tuple(sorted(out, key=lambda s: s.sku))

    def create_draft(self, session: Session, note: str | None = None, use_suggestions: bool = True) -> str:
        """A new draft, filled with the suggestions unless asked not to; returns its id."""
        guards.require_put(session, TABLE, ["number", "outlet_id", "status", "note"], True, "parts_request")
        self.ctx.current_user(session)
        rid = str(uuid.uuid4())
        lines = self.suggestions(session) if use_suggestions else []
        store = self.ctx.store
        with store.tx():
            number = "PR-" + store.mint_number()
            self.ctx.write(session, [
                put(TABLE, rid, number=number, outlet_id=self.ctx.outlet_id, status=str(DocStatus.DRAFT),
                    note=(note or "").strip() or None),
                *[put(LINES, line_id(rid, s.part_id), request_id=rid, part_id=s.part_id,
                      qty=s.suggested_qty, suggested_qty=s.suggested_qty) for s in lines]])
        return rid

    def find_parts(self, session: Session, text: str) -> tuple[PartHit, ...]:
        """Parts to add to a request: by SKU (or its start) or a word of the name."""
        return find_parts(self.ctx, text)

    def set_qty(self, session: Session, request_id: str, part_id: str, qty: int) -> RequestView:
        """Ask for `qty` (1 or more) of a part, on its line or a new one; returns the
        request as it stands now (line amounts, total)."""
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ServiceError.of("bad_qty", field="qty")
        return self._put_line(session, request_id, part_id, qty)

    def add_line(self, session: Session, request_id: str, part_id: str, qty: int = 1) -> RequestView:
        """Put a part on the request; one already on it keeps its quantity."""
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ServiceError.of("bad_qty", field="qty")
        if self.ctx.scalar(f"SELECT qty FROM {LINES} WHERE id = ?", (line_id(request_id, part_id),)):
            guards.own_row(self.ctx, TABLE, request_id)
            return self.get(session, request_id)
        return self._put_line(session, request_id, part_id, qty)

    def remove_line(self, session: Session, request_id: str, part_id: str) -> RequestView:
        """Take a part off the request (its line's quantity becomes 0 and it is no longer shown)."""
        return self._put_line(session, request_id, part_id, 0)

    def last_month(self, session: Session) -> RequestHead | None:
        """The newest request submitted last calendar month (what "copy" copies)."""
        now = self.ctx.now()
        start, _ = period_bounds(period_of(now))
        begin, end = period_bounds(period_of(start - 1))
        r = self.ctx.one(f"SELECT id, number, status FROM {TABLE} WHERE outlet_id = ? AND submitted_at >= ? "
                         "AND submitted_at < ? ORDER BY submitted_at DESC LIMIT 1",
                         (self.ctx.outlet_id, begin, end))
        if r is None:
            return None
        status = r["status"] or DocStatus.DRAFT
        return RequestHead(r["id"], r["number"] or "", status, label("doc_status", status, session.lang))

    def copy_last_month(self, session: Session) -> str:
        """A new draft asking again for what last month's request asked for (parts still
        in the catalogue); returns its id."""
        guards.require_put(session, TABLE, ["number", "outlet_id", "status", "note"], True, "parts_request")
        source = self.last_month(session)
        if source is None:
            raise ServiceError.of("no_last_month", period=period_of(period_bounds(period_of(self.ctx.now()))[0] - 1))
        lines = [x for x in self.get(session, source.id).lines if self._active(x.part_id)]
        rid = self.create_draft(session, use_suggestions=False)
        self.ctx.write(session, [put(LINES, line_id(rid, x.part_id), request_id=rid, part_id=x.part_id, qty=x.qty)
                                 for x in lines])
        return rid

    def _active(self, part_id: str) -> bool:
        return bool(self.ctx.scalar("SELECT 1 FROM parts WHERE id = ? AND COALESCE(active, 1) != 0", (part_id,)))

    def _put_line(self, session: Session, request_id: str, part_id: str, qty: int) -> RequestView:
        guards.require_put(session, LINES, ["qty"], True, "parts_request")
        request = guards.own_row(self.ctx, TABLE, request_id)
        require_draft(request, TABLE)
        part_row(self.ctx, part_id)
        lid = line_id(request_id, part_id)
        exists = self.ctx.scalar(f"SELECT 1 FROM {LINES} WHERE id = ?", (lid,))
        fields = {"qty": qty} if exists else {"request_id": request_id, "part_id": part_id, "qty": qty}
        self.ctx.write(session, [put(LINES, lid, **fields)])
        return self.get(session, request_id)

    def submit(self, session: Session, request_id: str) -> None:
        guards.require_put(session, TABLE, ["status", "total", "submitted_at"], False, "parts_request")
        request = guards.own_row(self.ctx, TABLE, request_id)
        require_draft(request, TABLE)
        view = self.get(session, request_id)
        if not any(line.qty > 0 for line in view.lines):
            raise ServiceError.of("empty_request")
        self.ctx.write(session, [put(TABLE, request_id, total=view.total, submitted_at=self.ctx.now(),
                                     status=str(DocStatus.SUBMITTED))])

    def get(self, session: Session, request_id: str) -> RequestView:
        return self._view(session, guards.own_row(self.ctx, TABLE, request_id))

    def all(self, session: Session, limit: int = 50) -> tuple[RequestHead, ...]:
        """The newest requests first."""
        rows = self.ctx.query(f"SELECT id, number, status FROM {TABLE} WHERE outlet_id = ? "
                              "ORDER BY number DESC LIMIT ?", (self.ctx.outlet_id, limit))
        return tuple(RequestHead(r["id"], r["number"] or "", r["status"] or DocStatus.DRAFT,
                                 label("doc_status", r["status"] or DocStatus.DRAFT, session.lang)) for r in rows)

    def _view(self, session: Session, r: dict) -> RequestView:
        rows = self.ctx.query(f"SELECT l.*, p.sku, p.name, p.unit_price FROM {LINES} l "
                              "LEFT JOIN parts p ON p.id = l.part_id WHERE l.request_id = ? "
                              "AND (l.qty > 0 OR l.approved_qty > 0) ORDER BY p.sku",
                              (r["id"],))
        lines = tuple(RequestLine(x["id"], x["part_id"], x["sku"] or x["part_id"], x["name"] or x["part_id"],
                                  x["qty"] or 0, x["suggested_qty"], x["approved_qty"], x["unit_price"] or 0,
                                  (x["qty"] or 0) * (x["unit_price"] or 0)) for x in rows)
        status = r.get("status") or DocStatus.DRAFT
        comment, at = latest_comment(self.ctx, TABLE, r["id"])
        return RequestView(r["id"], r["number"] or "", status, label("doc_status", status, session.lang),
                           status == DocStatus.DRAFT, r.get("note") or "",
                           r.get("total") if status != DocStatus.DRAFT and r.get("total") is not None
                           else sum(line.amount for line in lines),
                           r.get("submitted_at"), r.get("decided_at") or at, comment, lines)
