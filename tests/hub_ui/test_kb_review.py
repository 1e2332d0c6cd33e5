"""Knowledge-base review in the browser (issue #15 item 9): one administrator writes an article
and submits it; it is not published (nor replicated) until another administrator — in
English here — sends it back with a reason, which the author reads, and then approves the
corrected text, which publishes it. The author cannot approve their own article. The
store has each step."""
import sqlite3

import pytest

from fieldsync.demo.data import DEMO_PASSWORD
from shared.passwords import hash_password
from tests.hub_ui.conftest import HqUi, demo_hub

REVIEWER = "li.review"
TITLE = "量子除霜期间不出热风"


def second_admin(store) -> None:
    store.write([{"op": "put", "table": "users", "id": "admin-2", "fields": {
        "username": REVIEWER, "display_name": "李审核", "role": "admin", "active": True,
        "password_hash": hash_password(DEMO_PASSWORD)}}])


@pytest.fixture(scope="module")
def hq2(tmp_path_factory):
    yield from demo_hub(tmp_path_factory.mktemp("hq-review"), second_admin)


def rows(hq, sql: str, params=()):
    conn = sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def open_kb(ui: HqUi, user: str, en: bool = False) -> None:
    if en:
        ui.wait("登录")
        ui.click("English")
        ui.wait("Log in")
        ui.fill("Username", user)
        ui.fill("Password", DEMO_PASSWORD)
        ui.click("Log in")
        ui.click("Knowledge base", exact=False)
        ui.wait("New article")
    else:
        ui.login(user)
        ui.click("知识库管理", exact=False)
        ui.wait("新建文章")


def test_an_article_is_published_after_another_admin_reviews_it(browser, hq2):
    author = HqUi(browser, hq2.ui_url)
    try:
        open_kb(author, "admin")
        author.click("新建文章")
        author.fill("标题", TITLE)
        author.fill("分类（点选已有分类或输入新分类）", "AC")
        author.fill("正文", "量子除霜时室内机暂停送风。")
        author.page.get_by_role("checkbox", name="坐席").click()
        author.click("提交审核")
        author.wait("草稿与待审核")
        author.wait("待审核")
        assert rows(hq2, "SELECT COUNT(*) FROM kb_articles WHERE title = ?", (TITLE,)) == [(0,)]
        assert rows(hq2, "SELECT status FROM hq_kb_drafts") == [("in_review",)]
        author.text(TITLE).first.click()
        author.wait("已提交审核，等待另一位管理员审核。")  # no approve button for the author
        assert author.button("审核通过并发布").count() == 0
        author.shot("hub/kb-review-1-submitted.png")
    finally:
        author.page.close()

    reviewer = HqUi(browser, hq2.ui_url)
    try:
        open_kb(reviewer, REVIEWER, en=True)
        reviewer.wait("Drafts and reviews")
        reviewer.text(TITLE).first.click()
        reviewer.wait("In review")
        reviewer.click("Send back")
        reviewer.wait("Please fill in reason for sending it back.")  # no reason: refused in words
        reviewer.fill("Reason for sending it back", "请写明恢复送风要多久")
        reviewer.click("Send back")
        reviewer.wait("Sent back: 请写明恢复送风要多久")
        reviewer.shot("hub/kb-review-2-sent-back-en.png")
    finally:
        reviewer.page.close()
    assert rows(hq2, "SELECT status, reason FROM hq_kb_drafts") == [("draft", "请写明恢复送风要多久")]

    author = HqUi(browser, hq2.ui_url)
    try:
        open_kb(author, "admin")
        author.wait("退回原因：请写明恢复送风要多久")
        author.text(TITLE).first.click()
        author.fill("正文", "量子除霜时室内机暂停送风，5到10分钟后恢复。")
        author.click("提交审核")
        author.wait("待审核")
    finally:
        author.page.close()

    reviewer = HqUi(browser, hq2.ui_url)
    try:
        open_kb(reviewer, REVIEWER, en=True)
        reviewer.text(TITLE).first.click()
        reviewer.click("Approve and publish")
        reviewer.wait("Drafts and reviews")
        reviewer.fill("Search title, text, tags, fault codes, models", TITLE)
        reviewer.page.keyboard.press("Enter")
        reviewer.wait("1 article", exact=True)
        reviewer.wait("Published")
        reviewer.shot("hub/kb-review-3-published-en.png")
    finally:
        reviewer.page.close()
    published = rows(hq2, "SELECT body, active FROM kb_articles WHERE title = ?", (TITLE,))
    assert published == [("量子除霜时室内机暂停送风，5到10分钟后恢复。", 1)]
    assert rows(hq2, "SELECT COUNT(*) FROM hq_kb_drafts") == [(0,)]
