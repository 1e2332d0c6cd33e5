"""Dispatch at HQ: the suggested outlet covers the customer's city, is qualified for the
product and has room, and the agent sees why (and why the others are left out); choosing
another outlet needs a reason and is recorded; a declined order goes to another outlet and
reaches that outlet's node with its history and customer; orders are cancelled with a
reason. Refusals (wrong role, unknown outlet, a step the status does not allow) change
nothing."""
import json


from fieldsync.demo.data import DEMO_PIN
from node.services import NodeServices
from shared.tables import outlet_bucket
from sync import hub_handlers
from sync.change import SCHEMA, decode_change
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round
from tests.hub.test_intake import LEAK, NEW_CALLER, NO_COOLING, counts, model, refused


def outlet(services, code) -> dict:
    return services.ctx.one("SELECT * FROM outlets WHERE code = ?", (code,))


def customer_in(services, city) -> dict:
    return services.ctx.one("SELECT * FROM customers WHERE city = ? ORDER BY id LIMIT 1", (city,))


def unqualified_category(o) -> str:
    quals = json.loads(o["qualifications"])
    return next(c for c in ("AC", "WM", "RF", "WH", "RH") if c not in quals)


def bucket_ops(hub, outlet_id) -> list[dict]:
    return [op for r in hub.rows("bucket_changes", "bucket = ?", (outlet_bucket(outlet_id),), order="seq")
            for op in decode_change(r["body"])["ops"]]


class Node:
    """An outlet node enrolled at the hub, synced in-process through the real handlers."""

    def __init__(self, hub, outlet_row, path):
        self.hub, self.key = hub, SigningKey.generate()
        self.store = NodeStore(path)
        enrollment = hub_handlers.enroll(hub, {
            "token": hub.create_enroll_token(outlet_row["id"]), "public_key": self.key.public_b64,
            "name": outlet_row["code"], "app_version": "test", "schema": SCHEMA})
        self.store.bind(enrollment)
        self.node_id = enrollment["node_id"]
        self.sync()
        self.svc = NodeServices(self.store)
        self.clerk = self.svc.login(f"{outlet_row['code'].lower()}.clerk", DEMO_PIN, pin=True)

    def sync(self):
        return sync_round(self.store, LocalTransport(self.hub, self.node_id), self.key)

    def order(self, order_id):
        rows = self.store.rows("service_orders", "id = ?", (order_id,))
        return rows[0] if rows else None

    def close(self):
        self.store.close()


def test_the_suggestion_covers_the_city_and_says_why_for_every_outlet(services, agent):
    sh01, sh02 = outlet(services, "SH01"), outlet(services, "SH02")
    cust = customer_in(services, json.loads(sh01["coverage"])[0])
    s = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=model(services)["id"])
    assert s.best.outlet_id == sh01["id"]
    why = " ".join(s.best.why("zh"))
    assert f"覆盖{cust['city']}" in why and "空调" in why and "容量" in why
    assert "covers" in " ".join(s.best.why("en"))
    others = {c.code: c for c in s.candidates[1:]}
    assert "SH02" in others and "同属华东大区" in " ".join(others["SH02"].why()) and others["SH02"].score < s.best.score
    excluded = {e.code: " ".join(e.why()) for e in s.excluded}
    assert set(excluded) == {"BJ01", "BJ02", "GZ01", "GZ02"}
    assert all("不在同一大区" in w for w in excluded.values())
    # a district in the coverage beats the city
    services.ctx.hub.write([{"op": "put", "table": "outlets", "id": sh02["id"], "fields": {
        "coverage": {"cities": [], "districts": ["徐汇区"]}}}])
    s = services.dispatch.suggest(agent, city=cust["city"], address=f"{cust['city']}市徐汇区漕溪北路1号",
                                  product_model_id=model(services)["id"])
    assert s.best.code == "SH02" and "覆盖徐汇区" in s.best.why()[0]


def test_an_unqualified_or_full_outlet_is_left_out_with_the_reason(services, agent, hub):
    sh02 = outlet(services, "SH02")
    cat = unqualified_category(sh02)
    cust = customer_in(services, json.loads(sh02["coverage"])[0])
    s = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=model(services, cat)["id"])
    gone = {e.code: " ".join(e.why()) for e in s.excluded}
    assert "SH02" in gone and "无" in gone["SH02"] and "维修资质" in gone["SH02"]
    assert s.best.code == "SH01"  # qualified for everything, same region
    open_now = services.dispatch.open_orders(sh02["id"])
    hub.write([{"op": "put", "table": "outlets", "id": sh02["id"], "fields": {"capacity": open_now}}])
    s = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=model(services)["id"])
    gone = {e.code: " ".join(e.why("en")) for e in s.excluded}
    assert f"full: {open_now} open orders" in gone["SH02"]


def test_the_suggestion_falls_to_the_next_outlet_as_load_grows(services, agent, hub):
    sh01 = outlet(services, "SH01")
    cust = customer_in(services, json.loads(sh01["coverage"])[0])
    m = model(services)["id"]
    first = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=m)
    load = services.dispatch.open_orders(sh01["id"])
    hub.write([{"op": "put", "table": "outlets", "id": sh01["id"], "fields": {"capacity": load + 1}}])
    tight = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=m)
    assert tight.best.code == "SH01" and tight.best.score < first.best.score
    services.intake.record_request(agent, type="repair", customer_id=cust["id"],
                                   order={"product_model_id": m, **NO_COOLING})
    full = services.dispatch.suggest(agent, customer_id=cust["id"], product_model_id=m)
    assert full.best.code == "SH02" and "SH01" in [e.code for e in full.excluded]


def test_an_override_needs_a_reason_and_is_recorded(services, agent):
    sh02 = outlet(services, "SH02")
    cust = customer_in(services, json.loads(outlet(services, "SH01")["coverage"])[0])
    order = {"product_model_id": model(services)["id"], **LEAK}
    e = refused(services, "override_reason", services.intake.record_request, agent, type="repair",
                customer_id=cust["id"], order=order, outlet_id=sh02["id"])
    assert "改派原因" in e.message("zh")
    rec = services.intake.record_request(agent, type="repair", customer_id=cust["id"], order=order,
                                         outlet_id=sh02["id"], override_reason="客户指定该网点")
    assert rec.outlet_id == sh02["id"] and rec.override
    [d] = services.dispatch.history(agent, rec.order_id)
    assert (d.outlet_code, d.suggested_code, d.override, d.reason) == ("SH02", "SH01", True, "客户指定该网点")
    assert d.by == agent.user_id
    audit = services.ctx.one("SELECT * FROM hq_audit WHERE action = 'order_dispatch' AND subject = ?", (rec.order_id,))
    assert audit["user_id"] == agent.user_id and "客户指定该网点" in audit["detail"]
    # confirming the suggestion the agent was shown needs no reason
    ok = services.intake.record_request(agent, type="repair", customer_id=cust["id"], order=order,
                                        outlet_id=outlet(services, "SH01")["id"])
    assert not ok.override and services.dispatch.history(agent, ok.order_id)[0].override is False


def test_dispatch_to_an_unknown_or_inactive_outlet_or_by_an_approver_is_refused(services, agent, approver, hub):
    cust = customer_in(services, "上海")
    order = {"product_model_id": model(services)["id"], **LEAK}
    refused(services, "outlet_unknown", services.intake.record_request, agent, type="repair",
            customer_id=cust["id"], order=order, outlet_id="no-such-outlet", override_reason="x")
    gz = outlet(services, "GZ01")
    hub.write([{"op": "put", "table": "outlets", "id": gz["id"], "fields": {"active": False}}])
    refused(services, "outlet_unknown", services.intake.record_request, agent, type="repair",
            customer_id=cust["id"], order=order, outlet_id=gz["id"], override_reason="x")
    e = refused(services, "role_forbidden", services.dispatch.create_order, approver, customer_id=cust["id"],
                type="repair", **order)
    assert "派单" in e.message("zh")
    refused(services, "role_forbidden", services.dispatch.suggest, approver, customer_id=cust["id"])


def test_no_fitting_outlet_asks_for_a_hand_choice(services, agent):
    cust = services.intake.save_customer(agent, **{**NEW_CALLER, "city": "拉萨", "address": "拉萨市城关区1号"})
    e = refused(services, "no_outlet", services.intake.record_request, agent, type="repair", customer_id=cust,
                order={"product_model_id": model(services)["id"], **NO_COOLING})
    assert "手动选择" in e.message("zh")


def test_a_dispatched_order_reaches_the_outlets_bucket_with_its_customer(services, agent, hub):
    rec = services.intake.record_request(agent, type="repair", customer=NEW_CALLER,
                                         order={"product_model_id": model(services)["id"], **LEAK})
    ops = bucket_ops(hub, rec.outlet_id)
    order_ops = [op for op in ops if op["table"] == "service_orders" and op["id"] == rec.order_id]
    assert order_ops and order_ops[0]["fields"]["number"] == rec.order_number
    assert any(op["table"] == "customers" and op["id"] == rec.customer_id for op in ops)
    assert services.ctx.hub.meta_get("hq_order_counter") == int(rec.order_number[3:])


def test_a_declined_order_is_redispatched_and_moves_to_the_other_outlets_node(services, agent, hub, tmp_path):
    sh01, sh02 = outlet(services, "SH01"), outlet(services, "SH02")
    cust = customer_in(services, json.loads(sh01["coverage"])[0])
    node1 = Node(hub, sh01, tmp_path / "sh01.db")
    try:
        rec = services.intake.record_request(agent, type="repair", customer_id=cust["id"],
                                             order={"product_model_id": model(services)["id"],
                                                    **NO_COOLING})
        assert rec.outlet_id == sh01["id"]
        node1.sync()
        assert node1.order(rec.order_id)["number"] == rec.order_number
        assert node1.store.rows("customers", "id = ?", (cust["id"],))
        # the outlet hands it back
        node1.svc.actions.decline(node1.clerk, rec.order_id, "师傅排班已满，无法按时上门")
        node1.sync()
        assert services.ctx.row("service_orders", rec.order_id)["status"] == "declined"
        queue = services.dispatch.queue(agent)
        item = next(q for q in queue if q.id == rec.order_id)
        assert item.decline_reason == "师傅排班已满，无法按时上门" and item.outlet_code == "SH01"
        assert (item.status_label, item.number) == ("网点退单", rec.order_number)
        shown = services.dispatch.order(agent, rec.order_id)
        assert (shown.decline_reason, shown.outlet_name) == ("师傅排班已满，无法按时上门", sh01["name"])
        s = services.dispatch.suggest_for(agent, rec.order_id)
        assert s.best.code == "SH02"
        assert "已退过此单" in " ".join(next(e for e in s.excluded if e.code == "SH01").why())
        # re-dispatch to the suggestion
        moved = services.dispatch.redispatch(agent, rec.order_id, sh02["id"])
        assert (moved.outlet_id, moved.outlet_name, moved.number) == (sh02["id"], sh02["name"], rec.order_number)
        order = services.ctx.row("service_orders", rec.order_id)
        assert (order["status"], order["outlet_id"], order["number"]) == ("new", sh02["id"], rec.order_number)
        assert rec.order_id not in [q.id for q in services.dispatch.queue(agent)]
        last = services.dispatch.history(agent, rec.order_id)[-1]
        assert (last.kind, last.from_outlet_id, last.decline_reason) == \
            ("redispatch", sh01["id"], "师傅排班已满，无法按时上门")
        node2 = Node(hub, sh02, tmp_path / "sh02.db")
        try:
            got = node2.order(rec.order_id)
            assert got["status"] == "new" and got["outlet_id"] == sh02["id"]
            assert node2.store.rows("order_events", "order_id = ?", (rec.order_id,))  # the decline came along
            assert node2.store.rows("customers", "id = ?", (cust["id"],))
        finally:
            node2.close()
        node1.sync()
        assert node1.order(rec.order_id)["outlet_id"] == sh02["id"]  # the old outlet sees it moved
        # it is not declined any more: a second re-dispatch is refused
        e = refused(services, "illegal_transition", services.dispatch.redispatch, agent, rec.order_id,
                    sh01["id"], override_reason="x")
        assert "待接单" in e.message("zh") and "改派" in e.message("zh")
    finally:
        node1.close()


def test_redispatch_of_an_order_that_was_not_declined_is_refused(services, agent):
    statuses = [r["status"] for r in services.ctx.query(
        "SELECT DISTINCT status FROM service_orders WHERE status != 'declined'")]
    assert {"new", "completed", "closed"} <= set(statuses)
    for status in statuses:
        oid = services.ctx.one("SELECT id FROM service_orders WHERE status = ? LIMIT 1", (status,))["id"]
        e = refused(services, "illegal_transition", services.dispatch.redispatch, agent, oid)
        assert "改派" in e.message("zh")
    refused(services, "not_found", services.dispatch.redispatch, agent, "no-such-order")


def test_hq_cancels_an_order_with_a_reason(services, agent, approver, hub, clock):
    rec = services.intake.record_request(agent, type="repair", customer=NEW_CALLER,
                                         order={"product_model_id": model(services)["id"], **LEAK})
    refused(services, "required", services.dispatch.cancel, agent, rec.order_id, " ")
    refused(services, "role_forbidden", services.dispatch.cancel, approver, rec.order_id, "客户取消")
    clock.advance(60_000)
    services.dispatch.cancel(agent, rec.order_id, "客户已自行处理")
    order = hub.rows("service_orders", "id = ?", (rec.order_id,))[0]
    assert (order["status"], order["closed_reason"], order["closed_at"]) == ("cancelled", "客户已自行处理", clock())
    e = refused(services, "illegal_transition", services.dispatch.cancel, agent, rec.order_id, "again")
    assert "已取消" in e.message("zh")
    closed = services.ctx.one("SELECT id FROM service_orders WHERE status = 'closed' LIMIT 1")["id"]
    refused(services, "illegal_transition", services.dispatch.cancel, agent, closed, "客户取消")


def test_the_hq_counter_survives_numbers_minted_elsewhere(services, agent, hub):
    """Orders the demo simulation numbered itself do not make HQ mint a duplicate."""
    m = model(services)["id"]
    first = services.intake.record_request(agent, type="install", customer=NEW_CALLER, order={"product_model_id": m})
    n = int(first.order_number[3:])
    hub.write([{"op": "put", "table": "service_orders", "id": "elsewhere", "fields": {
        "number": f"HQ-{n + 5:07d}", "customer_id": first.customer_id, "type": "install", "status": "new"}}])
    again = services.intake.record_request(agent, type="install", customer_id=first.customer_id,
                                           order={"product_model_id": m})
    assert again.order_number == f"HQ-{n + 6:07d}"
    before = counts(services)
    assert before["counter"] == n + 6


def hub_decline(hub, order_id, reason="超出网点服务范围"):
    """The outlet's decline as the hub holds it after the node's sync."""
    hub.write([{"op": "add", "table": "order_events", "id": f"ev-{order_id}", "fields": {
        "order_id": order_id, "to_status": "declined", "reason": reason, "at": 1}},
        {"op": "put", "table": "service_orders", "id": order_id, "fields": {"status": "declined"}}])


def test_sending_a_declined_order_back_to_the_outlet_that_declined_it_needs_a_reason(services, agent, hub):
    rec = services.intake.record_request(agent, type="repair", customer=NEW_CALLER,
                                         order={"product_model_id": model(services)["id"], **LEAK})
    hub_decline(hub, rec.order_id)
    refused(services, "override_reason", services.dispatch.redispatch, agent, rec.order_id, rec.outlet_id)
    services.dispatch.redispatch(agent, rec.order_id, rec.outlet_id, override_reason="客户坚持由原网点上门，已协调排班")
    assert services.ctx.row("service_orders", rec.order_id)["status"] == "new"
    last = services.dispatch.history(agent, rec.order_id)[-1]
    assert last.override and last.decline_reason == "超出网点服务范围"


def test_redispatch_without_an_outlet_takes_the_best_suggestion(services, agent, hub):
    rec = services.intake.record_request(agent, type="repair", customer=NEW_CALLER,
                                         order={"product_model_id": model(services)["id"], **LEAK})
    hub_decline(hub, rec.order_id)
    expected = services.dispatch.suggest_for(agent, rec.order_id).best.outlet_id
    assert expected != rec.outlet_id
    assert services.dispatch.redispatch(agent, rec.order_id).outlet_id == expected


def test_an_order_without_an_outlet_waits_in_the_queue_and_is_dispatched_from_it(services, agent, hub):
    cust = customer_in(services, "上海")
    hub.write([{"op": "put", "table": "service_orders", "id": "held", "fields": {
        "number": "HQ-9000001", "customer_id": cust["id"], "type": "repair", "status": "new",
        "product_model_id": model(services)["id"], "address": cust["address"], "source": "hub"}}])
    assert "held" in [q.id for q in services.dispatch.queue(agent)]
    outlet_id = services.dispatch.redispatch(agent, "held").outlet_id
    assert services.ctx.row("service_orders", "held")["outlet_id"] == outlet_id
    assert services.dispatch.history(agent, "held")[-1].kind == "dispatch"
    assert "held" not in [q.id for q in services.dispatch.queue(agent)]


def test_the_screens_dispatch_override_and_redispatch(services, agent, hub):
    from hub.ui.views.dispatch import DispatchView
    from hub.ui.views.intake import IntakeView
    from tests.hub.test_intake import FakeShell
    sh01, sh02 = outlet(services, "SH01"), outlet(services, "SH02")
    cust = customer_in(services, json.loads(sh01["coverage"])[0])
    sh = FakeShell(services, agent)
    v = sh.view = IntakeView(sh)
    v._lookup(cust["phone"])
    v._kind("repair")
    v.form.update(product_model_id=model(services)["id"], fault_code="AC01", fault_description="不制冷")
    sh.render()
    card = services.intake.card(agent, cust["id"])
    v._dispatch(card, sh02["id"], sh01["id"])
    assert sh.errors == ["override_reason"]
    v.reason = "客户指定"
    v._dispatch(card, sh02["id"], sh01["id"])
    assert f"已派至 {sh02['name']}" in v.done() and "改派：客户指定" in v.done()
    order = services.ctx.one("SELECT * FROM service_orders ORDER BY number DESC LIMIT 1")
    assert order["outlet_id"] == sh02["id"]
    hub_decline(hub, order["id"])
    d = sh.view = DispatchView(sh)
    sh.render()
    d._open(order["id"])
    assert services.dispatch.redispatch(agent, order["id"]).outlet_id == sh01["id"]
    d._open(None)
    assert sh.errors == ["override_reason"]
