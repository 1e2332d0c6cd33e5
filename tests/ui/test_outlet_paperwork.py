"""The clerk's paperwork in a real browser against real processes (tests/ui/cluster.py, the
outlet of seed.py): a parts request built line by line — a part scanned by its SKU, another
found by a word of its name and removed again, a quantity refused in words — and, being
large, confirmed with its total before it reaches HQ; in English, a small one submitted
at once. Screenshots land in screenshots/node/ (git-ignored)."""
import pytest

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
