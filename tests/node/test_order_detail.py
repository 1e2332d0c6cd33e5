"""An order's detail: masked phone (revealing it is recorded in the order_audit ledger and
reaches HQ's audit, never the number itself), warranty worked out from the model or its category, SLA clocks computed
offline with the pause while waiting for parts, and the actions this person may take."""
from node.services import NodeServices
from sync.hlc import now_ms
from fieldsync.testing.outlet import DAY, HOUR, days_ago


def test_phone_is_masked_and_revealing_it_reaches_hqs_audit_without_the_number(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    detail = env.svc.order.get(env.tech, oid)
    assert detail.phone_masked == "138****5678" and detail.customer_name == "王建国"
    assert detail.member_level == "金卡会员" and detail.address.startswith("上海市浦东新区")
    assert env.svc.order.reveal_phone(env.tech, oid) == "13812345678"
    env.refused("not_your_order", env.svc.order.reveal_phone, env.tech2, oid)
    env.sync()
    number = env.svc.order.get(env.tech, oid).number
    rows = env.w.hub.conn.execute("SELECT user_id, action, subject, detail, at FROM hq_audit "
                                  "WHERE action = 'outlet_reveal_phone'").fetchall()
    assert [tuple(r)[:4] for r in rows] == [(env.tech.user_id, "outlet_reveal_phone", oid, number)]
    assert rows[0][4] > now_ms() - HOUR  # when: the device's time of the reveal
    every_cell = env.w.hub.conn.execute("SELECT * FROM hq_audit").fetchall()
    assert not any("5678" in str(cell) for row in every_cell for cell in row)  # who, when, which order: no number
    env.sync()  # the same change is not audited twice
    assert env.w.hub.conn.execute("SELECT COUNT(*) FROM hq_audit WHERE action = 'outlet_reveal_phone'"
                                  ).fetchone()[0] == 1


def test_the_clerk_sees_who_looked_at_the_customers_number(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    assert env.svc.order.get(env.clerk, oid).phone_reveals == ()
    env.svc.order.reveal_phone(env.tech, oid)
    detail = env.svc.order.get(env.clerk, oid)
    assert detail.phone_masked == "138****5678"  # still masked for everyone else
    assert [r.name for r in detail.phone_reveals] == ["张师傅"]
    assert all(card.phone_masked == "138****5678" for card in env.svc.orders.page(env.clerk, "all").cards)


def test_warranty_from_the_model_or_its_category(env):
    ac = env.dispatch(purchase_date=days_ago(400))  # KFR-35GW: 72 months
    wm = env.dispatch(product_model_id="PM-WM-100", purchase_date=days_ago(4 * 365))  # 洗衣机: 36 months
    unknown = env.dispatch(purchase_date=None)
    d = env.svc.order.get(env.clerk, ac)
    assert (d.warranty, d.warranty_label, d.warranty_months) == ("in", "保内", 72)
    assert d.model_code == "KFR-35GW/BpR3" and d.category == "AC" and d.warranty_until > days_ago(0)
    assert d.warranty_text == f"保内（保修至{d.warranty_until}）"
    en = env.svc.order.get(env.session(env.clerk.user_id, "en"), ac)
    assert en.warranty_text == f"In warranty (covered until {d.warranty_until})"
    d = env.svc.order.get(env.clerk, wm)
    assert (d.warranty, d.warranty_months) == ("out", 36)
    d = env.svc.order.get(env.clerk, unknown)
    assert (d.warranty, d.warranty_text) == ("unknown", "保修未知")  # no last covered day to name


def test_sla_clock_counts_from_creation_and_pauses_while_waiting_for_parts(env):
    t0 = now_ms() - 30 * HOUR
    oid = env.dispatch(technician_id=env.tech.user_id, created_at=t0)
    clock = {"now": t0 + HOUR}
    svc = NodeServices(env.node.store, now=lambda: clock["now"])
    a, t = svc.actions, env.tech

    def at(hours, action, *args):
        clock["now"] = t0 + hours * HOUR
        action(t, oid, *args)

    at(3, a.accept)                     # 1 h later than the 2 h allowed
    at(4, a.schedule, t0 + 5 * HOUR)
    at(5, a.set_out)
    at(6, a.arrive)
    at(7, a.wait_for_parts, "缺室内温度传感器")
    clock["now"] = t0 + 30 * HOUR
    d = svc.order.get(t, oid)
    accept, on_site, complete = d.sla
    assert accept.met and accept.breached and accept.met_at == t0 + 3 * HOUR
    assert on_site.met and not on_site.breached
    assert d.sla_paused and not complete.met and not complete.stopped
    assert complete.remaining_ms == (72 - 7) * HOUR and complete.due_at is None  # frozen while paused
    at(30, a.schedule, t0 + 31 * HOUR)  # the part arrived: the clock runs again
    clock["now"] = t0 + 40 * HOUR
    complete = svc.order.get(t, oid).sla[2]
    assert complete.due_at == t0 + (72 + 23) * HOUR
    assert complete.remaining_ms == (72 - 7 - 10) * HOUR and not complete.breached


def test_overdue_list_respects_the_pause(env):
    t0 = now_ms() - 4 * DAY
    clock = {"now": t0}
    svc = NodeServices(env.node.store, now=lambda: clock["now"])
    paused, running = (env.dispatch(technician_id=env.tech.user_id, created_at=t0) for _ in range(2))
    a = svc.actions
    for oid in (paused, running):
        for hours, step, args in ((1, a.accept, ()), (2, a.schedule, (t0 + 3 * HOUR,)), (3, a.set_out, ()),
                                  (4, a.arrive, ())):
            clock["now"] = t0 + hours * HOUR
            step(env.tech, oid, *args)
    clock["now"] = t0 + 5 * HOUR
    svc.actions.wait_for_parts(env.tech, paused, "等压缩机")
    clock["now"] = t0 + 4 * DAY  # 96 h after creation: past the 72 h to complete
    page = svc.orders.page(env.clerk, overdue=True)
    assert [c.id for c in page.cards] == [running]
    card = svc.orders.page(env.clerk, status="waiting_parts").cards[0]
    assert card.sla_paused and not card.overdue and card.sla_milestone == "complete"


def test_actions_depend_on_status_and_person(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    actions = env.svc.order.get(env.tech, oid).actions
    assert [a.key for a in actions] == ["accepted", "declined", "attach", "edit_order"]
    assert [a.label for a in actions if a.key != "attach"] == ["接单", "退单", "修改工单"]  # its own button
    assert env.svc.order.get(env.tech2, oid).actions == ()
    assert env.svc.order.get(env.clerk, oid).action("assign").label == "派工"
    on_site = env.on_site()
    assert {"waiting_parts", "completed", "use_part"} <= {a.key for a in env.svc.order.get(env.tech, on_site).actions}


def test_an_appointment_already_set_is_offered_as_a_reschedule(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    env.svc.actions.accept(env.tech, oid)
    assert env.svc.order.get(env.tech, oid).action("scheduled").label == "预约"
    env.svc.actions.schedule(env.tech, oid, now_ms() + DAY)
    assert env.svc.order.get(env.tech, oid).action("scheduled").label == "改约"
    en = env.svc.order.get(env.session(env.tech.user_id, "en"), oid)
    assert (en.action("scheduled").label, en.action("en_route").label) == ("Reschedule", "Set out")
