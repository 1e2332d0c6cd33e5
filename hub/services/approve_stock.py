"""Stocktakes at HQ. Each submitted count's lines are recomputed from the hub's own ledger:
expected = Σ the outlet's moves with a clock not later than the count's (`_hlc ≤ count_hlc`,
docs/architecture.md, Stock), variance = counted − expected. A line within shared/approvals.py's limit
posts by itself as an HQ `adjust` move; the larger ones wait for the approver, who approves
(posting them) or rejects with a comment. A count whose lines were all within the limit is
approved by the hub itself (an approvals row without approver, level 0).

The automatic part runs in the hub job `approvals_autopost` (hub/jobs.py) and again inside
each decision, so a count is never decided before its small variances are posted. Every
adjust move's id is derived from its count line, so posting twice (a job and a decision, two
hub threads, a retry) writes one move."""
import uuid
from dataclasses import dataclass

from shared.approvals import Subject
from shared.documents import Decision, DocStatus
from shared.errors import ServiceError
from shared.labels import in_sentence, label
from shared.messages import MESSAGES
from shared.roles import HqWork
from shared.stock import MoveKind

from hub.services.approve_common import (HistoryLine, approval_op, check_decision, held_hash, history,
                                         outlet_names, put, subject_row)
from hub.services.hq_settings import HqSettings
from hub.services.session import HubSession

TABLE, LINES = str(Subject.STOCK_COUNT), "stock_count_lines"
ADJUST_NS = uuid.UUID("5b2f0e7c-91d4-4c3a-8f6e-2a7d9c1b3e54")


def _store_count(count: dict) -> dict:
    """A count HQ decides: the store's. A bag count (holder set) is the outlet's record only."""
    if count.get("holder"):
        raise ServiceError.of("not_found", thing=in_sentence("table", TABLE))
    return count


def adjust_move_id(count_line_id: str) -> str:
    return str(uuid.uuid5(ADJUST_NS, count_line_id))


@dataclass(frozen=True)
class CountLineReview:
    line_id: str
    part_id: str
    sku: str
    name: str
    counted: int
    node_expected: int | None   # as the node saw it on submission
    node_variance: int | None
    expected: int               # HQ's: Σ moves with _hlc ≤ count_hlc
    variance: int               # counted − expected (HQ's)
    unit_price: int
    value: int                  # variance × unit price (fen)
    auto: bool                  # within the automatic limit
    posted: bool                # HQ's adjust move for this line exists


@dataclass(frozen=True)
class CountReview:
    id: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    status: str
    status_label: str
    note: str
    blind: bool
    started_at: int | None
    submitted_at: int | None
    decidable: bool
    waiting: int                # lines beyond the limit, not posted
    content_hash: str
    lines: list[CountLineReview]
    history: list[HistoryLine]


class StockApprovals:
    def __init__(self, ctx):
        self.ctx = ctx

    def review(self, session: HubSession, count_id: str) -> CountReview:
        self.ctx.allow(session, HqWork.APPROVE)
        return self._review(session.lang, _store_count(subject_row(self.ctx, TABLE, count_id)))

    def _review(self, lang: str, count: dict) -> CountReview:
        ctx = self.ctx
        expected = {r["part_id"]: r["qty"] for r in ctx.query(
            "SELECT part_id, SUM(qty) AS qty FROM stock_moves WHERE outlet_id = ? AND holder IS NULL AND _hlc <= ? "
            "AND NOT (kind = ? AND ref = ?) GROUP BY part_id",
            (count["outlet_id"], count.get("count_hlc") or 0, str(MoveKind.ADJUST), count["id"]))}
        posted = {r["id"] for r in ctx.query("SELECT id FROM stock_moves WHERE outlet_id = ? AND kind = ? AND ref = ?",
                                             (count["outlet_id"], str(MoveKind.ADJUST), count["id"]))}
        lines = []
        for line in ctx.query(f"SELECT l.*, p.sku, p.name, p.unit_price FROM {LINES} l LEFT JOIN parts p "
                           "ON p.id = l.part_id WHERE l.count_id = ? ORDER BY p.sku", (count["id"],)):
            exp = expected.get(line["part_id"], 0)
            counted = line["counted"] or 0
            variance, price = counted - exp, line["unit_price"] or 0
            lines.append(CountLineReview(line["id"], line["part_id"], line["sku"] or line["part_id"],
                                         line["name"] or line["part_id"],
                                         counted, line["expected"], line["variance"], exp, variance, price,
                                         variance * price, HqSettings(ctx).auto_posts(variance, price),
                                         adjust_move_id(line["id"]) in posted))
        status = count.get("status") or DocStatus.DRAFT
        outlet = outlet_names(ctx).get(count["outlet_id"], {})
        return CountReview(count["id"], count["outlet_id"], outlet.get("code") or "", outlet.get("name") or "",
                           status, label("doc_status", status, lang), count.get("note") or "",
                           bool(count.get("blind")), count.get("started_at"), count.get("submitted_at"),
                           status == DocStatus.SUBMITTED,
                           sum(1 for x in lines if x.variance and not x.auto and not x.posted),
                           held_hash(ctx, TABLE, count), lines, history(ctx, TABLE, count["id"], lang))

    def _adjust_ops(self, count: dict, lines: list[CountLineReview], now: int) -> list[dict]:
        return [{"op": "add", "table": "stock_moves", "id": adjust_move_id(x.line_id), "fields": {
            "outlet_id": count["outlet_id"], "part_id": x.part_id, "qty": x.variance, "kind": str(MoveKind.ADJUST),
            "ref": count["id"], "note": label("table", TABLE, "zh"), "at": now}}
            for x in lines if x.variance and not x.posted]

    def autopost(self, session: HubSession | None = None) -> int:
        """Post every submitted count's variances within the limit; approve the counts that
        have no others. `session` None: the hub job. Returns the number of moves posted."""
        ctx = self.ctx
        if session is not None:
            ctx.allow(session, HqWork.APPROVE)
        posted = 0
        for (count_id,) in [(r["id"],) for r in ctx.query(
                f"SELECT id FROM {TABLE} WHERE status = ? AND holder IS NULL ORDER BY submitted_at",
                (str(DocStatus.SUBMITTED),))]:
            with ctx.tx():
                count = ctx.row(TABLE, count_id)
                if count.get("status") != DocStatus.SUBMITTED:
                    continue
                posted += self._post_small(session, count)
        return posted

    def _post_small(self, session: HubSession | None, count: dict) -> int:
        """Inside a transaction: the count's small variances as moves; the whole count
        approved by the hub when nothing waits for an approver."""
        ctx = self.ctx
        review = self._review("zh", count)
        now = ctx.now()
        ops = self._adjust_ops(count, [x for x in review.lines if x.auto], now)
        if not review.waiting:
            ops += [put(TABLE, count["id"], status=str(DocStatus.APPROVED)),
                    approval_op(count, TABLE, Decision.APPROVED, 0, MESSAGES["stock_autoposted"][0],
                                review.content_hash, None, now)]
        if ops:
            ctx.write(session, ops)
            ctx.audit(session, "stocktake_autoposted" if not review.waiting else "stocktake_partly_posted",
                      count["id"], f"{len(ops)} ops")
        return sum(1 for op in ops if op["table"] == "stock_moves")

    def decide(self, session: HubSession, count_id: str, decision: str, comment: str = "",
               seen_hash: str | None = None) -> str:
        """Approve (post every remaining variance as an adjust move) or reject (the large
        variances stay unposted; the small ones were HQ's to post). Returns the status."""
        ctx = self.ctx
        with ctx.tx():
            _, count, content_hash, comment = check_decision(ctx, session, TABLE, count_id, decision, comment,
                                                             seen_hash)
            _store_count(count)
            review = self._review(session.lang, count)
            now = ctx.now()
            small = [x for x in review.lines if x.auto]
            ops = self._adjust_ops(count, small if decision == Decision.REJECTED else review.lines, now)
            status = DocStatus.APPROVED if decision == Decision.APPROVED else DocStatus.REJECTED
            ops += [put(TABLE, count["id"], status=str(status)),
                    approval_op(count, TABLE, decision, 1, comment, content_hash, session.user_id, now)]
            ctx.write(session, ops)
            ctx.audit(session, f"stocktake_{status}", count["id"],
                      f"{sum(1 for op in ops if op['table'] == 'stock_moves')} moves")
            return str(status)
