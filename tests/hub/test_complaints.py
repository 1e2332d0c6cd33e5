"""Complaints reach a department's queue with a deadline by department and severity; a
handler assigns, transfers (with a reason), escalates (at most two levels), records each
contact with the customer and resolves — only with a recorded contact and the complaint
survey answered. A refused step says why in words and changes nothing."""
import dataclasses

import pytest

from shared.errors import ServiceError

HOUR = 3_600_000


def _count(services, table="hq_complaint_steps") -> int:
    return services.ctx.scalar(f"SELECT COUNT(*) FROM {table}")


def test_a_complaint_waits_in_its_department_queue_until_resolved(services, agent, approver, clock):
    cust = services.ctx.one("SELECT id FROM customers LIMIT 1")["id"]
    cid = services.complaints.open(agent, summary="师傅迟到两小时，态度差", customer_id=cust,
                                   department_id="dept-customer", severity="serious")
    queue = services.complaints.queue(approver, "dept-customer")
    assert [c.id for c in queue] == [cid]
    assert queue[0].department_name == "客户关系部" and not queue[0].overdue
    assert services.complaints.queue(dataclasses.replace(approver, lang="en"), "dept-customer")[0].department_name \
        == "Customer relations"
    clock.advance(24 * HOUR + 1)
    assert services.complaints.queue(approver, "dept-customer")[0].overdue
    work = services.complaint_work
    with pytest.raises(ServiceError) as e:  # nobody has spoken to the customer yet
        work.resolve(approver, cid, "已致电道歉并赠送延保一年", ["yes", 5])
    assert e.value.code == "complaint_no_contact" and "客户" in e.value.message("zh")
    work.contact(approver, cid, "已致歉，赠送延保一年", "客户接受")
    with pytest.raises(ServiceError) as e:  # the complaint survey is not answered
        work.resolve(approver, cid, "已致电道歉并赠送延保一年")
    assert e.value.code == "complaint_survey" and "2" in e.value.message("en")
    work.resolve(approver, cid, "已致电道歉并赠送延保一年", ["yes", 4])
    assert services.complaints.queue(approver, "dept-customer") == []
    done = services.complaints.record(approver, cid)
    assert done.complaint.survey_score == 88 and done.survey_answers == ("yes", 4)
    assert [s.kind for s in done.steps] == ["opened", "contact", "resolved"]
    with pytest.raises(ServiceError) as e:
        work.resolve(approver, cid, "again", ["yes", 5])
    assert e.value.code == "complaint_resolved"


def test_an_empty_complaint_is_refused_and_nothing_is_stored(services, agent):
    with pytest.raises(ServiceError) as e:
        services.complaints.open(agent, summary="  ")
    assert "内容摘要" in e.value.message("zh")
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_complaints") == 0


def test_assign_transfer_escalate_and_contacts_make_the_complaints_history(services, agent, approver, clock):
    work = services.complaint_work
    cid = services.complaints.open(agent, summary="空调修后仍漏水", department_id="dept-service")
    handlers = {h.id: h.name for h in work.handlers(agent)}
    approver_id = approver.user_id
    assert approver_id in handlers and agent.user_id in handlers
    work.assign(agent, cid, approver_id)
    assert [c.id for c in services.complaints.queue(approver, None, assignee_id=approver_id)] == [cid]
    created = services.complaints.get(agent, cid).deadline_at - 48 * HOUR
    clock.advance(HOUR)
    work.transfer(agent, cid, "dept-quality", "疑似批次质量问题")
    moved = services.complaints.get(agent, cid)
    assert moved.department_id == "dept-quality" and moved.assignee_id is None
    assert moved.deadline_at == created + 48 * HOUR     # the customer's clock runs from the call
    assert work.escalate(agent, cid, "客户要求主管处理") == 1
    assert services.complaints.get(agent, cid).severity == "serious"
    assert services.complaints.get(agent, cid).deadline_at == created + 24 * HOUR
    assert work.escalate(approver, cid, "客户威胁投诉至消协") == 2
    with pytest.raises(ServiceError) as e:
        work.escalate(approver, cid, "再升级")
    assert e.value.code == "complaint_top_level" and "2" in e.value.message("zh")
    work.contact(approver, cid, "已安排质量工程师上门检测", "客户同意周六上门")
    work.contact(approver, cid, "检测为安装问题，免费重装", "客户满意")
    record = services.complaints.record(dataclasses.replace(approver, lang="en"), cid)
    assert [s.kind for s in record.steps] == ["opened", "assigned", "transferred", "escalated", "escalated",
                                              "contact", "contact"]
    transfer = record.steps[2]
    assert transfer.department_name == "Quality management" and transfer.reason == "疑似批次质量问题"
    assert record.steps[3].level == 1 and record.steps[6].answer == "客户满意"
    assert record.complaint.contacts == 2 and record.complaint.level == 2
    assert [q.kind for q in record.survey] == ["yes_no", "scale"]
    assert [q.text for q in record.survey] == [
        "Has the complaint been resolved?", "Satisfaction with the outcome (1-5)"]


def test_bad_steps_are_refused_in_words_and_change_nothing(services, agent, approver):
    work = services.complaint_work
    cid = services.complaints.open(agent, summary="师傅迟到", department_id="dept-service")
    before = (_count(services), services.ctx.row("hq_complaints", cid))
    refusals = [
        (lambda: work.transfer(agent, cid, "dept-nowhere", "转给不存在的部门"), "not_found", "找不到该部门"),
        (lambda: work.transfer(agent, cid, "dept-service", "原部门"), "complaint_same_department", "售后服务部"),
        (lambda: work.transfer(agent, cid, "dept-quality", " "), "required", "原因"),
        (lambda: work.escalate(agent, cid, ""), "required", "原因"),
        (lambda: work.assign(agent, cid, "no-such-user"), "complaint_assignee", "投诉处理人员"),
        (lambda: work.contact(agent, cid, "", "客户接受"), "required", "告知客户的内容"),
        (lambda: work.contact(agent, cid, "已致歉", ""), "required", "客户答复"),
        (lambda: work.resolve(agent, "no-such-complaint", "x", ["yes", 5]), "not_found", "投诉"),
    ]
    for call, code, words in refusals:
        with pytest.raises(ServiceError) as e:
            call()
        assert e.value.code == code and words in e.value.message("zh"), e.value
    outlet_tech = services.ctx.one("SELECT id FROM users WHERE role = 'technician' LIMIT 1")["id"]
    with pytest.raises(ServiceError) as e:
        work.assign(agent, cid, outlet_tech)
    assert "HQ user" in e.value.message("en")
    assert (_count(services), services.ctx.row("hq_complaints", cid)) == before


def test_deadlines_per_department_and_severity_are_hqs_to_set(services, agent, admin, clock):
    complaints = services.complaints
    cid = complaints.open(agent, summary="安装师傅未按约上门", department_id="dept-customer")
    opened = complaints.get(agent, cid).deadline_at - 48 * HOUR
    with pytest.raises(ServiceError) as e:
        complaints.set_deadline(agent, "dept-customer", "normal", 12)
    assert e.value.code == "role_forbidden"
    for bad in ("0", "abc", 10_000):
        with pytest.raises(ServiceError) as e:
            complaints.set_deadline(admin, "dept-customer", "normal", bad)
        assert e.value.code == "bad_hours"
    with pytest.raises(ServiceError) as e:
        complaints.set_deadline(admin, "dept-nowhere", "normal", 12)
    assert e.value.code == "not_found"
    complaints.set_deadline(admin, "dept-customer", "normal", 12)
    assert complaints.get(agent, cid).deadline_at == opened + 12 * HOUR   # the open one follows
    rules = {(r.department_id, r.severity): r for r in complaints.deadline_rules(admin)}
    assert rules["dept-customer", "normal"].hours == 12 and not rules["dept-customer", "normal"].default
    assert rules["dept-service", "serious"].hours == 24 and rules["dept-service", "serious"].default
    other = complaints.open(agent, summary="电话无人接听", department_id="dept-customer")
    assert complaints.get(agent, other).deadline_at == clock() + 12 * HOUR
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action = 'complaint_deadline_set'") == 1


def test_the_queue_screen_names_the_department_in_the_readers_language(services, agent, approver):
    from hub.ui.views.complaints import ComplaintsView
    from tests.hub.test_approvals_screens import FakeShell, texts
    services.complaints.open(agent, summary="师傅迟到", department_id="dept-quality")
    en = dataclasses.replace(approver, lang="en")
    shown = texts(ComplaintsView(FakeShell(services, en, "en")).build())
    assert "Quality management" in shown and "质量管理部" not in shown and "师傅迟到" in shown
