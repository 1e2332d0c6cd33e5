"""Ticket query (工单查询) on both stores: every HQ role finds orders by each filter and by
free text (number, phone, name), pages through them by keyset (stable when many orders
share a creation time, and when new orders arrive meanwhile), counts them, exports them to
Excel, and opens an order's full record (events with who, device time, HQ time and where;
dispatches with reasons; parts; attachments one can view; callback, complaint, settlement
line, audit). Bad input is refused in words and changes nothing."""
import hashlib
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from hub.blobs import blob_store_for
from hub.services.monitor import escalation_job
from hub.services.order_file import CHANGE_SCAN
from hub.services.order_query import QueryFilter, decode_cursor
from hub.services.session import HubSession
from node.services import NodeServices
from shared import order_query as oq
from shared.errors import ServiceError
from shared.periods import local_date
from shared.sla import MINUTE_MS
from tests.hub.conftest import NOW
from tests.hub.outlet_node import Outlet
from fieldsync.testing.world import Node

NO_COOLING = {"fault_code": "AC01", "fault_description": "不制冷"}


def ac_model(services) -> dict:
    return services.ctx.one("SELECT * FROM product_models WHERE category = 'AC' ORDER BY code LIMIT 1")


def a_customer(services, city: str = "上海") -> dict:
    return services.ctx.one("SELECT * FROM customers WHERE city = ? ORDER BY id LIMIT 1", (city,))


def outlet(services, code: str) -> dict:
    return services.ctx.one("SELECT * FROM outlets WHERE code = ?", (code,))


def call(services, session, customer, *, outlet_code="SH01", **order):
    return services.intake.record_request(
        session, type="repair", customer_id=customer["id"], outlet_id=outlet(services, outlet_code)["id"],
        override_reason="客户指定该网点",
        order={"product_model_id": ac_model(services)["id"], **NO_COOLING, **order})


def every(services, session, f: QueryFilter, sort="newest", limit=oq.PAGE_SIZE) -> list:
    """All pages, cursor after cursor."""
    rows, cursor = [], None
    while True:
        page = services.order_query.search(session, f, sort=sort, cursor=cursor, limit=limit)
        rows += page.rows
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def ids_where(services, where: str, params=()) -> set:
    return {r["id"] for r in services.ctx.query(f"SELECT o.id FROM service_orders o WHERE {where}", params)}


def refused(services, code, fn, *args, **kwargs) -> ServiceError:
    before = services.ctx.scalar("SELECT COUNT(*) FROM hq_audit")
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, e.value
    assert e.value.message("zh") and e.value.message("en") and e.value.message("zh") != e.value.message("en")
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit") == before
    return e.value


def test_every_hq_role_finds_and_exports_orders_an_outlet_user_cannot(services, agent, approver, admin):
    total = services.ctx.scalar("SELECT COUNT(*) FROM service_orders")
    for who in (agent, approver, admin):
        page = services.order_query.search(who, QueryFilter())
        assert len(page.rows) == oq.PAGE_SIZE and page.next_cursor
        assert services.order_query.count(who, QueryFilter()).n == total
        name, data = services.order_query.export(who, QueryFilter(status="new"))
        assert name.startswith("orders-") and name.endswith(".xlsx") and data[:2] == b"PK"
        assert services.order_files.record(who, page.rows[0].id).number == page.rows[0].number
    clerk = services.ctx.one("SELECT * FROM users WHERE username = 'sh01.clerk'")
    outsider = HubSession.of_user(clerk)
    for fn, args in ((services.order_query.search, (QueryFilter(),)), (services.order_query.count, (QueryFilter(),)),
                     (services.order_query.export, (QueryFilter(),)), (services.order_files.find, ("HQ-0000001",))):
        with pytest.raises(ServiceError) as e:
            fn(outsider, *args)
        assert e.value.code == "user_inactive"


def test_the_first_page_is_the_newest_orders_with_what_the_list_shows(services, agent):
    page = services.order_query.search(agent, QueryFilter())
    newest = services.ctx.query("SELECT id FROM service_orders ORDER BY created_at DESC, id DESC LIMIT ?",
                                (oq.PAGE_SIZE,))
    assert [r.id for r in page.rows] == [r["id"] for r in newest]
    row = page.rows[0]
    o = services.ctx.one("SELECT o.*, c.name, c.phone, t.name AS outlet_name, t.region, m.code AS model_code "
                         "FROM service_orders o JOIN customers c ON c.id = o.customer_id "
                         "LEFT JOIN outlets t ON t.id = o.outlet_id "
                         "LEFT JOIN product_models m ON m.id = o.product_model_id WHERE o.id = ?", (row.id,))
    assert (row.number, row.customer_name, row.phone, row.outlet_name, row.region, row.model_code) == (
        o["number"], o["name"], o["phone"], o["outlet_name"] or "", o["region"] or "", o["model_code"] or "")
    assert row.status_label and row.type_label and row.sla_label == "正常"


@pytest.mark.parametrize("sort,sql", [("newest", "created_at DESC, id DESC"), ("oldest", "created_at, id"),
                                      ("number", "number, id"), ("number_desc", "number DESC, id DESC")])
def test_keyset_pages_cover_every_order_once_in_sort_order(services, agent, sort, sql):
    rows = every(services, agent, QueryFilter(), sort=sort, limit=37)
    want = services.ctx.query(f"SELECT id FROM service_orders ORDER BY {sql}")
    assert [r.id for r in rows] == [r["id"] for r in want]


def test_paging_is_stable_across_orders_created_at_the_same_moment(services, agent, clock):
    customer = a_customer(services)
    made = [call(services, agent, customer).order_id for _ in range(9)]  # the clock stands still: one created_at
    today = local_date(NOW)
    f = QueryFilter(date_from=today, date_to=today)
    expect = [r["id"] for r in services.ctx.query(
        "SELECT id FROM service_orders WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, id DESC",
        (_midnight(NOW), _midnight(NOW) + 86_400_000))]
    assert set(made) <= set(expect)
    assert len({services.ctx.row("service_orders", i)["created_at"] for i in made}) == 1
    got = [r.id for r in every(services, agent, f, limit=4)]
    assert got == expect  # each once, ties broken by id, none lost at a page boundary
    # a page read while new calls come in continues where it left off: nothing twice, nothing lost
    first = services.order_query.search(agent, f, limit=4)
    clock.advance(60_000)
    newer = call(services, agent, customer).order_id
    rest = every_from(services, agent, f, first.next_cursor, limit=4)
    assert newer not in [r.id for r in rest]
    assert [r.id for r in first.rows] + [r.id for r in rest] == expect
    assert services.order_query.search(agent, f, limit=1).rows[0].id == newer  # a new search shows it first


def _midnight(ms: int) -> int:
    from shared.periods import day_bounds
    return day_bounds(ms)[0]


def every_from(services, session, f, cursor, limit):
    rows = []
    while cursor:
        page = services.order_query.search(session, f, cursor=cursor, limit=limit)
        rows += page.rows
        cursor = page.next_cursor
    return rows


def test_each_filter_finds_exactly_its_orders(services, agent, admin):
    q = services.order_query
    sh01, bj01 = outlet(services, "SH01"), outlet(services, "BJ01")
    tech = services.ctx.one("SELECT technician_id AS id FROM service_orders WHERE technician_id IS NOT NULL "
                            "GROUP BY technician_id ORDER BY COUNT(*) DESC, technician_id LIMIT 1")
    model = services.ctx.one("SELECT product_model_id AS id FROM service_orders GROUP BY product_model_id "
                             "ORDER BY COUNT(*) DESC, product_model_id LIMIT 1")
    start, end = local_date(NOW - 10 * 86_400_000), local_date(NOW - 3 * 86_400_000)
    cases = [
        (QueryFilter(outlet_id=sh01["id"]), "o.outlet_id = ?", (sh01["id"],)),
        (QueryFilter(region=bj01["region"]), "o.outlet_id IN (SELECT id FROM outlets WHERE region = ?)",
         (bj01["region"],)),
        (QueryFilter(status="completed"), "o.status = ?", ("completed",)),
        (QueryFilter(type="install"), "o.type = ?", ("install",)),
        (QueryFilter(technician_id=tech["id"]), "o.technician_id = ?", (tech["id"],)),
        (QueryFilter(product_model_id=model["id"]), "o.product_model_id = ?", (model["id"],)),
        (QueryFilter(date_from=start, date_to=end.isoformat()), "o.created_at >= ? AND o.created_at < ?",
         (_midnight(NOW - 10 * 86_400_000), _midnight(NOW - 3 * 86_400_000) + 86_400_000)),
        (QueryFilter(region=bj01["region"], status="completed", type="repair"),
         "o.outlet_id IN (SELECT id FROM outlets WHERE region = ?) AND o.status = 'completed' AND o.type = 'repair'",
         (bj01["region"],)),
    ]
    for f, where, params in cases:
        want = [r["id"] for r in services.ctx.query(
            f"SELECT o.id FROM service_orders o WHERE {where} ORDER BY o.created_at DESC, o.id DESC", params)]
        assert want, f  # each case finds something in the demo network
        assert [r.id for r in every(services, agent, f, limit=40)] == want, f
        assert q.count(agent, f).n == len(want) and not q.count(agent, f).capped
    # the agent who took the call
    customer = a_customer(services)
    mine = call(services, agent, customer).order_id
    theirs = call(services, admin, customer).order_id
    agent_id = services.ctx.one("SELECT id FROM users WHERE username = 'hq.agent'")["id"]
    found = [r for r in every(services, agent, QueryFilter(agent_id=agent_id))]
    # the new call first (newest), then the demo orders whose call this agent took (the demo's history)
    before = [r["order_id"] for r in services.ctx.query(
        "SELECT r.order_id FROM hq_requests r JOIN service_orders o ON o.id = r.order_id WHERE r.created_by = ? "
        "AND r.type IN ('repair', 'install') AND r.order_id != ? ORDER BY o.created_at DESC, o.id DESC",
        (agent_id, mine))]
    assert before and [r.id for r in found] == [mine, *before] and found[0].agent_name == agent.display_name
    assert theirs in {r.id for r in every(services, agent, QueryFilter(agent_id=admin.user_id))}


def test_the_sla_state_is_what_the_escalation_job_recorded(services, agent, clock):
    policy = services.ctx.one("SELECT * FROM sla_policies WHERE type = 'repair' AND priority = 'normal'")
    budget = policy["accept_within_min"] * MINUTE_MS
    customer = a_customer(services)
    late = call(services, agent, customer).order_id
    clock.advance(budget * 3 // 10)
    warned = call(services, agent, customer).order_id
    clock.advance(budget * 8 // 10)           # late: 110 % of its time; warned: 80 %
    escalation_job(services)
    fresh = call(services, agent, customer).order_id
    q = services.order_query

    def ids(state):
        return {r.id for r in every(services, agent, QueryFilter(sla=state, text=customer["phone"]))}
    assert late in ids("overdue") and warned not in ids("overdue") and fresh not in ids("overdue")
    assert warned in ids("warning") and late not in ids("warning")
    assert fresh in ids("ok") and late not in ids("ok") and warned not in ids("ok")
    [row] = [r for r in q.search(agent, QueryFilter(text=customer["phone"])).rows if r.id == late]
    assert (row.sla, row.sla_label) == ("overdue", "超时")


def test_free_text_finds_by_phone_its_tail_name_and_number(services, agent):
    customer = services.ctx.one(
        "SELECT c.* FROM customers c JOIN service_orders o ON o.customer_id = c.id GROUP BY c.id "
        "HAVING COUNT(*) >= 2 ORDER BY c.id LIMIT 1")
    theirs = ids_where(services, "o.customer_id = ?", (customer["id"],))
    q = services.order_query
    for text in (customer["phone"], customer["phone"][-4:], f"{customer['phone'][:3]} {customer['phone'][3:]}"):
        got = {r.id for r in every(services, agent, QueryFilter(text=text))}
        assert theirs <= got, text
        others = got - theirs  # a tail shared with other customers finds theirs too, nothing else
        assert all(services.ctx.scalar("SELECT phone FROM customers c JOIN service_orders o ON o.customer_id = c.id "
                                       "WHERE o.id = ?", (i,)).endswith(text[-4:]) for i in others)
    got = {r.id for r in every(services, agent, QueryFilter(text=customer["name"]))}
    assert theirs <= got
    named = {r.customer_name for r in every(services, agent, QueryFilter(text=customer["name"]))}
    assert all(n.startswith(customer["name"]) for n in named)
    number = services.ctx.scalar("SELECT number FROM service_orders WHERE customer_id = ? ORDER BY number LIMIT 1",
                                 (customer["id"],))
    assert [r.number for r in q.search(agent, QueryFilter(text=number.lower())).rows] == [number]
    prefix = number[:-1]
    assert {r.number for r in every(services, agent, QueryFilter(text=prefix))} == {
        r["number"] for r in services.ctx.query("SELECT number FROM service_orders WHERE number LIKE ?",
                                                (prefix + "%",))}
    assert q.search(agent, QueryFilter(text="无此人名字")).rows == []
    assert q.count(agent, QueryFilter(text="无此人名字")).n == 0
    # a caller on another number: the order's contact phone finds it
    rec = services.intake.record_request(agent, type="repair", customer_id=customer["id"], outlet_id=outlet(
        services, "SH01")["id"], override_reason="客户指定", order={
        "product_model_id": ac_model(services)["id"], **NO_COOLING, "contact_phone": "13912340077"})
    assert [r.id for r in q.search(agent, QueryFilter(text="13912340077")).rows] == [rec.order_id]


def test_bad_input_is_refused_in_words_and_changes_nothing(services, agent):
    q = services.order_query
    e = refused(services, "query_range", q.search, agent, QueryFilter(date_from="2026-05-10", date_to="2026-05-01"))
    assert e.message("zh") == "开始日期不能晚于结束日期。"
    refused(services, "query_date", q.search, agent, QueryFilter(date_from="2026-13-01"))
    refused(services, "query_choice", q.search, agent, QueryFilter(status="lost"))
    refused(services, "query_choice", q.search, agent, QueryFilter(outlet_id="no-such-outlet"))
    refused(services, "query_choice", q.search, agent, QueryFilter(region="火星大区"))
    refused(services, "query_choice", q.search, agent, QueryFilter(sla="late"))
    refused(services, "query_choice", q.search, agent, QueryFilter(), sort="by_mood")
    refused(services, "query_text", q.search, agent, QueryFilter(text="王"))
    refused(services, "query_cursor", q.search, agent, QueryFilter(), cursor="not-a-cursor")
    other = q.search(agent, QueryFilter(), sort="number").next_cursor
    refused(services, "query_cursor", q.search, agent, QueryFilter(), sort="newest", cursor=other)
    refused(services, "query_range", q.export, agent, QueryFilter(date_from="2026-05-10", date_to="2026-05-01"))
    e = refused(services, "query_no_order", services.order_files.find, agent, "HQ-9999999")
    assert "HQ-9999999" in e.message("zh") and "HQ-9999999" in e.message("en")
    refused(services, "not_found", services.order_files.record, agent, "no-such-order")


def test_a_cursor_names_the_last_row_shown(services, agent):
    page = services.order_query.search(agent, QueryFilter(), limit=3)
    key, order_id = decode_cursor(page.next_cursor, "newest")
    assert (key, order_id) == (page.rows[-1].created_at, page.rows[-1].id)


def test_the_total_is_capped_and_said_so(services, agent, monkeypatch):
    monkeypatch.setattr(oq, "COUNT_CAP", 100)
    total = services.order_query.count(agent, QueryFilter())
    assert (total.n, total.capped) == (100, True)
    assert total.text("zh") == "超过 100 条" and total.text("en") == "More than 100 orders"
    few = services.order_query.count(agent, QueryFilter(status="cancelled"))
    assert not few.capped and few.text("zh") == f"共 {few.n:,} 条"


def test_the_export_holds_every_matching_order_in_the_list_order(services, agent, monkeypatch):
    f = QueryFilter(region=outlet(services, "SH01")["region"], status="completed")
    rows = every(services, agent, f)
    assert rows
    wb = load_workbook(io.BytesIO(services.order_query.export(agent, f)[1]))
    ws = wb.active
    title = ws["A1"].value
    assert title.startswith("工单查询") and "华东" in title and f"共 {len(rows):,} 条" in title
    header = [c.value for c in ws[2]]
    assert header[:4] == ["单号", "创建时间", "类型", "状态"] and "坐席" in header and "时效" in header
    assert ws.freeze_panes == "A3"
    body = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in body] == [r.number for r in rows]
    first = rows[0]
    assert isinstance(body[0][1], datetime) and body[0][1].date() == local_date(first.created_at)
    assert body[0][3] == first.status_label == "已完工" and body[0][5] == first.phone
    audit = services.ctx.one("SELECT * FROM hq_audit WHERE action = 'orders_exported' ORDER BY at DESC LIMIT 1")
    assert audit["user_id"] == agent.user_id and audit["detail"] == str(len(rows))
    english = HubSession(agent.user_id, agent.username, agent.display_name, agent.role, lang="en")
    ws_en = load_workbook(io.BytesIO(services.order_query.export(english, f)[1])).active
    assert [c.value for c in ws_en[2]][:2] == ["Number", "Created"] and ws_en["D3"].value == "Completed"
    # more than an export may hold: refused, nothing written
    monkeypatch.setattr(oq, "EXPORT_LIMIT", len(rows) - 1)
    e = refused(services, "query_export_too_many", services.order_query.export, agent, f)
    assert f"{len(rows) - 1:,}" in e.message("zh")


@pytest.fixture
def shop(hub, tmp_path, services):
    """SH01's office PC, enrolled and synced in-process; its attachments reach HQ's blob store."""
    blobs = blob_store_for(hub, tmp_path / "blobs")
    services.order_files.use_blobs(blobs)

    def upload(data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        blobs.put(sha, data)
        return sha
    sh01 = outlet(services, "SH01")["id"]
    node = Node(tmp_path / "sh01-pc.db", hub, sh01)
    node.sync()
    o = Outlet(node, NodeServices(node.store, sync_now=node.sync, queue_blob=upload, read_blob=blobs.get), sh01,
               "SH01")
    yield o
    node.store.close()


def test_the_full_record_tells_the_whole_story(services, agent, approver, shop):
    customer = a_customer(services)
    rec = call(services, agent, customer, serial_no="KFR-77", purchase_date="2025-06-01")
    shop.sync()
    tech = shop.session("sh01.tech01")
    acts = shop.svc.actions
    acts.accept(tech, rec.order_id)
    acts.schedule(tech, rec.order_id, NOW + 3_600_000)
    acts.set_out(tech, rec.order_id)
    acts.arrive(tech, rec.order_id)
    for i in range(CHANGE_SCAN + 20):  # many changes between the events, pushed together
        acts.update_details(tech, rec.order_id, notes=f"现场记录 {i}")
    part = shop.svc.ctx.one("SELECT p.* FROM parts p JOIN stock_moves m ON m.part_id = p.id WHERE m.holder = ? "
                            "GROUP BY p.id HAVING SUM(m.qty) > 0 ORDER BY p.sku LIMIT 1", (tech.user_id,))
    shop.svc.parts.use_part(tech, rec.order_id, part["id"], 1, new_serial="NEW-1")
    signature = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    acts.complete(tech, rec.order_id, "更换电容，试机正常", signature=signature, signature_mime="image/png")
    shop.sync()
    # when HQ received each event: the change carrying its clock, found here by reading every change
    by_clock = {json.loads(bytes(r["body"]))["hlc"]: r["received_at"]
                for r in services.ctx.query("SELECT body, received_at FROM node_changes")}
    received = {e["to_status"]: by_clock[e["_hlc"]] for e in services.ctx.query(
        "SELECT to_status, _hlc FROM order_events WHERE order_id = ?", (rec.order_id,))}
    services.order_actions.note(agent, rec.order_id, "客户要求下午上门")

    f = services.order_files.record(approver, rec.order_id)  # an approver reads it as well as an agent
    assert (f.number, f.status, f.resolution) == (rec.order_number, "completed", "更换电容，试机正常")
    assert (f.customer.name, f.customer.phone) == (customer["name"], customer["phone"])
    assert (f.product.serial_no, f.product.purchase_date, f.product.warranty) == ("KFR-77", "2025-06-01", "in")
    assert f.product.warranty_label == "保内" and f.product.model_code == ac_model(services)["code"]
    assert f.notes == f"现场记录 {CHANGE_SCAN + 19}"
    assert f.technician == tech.display_name and f.outlet_name == outlet(services, "SH01")["name"]
    assert [e.status for e in f.events] == ["accepted", "scheduled", "en_route", "on_site", "completed"]
    for e in f.events:
        assert (e.who, e.role_label) == (tech.display_name, "维修师傅")
        assert e.where.startswith("SH01") and "sh01-pc" in e.where
        assert e.device_at and e.hq_at == received[e.status]
    [d] = f.dispatches
    assert (d.kind, d.outlet.split()[0], d.by) == ("dispatch", "SH01", agent.display_name)
    assert d.override is False or d.reason == "客户指定该网点"
    [p] = f.parts
    assert (p.sku, p.name, p.qty, p.new_serial) == (part["sku"], part["name"], 1, "NEW-1")
    [a] = f.attachments
    assert (a.kind, a.kind_label, a.mime, a.held) == ("signature", "客户签名", "image/png", True)
    assert services.order_files.attachment(approver, rec.order_id, a.id) == ("image/png", signature)
    with pytest.raises(ServiceError):
        services.order_files.attachment(approver, "another-order", a.id)
    [c] = f.calls
    assert (c.who, c.what, c.detail) == (agent.display_name, "维修", "不制冷")
    [n] = f.notes_hq
    assert (n.who, n.detail) == (agent.display_name, "客户要求下午上门")
    assert {"order_dispatch", "order_note"} <= {x.what for x in f.audit}
    assert f.callback is None and f.complaints == [] and f.settlement is None
    policy = services.ctx.one("SELECT * FROM sla_policies WHERE type = 'repair' AND priority = 'normal'")
    assert f.sla_dues["accept"] == NOW + policy["accept_within_min"] * MINUTE_MS
    # the same record by its number, in English
    english = HubSession(agent.user_id, agent.username, agent.display_name, agent.role, lang="en")
    g = services.order_files.find(english, rec.order_number.lower())
    assert g.id == rec.order_id and g.status_label == "Completed" and g.events[0].role_label == "technician"


def test_the_record_shows_callback_complaint_settlement_and_audit(services, agent, hub):
    services.callbacks.run_job()
    task = services.callbacks.queue(agent)[0]
    order = services.ctx.row("service_orders", task.order_id)
    answers = {"repair": ["no", "no", "yes", 2], "install": ["no", "no", 2], "maintenance": ["no", "no", 2]}
    out = services.callbacks.answer(agent, task.id, answers[order["type"]], note="师傅态度差")
    hub.write([{"op": "put", "table": "settlements", "id": "st-1", "fields": {
                    "outlet_id": order["outlet_id"], "period": "2026-05", "status": "draft", "total": 0}},
               {"op": "put", "table": "settlement_lines", "id": "sl-1", "fields": {
                    "settlement_id": "st-1", "order_id": order["id"], "parts_fee": 1200, "visit_fee": 3000,
                    "labour_fee": 8000, "deduction": 1100, "reason": "unsatisfied", "adjustment": 0}}])
    f = services.order_files.record(agent, order["id"])
    cb = f.callback
    assert (cb.result, cb.result_label, cb.score, cb.note, cb.agent) == (
        "unsatisfied", "不满意", out.score, "师傅态度差", agent.display_name)
    assert cb.answers == answers[order["type"]]
    [c] = f.complaints
    assert (c.id, c.source, c.status) == (out.complaint_id, "callback", "open")
    assert c.department and c.deadline_at and order["number"] in c.summary
    s = f.settlement
    assert (s.period, s.status_label, s.parts_fee, s.visit_fee, s.labour_fee, s.deduction, s.total) == (
        "2026-05", "草稿", 1200, 3000, 8000, 1100, 1200 + 3000 + 8000 - 1100)
    assert {"callback_answered", "complaint_opened"} <= {a.what for a in f.audit}
    assert f.status == "closed"


def test_a_date_object_and_its_text_are_the_same_filter(services, agent):
    d = local_date(NOW - 5 * 86_400_000)
    a = [r.id for r in every(services, agent, QueryFilter(date_from=d, date_to=d))]
    b = [r.id for r in every(services, agent, QueryFilter(date_from=d.isoformat(), date_to=d.isoformat()))]
    assert a and a == b
