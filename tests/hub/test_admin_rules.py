"""Fee rules, SLA policies and survey templates: an admin keeps one rule per combination,
money is typed in yuan and kept in fen, percentages stay within 0–100, and every rule
travels to the nodes in the global bucket."""
import dataclasses
import json

from shared import surveys
from shared.fees import match_rule

from tests.hub.test_admin_network import refused


def global_ops(services, table):
    import json
    ops = []
    for r in services.ctx.hub.rows("bucket_changes", "bucket = 'global'", order="seq"):
        for line in bytes(r["body"]).decode().splitlines():
            ops += [op for op in json.loads(line).get("ops", []) if op["table"] == table]
    return ops


def test_a_fee_rule_in_yuan_is_kept_in_fen_and_reaches_the_nodes(services, admin):
    rules = services.admin.rules
    rid = rules.save_fee_rule(admin, type="inspection", category="AC", visit_fee="30", labour_fee="¥45.50",
                              unsatisfied_deduction_pct="50", repeat_repair_days="30", repeat_repair_deduction_pct=100)
    row = next(r for r in rules.fee_rules(admin) if r.id == rid)
    assert (row.visit_fee, row.labour_fee, row.unsatisfied_deduction_pct) == (3000, 4550, 50)
    assert (row.type_label, row.category_label) == ("检测", "空调")
    english = next(r for r in rules.fee_rules(dataclasses.replace(admin, lang="en")) if r.id == rid)
    assert (english.type_label, english.category_label) == ("Inspection", "Air conditioner (AC)")
    held = [{**r, "active": r["active"] != 0} for r in services.ctx.query("SELECT * FROM fee_rules")]
    assert match_rule(held, "inspection", "AC")["id"] == rid  # what settlement uses
    assert any(op["id"] == rid for op in global_ops(services, "fee_rules"))
    rules.save_fee_rule(admin, rid, type="inspection", category="AC", visit_fee=2000, labour_fee=4550)
    assert next(r for r in rules.fee_rules(admin) if r.id == rid).visit_fee == 2000
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action = 'fee_rule_saved' AND subject = ?",
                               (rid,)) == 2


def test_fee_rule_refusals(services, admin):
    rules = services.admin.rules
    base = dict(type="repair", category="TV", visit_fee="30", labour_fee="80")
    refused("bad_choice", rules.save_fee_rule, admin, services=services, **base)
    e = refused("rule_exists", rules.save_fee_rule, admin, services=services, **{**base, "category": "AC"})
    assert "维修 × AC" in e.message("zh")
    e = refused("negative_amount", rules.save_fee_rule, admin, services=services,
                **{**base, "category": "AC", "type": "inspection", "visit_fee": "-10"})
    assert "上门费" in e.message("zh")
    e = refused("bad_yuan", rules.save_fee_rule, admin, services=services,
                **{**base, "category": "AC", "type": "inspection", "labour_fee": "八十"})
    assert "工时费" in e.message("zh")
    for pct in ("101", "-1", "5.5"):
        e = refused("bad_pct", rules.save_fee_rule, admin, services=services,
                    **{**base, "category": "AC", "type": "inspection", "unsatisfied_deduction_pct": pct})
        assert "0到100" in e.message("zh")
    refused("bad_choice", rules.save_fee_rule, admin, services=services, **{**base, "type": "wash", "category": "AC"})


def test_sla_policies_are_minutes_in_order_one_per_type_and_priority(services, admin):
    rules = services.admin.rules
    pid = rules.save_sla_policy(admin, type="install", priority="urgent", accept_within_min="30",
                                on_site_within_min="240", complete_within_min="480")
    row = next(r for r in rules.sla_policies(admin) if r.id == pid)
    assert (row.accept_within_min, row.on_site_within_min, row.complete_within_min) == (30, 240, 480)
    assert any(op["id"] == pid for op in global_ops(services, "sla_policies"))
    refused("rule_exists", rules.save_sla_policy, admin, services=services, type="install", priority="urgent",
            accept_within_min=1, on_site_within_min=2, complete_within_min=3)
    refused("sla_order", rules.save_sla_policy, admin, pid, services=services, type="install", priority="urgent",
            accept_within_min=300, on_site_within_min=240, complete_within_min=480)
    refused("bad_number", rules.save_sla_policy, admin, pid, services=services, type="install", priority="urgent",
            accept_within_min=0, on_site_within_min=240, complete_within_min=480)
    refused("bad_choice", rules.save_sla_policy, admin, services=services, type="install", priority="asap",
            accept_within_min=1, on_site_within_min=2, complete_within_min=3)


def test_survey_questions_keep_the_string_shape_the_callbacks_read(services, admin):
    rules = services.admin.rules
    existing = {r.type: r for r in rules.surveys(admin)}
    assert existing["repair"].questions[-1].kind == surveys.QuestionKind.SCORE  # the demo's "(1-5)"
    qs = [surveys.Question("师傅是否准时上门?"),
          {"text": "对检测结果满意度", "kind": "score"},
          {"text": "师傅的服务态度", "kind": "choice", "options": ["满意", "一般", "不满意"]},
          {"text": "  ", "kind": "yes_no"}]  # a blank line of the form is dropped
    sid = rules.save_survey(admin, type="inspection", name="检测回访问卷", questions=qs)
    row = next(r for r in rules.surveys(admin) if r.id == sid)
    assert json.loads(services.ctx.row("survey_templates", sid)["questions"]) == [
        "师傅是否准时上门?", "对检测结果满意度 (1-5)", "师傅的服务态度 (满意/一般/不满意)"]
    assert [q.kind for q in row.questions] == ["yes_no", "score", "choice"]
    assert row.questions[2].options == ("满意", "一般", "不满意")
    assert all(isinstance(q, str) for op in global_ops(services, "survey_templates") if op["id"] == sid
               for q in op["fields"]["questions"])
    refused("rule_exists", rules.save_survey, admin, services=services, type="repair", name="x", questions=["好吗?"])
    refused("no_questions", rules.save_survey, admin, sid, services=services, type="inspection", name="x",
            questions=[" "])
    refused("choice_options", rules.save_survey, admin, sid, services=services, type="inspection", name="x",
            questions=[{"text": "态度", "kind": "choice", "options": ["满意"]}])
    refused("required", rules.save_survey, admin, sid, services=services, type="inspection", name="",
            questions=["好吗?"])


def test_question_strings_round_trip():
    for q in (surveys.Question("是否满意?"), surveys.Question("评分", "score"),
              surveys.Question("态度", "choice", ("好", "差"))):
        assert surveys.parse(surveys.format(q)) == q
    assert surveys.parse("对处理结果满意度 (1-5)").kind == "score"
    assert surveys.parse("是否需要上门（如有）").kind == "yes_no"  # one word in brackets is text


def test_the_sla_screen_shows_each_time_in_minutes_and_in_words(services, admin):
    from hub.ui.views.admin_rules import RulesView
    from shared.formatting import span
    from tests.hub.test_approvals_screens import FakeShell, texts
    policy = services.admin.rules.sla_policies(admin)[0]
    n = policy.accept_within_min
    for lang, shown in (("zh", f"{n}（{span(n * 60000, 'zh')}）"), ("en", f"{n} ({span(n * 60000, 'en')})")):
        view = RulesView(FakeShell(services, dataclasses.replace(admin, lang=lang), lang))
        view.part = "adm_sla"
        assert shown in texts(view.build())
