"""Callbacks (回访): the job makes a task for each sampled order completed a day ago and closes
the others; the agent answers the survey of the order's type, which scores it, closes the
order with the result (replicated to the outlet) and opens a complaint for a low score; an
unreachable customer is tried again, then the order is closed as unreachable. Refusals
change nothing; the job run twice changes nothing the second time. End to end with a real
node: the result reaches it by sync and its settlement draft deducts."""
import dataclasses
import json

import pytest

from hub.services import HubServices
from hub.services.callbacks import COMPLETED_AT_SQL, CallbackAttempt, task_id
from shared import callbacks as cb
from shared.errors import ServiceError
from shared.labels import label
from shared.passwords import hash_password
from sync.hlc import now_ms

HOUR = 3_600_000
GOOD = {"repair": ["yes", "yes", "yes", 5], "install": ["yes", "yes", 5], "maintenance": ["yes", "yes", 5]}
BAD = {"repair": ["no", "no", "yes", 2], "install": ["no", "no", 2], "maintenance": ["no", "no", 2]}


def completed_orders(services):
    return services.ctx.query(f"SELECT o.*, {COMPLETED_AT_SQL} AS completed_at FROM service_orders o "
                              "WHERE o.status = 'completed'")


def dump(services, order_id=None):
    """What a refused action must leave as it was."""
    ctx = services.ctx
    return (ctx.query("SELECT * FROM hq_callbacks ORDER BY id"), ctx.query("SELECT * FROM hq_complaints ORDER BY id"),
            ctx.query("SELECT * FROM service_orders WHERE id = ?", (order_id or "",)),
            ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action LIKE 'callback%'"))


def refused(services, code, fn, *args, order_id=None, **kwargs) -> ServiceError:
    before = dump(services, order_id)
    with pytest.raises(ServiceError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, exc.value
    assert exc.value.message("zh") and exc.value.message("en")
    assert dump(services, order_id) == before
    return exc.value


def first_task(services, agent):
    services.callbacks.run_job()
    queue = services.callbacks.queue(agent)
    assert queue, "the demo network has completed orders due for a callback"
    return services.callbacks.task(agent, queue[0].id)


def test_the_job_makes_tasks_for_sampled_orders_and_closes_the_rest_once(services, agent, clock):
    completed = completed_orders(services)
    due = [o for o in completed if o["completed_at"] + cb.DELAY_MS <= clock()]
    young = [o for o in completed if o["completed_at"] + cb.DELAY_MS > clock()]
    sampled = [o for o in due if cb.sampled(o["id"], o["type"])]
    assert sampled and len(sampled) < len(due) and young  # the demo has all three kinds

    assert services.callbacks.run_job() == {"tasks": len(sampled), "closed": len(due) - len(sampled)}
    assert services.callbacks.run_job() == {"tasks": 0, "closed": 0}  # idempotent
    # (the demo's history: callbacks done or unreachable on the orders closed before now)
    tasks = services.ctx.query("SELECT * FROM hq_callbacks WHERE status = 'open'")
    assert sorted(t["order_id"] for t in tasks) == sorted(o["id"] for o in sampled)
    assert all(t["id"] == task_id(t["order_id"]) and t["status"] == "open" for t in tasks)
    for o in due:
        row = services.ctx.row("service_orders", o["id"])
        if o in sampled:
            assert row["status"] == "completed"  # waits for its callback
        else:
            assert (row["status"], row["closed_reason"], row["closed_at"]) == ("closed", cb.NOT_SAMPLED_REASON, clock())
    assert all(services.ctx.row("service_orders", o["id"])["status"] == "completed" for o in young)

    queue = services.callbacks.queue(agent)
    assert [q.due_at for q in queue] == sorted(q.due_at for q in queue)  # oldest first
    assert {q.order_id for q in queue} == {o["id"] for o in sampled}
    assert all(q.type_label == label("order_type", q.order_type) for q in queue)
    # A day later the young ones are due too; their decision is the same function of their id.
    clock.advance(cb.DELAY_MS)
    again = services.callbacks.run_job()
    assert again["tasks"] == sum(1 for o in young if cb.sampled(o["id"], o["type"]))
    assert services.callbacks.run_job() == {"tasks": 0, "closed": 0}


def test_sampling_is_a_stable_function_of_the_order_id():
    ids = [f"order-{i}" for i in range(2000)]
    rate = sum(cb.sampled(i, "repair") for i in ids) / len(ids)
    assert abs(rate - cb.SAMPLING_PCT["repair"] / 100) < 0.05
    assert [cb.sampled(i, "install") for i in ids] == [cb.sampled(i, "install") for i in ids]
    assert not any(cb.sampled(i, "consult") for i in ids)  # a type without a rate is never called


def test_questions_and_the_score():
    qs = cb.questions(["师傅是否按预约时间上门?", "对本次服务满意度 (1-5)",
                       {"text": "推荐给朋友的可能性", "kind": "scale", "min": 0, "max": 10}])
    assert [q.kind for q in qs] == ["yes_no", "scale", "scale"] and (qs[1].lo, qs[1].hi) == (1, 5)
    assert cb.score(qs, ["yes", 5, 10]) == 100 and cb.score(qs, ["no", 1, 0]) == 0
    assert cb.score(qs, ["yes", 3, 5]) == 67  # (100 + 50 + 50) / 3
    assert cb.result_of(cb.LOW_SCORE) == "satisfied" and cb.result_of(cb.LOW_SCORE - 1) == "unsatisfied"


def test_the_agent_answers_the_survey_and_the_order_is_closed_satisfied(services, agent, clock):
    task = first_task(services, agent)
    order = services.ctx.row("service_orders", task.order_id)
    template = services.ctx.one("SELECT * FROM survey_templates WHERE type = ?", (order["type"],))
    assert [q.text for q in task.questions] == json.loads(template["questions"])
    customer = services.ctx.row("customers", order["customer_id"])
    assert (task.number, task.order_type, task.customer_name, task.phone) == (
        order["number"], order["type"], customer["name"], customer["phone"])
    assert task.outlet_name == services.ctx.row("outlets", order["outlet_id"])["name"]
    clock.advance(HOUR)
    out = services.callbacks.answer(agent, task.id, GOOD[order["type"]], note="客户很满意")
    assert (out.score, out.result, out.result_label, out.complaint_id) == (100, "satisfied", "满意", None)
    row = services.ctx.row("service_orders", order["id"])
    assert (row["status"], row["callback_result"], row["callback_score"], row["closed_reason"], row["closed_at"]) == \
        ("closed", "satisfied", 100, "回访满意", clock())
    assert task.id not in {q.id for q in services.callbacks.queue(agent)}
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_complaints") == 0
    err = refused(services, "callback_done", services.callbacks.answer, agent, task.id, GOOD[order["type"]],
                  order_id=order["id"])
    assert err.message("zh") == "该回访任务已结束，不能重复提交。"


def test_a_low_score_opens_a_complaint_and_marks_the_order_unsatisfied(services, agent, approver):
    task = first_task(services, agent)
    order = services.ctx.row("service_orders", task.order_id)
    out = services.callbacks.answer(agent, task.id, BAD[order["type"]], note="师傅态度差")
    assert out.result == "unsatisfied" and out.score < cb.LOW_SCORE and out.complaint_id
    row = services.ctx.row("service_orders", order["id"])
    assert (row["status"], row["callback_result"], row["callback_score"], row["closed_reason"]) == \
        ("closed", "unsatisfied", out.score, "回访不满意")
    [complaint] = services.complaints.queue(approver)
    assert (complaint.id, complaint.source, complaint.order_id, complaint.customer_id) == \
        (out.complaint_id, "callback", order["id"], order["customer_id"])
    assert order["number"] in complaint.summary and "师傅态度差" in complaint.summary
    english = services.complaints.get(dataclasses.replace(approver, lang="en"), out.complaint_id).summary
    assert english == f"Low callback score ({out.score}): order {order['number']}; 师傅态度差"


def test_an_english_agent_reads_the_survey_in_english(services, agent):
    """The shipped questions are stored in Chinese; an English agent reads them in English
    (same kinds, same answers), and a template item may carry its own English ("en")."""
    task = first_task(services, agent)
    en = services.callbacks.task(dataclasses.replace(agent, lang="en"), task.id)
    assert [q.kind for q in en.questions] == [q.kind for q in task.questions]
    assert all(q.text.isascii() for q in en.questions), [q.text for q in en.questions]
    assert "Satisfaction with this service (1-5)" in [q.text for q in en.questions]
    [own] = cb.questions([{"text": "推荐给朋友的可能性", "en": "How likely to recommend us", "kind": "scale",
                           "min": 0, "max": 10}], "en")
    assert (own.text, own.kind, own.lo, own.hi) == ("How likely to recommend us", "scale", 0, 10)
    assert cb.questions(["自定义问题?"], "en")[0].text == "自定义问题?"  # no English known: as HQ wrote it


def test_refusals_change_nothing(services, agent, approver):
    task = first_task(services, agent)
    oid, qs = task.order_id, task.questions
    good = GOOD[task.order_type]
    err = refused(services, "role_forbidden", services.callbacks.answer, approver, task.id, good, order_id=oid)
    assert "坐席" in err.message("zh")
    refused(services, "role_forbidden", services.callbacks.queue, approver)
    refused(services, "role_forbidden", services.callbacks.unreachable, approver, task.id, order_id=oid)
    yes_no = next(i for i, q in enumerate(qs) if q.kind == "yes_no")
    scale = next(i for i, q in enumerate(qs) if q.kind == "scale")
    wrong = list(good)
    wrong[yes_no] = "maybe"
    err = refused(services, "callback_answer_yes_no", services.callbacks.answer, agent, task.id, wrong, order_id=oid)
    assert err.message("zh") == f"第{yes_no + 1}题请选择“是”或“否”。"
    wrong = list(good)
    wrong[scale] = 7
    err = refused(services, "callback_answer_scale", services.callbacks.answer, agent, task.id, wrong, order_id=oid)
    assert "1到5" in err.message("zh")
    refused(services, "callback_answer_count", services.callbacks.answer, agent, task.id, good[:-1], order_id=oid)
    refused(services, "not_found", services.callbacks.answer, agent, "no-such-task", good)


def test_an_unreachable_customer_is_tried_again_then_the_order_is_closed(services, agent, clock):
    task = first_task(services, agent)
    oid = task.order_id
    for attempt in range(1, cb.MAX_ATTEMPTS):
        assert services.callbacks.unreachable(agent, task.id, "无人接听") == CallbackAttempt(attempt, False)
        assert task.id not in {q.id for q in services.callbacks.queue(agent)}
        err = refused(services, "callback_not_due", services.callbacks.answer, agent, task.id,
                      GOOD[task.order_type], order_id=oid)
        assert "之后再拨打" in err.message("zh")
        assert services.ctx.row("service_orders", oid)["status"] == "completed"
        clock.advance(cb.RETRY_MS)
        assert task.id in {q.id for q in services.callbacks.queue(agent)}
    assert services.callbacks.unreachable(agent, task.id) == CallbackAttempt(cb.MAX_ATTEMPTS, True)
    row = services.ctx.row("service_orders", oid)
    assert (row["status"], row["callback_result"], row["callback_score"], row["closed_reason"]) == \
        ("closed", "unreachable", None, cb.CLOSE_REASON["unreachable"])
    assert services.ctx.row("hq_callbacks", task.id)["status"] == "unreachable"
    refused(services, "callback_done", services.callbacks.unreachable, agent, task.id, order_id=oid)


# ---- end to end with a real node ----

@pytest.fixture
def outlet(tmp_path):
    """An outlet node (tests/node/conftest.py's small world) and HQ's services on its hub,
    whose clock runs a day and an hour ahead (the callback is due)."""
    from node.services import NodeServices
    from fieldsync.testing.world import World
    from fieldsync.testing.outlet import seed
    from tests.node.conftest import Env
    w = World(tmp_path)
    seed(w)
    w.hub.write([{"op": "put", "table": "users", "id": "hq-agent", "fields": {
        "username": "hq.agent", "display_name": "总部坐席", "role": "hq_agent", "password_hash": hash_password("pw"),
        "active": True}},
        {"op": "put", "table": "fee_rules", "id": "FR-1", "fields": {
            "unsatisfied_deduction_pct": 50, "repeat_repair_days": 30, "repeat_repair_deduction_pct": 100}},
        {"op": "put", "table": "survey_templates", "id": "SV-repair", "fields": {
            "type": "repair", "name": "维修回访问卷", "active": True,
            "questions": ["故障是否已经排除?", "对本次服务满意度 (1-5)"]}}])
    node = w.node(w.outlets[0])
    node.sync()
    env = Env(w, node, NodeServices(node.store))
    env.hq = HubServices(w.hub, now=lambda: now_ms() + cb.DELAY_MS + HOUR)
    yield env
    w.close()


def test_the_callback_result_reaches_the_node_and_its_settlement_deducts(outlet, monkeypatch):
    from shared.periods import period_of
    from hub.services import hq_settings
    key = hq_settings.SAMPLE_PREFIX + "repair"  # every repair called back (HQ's setting's default)
    monkeypatch.setitem(hq_settings.SPECS, key, hq_settings.Spec(key, "pct", 100))
    env, hq = outlet, outlet.hq
    orders = []
    for serial in ("KFR35-7001", "KFR35-7001"):  # the second repair of the same appliance is a repeat
        oid = env.on_site(serial_no=serial)
        env.svc.actions.complete(env.tech, oid, "更换传感器，试机正常")
        orders.append(oid)
    env.sync()
    assert hq.callbacks.run_job() == {"tasks": 2, "closed": 0}
    agent = hq.login("hq.agent", "pw")
    out = hq.callbacks.answer(agent, task_id(orders[0]), ["no", 2])
    assert out.result == "unsatisfied" and out.score == 13 and out.complaint_id
    hq.callbacks.answer(agent, task_id(orders[1]), ["yes", 5])
    env.sync()
    first = env.svc.order.get(env.clerk, orders[0])
    assert first.status == "closed"
    sid = env.svc.settlements.draft(env.clerk, period_of(now_ms()))
    lines = {line.order_id: line for line in env.svc.settlements.get(env.clerk, sid).lines}
    assert (lines[orders[0]].deduction, lines[orders[0]].deduction_reason) == (5500, "回访不满意")
    assert (lines[orders[1]].deduction, lines[orders[1]].deduction_reason) == (11000, "重复维修")
    assert env.svc.settlements.get(env.clerk, sid).total == 11000 - 5500 + 0


def test_opening_the_queue_brings_it_up_to_date_and_only_agents_may(services, agent, approver):
    assert services.callbacks.refresh(agent)["tasks"] > 0  # what the job would have made by now
    assert services.callbacks.refresh(agent) == {"tasks": 0, "closed": 0}
    refused(services, "role_forbidden", services.callbacks.refresh, approver)


def test_the_delay_and_the_sampling_can_be_set_for_a_deployment():
    import subprocess
    import sys
    from pathlib import Path
    code = "from shared import callbacks as cb; print(cb.DELAY_MS, cb.SAMPLING_PCT['install'])"
    env = {"FIELDSYNC_CALLBACK_DELAY_MIN": "0", "FIELDSYNC_CALLBACK_SAMPLE_PCT": "100",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["0", "100"]
