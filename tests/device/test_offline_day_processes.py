"""Issue #13's proof, with real processes: a hub (`fieldsync hub serve`), the outlet's PC
(enrolled, synced by `fieldsync node sync`) and two technicians' devices (`fieldsync device
--web`, background sync every second), each device reaching HQ only through its own proxy.
Both devices work a day with no network at all — accepting, fitting parts from the bag,
completing — while the clerk reassigns one of 张师傅's orders to 李师傅 on the PC. Then the
network comes back and everyone converges: nothing lost or doubled, the reassigned order
gone from 张师傅's device with his work on it kept at HQ and on 李师傅's device, and the parts
carried balanced at every place."""
import time

import pytest

from fieldsync.testing.processes import HubProcess, NodeDir
from fieldsync.testing.waiting import wait_until
from node.runtime import open_node
from node.services import NodeServices
from sync.enrollment import decode_code, encode_code
from tests.chaos.proxy import Proxy
from tests.ui.cluster import NodeServer
from tests.ui.seed import PASSWORDS, seed

DAY_MS = 24 * 3600 * 1000


def rows(node: NodeDir, sql: str, params=()) -> list[tuple]:
    store = node.store()
    try:
        with store.read() as c:
            return [tuple(r) for r in c.execute(sql, params).fetchall()]
    finally:
        store.close()


def hub_rows(hub: HubProcess, sql: str, params=()) -> list[tuple]:
    store = hub.store()
    try:
        return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]
    finally:
        store.close()


def bags(rows_of, sql_where="holder IS NOT NULL") -> dict:
    return {(h, p): q for h, p, q in rows_of(
        f"SELECT holder, part_id, SUM(qty) FROM stock_moves WHERE {sql_where} GROUP BY holder, part_id")}


class Device:
    """A technician's device: enrolled with a code the manager issued, reaching HQ through
    a proxy the test can cut, its own process running."""

    def __init__(self, root, name: str, code: str, hub_port: int):
        self.proxy = Proxy(hub_port)
        parts = decode_code(code)
        code = encode_code(f"https://127.0.0.1:{self.proxy.port}", parts["hub_id"], parts["cert_sha256"],
                           parts["token"])
        self.node = NodeDir(root, name)
        self.node.enroll(code)
        self.server = NodeServer(self.node, interval=1, command=("device", "--web"))

    def work(self, username: str, fn) -> None:
        """Work on the device as its technician would (the services its screens call)."""
        store = self.node.store()
        try:
            services = NodeServices(store)
            fn(services, services.login(username, PASSWORDS[username]))
        finally:
            store.close()

    def numbers(self) -> set[str]:
        return {r[0] for r in rows(self.node, "SELECT number FROM service_orders")}

    def pending(self) -> int:
        store = self.node.store()
        try:
            return store.pending_count()
        finally:
            store.close()

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def net(tmp_path):
    hub = HubProcess(tmp_path)
    outlet_id = hub.add_outlet("SH01", "上海徐汇网点")
    store = hub.store()
    try:
        ids = seed(store, outlet_id)
    finally:
        store.close()
    hub.start()
    pc = NodeDir(tmp_path, "outlet-pc")
    pc.enroll(hub.code("SH01"))
    _, pc_store, _, transport = open_node(pc.home)
    office = NodeServices(pc_store, hub=lambda: transport)
    devices = []
    try:
        manager = office.login("chen", PASSWORDS["chen"])
        for name, tech in (("zhang-tablet", "u-zhang"), ("li-phone", "u-li")):
            code = office.devices.issue_code(manager, tech).code
            devices.append(Device(tmp_path, name, code, hub.port))
        yield hub, pc, office, devices, ids
    finally:
        for d in devices:
            d.stop()
        transport.close()
        pc_store.close()
        hub.kill()


def test_two_devices_work_a_day_offline_while_the_clerk_reassigns(net):
    hub, pc, office, (zhang, li), ids = net
    clerk = office.login("liu", PASSWORDS["liu"])
    office.van.issue(clerk, "u-li", {"P-2002": 1})  # 李师傅 takes the drain pump for HQ-1004
    pc.sync()
    assert wait_until(lambda: {"HQ-1001", "HQ-1002"} <= zhang.numbers()
                      and {"HQ-1004"} <= li.numbers()
                      and bags(lambda q: rows(li.node, q)).get(("u-li", "P-2002")) == 1, timeout=90)
    assert "HQ-1004" not in zhang.numbers() and "HQ-1001" not in li.numbers()  # each its own share

    for d in (zhang, li):  # the day begins: no hub, no outlet PC
        d.proxy.set(down=True)

    def zhang_day(svc, me):
        svc.actions.accept(me, ids["flow"])
        svc.actions.schedule(me, ids["flow"], int(time.time() * 1000) + 3600_000)
        svc.actions.set_out(me, ids["flow"])
        svc.actions.arrive(me, ids["flow"])
        svc.parts.use_part(me, ids["flow"], "P-2001", 1, old_serial="TS-OLD-1")
        svc.actions.complete(me, ids["flow"], "更换室内温度传感器，试机制冷正常")
        svc.actions.accept(me, ids["cancel"])  # the order the clerk gives 李师傅 meanwhile
        svc.actions.update_details(me, ids["cancel"], notes="客户下午在家，先电话联系")

    def li_day(svc, me):
        svc.parts.use_part(me, ids["li_on_site"], "P-2002", 1, old_serial="DP-OLD-7")
        svc.actions.complete(me, ids["li_on_site"], "更换排水泵，排水正常")

    zhang.work("zhang", zhang_day)
    li.work("li", li_day)
    office.actions.assign(clerk, ids["cancel"], "u-li")
    pc.sync()
    time.sleep(3)  # several rounds on each device, every one of them failing
    assert zhang.pending() > 0 and li.pending() > 0
    assert hub_rows(hub, "SELECT status FROM service_orders WHERE id = ?", (ids["flow"],)) == [("new",)]

    for d in (zhang, li):  # back in the van, in signal
        d.proxy.heal()
    assert wait_until(lambda: zhang.pending() == 0 and li.pending() == 0
                      and "HQ-1002" not in zhang.numbers() and "HQ-1002" in li.numbers(), timeout=120)
    pc.sync()

    # Nothing lost: both days' work is at HQ, and the reassigned order keeps 张师傅's work.
    status = dict(hub_rows(hub, "SELECT id, status FROM service_orders"))
    assert (status[ids["flow"]], status[ids["li_on_site"]], status[ids["cancel"]]) == \
        ("completed", "completed", "accepted")
    assert hub_rows(hub, "SELECT technician_id, notes FROM service_orders WHERE id = ?", (ids["cancel"],)) == \
        [("u-li", "客户下午在家，先电话联系")]
    # Nothing doubled: one event per step, one part per fitting, at HQ and on every replica.
    events = "SELECT order_id, to_status, COUNT(*) FROM order_events GROUP BY order_id, to_status"
    hub_events = hub_rows(hub, events)
    assert all(n == 1 for *_, n in hub_events)
    assert sorted(rows(pc, events)) == sorted(hub_events)
    fitted = "SELECT order_id, part_id, qty FROM order_parts ORDER BY order_id"
    assert hub_rows(hub, fitted) == rows(pc, fitted) and len(hub_rows(hub, fitted)) == 2
    # The reassigned order went from 张师傅's device to 李师傅's, with what is under it.
    assert rows(zhang.node, "SELECT COUNT(*) FROM order_events WHERE order_id = ?", (ids["cancel"],)) == [(0,)]
    assert rows(li.node, "SELECT to_status, actor_id FROM order_events WHERE order_id = ?", (ids["cancel"],)) == \
        [("accepted", "u-zhang")]
    # The parts carried balance: the same Σ per place at HQ, on the PC and on each device.
    hub_bags = bags(lambda q: hub_rows(hub, q))
    assert hub_bags[("u-zhang", "P-2001")] == 1 and hub_bags[("u-li", "P-2002")] == 0
    assert bags(lambda q: rows(pc, q)) == hub_bags
    assert bags(lambda q: rows(zhang.node, q)) == {k: v for k, v in hub_bags.items() if k[0] == "u-zhang"}
    assert bags(lambda q: rows(li.node, q)) == {k: v for k, v in hub_bags.items() if k[0] == "u-li"}
    store = "SELECT part_id, SUM(qty) FROM stock_moves WHERE holder IS NULL GROUP BY part_id"
    assert sorted(hub_rows(hub, store)) == sorted(rows(pc, store))
