"""HQ's side of the demo orders, so that the reports have something to say (satisfaction,
complaint rates and repeat repairs not all zero, agents to compare):

- repeat repairs: about 5 % of the completed repairs are the same appliance (customer,
  model, serial number) back at the same outlet within 30 days of an earlier repair;
- the calls that created the orders (`hq_requests`, repair / install), taken by three agents;
- callbacks on the closed orders (`hq_callbacks`, done with the survey's answers and a
  0–100 score, or unreachable after three attempts), their result and score on the order,
  as hub/services/callbacks.py would have left them;
- with `complaints=True` (the served demo; the tests' hubs start without complaints):
  complaints — every unsatisfied callback's, and callers' about a few other orders — opened
  at the time they happened, the older ones handled to the end through
  hub/services/complaint_work.py (a contact with the customer, then resolved).

All of it is drawn from its own random stream (seeded from the demo's seed), so the rows
data.py draws are the same with or without it. `Story.shape` changes the order dicts before
they are written; `record` writes the hub-only rows through the hub's services afterwards."""
import random
import uuid

from hub.services import HubServices
from hub.services.callbacks import task_id
from hub.services.session import HubSession
from shared import callbacks as cb
from shared.complaints import ComplaintSource
from shared.fees import CallbackResult
from shared.orders import OrderType, Status
from shared.periods import DAY_MS
from shared.reports import REPEAT_DAYS
from shared.vocabulary import vocabulary

AGENTS = (("hq.agent", 5), ("hq.agent.02", 3), ("hq.agent.03", 2))  # username, share of the calls
REPEAT_PCT = 8          # repairs that look for an earlier one to repeat (about 5 % find one)
UNSATISFIED_PCT = 10    # reached callbacks that go badly
CALL_COMPLAINT_PCT = 2  # orders a caller complains about besides the callbacks
HANDLED_AFTER = 7 * DAY_MS  # complaints older than this have been handled to the end
HOUR = 3_600_000
UNREACHABLE_REASON = "回访未接通，按规定关闭"


class Story:
    def __init__(self, seed: int, now: int):
        self.rng = random.Random(f"hq-history-{seed}")
        self.now = now
        self.orders: list[dict] = []
        self.callbacks: list[dict] = []   # hq_callbacks rows but the agent (chosen when written)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ---- before the orders are written ----

    def shape(self, orders: list[dict], category_of: dict[str, str], surveys: dict[str, list]) -> None:
        """Repeat repairs and callback results onto the order dicts (`_completed_at` set on
        the completed ones)."""
        self.orders = orders
        self._repeats(orders, category_of)
        self._callbacks(orders, surveys)

    def _repeats(self, orders: list[dict], category_of: dict[str, str]) -> None:
        window = REPEAT_DAYS * DAY_MS
        done = [o for o in orders if o["type"] == OrderType.REPAIR and o.get("_completed_at")]
        used: set[str] = set()
        for later in sorted(done, key=lambda o: o["created_at"]):
            if self.rng.randrange(100) >= REPEAT_PCT or later["id"] in used:
                continue
            cat = category_of.get(later["product_model_id"])
            earlier = [o for o in done if o["id"] not in used and o["id"] != later["id"]
                       and o["outlet_id"] == later["outlet_id"]
                       and category_of.get(o["product_model_id"]) == cat
                       and later["created_at"] - window < o["_completed_at"] < later["created_at"]]
            if not earlier:
                continue
            first = self.rng.choice(earlier)
            used |= {first["id"], later["id"]}
            for k in ("customer_id", "contact_name", "contact_phone", "address", "product_model_id",
                      "serial_no", "purchase_date"):
                later[k] = first[k]

    def _callbacks(self, orders: list[dict], surveys: dict[str, list]) -> None:
        for o in orders:
            if o.get("status") != Status.CLOSED or not o.get("_completed_at"):
                continue
            items = list(surveys.get(o["type"]) or cb.FALLBACK_QUESTIONS)
            qs = cb.questions(items)
            completed, closed = o["_completed_at"], o.get("closed_at") or o["_completed_at"]
            row = {"id": task_id(o["id"]), "order_id": o["id"], "outlet_id": o["outlet_id"],
                   "customer_id": o["customer_id"], "order_type": o["type"], "template_id": f"SV-{o['type']}",
                   "questions": items, "completed_at": completed,
                   "due_at": min(completed + cb.DELAY_MS, closed), "created_at": min(completed + cb.DELAY_MS, closed),
                   "finished_at": closed}
            if o.get("closed_reason") == UNREACHABLE_REASON:
                row.update(status=cb.TaskStatus.UNREACHABLE, attempts=cb.MAX_ATTEMPTS,
                           result=CallbackResult.UNREACHABLE)
                o.update(callback_result=str(CallbackResult.UNREACHABLE), callback_score=None)
            else:
                bad = self.rng.randrange(100) < UNSATISFIED_PCT
                answers = [self._answer(q, bad) for q in qs]
                score = cb.score(qs, answers)
                result = cb.result_of(score)
                row.update(status=cb.TaskStatus.DONE, attempts=1, answers=answers, score=score, result=result)
                o.update(callback_result=str(result), callback_score=score)
                if result == CallbackResult.UNSATISFIED:
                    o["closed_reason"] = cb.CLOSE_REASON[result]
            self.callbacks.append(row)

    def _answer(self, q: cb.Question, bad: bool):
        if q.kind == cb.QuestionKind.YES_NO:
            return cb.NO if self.rng.random() < (0.7 if bad else 0.04) else cb.YES
        top = q.hi if not bad else q.lo + 1
        return self.rng.randint(max(q.lo, top - 1), top)


class _Clock:
    """The services' clock, set to when each thing happened."""

    def __init__(self, at: int):
        self.at = at

    def __call__(self) -> int:
        return self.at


def record(hub, story: Story, *, complaints: bool = False) -> None:
    """Write the calls and callbacks (and complaints) through the hub's services."""
    clock = _Clock(story.now)
    services = HubServices(hub, now=clock)
    ctx, rng = services.ctx, story.rng
    people = {u["username"]: u for u in ctx.query(
        "SELECT * FROM users WHERE username IN (" + ", ".join("?" * len(AGENTS)) + ")", [u for u, _ in AGENTS])}
    agents = [(people[u]["id"], share) for u, share in AGENTS if u in people]
    if not agents:
        return
    ids, shares = zip(*agents, strict=True)

    def agent() -> str:
        return rng.choices(ids, shares)[0]

    with ctx.tx():
        for o in story.orders:
            ctx.insert("hq_requests", {
                "id": story.uid(), "type": o["type"], "customer_id": o["customer_id"], "phone": o["contact_phone"],
                "summary": o.get("fault_description"), "order_id": o["id"], "outlet_id": o["outlet_id"],
                "created_at": o["created_at"] - rng.randint(1, 8) * 60_000, "created_by": agent()})
        for row in story.callbacks:
            ctx.insert("hq_callbacks", {**row, "agent_id": agent()})
    if complaints:
        sessions = {i: HubSession.of_user(ctx.row("users", i), "zh") for i in ids}
        _complaints(services, story, clock, lambda: sessions[agent()])
    clock.at = story.now


def _complaints(services, story: Story, clock: _Clock, agent) -> None:
    rng, v = story.rng, vocabulary()
    numbers = {o["id"]: o["number"] for o in story.orders}
    opened = []
    for row in story.callbacks:  # what the callback service opens for a low score
        if row["result"] == CallbackResult.UNSATISFIED:
            opened.append((row["finished_at"], row["order_id"], row["customer_id"], ComplaintSource.CALLBACK,
                           f"回访低分（{row['score']}分）：工单{numbers[row['order_id']]}"))
    for o in story.orders:
        if o.get("technician_id") and rng.randrange(100) < CALL_COMPLAINT_PCT:
            at = min(story.now - HOUR, o["created_at"] + rng.randint(1, 5) * DAY_MS)
            opened.append((at, o["id"], o["customer_id"], ComplaintSource.CALL, rng.choice(v["complaint_summaries"])))
    for at, order_id, customer_id, source, summary in sorted(opened):
        session = agent()
        clock.at = at
        cid = services.complaints.open(session, summary=summary, order_id=order_id, customer_id=customer_id,
                                       source=source)
        if story.now - at < HANDLED_AFTER:
            continue  # recent: still in the queue
        told, said = rng.choice(v["complaint_contacts"])
        clock.at = at + rng.randint(2, 20) * HOUR
        services.complaint_work.contact(session, cid, told, said)
        clock.at += rng.randint(4, 48) * HOUR
        qs = services.complaints.survey()
        answers = [cb.YES if q.kind == cb.QuestionKind.YES_NO else rng.randint(max(q.lo, q.hi - 2), q.hi)
                   for q in qs]
        services.complaint_work.resolve(session, cid, rng.choice(v["complaint_resolutions"]), answers)
