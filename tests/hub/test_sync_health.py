"""HQ's network sync screen (网点同步状态) as a service over the small demo network: every
outlet PC and technician device with its last sync, reported pending changes, refusals of
the last day, release, clock drift and fork alerts, longest without a sync first and
filterable by region; a device silent for two days raises one notice, which reaches the
outlet's PC (its manager) and HQ's screen; an idle hello writes nothing; CSV export."""
import csv
import io

import pytest

from hub.services import HubServices
from hub.services import sync_health
from fieldsync.demo.data import DEMO_PASSWORD
from shared.errors import ServiceError
from sync import hub_handlers
from sync.hlc import now_ms
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round

from tests.hub.test_admin_network import outlet_id

DAY = 24 * 3600 * 1000


class Node:
    def __init__(self, hub, outlet: str, path, technician: str | None = None, name: str = ""):
        self.hub, self.key = hub, SigningKey.generate()
        token = hub.create_enroll_token(outlet, technician_id=technician)
        self.enrollment = hub_handlers.enroll(hub, {"token": token, "public_key": self.key.public_b64,
                                                    "name": name, "app_version": "0.2.0", "schema": 1})
        self.node_id = self.enrollment["node_id"]
        self.store = NodeStore(path)
        self.store.bind(self.enrollment)

    def sync(self):
        return sync_round(self.store, LocalTransport(self.hub, self.node_id), self.key)


class LiveClock:
    """The real clock (hello and push stamp real times), which a test may move ahead."""

    def __init__(self):
        self.offset = 0

    def __call__(self) -> int:
        return now_ms() + self.offset

    def advance(self, ms: int) -> None:
        self.offset += ms


@pytest.fixture
def live(hub):
    clock = LiveClock()
    return HubServices(hub, now=clock), clock


@pytest.fixture
def network(hub, live, tmp_path):
    services, clock = live
    sh01 = outlet_id(services, "SH01")
    tech = services.ctx.one("SELECT id, display_name FROM users WHERE outlet_id = ? AND role = 'technician'"
                            " ORDER BY username LIMIT 1", (sh01,))
    pc = Node(hub, sh01, tmp_path / "pc.db", name="SH01 前台电脑")
    device = Node(hub, sh01, tmp_path / "tablet.db", technician=tech["id"], name="师傅平板")
    pc.sync()
    device.sync()
    yield services, clock, pc, device, tech
    pc.store.close()
    device.store.close()


def admin_of(services):
    return services.login("admin", DEMO_PASSWORD)


def silence(hub, node_id: str, ms: int) -> None:
    """Test setup: the node's last contact `ms` ago (as if it had been off since)."""
    with hub.tx() as c:
        c.execute("UPDATE nodes SET last_seen_at = ? WHERE node_id = ?", (now_ms() - ms, node_id))


def test_the_board_lists_every_node_longest_silent_first(network, hub):
    services, clock, pc, device, tech = network
    silence(hub, device.node_id, 2 * DAY)
    with hub.tx() as c:  # it had said 5 changes were waiting, before it went quiet
        c.execute("UPDATE nodes SET pending = 5 WHERE node_id = ?", (device.node_id,))
    hub_handlers.hello(hub, pc.node_id, "0.1.0", 1, pending=0, node_time=now_ms() - 120_000)
    board = services.sync_health.board(admin_of(services))
    ours = [r for r in board.rows if r.node_id in (pc.node_id, device.node_id)]
    assert [r.node_id for r in ours] == [device.node_id, pc.node_id]
    tablet, front = ours
    assert tablet.kind == "device" and tablet.technician == tech["display_name"] and tablet.silent
    assert tablet.pending == 5 and 2 * DAY - 1000 <= tablet.silent_ms < 2 * DAY + 60_000
    assert front.kind == "outlet" and not front.silent and front.pending == 0
    assert front.behind and front.app_version == "0.1.0"  # HQ sees who runs an old release
    assert 110_000 <= front.clock_drift_ms <= 180_000
    assert board.rows[0].node_id == device.node_id  # the riskiest of the whole network first
    assert board.silent_count == 1 and board.silent_hours == 24


def test_refusals_of_the_last_day_and_fork_alerts_are_counted(network, hub):
    services, clock, pc, device, tech = network
    other = outlet_id(services, "BJ01")
    theirs = services.ctx.one("SELECT id FROM service_orders WHERE outlet_id = ? LIMIT 1", (other,))["id"]
    clerk = services.ctx.one("SELECT id FROM users WHERE outlet_id = ? AND role = 'clerk'",
                             (pc.enrollment["outlet_id"],))["id"]
    pc.store.write(clerk, [{"op": "put", "table": "service_orders", "id": theirs, "fields": {"notes": "越权"}}])
    assert [r["code"] for r in pc.sync().rejected] == ["not_owner"]
    with hub.tx() as c:
        hub.add_fork_alert(c, pc.node_id, 1, 1, "a" * 64, "b" * 64, now_ms())
    row = next(r for r in services.sync_health.board(admin_of(services)).rows if r.node_id == pc.node_id)
    assert (row.refused_day, row.open_forks) == (1, 1)
    clock.advance(DAY + 60_000)  # a day later the refusal has aged out
    row = next(r for r in services.sync_health.board(admin_of(services)).rows if r.node_id == pc.node_id)
    assert row.refused_day == 0


def test_the_region_filter(network):
    services, *_ = network
    me = admin_of(services)
    board = services.sync_health.board(me)
    sh01_region = next(r.region for r in board.rows if r.outlet_code == "SH01")
    assert sh01_region in board.regions
    assert {r.outlet_code for r in services.sync_health.board(me, sh01_region).rows} == {"SH01"}
    other = next(r for r in board.regions if r != sh01_region)
    assert services.sync_health.board(me, other).rows == ()


def test_a_device_silent_two_days_raises_one_notice_that_reaches_its_outlet(network, hub):
    services, clock, pc, device, tech = network
    silence(hub, device.node_id, 2 * DAY)
    assert services.sync_health.notify_silent() == 1
    assert services.sync_health.notify_silent() == 0  # once per silence, not every run
    notice = services.ctx.one("SELECT * FROM notices WHERE kind = ?", (sync_health.NOTICE_KIND,))
    assert notice["outlet_id"] == pc.enrollment["outlet_id"] and notice["row_id"] == device.node_id
    assert "师傅平板" in notice["message"] and "2天" in notice["message"]
    pc.sync()  # the outlet's PC, where its manager works, receives it
    got = pc.store.rows("notices", "kind = ?", (sync_health.NOTICE_KIND,))
    assert [n["id"] for n in got] == [notice["id"]]
    board = services.sync_health.board(admin_of(services))
    assert [n.node_id for n in board.notices] == [device.node_id] and "师傅平板" in board.notices[0].message
    english = services.login("admin", DEMO_PASSWORD, lang="en")
    assert "has not synced with HQ for 2 d" in services.sync_health.board(english).notices[0].message
    device.sync()  # it came back …
    assert services.sync_health.notify_silent() == 0
    silence(hub, device.node_id, 3 * DAY)  # … and fell silent again: a new notice
    assert services.sync_health.notify_silent() == 1


def test_the_threshold_is_configurable(network, hub, monkeypatch):
    services, clock, pc, device, tech = network
    silence(hub, device.node_id, 3 * 3600 * 1000)
    assert services.sync_health.notify_silent() == 0
    monkeypatch.setenv(sync_health.SILENT_HOURS_ENV, "2")
    assert services.sync_health.board(admin_of(services)).silent_hours == 2
    assert services.sync_health.notify_silent() == 1


def writes(hub) -> int:
    """How much the hub's store has written: rows changed on SQLite; on PostgreSQL the
    transactions that wrote (the next transaction id moves only for those)."""
    if hub.dialect == "postgres":
        return hub.conn.execute("SELECT txid_snapshot_xmax(txid_current_snapshot())").fetchone()[0]
    return hub.conn.total_changes


def test_an_idle_hello_writes_nothing(network, hub):
    """Another hello within a minute, nothing changed: a read only (idle rounds stay cheap)."""
    services, clock, pc, device, tech = network
    pc.sync()
    before = writes(hub)
    for _ in range(3):
        pc.sync()
    assert writes(hub) == before
    silence(hub, pc.node_id, 61_000)  # a minute later the contact is written again, once
    before = writes(hub)
    pc.sync()
    pc.sync()
    assert writes(hub) == before + 1


def test_export_csv_and_who_may_see_it(network):
    services, clock, pc, device, tech = network
    name, data = services.sync_health.export_csv(admin_of(services))
    assert name == "sync-health-all.csv" and data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["设备", "类型", "维修师傅", "网点"]
    assert {"师傅平板", "SH01 前台电脑"} <= {r[0] for r in rows[1:]}
    with pytest.raises(ServiceError):
        services.sync_health.board(services.login("hq.agent", DEMO_PASSWORD))


def test_the_outlet_manager_reads_the_silence_notice_on_the_pcs_sync_panel(tmp_path):
    from fieldsync.testing.outlet import seed
    from fieldsync.testing.world import World
    from node.services import NodeServices
    from tests.node.conftest import Env
    w = World(tmp_path)
    try:
        seed(w)
        pc, other = w.node(w.outlets[0]), w.node(w.outlets[0])
        env = Env(w, pc, NodeServices(pc.store))
        other.sync()
        silence(w.hub, other.node_id, 2 * DAY)
        assert HubServices(w.hub).sync_health.notify_silent() == 1
        env.sync()
        [notice] = env.svc.notices.list(env.manager)
        assert notice.kind_label == "设备未同步"
        assert notice.message.startswith(f"设备“{other.path.stem}”已2天未与总部同步（超过24小时）")
        en = env.svc.notices.list(env.session(env.manager.user_id, "en"))[0]
        assert en.kind_label == "Device not syncing" and "has not synced with HQ for 2 d" in en.message
    finally:
        w.close()
