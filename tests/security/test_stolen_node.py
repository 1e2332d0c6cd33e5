"""A stolen outlet PC or tablet (issue #17 item 1): what its disk gives a thief is bounded.
PINs are 6–12 digits under a costly scrypt, so the replicated hashes cannot be searched in
minutes; a PIN of the old short rule opens no session and HQ retires them all; the name,
phone and address of orders ended longer ago than the outlet's retention (HQ's setting,
180 days unless changed) are gone from the node's file — its bytes, not only its rows —
while HQ keeps them. README "A stolen node"."""
import subprocess
from pathlib import Path

import pytest

from fieldsync.testing.processes import FIELDSYNC
from hub.admin import init_hub
from hub.home import HubHome
from hub.services import HubServices
from hub.services.session import HubSession
from node import retention
from shared.errors import ServiceError
from shared.passwords import PIN_N, R, check_password, hash_password
from shared.retention import DAY_MS, DEFAULT_DAYS
from sync.hlc import now_ms
from tests.hub.enrolled import EnrolledNode

ADMIN = HubSession.of_system("test")
PHONE_OLD, PHONE_NEW, PHONE_OPEN = "13911112222", "13933334444", "13955556666"


@pytest.fixture
def hq(tmp_path):
    home = HubHome(tmp_path / "hub")
    init_hub(home)
    hub = home.open()
    services = HubServices(hub)
    net = services.admin.network
    outlet = net.save_outlet(ADMIN, code="SH01", name="上海徐汇网点")
    node = EnrolledNode(hub, services.admin.nodes.enroll_code(ADMIN, outlet, "https://hq.example").code,
                        tmp_path / "node.db")
    yield services, outlet, node, home
    node.close()
    hub.close()


def refused(code: str, fn, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code and e.value.message("zh") and e.value.message("en")
    return e.value


# ---- PINs ----

def test_pins_are_six_to_twelve_digits_under_a_costly_hash(hq):
    services, outlet, node, _ = hq
    net = services.admin.network
    for short_or_long in ("1234", "12345", "1234567890123", "12345a"):
        refused("bad_pin", net.create_user, ADMIN, username="sh01.t1", display_name="张师傅", role="technician",
                outlet_id=outlet, password="tablet-pass-1", pin=short_or_long)
    uid, _ = net.create_user(ADMIN, username="sh01.t1", display_name="张师傅", role="technician",
                             outlet_id=outlet, password="tablet-pass-1", pin="583920")
    stored = services.ctx.row("users", uid)["pin_hash"]
    _, n, r, *_ = stored.split("$")
    # one guess costs 128·r·N bytes of memory (64 MiB) and as long of one core: README gives the core-days
    assert int(n) >= PIN_N == 2 ** 16 and int(r) == R and 128 * int(r) * int(n) >= 64 * 1024 * 1024
    node.sync()
    assert node.services.login("sh01.t1", "583920", pin=True).user_id == uid


def test_an_old_short_pin_opens_no_session_and_hq_retires_every_one(hq, tmp_path):
    services, outlet, node, home = hq
    net = services.admin.network
    old, _ = net.create_user(ADMIN, username="sh01.old", display_name="老李", role="technician",
                             outlet_id=outlet, password="old-pass-123")
    new, _ = net.create_user(ADMIN, username="sh01.new", display_name="小王", role="clerk",
                             outlet_id=outlet, password="new-pass-123", pin="740215")
    services.ctx.hub.write([{"op": "put", "table": "users", "id": old,  # set under the old rule (0.1.0)
                             "fields": {"pin_hash": hash_password("1234")}}])
    node.sync()
    said = refused("weak_pin", node.services.login, "sh01.old", "1234", pin=True)
    assert "6到12位" in said.message("zh") and "6 to 12 digits" in said.message("en")
    refused("login_failed", node.services.login, "sh01.old", "9999", pin=True)  # a wrong one: as always
    assert node.services.login("sh01.old", "old-pass-123").user_id == old  # the password still opens

    assert net.retire_weak_pins(ADMIN) == 1
    assert net.retire_weak_pins(ADMIN) == 0
    node.sync()
    on_node = dict(node.store.conn.execute("SELECT id, pin_hash FROM users WHERE id IN (?, ?)", (old, new)))
    assert not on_node[old] and check_password("740215", on_node[new])  # the weak hash left the node's replica
    refused("login_failed", node.services.login, "sh01.old", "1234", pin=True)
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action = 'weak_pins_retired'") == 1

    services.ctx.hub.write([{"op": "put", "table": "users", "id": old, "fields": {"pin_hash": hash_password("5678")}}])
    p = subprocess.run([FIELDSYNC, "hub", "retire-weak-pins", "--dir", str(home.dir)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "retired 1" in p.stdout, p.stderr
    assert not services.ctx.row("users", old)["pin_hash"]


# ---- retention ----

def order(services, outlet, *, number, phone, customer, closed_days_ago=None, status="closed"):
    """An order HQ took (its customer's name, phone and address on it), ended `closed_days_ago`."""
    now = now_ms()
    ops = [{"op": "put", "table": "customers", "id": customer, "fields": {
        "name": f"客户{number}", "phone": phone, "address": f"上海市徐汇区漕溪北路{number}号", "city": "上海"}}]
    fields = {"number": number, "outlet_id": outlet, "customer_id": customer, "type": "repair",
              "status": status, "contact_name": f"客户{number}", "contact_phone": phone,
              "address": f"上海市徐汇区漕溪北路{number}号", "created_at": now - 400 * DAY_MS}
    if closed_days_ago is not None:
        fields["closed_at"] = now - closed_days_ago * DAY_MS
    ops.append({"op": "put", "table": "service_orders", "id": f"o-{number}", "fields": fields})
    services.ctx.hub.write(ops)


def file_bytes(db_path) -> bytes:
    """node.db, its -wal and -shm: what a thief copies."""
    db_path = Path(db_path)
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))


def test_personal_data_of_long_ended_orders_leaves_the_node_file_and_hq_keeps_it(hq):
    services, outlet, node, _ = hq
    order(services, outlet, number="HQ-1", phone=PHONE_OLD, customer="C-old", closed_days_ago=DEFAULT_DAYS + 20)
    order(services, outlet, number="HQ-2", phone=PHONE_NEW, customer="C-new", closed_days_ago=DEFAULT_DAYS - 60)
    order(services, outlet, number="HQ-3", phone=PHONE_OPEN, customer="C-open", status="new")
    node.sync()
    store = node.store
    assert PHONE_OLD.encode() in file_bytes(store.path)
    pending = store.pending_count()

    # Pulled long ago: what the node kept of that pull (30 days) has aged out as well.
    done = retention.purge(store, now_ms() + 31 * DAY_MS)
    assert (done.days, done.orders, done.customers) == (DEFAULT_DAYS, 1, 1)  # HQ set nothing: 180 days
    rows = {r[0]: r[1:] for r in store.conn.execute(
        "SELECT id, contact_name, contact_phone, address FROM service_orders")}
    assert rows["o-HQ-1"] == ("", "", "")
    assert rows["o-HQ-2"][1] == PHONE_NEW and rows["o-HQ-3"][1] == PHONE_OPEN
    customer = store.conn.execute("SELECT name, phone, address FROM customers WHERE id = 'C-old'").fetchone()
    assert customer == ("", "", "")
    assert store.pending_count() == pending  # nothing to push: HQ keeps everything
    assert services.ctx.row("service_orders", "o-HQ-1")["contact_phone"] == PHONE_OLD
    assert services.ctx.row("customers", "C-old")["phone"] == PHONE_OLD
    for gone in (PHONE_OLD, "客户HQ-1", "漕溪北路HQ-1号"):  # not in the file, nor in its WAL
        assert gone.encode() not in file_bytes(store.path), gone
    assert PHONE_NEW.encode() in file_bytes(store.path)

    node.sync()  # the next round changes nothing back
    assert store.conn.execute("SELECT contact_phone FROM service_orders WHERE id = 'o-HQ-1'").fetchone() == ("",)


def test_hq_sets_the_retention_per_outlet_and_the_node_applies_it(hq):
    services, outlet, node, _ = hq
    net = services.admin.network
    for bad in ("7", "29", "5000", "半年", "90.5"):
        refused("bad_retention", net.save_outlet, ADMIN, outlet, personal_data_days=bad)
    net.save_outlet(ADMIN, outlet, personal_data_days="60")
    assert [o.personal_data_days for o in net.outlets(ADMIN)] == [60]
    order(services, outlet, number="HQ-7", phone=PHONE_NEW, customer="C-7", closed_days_ago=90)
    node.sync()
    done = retention.purge(node.store, now_ms())
    assert (done.days, done.orders) == (60, 1)
    assert node.store.conn.execute("SELECT contact_phone FROM service_orders WHERE id = 'o-HQ-7'").fetchone() == ("",)
    net.save_outlet(ADMIN, outlet, personal_data_days="")  # back to the default
    node.sync()
    assert retention.purge(node.store, now_ms()).days == DEFAULT_DAYS


def test_a_returning_customer_comes_back_whole_with_their_new_order(hq):
    services, outlet, node, _ = hq
    order(services, outlet, number="HQ-8", phone=PHONE_OLD, customer="C-8", closed_days_ago=DEFAULT_DAYS + 5)
    node.sync()
    retention.purge(node.store, now_ms())
    assert node.store.conn.execute("SELECT phone FROM customers WHERE id = 'C-8'").fetchone() == ("",)
    order(services, outlet, number="HQ-9", phone=PHONE_OLD, customer="C-8", status="new")  # HQ writes them again
    node.sync()
    assert node.store.conn.execute("SELECT phone FROM customers WHERE id = 'C-8'").fetchone() == (PHONE_OLD,)
    retention.purge(node.store, now_ms())  # an open order of theirs: kept
    assert node.store.conn.execute("SELECT phone FROM customers WHERE id = 'C-8'").fetchone() == (PHONE_OLD,)


def test_the_purge_runs_by_itself_after_a_sync_round_at_most_hourly(hq):
    services, outlet, node, _ = hq
    order(services, outlet, number="HQ-5", phone=PHONE_OLD, customer="C-5", closed_days_ago=DEFAULT_DAYS + 1)
    node.sync()
    assert retention.purge_if_due(node.store).orders == 1
    assert retention.purge_if_due(node.store) is None  # within the hour: not again
