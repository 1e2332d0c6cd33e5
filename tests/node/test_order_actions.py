"""A technician works an order from dispatch to completion on the node, offline, and HQ
sees every step after sync; steps the state machine, the role or the outlet does not
allow are refused at once, in words, and nothing is written."""
from sync.hlc import now_ms
from fieldsync.testing.outlet import HOUR, days_ago

SIGNATURE = b"\x89PNG\r\n\x1a\n" + "王建国签名".encode() * 40
PHOTO = b"\xff\xd8\xff\xe0" + "维修后照片".encode() * 200


def test_the_whole_visit_reaches_hq(env):
    a, t = env.svc.actions, env.tech
    oid = env.dispatch(technician_id=t.user_id)
    a.accept(t, oid)
    appointment = now_ms() + 2 * HOUR
    a.schedule(t, oid, appointment)
    a.set_out(t, oid)
    a.arrive(t, oid)
    a.update_details(t, oid, fault_description="室内机漏水，排水管堵塞", serial_no="AC35-2023-0618-0042",
                     notes="客户要求下午上门")
    a.update_details(t, oid, notes="")  # cleared
    a.wait_for_parts(t, oid, "需要更换排水管")
    assert env.svc.order.get(t, oid).status == "waiting_parts"
    a.schedule(t, oid, appointment + 24 * HOUR)
    a.set_out(t, oid)
    a.arrive(t, oid)
    a.complete(t, oid, "疏通排水管并重新调整室内机水平，试机正常", signature=SIGNATURE, photos=[PHOTO])
    detail = env.svc.order.get(t, oid)
    assert detail.status == "completed" and detail.status_label == "已完工" and detail.status_pending
    assert [e.status for e in detail.timeline] == ["created", "dispatched", "accepted", "scheduled", "en_route",
                                                  "on_site", "waiting_parts", "scheduled", "en_route", "on_site",
                                                  "completed"]
    assert detail.timeline[6].reason == "需要更换排水管" and detail.timeline[2].actor_name == "张师傅"
    assert {x.kind for x in detail.attachments} == {"signature", "photo"}
    assert sorted(env.blobs.values()) == sorted([SIGNATURE, PHOTO])  # queued for upload with the change
    env.sync()
    hub = env.hub("service_orders", oid)
    assert hub["status"] == "completed"
    assert hub["resolution"].startswith("疏通排水管")
    assert hub["appointment_at"] == appointment + 24 * HOUR
    assert hub["serial_no"] == "AC35-2023-0618-0042" and hub["notes"] is None
    assert env.w.hub.conn.execute("SELECT COUNT(*) FROM attachments WHERE order_id = ?", (oid,)).fetchone()[0] == 2
    assert not env.svc.order.get(t, oid).status_pending  # HQ confirmed it


def test_decline_needs_a_reason_and_hq_sees_it(env):
    oid = env.dispatch()
    env.refused("required", env.svc.actions.decline, env.clerk, oid, "  ")
    env.svc.actions.decline(env.clerk, oid, "超出本网点服务范围")
    env.sync()
    assert env.hub("service_orders", oid)["status"] == "declined"
    reason = env.w.hub.conn.execute("SELECT reason FROM order_events WHERE order_id = ?", (oid,)).fetchone()[0]
    assert reason == "超出本网点服务范围"


def test_a_step_the_state_machine_does_not_allow_is_refused(env):
    oid = env.dispatch()
    err = env.refused("illegal_transition", env.svc.actions.complete, env.tech, oid, "已修好")
    assert "待接单" in err.message("zh") and "complete" in err.message("en")
    env.refused("illegal_transition", env.svc.actions.arrive, env.tech, oid)
    env.svc.actions.accept(env.tech, oid)
    env.refused("illegal_transition", env.svc.actions.accept, env.tech, oid)  # twice
    env.refused("required", env.svc.actions.complete, env.tech, env.on_site(), "")


def test_a_technician_works_only_on_their_own_orders(env):
    oid = env.dispatch(technician_id="technician-1b")
    err = env.refused("not_your_order", env.svc.actions.accept, env.tech, oid)
    assert "李师傅" in err.message("zh")
    env.svc.actions.accept(env.tech2, oid)  # the assigned technician may
    env.svc.actions.schedule(env.clerk, oid, now_ms() + HOUR)  # and so may the office


def test_assigning_is_for_the_office(env):
    oid = env.dispatch()
    err = env.refused("role_forbidden", env.svc.actions.assign, env.tech, oid, env.tech.user_id)
    assert err.message("zh") == "只有网点文员或网点经理可以派工。"
    assert err.message("en") == "Only clerk or outlet manager may assign a technician."
    env.refused("technician_invalid", env.svc.actions.assign, env.clerk, oid, env.clerk.user_id)
    env.refused("technician_invalid", env.svc.actions.assign, env.clerk, oid, "technician-2")  # other outlet
    assert [p.name for p in env.svc.people.technicians(env.clerk)] == ["张师傅", "李师傅"]
    env.svc.actions.assign(env.manager, oid, "technician-1b")
    assert env.svc.order.get(env.clerk, oid).technician_name == "李师傅"
    env.sync()
    assert env.hub("service_orders", oid)["technician_id"] == "technician-1b"


def test_an_order_phoned_in_to_the_outlet_enters_as_accepted(env):
    svc, clerk = env.svc, env.clerk
    created = svc.actions.create(clerk, contact_name="赵丽", contact_phone="139 1234 8888",
                                 address="上海市徐汇区漕溪北路88号", type="repair", product_model_id="PM-WM-100",
                                 purchase_date=days_ago(300), fault_description="洗衣机不脱水，显示E21",
                                 fault_code="E21", technician_id=env.tech.user_id)
    assert created.number == "SH01-A-000001"
    detail = svc.order.get(clerk, created.id)
    assert detail.status == "accepted" and detail.status_label == "已接单"  # before HQ has seen it
    assert detail.phone_masked == "139****8888" and detail.warranty == "in"
    assert detail.action("scheduled") and detail.action("declined")
    svc.actions.schedule(env.tech, created.id, now_ms() + HOUR)  # works on the new order offline
    env.sync()
    hub = env.hub("service_orders", created.id)
    assert hub["number"] == "SH01-A-000001" and hub["outlet_id"] == env.outlet and hub["source"] == "outlet"
    assert hub["status"] == "scheduled"
    assert svc.order.get(clerk, created.id).status == "scheduled"


def test_creating_an_order_checks_the_role_and_the_form(env):
    form = dict(contact_name="赵丽", contact_phone="13912348888", address="上海市徐汇区漕溪北路88号",
                fault_description="空调不制冷")
    env.refused("role_forbidden", env.svc.actions.create, env.tech, **form)
    env.refused("bad_phone", env.svc.actions.create, env.clerk, **{**form, "contact_phone": "12ab"})
    err = env.refused("required", env.svc.actions.create, env.clerk, **{**form, "address": ""})
    assert err.field == "address" and err.message("zh") == "请填写地址。"
    env.refused("bad_date", env.svc.actions.create, env.clerk, **form, purchase_date="2099-01-01")
    env.refused("bad_choice", env.svc.actions.create, env.clerk, **form, product_model_id="PM-NONE")
    env.refused("bad_choice", env.svc.actions.create, env.clerk, **form, type="praise")


def test_an_order_hq_moved_to_another_outlet_cannot_be_worked_on(env):
    oid = env.dispatch()
    env.w.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {"outlet_id": env.w.outlets[1]}}])
    env.sync()
    err = env.refused("foreign_outlet", env.svc.actions.accept, env.tech, oid)
    assert "改派" in err.message("zh")
    env.refused("foreign_outlet", env.svc.order.get, env.clerk, oid)
    assert oid not in [c.id for c in env.svc.orders.page(env.clerk).cards]


def test_a_finished_order_cannot_be_reassigned(env):
    oid = env.dispatch()
    env.w.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {"status": "cancelled"}}])
    env.sync()
    exc = env.refused("order_cancelled", env.svc.actions.assign, env.clerk, oid, env.tech.user_id)
    assert exc.message("zh") == "总部已取消该工单（原因：未说明原因），不能再派工。"
    env.refused("order_cancelled", env.svc.actions.accept, env.tech, oid)


def test_a_change_to_an_order_hq_cancelled_is_refused_with_hqs_reason(env):
    """On the node (the order already pulled cancelled) and in the sync panel (the accept
    made offline, refused by HQ): both say why HQ cancelled it, in the user's language."""
    oid = env.dispatch(technician_id=env.tech.user_id)
    env.svc.actions.accept(env.tech, oid)  # offline: HQ cancels meanwhile
    env.w.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {
        "status": "cancelled", "closed_reason": "客户已自行修好"}}])
    env.sync()
    [refused] = [r for r in env.svc.sync.view(env.clerk).refused if r.table == "order_events"]
    assert refused.reason == "工单状态已变化，此操作不再允许。 总部已取消该工单，原因：客户已自行修好"
    en = env.svc.sync.view(env.session(env.clerk.user_id, "en")).refused
    assert "HQ cancelled the order: 客户已自行修好" in [r for r in en if r.table == "order_events"][0].reason
    exc = env.refused("order_cancelled", env.svc.actions.update_details, env.tech, oid, notes="已联系客户")
    assert exc.message("zh") == "总部已取消该工单（原因：客户已自行修好），不能再修改工单。"
    assert exc.message("en") == "HQ cancelled this order (客户已自行修好); you can no longer edit the order."


def test_a_user_hq_deactivated_is_stopped_at_the_next_action(env):
    oid = env.dispatch()
    tech = env.tech
    env.w.hub.write([{"op": "put", "table": "users", "id": tech.user_id, "fields": {"active": False}}])
    env.sync()
    env.refused("user_inactive", env.svc.actions.accept, tech, oid)


def test_rescheduling_moves_only_the_appointment(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    a, t = env.svc.actions, env.tech
    a.accept(t, oid)
    a.schedule(t, oid, now_ms() + HOUR)
    a.schedule(t, oid, now_ms() + 5 * HOUR)
    detail = env.svc.order.get(t, oid)
    assert [e.status for e in detail.timeline] == ["created", "dispatched", "accepted", "scheduled"]
    env.refused("bad_time", a.schedule, t, oid, "明天上午")
    env.sync()
    assert env.hub("service_orders", oid)["status"] == "scheduled"


def test_completion_takes_photos_of_several_types_or_refuses_them_all(env):
    oid = env.on_site()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    env.refused("attachment_type", env.svc.actions.complete, env.tech, oid, "更换门封条",
                signature=SIGNATURE, photos=[(PHOTO, "image/jpeg"), (b"%PDF-1.4", None)])
    assert env.blobs == {}  # nothing queued either
    env.svc.actions.complete(env.tech, oid, "更换门封条", signature=SIGNATURE,
                             photos=[(PHOTO, "image/jpeg"), (png, "image/png")])
    detail = env.svc.order.get(env.tech, oid)
    assert sorted((a.kind, a.mime) for a in detail.attachments) == [
        ("photo", "image/jpeg"), ("photo", "image/png"), ("signature", "image/png")]


def test_on_site_details_are_checked(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    env.refused("not_your_order", env.svc.actions.update_details, env.tech2, oid, serial_no="X-1")
    env.refused("bad_date", env.svc.actions.update_details, env.tech, oid, purchase_date="2024-13-01")
    env.refused("bad_choice", env.svc.actions.update_details, env.tech, oid, product_model_id="PM-NONE")
    env.svc.actions.update_details(env.tech, oid, product_model_id="PM-WM-100", fault_code="E21")
    detail = env.svc.order.get(env.tech, oid)
    assert (detail.model_code, detail.fault_code) == ("XQG100-B14", "E21")
    env.w.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {"status": "cancelled"}}])
    env.sync()
    env.refused("order_cancelled", env.svc.actions.update_details, env.tech, oid, notes="客户取消")


def test_an_order_phoned_in_by_a_known_customer_names_them_found_by_phone(env):
    """The clerk finds the outlet's customer by the number the caller gives (spaced,
    dashed or with +86), the order names the customer and HQ accepts it; a customer HQ
    merged into another is found as that one; bad input changes nothing."""
    env.w.hub.write([{"op": "put", "table": "customers", "id": "C-1-old", "fields": {
        "name": "王建国（旧）", "phone": "138-1234-5678", "merged_into": "C-1", "created_at": now_ms()}}])
    env.dispatch()  # an order of 王建国's: his record is the outlet's
    env.dispatch(customer_id="C-1-old")
    svc, clerk = env.svc, env.clerk
    for typed in ("138 1234 5678", "+86 138-1234-5678", "5678"):
        assert [(c.id, c.name, c.phone_masked) for c in svc.customers.by_phone(clerk, typed)] == [
            ("C-1", "王建国", "138****5678")], typed
    assert svc.customers.by_phone(clerk, "139 0000 0000") == ()
    err = env.refused("customer_phone_search", svc.customers.by_phone, clerk, "王建国")
    assert err.message("zh") == "请输入客户的电话号码（至少4位数字）来查找。"
    env.refused("customer_phone_search", svc.customers.by_phone, clerk, "567")
    env.refused("role_forbidden", svc.customers.by_phone, env.tech, "5678")

    form = dict(contact_name="", contact_phone="", address="", fault_description="空调又不制冷了")
    env.refused("bad_choice", svc.actions.create, clerk, **form, customer_id="C-nobody")
    env.refused("bad_choice", svc.actions.create, clerk, **form, customer_id="C-1-old")  # merged: name C-1
    env.refused("bad_phone", svc.actions.create, clerk, **{**form, "contact_phone": "12ab"}, customer_id="C-1")
    created = svc.actions.create(clerk, **form, customer_id="C-1")
    detail = svc.order.get(clerk, created.id)
    assert (detail.customer_name, detail.phone_masked, detail.address) == (
        "王建国", "138****5678", "上海市浦东新区张杨路500号")
    assert created.number in {c.number for c in svc.orders.page(clerk, search="138 1234 5678").cards}
    env.sync()
    hub = env.hub("service_orders", created.id)
    assert (hub["customer_id"], hub["contact_name"], hub["status"]) == ("C-1", None, "accepted")
    assert env.svc.sync.view(clerk).refused == ()
