"""Settlements at HQ: the outlet's submitted settlement beside the hub's own recomputation
of every line (shared/fees.py with the hub's fee rules, the parts used in warranty at
catalog price, and the callback deductions from the hub's callback results and repeat
repairs of the same appliance at the same outlet, as the outlet's draft counts them: an
earlier repair by another outlet says nothing of this outlet's work), each difference shown: a fee
or deduction that differs, an order completed in the period the outlet left out, a line
for an order not completed in it. The outlet's adjustments are its own claims (with a
reason) and count on both sides.

The decision binds to the exact submitted version: the approvals row carries the content
hash the hub stored on submission, and a decision made on a version other than the one held
now is refused."""
from dataclasses import dataclass

from shared.approvals import Difference, Subject
from shared.documents import DocStatus
from shared.fees import is_repeat_repair, line_total, match_rule, order_deduction, order_fees
from shared.labels import label
from shared.orders import Status
from shared.periods import period_bounds
from shared.roles import HqWork

from hub.services.approve_common import (HistoryLine, approval_op, check_decision, held_hash, history,
                                         outlet_names, put, subject_row)
from hub.services.session import HubSession

TABLE, LINES = str(Subject.SETTLEMENT), "settlement_lines"
AMOUNTS = ("visit_fee", "labour_fee", "parts_fee", "deduction")


@dataclass(frozen=True)
class Amounts:
    visit_fee: int
    labour_fee: int
    parts_fee: int
    deduction: int
    adjustment: int
    total: int
    reason: str              # the deduction's reason code(s)


@dataclass(frozen=True)
class LineReview:
    order_id: str
    order_number: str
    type_label: str
    category: str
    completed_at: int | None
    kind: str                # shared/approvals.py Difference
    kind_label: str
    node: Amounts | None     # None: the outlet left the order out
    hub: Amounts | None      # None: not completed in the period at HQ
    differs: tuple[str, ...]  # the AMOUNTS that differ
    adjustment_reason: str
    no_fee_rule: bool


@dataclass(frozen=True)
class SettlementReview:
    id: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    period: str
    status: str
    status_label: str
    submitted_at: int | None
    node_total: int          # the total the outlet submitted
    hub_total: int           # HQ's recomputation (with the outlet's adjustments)
    differences: int         # lines that are not the same
    decidable: bool
    content_hash: str
    comment: str
    lines: list[LineReview]
    history: list[HistoryLine]


def _amounts(line: dict, reason: str = "") -> Amounts:
    return Amounts(*(int(line.get(k) or 0) for k in ("visit_fee", "labour_fee", "parts_fee", "deduction",
                                                     "adjustment")), line_total(line), reason)


class SettlementApprovals:
    def __init__(self, ctx):
        self.ctx = ctx

    def review(self, session: HubSession, settlement_id: str) -> SettlementReview:
        self.ctx.allow(session, HqWork.APPROVE)
        return self._review(session.lang, subject_row(self.ctx, TABLE, settlement_id))

    def recompute(self, outlet_id: str, period: str) -> dict[str, dict]:
        """HQ's line for every order of the outlet completed in the period: order id →
        {order fields, completed_at, visit_fee, labour_fee, parts_fee, deduction, reason}."""
        ctx = self.ctx
        start, end = period_bounds(period)
        orders = ctx.query(
            "SELECT o.id, o.number, o.type, o.serial_no, o.callback_result, pm.category, MIN(e.at) AS completed_at "
            "FROM order_events e JOIN service_orders o ON o.id = e.order_id "
            "LEFT JOIN product_models pm ON pm.id = o.product_model_id "
            "WHERE o.outlet_id = ? AND e.to_status = ? AND o.status IN (?, ?) GROUP BY o.id, pm.category "
            "HAVING MIN(e.at) >= ? AND MIN(e.at) < ? ORDER BY completed_at",
            (outlet_id, str(Status.COMPLETED), str(Status.COMPLETED), str(Status.CLOSED), start, end))
        rules = [{**r, "active": r["active"] is None or bool(r["active"])}
                 for r in ctx.query("SELECT * FROM fee_rules")]
        earlier = self._same_appliance(outlet_id, [o["serial_no"] for o in orders if o["serial_no"]])
        used = self._parts_used([o["id"] for o in orders])
        out = {}
        for o in orders:
            parts = used.get(o["id"], [])
            rule = match_rule(rules, o["type"], o["category"])
            fees = order_fees(rules, o["type"], o["category"], parts)
            repeat = is_repeat_repair(o, earlier.get(o["serial_no"], []), (rule or {}).get("repeat_repair_days"))
            deduction, reason = order_deduction(rule, fees, callback_result=o["callback_result"], repeat_repair=repeat)
            out[o["id"]] = {**o, "visit_fee": fees.visit_fee, "labour_fee": fees.labour_fee,
                            "parts_fee": fees.parts_fee, "deduction": deduction, "reason": reason,
                            "no_fee_rule": rule is None}
        return out

    def _parts_used(self, order_ids: list[str]) -> dict[str, list[tuple]]:
        """order id → [(qty, catalog unit price, in warranty)] of the parts fitted."""
        out: dict[str, list[tuple]] = {}
        for i in range(0, len(order_ids), 500):
            chunk = order_ids[i:i + 500]
            for p in self.ctx.query(
                    "SELECT op.order_id, op.qty, op.in_warranty, p.unit_price FROM order_parts op "
                    f"LEFT JOIN parts p ON p.id = op.part_id WHERE op.order_id IN ({','.join('?' * len(chunk))})",
                    chunk):
                out.setdefault(p["order_id"], []).append((p["qty"], p["unit_price"], bool(p["in_warranty"])))
        return out

    def _same_appliance(self, outlet_id: str, serials: list[str]) -> dict[str, list[dict]]:
        """The outlet's completed repairs of these appliances (any period)."""
        out: dict[str, list[dict]] = {}
        for i in range(0, len(serials), 500):
            chunk = sorted(set(serials[i:i + 500]))
            for r in self.ctx.query(
                    "SELECT o.id, o.serial_no, o.type, MIN(e.at) AS completed_at FROM service_orders o "
                    "JOIN order_events e ON e.order_id = o.id AND e.to_status = ? "
                    f"WHERE o.outlet_id = ? AND o.serial_no IN ({','.join('?' * len(chunk))}) GROUP BY o.id",
                    (str(Status.COMPLETED), outlet_id, *chunk)):
                out.setdefault(r["serial_no"], []).append(r)
        return out

    def _review(self, lang: str, s: dict) -> SettlementReview:
        ctx = self.ctx
        hub = self.recompute(s["outlet_id"], s.get("period") or "") if s.get("period") else {}
        node = {line["order_id"]: line for line in ctx.query(
            f"SELECT l.*, o.number, o.type, pm.category, (SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id "
            f"AND e.to_status = '{Status.COMPLETED}') AS completed_at FROM {LINES} l "
            "LEFT JOIN service_orders o ON o.id = l.order_id LEFT JOIN product_models pm ON pm.id = o.product_model_id "
            "WHERE l.settlement_id = ?", (s["id"],))}
        lines = []
        for order_id in sorted(set(hub) | set(node), key=lambda i: ((hub.get(i) or node.get(i))["completed_at"] or 0,
                                                                     (hub.get(i) or node.get(i))["number"] or "")):
            n, h = node.get(order_id), hub.get(order_id)
            base = h or n
            node_amounts = _amounts(n, n.get("reason") or "") if n else None
            hub_amounts = _amounts({**h, "adjustment": (n or {}).get("adjustment")}, h["reason"]) if h else None
            if n is None:
                kind, differs = Difference.MISSING_ON_NODE, ()
            elif h is None:
                kind, differs = Difference.NOT_COMPLETED, ()
            else:
                differs = tuple(k for k in AMOUNTS if getattr(node_amounts, k) != getattr(hub_amounts, k))
                kind = Difference.AMOUNT if differs else Difference.SAME
            lines.append(LineReview(order_id, base["number"] or order_id, label("order_type", base["type"], lang),
                                    base["category"] or "", base["completed_at"], str(kind),
                                    label("difference", str(kind), lang), node_amounts, hub_amounts, differs,
                                    (n or {}).get("adjustment_reason") or "", bool((h or {}).get("no_fee_rule"))))
        status = s.get("status") or DocStatus.DRAFT
        outlet = outlet_names(ctx).get(s["outlet_id"], {})
        return SettlementReview(
            s["id"], s["outlet_id"], outlet.get("code") or "", outlet.get("name") or "", s.get("period") or "",
            status, label("doc_status", status, lang), s.get("submitted_at"), s.get("total") or 0,
            sum(x.hub.total for x in lines if x.hub), sum(1 for x in lines if x.kind != Difference.SAME),
            status == DocStatus.SUBMITTED, held_hash(ctx, TABLE, s) if status != DocStatus.DRAFT else "",
            s.get("comment") or "", lines, history(ctx, TABLE, s["id"], lang))

    def decide(self, session: HubSession, settlement_id: str, decision: str, comment: str,
               seen_hash: str) -> str:
        """Approve or reject the version whose content hash the approver saw (`seen_hash`,
        the review's content_hash); returns the settlement's new status."""
        ctx = self.ctx
        with ctx.tx():
            _, s, content_hash, comment = check_decision(ctx, session, TABLE, settlement_id, decision, comment,
                                                         seen_hash or "")
            now = ctx.now()
            status = DocStatus.APPROVED if decision == DocStatus.APPROVED else DocStatus.REJECTED
            ctx.write(session, [put(TABLE, s["id"], status=str(status), comment=comment or None),
                                approval_op(s, TABLE, decision, 1, comment, content_hash, session.user_id, now)])
            ctx.audit(session, f"settlement_{status}", s["id"], content_hash)
            return str(status)

