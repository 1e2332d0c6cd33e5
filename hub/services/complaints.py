"""The departments' complaint queues: a complaint from a call or from a low callback score
goes to a department with a deadline by severity; a handler resolves it with the outcome.
Other services open complaints through `open` (a call in intake, a callback's low score)."""
from dataclasses import dataclass

from shared.complaints import (DEADLINE_HOURS, DEFAULT_DEPARTMENT, DEPARTMENTS, ComplaintSource,
                               ComplaintStatus, Severity)
from shared.errors import ServiceError
from shared.roles import HqWork

from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_departments (id TEXT PRIMARY KEY, name TEXT NOT NULL,
        name_en TEXT)""",
    """CREATE TABLE IF NOT EXISTS hq_complaints (id TEXT PRIMARY KEY, customer_id TEXT,
        order_id TEXT, request_id TEXT, department_id TEXT NOT NULL, source TEXT NOT NULL,
        severity TEXT NOT NULL, summary TEXT NOT NULL, status TEXT NOT NULL,
        deadline_at INTEGER NOT NULL, created_at INTEGER NOT NULL, created_by TEXT,
        resolved_at INTEGER, resolved_by TEXT, resolution TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_complaints_queue ON hq_complaints (department_id, status, deadline_at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_complaints_order ON hq_complaints (order_id)",
    *(f"INSERT OR IGNORE INTO hq_departments (id, name, name_en) VALUES ('{i}', '{zh}', '{en}')"
      for i, zh, en in DEPARTMENTS),
)
HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str    # in the reader's language


@dataclass(frozen=True, slots=True)
class Complaint:
    """A complaint as its department's queue shows it."""
    id: str
    department_id: str
    department_name: str          # in the reader's language
    severity: str                 # shared/complaints.py Severity
    source: str                   # ComplaintSource
    status: str                   # ComplaintStatus
    summary: str
    deadline_at: int
    overdue: bool
    customer_id: str | None
    customer_name: str
    order_id: str | None
    order_number: str
    request_id: str | None
    resolution: str


def department_name(row: dict, lang: str) -> str:
    """hq_departments' name in `lang` (English falls back to the Chinese name)."""
    return (row.get("name_en") if lang == "en" else None) or row["name"]


class Complaints:
    def __init__(self, ctx):
        self.ctx = ctx

    def departments(self, session: HubSession) -> list[Department]:
        """The departments a complaint can go to, named in the session's language."""
        return [Department(d["id"], department_name(d, session.lang))
                for d in self.ctx.query("SELECT * FROM hq_departments ORDER BY id")]

    def open(self, session: HubSession | None, *, summary: str, customer_id: str | None = None,
             order_id: str | None = None, request_id: str | None = None,
             department_id: str | None = None, source: str = ComplaintSource.CALL,
             severity: str = Severity.NORMAL) -> str:
        """Put a complaint in a department's queue; `session` None: a hub job opened it."""
        ctx = self.ctx
        if session is not None:
            ctx.allow(session, HqWork.COMPLAINTS if source == ComplaintSource.CALL else HqWork.CALLBACK)
        if not (summary or "").strip():
            raise ServiceError.on_field("required", "summary")
        department_id = department_id or DEFAULT_DEPARTMENT
        if ctx.row("hq_departments", department_id) is None:
            raise ServiceError.of("bad_choice", what=("部门", "department"))
        if severity not in Severity.__members__.values():
            raise ServiceError.of("bad_choice", what=("严重程度", "severity"))
        now = ctx.now()
        with ctx.tx():
            cid = ctx.insert("hq_complaints", {
                "customer_id": customer_id, "order_id": order_id, "request_id": request_id,
                "department_id": department_id, "source": str(source), "severity": str(severity),
                "summary": summary.strip(), "status": ComplaintStatus.OPEN,
                "deadline_at": now + DEADLINE_HOURS[Severity(severity)] * HOUR_MS, "created_at": now,
                "created_by": session.user_id if session else None})
            ctx.audit(session, "complaint_opened", cid, department_id)
        return cid

    def queue(self, session: HubSession, department_id: str | None = None,
              status: str | None = ComplaintStatus.OPEN) -> list[Complaint]:
        """A department's complaints, the most urgent deadline first, each with `overdue`."""
        self.ctx.allow(session, HqWork.COMPLAINTS)
        where, params = [], []
        if department_id:
            where.append("c.department_id = ?")
            params.append(department_id)
        if status:
            where.append("c.status = ?")
            params.append(status)
        rows = self.ctx.query(
            "SELECT c.*, d.name, d.name_en, cu.name AS customer_name, o.number AS order_number "
            "FROM hq_complaints c JOIN hq_departments d ON d.id = c.department_id "
            "LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN service_orders o ON o.id = c.order_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.deadline_at", params)
        now = self.ctx.now()
        return [Complaint(r["id"], r["department_id"], department_name(r, session.lang), r["severity"], r["source"],
                          r["status"], r["summary"], r["deadline_at"],
                          r["status"] == ComplaintStatus.OPEN and r["deadline_at"] < now, r["customer_id"],
                          r["customer_name"] or "", r["order_id"], r["order_number"] or "", r["request_id"],
                          r["resolution"] or "") for r in rows]

    def resolve(self, session: HubSession, complaint_id: str, resolution: str) -> None:
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        row = ctx.row("hq_complaints", complaint_id)
        if row is None:
            raise ServiceError.of("not_found", thing=("投诉", "complaint"))
        if row["status"] == ComplaintStatus.RESOLVED:
            raise ServiceError.of("complaint_resolved")
        if not (resolution or "").strip():
            raise ServiceError.on_field("required", "resolution")
        with ctx.tx():
            ctx.update("hq_complaints", complaint_id, {
                "status": ComplaintStatus.RESOLVED, "resolution": resolution.strip(),
                "resolved_at": ctx.now(), "resolved_by": session.user_id})
            ctx.audit(session, "complaint_resolved", complaint_id)
