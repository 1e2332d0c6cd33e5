"""HQ on a 1366×768 laptop (issue #15 item 11): the administrator's rail has more screens
than the window is tall, and scrolls — 设备管理 and 知识库管理, its last entries, are
reached — and an English count of one reads in the singular ("1 article")."""
from tests.hub_ui.conftest import HqUi


def test_the_admin_reaches_the_last_rail_entries_at_1366x768_and_counts_read_right(browser, hq):
    ui = HqUi(browser, hq.ui_url, viewport=(1366, 768))
    try:
        ui.login("admin")
        ui.wait("欢迎")
        ui.click("设备管理", exact=False)
        ui.wait("注册新设备")
        ui.click("知识库管理", exact=False)
        ui.wait("新建文章")
        ui.wait("共30篇")
        ui.shot("hub/small-screen-kb.png")
        ui.click("English")
        ui.wait("30 articles")
        ui.fill("Search title, text, tags, fault codes, models", "JSQ25系列出水忽冷忽热用户自助处理")
        ui.page.keyboard.press("Enter")
        ui.wait("1 article", exact=True)
        ui.click("Devices", exact=False)  # the rail in English, as long
        ui.click("Knowledge base", exact=False)
        ui.wait("New article")
    finally:
        ui.page.close()
