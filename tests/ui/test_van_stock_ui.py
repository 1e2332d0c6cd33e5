"""What the technicians carry, in a real browser against real processes (tests/ui/cluster.py,
the outlet of seed.py, where 张师傅 carries two sensors): the clerk issues parts to 李师傅 in
Chinese — too many is refused in words, then one — and sees every technician's bag; 李师傅,
in English, sees "My parts", records the part he carries on his order, is told his bag is
empty when he would record another, and HQ holds the moves of his bag after "sync now"."""
import pytest

from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_ui import go, login, logout, wait_until


@pytest.fixture(scope="module")
def ui(cluster, browser):
    return Ui(browser, cluster.url, shots=SHOTS / "node")


def sync_now(ui: Ui, screen: str = "同步", button: str = "立即同步") -> None:
    go(ui, screen)
    ui.click(button)


def test_the_clerk_issues_parts_to_a_technician_and_sees_every_bag(ui, cluster):
    login(ui, "liu")
    go(ui, "随车配件")
    ui.wait("请先选择师傅。")
    ui.wait("室内温度传感器×2")  # 张师傅's bag, in the list of every technician's
    ui.fill("师傅", "李")
    ui.click("李师傅", exact=False)
    ui.wait("给师傅发料")
    ui.fill("配件", "P-2002")  # typed ahead by SKU
    ui.click("排水泵（P-2002）", exact=False)
    ui.fill("数量", "3")
    ui.click("发料")
    ui.wait("排水泵库存不足：现有1件，需要3件。")  # the store has one: nothing issued
    ui.fill("数量", "1")
    ui.click("发料")
    ui.wait("排水泵×1")
    ui.shot("20-van-stock-issue.png")
    sync_now(ui)
    assert wait_until(lambda: cluster.hub_query(
        "SELECT holder, qty, kind FROM stock_moves WHERE part_id = 'P-2002' AND kind = 'issue' ORDER BY qty") == [
        (None, -1, "issue"), ("u-li", 1, "issue")])
    logout(ui)


def test_the_technician_uses_what_he_carries_in_english(ui, cluster):
    login(ui, "li")
    ui.click("English")
    go(ui, "My parts")
    ui.wait("P-2002")
    ui.wait("排水泵")
    ui.shot("21-my-parts-en.png")
    go(ui, "Orders")
    ui.text("HQ-1004").first.click()
    ui.click("Record part")
    ui.fill("Part", "排水")
    ui.click("排水泵 (P-2002) · 1 carried", exact=False)
    ui.click("OK")
    ui.wait("排水泵 (P-2002) ×1")
    ui.click("Record part")
    ui.wait("You carry no parts; collect them at the outlet first.")  # nothing left in his bag: said in words
    ui.shot("22-record-part-empty-bag-en.png")
    ui.click("Cancel")
    sync_now(ui, "Sync", "Sync now")
    assert wait_until(lambda: cluster.hub_query(
        "SELECT holder, qty FROM stock_moves WHERE part_id = 'P-2002' AND kind = 'consume'") == [("u-li", -1)])
    ui.click("中文")
    ui.wait("退出登录")
