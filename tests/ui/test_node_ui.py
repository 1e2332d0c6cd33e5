"""The outlet's web UI in a real browser against real processes: a hub (`fieldsync hub
serve`) and the outlet node serving its UI (`fieldsync node serve`), seeded with an
outlet (seed.py). The tests run in order on one node, as a working day does: the
technician logs in and takes an order from accepted to completed — details corrected on
site, a part used, a photo and the customer's signature — and HQ sees it after "立即同步";
an order HQ cancelled meanwhile comes back as a refused change with its reason in words;
the list updates live when a sync round brings an order; the clerk runs a stocktake and
the month's settlement and records an order a customer phoned in; the knowledge base
finds an article by a Chinese word. Screenshots of the main screens land in
screenshots/node/ (git-ignored)."""
import time
from datetime import timedelta

import pytest

from shared.orders import Status
from shared.periods import local_datetime, period_of
from sync.hlc import now_ms
from fieldsync.testing.world import uid
from fieldsync.testing.waiting import wait_until
from tests.ui.browser import SHOTS, Ui
from tests.ui.seed import PASSWORDS


def login(ui: Ui, username: str) -> None:
    ui.wait("登录")
    ui.fill("用户名", username)
    ui.fill("密码", PASSWORDS[username])
    ui.click("登录")
    ui.wait("退出登录")


def logout(ui: Ui) -> None:
    ui.click("退出登录")
    ui.wait("请使用总部分配的账号登录。")


def go(ui: Ui, screen: str) -> None:
    ui.click(screen, exact=False)  # a navigation rail destination ("工单\nTab 1 of 7")


def tap_until(ui: Ui, button: str, shown: str) -> None:
    """Tap `button` until `shown` (a text or a field's label) is on screen: a tap landing
    while the screen is being drawn again (a sync round's redraw, just after arriving on
    it) goes to the control it replaced and is dropped."""
    for attempt in range(3):
        ui.click(button)
        try:
            ui.text(shown).or_(ui.page.get_by_label(shown, exact=True)).first.wait_for(
                state="visible", timeout=5_000 if attempt < 2 else 30_000)
            return
        except Exception:
            if attempt == 2:
                ui.shot("FAILED-tap.png")
                raise


@pytest.fixture(scope="module")
def ui(cluster, browser):
    return Ui(browser, cluster.url, shots=SHOTS / "node")


def test_login_refuses_a_wrong_password_in_words_then_shows_the_technicians_orders(ui):
    ui.wait("登录")
    ui.shot("01-login.png")
    ui.fill("用户名", "zhang")
    ui.fill("密码", "wrong")
    ui.click("登录")
    ui.wait("用户名或密码错误。")
    ui.fill("密码", PASSWORDS["zhang"])
    ui.click("登录")
    ui.wait("HQ-1001")
    ui.wait("HQ-1002")
    ui.wait("张师傅（维修师傅）")
    ui.shot("02-orders.png")


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    """A photo from the tablet's gallery (a real PNG)."""
    from node.ui.png import strokes_png
    path = tmp_path_factory.mktemp("photos") / "外机铭牌.png"
    path.write_bytes(strokes_png([[(10.0, 10.0), (150.0, 90.0)], [(10.0, 90.0), (150.0, 10.0)]], 160, 100))
    return path


def test_technician_takes_an_order_to_completed_with_a_part_and_hq_has_it(ui, cluster, photo_file):
    ui.text("HQ-1001").first.click()
    ui.wait("显示号码")
    ui.wait("138****5678")
    ui.gone("13812345678")
    ui.shot("03-order-detail.png")  # the number masked, as a clerk's screen shows it
    ui.click("显示号码", exact=False)
    ui.wait("13812345678")
    ui.wait("号码查看记录：张师傅")  # the look is recorded and shown
    ui.click("隐藏号码", exact=False)
    ui.wait("138****5678")
    ui.gone("13812345678")
    ui.click("接单")
    ui.wait("已接单")
    ui.click("预约")  # a date picker and a time picker: no date to type wrong
    start = local_datetime(now_ms()).date() + timedelta(days=1)
    ui.pick_date(start, start.isoformat())
    ui.pick_time("10:00")
    ui.click("确定")
    ui.wait(f"{start.isoformat()} 10:00")
    ui.click("出发")
    ui.button("到达上门").wait_for()
    ui.click("到达上门")
    ui.button("登记用料").wait_for()  # on site now (the edit button was there before: wait for the new screen)
    ui.click("修改工单")  # what the technician finds on site
    ui.fill("序列号", "AC35-2023-778899")
    ui.fill("故障代码", "F1")
    ui.click("确定")
    ui.wait("AC35-2023-778899")
    ui.click("登记用料")
    ui.fill("配件", "温度")
    ui.click("室内温度传感器（P-2001）", exact=False)
    ui.fill("旧件序列号", "TS-OLD-0001")
    ui.fill("新件序列号", "TS-NEW-0002")
    ui.page.wait_for_timeout(300)
    ui.shot("04-use-part.png")
    ui.click("确定")
    ui.wait("室内温度传感器（P-2001）×1")
    ui.click("完工")
    ui.fill("处理结果", "更换室内温度传感器，试机制冷正常")
    with ui.page.expect_file_chooser() as chooser:
        ui.click("选择照片")
    chooser.value.set_files(str(photo_file))
    ui.wait("已选1张照片")
    ui.click("确定")
    ui.wait("请客户先签名。")  # not without the customer's signature
    ui.sign("请客户在框内签名")
    ui.shot("05-complete-with-signature.png")
    ui.click("确定")
    ui.wait("已完工")
    ui.wait("照片")
    ui.shot("06-order-completed.png")

    go(ui, "同步")
    ui.click("立即同步")
    order = cluster.ids["flow"]
    assert wait_until(lambda: cluster.hub_query("SELECT status, resolution FROM service_orders WHERE id = ?",
                                                (order,)) == [("completed", "更换室内温度传感器，试机制冷正常")])
    assert cluster.hub_query("SELECT part_id, qty, kind FROM stock_moves WHERE ref = ?", (order,)) == [
        ("P-2001", -1, "consume")]
    assert cluster.hub_query("SELECT old_serial, new_serial, in_warranty FROM order_parts WHERE order_id = ?",
                             (order,)) == [("TS-OLD-0001", "TS-NEW-0002", 1)]
    assert sorted(cluster.hub_query("SELECT kind, mime FROM attachments WHERE order_id = ?", (order,))) == [
        ("photo", "image/png"), ("signature", "image/png")]
    assert cluster.hub_query("SELECT serial_no, fault_code FROM service_orders WHERE id = ?", (order,)) == [
        ("AC35-2023-778899", "F1")]


def test_an_accept_hq_refuses_shows_in_the_sync_panel_with_its_reason(ui, cluster):
    go(ui, "工单")
    ui.wait("HQ-1002")
    ui.text("HQ-1002").first.click()
    ui.click("接单")
    ui.wait("已接单")
    # HQ cancels the order before the accept reaches it
    cluster.hub_write([{"op": "put", "table": "service_orders", "id": cluster.ids["cancel"],
                        "fields": {"status": str(Status.CANCELLED)}}])
    go(ui, "同步")
    ui.click("立即同步")
    ui.wait("工单状态已变化，此操作不再允许。")
    ui.wait("HQ-1002")
    ui.wait("可连接")
    ui.shot("07-sync-refused.png")


def test_the_order_list_updates_live_when_a_sync_round_brings_an_order(ui, cluster, browser):
    go(ui, "工单")
    ui.click("全部")
    ui.wait("HQ-1003")
    cluster.hub_write([{"op": "put", "table": "service_orders", "id": uid(), "fields": {
        "number": "HQ-1004", "outlet_id": cluster.outlet_id, "customer_id": "C-3", "product_model_id": "PM-WM-100",
        "type": "repair", "priority": "normal", "status": "new", "created_at": int(time.time() * 1000),
        "fault_description": "洗衣机脱水时剧烈抖动"}}])
    other = Ui(browser, cluster.url)  # a second device at the outlet syncs; this one just watches
    try:
        login(other, "liu")
        go(other, "同步")
        other.click("立即同步")
        other.wait("同步完成")
    finally:
        other.page.close()
    ui.wait("HQ-1004")
    ui.wait("洗衣机脱水时剧烈抖动")


def test_language_switch_keeps_the_session(ui):
    ui.click("English")
    ui.wait("Orders")
    ui.wait("Log out")
    ui.shot("08-orders-en.png")
    ui.click("中文")
    ui.wait("退出登录")


def test_knowledge_base_finds_an_article_by_a_chinese_word(ui):
    go(ui, "知识库")
    ui.fill("搜索故障、型号、故障代码", "漏水")
    ui.page.keyboard.press("Enter")
    ui.wait("滚筒洗衣机底部漏水的排查")
    ui.gone("空调不制冷：温度传感器检测")
    ui.shot("09-kb-search.png")
    ui.text("滚筒洗衣机底部漏水的排查").first.click()
    ui.wait("E21 故障代码表示排水超时")
    ui.shot("10-kb-article.png")


def test_clerk_runs_a_stocktake_and_submits_it(ui, cluster):
    logout(ui)
    login(ui, "liu")
    ui.wait("库存")
    go(ui, "库存")
    ui.wait("室内温度传感器")
    ui.shot("11-stock.png")
    go(ui, "盘点")
    ui.click("全部库存")  # the whole store (not one category or the parts that moved most)
    ui.wait("未录入3项")
    for sku, counted in (("P-2001", "7"), ("P-2002", "0"), ("P-2003", "3")):
        ui.fill(sku, counted)
        ui.page.keyboard.press("Enter")
        ui.page.wait_for_timeout(200)
    ui.wait("-1")  # one 排水泵 missing
    ui.gone("未录入")
    ui.shot("12-stocktake.png")
    ui.click("提交")
    ui.wait("已提交")
    go(ui, "同步")
    ui.click("立即同步")
    assert wait_until(lambda: cluster.hub_query("SELECT status FROM stock_counts") == [("submitted",)])


def test_clerk_builds_adjusts_and_submits_the_months_settlement(ui, cluster):
    go(ui, "结算")  # it opens on last month, the one to submit; this test's orders are this month's
    ui.fill("结算期间（年-月）", period_of(now_ms()))
    ui.click("生成/更新草稿")
    ui.wait("HQ-0990")
    ui.wait("HQ-1001")
    ui.button("调整金额").first.click()
    ui.fill("调整金额（元，可为负）", "-20")
    ui.click("确定")
    ui.wait("调整金额时请填写原因。")
    ui.fill("原因", "客户投诉上门迟到")
    ui.click("确定")
    ui.wait("客户投诉上门迟到")
    ui.shot("13-settlement.png")
    ui.click("提交")
    ui.wait("已提交")
    go(ui, "同步")
    ui.click("立即同步")
    assert wait_until(lambda: cluster.hub_query("SELECT status FROM settlements") == [("submitted",)])
    assert cluster.hub_query("SELECT COUNT(*), SUM(adjustment) FROM settlement_lines") == [(2, -2000)]


def test_clerk_sees_parts_requests_with_suggestions(ui):
    go(ui, "配件申请")
    ui.wait("建议申请")
    ui.click("新建申请（按建议）")
    ui.wait("草稿")
    ui.fill("P-2002", "10")  # 排水泵 at ¥90.00: the line's amount follows at once
    ui.page.keyboard.press("Enter")
    ui.wait("¥900.00")
    ui.shot("14-parts-request.png")


def test_clerk_records_an_order_a_customer_phoned_in(ui, cluster):
    go(ui, "工单")
    ui.click("新建工单")
    ui.wait("客户来电报修", exact=False)
    ui.fill("联系人", "赵丽")
    ui.fill("联系电话", "139 1234 8888")
    ui.fill("地址", "上海市徐汇区漕溪北路100号3楼")
    ui.fill("产品型号", "XQG")
    ui.click("滚筒洗衣机 10公斤 XQG100-B14", exact=False)
    ui.fill("故障描述", "洗衣机不脱水，显示E21")
    ui.shot("15-new-order.png")
    ui.click("确定")
    # numbered on the node, offline; one counter per device (PR-SH01-A-000001 was the parts request)
    ui.wait("SH01-A-000002")
    ui.wait("已接单")
    ui.wait("139****8888")
    ui.gone("13912348888")
    ui.wait("赵丽")
    ui.shot("16-phoned-in-order.png")
    ui.click("English")
    ui.wait("Accepted")
    ui.wait("Show number")
    ui.shot("17-phoned-in-order-en.png")
    ui.click("中文")
    ui.wait("显示号码")
    go(ui, "同步")
    ui.click("立即同步")
    ui.wait("同步完成")
    assert wait_until(lambda: cluster.hub_query(
        "SELECT status, source, contact_name, contact_phone, customer_id FROM service_orders WHERE number = ?",
        ("SH01-A-000002",)) == [("accepted", "outlet", "赵丽", "139 1234 8888", None)])


def test_a_long_order_list_pages_and_the_oldest_order_is_on_the_last_page(ui, cluster):
    week_ago = int(time.time() * 1000) - 7 * 86_400_000
    cluster.hub_write([{"op": "put", "table": "service_orders", "id": uid(), "fields": {
        "number": f"HQ-2{i:03d}", "outlet_id": cluster.outlet_id, "customer_id": "C-3", "type": "repair",
        "product_model_id": "PM-WM-100", "priority": "normal", "status": "new", "created_at": week_ago - i * 60_000,
        "fault_description": "洗衣机不排水"}} for i in range(60)])
    go(ui, "同步")
    ui.click("立即同步")
    ui.wait("同步完成")
    go(ui, "工单")
    ui.click("全部")
    ui.wait("第 1–50 条，共", exact=False)
    ui.wait("HQ-2000")  # the newest of them, near the top of page 1
    tap_until(ui, "下一页", "第 51–")
    ui.gone("HQ-2000")
    ui.shot("18-order-list-page-2.png")
    tap_until(ui, "上一页", "第 1–50 条")
    ui.wait("HQ-2000")


def test_sigterm_stops_the_node_cleanly(cluster):
    assert cluster.server.stop() == 0
    # the sync stopped and the store closed, within the bound, as the log says
    assert any(line.startswith("node stopped in ") and "left behind" not in line for line in cluster.server.lines)
    # Flet logs its own websocket tracebacks when a tab closes; none may come from our code
    ours = [line for line in cluster.server.lines if 'File "' in line and "/node/" in line
            or "sync round crashed" in line or "sync listener failed" in line]
    assert ours == [], "\n".join(cluster.server.lines)
