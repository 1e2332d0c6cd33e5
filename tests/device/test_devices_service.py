"""The outlet manager's devices service (node/services/devices.py) over the real hub app
in-process, and the device's login rule: only the manager issues, lists and retires; a
code for someone who is not an active technician of the outlet is refused before HQ is
asked; without a connection to HQ each says so in words and nothing changes; on a device
only its technician logs in."""
import httpx
import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from node.services import NodeServices, ServiceError, Session
from shared.passwords import hash_password
from sync import http_client, keys
from sync.enrollment import decode_code
from sync.http_client import HttpTransport
from sync.node_store import NodeStore
from sync.node_sync import sync_round
from fieldsync.testing.world import World


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    world.app = create_app(world.hub)
    yield world
    world.close()


def enrolled(w, token: str, name: str):
    key = keys.SigningKey.generate()
    enrollment = http_client.enroll("http://testserver", None, {"token": token, "public_key": key.public_b64,
                                                                "name": name}, client=TestClient(w.app))
    store = NodeStore(w.tmp / f"{name}.db")
    store.bind(enrollment)
    transport = HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(w.app))
    sync_round(store, transport, key)
    return store, transport


@pytest.fixture
def outlet(w):
    store, transport = enrolled(w, w.hub.create_enroll_token(w.outlets[0]), "pc")
    hub = {"transport": transport}
    svc = NodeServices(store, hub=lambda: hub["transport"])
    svc.hub = hub
    yield svc
    transport.close()
    store.close()


def session(svc, user_id: str, lang: str = "zh") -> Session:
    return Session.of_user(svc.ctx.user(user_id), lang)


def refused(call) -> ServiceError:
    with pytest.raises(ServiceError) as err:
        call()
    return err.value


def test_the_manager_issues_a_code_lists_the_device_and_retires_it(w, outlet):
    manager = session(outlet, w.user(w.outlets[0], "outlet_manager"))
    tech = w.user(w.outlets[0], "technician")
    assert [c.key for c in outlet.devices.technicians(manager)] == [tech]
    code = outlet.devices.issue_code(manager, tech)
    assert code.technician_id == tech and code.qr_png().startswith(b"\x89PNG")
    device_store, device = enrolled(w, decode_code(code.code)["token"], "tablet")
    listed = outlet.devices.devices(manager)
    assert listed.offline is None
    [d] = listed.devices
    assert (d.node_id, d.technician_id, d.active, d.pending) == (device.node_id, tech, True, 0)
    assert d.last_seen_at is not None
    outlet.devices.retire(manager, device.node_id)
    assert not outlet.devices.devices(manager).devices[0].active
    device.close()
    device_store.close()


@pytest.mark.parametrize("role", ["clerk", "technician"])
def test_only_the_manager_administers_devices(w, outlet, role):
    who = session(outlet, w.user(w.outlets[0], role))
    tech = w.user(w.outlets[0], "technician")
    for call in (lambda: outlet.devices.issue_code(who, tech), lambda: outlet.devices.devices(who),
                 lambda: outlet.devices.retire(who, "node-x"), lambda: outlet.devices.technicians(who)):
        assert refused(call).code == "role_forbidden"


def test_a_code_only_for_an_active_technician_of_the_outlet(w, outlet):
    manager = session(outlet, w.user(w.outlets[0], "outlet_manager"))
    before = w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0]
    for who in (w.user(w.outlets[0], "clerk"), w.user(w.outlets[1], "technician"), ""):
        err = refused(lambda who=who: outlet.devices.issue_code(manager, who))
        assert err.code == "technician_unknown" and "不是本网点在职的维修师傅" in err.message("zh")
    assert w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0] == before


def test_without_hq_each_says_it_needs_a_connection(w, outlet):
    manager = session(outlet, w.user(w.outlets[0], "outlet_manager"), lang="en")
    down = HttpTransport("http://127.0.0.1:9", "node-x", keys.SigningKey.generate(),
                         client=httpx.Client(base_url="http://127.0.0.1:9", timeout=2))
    outlet.hub["transport"] = down
    tech = w.user(w.outlets[0], "technician")
    before = w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0]
    err = refused(lambda: outlet.devices.issue_code(manager, tech))
    assert err.code == "needs_hq" and err.message("en").startswith("Needs a connection to HQ to issue a device code")
    assert "需要连接总部" in err.message("zh")
    listed = outlet.devices.devices(manager)
    assert listed.devices == () and listed.offline.startswith("Needs a connection to HQ")
    assert refused(lambda: outlet.devices.retire(manager, "node-x")).code == "needs_hq"
    assert w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0] == before
    down.close()


def test_on_a_device_only_its_technician_logs_in(w, outlet, tmp_path):
    tech = w.user(w.outlets[0], "technician")
    for user in (tech, w.user(w.outlets[0], "clerk")):
        w.hub.write([{"op": "put", "table": "users", "id": user,
                      "fields": {"password_hash": hash_password("pw-1234")}}])
    manager = session(outlet, w.user(w.outlets[0], "outlet_manager"))
    store, device = enrolled(w, decode_code(outlet.devices.issue_code(manager, tech).code)["token"], "tablet")
    # the device holds its technician's row once HQ relays it there (the device's scope); here
    # both rows are put on the replica directly, to see the rule itself
    for user in (tech, w.user(w.outlets[0], "clerk")):
        row = w.hub_row("users", user)
        with store.tx() as c:
            cols = [k for k in ("id", "username", "display_name", "role", "outlet_id", "active", "password_hash")
                    if k in row]
            c.execute(f"INSERT OR REPLACE INTO users ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                      [row[k] for k in cols])
    svc = NodeServices(store)
    err = refused(lambda: svc.login(w.user(w.outlets[0], "clerk"), "pw-1234", lang="en"))
    assert err.code == "device_other_user" and "only they can log in" in err.message("en")
    assert refused(lambda: svc.login("nobody", "pw-1234")).code == "device_other_user"
    assert svc.login(tech, "pw-1234").user_id == tech
    device.close()
    store.close()
