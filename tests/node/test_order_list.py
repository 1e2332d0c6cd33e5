"""The order lists a technician and a clerk start from: today's, mine, all; filters by
status, type, technician and overdue; search by order number, the customer's phone tail
or name (from the customer record or the order's own contact)."""
import pytest

from node.services import ServiceError
from shared.periods import day_bounds
from sync.hlc import now_ms
from fieldsync.testing.outlet import DAY, HOUR


def numbers(page):
    return {c.number for c in page.cards}


def test_lists_filters_and_search(env):
    now = now_ms()
    start, _ = day_bounds(now)
    mine = env.dispatch(sync=False, technician_id=env.tech.user_id, appointment_at=start + 20 * HOUR)
    install = env.dispatch(sync=False, customer_id=None, contact_name="赵丽", contact_phone="13912348888",
                           type="install", created_at=now - 3 * DAY, appointment_at=now + 2 * DAY)
    late = env.dispatch(sync=False, technician_id="technician-1b", priority="urgent", created_at=now - 2 * HOUR,
                        fault_description="显示E4故障")
    env.sync()
    n = {oid: env.svc.order.get(env.clerk, oid).number for oid in (mine, install, late)}
    svc, clerk = env.svc.orders, env.clerk

    created_today = {n[late]} if now - 2 * HOUR >= start else set()  # just after midnight it was yesterday
    assert numbers(svc.page(clerk, "today")) == {n[mine]} | created_today  # appointed or created today
    assert numbers(svc.page(env.tech, "mine")) == {n[mine]}
    page = svc.page(clerk, "all")
    assert page.total == 3 and page.cards[-1].number == n[install]  # newest first

    assert numbers(svc.page(clerk, status="new")) == {n[mine], n[install], n[late]}
    assert numbers(svc.page(clerk, type="install")) == {n[install]}
    assert numbers(svc.page(clerk, technician_id="technician-1b")) == {n[late]}
    overdue = svc.page(clerk, overdue=True)
    assert numbers(overdue) == {n[late]} and overdue.total == 1
    card = overdue.cards[0]
    assert card.overdue and card.urgent and card.sla_milestone == "accept" and card.sla_remaining_ms < 0
    assert card.technician_name == "李师傅" and card.status_label == "待接单" and card.priority_label == "加急"

    assert numbers(svc.page(clerk, search=n[mine][:6])) >= {n[mine]}
    assert numbers(svc.page(clerk, search="5678")) == {n[mine], n[late]}  # 王建国's phone tail
    assert numbers(svc.page(clerk, search="8888")) == {n[install]}
    assert numbers(svc.page(clerk, search="王建国")) == {n[mine], n[late]}
    assert numbers(svc.page(clerk, search="赵")) == {n[install]}
    assert numbers(svc.page(clerk, search="100%")) == set()  # wildcards are plain text

    by_number = {c.number: c for c in svc.page(clerk).cards}
    assert by_number[n[mine]].phone_masked == "138****5678"
    assert by_number[n[mine]].customer_name == "王建国" and by_number[n[mine]].model_name == "变频挂壁式空调 1.5匹"
    assert by_number[n[install]].customer_name == "赵丽" and by_number[n[install]].phone_masked == "139****8888"


def test_status_filter_follows_the_work_and_pages(env):
    a, t = env.svc.actions, env.tech
    ids = [env.dispatch(sync=False, technician_id=t.user_id) for _ in range(5)]
    env.sync()
    a.accept(t, ids[0])
    a.decline(env.clerk, ids[1], "师傅不足")
    svc, clerk = env.svc.orders, env.clerk
    assert svc.page(clerk, status="accepted").total == 1
    assert svc.page(clerk, status="open").total == 4  # declined went back to HQ
    assert svc.page(clerk, status=["accepted", "declined"]).total == 2
    first, second = svc.page(clerk, limit=3), svc.page(clerk, limit=3, offset=3)
    assert first.total == 5 and len(first.cards) == 3 and len(second.cards) == 2
    assert not {c.id for c in first.cards} & {c.id for c in second.cards}
    assert all(c.mine for c in svc.page(t, "mine").cards)


def test_the_overdue_filter_agrees_with_every_cards_clock(env):
    """The filter finds overdue orders in SQL (offsets per type, priority and status); the
    cards work each clock out in full. Over orders of every type, priority (one without a
    policy of its own, one unknown), status, age and with or without a wait for parts, both
    must name the same orders, in list order; an order declined once and dispatched back
    has its clocks stopped by the decline."""
    import random
    rng = random.Random(5)
    now = now_ms()
    env.w.hub.write([{"op": "put", "table": "sla_policies", "id": "SLA-I", "fields": {
        "type": "install", "priority": "normal", "accept_within_min": 240, "complete_within_min": 48 * 60}},
        {"op": "put", "table": "sla_policies", "id": "SLA-OFF", "fields": {
            "type": "maintenance", "priority": "normal", "accept_within_min": 1, "active": False}}])
    ops = []
    for i in range(300):
        oid = f"R-{i:03d}"
        created = now - rng.randint(0, 5 * 24 * 60) * 60_000
        status = rng.choice(["new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts",
                             "completed", "declined", "cancelled"])
        ops.append({"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-R{i:03d}", "outlet_id": env.outlet, "status": status, "created_at": created,
            "type": rng.choice(["repair", "repair", "install", "maintenance", "inspection"]),
            "priority": rng.choice(["normal", "urgent", None, "low"])}})
        if status == "waiting_parts" or rng.random() < 0.2:  # waited, maybe back to work since
            start = created + rng.randint(10, 600) * 60_000
            ops.append({"op": "add", "table": "order_events", "id": f"W-{i:03d}", "fields": {
                "order_id": oid, "to_status": "waiting_parts", "at": start}})
            if status != "waiting_parts":
                ops.append({"op": "add", "table": "order_events", "id": f"B-{i:03d}", "fields": {
                    "order_id": oid, "to_status": "scheduled", "at": start + rng.randint(1, 48) * 3_600_000}})
        elif status in ("new", "accepted") and rng.random() < 0.25:  # declined once, dispatched back here
            ops.append({"op": "add", "table": "order_events", "id": f"D-{i:03d}", "fields": {
                "order_id": oid, "to_status": "declined", "at": created + rng.randint(1, 60) * 60_000}})
    env.w.hub.write(ops)
    env.sync()
    everything = env.svc.orders.page(env.clerk, limit=1000).cards
    expected = [c.number for c in everything if c.overdue]
    found = env.svc.orders.page(env.clerk, overdue=True, limit=1000)
    assert [c.number for c in found.cards] == expected and found.total == len(expected)
    assert 30 < len(expected) < 270  # both kinds of answer were put to the test
    paged = [c.number for off in range(0, len(expected), 7)
             for c in env.svc.orders.page(env.clerk, overdue=True, limit=7, offset=off).cards]
    assert paged == expected


def test_the_filters_offer_worded_choices_and_the_outlets_technicians(env):
    zh = env.svc.orders.choices(env.clerk)
    assert [(o.key, o.text) for o in zh.technicians] == [(env.tech.user_id, "张师傅"),
                                                         ("technician-1b", "李师傅")]  # this outlet's only
    assert ("waiting_parts", "待配件") in [(o.key, o.text) for o in zh.statuses]
    assert [o.text for o in zh.types[:2]] == ["维修", "安装"] and [o.text for o in zh.priorities][-1] == "加急"
    en = env.svc.orders.choices(env.session(env.clerk.user_id, "en"))
    assert ("waiting_parts", "Waiting for parts") in [(o.key, o.text) for o in en.statuses]
    assert [o.text for o in en.priorities][-1] == "Urgent"


def test_a_phone_typed_with_spaces_or_dashes_is_still_found(env):
    oid = env.dispatch(customer_id=None, contact_name="赵丽", contact_phone="139-1234-8888")
    number = env.svc.order.get(env.clerk, oid).number
    svc, clerk = env.svc.orders, env.clerk
    for typed in ("139 1234 8888", "139-1234-8888", "+86 139 1234 8888", "1391234 8888", "48888", "8888"):
        assert numbers(svc.page(clerk, search=typed)) == {number}, typed
    assert numbers(svc.page(clerk, search="138 1234 5678")) == set()  # 王建国's: not this order's contact


def test_a_date_range_narrows_the_list_by_the_day_created_appointed_or_completed(env):
    from datetime import timedelta

    from node.services.order_list import DateRange
    from shared.periods import local_date
    now = now_ms()
    today = local_date(now)
    new = env.dispatch(sync=False, created_at=now - HOUR)
    later = env.dispatch(sync=False, created_at=now - 10 * DAY, appointment_at=now + 3 * DAY)
    old = env.on_site(created_at=now - 10 * DAY)
    env.svc.actions.complete(env.tech, old, "已修好")
    n = {oid: env.svc.order.get(env.clerk, oid).number for oid in (old, new, later)}
    svc, clerk = env.svc.orders, env.clerk

    def days(field, start, end):
        return numbers(svc.page(clerk, dates=svc.date_range(field, start, end)))

    ten_days_ago = (today - timedelta(days=10)).isoformat()
    assert days("created", ten_days_ago, ten_days_ago) == {n[old], n[later]}  # one day: both ends included
    assert n[new] in days("created", (today - timedelta(days=1)).isoformat(), "")
    assert n[old] not in days("created", (today - timedelta(days=1)).isoformat(), "")
    assert days("created", "", (today - timedelta(days=2)).isoformat()) == {n[old], n[later]}
    in_three = (local_date(now + 3 * DAY)).isoformat()
    assert days("appointment", in_three, in_three) == {n[later]}
    assert days("completed", today.isoformat(), today.isoformat()) == {n[old]}
    assert days("completed", "", (today - timedelta(days=1)).isoformat()) == set()
    assert svc.date_range("created", " ", "") is None  # nothing typed: no range

    for field, start, end, code in (("created", "2026-13-01", "", "bad_filter_date"),
                                    ("created", "", "yesterday", "bad_filter_date"),
                                    ("created", "2026-11-30", "2026-11-01", "date_range_reversed"),
                                    ("closed", "2026-11-01", "", "bad_choice")):
        with pytest.raises(ServiceError) as exc:
            svc.date_range(field, start, end)
        assert exc.value.code == code
    with pytest.raises(ServiceError) as exc:
        DateRange.typed("created", "2026-02-30", "")
    assert exc.value.message("zh") == "“2026-02-30”不是有效日期，请按年-月-日填写，如2026-11-01。"
