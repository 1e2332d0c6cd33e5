"""In the browser: an agent works a complaint through — tries to resolve it before speaking
to the customer (refused in words), transfers it to another department with a reason,
escalates it, records the contact with the customer and resolves it with the complaint
survey; an approver reading English assigns another complaint to themselves and records a
contact."""
import sqlite3

import pytest

from hub.services import HubServices
from tests.hub_ui.conftest import demo_hub

LEAK = "空调修后仍漏水"
LATE = "安装师傅未按约上门"


def _complaints(store) -> None:
    services = HubServices(store)
    services.complaints.open(None, summary=LEAK, department_id="dept-service", severity="serious")
    services.complaints.open(None, summary=LATE, department_id="dept-customer")


@pytest.fixture(scope="module")
def hq(tmp_path_factory):
    yield from demo_hub(tmp_path_factory.mktemp("hq-complaints"), _complaints)


def complaint(hq, summary: str) -> tuple[dict, list[str]]:
    """The complaint's row and the kinds of its history's steps, oldest first."""
    with sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True) as c:
        c.row_factory = sqlite3.Row
        row = dict(c.execute("SELECT * FROM hq_complaints WHERE summary = ?", (summary,)).fetchone())
        steps = [r[0] for r in c.execute("SELECT kind FROM hq_complaint_steps WHERE complaint_id = ? "
                                         "ORDER BY at, rowid", (row["id"],))]
    return row, steps


def display_name(hq, username: str) -> str:
    with sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True) as c:
        return c.execute("SELECT display_name FROM users WHERE username = ?", (username,)).fetchone()[0]


def open_complaint(ui, summary: str) -> None:
    """Open `summary` from the queue (open complaints, nearest deadline first: LEAK is serious, LATE normal)."""
    ui.click("投诉", exact=False)
    ui.wait(summary)
    ui.button("打开").nth(0 if summary == LEAK else 1).click()


def test_an_agent_transfers_escalates_contacts_and_resolves_a_complaint(ui, hq):
    ui.login("hq.agent")
    ui.wait("欢迎")
    open_complaint(ui, LEAK)
    ui.wait("处理记录")
    ui.click("结案")
    ui.fill("处理结果", "已安排重新安装")
    ui.click("确定")
    ui.wait("结案前请先记录与客户的联系")  # refused in words; nothing changed
    ui.click("取消")
    assert complaint(hq, LEAK)[0]["status"] == "open"

    ui.click("转部门")
    ui.page.get_by_role("radio", name="质量管理部").click()
    ui.fill("原因", "疑似批次质量问题")
    ui.click("确定")
    ui.wait("已转部门")
    ui.wait("疑似批次质量问题")

    ui.click("升级")
    ui.fill("原因", "客户要求主管处理")
    ui.click("确定")
    ui.wait("已升级")
    ui.wait("第1级")

    ui.click("记录联系")
    ui.fill("告知客户的内容", "检测为安装问题，周六免费重装")
    ui.fill("客户答复", "客户同意")
    ui.click("确定")
    ui.wait("联系记录已保存")
    ui.wait("告知：检测为安装问题，周六免费重装；客户答复：客户同意")
    ui.shot("hub/3e-complaint-record.png")

    ui.click("结案")
    ui.fill("处理结果", "周六已免费重装，客户确认不再漏水")
    ui.page.get_by_role("radio", name="是").first.click()
    ui.page.get_by_role("radio", name="5").first.click()
    ui.click("确定")
    ui.wait("投诉已结案")
    row, steps = complaint(hq, LEAK)
    assert (row["status"], row["department_id"], row["level"], row["survey_score"]) == \
        ("resolved", "dept-quality", 1, 100)
    assert steps == ["opened", "transferred", "escalated", "contact", "resolved"]


def test_an_approver_in_english_assigns_a_complaint_to_themselves(ui, hq):
    ui.login("hq.approver")
    ui.wait("欢迎")
    ui.click("English")
    ui.wait("Complaints")
    ui.click("Complaints", exact=False)
    ui.wait(LATE)
    ui.button("Open").last.click()
    ui.wait("History")
    ui.click("Assign")
    ui.page.get_by_role("radio", name=display_name(hq, "hq.approver")).click()
    ui.click("OK")
    ui.wait("Assigned")
    ui.click("Record contact")
    ui.fill("What you told the customer", "The manager will call you today")
    ui.click("OK")
    ui.wait("Please fill in customer's answer")   # refused in words, the dialog stays open
    ui.fill("Customer's answer", "Fine, waiting")
    ui.click("OK")
    ui.wait("Contact recorded")
    ui.wait("Told: The manager will call you today; customer said: Fine, waiting")
    ui.shot("hub/3f-complaint-en.png")
    row, steps = complaint(hq, LATE)
    assert row["assignee_id"] is not None and steps == ["opened", "assigned", "contact"]
