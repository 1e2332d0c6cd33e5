"""Issue #13, item 6: accepting an unassigned order makes it the accepting technician's
(on the node, on HQ, in her 我的 list, so HQ's per-technician reports see it) while a
technician can take no order that is someone else's; the timeline starts with how the
order began. (The phone reveal reaching HQ's audit: test_order_detail.py.)"""
from fieldsync.testing.outlet import HOUR
from sync.hlc import now_ms
from tests import forge


def test_accepting_an_unassigned_order_assigns_it_to_the_technician_and_hq_has_her(env):
    oid = env.dispatch()  # HQ dispatched it to the outlet, nobody's yet
    assert env.svc.order.get(env.tech, oid).technician_name == ""
    env.svc.actions.accept(env.tech, oid)
    detail = env.svc.order.get(env.clerk, oid)
    assert (detail.status, detail.technician_name) == ("accepted", "张师傅")
    assert oid in [c.id for c in env.svc.orders.page(env.tech, "mine").cards]
    env.sync()
    assert env.hub("service_orders", oid)["technician_id"] == env.tech.user_id
    assert env.hub("service_orders", oid)["status"] == "accepted"
    assert env.w.hub.conn.execute("SELECT COUNT(*) FROM notices WHERE kind = 'refused'").fetchone()[0] == 0
    env.svc.actions.schedule(env.tech, oid, now_ms() + HOUR)  # hers to work on from now on
    env.refused("not_your_order", env.svc.actions.set_out, env.tech2, oid)


def test_an_assigned_order_keeps_its_technician_when_the_office_accepts_it(env):
    oid = env.dispatch(technician_id="technician-1b")
    env.svc.actions.accept(env.clerk, oid)
    env.sync()
    assert env.hub("service_orders", oid)["technician_id"] == "technician-1b"
    unassigned = env.dispatch()
    env.svc.actions.accept(env.clerk, unassigned)  # the office accepts for the outlet: nobody is assigned
    env.sync()
    assert env.hub("service_orders", unassigned)["technician_id"] is None


def test_hq_lets_a_technician_take_only_an_unassigned_order_and_only_for_herself(env):
    mine, theirs, other = env.dispatch(), env.dispatch(technician_id="technician-1b"), env.dispatch()
    tech = env.tech.user_id

    def put(oid, **fields):
        return {"op": "put", "table": "service_orders", "id": oid, "fields": fields}

    forge.log_change(env.node, tech, [put(mine, technician_id=tech)])
    forge.log_change(env.node, tech, [put(theirs, technician_id=tech)])  # someone else's order
    forge.log_change(env.node, tech, [put(other, technician_id="technician-1b")])  # not herself
    env.sync()
    assert env.hub("service_orders", mine)["technician_id"] == tech
    assert env.hub("service_orders", theirs)["technician_id"] == "technician-1b"
    assert env.hub("service_orders", other)["technician_id"] is None
    refused = env.w.hub.conn.execute("SELECT row_id, code FROM notices WHERE kind = 'refused'").fetchall()
    assert sorted(tuple(r) for r in refused) == sorted([(theirs, "forbidden"), (other, "forbidden")])


def test_the_timeline_starts_with_the_creation_and_the_dispatch(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    env.svc.actions.accept(env.tech, oid)
    zh = env.svc.order.get(env.tech, oid).timeline
    assert [(e.status, e.status_label) for e in zh] == [
        ("created", "总部受理"), ("dispatched", "派工至网点"), ("accepted", "已接单")]
    assert zh[1].reason == env.svc.ctx.one("SELECT name FROM outlets WHERE id = ?", (env.outlet,))["name"]
    assert zh[0].at <= zh[1].at <= zh[2].at and zh[1].at > now_ms() - HOUR
    en = env.svc.order.get(env.session(env.tech.user_id, "en"), oid).timeline
    assert [e.status_label for e in en[:2]] == ["Created at HQ", "Dispatched to the outlet"]
    phoned = env.svc.actions.create(env.clerk, contact_name="赵丽", contact_phone="139 1234 8888",
                                    address="上海市徐汇区漕溪北路88号", fault_description="不脱水")
    first = env.svc.order.get(env.clerk, phoned.id).timeline
    assert [(e.status, e.status_label) for e in first] == [("created", "网点来电登记")]
