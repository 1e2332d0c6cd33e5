"""The SLA monitoring board: orders counted by region × outlet × status, each open order's
running milestone at 50 / 75 / 100 % of its time (clocked on the outlets' event times,
paused while waiting for parts), filters; the escalation job tells the outlet's manager at
75 % (a notice the node shows on its sync panel) and HQ at 100 % (on the board), once per
(order, milestone, level), however often it runs."""
import dataclasses
import uuid

import pytest

from hub.services import HubServices
from hub.services.monitor import STATUS_ORDER, escalation_id, escalation_job
from shared.errors import ServiceError
from sync.hlc import now_ms

MIN = 60_000


def policy(services, type_="repair", priority="normal"):
    return services.ctx.one("SELECT * FROM sla_policies WHERE type = ? AND priority = ?", (type_, priority))


def outlet(services, code="SH01"):
    return services.ctx.one("SELECT * FROM outlets WHERE code = ?", (code,))


def new_order(services, clock, pct: int, code="SH01", events=(), status="new") -> str:
    """An order dispatched so long ago that `pct` % of its accept time is used."""
    budget = policy(services)["accept_within_min"] * MIN
    oid = str(uuid.uuid4())
    o = outlet(services, code)
    customer = services.ctx.scalar("SELECT id FROM customers LIMIT 1")
    created = clock() - budget * pct // 100
    ops = [{"op": "put", "table": "service_orders", "id": oid, "fields": {
        "number": f"HQ-T{oid[:6]}", "outlet_id": o["id"], "customer_id": customer, "type": "repair",
        "priority": "normal", "status": status, "source": "hub", "created_at": created}}]
    ops += [{"op": "add", "table": "order_events", "id": str(uuid.uuid4()), "fields": {
        "order_id": oid, "to_status": to, "at": created + after}} for to, after in events]
    services.ctx.hub.write(ops)
    return oid


def position(services, session, oid):
    return next(p for p in services.monitor.board(session, limit=10_000).positions if p.order_id == oid)


def by_status(grid, row) -> dict[str, int]:
    return {s.key: n for s, n in zip(grid.statuses, row.counts, strict=True) if n}


def test_counts_by_region_outlet_and_status_with_filters(services, approver):
    board = services.monitor.board(approver)
    grid = board.counts
    total = services.ctx.scalar("SELECT COUNT(*) FROM service_orders")
    assert grid.total == sum(r.total for r in grid.rows) == sum(grid.totals) == total
    keys = [s.key for s in grid.statuses]
    assert keys == sorted(keys, key=STATUS_ORDER.index)  # columns in the life of an order, worded
    assert {s.key: s.text for s in grid.statuses}["closed"] == "已回访关闭"
    sh01 = outlet(services)
    [mine] = [r for r in grid.rows if r.outlet_id == sh01["id"]]
    assert by_status(grid, mine) == {r["status"]: r["n"] for r in services.ctx.query(
        "SELECT status, COUNT(*) AS n FROM service_orders WHERE outlet_id = ? GROUP BY status", (sh01["id"],))}
    assert mine.total == sum(mine.counts) and mine.region == sh01["region"]
    for i, s in enumerate(grid.statuses):
        assert grid.totals[i] == services.ctx.scalar("SELECT COUNT(*) FROM service_orders WHERE status = ?", (s.key,))
    by_region = services.monitor.board(approver, region=sh01["region"])
    assert {r.region for r in by_region.counts.rows} == {sh01["region"]}
    assert all(p.region == sh01["region"] for p in by_region.positions)
    by_outlet = services.monitor.board(approver, outlet_id=sh01["id"], status="closed")
    assert [(r.outlet_id, by_status(by_outlet.counts, r)) for r in by_outlet.counts.rows] == [
        (sh01["id"], {"closed": by_status(grid, mine)["closed"]})]
    assert by_outlet.positions == []  # closed orders have no running clock
    assert board.open_total == services.ctx.scalar(
        "SELECT COUNT(*) FROM service_orders WHERE status NOT IN ('completed', 'closed', 'cancelled')")
    en = services.monitor.board(dataclasses.replace(approver, lang="en")).counts
    assert {s.key: s.text for s in en.statuses}["closed"] == "Closed" and en.rows == grid.rows
    filters = services.monitor.filters(approver)
    assert sh01["region"] in filters.regions and len(filters.outlets) == 6
    assert {o.region for o in filters.outlets_in(sh01["region"])} == {sh01["region"]}
    with pytest.raises(ServiceError) as e:
        services.monitor.board(approver, status="lost")
    assert e.value.code == "bad_choice" and e.value.message("en") == "The status has an invalid value."


def test_levels_at_50_75_and_100_percent_most_urgent_first(services, agent, clock):
    ids = {pct: new_order(services, clock, pct) for pct in (30, 55, 80, 130)}
    got = {pct: position(services, agent, oid) for pct, oid in ids.items()}
    assert {pct: (p.milestone, p.level) for pct, p in got.items()} == {
        30: ("accept", 0), 55: ("accept", 50), 80: ("accept", 75), 130: ("accept", 100)}
    assert got[130].overdue and got[130].remaining_ms < 0 and not got[80].overdue
    assert got[55].pct == 55
    board = services.monitor.board(agent, min_level=75)
    assert {p.order_id for p in board.positions} >= {ids[80], ids[130]}
    assert ids[55] not in {p.order_id for p in board.positions}
    levels = [p.level for p in board.positions]
    assert levels == sorted(levels, reverse=True)
    clock.advance(policy(services)["accept_within_min"] * MIN // 2)
    assert position(services, agent, ids[55]).level == 100  # time moves on


def test_the_clock_uses_the_event_times_and_pauses_while_waiting_for_parts(services, agent, clock):
    p = policy(services)
    on_site_ms = p["on_site_within_min"] * MIN
    # accepted and on site in time, then waiting for parts since 90 % of the on-site time …
    oid = new_order(services, clock, 0, status="waiting_parts")
    created = services.ctx.row("service_orders", oid)["created_at"]
    services.ctx.hub.write([{"op": "add", "table": "order_events", "id": str(uuid.uuid4()), "fields": {
        "order_id": oid, "to_status": to, "at": created + after}} for to, after in (
        ("accepted", 10 * MIN), ("scheduled", 20 * MIN), ("en_route", 30 * MIN), ("on_site", 40 * MIN),
        ("waiting_parts", 50 * MIN))])
    pos = position(services, agent, oid)
    assert (pos.milestone, pos.paused, pos.due_at) == ("complete", True, None)  # the running clock is completion
    before = pos.pct
    clock.advance(3 * on_site_ms)
    assert position(services, agent, oid).pct == before  # paused: no time counts


def test_escalation_tells_the_manager_at_75_and_hq_at_100_once(services, agent, clock):
    warn, late = new_order(services, clock, 80), new_order(services, clock, 130)
    first = escalation_job(services)
    assert first[75] >= 2 and first[100] >= 1
    assert escalation_job(services) == {75: 0, 100: 0}  # nothing twice
    rows = services.ctx.query("SELECT order_id, milestone, level FROM hq_escalations WHERE order_id IN (?, ?)",
                              (warn, late))
    assert sorted((r["order_id"] == late, r["level"]) for r in rows) == [(False, 75), (True, 75), (True, 100)]
    notice = services.ctx.row("notices", escalation_id(warn, "accept", 75))
    number = services.ctx.row("service_orders", warn)["number"]
    assert (notice["kind"], notice["outlet_id"], notice["row_id"]) == ("sla_warning", outlet(services)["id"], warn)
    assert number in notice["message"] and "时限已用80%" in notice["message"]
    late_notice = services.ctx.row("notices", escalation_id(late, "accept", 75))
    assert "已超时" in late_notice["message"]
    assert services.ctx.row("notices", escalation_id(late, "accept", 100)) is None  # HQ's own record only
    board = services.monitor.board(agent)
    assert late in {e.order_id for e in board.escalations}
    assert warn not in {e.order_id for e in board.escalations}
    [shown] = [e for e in board.escalations if e.order_id == late]
    assert (shown.milestone_label, shown.number) == ("接单", services.ctx.row("service_orders", late)["number"])
    clock.advance(policy(services)["accept_within_min"] * MIN // 2)  # the warned one is overdue now
    assert escalation_job(services)[100] >= 1
    assert warn in {e.order_id for e in services.monitor.board(agent).escalations}
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_escalations WHERE order_id = ?", (warn,)) == 2


def test_the_manager_reads_the_warning_on_the_nodes_sync_panel(tmp_path):
    from node.services import NodeServices
    from fieldsync.testing.world import World
    from fieldsync.testing.outlet import seed
    from tests.node.conftest import Env
    w = World(tmp_path)
    try:
        seed(w)
        node = w.node(w.outlets[0])
        env = Env(w, node, NodeServices(node.store))
        oid = env.dispatch(created_at=now_ms() - 100 * MIN)  # 100 of the 120 minutes to accept used
        hq = HubServices(w.hub)
        assert escalation_job(hq) == {75: 1, 100: 0}
        env.sync()
        [notice] = env.svc.notices.list(env.manager)
        number = env.svc.order.get(env.manager, oid).number
        assert (notice.kind_label, notice.row_label) == ("时效预警", number)
        assert notice.message.startswith(f"SLA预警：工单{number}「接单」时限已用83%")
        en = env.svc.notices.list(env.session(env.manager.user_id, "en"))[0]
        assert en.kind_label == "SLA warning"
        assert en.message.startswith(f"SLA warning: order {number} (Accept) has used 83% of its time; due ")
        assert env.svc.sync.view(env.manager).refused == ()  # not a refusal
    finally:
        w.close()


def test_every_hq_role_watches_the_board_and_the_complaint_queues_only_agents_call_back(
        services, agent, approver, admin):
    from hub.ui.nav import screens_for
    for session in (agent, approver, admin):
        assert services.monitor.board(session).counts.rows
        services.complaints.queue(session)
        assert {"monitor", "complaints"} <= {s[0] for s in screens_for(session)}
    assert "callbacks" in {s[0] for s in screens_for(agent)} and "callbacks" in {s[0] for s in screens_for(admin)}
    assert "callbacks" not in {s[0] for s in screens_for(approver)}


def test_the_ranked_board_agrees_with_every_orders_full_clock(services, clock):
    """SQL levels, counts and ranks the orders whose clocks follow from their status; a
    full clock from the events is worked out for every order here instead. Over orders of
    every type, priority (one without a policy of its own), open status and age, some that
    waited for parts or were declined, both must give the same board."""
    import random
    from hub.services.monitor import OPEN_STATUSES, Monitor
    rng = random.Random(11)
    customer = services.ctx.scalar("SELECT id FROM customers LIMIT 1")
    outlets = [r["id"] for r in services.ctx.query("SELECT id FROM outlets")]
    ops = []
    for i in range(400):
        oid = f"RB-{i:03d}"
        created = clock() - rng.randint(0, 4 * 24 * 60) * MIN
        status = rng.choice(["new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts", "declined"])
        ops.append({"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-RB{i:03d}", "outlet_id": rng.choice(outlets), "customer_id": customer, "status": status,
            "type": rng.choice(["repair", "install", "maintenance", "inspection"]), "source": "hub",
            "priority": rng.choice(["normal", "urgent", "low"]), "created_at": created}})
        if status in ("waiting_parts", "declined") or rng.random() < 0.25:
            to = "declined" if status == "declined" or rng.random() < 0.4 else "waiting_parts"
            ops.append({"op": "add", "table": "order_events", "id": f"RE-{i:03d}", "fields": {
                "order_id": oid, "to_status": to, "at": created + rng.randint(5, 300) * MIN}})
    ops += [{"op": "put", "table": "service_orders", "id": f"RN-{i}", "fields": {  # no creation time: no clock
        "number": f"HQ-RN{i}", "outlet_id": outlets[0], "customer_id": customer, "status": "new",
        "type": "repair", "source": "hub", "priority": "normal"}} for i in range(3)]
    services.ctx.hub.write(ops)
    m = services.monitor
    orders = services.ctx.query(
        "SELECT o.id, o.number, o.outlet_id, o.status, o.type, o.priority, o.created_at, o.source, "
        "ou.name AS outlet_name, ou.region FROM service_orders o LEFT JOIN outlets ou ON ou.id = o.outlet_id "
        f"WHERE o.status IN ({', '.join('?' for _ in OPEN_STATUSES)})", OPEN_STATUSES)
    policies = [{**p, "active": p.get("active") != 0} for p in services.ctx.query("SELECT * FROM sla_policies")]
    full = sorted((Monitor._clocked(o, policies, events, clock()) for o, events in m._with_events(orders)),
                  key=lambda p: (-p.level, -p.pct, p.number))
    shown, levels = m.ranked()
    assert shown == full
    assert levels == {lv: sum(1 for p in full if p.level == lv) for lv in (0, 50, 75, 100)}
    assert 0 < levels[100] < len(full) and levels[50] + levels[75] > 0  # every kind of answer was tested
    top, _ = m.ranked(min_level=75, limit=25)
    assert top == [p for p in full if p.level >= 75][:25]


def test_the_board_screen_lays_out_the_grid_in_the_readers_language(services, approver):
    from hub.ui.views.monitor import MonitorView
    from tests.hub.test_approvals_screens import FakeShell, texts
    en = dataclasses.replace(approver, lang="en")
    shown = texts(MonitorView(FakeShell(services, en, "en")).build())
    grid = services.monitor.board(en).counts
    assert "Closed" in shown and "已回访关闭" not in shown
    assert shown[-len(grid.statuses) - 2:] == ["Total", *map(str, grid.totals), str(grid.total)]
