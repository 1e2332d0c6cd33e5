"""HQ's warnings in the outlet's app (issue #16, item 4), in a real browser against real
processes (tests/ui/cluster.py): HQ's escalation job finds the urgent order HQ-1003 past its
time to accept and warns the outlet; "立即同步" brings the warning; the manager's bell
shows one unread notice, the list says what and which order in words, and tapping it opens
the order and reads it. In English on a phone, the clerk — who has not read it yet — does
the same, every button a 48 px touch target. Screenshots land in screenshots/node/."""
import pytest

from hub.services import HubServices
from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_hand import login as hand_login, no_text_is_clipped, touch_targets_are_big_enough
from tests.ui.test_node_ui import go, login, logout


@pytest.fixture(scope="module")
def warned(cluster):
    """HQ's escalation job runs (as the hub's scheduler would within a minute): HQ-1003,
    urgent and two hours old, is past its 30 minutes to accept."""
    store = cluster.hub.store()
    try:
        HubServices(store).monitor.escalate()
    finally:
        store.close()
    assert cluster.hub_query("SELECT COUNT(*) FROM notices WHERE kind = 'sla_warning'") == [(1,)]
    return "HQ-1003"


def bell(ui: Ui, name: str):
    return ui.page.get_by_role("button", name=name, exact=True)


def test_the_manager_sees_hqs_warning_after_a_sync_and_opens_its_order(cluster, browser, warned):
    ui = Ui(browser, cluster.url, shots=SHOTS / "node")
    try:
        login(ui, "chen")
        bell(ui, "通知").first.wait_for()  # nothing unread before the round
        go(ui, "同步")
        ui.click("立即同步")
        ui.wait("同步完成")
        bell(ui, "通知：1条未读").first.click()  # the badge counts the warning
        ui.wait("总部通知")
        ui.wait("时效预警")
        ui.wait("未读")
        ui.wait(f"SLA预警：工单{warned}「接单」已超时")
        ui.shot("40-notices.png")
        ui.text(f"{warned}「").first.click()  # the card, by its message
        ui.wait("空调外机异响，客户投诉")  # the order's own screen
        bell(ui, "通知").first.wait_for()  # read now: no badge
        ui.click("返回")
        ui.wait("时效预警")
        ui.gone("未读")
        logout(ui)
    finally:
        ui.page.close()


def test_the_clerk_reads_it_in_english_on_a_phone(cluster, browser, warned):
    ui = Ui(browser, cluster.url, shots=SHOTS / "node", viewport=(390, 844))
    try:
        hand_login(ui, "liu")
        ui.click("English")
        bell(ui, "Notices: 1 unread").first.click()  # the manager's reading is not the clerk's
        ui.wait("Notices from HQ")
        ui.wait(f"SLA warning: order {warned} (Accept) is")
        ui.wait("Unread")
        touch_targets_are_big_enough(ui)
        no_text_is_clipped(ui)
        ui.shot("41-notices-phone-en.png")
        ui.text(f"order {warned} (Accept)").first.click()  # the card, by its message
        ui.wait("Back")
        bell(ui, "Notices").first.wait_for()
        touch_targets_are_big_enough(ui)
    finally:
        ui.page.close()
