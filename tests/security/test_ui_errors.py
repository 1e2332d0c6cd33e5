"""No traceback reaches a browser (issue #17 item 6, shared/ui/session_guard.py): a crafted
rail event (an index out of range) sent over Flet's websocket by hand makes the handler fail;
the person sees a message in their language, the session goes on, and nothing the browser
receives names a Python file, a server path or a traceback — in the outlet app and at HQ."""
import pytest

from tests.security.conftest import PASSWORD, TECHNICIAN
from tests.security.flet_wire import PATCH_CONTROL, SESSION_CRASHED, Wire

LEAKS = ("Traceback", "site-packages", ".py\"", "line ", "IndexError", "list index out of range")


def logged_in(url: str, username: str, login_words: str = "登录") -> Wire:
    wire = Wire(url)
    wire.settle(2)
    wire.set(wire.find("TextField", label="用户名"), value=username)
    wire.set(wire.find("TextField", label="密码"), value=PASSWORD)
    wire.event(wire.find("FilledButton", content=login_words), "click")
    wire.wait_for(lambda a, b: a == PATCH_CONTROL and "NavigationRail" in str(b))
    return wire


@pytest.mark.parametrize("app", ["node", "hq"])
def test_a_crafted_rail_event_shows_words_not_a_traceback(app, request):
    if app == "node":
        url, user, words = request.getfixturevalue("served_node").url, TECHNICIAN, "出现意外错误"
    else:
        url, user, words = request.getfixturevalue("served_hq").url + "/hq/", "admin", "出现意外错误"
    wire = logged_in(url, user)
    try:
        rail = wire.find("NavigationRail")
        wire.event(rail, "change", "99")
        wire.wait_for(lambda a, b: a == PATCH_CONTROL and words in str(b))
        wire.settle(1)
        assert not [m for m in wire.messages if m[0] == SESSION_CRASHED]
        leaked = [w for w in LEAKS if w in wire.text()]
        assert leaked == [], leaked
        received = len(wire.messages)
        wire.event(rail, "change", "1")  # the session goes on: a real rail click shows its screen
        wire.wait_for(lambda a, b: a == PATCH_CONTROL, since=received)
    finally:
        wire.close()
