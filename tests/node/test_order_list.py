"""The order lists a technician and a clerk start from: today's, mine, all; filters by
status, type, technician and overdue; search by order number, the customer's phone tail
or name (from the customer record or the order's own contact)."""
from shared.periods import day_bounds
from sync.hlc import now_ms
from tests.node.conftest import DAY, HOUR


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
    assert card.technician_name == "李师傅" and card.status_label == "待接单"

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
