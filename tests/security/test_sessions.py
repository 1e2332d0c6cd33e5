"""Sessions end (issue #17 item 7, shared/session_life.py), in the outlet app and at HQ:

- the session id is rotated at login: Flet's own client (a real browser) takes up the new
  id and keeps its login over a reload, while the id from before the login, presented
  again, reaches only a login screen;
- after the idle time (`--idle-minutes`, here 0.2: 12 s) the person is logged out and the
  login card says why, in Chinese and in English; activity keeps the login;
- a disconnected session presented again after the idle time is not logged in (Flet kept
  it, logged in, an hour).

Real processes (`fieldsync hub serve` with HQ's UI, `fieldsync node serve`), Debian's
chromium, and the attacker's websocket client of tests/security/flet_wire.py."""
import time

import pytest

from tests.security.conftest import PASSWORD, TECHNICIAN, serving_both
from tests.security.flet_wire import PATCH_CONTROL, REGISTER_CLIENT, Wire
from tests.ui.browser import Ui

IDLE_MINUTES = "0.2"
IDLE_S = 12
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) wire-test"


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory):
    """HQ and an outlet node, both logging their users out after 12 s without activity."""
    for hub, node in serving_both(tmp_path_factory.mktemp("idle"), ("--idle-minutes", IDLE_MINUTES)):
        yield {"hq": hub.url + "/hq/", "node": node.url}


def url_of(app: str, request) -> str:
    return request.getfixturevalue("served_node").url if app == "node" else \
        request.getfixturevalue("served_hq").url + "/hq/"


def user_of(app: str) -> str:
    return TECHNICIAN if app == "node" else "admin"


def log_in(wire: Wire, username: str) -> str:
    """Log in over the wire; the new session id the server then gives the client."""
    wire.settle(2)
    received = len(wire.messages)
    wire.set(wire.find("TextField", label="用户名"), value=username)
    wire.set(wire.find("TextField", label="密码"), value=PASSWORD)
    wire.event(wire.find("FilledButton", content="登录"), "click")
    wire.wait_for(lambda a, b: a == PATCH_CONTROL and "NavigationRail" in str(b), since=received)
    return wire.wait_for(lambda a, b: a == REGISTER_CLIENT, since=received)[1]["session_id"]


def comes_back(url: str, session_id: str) -> tuple[str, bool, bool]:
    """Present `session_id` as a reconnecting client: (the id given, logged in?, login card shown?)."""
    wire = Wire(url, session_id=session_id, user_agent=BROWSER_UA)
    try:
        wire.settle(2)
        kinds = {c["_c"] for c in wire.controls()}
        return wire.session_id, "NavigationRail" in kinds, bool(
            [c for c in wire.controls() if c["_c"] == "TextField" and c.get("label") == "用户名"])
    finally:
        wire.close()


@pytest.mark.parametrize("app", ["node", "hq"])
def test_the_id_from_before_the_login_reaches_no_logged_in_session(app, request):
    url = url_of(app, request)
    wire = Wire(url, user_agent=BROWSER_UA)
    before = wire.session_id
    try:
        after = log_in(wire, user_of(app))
    finally:
        wire.close()
    assert after != before
    time.sleep(1)  # the server files the dropped connection's session away
    given, logged_in, login_card = comes_back(url, before)
    assert given != before and not logged_in and login_card  # a new session at the login card
    given, logged_in, _ = comes_back(url, after)
    assert given == after and logged_in  # the rotated id is the client's way back (a Wi-Fi blip)


@pytest.mark.parametrize("app", ["node", "hq"])
def test_a_disconnected_session_is_not_logged_in_after_the_idle_time(app, short_lived):
    wire = Wire(short_lived[app], user_agent=BROWSER_UA)
    try:
        after = log_in(wire, user_of(app))
    finally:
        wire.close()
    time.sleep(IDLE_S + 3)
    _, logged_in, login_card = comes_back(short_lived[app], after)
    assert not logged_in and login_card


def test_activity_keeps_the_login_and_idleness_ends_it(short_lived):
    """A person typing keeps the login past the idle time; once they stop, the login card
    says why they are there."""
    wire = Wire(short_lived["node"], user_agent=BROWSER_UA)
    try:
        log_in(wire, TECHNICIAN)
        search = wire.find("TextField", label="搜索：工单号 / 电话尾号 / 姓名")
        started = len(wire.messages)
        for i in range(10):  # 20 s of typing, the idle time is 12 s
            wire.set(search, value=str(i))
            wire.settle(2)
        assert not [m for m in wire.messages[started:] if "已超过" in str(m[1])]  # still logged in
        wire.wait_for(lambda a, b: "已超过 0.2 分钟无操作" in str(b), timeout=IDLE_S + 20, since=started)
    finally:
        wire.close()


@pytest.fixture
def page_of(browser):
    opened = []

    def open_(url):
        ui = Ui(browser, url)
        opened.append(ui)
        return ui
    yield open_
    for ui in opened:
        ui.page.close()


def login(ui: Ui, username: str, en: bool = False) -> None:
    ui.wait("Log in" if en else "登录")
    ui.fill("Username" if en else "用户名", username)
    ui.fill("Password" if en else "密码", PASSWORD)
    ui.click("Log in" if en else "登录")


def stored_id(ui: Ui) -> str:
    return ui.page.evaluate("() => sessionStorage.getItem('_flet_session_id')")


def test_the_browser_takes_up_the_new_id_and_keeps_its_login_over_a_reload(served_node, page_of):
    ui = page_of(served_node.url)
    ui.wait("登录")
    before = stored_id(ui)
    login(ui, TECHNICIAN)
    ui.wait("退出登录")
    ui.page.wait_for_function(f"() => sessionStorage.getItem('_flet_session_id') !== {before!r}")
    ui.page.reload()
    ui.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    ui.page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    ui.wait("退出登录")  # still logged in: the client presented the new id
    assert ui.page.get_by_label("密码", exact=True).count() == 0


def test_idle_outlet_user_sees_why_on_the_login_card_in_chinese(short_lived, page_of):
    ui = page_of(short_lived["node"])
    login(ui, TECHNICIAN)
    ui.wait("退出登录")
    ui.wait("已超过 0.2 分钟无操作，为保护客户信息已自动退出登录，请重新登录。", timeout=(IDLE_S + 30) * 1000)
    ui.page.get_by_label("用户名", exact=True).first.wait_for()  # the login card, ready for the next person
    ui.button("退出登录").first.wait_for(state="hidden")  # the app bar went with the login
    ui.shot("security/idle-logout-node.png")


def test_idle_hq_user_sees_why_on_the_login_card_in_english(short_lived, page_of):
    ui = page_of(short_lived["hq"])
    ui.wait("登录")
    ui.click("English")
    login(ui, "admin", en=True)
    ui.wait("Log out")
    ui.wait("You were logged out after 0.2 min without activity", timeout=(IDLE_S + 30) * 1000)
    ui.page.get_by_label("Username", exact=True).first.wait_for()
    ui.shot("security/idle-logout-hq.png")


@pytest.mark.parametrize("command", [("hub", "serve"), ("node", "serve"), ("device",)])
def test_an_idle_time_that_is_no_time_is_refused_in_words(command, tmp_path):
    from fieldsync.testing.processes import run
    for bad in ("0", "-5", "abc", "2000"):
        p = run(*command, "--dir", tmp_path / "d", "--idle-minutes", bad, check=False, timeout=60)
        assert p.returncode == 2 and "空闲时间须为大于 0" in p.stderr and "idle minutes must be above 0" in p.stderr
