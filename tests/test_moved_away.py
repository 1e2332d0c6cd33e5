"""HQ takes an active order back and re-dispatches it while the technician who works it is
offline: his later pushes on the order are refused `moved_away` (not applied, told to his
device and his outlet in words), kept whole at HQ (`late_work`) for HQ to read, and the
new outlet gets the order with nobody assigned; the old outlet's manager gets HQ's notice.
The rest of the technician's work in the same push still counts."""
import json

import pytest

from hub.services import HubServices, HubSession
from fieldsync.testing.world import World, uid
from shared import notices
from shared.errors import ServiceError
from shared.tables import TABLES
from sync import merge


def row(conn, table, row_id):
    return merge.load(getattr(conn, "conn", conn), TABLES[table], row_id)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


def test_late_work_of_the_old_outlet_is_refused_moved_away_and_kept_for_hq(world):
    w = world
    old, new = w.outlets
    tech = w.user(old, "technician")
    order = w.dispatch(old, status="accepted", technician_id=tech)
    device, pc_old, pc_new = w.device(tech), w.node(old), w.node(new)
    for n in (device, pc_old, pc_new):
        n.sync()
    assert row(device.store, "service_orders", order)["technician_id"] == tech

    # Offline: the technician goes on his way, notes the fault, and hands back a part.
    event = uid()
    device.store.write(tech, [{"op": "add", "table": "order_events", "id": event,
                               "fields": {"order_id": order, "to_status": "scheduled", "at": 1}},
                              {"op": "put", "table": "service_orders", "id": order,
                               "fields": {"notes": "客户改约周六"}}])

    services = HubServices(w.hub)
    hq = HubSession.of_system("test")
    with pytest.raises(ServiceError) as e:  # a reason is required; nothing moves
        services.order_actions.take_back(hq, order, " ", outlet_id=new, override_reason="网点超负荷")
    assert e.value.code == "required" and row(w.hub, "service_orders", order)["outlet_id"] == old
    with pytest.raises(ServiceError) as e:
        services.order_actions.take_back(hq, order, "客户投诉升级", outlet_id=old, override_reason="x")
    assert e.value.code == "same_outlet"
    moved = services.order_actions.take_back(hq, order, "客户投诉升级，改派", outlet_id=new,
                                             override_reason="原网点超时未上门")
    assert moved.outlet_id == new
    at_hq = row(w.hub, "service_orders", order)
    assert (at_hq["status"], at_hq["outlet_id"], at_hq["technician_id"]) == ("new", new, None)

    result = device.sync()  # back online
    assert {r["code"] for r in result.rejected} == {"moved_away"}
    assert row(w.hub, "order_events", event) is None           # not applied
    assert row(w.hub, "service_orders", order)["notes"] != "客户改约周六"
    late = services.order_actions.late_work(hq, order)
    assert sorted(x.table for x in late) == ["order_events", "service_orders"]
    kept = next(x for x in late if x.table == "order_events")
    assert kept.op["fields"] == {"order_id": order, "to_status": "scheduled", "at": 1}   # whole
    assert kept.outlet_code == "SH01"
    # The device is told why, in words.
    refused = device.store.refused()
    assert {r["code"] for r in refused} == {"moved_away"} and all("HQ took" in r["message"] for r in refused)

    pc_new.sync()
    there = row(pc_new.store, "service_orders", order)
    assert (there["status"], there["outlet_id"], there["technician_id"]) == ("new", new, None)
    pc_old.sync()
    told = [r for r in pc_old.store.rows("notices", "kind = ?", ("taken_back",))]
    detail = json.loads(told[0]["detail"])
    assert len(told) == 1 and "客户投诉升级，改派" in notices.render(detail, "zh")
    assert "took order" in notices.render(detail, "en")


def test_a_refused_take_back_changes_nothing(world):
    w = world
    old, new = w.outlets
    services = HubServices(w.hub)
    hq = HubSession.of_system("test")
    done = w.dispatch(old, status="completed")
    with pytest.raises(ServiceError) as e:
        services.order_actions.take_back(hq, done, "客户要求", outlet_id=new, override_reason="x")
    assert e.value.code == "illegal_transition" and "收回改派" in e.value.message("zh")
    with pytest.raises(ServiceError) as e:
        services.order_actions.take_back(hq, "no-such-order", "客户要求", outlet_id=new, override_reason="x")
    assert e.value.code == "not_found"
    assert row(w.hub, "service_orders", done)["outlet_id"] == old
    assert w.hub.conn.execute("SELECT COUNT(*) FROM outlet_moves").fetchone()[0] == 0
