"""Parts requests at HQ: each submitted request with its lines priced at catalog price, the
outlet's on-hand and last 90 days' use beside each part, and the approval chain by amount
(shared/approvals.py LEVEL_LIMITS: one approver up to ¥5,000, a second one above).

The approver may lower any line's approved quantity (0 … requested). A level that is not
the last records a `passed` approvals row and the quantities it approved; the request stays
submitted, so the node does not ship on it. The last level (or a rejection at any level)
sets the request's status. Final approval is the outbound shipment: the lines' approved_qty
(which the node reads as its shipment, node/services/stock.py `shipments`, and books as a
`receipt` move when it arrives) and HQ's own record of what left the warehouse in the
hub-only `hq_shipments` / `hq_shipment_lines`. HQ's warehouse is not an outlet, so the
shipment is not a stock move: the outlet's on-hand stays Σ of its own moves, counted once,
when the node receives it."""
from dataclasses import dataclass

from shared.approvals import Subject
from shared.documents import Decision, DocStatus
from shared.errors import ServiceError
from shared.labels import label
from shared.periods import DAY_MS
from shared.roles import HqWork
from shared.stock import HISTORY_DAYS, MoveKind

from hub.services.approve_common import (HistoryLine, approval_op, check_decision, held_hash, history,
                                         outlet_names, put, subject_row)
from hub.services.hq_settings import HqSettings
from hub.services.session import HubSession

TABLE, LINES = str(Subject.PARTS_REQUEST), "parts_request_lines"

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_shipments (id TEXT PRIMARY KEY, request_id TEXT NOT NULL UNIQUE,
        number TEXT, outlet_id TEXT NOT NULL, total INTEGER NOT NULL, shipped_at INTEGER NOT NULL,
        shipped_by TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS hq_shipment_lines (id TEXT PRIMARY KEY, shipment_id TEXT NOT NULL,
        part_id TEXT NOT NULL, qty INTEGER NOT NULL, unit_price INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_shipments_outlet ON hq_shipments (outlet_id, shipped_at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_shipment_lines ON hq_shipment_lines (shipment_id)",
)


@dataclass(frozen=True)
class ReviewLine:
    line_id: str
    part_id: str
    sku: str
    name: str
    qty: int                 # requested
    suggested_qty: int | None
    approved_qty: int        # what the next decision approves unless changed (earlier level's, else qty)
    unit_price: int
    amount: int              # qty × unit price
    approved_amount: int     # approved_qty × unit price
    on_hand: int             # Σ the outlet's moves at HQ
    safety_stock: int
    consumed: int            # used on orders over the last HISTORY_DAYS days


@dataclass(frozen=True)
class PartsReview:
    id: str
    number: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    status: str
    status_label: str
    note: str
    submitted_at: int | None
    decided_at: int | None
    node_total: int          # the total the outlet submitted
    amount: int              # Σ requested × catalog price
    approved_amount: int     # Σ approved × catalog price
    levels_needed: int       # for the approved amount
    next_level: int          # the level the next decision is (1 for the first)
    passed_by: tuple[str, ...]  # user ids that approved earlier levels (they may not decide again)
    decidable: bool
    content_hash: str
    lines: list[ReviewLine]
    history: list[HistoryLine]


@dataclass(frozen=True)
class Outcome:
    status: str              # the request's status after the decision
    decision: str            # approved | rejected | passed
    level: int
    final: bool


@dataclass(frozen=True, slots=True)
class Shipment:
    """What HQ shipped for an approved request, and whether the outlet booked it in."""
    id: str
    request_id: str
    number: str
    outlet_id: str
    total: int                # fen
    shipped_at: int
    received: bool


class PartsApprovals:
    def __init__(self, ctx):
        self.ctx = ctx

    def review(self, session: HubSession, request_id: str) -> PartsReview:
        self.ctx.allow(session, HqWork.APPROVE)
        return self._review(session.lang, subject_row(self.ctx, TABLE, request_id))

    def _review(self, lang: str, r: dict) -> PartsReview:
        ctx = self.ctx
        status = r.get("status") or DocStatus.DRAFT
        content_hash = held_hash(ctx, TABLE, r)
        passes = self._passes(r["id"], content_hash)
        since = ctx.now() - HISTORY_DAYS * DAY_MS
        rows = ctx.query(
            f"SELECT l.*, p.sku, p.name, p.unit_price, p.safety_stock, "
            "(SELECT COALESCE(SUM(m.qty), 0) FROM stock_moves m WHERE m.outlet_id = ? AND m.part_id = l.part_id) "
            "AS on_hand, "
            "(SELECT COALESCE(-SUM(m.qty), 0) FROM stock_moves m WHERE m.outlet_id = ? AND m.part_id = l.part_id "
            f"AND m.kind = '{MoveKind.CONSUME}' AND m.at >= ?) AS consumed "
            f"FROM {LINES} l LEFT JOIN parts p ON p.id = l.part_id WHERE l.request_id = ? AND l.qty > 0 "
            "ORDER BY p.sku", (r["outlet_id"], r["outlet_id"], since, r["id"]))
        lines = []
        for line in rows:
            price = line["unit_price"] or 0
            approved = line["approved_qty"] \
                if line["approved_qty"] is not None and (passes or status != DocStatus.SUBMITTED) else line["qty"]
            lines.append(ReviewLine(line["id"], line["part_id"], line["sku"] or line["part_id"],
                                    line["name"] or line["part_id"],
                                    line["qty"], line["suggested_qty"], approved, price, line["qty"] * price,
                                    approved * price, line["on_hand"], line["safety_stock"] or 0, line["consumed"]))
        outlet = outlet_names(ctx).get(r["outlet_id"], {})
        approved_amount = sum(line.approved_amount for line in lines)
        return PartsReview(
            r["id"], r.get("number") or "", r["outlet_id"], outlet.get("code") or "", outlet.get("name") or "",
            status, label("doc_status", status, lang), r.get("note") or "", r.get("submitted_at"), r.get("decided_at"),
            r.get("total") or 0, sum(line.amount for line in lines), approved_amount,
            HqSettings(ctx).levels_needed(approved_amount), len(passes) + 1, tuple(p["approver_id"] for p in passes),
            status == DocStatus.SUBMITTED, content_hash, lines, history(ctx, TABLE, r["id"], lang))

    def _passes(self, request_id: str, content_hash: str) -> list[dict]:
        """Earlier levels that approved this very version."""
        return self.ctx.query("SELECT * FROM approvals WHERE subject_table = ? AND subject_id = ? AND decision = ? "
                              "AND content_hash = ? ORDER BY level", (TABLE, request_id, str(Decision.PASSED),
                                                                      content_hash))

    def decide(self, session: HubSession, request_id: str, decision: str, comment: str = "",
               approved_qty: dict[str, int] | None = None, seen_hash: str | None = None) -> Outcome:
        """Approve (this level, or finally: the shipment) or reject. `approved_qty`: line id
        (or part id) → quantity for this level; lines not named keep the earlier level's
        quantity, else the requested one. `seen_hash`: the review's content_hash the
        approver looked at (refused if the request changed since)."""
        ctx = self.ctx
        with ctx.tx():
            _, r, content_hash, comment = check_decision(ctx, session, TABLE, request_id, decision, comment, seen_hash)
            review = self._review(session.lang, r)
            level = review.next_level
            now = ctx.now()
            if decision == Decision.REJECTED:
                # Nothing ships: an earlier level's quantities are withdrawn with the request.
                ctx.write(session, [*(put(LINES, line.line_id, approved_qty=0) for line in review.lines),
                                    put(TABLE, r["id"], status=str(DocStatus.REJECTED), decided_at=now),
                                    approval_op(r, TABLE, Decision.REJECTED, level, comment, content_hash,
                                                session.user_id, now)])
                ctx.audit(session, "parts_request_rejected", r["id"], f"level {level}")
                return Outcome(str(DocStatus.REJECTED), str(Decision.REJECTED), level, True)
            if session.user_id in review.passed_by:
                raise ServiceError.of("same_approver", level=review.passed_by.index(session.user_id) + 1, next=level)
            qty = self._approved(review, approved_qty or {})
            amount = sum(qty[line.line_id] * line.unit_price for line in review.lines)
            final = level >= HqSettings(self.ctx).levels_needed(amount)
            verdict = Decision.APPROVED if final else Decision.PASSED
            ops = [put(LINES, line.line_id, approved_qty=qty[line.line_id]) for line in review.lines]
            if final:
                ops.append(put(TABLE, r["id"], status=str(DocStatus.APPROVED), decided_at=now))
            ops.append(approval_op(r, TABLE, verdict, level, comment, content_hash, session.user_id, now))
            ctx.write(session, ops)
            if final:
                self._ship(session, r, review, qty, amount, now)
            ctx.audit(session, "parts_request_approved" if final else "parts_request_passed", r["id"],
                      f"level {level}, {amount} fen")
            return Outcome(str(DocStatus.APPROVED if final else DocStatus.SUBMITTED), str(verdict), level, final)

    @staticmethod
    def _approved(review: PartsReview, given: dict[str, int]) -> dict[str, int]:
        by_part = {line.part_id: line for line in review.lines}
        by_line = {line.line_id: line for line in review.lines}
        qty = {line.line_id: line.approved_qty for line in review.lines}
        for key, value in given.items():
            line = by_line.get(key) or by_part.get(key)
            if line is None:
                raise ServiceError.of("approved_qty_line", field="approved_qty")
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= line.qty:
                raise ServiceError.of("approved_qty_range", field=line.line_id, part=line.name, qty=line.qty)
            qty[line.line_id] = value
        if not any(qty.values()):
            raise ServiceError.of("approve_nothing", field="approved_qty")
        return qty

    def _ship(self, session, r: dict, review: PartsReview, qty: dict[str, int], amount: int, now: int) -> None:
        """HQ's outbound record of the approved quantities (hub-only)."""
        ctx = self.ctx
        sid = ctx.insert("hq_shipments", {"id": r["id"], "request_id": r["id"], "number": r.get("number"),
                                          "outlet_id": r["outlet_id"], "total": amount, "shipped_at": now,
                                          "shipped_by": session.user_id})
        for line in review.lines:
            if qty[line.line_id]:
                ctx.insert("hq_shipment_lines", {"id": line.line_id, "shipment_id": sid, "part_id": line.part_id,
                                                 "qty": qty[line.line_id], "unit_price": line.unit_price})

    def shipments(self, session: HubSession, outlet_id: str | None = None) -> list[Shipment]:
        """What HQ shipped (newest first), each with `received`: the outlet booked it."""
        self.ctx.allow(session, HqWork.APPROVE)
        where, params = ("WHERE s.outlet_id = ?", (outlet_id,)) if outlet_id else ("", ())
        return [Shipment(s["id"], s["request_id"], s["number"] or "", s["outlet_id"], s["total"], s["shipped_at"],
                         bool(s["received"])) for s in self.ctx.query(
            "SELECT s.*, EXISTS (SELECT 1 FROM stock_moves m WHERE m.outlet_id = s.outlet_id AND "
            f"m.kind = '{MoveKind.RECEIPT}' AND m.ref = s.request_id) AS received FROM hq_shipments s "
            f"{where} ORDER BY s.shipped_at DESC", params)]
