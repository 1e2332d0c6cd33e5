"""Browser tests of HQ's web UI: a real `fieldsync hub serve` process (HTTPS, UI under /hq,
scheduled jobs on) over the small demo network, driven in Debian's chromium. HQ users:
hq.agent, hq.approver, admin, all with the demo password."""
import pytest

from fieldsync.demo.data import DEMO_PASSWORD, SMALL, generate
from shared.passwords import hash_password
from fieldsync.testing.processes import HubProcess
from tests.ui.browser import Ui


class HqUi(Ui):
    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.wait("登录")
        self.fill("用户名", username)
        self.fill("密码", password)
        self.click("登录")


def demo_hub(root, prepare=None):
    """A started hub process over the small demo network (admin's password set too);
    `prepare(store)` adds a test's own rows before the process starts. Yields it."""
    h = HubProcess(root)
    store = h.store()
    try:
        generate(store, seed=6, sizes=SMALL)
        store.write([{"op": "put", "table": "users", "id": "admin", "fields": {
            "password_hash": hash_password(DEMO_PASSWORD)}}])
        if prepare is not None:
            prepare(store)
    finally:
        store.close()
    h.start()
    h.ui_url = f"{h.url}/hq/"
    yield h
    h.kill()


@pytest.fixture(scope="module")
def hq(tmp_path_factory):
    """The hub process with demo data; `hq.ui_url` is the UI's address."""
    yield from demo_hub(tmp_path_factory.mktemp("hq"))


@pytest.fixture
def ui(browser, hq):
    u = HqUi(browser, hq.ui_url)
    yield u
    u.page.close()
