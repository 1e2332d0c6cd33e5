"""The monthly fee settlement. A draft for a period (`YYYY-MM`, local time) is built from
the outlet's orders completed in it (the completion event's device time), each line
priced by shared/fees.py: visit and labour fee from the fee rule for (type, product
category), parts used in warranty at catalog price. The office adds adjustments with a
reason, then submits (draft → submitted, total = Σ lines); it is frozen from then on and
HQ approves or rejects it with a comment. After a rejection a new draft for the period
can be built.

Deductions (shared/fees.py `order_deduction`): an order whose callback HQ recorded as
unsatisfied (`callback_result`, a hub field that reaches the node by sync) and a repeat
repair — a repair of the same serial number completed within the fee rule's
`repeat_repair_days` after an earlier repair of it at this outlet (`is_repeat_repair`) —
lose the rule's percentage of visit + labour fee. A draft built again picks up callback
results that arrived since; HQ recomputes the same way from the same rows.

Ids are derived from (outlet, period, attempt) and (settlement, order), so two devices
drafting the same period offline edit the same rows rather than making two settlements."""
import functools
import uuid
from dataclasses import dataclass

from shared.documents import DocStatus
from shared.fees import is_repeat_repair, line_total, match_rule, order_deduction, order_fees, settlement_total
from shared.labels import in_sentence, label, pair, ui_text
from shared.orders import Status
from shared.periods import period_bounds, valid_period

from node.services import guards
from node.services.documents import put, require_draft
from node.services.errors import ServiceError
from node.services.session import Session

LINES_PAGE = 100  # lines a view shows at a time
NS = uuid.UUID("b4c1e2d3-6a7f-4b8e-9c0d-2e3f4a5b6c70")
TABLE, LINES = "settlements", "settlement_lines"


@dataclass(frozen=True, slots=True)
class SettlementLine:
    id: str
    order_id: str
    order_number: str
    type_label: str
    category: str
    completed_at: int | None
    parts_fee: int
    visit_fee: int
    labour_fee: int
    deduction: int
    deduction_reason: str
    adjustment: int
    adjustment_reason: str
    total: int
    no_fee_rule: bool         # no rule for (type, category): the fees are 0, tell HQ
    note: str                 # the line's reasons in one: adjustment, deduction, no fee rule


@dataclass(frozen=True, slots=True)
class ApprovalLine:
    decision: str
    decision_label: str
    level: int | None
    comment: str
    at: int | None


@dataclass(frozen=True, slots=True)
class SettlementView:
    id: str
    period: str
    status: str
    status_label: str
    editable: bool
    total: int
    submitted_at: int | None
    comment: str              # HQ's comment on its decision
    approvals: tuple[ApprovalLine, ...]
    lines: tuple[SettlementLine, ...]  # one page of them, from line_offset
    line_count: int           # all the settlement's lines
    line_offset: int


@dataclass(frozen=True, slots=True)
class SettlementHead:
    """A settlement in the list of them: what picks one, without its lines."""
    id: str
    period: str
    status: str
    status_label: str
    total: int
    submitted_at: int | None


def deduction_reason(code: str | None, lang: str) -> str:
    """"unsatisfied+repeat_repair" in words."""
    return ui_text("items_sep", lang).join(label("deduction_reason", c, lang) for c in (code or "").split("+") if c)


def settlement_id(outlet_id: str, period: str, attempt: int) -> str:
    return str(uuid.uuid5(NS, f"{outlet_id}:{period}:{attempt}"))


def line_id(sid: str, order_id: str) -> str:
    return str(uuid.uuid5(NS, f"{sid}:{order_id}"))


class Settlements:
    def __init__(self, ctx):
        self.ctx = ctx

    def draft(self, session: Session, period: str) -> str:
        """Build the period's draft, or bring the open draft up to date (new completed
        orders, changed fee rules; adjustments are kept). Returns its id."""
        guards.require_put(session, TABLE, ["outlet_id", "period", "status", "total"], True, "settlement")
        if not valid_period(period):
            raise ServiceError.of("bad_period", field="period")
        ctx = self.ctx
        existing = ctx.query(f"SELECT * FROM {TABLE} WHERE outlet_id = ? AND period = ?", (ctx.outlet_id, period))
        live = [s for s in existing if (s["status"] or DocStatus.DRAFT) != DocStatus.REJECTED]
        done = [s for s in live if (s["status"] or DocStatus.DRAFT) != DocStatus.DRAFT]
        if done:
            raise ServiceError.of("settlement_exists", period=period,
                                  status=in_sentence("doc_status", done[0]["status"]))
        sid = live[0]["id"] if live else settlement_id(ctx.outlet_id, period, len(existing))
        orders = self._completed(period)
        if not orders and not live:
            raise ServiceError.of("no_orders", period=period)
        current = {r["order_id"]: r for r in ctx.query(f"SELECT * FROM {LINES} WHERE settlement_id = ?", (sid,))}
        rules = ctx.reference("fee_rules")
        repairs = self._repairs_of({o["serial_no"] for o in orders if o["serial_no"]})
        ops, lines = [], dict(current)
        for o in orders:
            parts = [(p["qty"], p["unit_price"], bool(p["in_warranty"])) for p in ctx.query(
                "SELECT op.qty, op.in_warranty, p.unit_price FROM order_parts op LEFT JOIN parts p "
                "ON p.id = op.part_id WHERE op.order_id = ?", (o["id"],))]
            fees = order_fees(rules, o["type"], o["category"], parts)
            rule = match_rule(rules, o["type"], o["category"])
            repeat = is_repeat_repair(o, repairs.get(o["serial_no"], []), (rule or {}).get("repeat_repair_days"))
            deduction, reason = order_deduction(rule, fees, callback_result=o["callback_result"], repeat_repair=repeat)
            want = {"parts_fee": fees.parts_fee, "visit_fee": fees.visit_fee, "labour_fee": fees.labour_fee,
                    "deduction": deduction, "reason": reason or None}
            old = current.get(o["id"])
            if old is None:
                want.update(settlement_id=sid, order_id=o["id"])
                lines[o["id"]] = want
            else:
                want = {k: v for k, v in want.items() if old.get(k) != v}
                lines[o["id"]] = {**old, **want}
            if want:
                ops.append(put(LINES, line_id(sid, o["id"]), **want))
        total = settlement_total(list(lines.values()))
        head = {"total": total} if live else {"outlet_id": ctx.outlet_id, "period": period,
                                               "status": str(DocStatus.DRAFT), "total": total}
        if not live or live[0]["total"] != total or ops:
            self.ctx.write(session, [put(TABLE, sid, **head), *ops])
        return sid

    def adjust(self, session: Session, settlement_id_: str, order_id: str, amount: int, reason: str) -> None:
        """Add (positive) or take off (negative) an amount in fen on one order's line."""
        guards.require_put(session, LINES, ["adjustment", "adjustment_reason"], False, "settlement")
        s = guards.own_row(self.ctx, TABLE, settlement_id_)
        require_draft(s, TABLE)
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ServiceError.of("bad_amount", field="amount")
        reason = (reason or "").strip()
        if amount and not reason:
            raise ServiceError.of("adjustment_reason", field="reason")
        lid = line_id(s["id"], order_id)
        line = self.ctx.one(f"SELECT * FROM {LINES} WHERE id = ?", (lid,))
        if line is None:
            raise ServiceError.of("not_found", thing=pair("table", LINES))
        others = [other for other in self.ctx.query(f"SELECT * FROM {LINES} WHERE settlement_id = ?", (s["id"],))
                  if other["id"] != lid]
        total = settlement_total(others + [{**line, "adjustment": amount}])
        self.ctx.write(session, [put(LINES, lid, adjustment=amount, adjustment_reason=reason or None),
                                 put(TABLE, s["id"], total=total)])

    def submit(self, session: Session, settlement_id_: str) -> None:
        guards.require_put(session, TABLE, ["status", "total", "submitted_at"], False, "settlement")
        s = guards.own_row(self.ctx, TABLE, settlement_id_)
        require_draft(s, TABLE)
        lines = self.ctx.query(f"SELECT * FROM {LINES} WHERE settlement_id = ?", (s["id"],))
        if not lines:
            raise ServiceError.of("no_orders", period=s["period"])
        self.ctx.write(session, [put(TABLE, s["id"], total=settlement_total(lines), submitted_at=self.ctx.now(),
                                     status=str(DocStatus.SUBMITTED))])

    def get(self, session: Session, settlement_id_: str, *, offset: int = 0,
            limit: int | None = LINES_PAGE) -> SettlementView:
        """The settlement with one page of its lines (a month can have thousands);
        `limit=None`: all of them."""
        return self._view(session, guards.own_row(self.ctx, TABLE, settlement_id_), max(0, int(offset)), limit)

    def all(self, session: Session, period: str | None = None) -> tuple[SettlementHead, ...]:
        sql, params = f"SELECT * FROM {TABLE} WHERE outlet_id = ?", [self.ctx.outlet_id]
        if period:
            sql += " AND period = ?"
            params.append(period)
        heads = []
        for r in self.ctx.query(sql + " ORDER BY period DESC, submitted_at DESC", params):
            status = r.get("status") or DocStatus.DRAFT
            heads.append(SettlementHead(r["id"], r["period"] or "", status, label("doc_status", status, session.lang),
                                        r.get("total") or 0, r.get("submitted_at")))
        return tuple(heads)

    def _repairs_of(self, serials: set[str]) -> dict[str, list[dict]]:
        """The outlet's completed repairs of these serial numbers (any period), by serial."""
        out: dict[str, list[dict]] = {}
        serials = sorted(serials)
        for i in range(0, len(serials), 500):
            chunk = serials[i:i + 500]
            for r in self.ctx.query(
                    "SELECT o.id, o.type, o.serial_no, MIN(e.at) AS completed_at FROM order_events e "
                    "JOIN service_orders o ON o.id = e.order_id WHERE o.outlet_id = ? AND e.to_status = ? "
                    "AND o.status IN (?, ?) AND o.type = 'repair' "
                    f"AND o.serial_no IN ({', '.join('?' for _ in chunk)}) "
                    "GROUP BY o.id", (self.ctx.outlet_id, str(Status.COMPLETED), str(Status.COMPLETED),
                                      str(Status.CLOSED), *chunk)):
                out.setdefault(r["serial_no"], []).append(r)
        return out

    def _completed(self, period: str) -> list[dict]:
        start, end = period_bounds(period)
        return self.ctx.query(
            "SELECT o.id, o.number, o.type, o.serial_no, o.callback_result, pm.category, "
            "MIN(e.at) AS completed_at FROM order_events e "
            "JOIN service_orders o ON o.id = e.order_id LEFT JOIN product_models pm ON pm.id = o.product_model_id "
            "WHERE o.outlet_id = ? AND e.to_status = ? AND o.status IN (?, ?) GROUP BY o.id "
            "HAVING completed_at >= ? AND completed_at < ? ORDER BY completed_at",
            (self.ctx.outlet_id, str(Status.COMPLETED), str(Status.COMPLETED), str(Status.CLOSED), start, end))

    def _view(self, session: Session, s: dict, offset: int, limit: int | None) -> SettlementView:
        lang = session.lang
        rules = self.ctx.reference("fee_rules")
        count = self.ctx.scalar(f"SELECT COUNT(*) FROM {LINES} WHERE settlement_id = ?", (s["id"],))
        rows = self.ctx.query(
            "SELECT l.id, l.order_id, l.parts_fee, l.visit_fee, l.labour_fee, l.deduction, l.reason, l.adjustment, "
            "l.adjustment_reason, o.number, o.type, pm.category, (SELECT MIN(e.at) FROM order_events e WHERE "
            f"e.order_id = o.id AND e.to_status = 'completed') AS completed_at FROM {LINES} l "
            "LEFT JOIN service_orders o ON o.id = l.order_id LEFT JOIN product_models pm ON pm.id = o.product_model_id "
            "WHERE l.settlement_id = ? ORDER BY completed_at, o.number, l.id LIMIT ? OFFSET ?",
            (s["id"], -1 if limit is None else limit, offset))
        # A month has thousands of lines but few (type, category) and reason pairs: each is
        # worked out once.
        unruled = functools.cache(lambda key: match_rule(rules, *key) is None)
        type_label = functools.cache(lambda t: label("order_type", t, lang))
        reason = functools.cache(lambda code: deduction_reason(code, lang))
        no_rule = ui_text("no_fee_rule", lang)
        lines = []
        for r in rows:
            deducted, unruled_ = reason(r["reason"]), unruled((r["type"], r["category"]))
            note = " · ".join(x for x in (r["adjustment_reason"], deducted, no_rule if unruled_ else "") if x)
            lines.append(SettlementLine(
                r["id"], r["order_id"], r["number"] or "", type_label(r["type"]), r["category"] or "",
                r["completed_at"], r["parts_fee"] or 0, r["visit_fee"] or 0, r["labour_fee"] or 0,
                r["deduction"] or 0, deducted, r["adjustment"] or 0, r["adjustment_reason"] or "", line_total(r),
                unruled_, note))
        approvals = tuple(ApprovalLine(a["decision"] or "", label("doc_status", a["decision"], lang), a["level"],
                                       a["comment"] or "", a["at"]) for a in self.ctx.query(
            "SELECT * FROM approvals WHERE subject_table = ? AND subject_id = ? ORDER BY at, _hlc", (TABLE, s["id"])))
        status = s.get("status") or DocStatus.DRAFT
        comment = s.get("comment") or (approvals[-1].comment if approvals else "")
        return SettlementView(s["id"], s["period"] or "", status, label("doc_status", status, lang),
                              status == DocStatus.DRAFT and session.office, s.get("total") or 0,
                              s.get("submitted_at"), comment, approvals, tuple(lines), count, offset)
