"""Handling a complaint (投诉处理): assign it to a person, transfer it to another
department with a reason, escalate it (at most MAX_LEVEL levels), record each contact with
the customer (what HQ told them, what they answered) and resolve it — only once a contact
is recorded, with the complaint survey's answers when HQ has one. Every step is a line of
the complaint's history (hq_complaint_steps) and of hq_audit; a refused step changes
nothing."""
from dataclasses import dataclass

from shared import callbacks as cb
from shared.complaints import MAX_LEVEL, ComplaintStatus, Severity, StepKind
from shared.errors import ServiceError
from shared.roles import HQ_WORK, HqWork

from hub.services.complaints import HOUR_MS, Complaints, department_name
from hub.services.session import HubSession


@dataclass(frozen=True, slots=True)
class Handler:
    """A person a complaint can be assigned to."""
    id: str
    name: str


class ComplaintWork:
    def __init__(self, ctx, complaints: Complaints):
        self.ctx = ctx
        self.complaints = complaints

    def handlers(self, session: HubSession) -> list[Handler]:
        """Active HQ users whose role handles complaints, by name."""
        self.ctx.allow(session, HqWork.COMPLAINTS)
        roles = sorted(str(r) for r in HQ_WORK[HqWork.COMPLAINTS])
        return [Handler(u["id"], u["display_name"] or u["username"]) for u in self.ctx.query(
            f"SELECT id, username, display_name FROM users WHERE outlet_id IS NULL AND active IS NOT 0 "
            f"AND role IN ({','.join('?' * len(roles))}) ORDER BY username", roles)]

    def assign(self, session: HubSession, complaint_id: str, assignee_id: str) -> None:
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        with ctx.tx():
            row = self._open(complaint_id)
            if assignee_id not in {h.id for h in self.handlers(session)}:
                raise ServiceError.of("complaint_assignee", field="assignee_id")
            ctx.update("hq_complaints", complaint_id, {"assignee_id": assignee_id})
            self.complaints.step(session, complaint_id, StepKind.ASSIGNED, assignee_id=assignee_id,
                                 department_id=row["department_id"])
            ctx.audit(session, "complaint_assigned", complaint_id, assignee_id)

    def transfer(self, session: HubSession, complaint_id: str, department_id: str, reason: str) -> None:
        """To another department, with the reason; the new department's deadline for the
        severity applies (from the complaint's creation) and nobody is assigned yet."""
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        with ctx.tx():
            row = self._open(complaint_id)
            dept = self.complaints.department(department_id)
            if department_id == row["department_id"]:
                raise ServiceError.of("complaint_same_department", field="department_id",
                                      department=(department_name(dept, "zh"), department_name(dept, "en")))
            text = self._reason(reason)
            ctx.update("hq_complaints", complaint_id, {
                "department_id": department_id, "assignee_id": None,
                "deadline_at": row["created_at"]
                + self.complaints.deadline_hours(department_id, row["severity"]) * HOUR_MS})
            self.complaints.step(session, complaint_id, StepKind.TRANSFERRED, department_id=department_id,
                                 reason=text)
            ctx.audit(session, "complaint_transferred", complaint_id, f"{row['department_id']} -> {department_id}")

    def escalate(self, session: HubSession, complaint_id: str, reason: str) -> int:
        """One level up (at most MAX_LEVEL); the complaint becomes serious, with its
        department's serious deadline. Returns the new level."""
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        with ctx.tx():
            row = self._open(complaint_id)
            level = int(row.get("level") or 0)
            if level >= MAX_LEVEL:
                raise ServiceError.of("complaint_top_level", level=MAX_LEVEL)
            text = self._reason(reason)
            deadline = row["created_at"] + self.complaints.deadline_hours(row["department_id"],
                                                                          Severity.SERIOUS) * HOUR_MS
            ctx.update("hq_complaints", complaint_id, {"level": level + 1, "severity": str(Severity.SERIOUS),
                                                       "deadline_at": min(deadline, row["deadline_at"])})
            self.complaints.step(session, complaint_id, StepKind.ESCALATED, level=level + 1, reason=text)
            ctx.audit(session, "complaint_escalated", complaint_id, str(level + 1))
        return level + 1

    def contact(self, session: HubSession, complaint_id: str, feedback: str, answer: str) -> None:
        """A call with the customer: what HQ told them and what they answered."""
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        with ctx.tx():
            self._open(complaint_id)
            told, said = (feedback or "").strip(), (answer or "").strip()
            if not told:
                raise ServiceError.on_field("required", "feedback")
            if not said:
                raise ServiceError.on_field("required", "customer_answer")
            self.complaints.step(session, complaint_id, StepKind.CONTACT, feedback=told, answer=said)
            ctx.audit(session, "complaint_contact", complaint_id)

    def resolve(self, session: HubSession, complaint_id: str, resolution: str, answers: list | None = None) -> None:
        """Close the complaint with its outcome: only after a recorded contact, and with
        every answer of the complaint survey when HQ has one (its score is kept)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.COMPLAINTS)
        with ctx.tx():
            row = self._open(complaint_id)
            if not (resolution or "").strip():
                raise ServiceError.on_field("required", "resolution")
            if not ctx.scalar("SELECT COUNT(*) FROM hq_complaint_steps WHERE complaint_id = ? AND kind = ?",
                              (complaint_id, str(StepKind.CONTACT))):
                raise ServiceError.of("complaint_no_contact")
            qs = self.complaints.survey()
            answers = list(answers or [])
            score = None
            if qs:
                if len(answers) != len(qs) or not all(q.valid(a) for q, a in zip(qs, answers, strict=False)):
                    scale = next((q for q in qs if q.kind == cb.QuestionKind.SCALE), cb.Question("", "scale"))
                    raise ServiceError.of("complaint_survey", n=len(qs), lo=scale.lo, hi=scale.hi)
                score = cb.score(qs, answers)
            ctx.update("hq_complaints", complaint_id, {
                "status": ComplaintStatus.RESOLVED, "resolution": resolution.strip(), "resolved_at": ctx.now(),
                "resolved_by": session.user_id, "survey_answers": answers if qs else None, "survey_score": score})
            self.complaints.step(session, complaint_id, StepKind.RESOLVED, reason=resolution.strip(),
                                 department_id=row["department_id"])
            ctx.audit(session, "complaint_resolved", complaint_id, "" if score is None else str(score))

    # ---- helpers ----

    def _open(self, complaint_id: str) -> dict:
        row = self.ctx.row("hq_complaints", complaint_id)
        if row is None:
            raise ServiceError.of("not_found", thing=("投诉", "complaint"))
        if row["status"] == ComplaintStatus.RESOLVED:
            raise ServiceError.of("complaint_resolved")
        return row

    @staticmethod
    def _reason(reason: str) -> str:
        text = (reason or "").strip()
        if not text:
            raise ServiceError.on_field("required", "reason")
        return text
