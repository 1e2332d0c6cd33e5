"""Receipt discrepancies at HQ: what an outlet found short, damaged or extra when it received
a shipment (node/services/receiving.py). Each arrives submitted (the table's `initial`
status), shows in the approvals inbox beside the documents to decide, with its lines
priced at catalog price, and the approver settles it: approve (HQ accepts the difference —
reships or credits) or reject with a comment (HQ disputes it). The decision is the row's
status and an `approvals` row, which the outlet reads as HQ's word; the stock itself was
booked by the outlet when it received (good and extra pieces), so settling moves nothing."""
import json
from dataclasses import dataclass

from shared.approvals import Subject
from shared.documents import Decision, DocStatus
from shared.labels import label
from shared.roles import HqWork

from hub.services.approve_common import (HistoryLine, approval_op, check_decision, held_hash, history,
                                         outlet_names, put, subject_row)
from hub.services.session import HubSession

TABLE = str(Subject.RECEIPT)


@dataclass(frozen=True)
class ReceiptLineReview:
    part_id: str
    sku: str
    name: str
    shipped: int
    received: int
    damaged: int
    extra: int
    short: int
    unit_price: int
    value: int               # (short + damaged − extra) × unit price: what the outlet is missing (fen)


@dataclass(frozen=True)
class ReceiptReview:
    id: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    request_id: str
    number: str              # the parts request's
    status: str
    status_label: str
    note: str
    reported_at: int | None
    decidable: bool
    value: int
    content_hash: str
    lines: list[ReceiptLineReview]
    history: list[HistoryLine]


class ReceiptApprovals:
    def __init__(self, ctx):
        self.ctx = ctx

    def review(self, session: HubSession, discrepancy_id: str) -> ReceiptReview:
        self.ctx.allow(session, HqWork.APPROVE)
        return self._review(session.lang, subject_row(self.ctx, TABLE, discrepancy_id))

    def _review(self, lang: str, row: dict) -> ReceiptReview:
        ctx = self.ctx
        lines_value = row.get("lines")
        if isinstance(lines_value, str):
            lines_value = json.loads(lines_value)
        raw = [x for x in (lines_value or []) if isinstance(x, dict) and x.get("part_id")]
        parts = {p["id"]: p for p in ctx.query("SELECT id, sku, name, unit_price FROM parts WHERE id IN "
                                               f"({','.join('?' * len(raw))})", [x["part_id"] for x in raw])}
        lines = []
        for x in raw:
            p = parts.get(x["part_id"], {})
            shipped, received = int(x.get("shipped") or 0), int(x.get("received") or 0)
            damaged, extra = int(x.get("damaged") or 0), int(x.get("extra") or 0)
            short = max(0, shipped - received - damaged)
            price = p.get("unit_price") or 0
            lines.append(ReceiptLineReview(x["part_id"], p.get("sku") or x["part_id"], p.get("name") or x["part_id"],
                                           shipped, received, damaged, extra, short, price,
                                           (short + damaged - extra) * price))
        lines.sort(key=lambda x: x.sku)
        status = row.get("status") or DocStatus.SUBMITTED
        outlet = outlet_names(ctx).get(row["outlet_id"], {})
        request = ctx.row("parts_requests", row.get("request_id") or "") or {}
        return ReceiptReview(row["id"], row["outlet_id"], outlet.get("code") or "", outlet.get("name") or "",
                             row.get("request_id") or "", request.get("number") or "", status,
                             label("doc_status", status, lang), row.get("note") or "", row.get("reported_at"),
                             status == DocStatus.SUBMITTED, sum(x.value for x in lines),
                             held_hash(ctx, TABLE, row), lines, history(ctx, TABLE, row["id"], lang))

    def decide(self, session: HubSession, discrepancy_id: str, decision: str, comment: str = "",
               seen_hash: str | None = None) -> str:
        """Settle: approve (HQ accepts the difference) or reject (a comment says why).
        Returns the status."""
        ctx = self.ctx
        with ctx.tx():
            _, row, content_hash, comment = check_decision(ctx, session, TABLE, discrepancy_id, decision, comment,
                                                           seen_hash)
            status = DocStatus.APPROVED if decision == Decision.APPROVED else DocStatus.REJECTED
            now = ctx.now()
            ctx.write(session, [put(TABLE, row["id"], status=str(status), settled_at=now),
                                approval_op(row, TABLE, decision, 1, comment, content_hash, session.user_id, now)])
            ctx.audit(session, f"receipt_discrepancy_{status}", row["id"], row.get("request_id") or "")
            return str(status)
