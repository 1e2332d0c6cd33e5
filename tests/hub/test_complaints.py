"""Complaints reach a department's queue with a deadline by severity and are resolved
with an outcome; a resolved complaint cannot be resolved again."""
import dataclasses

import pytest

from shared.errors import ServiceError


def test_a_complaint_waits_in_its_department_queue_until_resolved(services, agent, approver, clock):
    cust = services.ctx.one("SELECT id FROM customers LIMIT 1")["id"]
    cid = services.complaints.open(agent, summary="师傅迟到两小时，态度差", customer_id=cust,
                                   department_id="dept-customer", severity="serious")
    queue = services.complaints.queue(approver, "dept-customer")
    assert [c.id for c in queue] == [cid]
    assert queue[0].department_name == "客户关系部" and not queue[0].overdue
    assert services.complaints.queue(dataclasses.replace(approver, lang="en"), "dept-customer")[0].department_name \
        == "Customer relations"
    clock.advance(24 * 3_600_000 + 1)
    assert services.complaints.queue(approver, "dept-customer")[0].overdue
    services.complaints.resolve(approver, cid, "已致电道歉并赠送延保一年")
    assert services.complaints.queue(approver, "dept-customer") == []
    with pytest.raises(ServiceError) as e:
        services.complaints.resolve(approver, cid, "again")
    assert e.value.code == "complaint_resolved"


def test_an_empty_complaint_is_refused_and_nothing_is_stored(services, agent):
    with pytest.raises(ServiceError) as e:
        services.complaints.open(agent, summary="  ")
    assert "内容摘要" in e.value.message("zh")
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_complaints") == 0


def test_the_queue_screen_names_the_department_in_the_readers_language(services, agent, approver):
    from hub.ui.views.complaints import ComplaintsView
    from tests.hub.test_approvals_screens import FakeShell, texts
    services.complaints.open(agent, summary="师傅迟到", department_id="dept-quality")
    en = dataclasses.replace(approver, lang="en")
    shown = texts(ComplaintsView(FakeShell(services, en, "en")).build())
    assert "Quality management" in shown and "质量管理部" not in shown and "师傅迟到" in shown
