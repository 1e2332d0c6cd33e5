"""Lists the outlet's people can narrow, and the clerk's paperwork in English, in a real
browser against real processes (tests/ui/cluster.py, the outlet of seed.py): the clerk
finds an order by a phone typed with spaces or dashes, narrows the list to the orders
created on one day (a date typed wrong is refused in words and the list stays as it
was), sees the "saved" confirmation in the app bar where it covers no button, opens the
settlement on last month, and reads HQ's cancel reason beside the refusal of an accept HQ
could not take; the same in English, where the clerk also receives a shipment line by
line (a quantity past the shipped one refused in words, the extra piece sent to HQ).
Screenshots land in screenshots/node/ (git-ignored)."""
from datetime import timedelta

import pytest

from fieldsync.testing.world import uid
from shared.periods import local_date, period_of, previous_period
from sync.hlc import now_ms
from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_ui import go, login, logout, tap_until, wait_until

DAY = 86_400_000


@pytest.fixture(scope="module")
def ui(cluster, browser):
    return Ui(browser, cluster.url, shots=SHOTS / "node")


@pytest.fixture(scope="module")
def older(cluster):
    """Two orders HQ dispatched days ago (one 10 days, one 5 days back) and a shipment HQ
    approved: 3 门封条 for the outlet."""
    now = now_ms()
    rid, line = uid(), uid()
    cluster.hub_write([{"op": "put", "table": "service_orders", "id": uid(), "fields": {
        "number": number, "outlet_id": cluster.outlet_id, "customer_id": "C-2", "product_model_id": "PM-WM-100",
        "type": "repair", "priority": "normal", "status": "accepted", "created_at": now - days * DAY,
        "fault_description": "洗衣机门锁故障"}} for number, days in (("HQ-5010", 10), ("HQ-5005", 5))] + [
        {"op": "put", "table": "parts_requests", "id": rid, "fields": {
            "number": "PR-SH01-HQ-0001", "outlet_id": cluster.outlet_id, "status": "approved", "total": 18000,
            "submitted_at": now - 2 * DAY, "decided_at": now - DAY}},
        {"op": "put", "table": "parts_request_lines", "id": line, "fields": {
            "request_id": rid, "part_id": "P-2003", "qty": 3, "approved_qty": 3}}])
    return {"created": local_date(now - 10 * DAY).isoformat(), "request": rid}


def sync_now(ui: Ui, screen: str = "同步", button: str = "立即同步", done: str = "同步完成") -> None:
    go(ui, screen)
    ui.click(button)
    ui.wait(done)


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] \
        and b["y"] < a["y"] + a["h"]


def test_the_clerk_narrows_the_order_list_by_phone_and_by_date(ui, cluster, older):
    login(ui, "liu")
    sync_now(ui)
    go(ui, "工单")
    ui.click("全部")
    ui.wait("HQ-5010")
    ui.fill("搜索：工单号 / 电话尾号 / 姓名", "138 1234-5678")  # 王建国's number as he reads it out
    ui.page.keyboard.press("Enter")
    ui.wait("HQ-1001")
    ui.gone("HQ-1003")
    ui.fill("搜索：工单号 / 电话尾号 / 姓名", "")
    ui.page.keyboard.press("Enter")
    ui.wait("HQ-1003")
    tap_until(ui, "按日期筛选", "从（年-月-日）")
    ui.fill("从（年-月-日）", "2026-13-01")
    ui.click("筛选")
    ui.wait("“2026-13-01”不是有效日期，请按年-月-日填写，如2026-11-01。")
    ui.wait("HQ-1003")  # the list as it was
    ui.fill("从（年-月-日）", older["created"])
    ui.fill("到（年-月-日）", older["created"])
    ui.click("筛选")
    ui.wait(f"创建日期：{older['created']} 至 {older['created']}")
    ui.wait("共1单")
    ui.wait("HQ-5010")
    ui.gone("HQ-1003")
    ui.gone("HQ-5005")
    ui.shot("60-orders-date-range.png")
    ui.click("清除日期")
    ui.wait("HQ-5005")
    ui.wait("HQ-1003")


def test_the_saved_confirmation_covers_no_button_and_the_settlement_opens_on_last_month(ui, cluster):
    go(ui, "结算")
    last = previous_period(now_ms())
    ui.wait(f"{last}还没有结算单：点击“生成/更新草稿”。")  # last month's, the period box holding it
    ui.fill("结算期间（年-月）", period_of(now_ms() - 20 * 3600_000))
    ui.click("生成/更新草稿")  # the month HQ-0990 was completed in (20 hours ago)
    ui.wait("✓ 已保存")
    box = ui.text("✓ 已保存").first.bounding_box()
    toast = {"x": box["x"], "y": box["y"], "w": box["width"], "h": box["height"]}
    assert toast["y"] + toast["h"] <= 64, toast  # in the app bar
    covered = [b for b in ui.buttons() if b["w"] and b["h"] and overlaps(toast, b)]
    assert covered == [], covered
    ui.wait("HQ-0990")
    ui.shot("61-saved-in-the-app-bar.png")
    ui.gone("✓ 已保存")  # and it goes again
    ui.wait("网点服务")


def test_an_accept_hq_refuses_shows_hqs_cancel_reason(ui, cluster):
    go(ui, "工单")
    ui.text("HQ-1003").first.click()
    ui.click("接单")
    ui.wait("已接单")
    [(oid,)] = cluster.hub_query("SELECT id FROM service_orders WHERE number = 'HQ-1003'")
    cluster.hub_write([{"op": "put", "table": "service_orders", "id": oid, "fields": {  # meanwhile, at HQ
        "status": "cancelled", "closed_at": now_ms(), "closed_reason": "客户已自行修好"}}])
    sync_now(ui)
    ui.wait("总部已取消该工单，原因：客户已自行修好")
    ui.shot("62-refused-with-cancel-reason.png")
    ui.click("English")
    ui.wait("HQ cancelled the order: 客户已自行修好")
    ui.click("中文")


def test_in_english_the_clerk_finds_a_phone_narrows_by_date_and_opens_last_months_settlement(ui, cluster, older):
    ui.click("English")
    go(ui, "Orders")
    ui.click("All")
    ui.fill("Search: number / phone tail / name", "+86 139-9876-5432")  # 李秀英's
    ui.page.keyboard.press("Enter")
    ui.wait("HQ-5005")
    ui.gone("HQ-1001")
    ui.fill("Search: number / phone tail / name", "")
    ui.page.keyboard.press("Enter")
    ui.wait("HQ-1001")  # the list drawn again before the next tap
    tap_until(ui, "Filter by date", "From (YYYY-MM-DD)")
    ui.fill("From (YYYY-MM-DD)", older["created"])
    ui.fill("To (YYYY-MM-DD)", "2026-02-30")
    ui.page.keyboard.press("Enter")
    ui.wait('"2026-02-30" is not a date; write it year-month-day, e.g. 2026-11-01.')
    ui.wait("HQ-1001")  # nothing narrowed
    to = (local_date(now_ms()) - timedelta(days=6)).isoformat()
    ui.fill("To (YYYY-MM-DD)", to)
    ui.click("Apply")
    ui.wait(f"Created: {older['created']} to {to}")
    ui.wait("HQ-5010")
    ui.gone("HQ-5005")
    ui.shot("63-orders-date-range-en.png")
    ui.click("Clear dates")
    ui.wait("HQ-5005")
    go(ui, "Settlement")
    ui.wait(f"No settlement for {previous_period(now_ms())} yet")


def test_in_english_the_clerk_receives_a_shipment_line_by_line(ui, cluster, older):
    go(ui, "Stock")
    ui.click("Receive line by line")
    ui.wait("Shipped lines (1)")
    ui.fill("Find a line: type or scan the SKU", "p-2003")
    ui.page.keyboard.press("Enter")
    ui.fill("P-2003 received", "5")
    ui.click("Confirm receipt")
    ui.wait("门封条: received and damaged together cannot exceed the 3 shipped; enter pieces beyond that as extra.")
    ui.fill("P-2003 received", "-1")
    ui.click("Confirm receipt")
    ui.wait("The received quantity of 门封条 must be a whole number, 0 or more.")
    assert cluster.hub_query("SELECT COUNT(*) FROM receipt_discrepancies") == [(0,)]
    ui.fill("P-2003 received", "3")
    ui.fill("P-2003 extra", "1")
    ui.click("Confirm receipt")
    ui.wait("门封条 1 extra")
    ui.shot("64-receive-confirm-en.png")
    ui.page.get_by_role("button", name="Confirm receipt", exact=True).last.click()
    ui.wait("Received into stock")
    ui.wait("Awaiting HQ")
    sync_now(ui, "Sync", "Sync now", "Sync finished")
    rid = older["request"]
    assert wait_until(lambda: cluster.hub_query(
        "SELECT status FROM receipt_discrepancies WHERE request_id = ?", (rid,)) == [("submitted",)])
    assert cluster.hub_query("SELECT SUM(qty) FROM stock_moves WHERE kind = 'receipt' AND ref = ?", (rid,)) == [(4,)]
    ui.click("中文")
    logout(ui)


def test_the_part_picker_shows_the_washers_parts_first_and_what_is_not_carried(ui, cluster):
    login(ui, "li")  # on site at HQ-1004, a washing machine; 李师傅 carries nothing
    ui.text("HQ-1004").first.click()
    ui.click("登记用料")
    ui.fill("配件", "排水")
    ui.click("排水泵（P-2002）· 未随车", exact=False)  # offered, and marked: not hidden
    ui.shot("65-part-picker-not-carried.png")
    ui.click("确定")
    ui.wait("您没有携带该配件：排水泵。请先到网点领料。")
    ui.click("取消")
    assert cluster.hub_query("SELECT COUNT(*) FROM order_parts") == [(0,)]
    ui.click("English")
    ui.click("Record part")
    ui.fill("Part", "P-2003")
    ui.click("门封条 (P-2003) · not carried", exact=False)
    ui.click("OK")
    ui.wait("You do not carry this part: 门封条. Collect it at the outlet first.")
    ui.click("Cancel")
    ui.click("中文")
    logout(ui)


def test_the_clerk_records_an_order_for_a_customer_found_by_phone(ui, cluster):
    login(ui, "liu")
    go(ui, "工单")
    ui.wait("HQ-1001")
    tap_until(ui, "新建工单", "客户来电报修")
    ui.fill("老客户：输入来电号码查找", "王建国")
    ui.click("查找客户")
    ui.wait("请输入客户的电话号码（至少4位数字）来查找。")
    ui.fill("老客户：输入来电号码查找", "139 0000 0000")
    ui.click("查找客户")
    ui.wait("本网点没有这个号码的客户，请在下面填写联系人。")
    ui.fill("老客户：输入来电号码查找", "138 1234 5678")
    ui.click("查找客户")
    ui.click("选择 王建国 138****5678 · 上海市徐汇区漕溪北路88号")
    ui.wait("客户：王建国 138****5678 · 上海市徐汇区漕溪北路88号")
    assert wait_until(lambda: ui.page.get_by_label("联系人", exact=True).count() == 0)  # not typed again
    ui.fill("故障描述", "空调又不制冷了")
    ui.shot("66-new-order-known-customer.png")
    ui.click("确定")
    ui.wait("SH01-A-", exact=False)
    ui.wait("王建国")
    ui.wait("138****5678")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT customer_id, contact_name, status FROM service_orders WHERE fault_description = '空调又不制冷了'")
        == [("C-1", None, "accepted")])


def test_in_english_the_clerk_names_a_customer_found_by_phone(ui, cluster):
    ui.click("English")
    go(ui, "Orders")
    ui.wait("HQ-1001")
    tap_until(ui, "New order", "A customer phoned the outlet")
    ui.fill("Existing customer: type their phone number", "12")
    ui.click("Find customer")
    ui.wait("Type the customer's phone number (4 digits at least) to find them.")
    ui.fill("Existing customer: type their phone number", "+86 139-9876-5432")
    ui.click("Find customer")
    ui.click("Choose 李秀英 139****5432 · 上海市徐汇区天钥桥路200弄5号")
    ui.wait("Customer: 李秀英 139****5432")
    ui.fill("Visit address (only if not the customer's)", "上海市徐汇区天钥桥路300号")
    ui.fill("Fault description", "Washer leaks at the door")
    ui.click("OK")
    ui.wait("李秀英")
    ui.wait("上海市徐汇区天钥桥路300号")
    sync_now(ui, "Sync", "Sync now", "Sync finished")
    assert wait_until(lambda: cluster.hub_query(
        "SELECT customer_id, address FROM service_orders WHERE fault_description = 'Washer leaks at the door'")
        == [("C-2", "上海市徐汇区天钥桥路300号")])
    ui.click("中文")
    logout(ui)
