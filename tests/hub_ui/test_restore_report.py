"""HQ's admin, in the browser, after the hub was restored from last night's backup: the
devices screen says how many of HQ's changes the outlets gave back and what a restore
cannot bring back. A real hub process, stopped, restored and started again; a real node.
Screenshot: screenshots/hub/5e-restore-report.png."""
import pytest

from fieldsync.testing.processes import NodeDir
from tests.hub_ui.conftest import HqUi, demo_hub
from tests.procs.test_hub_restore_processes import dispatch, hub_backup, hub_restore


@pytest.fixture
def restored(tmp_path):
    yield from demo_hub(tmp_path / "hq")


def test_admin_reads_what_the_outlets_gave_back_after_a_restore(browser, restored, tmp_path):
    hq = restored
    store = hq.store()
    try:
        hq.outlets["BJ02"] = store.rows("outlets", "code = ?", ("BJ02",))[0]["id"]
    finally:
        store.close()
    node = NodeDir(tmp_path, "bj02-pc")
    node.enroll(hq.code("BJ02"))
    hub_backup(hq, tmp_path / "nightly.db")
    dispatch(hq, "BJ02", 2)
    node.sync()
    hub_restore(hq, tmp_path / "nightly.db")
    node.sync()

    ui = HqUi(browser, hq.ui_url)
    try:
        ui.login("admin")
        ui.wait("欢迎")
        ui.click("设备管理", exact=False)
        ui.wait("已注册设备")
        ui.wait("总部从备份恢复：网点交回的数据")
        ui.wait("网点 BJ02", exact=False)
        ui.wait("从网点找回 1 个总部变更", exact=False)
        ui.wait("hq_ 开头的表", exact=False)
        ui.shot("hub/5e-restore-report.png")
    finally:
        ui.page.close()
