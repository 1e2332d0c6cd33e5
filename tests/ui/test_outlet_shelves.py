"""Shelves and a count of one shelf, in a real browser against real processes
(tests/ui/cluster.py, the outlet of seed.py): the manager labels the shelves on the stock
screen — a part's SKU scanned, its shelf typed; a SKU not in the catalogue and a shelf
name that is not one are refused in words and change nothing — then counts shelf A-03
only, and HQ receives the shelves and the count; in English, the clerk moves a part to
another shelf and counts that one. Screenshots land in screenshots/node/ (git-ignored)."""
import pytest

from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_ui import go, login, logout, wait_until
from tests.ui.test_outlet_paperwork import focused_label


@pytest.fixture(scope="module")
def ui(cluster, browser):
    return Ui(browser, cluster.url, shots=SHOTS / "node")


def sync_now(ui: Ui, screen: str = "同步", button: str = "立即同步", done: str = "同步完成") -> None:
    go(ui, screen)
    ui.click(button)
    ui.wait(done)


def shelve(ui: Ui, sku: str, shelf: str, sku_label: str = "设置货位：输入或扫描SKU", shelf_label: str = "货位") -> None:
    ui.fill(sku_label, sku)
    ui.fill(shelf_label, shelf)
    ui.page.keyboard.press("Enter")


def test_the_manager_labels_shelves_and_counts_one_shelf(ui, cluster):
    login(ui, "chen")
    go(ui, "库存")
    ui.wait("室内温度传感器")
    shelve(ui, "X-999", "A-03")
    ui.wait("配件目录中没有SKU为“X-999”的配件，不能设置货位；请核对标签或联系总部。")
    shelve(ui, "p2002", "A-03;1")
    ui.wait("货位“A-03;1”无效：最多20个字符，只能用字母、数字、“-”“.”“/”和空格。")
    assert cluster.hub_query("SELECT COUNT(*) FROM part_shelves") == [(0,)]
    shelve(ui, "p2002", "a-03")  # typed loosely: kept as A-03
    ui.wait("✓ 已保存")
    shelve(ui, "P-2003", "A-03")
    shelve(ui, "P-2001", "B-01")
    ui.wait("B-01")
    ui.shot("70-stock-shelves.png")
    go(ui, "盘点")
    ui.click("货位：A-03")
    ui.wait("未录入2项")
    ui.gone("P-2001")  # on shelf B-01: not in this count
    ui.fill("P-2002", "1")
    ui.page.keyboard.press("Enter")  # saved; the next line takes the focus
    assert wait_until(lambda: "P-2003" in focused_label(ui), timeout=10)
    ui.page.keyboard.insert_text("2")  # a 门封条 missing from A-03
    ui.page.keyboard.press("Enter")
    ui.gone("未录入")
    ui.shot("71-stocktake-shelf.png")
    ui.click("提交")
    ui.wait("已提交")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT l.part_id, l.counted, l.variance FROM stock_count_lines l JOIN stock_counts c ON c.id = l.count_id "
        "WHERE json_extract(c.scope, '$.kind') = 'shelf' AND json_extract(c.scope, '$.value') = 'A-03' "
        "ORDER BY l.part_id") == [("P-2002", 1, 0), ("P-2003", 2, -1)])
    assert cluster.hub_query("SELECT part_id, shelf FROM part_shelves ORDER BY part_id") == [
        ("P-2001", "B-01"), ("P-2002", "A-03"), ("P-2003", "A-03")]
    logout(ui)


def test_in_english_the_clerk_moves_a_part_to_another_shelf_and_counts_it(ui, cluster):
    login(ui, "liu")
    ui.click("English")
    go(ui, "Stock")
    shelve(ui, "NOPE-1", "C-1", "Shelf a part: type or scan its SKU", "Shelf")
    ui.wait('The catalogue has no part with SKU "NOPE-1"; it cannot be put on a shelf. Check the label or ask HQ.')
    shelve(ui, "P-2003", "X" * 21, "Shelf a part: type or scan its SKU", "Shelf")
    ui.wait("is not valid: at most 20 characters, letters, digits, - . / and spaces.")
    shelve(ui, "P-2003", "B-01", "Shelf a part: type or scan its SKU", "Shelf")
    ui.wait("✓ Saved")
    go(ui, "Stocktake")
    ui.click("Shelf: B-01")
    ui.wait("2 not counted")
    ui.click("Fill the uncounted with the book quantity")
    ui.gone("not counted")
    ui.shot("72-stocktake-shelf-en.png")
    ui.click("Submit")
    ui.wait("Submitted")
    sync_now(ui, "Sync", "Sync now", "Sync finished")
    assert wait_until(lambda: cluster.hub_query(
        "SELECT COUNT(*) FROM stock_counts WHERE json_extract(scope, '$.value') = 'B-01' "
        "AND status = 'submitted'") == [(1,)])
    assert cluster.hub_query("SELECT shelf FROM part_shelves WHERE part_id = 'P-2003'") == [("B-01",)]
    ui.click("中文")
    logout(ui)
