"""The whole loop of issue #5 in Debian's chromium against real processes: a hub
(`fieldsync hub serve`, HTTPS, HQ UI under /hq, the small demo network) and the SH01
outlet node serving its UI (`fieldsync node serve`).

The HQ agent takes a call from a Shanghai customer and confirms the suggested outlet
(SH01); the node syncs; the hub goes down; the technician accepts, schedules, sets out,
arrives, fits a part and completes the order with the customer's signature, offline; the
hub comes back and the node syncs; the agent opens the callback queue (which runs the
callback job's work; the hub process is configured with a zero delay and every order
sampled — FIELDSYNC_CALLBACK_DELAY_MIN / _SAMPLE_PCT, not a faked clock) and calls the
customer back in the HQ UI; the
clerk builds and submits the month's settlement on the node and syncs; the approver
approves it in the HQ UI; the node syncs and its settlement screen shows the approval.
Screenshots: screenshots/e2e/NN-*.png."""
import os
import signal
import sqlite3
import subprocess
from datetime import timedelta

import pytest

from fieldsync.demo.data import DEMO_PASSWORD, SMALL, generate
from hub.services import HubServices
from hub.wait import wait_until_serving
from shared import callbacks as cb
from shared.passwords import hash_password
from shared.periods import local_date, period_of
from sync.hlc import now_ms
from fieldsync.testing.processes import HubProcess, NodeDir
from fieldsync.testing.waiting import wait_until
from tests.ui.browser import SHOTS, Ui
from tests.ui.cluster import NodeServer

FAULT = "开机几分钟后自动停机，面板显示E1"
RESOLUTION = "更换故障配件，试机运行正常"
APPROVAL = "核对无误，同意结算"


# The hub's callback configuration: a task is due as soon as the order is completed, and
# every completed order is called back.
CALLBACKS_NOW = {"FIELDSYNC_CALLBACK_DELAY_MIN": "0", "FIELDSYNC_CALLBACK_SAMPLE_PCT": "100"}


class Hub(HubProcess):
    """The hub process, configured for callbacks now, with its output in a log file (a
    pipe nobody reads fills up)."""

    log = None

    def start(self) -> None:
        if self.log:
            self.log.close()
        self.log = open(self.home.dir / "serve.log", "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **CALLBACKS_NOW})
        wait_until_serving(self.url, self.proc, timeout=60, step=0.2)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it has not exited after a while (a loaded machine)."""
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The hub with the demo network, the customer the agent will talk to (one whose
    suggested outlet is SH01, so the agent confirms), and SH01's node serving its UI."""
    root = tmp_path_factory.mktemp("e2e")
    hub = Hub(root)
    store = hub.store()
    try:
        generate(store, seed=6, sizes=SMALL)
        store.write([{"op": "put", "table": "users", "id": "admin", "fields": {
            "password_hash": hash_password(DEMO_PASSWORD)}}])
        # HQ already called back the network's earlier work: the callback queue is this test's.
        done = store.conn.execute("SELECT id FROM service_orders WHERE status = 'completed'").fetchall()
        store.write([{"op": "put", "table": "service_orders", "id": r[0], "fields": {
            "status": "closed", "closed_at": now_ms(), "closed_reason": cb.NOT_SAMPLED_REASON}} for r in done])
        caller = shanghai_caller_for_sh01(HubServices(store))
    finally:
        store.close()
    hub.start()
    node = NodeDir(root, "sh01-a")
    node.enroll(hub.code("SH01"))
    server = NodeServer(node, interval=3600)  # syncs when the UI's "立即同步" is pressed
    yield {"hub": hub, "node": node, "server": server, "caller": caller, "root": root}
    server.stop()
    hub.stop()


def shanghai_caller_for_sh01(services) -> dict:
    agent = services.login("hq.agent", DEMO_PASSWORD)
    rows = services.ctx.query("SELECT c.id, c.name, c.phone FROM customers c WHERE c.city = '上海' AND EXISTS "
                              "(SELECT 1 FROM service_orders o WHERE o.customer_id = c.id) ORDER BY c.id")
    for c in rows:
        card = services.intake.card(agent, c["id"])
        model = card.orders[0].product_model_id if card.orders else None
        if not model:
            continue
        best = services.dispatch.suggest(None, customer_id=c["id"], product_model_id=model).best
        if best and best.code == "SH01":
            group = services.intake.faults(agent, model)[0]  # the agent picks the fault from master data
            return {**c, "fault_group": group.label, "fault": group.faults[0].label("zh"),
                    "fault_name": group.faults[0].name}
    raise AssertionError("no Shanghai customer whose order would be suggested to SH01")


def hub_rows(hub, sql, params=()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{hub.home.db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def login(ui: Ui, username: str) -> None:
    ui.wait("登录", timeout=60_000)
    ui.fill("用户名", username)
    ui.fill("密码", DEMO_PASSWORD)
    ui.click("登录")


def sync_now(ui: Ui, expect: str = "同步完成") -> None:
    ui.click("同步", exact=False)  # the node's navigation rail
    ui.button("立即同步").wait_for(timeout=60_000)
    ui.click("立即同步")
    ui.wait(expect, timeout=90_000)


def test_intake_dispatch_offline_completion_callback_settlement_approval(world, browser):
    hub, node_url, caller = world["hub"], world["server"].url, world["caller"]
    shots = SHOTS / "e2e"

    # ---- HQ: the call, the order, the suggested outlet confirmed ----
    agent = Ui(browser, f"{hub.url}/hq/", shots=shots)
    login(agent, "hq.agent")
    agent.wait("欢迎", timeout=60_000)
    agent.click("来电受理", exact=False)
    agent.wait("下一个来电")
    agent.fill("来电号码（完整号码或后4位）", caller["phone"])
    agent.click("查询")
    agent.wait(caller["name"])
    agent.wait("来电类型")
    agent.click("维修")
    agent.wait("派单建议")
    agent.click(caller["fault_group"])
    agent.click(caller["fault"])
    agent.fill("补充说明（可选）", FAULT)
    agent.wait("SH01", timeout=60_000)
    agent.shot("01-intake-suggestion.png")
    agent.click("确认派单")
    agent.wait("已派至", timeout=60_000)
    [(order_id, number, outlet)] = hub_rows(hub, "SELECT o.id, o.number, t.code FROM service_orders o JOIN outlets t "
                                                 "ON t.id = o.outlet_id WHERE o.fault_description = ?",
                                          (f"{caller['fault_name']}：{FAULT}",))
    assert outlet == "SH01"
    agent.wait(number)
    agent.shot("02-intake-dispatched.png")
    agent.page.close()

    # ---- the node: sync brings the order; then HQ is unreachable ----
    tech = Ui(browser, node_url, shots=shots)
    login(tech, "sh01.tech01")
    tech.wait("退出登录", timeout=60_000)
    sync_now(tech)
    tech.click("工单", exact=False)
    tech.click("全部")
    tech.wait(FAULT, timeout=60_000)
    tech.shot("03-node-order-arrived.png")
    hub.kill(signal.SIGKILL)  # HQ goes down hard (a power cut, a crash): it must come back whole

    part = sh01_part_in_stock(world["node"])
    tech.text(number).first.click()
    tech.wait(FAULT)
    tech.click("接单")
    tech.wait("已接单")
    tech.click("预约")
    tech.button((local_date(now_ms()) + timedelta(days=1)).isoformat()).wait_for()  # the picker's default: tomorrow
    tech.click("确定")
    tech.button("出发").wait_for()
    tech.click("出发")
    tech.button("到达上门").wait_for()
    tech.click("到达上门")
    tech.button("登记用料").wait_for()
    tech.click("登记用料")
    tech.page.get_by_label("配件", exact=True).first.click()  # the menu of the parts he carries opens
    tech.click(f"{part['name']}（{part['sku']}）", exact=False)
    tech.click("确定")
    tech.wait(f"{part['name']}（{part['sku']}）×1")
    tech.click("完工")
    tech.fill("处理结果", RESOLUTION)
    tech.sign("请客户在框内签名")
    tech.shot("04-node-complete-offline.png")
    tech.click("确定")
    tech.wait("已完工")
    tech.shot("05-node-completed-offline.png")
    tech.click("同步", exact=False)
    tech.click("立即同步")
    tech.wait("无法连接", timeout=90_000)  # HQ is down: the work waits on the device
    tech.shot("06-node-sync-hub-down.png")
    assert hub_rows(hub, "SELECT status FROM service_orders WHERE id = ?", (order_id,)) == [("new",)]

    # ---- HQ is back: the node's work reaches it ----
    hub.start()
    sync_now(tech)
    assert wait_until(lambda: hub_rows(hub, "SELECT status, resolution FROM service_orders WHERE id = ?",
                                       (order_id,)) == [("completed", RESOLUTION)])
    assert hub_rows(hub, "SELECT part_id, qty FROM order_parts WHERE order_id = ?", (order_id,)) == [(part["id"], 1)]
    tech.shot("07-node-synced.png")
    tech.page.close()

    # ---- the callback: opening the queue brings the job's work up to date ----
    agent = Ui(browser, f"{hub.url}/hq/", shots=shots)  # the hub restarted: a new session
    login(agent, "hq.agent")
    agent.wait("欢迎", timeout=60_000)
    agent.click("回访", exact=False)
    agent.wait("待回访（最早完工在前）")
    agent.wait(number, timeout=60_000)
    assert hub_rows(hub, "SELECT status FROM hq_callbacks WHERE order_id = ?", (order_id,)) == [("open",)]
    agent.click("开始回访")
    agent.wait(f"回访：{number}")
    yes = agent.page.get_by_role("radio", name="是")
    for i in range(yes.count()):
        yes.nth(i).click()
    agent.page.get_by_role("radio", name="5").first.click()
    agent.wait("（满意）")
    agent.fill("回访备注", "客户对维修结果满意")
    agent.shot("08-hq-callback-survey.png")
    agent.click("提交回访")
    agent.wait("回访已记录：100分，满意", timeout=60_000)
    agent.shot("09-hq-callback-recorded.png")
    assert hub_rows(hub, "SELECT status, callback_result, callback_score FROM service_orders WHERE id = ?",
                    (order_id,)) == [("closed", "satisfied", 100)]
    agent.page.close()

    # ---- the clerk: the month's settlement, submitted and synced ----
    period = period_of(now_ms())
    clerk = Ui(browser, node_url, shots=shots)
    login(clerk, "sh01.clerk")
    clerk.wait("退出登录", timeout=60_000)
    sync_now(clerk)  # brings the callback's close
    clerk.click("结算", exact=False)
    clerk.fill("结算期间（年-月）", period)  # the screen opens on last month; the order is this month's
    clerk.click("生成/更新草稿")
    clerk.wait(number, timeout=60_000)
    clerk.shot("10-node-settlement-draft.png")
    clerk.click("提交")
    clerk.wait("已提交")
    sync_now(clerk)
    assert wait_until(lambda: hub_rows(hub, "SELECT s.status FROM settlements s JOIN outlets t ON t.id = s.outlet_id "
                                            "WHERE t.code = 'SH01' AND s.period = ?", (period,)) == [("submitted",)])

    # ---- the approver approves it in the HQ UI ----
    approver = Ui(browser, f"{hub.url}/hq/", shots=shots)
    login(approver, "hq.approver")
    approver.wait("欢迎", timeout=60_000)
    approver.click("审批", exact=False)
    approver.wait("审批待办")
    approver.wait(period)
    approver.shot("11-hq-approvals-inbox.png")
    approver.click(period)
    approver.wait("总部核算", timeout=60_000)
    approver.wait(number)
    approver.fill("审批意见", APPROVAL)
    approver.shot("12-hq-settlement-review.png")
    approver.click("批准")
    approver.wait("最新审批：批准", timeout=60_000)
    approver.shot("13-hq-settlement-approved.png")
    approver.page.close()

    # ---- the node syncs and its settlement screen shows the approval ----
    sync_now(clerk)
    clerk.click("结算", exact=False)
    clerk.click(f"{period} · 已批准")
    clerk.wait(APPROVAL, timeout=60_000)
    clerk.shot("14-node-settlement-approved.png")
    clerk.page.close()


def sh01_part_in_stock(node: NodeDir) -> dict:
    """A part of the technician's menu: what the demo's clerk issued to him (his bag, read on
    the node's replica)."""
    from node.services import NodeServices, Session
    store = node.store()
    try:
        svc = NodeServices(store)
        tech = Session.of_user(svc.ctx.one("SELECT * FROM users WHERE username = 'sh01.tech01'"))
        p = svc.van.bag(tech).lines[0]
        return {"id": p.part_id, "sku": p.sku, "name": p.name}
    finally:
        store.close()
