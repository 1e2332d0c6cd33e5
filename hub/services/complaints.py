"""The departments' complaint queues: a complaint from a call or from a low callback score
goes to a department with a deadline by department and severity (HQ may set the hours per
pair; shared/complaints.py has the defaults). Other services open complaints through
`open` (a call in intake, a callback's low score); the handling itself (assign, transfer,
escalate, contacts, resolve) is services.complaint_work."""
import json
from dataclasses import dataclass

from shared import callbacks as cb
from shared.complaints import (DEADLINE_HOURS, DEFAULT_DEPARTMENT, DEPARTMENTS, MAX_DEADLINE_HOURS,
                               ComplaintSource, ComplaintStatus, Severity, StepKind)
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
        resolved_at INTEGER, resolved_by TEXT, resolution TEXT, assignee_id TEXT,
        level INTEGER NOT NULL DEFAULT 0, survey_answers TEXT, survey_score INTEGER)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_complaints_queue ON hq_complaints (department_id, status, deadline_at)",
    "CREATE INDEX IF NOT EXISTS ix_hq_complaints_order ON hq_complaints (order_id)",
    *(f"INSERT OR IGNORE INTO hq_departments (id, name, name_en) VALUES ('{i}', '{zh}', '{en}')"
      for i, zh, en in DEPARTMENTS),
)
# Hub 8: the complaint workflow (hub/migrations.py adds the columns above to older files).
WORKFLOW_COLUMNS = (("assignee_id", "TEXT"), ("level", "INTEGER NOT NULL DEFAULT 0"),
                    ("survey_answers", "TEXT"), ("survey_score", "INTEGER"))
WORKFLOW_DDL = (
    """CREATE TABLE IF NOT EXISTS hq_complaint_steps (id TEXT PRIMARY KEY, complaint_id TEXT NOT NULL,
        at INTEGER NOT NULL, by TEXT, kind TEXT NOT NULL, department_id TEXT, assignee_id TEXT,
        level INTEGER, reason TEXT, feedback TEXT, answer TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_complaint_steps ON hq_complaint_steps (complaint_id, at)",
    """CREATE TABLE IF NOT EXISTS hq_complaint_deadlines (department_id TEXT NOT NULL,
        severity TEXT NOT NULL, hours INTEGER NOT NULL, updated_at INTEGER, updated_by TEXT,
        PRIMARY KEY (department_id, severity))""",
)
DDL = DDL + WORKFLOW_DDL
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
    assignee_id: str | None = None
    assignee_name: str = ""
    level: int = 0
    contacts: int = 0             # contacts with the customer recorded so far
    survey_score: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a complaint's history, as its record shows it."""
    at: int
    kind: str                     # StepKind
    by_name: str
    department_name: str          # transferred: to which department
    assignee_name: str            # assigned: to whom
    level: int | None             # escalated: to which level
    reason: str
    feedback: str                 # contact: what HQ told the customer
    answer: str                   # contact: what the customer said


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    department_id: str
    department_name: str
    severity: str
    hours: int
    default: bool                 # no hours set by HQ: DEADLINE_HOURS


@dataclass(frozen=True, slots=True)
class ComplaintRecord:
    complaint: Complaint
    steps: tuple[Step, ...]
    survey: tuple[cb.Question, ...]   # the complaint survey asked when it is resolved
    survey_answers: tuple = ()


def department_name(row: dict, lang: str) -> str:
    """hq_departments' name in `lang` (English falls back to the Chinese name)."""
    return (row.get("name_en") if lang == "en" else None) or row["name"]


_QUEUE_SQL = (
    "SELECT c.*, d.name, d.name_en, cu.name AS customer_name, o.number AS order_number,"
    " u.display_name AS assignee_name, u.username AS assignee_username,"
    " (SELECT COUNT(*) FROM hq_complaint_steps s WHERE s.complaint_id = c.id AND s.kind = 'contact') AS contacts "
    "FROM hq_complaints c JOIN hq_departments d ON d.id = c.department_id "
    "LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN service_orders o ON o.id = c.order_id "
    "LEFT JOIN users u ON u.id = c.assignee_id")


class Complaints:
    def __init__(self, ctx):
        self.ctx = ctx

    def departments(self, session: HubSession) -> list[Department]:
        """The departments a complaint can go to, named in the session's language."""
        return [Department(d["id"], department_name(d, session.lang))
                for d in self.ctx.query("SELECT * FROM hq_departments ORDER BY id")]

    def department(self, department_id: str | None) -> dict:
        """The department row, or a refusal in words (a transfer to a missing department)."""
        row = self.ctx.row("hq_departments", department_id) if department_id else None
        if row is None:
            raise ServiceError.of("not_found", field="department_id", thing=("部门", "department"))
        return row

    # ---- deadlines per department and severity ----

    def deadline_hours(self, department_id: str, severity: str) -> int:
        hours = self.ctx.scalar("SELECT hours FROM hq_complaint_deadlines WHERE department_id = ? AND severity = ?",
                                (department_id, severity))
        return int(hours) if hours else DEADLINE_HOURS[Severity(severity)]

    def deadline_rules(self, session: HubSession) -> list[DeadlineRule]:
        """Every department × severity with its hours (HQ's or the default)."""
        self.ctx.allow(session, HqWork.COMPLAINTS)
        set_ = {(r["department_id"], r["severity"]): r["hours"]
                for r in self.ctx.query("SELECT * FROM hq_complaint_deadlines")}
        return [DeadlineRule(d.id, d.name, str(s), int(set_.get((d.id, str(s))) or DEADLINE_HOURS[s]),
                             (d.id, str(s)) not in set_)
                for d in self.departments(session) for s in Severity]

    def set_deadline(self, session: HubSession, department_id: str, severity: str, hours) -> None:
        """HQ's hours for one department and severity; open complaints of that pair get
        the new deadline (still counted from their creation)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        self.department(department_id)
        if severity not in Severity.__members__.values():
            raise ServiceError.of("bad_choice", what=("严重程度", "severity"))
        try:
            n = int(str(hours).strip())
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_DEADLINE_HOURS:
            raise ServiceError.of("bad_hours", max=MAX_DEADLINE_HOURS)
        with ctx.tx() as c:
            c.execute("DELETE FROM hq_complaint_deadlines WHERE department_id = ? AND severity = ?",
                      (department_id, severity))
            c.execute("INSERT INTO hq_complaint_deadlines (department_id, severity, hours, updated_at, updated_by) "
                      "VALUES (?, ?, ?, ?, ?)", (department_id, severity, n, ctx.now(), session.user_id))
            c.execute("UPDATE hq_complaints SET deadline_at = created_at + ? WHERE department_id = ? "
                      "AND severity = ? AND status = ?", (n * HOUR_MS, department_id, severity,
                                                          str(ComplaintStatus.OPEN)))
            ctx.audit(session, "complaint_deadline_set", department_id, f"{severity} {n}h")

    # ---- opening ----

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
                "deadline_at": now + self.deadline_hours(department_id, severity) * HOUR_MS, "created_at": now,
                "created_by": session.user_id if session else None, "level": 0})
            self.step(session, cid, StepKind.OPENED, department_id=department_id)
            ctx.audit(session, "complaint_opened", cid, department_id)
        return cid

    def step(self, session: HubSession | None, complaint_id: str, kind: str, **fields) -> None:
        """One line of the complaint's history (in the caller's transaction)."""
        self.ctx.insert("hq_complaint_steps", {"complaint_id": complaint_id, "at": self.ctx.now(),
                                               "by": session.user_id if session else None, "kind": str(kind),
                                               **fields})

    # ---- reading ----

    def queue(self, session: HubSession, department_id: str | None = None,
              status: str | None = ComplaintStatus.OPEN, *, assignee_id: str | None = None) -> list[Complaint]:
        """A department's complaints (or one person's: `assignee_id`), the most urgent
        deadline first, each with `overdue`."""
        self.ctx.allow(session, HqWork.COMPLAINTS)
        where, params = [], []
        if department_id:
            where.append("c.department_id = ?")
            params.append(department_id)
        if status:
            where.append("c.status = ?")
            params.append(status)
        if assignee_id:
            where.append("c.assignee_id = ?")
            params.append(assignee_id)
        rows = self.ctx.query(_QUEUE_SQL + (" WHERE " + " AND ".join(where) if where else "")
                              + " ORDER BY c.deadline_at, c.created_at", params)
        return [self._complaint(r, session.lang) for r in rows]

    def get(self, session: HubSession, complaint_id: str) -> Complaint:
        self.ctx.allow(session, HqWork.COMPLAINTS)
        row = self.ctx.one(_QUEUE_SQL + " WHERE c.id = ?", (complaint_id,))
        if row is None:
            raise ServiceError.of("not_found", thing=("投诉", "complaint"))
        return self._complaint(row, session.lang)

    def record(self, session: HubSession, complaint_id: str) -> ComplaintRecord:
        """The complaint with its history (every step, oldest first) and its survey."""
        complaint = self.get(session, complaint_id)
        lang = session.lang
        steps = tuple(Step(
            s["at"], s["kind"], s["by_name"] or s["by_username"] or "",
            department_name(s, lang) if s["name"] else "", s["assignee_name"] or "", s["level"],
            s["reason"] or "", s["feedback"] or "", s["answer"] or "") for s in self.ctx.query(
            "SELECT s.*, b.display_name AS by_name, b.username AS by_username, d.name, d.name_en,"
            " a.display_name AS assignee_name FROM hq_complaint_steps s "
            "LEFT JOIN users b ON b.id = s.by LEFT JOIN hq_departments d ON d.id = s.department_id "
            "LEFT JOIN users a ON a.id = s.assignee_id WHERE s.complaint_id = ? ORDER BY s.at, s.rowid",
            (complaint_id,)))
        answers = self.ctx.scalar("SELECT survey_answers FROM hq_complaints WHERE id = ?", (complaint_id,))
        return ComplaintRecord(complaint, steps, tuple(self.survey(lang)),
                               tuple(json.loads(answers) if answers else ()))

    def survey(self, lang: str = "zh") -> list[cb.Question]:
        """The complaint survey's questions (survey_templates of type complaint), asked
        when a complaint is resolved, worded in `lang`; none when HQ has no active one."""
        for t in self.ctx.query("SELECT questions FROM survey_templates WHERE type = 'complaint' "
                                "AND active IS NOT 0 ORDER BY id"):
            qs = json.loads(t["questions"]) if isinstance(t["questions"], str) else t["questions"]
            if qs:
                return cb.questions(qs, lang)
        return []

    def _complaint(self, r: dict, lang: str) -> Complaint:
        return Complaint(
            r["id"], r["department_id"], department_name(r, lang), r["severity"], r["source"], r["status"],
            cb.summary_in(r["summary"], lang), r["deadline_at"],
            r["status"] == ComplaintStatus.OPEN and r["deadline_at"] < self.ctx.now(),
            r["customer_id"], r["customer_name"] or "", r["order_id"], r["order_number"] or "", r["request_id"],
            r["resolution"] or "", r["assignee_id"], r["assignee_name"] or r["assignee_username"] or "",
            int(r["level"] or 0), int(r["contacts"] or 0), r["survey_score"])
