"""A device code enrolls a technician's device bound to that technician: it reads the
technician's bucket, not the outlet's; a code for a technician who left is refused and
stays unused; the device's unsynced work count reaches HQ with its hello."""
import pytest

from fieldsync.testing.world import World
from shared.tables import GLOBAL_BUCKET, outlet_bucket, tech_bucket
from sync import hub_handlers
from sync.errors import BadToken, Forbidden
from sync.keys import SigningKey


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    yield world
    world.close()


def test_device_is_bound_to_its_technician(w):
    tech = w.user("outlet-1", "technician")
    device = w.device(tech)
    assert (device.store.kind, device.store.technician_id) == ("device", tech)
    assert device.store.buckets == [tech_bucket(tech), GLOBAL_BUCKET]
    row = w.hub.node(device.node_id)
    assert (row["kind"], row["technician_id"], row["outlet_id"]) == ("device", tech, "outlet-1")
    pc = w.node("outlet-1")
    assert (pc.store.kind, pc.store.buckets) == ("outlet", [outlet_bucket("outlet-1"), GLOBAL_BUCKET])


def test_device_may_not_read_the_outlet_bucket(w):
    device = w.device(w.user("outlet-1", "technician"))
    with pytest.raises(Forbidden):
        hub_handlers.pull(w.hub, device.node_id, outlet_bucket("outlet-1"), 0)


@pytest.mark.parametrize("change", [{"active": False}, {"outlet_id": "outlet-2"}])
def test_code_of_a_technician_who_left_is_refused_and_kept_unused(w, change):
    tech = w.user("outlet-1", "technician")
    token = w.hub.create_enroll_token("outlet-1", technician_id=tech)
    w.hub.write([{"op": "put", "table": "users", "id": tech, "fields": change}])
    request = {"token": token, "public_key": SigningKey.generate().public_b64}
    with pytest.raises(BadToken, match="no longer works"):
        hub_handlers.enroll(w.hub, request)
    assert not [n for n in w.hub.node_list() if n.get("technician_id") == tech]
    w.hub.write([{"op": "put", "table": "users", "id": tech,
                  "fields": {"active": True, "outlet_id": "outlet-1"}}])
    assert hub_handlers.enroll(w.hub, request)["technician_id"] == tech  # the code was not spent


def test_hello_reports_the_devices_unsynced_work(w):
    device = w.device(w.user("outlet-1", "technician"))
    device.sync()
    assert w.hub.node(device.node_id)["pending"] == 0
    order = w.dispatch("outlet-1")
    w.hub.write([{"op": "put", "table": "service_orders", "id": order,
                  "fields": {"technician_id": device.store.technician_id}}])
    transport = device.transport()
    transport.hello(pending=3)
    assert w.hub.node(device.node_id)["pending"] == 3
    with pytest.raises(Exception, match="pending"):
        transport.hello(pending=-1)
