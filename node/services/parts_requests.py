"""Parts requests to HQ: suggested quantities (shared/stock.py: last 90 days' use, safety
stock, on hand, in transit), a draft the office edits, submission (draft → submitted;
then frozen), and HQ's decision as it arrives (status, approved quantities, comment)."""
import uuid
from dataclasses import dataclass

from shared.documents import DocStatus
from shared.labels import label
from shared.periods import DAY_MS
from shared.stock import HISTORY_DAYS, MoveKind, suggest_qty

from node.services import guards
from node.services.documents import put, require_draft
from node.services.errors import ServiceError
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

    def set_qty(self, session: Session, request_id: str, part_id: str, qty: int) -> RequestView:
        """Ask for `qty` of a part (0 takes it off the request); returns the request as it
        stands now (line amounts, total)."""
        guards.require_put(session, LINES, ["qty"], True, "parts_request")
        request = guards.own_row(self.ctx, TABLE, request_id)
        require_draft(request, TABLE)
        part_row(self.ctx, part_id)
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            raise ServiceError.of("bad_count", field="qty")
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
                              "LEFT JOIN parts p ON p.id = l.part_id WHERE l.request_id = ? ORDER BY p.sku",
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
