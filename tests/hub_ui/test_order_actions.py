"""In the browser: an agent finds an active order by its number, notes an action and
notifies the outlet, then takes the order back from its outlet and re-dispatches it with a
reason; an unknown number and an empty note are refused in words (in English too)."""
import json
import sqlite3


def read(hq, sql, params=()):
    with sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True) as c:
        return c.execute(sql, params).fetchall()


def find(ui, number: str, zh: bool = True) -> None:
    ui.click("派单改派" if zh else "Dispatch", exact=False)
    ui.fill("工单号（收回改派 / 记录处理 / 取消）" if zh else "Order number (take back / note / cancel)", number)
    ui.click("查找" if zh else "Find")


def test_an_agent_notes_notifies_and_takes_an_active_order_back(ui, hq):
    [(number, order_id, old)] = read(hq, "SELECT number, id, outlet_id FROM service_orders WHERE status = 'scheduled' "
                                         "AND outlet_id IS NOT NULL ORDER BY number LIMIT 1")
    ui.login("hq.agent")
    ui.wait("欢迎")
    find(ui, "HQ-9999999")
    ui.wait("找不到该")           # an unknown number: said in words, nothing opens
    find(ui, number)
    ui.wait("工单处理")
    ui.wait("没有迟到的修改。")

    ui.click("记录处理")
    ui.fill("处理情况", "已致电网点经理，要求今天上门")
    ui.page.get_by_role("checkbox", name="同时通知网点").click()
    ui.click("确定")
    ui.wait("处理记录已保存，已通知网点")
    ui.wait("已致电网点经理，要求今天上门")
    [(detail,)] = read(hq, "SELECT detail FROM notices WHERE kind = 'hq_note' AND row_id = ?", (order_id,))
    assert json.loads(detail)["params"]["text"] == "已致电网点经理，要求今天上门"

    ui.click("收回改派")
    ui.fill("收回原因", "网点超时未上门，客户投诉")
    ui.shot("hub/15-take-back.png")
    ui.click("确认派单")
    ui.wait("已收回并改派至")
    [(status, outlet, tech)] = read(hq, "SELECT status, outlet_id, technician_id FROM service_orders WHERE id = ?",
                                    (order_id,))
    assert status == "new" and outlet != old and tech is None
    ui.wait("网点超时未上门，客户投诉")   # in the order's dispatch history
    [(told,)] = read(hq, "SELECT COUNT(*) FROM notices WHERE kind = 'taken_back' AND outlet_id = ?", (old,))
    assert told == 1


def test_an_empty_note_is_refused_in_english(ui, hq):
    [(number,)] = read(hq, "SELECT number FROM service_orders WHERE status IN ('accepted', 'scheduled', 'on_site') "
                           "AND outlet_id IS NOT NULL ORDER BY number DESC LIMIT 1")
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("English")
    ui.wait("Dispatch")
    find(ui, number, zh=False)
    ui.wait("Order actions")
    ui.click("Note an action")
    ui.click("OK")
    ui.wait("Please fill in note")
    ui.fill("What was done", "Called the customer: Saturday is fine")
    ui.click("OK")
    ui.wait("Note saved")
    ui.wait("Called the customer: Saturday is fine")
