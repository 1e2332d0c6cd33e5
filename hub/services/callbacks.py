"""Callbacks (回访): HQ calls customers back after an order is completed and asks the survey
of the order's type. A scheduled job (`callback_job`) looks at orders completed more than
shared/callbacks.py DELAY_MS ago (the completion event's device time): a sampled order gets a
task in the hub-only `hq_callbacks` (one per order: its id is derived from the order's), an
order not sampled is closed. The agent's answers give a score and a result that go onto the
order (`callback_result`, `callback_score`, replicated to the outlet, where the settlement
draft deducts for an unsatisfied callback) and close it, in one transaction; a low score
opens a complaint. A customer not reached is tried again later, MAX_ATTEMPTS times, then
the task and the order are closed as unreachable."""
import json
import uuid
from dataclasses import dataclass

from shared import callbacks as cb
from shared.complaints import ComplaintSource
from shared.errors import ServiceError
from shared.fees import CallbackResult
from shared.labels import label
from shared.orders import HUB, Status, can_transition
from shared.periods import local_datetime
from shared.roles import HqWork

from hub.services.hq_settings import HqSettings
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_callbacks (id TEXT PRIMARY KEY, order_id TEXT NOT NULL UNIQUE,
        outlet_id TEXT, customer_id TEXT, order_type TEXT, template_id TEXT, questions TEXT NOT NULL,
        completed_at INTEGER NOT NULL, due_at INTEGER NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, answers TEXT, score INTEGER, result TEXT, note TEXT,
        agent_id TEXT, created_at INTEGER NOT NULL, finished_at INTEGER)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_callbacks_due ON hq_callbacks (status, due_at)",
    # The job and the board look orders up by status alone (the replicated index leads with outlet).
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_status ON service_orders (status)",
)
NS = uuid.UUID("0c5b7a52-9d1e-4d6f-8a3b-6f2e1c4d5a90")
COMPLETED_AT_SQL = ("(SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id "
                    f"AND e.to_status = '{Status.COMPLETED}')")


@dataclass(frozen=True, slots=True)
class DueCallback:
    """A task in the agent's queue."""
    id: str
    order_id: str
    number: str
    order_type: str
    type_label: str
    customer_name: str
    completed_at: int
    due_at: int
    attempts: int


@dataclass(frozen=True, slots=True)
class CallbackTask:
    """One task as the agent works it: the order, the customer, the outlet and the survey."""
    id: str
    order_id: str
    number: str
    order_type: str
    type_label: str
    customer_id: str | None
    customer_name: str
    phone: str
    member_level: str
    address: str                  # the order's, else the customer's
    model: str                    # code and name
    serial_no: str
    fault_description: str
    resolution: str
    outlet_name: str
    completed_at: int
    attempts: int
    questions: tuple[cb.Question, ...]


@dataclass(frozen=True, slots=True)
class CallbackAnswered:
    score: int
    result: str                   # shared/fees.py CallbackResult
    result_label: str
    complaint_id: str | None      # opened for a low score


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    attempts: int
    closed: bool                  # the last attempt: task and order closed unreachable


def task_id(order_id: str) -> str:
    return str(uuid.uuid5(NS, order_id))


def _loads(text):
    return json.loads(text) if text else None


class Callbacks:
    def __init__(self, ctx, complaints):
        self.ctx = ctx
        self.complaints = complaints

    # ---- the scheduled job ----

    def run_job(self) -> dict:
        """Tasks for the sampled orders completed DELAY_MS ago, closing for the others.
        Idempotent: a task's id is its order's, an order is closed once."""
        ctx = self.ctx
        now = ctx.now()
        templates = self._templates()
        settings = HqSettings(ctx)  # HQ's sampling and delay, as set on the rules screen
        delay = settings.callback_delay_ms()
        created = closed = 0
        with ctx.tx():  # read and write under the writer's lock: nobody closes an order meanwhile
            rows = ctx.query(
                f"SELECT o.id, o.type, o.outlet_id, o.customer_id, {COMPLETED_AT_SQL} AS completed_at "
                "FROM service_orders o WHERE o.status = ? AND NOT EXISTS "
                "(SELECT 1 FROM hq_callbacks c WHERE c.order_id = o.id)", (str(Status.COMPLETED),))
            due = [r for r in rows if r["completed_at"] is not None and r["completed_at"] + delay <= now]
            ops = []
            pct = {t: settings.sample_pct(t) for t in {o["type"] for o in due}}  # one read per type
            for o in due:
                if cb.sampled(o["id"], o["type"], pct[o["type"]]):
                    template = templates.get(o["type"])
                    ctx.insert("hq_callbacks", {
                        "id": task_id(o["id"]), "order_id": o["id"], "outlet_id": o["outlet_id"],
                        "customer_id": o["customer_id"], "order_type": o["type"],
                        "template_id": template["id"] if template else None,
                        "questions": list(template["questions"] if template else cb.FALLBACK_QUESTIONS),
                        "completed_at": o["completed_at"], "due_at": o["completed_at"] + delay,
                        "status": cb.TaskStatus.OPEN, "attempts": 0, "created_at": now})
                    created += 1
                else:
                    ops.append(_close(o["id"], now, cb.NOT_SAMPLED_REASON))
                    closed += 1
            if ops:
                ctx.write(None, ops)
            if created or closed:
                ctx.audit(None, "callback_job", detail=f"tasks {created}, closed unsampled {closed}")
        return {"tasks": created, "closed": closed}

    def _templates(self) -> dict[str, dict]:
        out = {}
        for t in self.ctx.query("SELECT * FROM survey_templates WHERE active IS NOT 0 ORDER BY id"):
            qs = _loads(t["questions"]) if isinstance(t["questions"], str) else t["questions"]
            if qs and t["type"] not in out:
                out[t["type"]] = {"id": t["id"], "questions": qs}
        return out

    # ---- the agent's screen ----

    def refresh(self, session: HubSession) -> dict:
        """The job's work now, for an agent opening the queue (the job runs every few
        minutes): tasks for every order due by now. Same result as `run_job`."""
        self.ctx.allow(session, HqWork.CALLBACK)
        return self.run_job()

    def queue(self, session: HubSession, limit: int = 100) -> list[DueCallback]:
        """The tasks due now, oldest first, with the order and the customer."""
        self.ctx.allow(session, HqWork.CALLBACK)
        return [DueCallback(r["id"], r["order_id"], r["number"] or "", r["order_type"],
                            label("order_type", r["order_type"], session.lang), r["customer_name"] or "",
                            r["completed_at"], r["due_at"], r["attempts"]) for r in self.ctx.query(
            "SELECT c.id, c.order_id, c.order_type, c.completed_at, c.due_at, c.attempts, o.number, "
            "cu.name AS customer_name FROM hq_callbacks c JOIN service_orders o ON o.id = c.order_id "
            "LEFT JOIN customers cu ON cu.id = c.customer_id "
            "WHERE c.status = ? AND c.due_at <= ? ORDER BY c.due_at, c.completed_at, o.number LIMIT ?",
            (str(cb.TaskStatus.OPEN), self.ctx.now(), limit))]

    def task(self, session: HubSession, task_id_: str) -> CallbackTask:
        """One task with its order, customer, outlet and parsed questions (`Question`s)."""
        self.ctx.allow(session, HqWork.CALLBACK)
        t = self._task(task_id_)
        o = self.ctx.row("service_orders", t["order_id"]) or {}
        c = (self.ctx.row("customers", t["customer_id"]) if t["customer_id"] else None) or {}
        outlet = (self.ctx.row("outlets", t["outlet_id"]) if t["outlet_id"] else None) or {}
        model = (self.ctx.row("product_models", o["product_model_id"]) if o.get("product_model_id") else None) or {}
        return CallbackTask(
            t["id"], t["order_id"], o.get("number") or "", o.get("type") or t["order_type"],
            label("order_type", o.get("type") or t["order_type"], session.lang), t["customer_id"],
            c.get("name") or "", c.get("phone") or "", c.get("member_level") or "",
            o.get("address") or c.get("address") or "",
            " ".join(x for x in (model.get("code"), model.get("name")) if x), o.get("serial_no") or "",
            o.get("fault_description") or "", o.get("resolution") or "", outlet.get("name") or "",
            t["completed_at"], t["attempts"], tuple(cb.questions(t["questions"], session.lang)))

    def _task(self, task_id_: str) -> dict:
        t = self.ctx.row("hq_callbacks", task_id_)
        if t is None:
            raise ServiceError.of("not_found", thing=("回访任务", "callback task"))
        t["questions"] = _loads(t["questions"]) or []
        return t

    def _open_task(self, session: HubSession, task_id_: str) -> dict:
        self.ctx.allow(session, HqWork.CALLBACK)
        t = self._task(task_id_)
        if t["status"] != cb.TaskStatus.OPEN:
            raise ServiceError.of("callback_done")
        if t["due_at"] > self.ctx.now():
            at = local_datetime(t["due_at"]).strftime("%Y-%m-%d %H:%M")
            raise ServiceError.of("callback_not_due", at=at)
        return t

    def answer(self, session: HubSession, task_id_: str, answers: list, note: str = "") -> CallbackAnswered:
        """Record the customer's answers: the score and result go onto the order, which is
        closed; a score below LOW_SCORE opens a complaint."""
        ctx = self.ctx
        note = (note or "").strip()
        with ctx.tx():  # checked and written under the writer's lock: a task is answered once
            t = self._open_task(session, task_id_)
            qs = cb.questions(t["questions"])
            answers = list(answers or [])
            if len(answers) != len(qs) or any(a is None for a in answers):
                raise ServiceError.of("callback_answer_count", n=len(qs))
            for n, (q, a) in enumerate(zip(qs, answers, strict=True), 1):
                if not q.valid(a):
                    if q.kind == cb.QuestionKind.YES_NO:
                        raise ServiceError.of("callback_answer_yes_no", n=n)
                    raise ServiceError.of("callback_answer_scale", n=n, lo=q.lo, hi=q.hi)
            score = cb.score(qs, answers)
            result = cb.result_of(score)
            now = ctx.now()
            complaint_id = None
            ctx.update("hq_callbacks", t["id"], {
                "status": cb.TaskStatus.DONE, "answers": answers, "score": score, "result": result,
                "note": note or None, "agent_id": session.user_id, "attempts": t["attempts"] + 1,
                "finished_at": now})
            ctx.write(session, [self._finish_order(t["order_id"], now, result, score)])
            ctx.audit(session, "callback_answered", t["id"], f"{result} {score}")
            if result == CallbackResult.UNSATISFIED:
                number = ctx.scalar("SELECT number FROM service_orders WHERE id = ?", (t["order_id"],)) or ""
                summary = cb.low_score_summary(score, number, note)
                complaint_id = self.complaints.open(session, source=ComplaintSource.CALLBACK,
                                                    order_id=t["order_id"], customer_id=t["customer_id"],
                                                    summary=summary)
        return CallbackAnswered(score, str(result), label("callback_result", result, session.lang), complaint_id)

    def unreachable(self, session: HubSession, task_id_: str, note: str = "") -> CallbackAttempt:
        """The customer did not answer: try again after RETRY_MS; after MAX_ATTEMPTS the
        task and the order are closed as unreachable."""
        ctx = self.ctx
        note = (note or "").strip()
        with ctx.tx():
            t = self._open_task(session, task_id_)
            attempts, now = t["attempts"] + 1, ctx.now()
            closed = attempts >= cb.MAX_ATTEMPTS
            if closed:
                ctx.update("hq_callbacks", t["id"], {
                    "status": cb.TaskStatus.UNREACHABLE, "attempts": attempts, "result": CallbackResult.UNREACHABLE,
                    "agent_id": session.user_id, "note": note or None, "finished_at": now})
                ctx.write(session, [self._finish_order(t["order_id"], now, CallbackResult.UNREACHABLE, None)])
            else:
                ctx.update("hq_callbacks", t["id"], {"attempts": attempts, "due_at": now + cb.RETRY_MS,
                                                     "note": note or None})
            ctx.audit(session, "callback_unreachable", t["id"], str(attempts))
        return CallbackAttempt(attempts, closed)

    def _finish_order(self, order_id: str, now: int, result: str, score: int | None) -> dict:
        """The order's callback fields, and its close when the state machine allows it (an
        order HQ closed some other way meanwhile keeps its close)."""
        order = self.ctx.row("service_orders", order_id) or {}
        fields = {"callback_result": str(result), "callback_score": score}
        if can_transition(order.get("status"), Status.CLOSED, HUB):
            fields.update(status=str(Status.CLOSED), closed_at=now, closed_reason=cb.CLOSE_REASON[result])
        return {"op": "put", "table": "service_orders", "id": order_id, "fields": fields}


def _close(order_id: str, now: int, reason: str) -> dict:
    return {"op": "put", "table": "service_orders", "id": order_id,
            "fields": {"status": str(Status.CLOSED), "closed_at": now, "closed_reason": reason}}


def callback_job(services) -> dict:
    """The scheduled job (hub/jobs.py JOBS)."""
    return services.callbacks.run_job()
