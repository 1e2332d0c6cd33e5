"""The outlet PC's device administration over HTTP (docs/protocol.md "Device
administration"), in-process: the node's real client (HttpTransport) against the real hub
app. A device code for one of the outlet's technicians enrolls a device bound to them; the
outlet sees its devices with their last sync and pending changes and retires one, whose next
request is refused; every refusal in the protocol's shape, in the asker's language, with
nothing written."""
import json

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from sync import http_client, keys
from sync.enrollment import decode_code
from sync.errors import SyncError
from sync.http_client import HttpTransport
from fieldsync.testing.world import World


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    world.app = create_app(world.hub, public_url="https://hq.example:8443")
    yield world
    world.close()


def connect(w, outlet_id: str, technician_id: str | None = None) -> HttpTransport:
    key = keys.SigningKey.generate()
    token = w.hub.create_enroll_token(outlet_id, technician_id=technician_id)
    return transport_of(w, token, key)


def transport_of(w, token: str, key=None) -> HttpTransport:
    key = key or keys.SigningKey.generate()
    enrollment = http_client.enroll("http://testserver", None, {"token": token, "public_key": key.public_b64,
                                                                "name": "tablet", "app_version": "0.2.0"},
                                    client=TestClient(w.app))
    return HttpTransport("http://testserver", enrollment["node_id"], key, client=TestClient(w.app))


def refused(call) -> SyncError:
    with pytest.raises(SyncError) as err:
        call()
    return err.value


def audit_rows(w) -> list[tuple]:
    return w.hub.conn.execute("SELECT user_id, action, subject, detail FROM hq_audit ORDER BY at").fetchall()


def test_a_device_code_enrolls_a_device_bound_to_the_technician(w):
    outlet = w.outlets[0]
    pc = connect(w, outlet)
    tech = w.user(outlet, "technician")
    out = pc.device_code(tech)
    assert out["technician_id"] == tech and out["expires_at"] > 0
    info = decode_code(out["code"])
    assert (info["url"], info["hub_id"]) == ("https://hq.example:8443", w.hub.hub_id)
    assert (f"node:{pc.node_id}", "device_code_created", outlet, tech) in audit_rows(w)
    device = transport_of(w, info["token"])
    row = w.hub.node(device.node_id)
    assert (row["kind"], row["technician_id"], row["outlet_id"]) == ("device", tech, outlet)
    with pytest.raises(SyncError) as used:  # one time only
        transport_of(w, info["token"])
    assert (used.value.status, used.value.code) == (401, "bad_token")


def test_the_outlet_lists_its_devices_with_last_sync_and_pending(w):
    outlet, other = w.outlets[0], w.outlets[1]
    pc = connect(w, outlet)
    tech = w.user(outlet, "technician")
    device = connect(w, outlet, tech)
    device.hello(pending=4)
    connect(w, other, w.user(other, "technician"))  # another outlet's device: not listed
    listed = pc.devices()
    assert [d["node_id"] for d in listed] == [device.node_id]
    d = listed[0]
    assert (d["technician_id"], d["status"], d["pending"], d["app_version"]) == (tech, "active", 4, "0.2.0")
    assert d["last_seen_at"] is not None and d["enrolled_at"] is not None and d["name"] == "tablet"


def test_retiring_a_device_stops_its_next_request(w):
    outlet = w.outlets[0]
    pc = connect(w, outlet)
    device = connect(w, outlet, w.user(outlet, "technician"))
    assert pc.retire_device(device.node_id) == {"node_id": device.node_id, "status": "revoked"}
    assert pc.devices()[0]["status"] == "revoked"
    err = refused(device.hello)
    assert (err.status, err.code) == (403, "revoked")
    assert (f"node:{pc.node_id}", "node_revoked", device.node_id, "") in audit_rows(w)
    err = refused(lambda: pc.retire_device(device.node_id))  # already
    assert (err.status, err.code) == (409, "node_revoked")


@pytest.mark.parametrize("lang, words", [("zh", "不是本网点在职的维修师傅"), ("en", "not an active technician")])
def test_a_code_only_for_an_active_technician_of_the_callers_outlet(w, lang, words):
    outlet, other = w.outlets[0], w.outlets[1]
    pc = connect(w, outlet)
    before = w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0]
    for who in (w.user(other, "technician"), w.user(outlet, "clerk"), "nobody"):
        err = refused(lambda who=who: pc.device_code(who, lang=lang))
        assert (err.status, err.code) == (404, "technician_unknown") and words in err.message
    tech = w.user(outlet, "technician")
    w.hub.write([{"op": "put", "table": "users", "id": tech, "fields": {"active": False}}])
    assert refused(lambda: pc.device_code(tech, lang=lang)).code == "technician_unknown"
    assert w.hub.conn.execute("SELECT COUNT(*) FROM enroll_tokens").fetchone()[0] == before  # nothing written


def test_a_device_may_not_administer_devices(w):
    outlet = w.outlets[0]
    tech = w.user(outlet, "technician")
    device = connect(w, outlet, tech)
    for call in (lambda: device.device_code(tech), device.devices, lambda: device.retire_device(device.node_id)):
        err = refused(call)
        assert (err.status, err.code) == (403, "forbidden") and "网点电脑" in err.message
    assert w.hub.node(device.node_id)["status"] == "active"


def test_only_a_device_of_the_callers_outlet_can_be_retired(w):
    outlet, other = w.outlets[0], w.outlets[1]
    pc = connect(w, outlet)
    theirs = connect(w, other, w.user(other, "technician"))
    other_pc = connect(w, outlet)  # a PC of the same outlet is not a device
    for node_id in (theirs.node_id, other_pc.node_id, "node-nope"):
        err = refused(lambda node_id=node_id: pc.retire_device(node_id, lang="en"))
        assert (err.status, err.code, err.message) == (404, "node_unknown", "This outlet has no such device.")
    assert w.hub.node(theirs.node_id)["status"] == w.hub.node(other_pc.node_id)["status"] == "active"


def test_the_technician_must_be_named(w):
    pc = connect(w, w.outlets[0])
    for body in ({}, {"technician_id": 5}):
        err = refused(lambda body=body: pc._send("POST", "/devices/codes", body=json.dumps(body).encode(),
                                                 headers={"Content-Type": "application/json"}))
        assert (err.status, err.code) == (400, "bad_request")
