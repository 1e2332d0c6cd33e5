"""In the browser: the agent calls back a completed order (answers the survey, the order is
closed; a low score opens a complaint that the complaint queue shows), and the SLA board
shows an overdue order highlighted and escalated to HQ. The hub process is started after
the callback and escalation jobs have run once on its store (as its scheduler would)."""
import sqlite3
import uuid

import pytest

from hub.services import HubServices
from sync.hlc import now_ms
from tests.hub_ui.conftest import demo_hub

LATE = "HQ-0099001"
DAY = 86_400_000


def _late_order_and_due_callbacks(store) -> None:
    outlet = store.rows("outlets", "code = 'SH01'")[0]
    customer = store.rows("customers", "", (), "id")[0]
    store.write([{"op": "put", "table": "service_orders", "id": str(uuid.uuid4()), "fields": {
        "number": LATE, "outlet_id": outlet["id"], "customer_id": customer["id"], "type": "repair",
        "priority": "normal", "status": "new", "source": "hub", "created_at": now_ms() - 3 * DAY,
        "fault_description": "空调不制冷"}}])
    services = HubServices(store)
    services.callbacks.run_job()
    services.monitor.escalate()


@pytest.fixture(scope="module")
def hq(tmp_path_factory):
    yield from demo_hub(tmp_path_factory.mktemp("hq-callbacks"), _late_order_and_due_callbacks)


def db(hq):
    return sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True)


def due_tasks(hq) -> list[tuple[str, str, str]]:
    """(task id, order number, order type) of the due tasks, oldest first (as the queue lists them)."""
    with db(hq) as c:
        return c.execute("SELECT t.id, o.number, t.order_type FROM hq_callbacks t JOIN service_orders o "
                         "ON o.id = t.order_id WHERE t.status = 'open' AND t.due_at <= ? "
                         "ORDER BY t.due_at, t.completed_at, o.number", (now_ms(),)).fetchall()


def order_of(hq, number: str) -> dict:
    with db(hq) as c:
        c.row_factory = sqlite3.Row
        return dict(c.execute("SELECT * FROM service_orders WHERE number = ?", (number,)).fetchone())


def answer(ui, kinds: list[str], good: bool) -> None:
    """Click an answer for every question: yes/no questions by their 是/否 radio, the
    1–5 rating by its number."""
    yes_no = sum(1 for k in kinds if k == "yes_no")
    for i in range(yes_no):
        ui.page.get_by_role("radio", name="是" if good else "否").nth(i).click()
    ui.page.get_by_role("radio", name="5" if good else "1").first.click()


def kinds_for(order_type: str) -> list[str]:
    return {"repair": ["yes_no"] * 3 + ["scale"]}.get(order_type, ["yes_no"] * 2 + ["scale"])


def test_agent_calls_back_a_completed_order_and_a_low_score_reaches_the_complaint_queue(ui, hq):
    tasks = due_tasks(hq)
    assert len(tasks) >= 2, "the demo network has completed orders due for a callback"
    (_, number, otype), (_, number2, otype2) = tasks[0], tasks[1]
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("回访", exact=False)
    ui.wait("待回访（最早完工在前）")
    ui.wait(number)
    ui.click("开始回访")
    ui.wait(f"回访：{number}")
    answer(ui, kinds_for(otype), good=True)
    ui.wait("当前得分：100（满意）")
    ui.fill("回访备注", "客户对上门时间和维修结果都很满意")
    ui.shot("hub/3a-callback-survey.png")
    ui.click("提交回访")
    ui.wait("回访已记录：100分，满意")
    ui.shot("hub/3b-callback-recorded.png")
    order = order_of(hq, number)
    assert (order["status"], order["callback_result"], order["callback_score"]) == ("closed", "satisfied", 100)

    ui.wait(number2)
    ui.click("开始回访")
    ui.wait(f"回访：{number2}")
    ui.click("提交回访")  # nothing answered yet: refused in words
    ui.wait("请回答全部")
    answer(ui, kinds_for(otype2), good=False)
    ui.click("提交回访")
    ui.wait("已生成投诉单")
    assert order_of(hq, number2)["callback_result"] == "unsatisfied"

    ui.click("投诉", exact=False)
    ui.wait("投诉处理")
    ui.wait(f"回访低分（0分）：工单{number2}")
    ui.shot("hub/3c-complaints.png")


def test_the_board_shows_an_overdue_order_highlighted_and_escalated(ui, hq):
    ui.login("hq.approver")
    ui.wait("欢迎")
    ui.click("监控看板", exact=False)
    ui.wait("流程监控")
    ui.wait(LATE)
    ui.wait("已上报总部（超时）")
    ui.wait("已超时")
    ui.wait("工单分布（大区 × 网点 × 状态）")
    ui.shot("hub/3d-monitor-board.png")
    with db(hq) as c:
        assert c.execute("SELECT COUNT(*) FROM hq_escalations e JOIN service_orders o ON o.id = e.order_id "
                         "WHERE o.number = ? AND e.level = 100", (LATE,)).fetchone()[0] == 1


def test_the_callback_buttons_are_whole_on_a_1366x768_laptop_in_english(ui, hq):
    """Issue #15 item 11: in English the queue's "Call" button ran past its half of the screen."""
    ui.page.set_viewport_size({"width": 1366, "height": 768})
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("English")
    ui.wait("Welcome", exact=False)
    ui.click("Callbacks", exact=False)
    ui.wait("Due callbacks (oldest first)")
    ui.shot("hub/3c-callback-queue-1366x768-en.png")
    right_panel = ui.text("Pick a callback on the left.").first.bounding_box()
    call = ui.button("Call").first
    box = call.bounding_box()
    assert box is not None and right_panel is not None and box["x"] + box["width"] <= right_panel["x"], box
    call.click()
    ui.wait("Callback: ", exact=False)
    for name in ("Record callback", "Not reached"):
        box = ui.button(name).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366, (name, box)
    ui.shot("hub/3c-callback-1366x768-en.png")
