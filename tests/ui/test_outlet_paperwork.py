"""The clerk's paperwork in a real browser against real processes (tests/ui/cluster.py, the
outlet of seed.py): a parts request built line by line — a part scanned by its SKU, another
found by a word of its name and removed again, a quantity refused in words — and, being
large, confirmed with its total before it reaches HQ; in English, a small one submitted
at once. The manager counts one category (Enter moves to the next line), is told in words
that a SKU not in the catalogue cannot be counted and that a count below zero is not one,
adds a part found on the shelf, sees the line whose part moved since the count opened,
fills the rest with the book quantity and submits; in English, a cycle count of the parts
that moved most. Screenshots land in screenshots/node/ (git-ignored)."""
import pytest

from fieldsync.testing.world import uid
from sync.hlc import now_ms
from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_ui import go, login, logout, wait_until


@pytest.fixture(scope="module")
def ui(cluster, browser):
    return Ui(browser, cluster.url, shots=SHOTS / "node")


def sync_now(ui: Ui, screen: str = "同步", button: str = "立即同步") -> None:
    go(ui, screen)
    ui.click(button)


def test_the_clerk_builds_a_large_parts_request_line_by_line_and_confirms_its_total(ui, cluster):
    login(ui, "liu")
    go(ui, "配件申请")
    ui.click("新建空白申请")
    ui.wait("申请单还没有配件。")
    ui.wait("建议申请")  # the suggestions stay below the draft
    ui.fill("添加配件：输入或扫描SKU、名称", "p2002")  # scanned or typed: the SKU without its dash
    ui.page.keyboard.press("Enter")
    ui.wait("¥90.00")
    ui.fill("添加配件：输入或扫描SKU、名称", "门封")
    ui.click("添加 P-2003 门封条")
    ui.wait("共2项，合计¥150.00")
    ui.button("移除P-2003").first.click()
    ui.wait("共1项，合计¥90.00")
    ui.fill("P-2002", "-3")
    ui.page.keyboard.press("Enter")
    ui.wait("数量必须是大于0的整数。")  # refused in words, the line keeps its quantity
    ui.fill("P-2002", "25")
    ui.page.keyboard.press("Enter")
    ui.wait("共1项，合计¥2,250.00")
    ui.shot("30-parts-request-lines.png")
    ui.click("提交")
    ui.wait("本申请共1项配件，合计¥2,250.00。确认提交给总部？")
    ui.shot("31-parts-request-confirm.png")
    ui.click("取消")
    ui.gone("确认提交给总部？")
    assert cluster.hub_query("SELECT COUNT(*) FROM parts_requests WHERE status = 'submitted'") == [(0,)]
    ui.click("提交")
    ui.wait("确认提交给总部？")
    ui.page.get_by_role("button", name="提交", exact=True).last.click()
    ui.wait("已提交")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT status, total FROM parts_requests") == [("submitted", 225000)])
    assert cluster.hub_query("SELECT part_id, qty FROM parts_request_lines WHERE qty > 0") == [("P-2002", 25)]


def test_the_clerk_submits_a_small_request_in_english_without_a_confirmation(ui, cluster):
    ui.click("English")
    go(ui, "Parts requests")
    ui.click("New empty request")
    ui.wait("The request has no parts yet.")
    ui.fill("Add a part: type or scan its SKU or name", "P-2001")
    ui.page.keyboard.press("Enter")
    ui.wait("Lines: 1, total ¥25.00")
    ui.fill("Add a part: type or scan its SKU or name", "nothing-like-this")
    ui.wait("No part found.")
    ui.shot("32-parts-request-en.png")
    ui.click("Submit")
    ui.wait("Submitted")
    sync_now(ui, "Sync", "Sync now")
    assert wait_until(lambda: cluster.hub_query(
        "SELECT COUNT(*) FROM parts_requests WHERE status = 'submitted'") == [(2,)])
    ui.click("中文")
    logout(ui)


def focused_label(ui: Ui) -> str:
    return ui.page.evaluate("() => document.activeElement && (document.activeElement.getAttribute('aria-label')"
                            " || (document.activeElement.labels && document.activeElement.labels[0]"
                            " && document.activeElement.labels[0].innerText) || '')")


def test_the_manager_counts_one_category_line_by_line(ui, cluster):
    login(ui, "chen")
    go(ui, "盘点")
    ui.click("类别：洗衣机")
    ui.wait("未录入2项")
    ui.fill("P-2002", "-1")
    ui.page.keyboard.press("Enter")
    ui.wait("盘点数量必须是不小于0的整数。")  # refused in words: the line stays uncounted
    ui.wait("未录入2项")
    ui.fill("P-2002", "1")
    ui.page.keyboard.press("Enter")  # saves the line and moves to the next one
    assert wait_until(lambda: "P-2003" in focused_label(ui), timeout=10)
    ui.page.keyboard.insert_text("2")
    ui.page.keyboard.press("Enter")
    ui.wait("-1")  # a 门封条 missing
    ui.gone("未录入")
    ui.fill("添加货架上的配件：输入或扫描SKU", "X-999")
    ui.page.keyboard.press("Enter")
    ui.wait("配件目录中没有SKU为“X-999”的配件，不能盘点；请核对标签或联系总部。")
    ui.fill("添加货架上的配件：输入或扫描SKU", "p-2001")  # a sensor on the washing-machine shelf
    ui.page.keyboard.press("Enter")
    ui.wait("未录入1项")
    cluster.hub_write([{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
        "outlet_id": cluster.outlet_id, "part_id": "P-2002", "qty": 2, "kind": "transfer", "ref": "HQ",
        "at": now_ms()}}])  # HQ moves pumps in while the count runs
    sync_now(ui)
    ui.wait("同步完成")
    go(ui, "盘点")
    ui.wait("开盘后有出入库")
    ui.click("未盘项按账面数填充")
    ui.gone("未录入")
    ui.shot("40-stocktake-category.png")
    ui.click("提交")
    ui.wait("已提交")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT l.part_id, l.counted, l.variance FROM stock_count_lines l JOIN stock_counts c ON c.id = l.count_id "
        "WHERE json_extract(c.scope, '$.value') = 'WM' ORDER BY l.part_id") == [
        ("P-2001", 7, 0), ("P-2002", 1, 0), ("P-2003", 2, -1)])


def test_the_manager_runs_a_cycle_count_in_english(ui, cluster):
    ui.click("English")
    go(ui, "Stocktake")
    ui.click("The 20 parts that moved most in 30 days")
    ui.wait("Fill the uncounted with the book quantity")
    ui.fill("Add a part found on the shelf: type or scan its SKU", "NOPE-1")
    ui.page.keyboard.press("Enter")
    ui.wait('The catalogue has no part with SKU "NOPE-1"; it cannot be counted.')
    ui.click("Fill the uncounted with the book quantity")
    ui.gone("not counted")
    ui.shot("41-stocktake-cycle-en.png")
    ui.click("Submit")
    ui.wait("Submitted")
    ui.click("中文")
    logout(ui)


def test_the_clerk_receives_a_shipment_line_by_line_and_hq_gets_the_differences(ui, cluster):
    [(rid,)] = cluster.hub_query("SELECT id FROM parts_requests WHERE total = 225000")
    [(line_id,)] = cluster.hub_query("SELECT id FROM parts_request_lines WHERE request_id = ? AND qty > 0", (rid,))
    cluster.hub_write([  # HQ ships the 25 pumps
        {"op": "put", "table": "parts_request_lines", "id": line_id, "fields": {"approved_qty": 25}},
        {"op": "put", "table": "parts_requests", "id": rid, "fields": {"status": "approved", "decided_at": now_ms()}}])
    login(ui, "liu")
    sync_now(ui)
    ui.wait("同步完成")
    go(ui, "库存")
    ui.click("逐行收货")
    ui.wait("发货明细（1项）")
    ui.fill("查找配件：输入或扫描SKU", "p2002")
    ui.page.keyboard.press("Enter")  # the line's good quantity takes the focus
    ui.fill("P-2002 完好", "-1")
    ui.click("确认收货")
    ui.wait("排水泵的完好数量必须是不小于0的整数。")  # in words; nothing booked
    ui.fill("P-2002 完好", "22")
    ui.fill("P-2002 破损", "1")
    ui.click("确认收货")
    ui.wait("排水泵 短少2 破损1")
    ui.shot("50-receive-confirm.png")
    ui.page.get_by_role("button", name="确认收货", exact=True).last.click()
    ui.wait("已收货入库")
    ui.wait("待总部处理")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT status FROM receipt_discrepancies WHERE request_id = ?", (rid,)) == [("submitted",)])
    assert cluster.hub_query("SELECT SUM(qty) FROM stock_moves WHERE kind = 'receipt' AND ref = ?", (rid,)) == [(22,)]
    logout(ui)
