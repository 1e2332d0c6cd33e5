"""An HQ agent on the ticket query screen (工单查询) at 1366×768: pages through every order
and back, finds a customer's orders by phone, opens one order's full record (the events
with device and HQ time, the dispatch, the product's warranty), exports the result to
Excel and reads it, is told in words when the dates are the wrong way round, and sees the
screen in English. Screenshots: screenshots/hub/5x-*.png."""
import io
import sqlite3

from openpyxl import load_workbook


def read(hq, sql, params=()):
    conn = sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_agent_finds_an_order_by_phone_pages_opens_its_record_and_exports(ui, hq):
    [(total,)] = read(hq, "SELECT COUNT(*) FROM service_orders")
    newest = [n for (n,) in read(hq, "SELECT number FROM service_orders ORDER BY created_at DESC, id DESC")]
    [(name, phone)] = read(hq, "SELECT c.name, c.phone FROM customers c JOIN service_orders o "
                               "ON o.customer_id = c.id GROUP BY c.id HAVING COUNT(*) >= 2 ORDER BY c.id LIMIT 1")
    theirs = [n for (n,) in read(hq, "SELECT o.number FROM service_orders o JOIN customers c ON c.id = o.customer_id "
                                     "WHERE c.phone = ? ORDER BY o.created_at DESC, o.id DESC", (phone,))]
    ui.page.set_viewport_size({"width": 1366, "height": 768})
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("工单查询", exact=False)  # a navigation rail destination
    ui.wait(f"共 {total:,} 条")
    ui.wait(newest[0])
    export = ui.button("导出Excel").first.bounding_box()
    assert export is not None and export["y"] + export["height"] <= 768  # the filters fit the screen
    ui.shot("hub/50-query-all.png")

    # pages: forward by the cursor, back by the cursors seen
    ui.click("下一页")
    ui.wait("第 2 页")
    ui.wait(newest[50])
    ui.gone(newest[0])
    ui.click("上一页")
    ui.wait("第 1 页")
    ui.wait(newest[0])

    # by phone
    ui.fill("单号 / 电话 / 姓名", phone)
    ui.page.keyboard.press("Enter")
    ui.wait(f"共 {len(theirs)} 条")
    for number in theirs:
        ui.wait(number)
    if newest[0] not in theirs:
        ui.gone(newest[0])
    ui.shot("hub/51-query-by-phone.png")

    # the record of the newest one
    ui.click(theirs[0])
    ui.wait(f"工单档案 {theirs[0]}")
    ui.wait("处理过程")
    ui.wait("设备时间")  # each event's device time beside the time HQ received it
    ui.wait("总部接收")
    ui.wait("派单记录")
    ui.wait("产品与保修")
    ui.wait(name)
    ui.shot("hub/52-query-record.png")
    ui.click("关闭")
    ui.gone(f"工单档案 {theirs[0]}")

    # the export holds what the list shows
    with ui.page.expect_download(timeout=60_000) as dl:
        ui.click("导出Excel")
    download = dl.value
    assert download.suggested_filename.startswith("orders-") and download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert [c.value for c in ws[2]][:2] == ["单号", "创建时间"]
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True)] == theirs
    assert phone in ws["A1"].value and f"共 {len(theirs)} 条" in ws["A1"].value

    # the dates the wrong way round: said in words, the list stays as it was
    ui.fill("开始日期", "2026-05-10")
    ui.fill("结束日期", "2026-05-01")
    ui.click("查询")
    ui.wait("开始日期不能晚于结束日期。")
    ui.wait(f"共 {len(theirs)} 条")
    ui.click("清空条件")
    ui.wait(f"共 {total:,} 条")
    ui.click("English")
    ui.wait("Ticket query")
    ui.wait(f"{total:,} orders")
    ui.wait("Export to Excel")
    ui.wait("Customer")
    ui.wait("Next")
    ui.shot("hub/53-query-en.png")
