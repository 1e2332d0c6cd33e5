"""The outlet clerk, in the browser, after HQ restored its hub from a backup older than what
the outlet kept: the order HQ lost disappears from the outlet's list, and the sync panel
names it and says why, so nobody drives to a customer for an order HQ no longer has.
Real processes: the hub is stopped, its file put back and started; the node serves its UI.
Screenshot: screenshots/node/12-lost-after-restore.png."""
import pytest

from fieldsync.testing.world import uid
from tests.procs.test_hub_restore_processes import hub_backup, hub_restore
from tests.ui.browser import SHOTS, Ui
from tests.ui.cluster import UiCluster
from tests.ui.test_node_ui import go, login


@pytest.fixture
def outlet(tmp_path):
    c = UiCluster(tmp_path / "net")
    yield c
    c.stop()


def test_an_order_hq_lost_leaves_the_outlet_with_the_reason_in_words(outlet, browser, tmp_path):
    ui = Ui(browser, outlet.url, shots=SHOTS / "node")
    try:
        login(ui, "liu")
        hub_backup(outlet.hub, tmp_path / "nightly.db")
        outlet.hub_write([{"op": "put", "table": "service_orders", "id": uid(), "fields": {
            "number": "HQ-7777", "outlet_id": outlet.outlet_id, "type": "repair", "status": "new",
            "priority": "normal", "fault_description": "洗衣机不排水"}}])
        go(ui, "同步")
        ui.click("立即同步")
        go(ui, "工单")
        ui.wait("HQ-7777")
        # Older than anything the outlet kept (30 days): nothing to hand back.
        store = outlet.node.store()
        try:
            with store.tx() as c:
                c.execute("DELETE FROM _pulled")
        finally:
            store.close()
        hub_restore(outlet.hub, tmp_path / "nightly.db")
        go(ui, "同步")
        ui.click("立即同步")
        ui.wait("总部恢复备份后已撤下的记录")
        ui.wait("HQ-7777")
        ui.wait("总部服务器从备份恢复，这条记录已丢失", exact=False)
        ui.shot("12-lost-after-restore.png")
        store = outlet.node.store()
        try:
            assert store.conn.execute("SELECT 1 FROM service_orders WHERE number = 'HQ-7777'").fetchone() is None
        finally:
            store.close()
    finally:
        ui.page.close()
