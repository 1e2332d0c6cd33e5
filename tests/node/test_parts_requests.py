"""Parts requests: suggested from the last 90 days' use, safety stock, on hand and in
transit; edited while draft; submitted once; HQ's decision shows on the node."""
from node.services import NodeServices
from shared.periods import period_bounds, period_of
from sync.hlc import now_ms
from fieldsync.testing.outlet import DAY
from tests.node.test_stock import approve, requested


def test_suggestions_from_use_safety_stock_on_hand_and_transit(env):
    env.carry("P-2001", 12)  # on hand counts the store and the bags: the outlet's whole stock
    old = NodeServices(env.node.store, now=lambda: now_ms() - 120 * DAY)  # outside the 90 days
    recent = NodeServices(env.node.store, now=lambda: now_ms() - 10 * DAY)
    for svc, n in ((old, 3), (recent, 9)):
        for _ in range(n):
            oid = env.on_site()
            svc.parts.use_part(env.tech, oid, "P-2001")
    # used 9 in 90 days → 3 per 30 days; safety 5; on hand 0; in transit 0 → 8
    s = {x.part_id: x for x in env.svc.requests.suggestions(env.clerk)}
    assert (s["P-2001"].consumed, s["P-2001"].on_hand, s["P-2001"].suggested_qty) == (9, 0, 8)
    assert s["P-2002"].suggested_qty == 2 and s["P-1001"].suggested_qty == 1  # safety stock only
    assert "P-2003" not in s
    r = requested(env, {"P-2001": 4})
    approve(env, r, {"P-2001": 4})
    s = {x.part_id: x for x in env.svc.requests.suggestions(env.clerk)}
    assert (s["P-2001"].in_transit, s["P-2001"].suggested_qty) == (4, 4)


def test_draft_edit_submit_and_hq_decision(env):
    clerk = env.clerk
    rid = env.svc.requests.create_draft(clerk, note="旺季备货")
    view = env.svc.requests.get(clerk, rid)
    assert view.number.startswith("PR-SH01-A-") and view.editable and view.status_label == "草稿"
    assert {line.part_id: line.qty for line in view.lines} == {"P-2001": 5, "P-2002": 2, "P-1001": 1}
    env.svc.requests.set_qty(clerk, rid, "P-2001", 10)
    env.svc.requests.remove_line(clerk, rid, "P-1001")
    view = env.svc.requests.set_qty(clerk, rid, "P-2003", 1)  # the request as it stands after the change
    assert view == env.svc.requests.get(clerk, rid)
    assert {x.part_id: x.qty for x in view.lines} == {"P-2001": 10, "P-2002": 2, "P-2003": 1}
    assert view.total == 10 * 2500 + 2 * 9000 + 6000
    env.svc.requests.submit(env.manager, rid)
    env.refused("doc_frozen", env.svc.requests.set_qty, clerk, rid, "P-2001", 11)
    env.refused("doc_frozen", env.svc.requests.submit, clerk, rid)
    env.sync()
    hub = env.hub("parts_requests", rid)
    assert (hub["status"], hub["total"], hub["note"]) == ("submitted", 49000, "旺季备货")
    approve(env, rid, {"P-2001": 8, "P-2002": 2}, comment="传感器先发8个")
    view = env.svc.requests.get(clerk, rid)
    assert (view.status, view.status_label, view.comment) == ("approved", "已批准", "传感器先发8个")
    assert {x.part_id: x.approved_qty for x in view.lines}["P-2001"] == 8
    assert [(h.id, h.number, h.status_label) for h in env.svc.requests.all(clerk)] == [(rid, view.number, "已批准")]


def test_requests_are_for_the_office_and_not_empty(env):
    env.refused("role_forbidden", env.svc.requests.create_draft, env.tech)
    rid = env.svc.requests.create_draft(env.clerk, use_suggestions=False)
    env.refused("empty_request", env.svc.requests.submit, env.clerk, rid)
    env.refused("role_forbidden", env.svc.requests.set_qty, env.tech, rid, "P-2001", 1)
    env.refused("bad_qty", env.svc.requests.set_qty, env.clerk, rid, "P-2001", -1)
    env.refused("bad_qty", env.svc.requests.set_qty, env.clerk, rid, "P-2001", 0)  # a line is removed, not set to 0
    env.refused("part_unknown", env.svc.requests.set_qty, env.clerk, rid, "P-404", 1)


def test_hq_rejection_shows_with_its_comment(env):
    rid = requested(env, {"P-1001": 3})
    env.w.hub.write([{"op": "put", "table": "parts_requests", "id": rid, "fields": {"status": "rejected"}},
                     {"op": "add", "table": "approvals", "id": "ap-1", "fields": {
                         "outlet_id": env.outlet, "subject_table": "parts_requests", "subject_id": rid,
                         "decision": "rejected", "level": 1, "comment": "压缩机库存紧张，请走调拨", "at": now_ms()}}])
    env.sync()
    view = env.svc.requests.get(env.clerk, rid)
    assert (view.status_label, view.comment, view.editable) == ("已驳回", "压缩机库存紧张，请走调拨", False)
    env.refused("not_shipped", env.svc.receiving.receive, env.clerk, rid)


def test_lines_are_added_by_sku_or_name_and_removed(env):
    clerk = env.clerk
    rid = env.svc.requests.create_draft(clerk, use_suggestions=False)
    assert [h.part_id for h in env.svc.requests.find_parts(clerk, "p2001")] == ["P-2001"]  # no dash, any case
    assert "P-2002" in [h.part_id for h in env.svc.requests.find_parts(clerk, "排水")]
    assert env.svc.requests.find_parts(clerk, "  ") == ()
    view = env.svc.requests.add_line(clerk, rid, "P-2002")
    assert [(x.part_id, x.qty) for x in view.lines] == [("P-2002", 1)]
    env.svc.requests.set_qty(clerk, rid, "P-2002", 4)
    view = env.svc.requests.add_line(clerk, rid, "P-2002")  # already on it: keeps its quantity
    assert [(x.part_id, x.qty) for x in view.lines] == [("P-2002", 4)]
    view = env.svc.requests.remove_line(clerk, rid, "P-2002")
    assert view.lines == () and view.total == 0
    view = env.svc.requests.add_line(clerk, rid, "P-2002")  # back again, from 1
    assert [(x.part_id, x.qty) for x in view.lines] == [("P-2002", 1)]
    env.refused("part_unknown", env.svc.requests.add_line, clerk, rid, "P-404")
    env.refused("role_forbidden", env.svc.requests.remove_line, env.tech, rid, "P-2002")
    assert [(x.part_id, x.qty) for x in env.svc.requests.get(clerk, rid).lines] == [("P-2002", 1)]


def test_a_large_request_is_marked_for_confirmation(env):
    clerk = env.clerk
    rid = env.svc.requests.create_draft(clerk, use_suggestions=False)
    view = env.svc.requests.set_qty(clerk, rid, "P-2002", 22)  # 22 × ¥90 = ¥1,980
    assert not view.large
    view = env.svc.requests.set_qty(clerk, rid, "P-2001", 1)  # + ¥25 = ¥2,005
    assert view.large and view.total == 200500


def test_last_months_request_is_copied_into_a_new_draft(env):
    clerk = env.clerk
    env.refused("no_last_month", env.svc.requests.copy_last_month, clerk)
    this_month, _ = period_bounds(period_of(now_ms()))
    month_ago = NodeServices(env.node.store, now=lambda: this_month - 10 * DAY)  # in last calendar month
    old = month_ago.requests.create_draft(clerk, use_suggestions=False)
    month_ago.requests.set_qty(clerk, old, "P-2001", 6)
    month_ago.requests.set_qty(clerk, old, "P-2003", 2)
    month_ago.requests.submit(clerk, old)
    assert env.svc.requests.last_month(clerk).id == old
    rid = env.svc.requests.copy_last_month(clerk)
    view = env.svc.requests.get(clerk, rid)
    assert rid != old and view.editable
    assert [(x.part_id, x.qty) for x in view.lines] == [("P-2001", 6), ("P-2003", 2)]
    env.refused("role_forbidden", env.svc.requests.copy_last_month, env.tech)
