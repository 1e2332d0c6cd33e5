"""What the three approval flows share: the checks before any decision (role, a submitted
and undecided document, a valid decision, a comment for a rejection, the exact version the
approver looked at), the content hash a decision binds to, the `approvals` row HQ adds and
the history of earlier decisions. The node reads HQ's word from the subject's status and
its newest `approvals` row (node/services/stock.py `latest_comment`)."""
import uuid
from dataclasses import dataclass

from shared.documents import DECIDED, Decision, DocStatus
from shared.errors import ServiceError
from shared.labels import in_sentence, label
from shared.roles import HqWork
from shared.tables import TABLES
from sync import merge
from sync.canonical import canonical_bytes, sha256_hex

from hub.services.session import HubSession


@dataclass(frozen=True)
class HistoryLine:
    decision: str
    decision_label: str
    level: int | None
    comment: str
    approver: str          # display name; "" for the hub's own (automatic) decisions
    approver_id: str | None
    content_hash: str | None
    at: int | None


def document_hash(c, table: str, row_id: str) -> str:
    """The submitted version: the row and its lines, outlet fields only (what the outlet
    wrote; HQ's status, comment, approved quantities are not part of it). For settlements
    this equals the hash the hub stored on submission (sync/hub_store.py content_hash)."""
    spec = TABLES[table]
    row = merge.load(c, spec, row_id)
    doc = {"row": {k: v for k, v in row.items() if not spec.hub_authority(k)}, "lines": []}
    for child in TABLES.values():
        if child.frozen_with == table:
            ids = [r[0] for r in c.execute(
                f"SELECT id FROM [{child.name}] WHERE [{child.parent.column}] = ? ORDER BY id", (row_id,))]
            for i in ids:
                line = merge.load(c, child, i)
                doc["lines"].append({k: v for k, v in line.items() if not child.hub_authority(k)})
    return sha256_hex(canonical_bytes(doc))


def held_hash(ctx, table: str, row: dict) -> str:
    """The hash the hub holds for a submitted document: the one stored on submission when
    the table keeps it (settlements), else computed from the frozen rows."""
    if row.get("content_hash"):
        return row["content_hash"]
    with ctx._reader() as c:
        return document_hash(c, table, row["id"])


def version_changed(ctx, table: str, row: dict) -> bool:
    """The rows no longer hash to what the hub stored on submission (a resubmission whose
    new hash has not been stored, or rows changed behind the freeze)."""
    if not row.get("content_hash"):
        return False
    with ctx._reader() as c:
        return document_hash(c, table, row["id"]) != row["content_hash"]


def subject_row(ctx, table: str, row_id: str) -> dict:
    row = ctx.row(table, row_id or "")
    if row is None:
        raise ServiceError.of("not_found", thing=in_sentence("table", table))
    return row


def check_decision(ctx, session: HubSession, table: str, row_id: str, decision: str, comment: str | None,
                   seen_hash: str | None) -> tuple[dict, dict, str, str]:
    """Refuse in words unless this person may decide this document now; returns (user,
    row, content hash, cleaned comment). Call inside the decision's transaction."""
    user = ctx.allow(session, HqWork.APPROVE)
    row = subject_row(ctx, table, row_id)
    status = row.get("status") or DocStatus.DRAFT
    thing = in_sentence("table", table)
    if status in DECIDED:
        raise ServiceError.of("approval_decided", thing=thing, status=in_sentence("doc_status", status))
    if status != DocStatus.SUBMITTED:
        raise ServiceError.of("approval_not_submitted", thing=thing, status=in_sentence("doc_status", status))
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise ServiceError.on_field("bad_choice", "decision")
    comment = (comment or "").strip()
    if decision == Decision.REJECTED and not comment:
        raise ServiceError.of("reject_comment", field="comment")
    content_hash = held_hash(ctx, table, row)
    if (seen_hash is not None and seen_hash != content_hash) or version_changed(ctx, table, row):
        raise ServiceError.of("approval_stale", thing=thing)
    return user, row, content_hash, comment


def approval_op(row: dict, table: str, decision: str, level: int, comment: str, content_hash: str,
                approver_id: str | None, at: int) -> dict:
    return {"op": "add", "table": "approvals", "id": str(uuid.uuid4()), "fields": {
        "outlet_id": row["outlet_id"], "subject_table": table, "subject_id": row["id"],
        "decision": str(decision), "level": level, "comment": comment or None,
        "content_hash": content_hash, "approver_id": approver_id, "at": at}}


def put(table: str, row_id: str, **fields) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def history(ctx, table: str, row_id: str, lang: str) -> list[HistoryLine]:
    rows = ctx.query("SELECT a.*, u.display_name FROM approvals a LEFT JOIN users u ON u.id = a.approver_id "
                     "WHERE a.subject_table = ? AND a.subject_id = ? ORDER BY a.at, a._hlc", (table, row_id))
    return [HistoryLine(r["decision"] or "", label("decision", r["decision"], lang), r["level"], r["comment"] or "",
                        r["display_name"] or "", r["approver_id"], r["content_hash"], r["at"]) for r in rows]


def outlet_names(ctx) -> dict[str, dict]:
    return {o["id"]: o for o in ctx.query("SELECT id, code, name, region FROM outlets")}
