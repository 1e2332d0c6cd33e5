"""HQ's approvals (HubServices.approvals): the inbox of what the outlets submitted — parts
requests, stocktakes, settlements, receipt discrepancies, the pending ones first — and one
entry point per decision. The flows live in their own modules (approve_parts,
approve_stock, approve_settlements, approve_receipts) over the shared checks in
approve_common; every decision checks the role (HqWork.APPROVE), writes the subject's
status and an `approvals` row (plus any stock moves) in one transaction, and is audited."""
from dataclasses import dataclass

from shared.approvals import Subject
from shared.documents import DocStatus
from shared.labels import label
from shared.periods import local_date
from shared.roles import HqWork

from hub.services.approve_common import outlet_names
from hub.services.approve_parts import Outcome, PartsApprovals, PartsReview
from hub.services.approve_receipts import ReceiptApprovals, ReceiptReview
from hub.services.approve_settlements import SettlementApprovals, SettlementReview
from hub.services.approve_stock import CountReview, StockApprovals
from hub.services.session import HubSession


@dataclass(frozen=True)
class InboxItem:
    subject: str             # shared/approvals.py Subject (the table)
    subject_label: str
    id: str
    outlet_code: str
    outlet_name: str
    title: str               # request number, settlement period, stocktake date
    status: str
    status_label: str
    pending: bool
    amount: int | None       # fen: the request's or settlement's total; None for stocktakes
    submitted_at: int | None


class Approvals:
    def __init__(self, ctx):
        self.ctx = ctx
        self.parts = PartsApprovals(ctx)
        self.stock = StockApprovals(ctx)
        self.settlements = SettlementApprovals(ctx)
        self.receipts = ReceiptApprovals(ctx)

    # ---- what waits ----

    def inbox(self, session: HubSession, subject: str | None = None, pending_only: bool = False,
              limit: int = 200) -> list[InboxItem]:
        """Submitted documents (pending first, oldest first), then decided ones (newest first)."""
        self.ctx.allow(session, HqWork.APPROVE)
        lang, outlets, out = session.lang, outlet_names(self.ctx), []
        statuses = [DocStatus.SUBMITTED] if pending_only else [DocStatus.SUBMITTED, DocStatus.APPROVED,
                                                                DocStatus.REJECTED]
        marks = ",".join("?" * len(statuses))
        sources = {
            Subject.PARTS_REQUEST: "SELECT id, outlet_id, status, number AS title, total AS amount, submitted_at "
                                   f"FROM parts_requests WHERE status IN ({marks})",
            Subject.STOCK_COUNT: "SELECT id, outlet_id, status, NULL AS title, NULL AS amount, submitted_at "
                                 # a bag count (holder set) is recorded only, never decided
                                 f"FROM stock_counts WHERE status IN ({marks}) AND holder IS NULL",
            Subject.SETTLEMENT: "SELECT id, outlet_id, status, period AS title, total AS amount, submitted_at "
                                f"FROM settlements WHERE status IN ({marks})",
            Subject.RECEIPT: "SELECT d.id, d.outlet_id, d.status, r.number AS title, NULL AS amount, "
                             "d.reported_at AS submitted_at FROM receipt_discrepancies d "
                             f"LEFT JOIN parts_requests r ON r.id = d.request_id WHERE d.status IN ({marks})",
        }
        for subj, sql in sources.items():
            if subject and subject != subj:
                continue
            for r in self.ctx.query(sql + " ORDER BY 6 DESC LIMIT ?", (*statuses, limit)):
                o = outlets.get(r["outlet_id"], {})
                title = r["title"] or _day(r["submitted_at"])
                out.append(InboxItem(str(subj), label("table", str(subj), lang), r["id"], o.get("code") or "",
                                     o.get("name") or "", title, r["status"], label("doc_status", r["status"], lang),
                                     r["status"] == DocStatus.SUBMITTED, r["amount"], r["submitted_at"]))
        pending = sorted((i for i in out if i.pending), key=lambda i: i.submitted_at or 0)
        done = sorted((i for i in out if not i.pending), key=lambda i: -(i.submitted_at or 0))
        return (pending + done)[:limit]

    # ---- reviews (what the approver looks at) ----

    def parts_request(self, session: HubSession, request_id: str) -> PartsReview:
        return self.parts.review(session, request_id)

    def stocktake(self, session: HubSession, count_id: str) -> CountReview:
        return self.stock.review(session, count_id)

    def settlement(self, session: HubSession, settlement_id: str) -> SettlementReview:
        return self.settlements.review(session, settlement_id)

    def receipt(self, session: HubSession, discrepancy_id: str) -> ReceiptReview:
        return self.receipts.review(session, discrepancy_id)

    # ---- decisions ----

    def decide_parts_request(self, session: HubSession, request_id: str, decision: str, comment: str = "",
                             approved_qty: dict[str, int] | None = None, seen_hash: str | None = None) -> Outcome:
        return self.parts.decide(session, request_id, decision, comment, approved_qty, seen_hash)

    def decide_stocktake(self, session: HubSession, count_id: str, decision: str, comment: str = "",
                         seen_hash: str | None = None) -> str:
        return self.stock.decide(session, count_id, decision, comment, seen_hash)

    def decide_settlement(self, session: HubSession, settlement_id: str, decision: str, comment: str,
                          seen_hash: str) -> str:
        return self.settlements.decide(session, settlement_id, decision, comment, seen_hash)

    def decide_receipt(self, session: HubSession, discrepancy_id: str, decision: str, comment: str = "",
                       seen_hash: str | None = None) -> str:
        return self.receipts.decide(session, discrepancy_id, decision, comment, seen_hash)

    def autopost(self, session: HubSession | None = None) -> int:
        """Stocktake variances within the limit, posted (the hub job calls this with None)."""
        return self.stock.autopost(session)


def autopost_job(services) -> None:
    """hub/jobs.py: post small stocktake variances as they arrive from the nodes."""
    services.approvals.autopost(None)


def _day(ms: int | None) -> str:
    return local_date(ms).isoformat() if ms else ""
