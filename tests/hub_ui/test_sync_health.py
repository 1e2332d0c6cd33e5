"""HQ's network sync screen (网点同步状态) in the browser, on a real hub process over the
small demo network with an outlet PC that synced a minute ago and a technician's tablet
silent for two days with 3 changes unsent: the hub's silence job raises its notice as the
hub starts; the admin sees the tablet first, flagged, with its technician and the notice;
the region filter narrows; the export downloads a CSV with the tablet first.
Screenshots: screenshots/hub/6x-*.png."""
import csv
import io

import pytest

from hub.services import HubServices
from hub.services.sync_health import NOTICE_KIND
from sync import hub_handlers
from sync.hlc import now_ms
from sync.keys import SigningKey
from tests.hub_ui.conftest import HqUi, demo_hub
from tests.hub_ui.test_admin import hub_rows

DAY = 24 * 3600 * 1000


def two_nodes(store) -> None:
    """The outlet SH01's front-desk PC (heard from a minute ago, clock 2 minutes slow) and a
    technician's tablet last heard from two days ago, enrolled through the real handlers."""
    services = HubServices(store)
    sh01 = services.ctx.one("SELECT id FROM outlets WHERE code = 'SH01'")["id"]
    tech = services.ctx.one("SELECT id FROM users WHERE outlet_id = ? AND role = 'technician' ORDER BY username",
                            (sh01,))["id"]
    made = {}
    for name, technician in (("SH01 前台电脑", None), ("王师傅的平板", tech)):
        token = store.create_enroll_token(sh01, technician_id=technician)
        made[name] = hub_handlers.enroll(store, {"token": token, "public_key": SigningKey.generate().public_b64,
                                                 "name": name, "app_version": "0.2.0", "schema": 1})["node_id"]
    hub_handlers.hello(store, made["SH01 前台电脑"], "0.2.0", 1, pending=0, node_time=now_ms() - 120_000)
    hub_handlers.hello(store, made["王师傅的平板"], "0.1.0", 1, pending=3, node_time=now_ms())
    with store.tx() as c:  # test setup: the tablet has not been heard from since, two days ago
        c.execute("UPDATE nodes SET last_seen_at = ? WHERE node_id = ?", (now_ms() - 2 * DAY, made["王师傅的平板"]))


@pytest.fixture(scope="module")
def hq(tmp_path_factory):
    yield from demo_hub(tmp_path_factory.mktemp("hq-sync"), prepare=two_nodes)


@pytest.fixture
def ui(browser, hq):
    u = HqUi(browser, hq.ui_url)
    yield u
    u.page.close()


def test_admin_sees_the_silent_tablet_first_with_its_notice_and_exports(ui, hq):
    ui.login("admin")
    ui.wait("欢迎")
    ui.click("网点同步状态", exact=False)  # a rail destination
    ui.wait("王师傅的平板")
    ui.wait("超时未同步")
    ui.wait("1 台超过24小时未同步", exact=False)
    ui.wait("未同步提醒（近7天）")
    ui.wait("设备“王师傅的平板”已2天", exact=False)  # the notice the silence job raised
    ui.page.wait_for_timeout(1500)  # the table paints after its semantics are there
    ui.shot("hub/60-sync-health.png")
    notices = hub_rows(hq, "SELECT outlet_id, message FROM notices WHERE kind = ?", (NOTICE_KIND,))
    sh01 = hub_rows(hq, "SELECT id FROM outlets WHERE code = 'SH01'")[0][0]
    assert len(notices) == 1 and notices[0][0] == sh01  # the outlet's bucket: its manager reads it there

    with ui.page.expect_download(timeout=60_000) as dl:
        ui.click("导出CSV")
    download = dl.value
    assert download.suggested_filename == "sync-health-all.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), "rb").read().decode("utf-8-sig"))))
    assert rows[0][0] == "设备" and [r[0] for r in rows[1:]] == ["王师傅的平板", "SH01 前台电脑"]
    assert rows[1][7] == "1" and rows[1][8] == "3"  # silent, 3 changes unsent

    boxes = [b for b in ui.page.locator('flt-semantics[role="button"]').all() if not b.inner_text().strip()]
    boxes[0].click()  # the region filter
    ui.click("华北大区")
    ui.wait("0 台设备", exact=False)
    ui.gone("王师傅的平板")
    ui.shot("hub/61-sync-health-other-region.png")
