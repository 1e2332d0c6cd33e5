"""The monthly settlement: built from the period's completed orders with the fee rules
(in-warranty parts at catalog price), adjusted with reasons, submitted and frozen, then
approved or rejected by HQ with a comment."""
from shared.periods import period_of
from sync.hlc import now_ms
from fieldsync.testing.outlet import days_ago, put


def complete(env, part=None, in_warranty=None, **fields):
    oid = env.on_site(**fields)
    if part:
        env.carry(part, 1)
        env.svc.parts.use_part(env.tech, oid, part, in_warranty=in_warranty)
    env.svc.actions.complete(env.tech, oid, "维修完成，试机正常")
    return oid


def test_draft_from_completed_orders_with_fee_rules(env):
    ac = complete(env, "P-2001")  # 空调维修，保内传感器
    wm = complete(env, "P-2002", product_model_id="PM-WM-100", purchase_date=days_ago(6 * 365))  # 保外：客户付
    rf = complete(env, product_model_id="PM-RF-470")  # 冰箱：没有收费标准
    env.on_site()  # not completed: not settled
    period = period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    view = env.svc.settlements.get(env.clerk, sid)
    lines = {line.order_id: line for line in view.lines}
    assert set(lines) == {ac, wm, rf}
    assert (lines[ac].parts_fee, lines[ac].visit_fee, lines[ac].labour_fee, lines[ac].total) \
        == (2500, 3000, 8000, 13500)
    assert (lines[wm].parts_fee, lines[wm].total) == (0, 9000)
    assert lines[rf].total == 0 and lines[rf].no_fee_rule and not lines[ac].no_fee_rule
    assert all(line.deduction == 0 for line in view.lines)  # callback deductions come from HQ later
    assert view.total == 22500 and view.status_label == "草稿" and view.editable

    env.refused("adjustment_reason", env.svc.settlements.adjust, env.clerk, sid, rf, 5000, "")
    env.svc.settlements.adjust(env.clerk, sid, rf, 5000, "冰箱维修按同类标准补贴")
    view = env.svc.settlements.get(env.clerk, sid)
    assert view.total == 27500
    notes = {x.order_id: x.note for x in view.lines}
    assert (notes[rf], notes[ac]) == ("冰箱维修按同类标准补贴 · 无收费标准", "")  # why the line is what it is
    env.svc.settlements.submit(env.manager, sid)
    env.sync()
    hub = env.hub("settlements", sid)
    assert (hub["status"], hub["total"], hub["period"]) == ("submitted", 27500, period)
    assert hub["content_hash"]  # HQ froze it at this content
    hub_lines = env.w.hub.rows("settlement_lines", "settlement_id = ?", (sid,))
    assert sorted(line["adjustment"] or 0 for line in hub_lines) == [0, 0, 5000]


def test_a_submitted_settlement_is_frozen(env):
    oid = complete(env)
    period = period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    env.svc.settlements.submit(env.clerk, sid)
    err = env.refused("doc_frozen", env.svc.settlements.adjust, env.clerk, sid, oid, 100, "补差")
    assert err.message("zh") == "该结算单已提交，不能再修改。"
    env.refused("doc_frozen", env.svc.settlements.submit, env.clerk, sid)
    env.refused("settlement_exists", env.svc.settlements.draft, env.clerk, period)


def test_rejection_comment_and_a_new_draft(env):
    complete(env)
    period = period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    env.svc.settlements.submit(env.clerk, sid)
    env.sync()
    env.w.hub.write([
        {"op": "put", "table": "settlements", "id": sid,
         "fields": {"status": "rejected", "comment": "上门费与标准不符"}},
        {"op": "add", "table": "approvals", "id": "ap-s1", "fields": {
            "outlet_id": env.outlet, "subject_table": "settlements", "subject_id": sid, "decision": "rejected",
            "level": 1, "comment": "上门费与标准不符", "at": now_ms()}}])
    env.sync()
    view = env.svc.settlements.get(env.clerk, sid)
    assert (view.status_label, view.comment, view.editable) == ("已驳回", "上门费与标准不符", False)
    assert [a.decision_label for a in view.approvals] == ["已驳回"]
    again = env.svc.settlements.draft(env.clerk, period)
    assert again != sid and env.svc.settlements.get(env.clerk, again).total == 11000
    env.svc.settlements.submit(env.clerk, again)
    env.sync()
    assert env.hub("settlements", again)["status"] == "submitted"


def test_refreshing_a_draft_keeps_adjustments(env):
    first = complete(env)
    period = period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    env.svc.settlements.adjust(env.clerk, sid, first, -1000, "客户投诉，扣减")
    complete(env)
    assert env.svc.settlements.draft(env.clerk, period) == sid
    view = env.svc.settlements.get(env.clerk, sid)
    assert len(view.lines) == 2 and view.total == 2 * 11000 - 1000


def test_settlement_refusals(env):
    complete(env)
    period = period_of(now_ms())
    env.refused("role_forbidden", env.svc.settlements.draft, env.tech, period)
    env.refused("bad_period", env.svc.settlements.draft, env.clerk, "2025-13")
    env.refused("no_orders", env.svc.settlements.draft, env.clerk, "2020-01")
    sid = env.svc.settlements.draft(env.clerk, period)
    env.refused("role_forbidden", env.svc.settlements.submit, env.tech, sid)
    env.refused("bad_amount", env.svc.settlements.adjust, env.clerk, sid, "x", 10.5, "小数")


def test_draft_deducts_for_an_unsatisfied_callback_and_a_repeat_repair(env):
    """HQ's callback result (a hub field) reaches the node by sync; the next draft deducts
    the fee rule's share of visit + labour fee, and so does a second repair of the same
    appliance within the rule's repeat-repair days."""
    env.w.hub.write([put("fee_rules", "FR-1", unsatisfied_deduction_pct=50, repeat_repair_days=30,
                         repeat_repair_deduction_pct=100)])
    first = complete(env, serial_no="KFR35-0001")
    again = complete(env, serial_no="KFR35-0001")       # the same air conditioner, days later: repeat repair
    unhappy = complete(env, serial_no="KFR35-0002")
    period = period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    before = {line.order_id: line for line in env.svc.settlements.get(env.clerk, sid).lines}
    assert before[again].deduction == 11000 and before[again].deduction_reason == "重复维修"
    assert before[first].deduction == 0 and before[unhappy].deduction == 0
    env.sync()
    env.w.hub.write([put("service_orders", unhappy, callback_result="unsatisfied", callback_score=35,
                         status="closed", closed_at=now_ms(), closed_reason="回访不满意")])
    env.sync()
    assert env.svc.settlements.draft(env.clerk, period) == sid
    view = env.svc.settlements.get(env.clerk, sid)
    lines = {line.order_id: line for line in view.lines}
    assert (lines[unhappy].deduction, lines[unhappy].deduction_reason, lines[unhappy].total) \
        == (5500, "回访不满意", 5500)
    assert lines[first].total == 11000 and lines[again].total == 0
    assert view.total == 11000 + 0 + 5500
    en = {x.order_id: x for x in env.svc.settlements.get(env.session(env.clerk.user_id, "en"), sid).lines}
    assert en[again].deduction_reason == "repeat repair" and en[again].note == "repeat repair"
    env.svc.settlements.submit(env.clerk, sid)
    env.sync()
    hub_lines = {line["order_id"]: line for line in env.w.hub.rows("settlement_lines", "settlement_id = ?", (sid,))}
    assert (hub_lines[unhappy]["deduction"], hub_lines[unhappy]["reason"]) == (5500, "unsatisfied")
    assert (hub_lines[again]["deduction"], hub_lines[again]["reason"]) == (11000, "repeat_repair")


def test_a_long_settlement_shows_its_lines_a_page_at_a_time(env):
    """A month has thousands of lines: the view brings one page and says how many there
    are; the pages together are every line once, in completion order. The list of
    settlements (the period tabs) carries no lines at all."""
    done = [complete(env) for _ in range(5)]
    sid = env.svc.settlements.draft(env.clerk, period_of(now_ms()))
    pages = [env.svc.settlements.get(env.clerk, sid, offset=off, limit=2) for off in (0, 2, 4)]
    assert [len(p.lines) for p in pages] == [2, 2, 1]
    assert {p.line_count for p in pages} == {5} and [p.line_offset for p in pages] == [0, 2, 4]
    shown = [line.order_id for p in pages for line in p.lines]
    assert sorted(shown) == sorted(done)
    assert shown == [line.order_id for line in env.svc.settlements.get(env.clerk, sid, limit=None).lines]
    assert pages[0].total == env.svc.settlements.get(env.clerk, sid).total == 5 * 11000  # the whole document's
    (head,) = env.svc.settlements.all(env.clerk)
    assert (head.id, head.status_label, head.total) == (sid, "草稿", 5 * 11000) and not hasattr(head, "lines")
