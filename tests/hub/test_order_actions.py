"""HQ acting on an order: an order for a city no outlet covers is saved and waits in the
dispatch queue for a person; HQ takes an active order back and re-dispatches it (the old
outlet is told, the move is in the dispatch history); notes of actions, optionally sent to
the outlet as a notice. Wrong roles, unknown orders and empty texts are refused in words
and change nothing. (tests/test_moved_away.py: the old outlet's late pushes.)"""
import json

from tests.hub.test_dispatch import outlet
from tests.hub.test_intake import NEW_CALLER, NO_COOLING, model, refused


def notices_of(services, outlet_id, kind):
    return services.ctx.query("SELECT * FROM notices WHERE outlet_id = ? AND kind = ?", (outlet_id, kind))


def test_an_uncovered_city_is_saved_and_waits_for_a_hand_dispatch(services, agent):
    cust = services.intake.save_customer(agent, **{**NEW_CALLER, "city": "拉萨", "address": "拉萨市城关区1号"})
    order = {"product_model_id": model(services)["id"], **NO_COOLING}
    rec = services.intake.record_request(agent, type="repair", customer_id=cust, manual_dispatch=True, order=order)
    order = services.ctx.row("service_orders", rec.order_id)
    assert (order["status"], order["outlet_id"], rec.outlet_id) == ("new", None, None)
    assert rec.order_number in [q.number for q in services.dispatch.queue(agent)]
    gz01 = outlet(services, "GZ01")
    moved = services.dispatch.redispatch(agent, rec.order_id, gz01["id"], override_reason="由广州网点代管")
    assert services.ctx.row("service_orders", rec.order_id)["outlet_id"] == gz01["id"] == moved.outlet_id


def test_hq_takes_an_active_order_back_and_its_outlet_is_told(services, agent, approver):
    order = services.ctx.one("SELECT * FROM service_orders WHERE status = 'scheduled' AND outlet_id IS NOT NULL "
                             "ORDER BY number LIMIT 1")
    old = order["outlet_id"]
    other = services.ctx.one("SELECT id FROM outlets WHERE id != ? ORDER BY code LIMIT 1", (old,))["id"]
    e = refused(services, "role_forbidden", services.order_actions.take_back, approver, order["id"], "超时",
                other, override_reason="x")
    assert "派单" in e.message("zh")
    refused(services, "required", services.order_actions.take_back, agent, order["id"], "", other,
            override_reason="x")
    assert services.ctx.row("service_orders", order["id"])["outlet_id"] == old
    services.order_actions.take_back(agent, order["id"], "客户投诉网点超时，总部收回", other,
                                     override_reason="就近改派")
    now = services.ctx.row("service_orders", order["id"])
    assert (now["status"], now["outlet_id"], now["technician_id"]) == ("new", other, None)
    [told] = notices_of(services, old, "taken_back")
    assert json.loads(told["detail"])["params"]["reason"] == "客户投诉网点超时，总部收回"
    last = services.dispatch.history(agent, order["id"])[-1]
    assert (last.kind, last.from_outlet_id, last.decline_reason) == ("take_back", old, "客户投诉网点超时，总部收回")


def test_notes_are_kept_and_one_can_reach_the_outlet(services, agent, approver):
    order = services.ctx.one("SELECT * FROM service_orders WHERE status IN ('scheduled', 'on_site', 'en_route') "
                             "AND outlet_id IS NOT NULL ORDER BY number LIMIT 1")
    services.order_actions.note(approver, order["id"], "已致电网点经理催办")
    services.order_actions.note(agent, order["id"], "请今天内联系客户确认上门时间", notify=True)
    notes = services.order_actions.notes(agent, order["id"])
    assert [(n.text, n.notified) for n in notes] == [("已致电网点经理催办", False),
                                                     ("请今天内联系客户确认上门时间", True)]
    [sent] = notices_of(services, order["outlet_id"], "hq_note")
    assert "请今天内联系客户确认上门时间" in sent["message"] and sent["row_id"] == order["id"]
    before = services.ctx.scalar("SELECT COUNT(*) FROM hq_order_notes")
    refused(services, "required", services.order_actions.note, agent, order["id"], "  ")
    refused(services, "too_long", services.order_actions.note, agent, order["id"], "长" * 501)
    refused(services, "not_found", services.order_actions.note, agent, "no-such-order", "x")
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_order_notes") == before


def test_an_order_number_that_does_not_exist_is_said_in_words(services, agent):
    e = refused(services, "not_found", services.dispatch.find, agent, "HQ-9999999")
    assert "找不到该" in e.message("zh") and "not found" in e.message("en")
