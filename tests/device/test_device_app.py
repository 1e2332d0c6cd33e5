"""The technician's device app as a person meets it, with real processes: a hub (`fieldsync
hub serve`), the outlet's PC (enrolled; its manager issues device codes through the outlet
node's devices service) and `fieldsync device --dir D --web`, driven in Debian's chromium.
A used code and the code of a technician who left are refused in words (zh and en) with
nothing written; the right code enrolls the device, only its technician logs in; the
manager's device list shows it with its last sync and pending changes; retired, its next
sync says so in words. Screenshots land in screenshots/device/.

The technician's login (and so the retired device's sync panel) needs the technician's own
user row on the device, which HQ relays into `tech:<technician>` once the device scope
(branch `scope`: users.technician = "id") is in."""

import pytest

from fieldsync.testing.processes import HubProcess, NodeDir
from fieldsync.testing.waiting import wait_until
from node.runtime import open_node
from node.services import NodeServices
from tests.ui.browser import SHOTS, Ui
from tests.ui.cluster import NodeServer
from tests.ui.seed import PASSWORDS, seed


class Outlet:
    """The outlet's PC, enrolled, its services used in-process as its manager's screens do."""

    def __init__(self, root, hub: HubProcess):
        self.node = NodeDir(root, "outlet-pc")
        self.node.enroll(hub.code("SH01"))
        _, self.store, _, self.transport = open_node(self.node.home)
        self.services = NodeServices(self.store, hub=lambda: self.transport)
        self.manager = self.services.login("chen", PASSWORDS["chen"])

    def code(self, technician_id: str) -> str:
        return self.services.devices.issue_code(self.manager, technician_id).code

    def close(self) -> None:
        self.transport.close()
        self.store.close()


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    root = tmp_path_factory.mktemp("device")
    hub = HubProcess(root)
    outlet_id = hub.add_outlet("SH01", "上海徐汇网点")
    store = hub.store()
    try:
        seed(store, outlet_id)
    finally:
        store.close()
    hub.start()
    outlet = device = None
    try:
        outlet = Outlet(root, hub)
        device = NodeDir(root, "zhang-tablet")
        server = NodeServer(device, interval=3, command=("device", "--web"))
        yield hub, outlet, device, server
        server.stop()
    finally:
        if outlet is not None:
            outlet.close()
        hub.kill()


@pytest.fixture(scope="module")
def ui(net, browser):
    return Ui(browser, net[3].url, shots=SHOTS / "device")


def enroll(ui: Ui, code: str, lang: str = "zh") -> None:
    ui.fill("设备注册码" if lang == "zh" else "Device code", code)
    ui.fill("设备名称" if lang == "zh" else "Device name", "张师傅的平板")
    ui.click("注册" if lang == "zh" else "Enroll")


def test_a_used_code_is_refused_in_words_and_nothing_is_written(net, ui):
    hub, outlet, device, _ = net
    ui.wait("注册本设备")
    ui.shot("01-enroll.png")
    used = outlet.code("u-zhang")
    NodeDir(device.home.dir.parent, "spent-on-another").enroll(used)
    enroll(ui, used)
    ui.wait("注册码无效、已使用或已过期，请向网点经理索取新的注册码。")
    ui.shot("02-used-code.png")
    enroll(ui, "not a code")
    ui.wait("这不是有效的注册码")
    assert not device.home.enrolled() and not [p for p in device.home.dir.parent.iterdir()
                                              if p.name.startswith(".zhang-tablet.enrolling")]


def test_the_code_of_a_technician_who_left_is_refused_in_english_too(net, ui):
    hub, outlet, device, _ = net
    code = outlet.code("u-li")
    store = hub.store()
    try:
        store.write([{"op": "put", "table": "users", "id": "u-li", "fields": {"active": False}}])
    finally:
        store.close()
    enroll(ui, code)
    ui.wait("该注册码所属的维修师傅已不在本网点任职")
    ui.click("English")
    ui.wait("Enroll this device")
    enroll(ui, code, "en")
    ui.wait("The technician this code was issued for no longer works at the outlet")
    ui.shot("03-technician-left-en.png")
    ui.click("中文")
    ui.wait("注册本设备")
    assert not device.home.enrolled()
    store = hub.store()
    try:  # the code stayed unused
        assert store.conn.execute("SELECT COUNT(*) FROM enroll_tokens WHERE technician_id = 'u-li'"
                                  " AND used_at IS NULL").fetchone()[0] == 1
    finally:
        store.close()


def test_the_right_code_enrolls_and_only_its_technician_logs_in(net, ui):
    hub, outlet, device, _ = net
    enroll(ui, outlet.code("u-zhang"))
    ui.wait("请使用总部分配的账号登录。", timeout=60_000)
    assert device.home.enrolled()
    ui.fill("用户名", "liu")
    ui.fill("密码", PASSWORDS["liu"])
    ui.click("登录")
    ui.wait("只有本人可以登录")
    ui.fill("用户名", "zhang")
    ui.fill("密码", PASSWORDS["zhang"])
    ui.click("登录")
    ui.wait("退出登录")
    ui.wait("张师傅（维修师傅）")
    ui.shot("04-home.png")


def test_the_manager_sees_the_device_with_its_last_sync_and_pending(net):
    hub, outlet, device, _ = net
    node_id = device.home.settings()["node_id"]

    def listed():
        found = [d for d in outlet.services.devices.devices(outlet.manager).devices if d.node_id == node_id]
        return found[0] if found and found[0].last_seen_at and found[0].pending is not None else None
    assert wait_until(listed, timeout=30)
    d = listed()
    assert (d.technician_id, d.active, d.pending, d.app_version) == ("u-zhang", True, 0, "0.2.0")
    assert d.technician_name == "张师傅"


def test_retired_its_next_sync_says_so_in_words(net, ui):
    hub, outlet, device, server = net
    node_id = device.home.settings()["node_id"]
    outlet.services.devices.retire(outlet.manager, node_id)
    assert not [d for d in outlet.services.devices.devices(outlet.manager).devices if d.node_id == node_id][0].active
    ui.click("同步", exact=False)
    ui.click("立即同步")
    ui.wait("本设备已被停用（网点经理或总部），不能再同步。")
    ui.shot("05-retired.png")
    assert wait_until(lambda: any("本设备已被停用" in line for line in server.lines))


def test_the_managers_devices_screen(net, browser):
    """The outlet app's 设备 screen in the browser: a code with its QR and text, and the
    outlet's devices with the retired one marked; other roles do not see the screen."""
    hub, outlet, device, _ = net
    pc = NodeServer(outlet.node, interval=600)
    try:
        screen = Ui(browser, pc.url, shots=SHOTS / "device")
        screen.wait("登录")
        screen.fill("用户名", "chen")
        screen.fill("密码", PASSWORDS["chen"])
        screen.click("登录")
        screen.wait("退出登录")
        screen.click("设备", exact=False)
        screen.wait("本网点的设备")
        screen.wait("张师傅的平板")
        screen.wait("已停用")
        screen.fill("维修师傅", "张")  # the picker filters as one types
        screen.click("张师傅", exact=False)
        screen.click("发放注册码")
        screen.wait("张师傅的设备注册码")
        screen.page.get_by_role("img", name="QR").first.wait_for()
        screen.shot("06-manager-devices.png")
        screen.click("停用")  # the one active device's row
        screen.wait("停用张师傅的设备“spent-on-another”？")
        screen.button("停用").last.click()  # the confirmation's
        screen.wait("设备已停用")
        assert wait_until(lambda: not any(d.active for d in outlet.services.devices.devices(outlet.manager).devices))
        screen.click("退出登录")
        screen.wait("登录")
        screen.fill("用户名", "liu")
        screen.fill("密码", PASSWORDS["liu"])
        screen.click("登录")
        screen.wait("退出登录")
        assert screen.button("设备", exact=False).count() == 0
        screen.page.close()
    finally:
        pc.stop()
