"""HQ's reports over a small hand-built network whose answers are worked out by hand:
3 outlets (A, B in 华东大区, C in 华北大区), 2 product models, 2 parts, 10 orders in April and
May 2026, callbacks, complaints and settlements. The roll-up job follows changes made through
the hub's write path; a rebuild gives exactly what the incremental folds gave; each report
exports to an .xlsx that openpyxl reads back."""
import dataclasses
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from hub.services import HubServices
from hub.services.reports import ReportFilter
from shared.errors import ServiceError
from shared.passwords import hash_password
from shared.periods import ms_of
from sync.hub_store import HubStore
from sync.keys import SigningKey
from tests.hub.conftest import NOW, Clock

M = 60_000
H = 60 * M
D = 24 * H
APR = ms_of(date(2026, 4, 10)) + 10 * H
MAY = ms_of(date(2026, 5, 10)) + 10 * H
EAST, NORTH = "华东大区", "华北大区"
FULL = ["accepted", "scheduled", "en_route", "on_site", "completed"]


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def add(table, row_id, **fields):
    return {"op": "add", "table": table, "id": row_id, "fields": fields}


def order(oid, outlet, model, created, status, events=(), otype="repair", serial=None, parts=(), **extra):
    """The order and its events ((to_status, minutes after creation)) and parts ((part, qty))."""
    ops = [put("service_orders", oid, number=oid.upper(), outlet_id=outlet, product_model_id=model, type=otype,
               priority="normal", status=status, created_at=created, serial_no=serial, source="hub", **extra)]
    ops += [add("order_events", f"{oid}-e{i}", order_id=oid, to_status=to, at=created + mins * M)
            for i, (to, mins) in enumerate(events)]
    ops += [add("order_parts", f"{oid}-p{i}", order_id=oid, part_id=part, qty=qty, in_warranty=True, at=created)
            for i, (part, qty) in enumerate(parts)]
    return ops


def on_time(created_minutes=(30, 40, 100, 200, 300)):
    return list(zip(FULL, created_minutes, strict=True))


def network() -> list[dict]:
    ops = [put("outlets", "A", code="A01", name="甲网点", region=EAST, active=True),
           put("outlets", "B", code="B01", name="乙网点", region=EAST, active=True),
           put("outlets", "C", code="C01", name="丙网点", region=NORTH, active=True),
           put("product_models", "M1", code="WM1", name="滚筒洗衣机", category="washer", active=True),
           put("product_models", "M2", code="AC2", name="挂式空调", category="ac", active=True),
           put("parts", "P1", sku="SKU-P1", name="排水泵", unit_price=5000, active=True),
           put("parts", "P2", sku="SKU-P2", name="电脑板", unit_price=12000, active=True),
           *(put("sla_policies", f"sla-{t}", type=t, priority="normal", accept_within_min=60,
                 on_site_within_min=240, complete_within_min=1440, active=True) for t in ("repair", "install")),
           *(put("users", u, username=u, display_name=u, role=r, password_hash=hash_password("pw"), active=True)
             for u, r in (("appr", "hq_approver"), ("agent", "hq_agent"), ("boss", "admin")))]
    ops += order("o1", "A", "M1", APR, "closed", on_time(), serial="S1", parts=[("P1", 1)],
                 callback_result="satisfied", callback_score=5)
    # accepted late; on site in time, then waited two days for parts (the clock pauses)
    ops += order("o2", "A", "M1", APR, "completed",
                 [("accepted", 90), ("scheduled", 100), ("en_route", 200), ("on_site", 230),
                  ("waiting_parts", 240), ("scheduled", 2880), ("en_route", 2900), ("on_site", 3000),
                  ("completed", 3180)], serial="S2", parts=[("P2", 2)],
                 callback_result="unsatisfied", callback_score=2)
    # the same appliance as o1, repaired again 25 days later: a repeat repair
    ops += order("o3", "A", "M2", MAY - 5 * D, "completed", on_time((10, 20, 60, 120, 300)), serial="S1")
    ops += order("o4", "B", "M1", APR, "completed",
                 [("accepted", 20), ("scheduled", 30), ("en_route", 100), ("on_site", 300), ("completed", 1500)],
                 callback_result="unreachable")
    ops += order("o5", "B", "M1", NOW - 30 * M, "new")                       # accept not due yet
    ops += order("o6", "B", "M2", MAY, "declined", [("declined", 30)])       # stopped in time
    ops += order("o7", "C", "M2", APR, "completed", on_time(), otype="install", parts=[("P1", 3)],
                 callback_result="satisfied", callback_score=4)
    ops += order("o8", "C", "M1", MAY, "cancelled", [("cancelled", 120)])   # cancelled overdue
    ops += order("o9", "C", "M1", MAY, "completed", on_time(), serial="S3",
                 callback_result="satisfied", callback_score=3)
    ops += order("o10", "A", "M1", MAY, "completed", on_time(), parts=[("P1", 1), ("P2", 1)],
                 callback_result="satisfied", callback_score=4)
    for sid, outlet, period, status, total in (("s1", "A", "2026-04", "submitted", 12345),
                                               ("s2", "A", "2026-03", "draft", 999),
                                               ("s3", "B", "2026-04", "approved", 50000),
                                               ("s4", "C", "2026-05", "approved", 20000),
                                               ("s5", "B", "2026-05", "rejected", 777)):
        ops.append(put("settlements", sid, outlet_id=outlet, period=period, status=status, total=total))
    return ops


@pytest.fixture
def net(tmp_path):
    """(services, approver session, clock) over the hand-built network, roll-ups folded."""
    hub = HubStore(tmp_path / "hub.sqlite", key=SigningKey.generate())
    clock = Clock(NOW)
    services = HubServices(hub, now=clock)
    hub.write(network())
    services.complaints.open(None, summary="维修后仍漏水", order_id="o2")
    services.complaints.open(None, summary="取消太晚", order_id="o8")
    services.complaints.open(None, summary="再次投诉", order_id="o8")
    services.rollups.fold()
    yield services, services.login("appr", "pw"), clock
    hub.close()


def rows(services, session, report, **filters):
    return services.reports.run(session, report, ReportFilter(**filters)).rows


def by(rows_, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows_}


def test_orders_and_complaint_rate_by_model_region_and_month(net):
    services, appr, _ = net
    result = services.reports.run(appr, "orders_complaints")
    got = {(r["model"], r["region"], r["month"]): (r["orders"], r["complained"], r["complaint_rate"],
                                                  r["unsatisfied_rate"]) for r in result.rows}
    assert got == {("WM1 滚筒洗衣机", EAST, "2026-04"): (3, 1, 33.3, 50.0),
                   ("AC2 挂式空调", EAST, "2026-05"): (2, 0, 0.0, None),
                   ("WM1 滚筒洗衣机", EAST, "2026-05"): (2, 0, 0.0, 0.0),
                   ("AC2 挂式空调", NORTH, "2026-04"): (1, 0, 0.0, 0.0),
                   ("WM1 滚筒洗衣机", NORTH, "2026-05"): (2, 1, 50.0, 0.0)}
    assert result.chart.kind == "bar" and result.chart.labels == ["2026-04", "2026-05"]
    assert result.chart.series == [("orders", [4, 6])]
    assert result.chart.names == ("工单数",) and result.headings[:3] == ("产品型号", "大区", "月份")
    en = services.reports.run(dataclasses.replace(appr, lang="en"), "orders_complaints")
    assert en.chart.names == ("Orders",) and en.headings[:3] == ("Product model", "Region", "Month")
    assert len(en.headings) == len(en.columns)
    # filters: one region, one month; one outlet
    assert {r["orders"] for r in rows(services, appr, "orders_complaints", region=NORTH, month_from="2026-05")} == {2}
    assert sum(r["orders"] for r in rows(services, appr, "orders_complaints", outlet_id="B")) == 3


def test_failure_rate_and_part_consumption_by_model(net):
    services, appr, _ = net
    fail = by(rows(services, appr, "failure_rate"), "model")
    assert (fail["WM1 滚筒洗衣机"]["orders"], fail["WM1 滚筒洗衣机"]["with_parts"],
            fail["WM1 滚筒洗衣机"]["failure_rate"], fail["WM1 滚筒洗衣机"]["parts_qty"]) == (7, 3, 42.9, 5)
    assert (fail["AC2 挂式空调"]["orders"], fail["AC2 挂式空调"]["failure_rate"]) == (3, 33.3)
    parts = by(rows(services, appr, "part_consumption"), "part", "model")
    assert {k: (r["qty"], r["orders"], r["amount"]) for k, r in parts.items()} == {
        ("排水泵", "WM1 滚筒洗衣机"): (2, 2, 10000), ("排水泵", "AC2 挂式空调"): (3, 1, 15000),
        ("电脑板", "WM1 滚筒洗衣机"): (3, 2, 36000)}
    april = by(rows(services, appr, "part_consumption", month_to="2026-04"), "part", "model")
    assert april[("排水泵", "WM1 滚筒洗衣机")]["qty"] == 1


def test_satisfaction_by_outlet(net):
    services, appr, _ = net
    got = {r["outlet"]: (r["callbacks"], r["satisfied"], r["unsatisfied"], r["unreachable"],
                         r["satisfaction_rate"], r["avg_score"]) for r in rows(services, appr, "satisfaction")}
    assert got == {"A01 甲网点": (3, 2, 1, 0, 66.7, 3.67), "B01 乙网点": (1, 0, 0, 1, None, None),
                   "C01 丙网点": (2, 2, 0, 0, 100.0, 3.5)}


def test_sla_compliance_by_outlet_and_month_follows_the_clock(net):
    services, appr, clock = net
    result = services.reports.run(appr, "sla")
    got = {(r["outlet"][:3], r["month"]): (r["due"], r["met"], r["compliance"], r["accept_rate"])
           for r in result.rows}
    assert got == {("A01", "2026-04"): (6, 5, 83.3, 50.0), ("A01", "2026-05"): (6, 6, 100.0, 100.0),
                   ("B01", "2026-04"): (3, 1, 33.3, 100.0), ("B01", "2026-05"): (0, 0, None, None),
                   ("C01", "2026-04"): (3, 3, 100.0, 100.0), ("C01", "2026-05"): (4, 3, 75.0, 50.0)}
    assert result.chart.kind == "line"
    # an hour later o5 (new, not accepted) has missed its accept deadline: no write, just time
    clock.advance(H)
    services.rollups.fold()
    b_may = by(rows(services, appr, "sla", outlet_id="B"), "month")["2026-05"]
    assert (b_may["due"], b_may["met"], b_may["compliance"]) == (1, 0, 0.0)


def test_outlet_scorecard(net):
    services, appr, _ = net
    got = {r["outlet"][:3]: (r["orders"], r["completed"], r["on_time_rate"], r["ftf_rate"], r["repeats"],
                             r["repeat_rate"], r["complaint_rate"]) for r in rows(services, appr, "scorecard")}
    assert got == {"A01": (4, 4, 100.0, 50.0, 1, 25.0, 25.0),
                   "B01": (3, 1, 0.0, 100.0, 0, 0.0, 0.0),
                   "C01": (3, 2, 100.0, 100.0, 0, 0.0, 33.3)}


def test_settlement_totals_by_outlet_and_period(net):
    services, appr, _ = net
    got = {(r["outlet"][:3], r["period"]): (r["submitted"], r["submitted_total"], r["approved"], r["approved_total"])
           for r in rows(services, appr, "settlements")}
    assert got == {("A01", "2026-04"): (1, 12345, 0, 0), ("B01", "2026-04"): (0, 0, 1, 50000),
                   ("C01", "2026-05"): (0, 0, 1, 20000)}
    assert {r["period"] for r in rows(services, appr, "settlements", region=EAST)} == {"2026-04"}


def snapshot(services) -> dict:
    q = services.ctx.query
    return {"facts": q("SELECT * FROM hq_rollup_facts ORDER BY order_id"),
            "parts": q("SELECT * FROM hq_rollup_part_facts ORDER BY order_id, part_id"),
            "orders": q("SELECT * FROM hq_rollup_orders_month ORDER BY outlet_id, model_id, month"),
            "parts_month": q("SELECT * FROM hq_rollup_parts_month ORDER BY outlet_id, model_id, month, part_id"),
            "outlet_month": q("SELECT * FROM hq_rollup_outlet_month ORDER BY outlet_id, month"),
            "region_month": q("SELECT * FROM hq_rollup_region_month ORDER BY region, model_id, month"),
            "parts_region": q("SELECT * FROM hq_rollup_parts_region_month ORDER BY region, part_id, model_id, month")}


def test_the_job_folds_changes_in_and_a_rebuild_gives_the_same(net):
    services, appr, _ = net
    hub = services.ctx.hub
    # the callback reaches o4; o9 is moved to outlet B; o3's serial number was mistyped (no repeat);
    # a new order with a part arrives at A; a complaint about o10
    hub.write([put("service_orders", "o4", callback_result="satisfied", callback_score=5),
               put("service_orders", "o9", outlet_id="B"),
               put("service_orders", "o3", serial_no="S1-X"),
               *order("o11", "A", "M2", MAY + D, "completed", on_time(), parts=[("P2", 4)])])
    services.complaints.open(None, summary="配件贵", order_id="o10")
    before = by(rows(services, appr, "scorecard"), "outlet")
    assert before["A01 甲网点"]["orders"] == 4  # not folded yet: reports read the roll-ups
    assert services.rollups.status()["dirty"] == services.reports.freshness(appr).dirty == 5
    services.rollups.fold()
    fresh = services.reports.freshness(appr)
    assert (fresh.dirty, fresh.never_built, fresh.as_of) == (0, False, services.ctx.now())
    card = by(rows(services, appr, "scorecard"), "outlet")
    assert (card["A01 甲网点"]["orders"], card["A01 甲网点"]["ftf_rate"], card["A01 甲网点"]["repeats"],
            card["A01 甲网点"]["complaint_rate"]) == (5, 80.0, 0, 40.0)
    assert (card["B01 乙网点"]["orders"], card["C01 丙网点"]["orders"]) == (4, 2)
    sat = by(rows(services, appr, "satisfaction"), "outlet")["B01 乙网点"]
    assert (sat["satisfied"], sat["unreachable"], sat["avg_score"]) == (2, 0, 4.0)
    assert by(rows(services, appr, "failure_rate"), "model")["AC2 挂式空调"]["parts_qty"] == 7
    incremental = snapshot(services)
    services.rollups.rebuild()
    assert snapshot(services) == incremental


def test_an_outlet_moving_to_another_region_regroups_the_reports(net):
    services, appr, _ = net
    services.ctx.hub.write([put("outlets", "B", region=NORTH)])
    services.rollups.fold()
    north = rows(services, appr, "orders_complaints", region=NORTH)
    assert sum(r["orders"] for r in north) == 6  # C's three and B's three
    assert sum(r["qty"] for r in rows(services, appr, "part_consumption", region=EAST)) == 5
    assert {r["outlet"][:3] for r in rows(services, appr, "scorecard", region=NORTH)} == {"B01", "C01"}
    regrouped = snapshot(services)
    services.rollups.rebuild()
    assert snapshot(services) == regrouped


def test_a_changed_sla_policy_makes_the_job_refold_every_order(net):
    services, appr, _ = net
    services.ctx.hub.write([put("sla_policies", "sla-repair", accept_within_min=10)])
    assert services.rollups.status()["refold_due"]
    assert services.rollups.fold() == 10
    assert not services.rollups.status()["refold_due"]
    a_apr = by(rows(services, appr, "sla", outlet_id="A"), "month")["2026-04"]
    assert a_apr["accept_rate"] == 0.0  # o1 accepted after 30 min, o2 after 90: both late now


def test_every_report_exports_to_excel_with_units_and_a_frozen_header(net):
    services, appr, _ = net
    for report in ("orders_complaints", "failure_rate", "part_consumption", "satisfaction", "sla",
                   "scorecard", "settlements"):
        name, data = services.reports.export(appr, report)
        assert name.startswith(report) and name.endswith(".xlsx")
        ws = load_workbook(io.BytesIO(data)).active
        result = services.reports.run(appr, report)
        assert [c.value for c in ws[2]] == [c.title("zh") for c in result.columns]
        assert ws.freeze_panes == "A3"
        assert ws.max_row == 2 + len(result.rows)
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[2])
    ws = load_workbook(io.BytesIO(services.reports.export(appr, "settlements")[1])).active
    assert [c.value for c in ws[2]][3] == "待审批金额（元）"
    assert ws["D3"].value == 123.45 and ws["D3"].number_format == "#,##0.00"
    ws = load_workbook(io.BytesIO(services.reports.export(appr, "scorecard")[1])).active
    assert ws["E2"].value == "及时完工率（%）" and ws["E3"].value == 100.0
    name, data = services.reports.export(appr, "sla", ReportFilter(month_from="2026-05", outlet_id="C"))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "时效达标率  (2026-05 · C01 丙网点)" and ws.max_row == 3
    assert name == "sla-20260529-0426.xlsx"  # local time of the fixed "now"


def test_every_hq_role_reads_reports_an_inactive_user_does_not(net):
    services, appr, _ = net
    for name in ("agent", "boss"):
        assert rows(services, services.login(name, "pw"), "scorecard")
    services.ctx.hub.write([put("users", "appr", active=False)])
    with pytest.raises(ServiceError) as e:
        services.reports.run(appr, "scorecard")
    assert e.value.code == "user_inactive"
    with pytest.raises(ServiceError):
        services.reports.export(appr, "scorecard")


def test_bad_filters_are_refused_in_words(net):
    services, appr, _ = net
    with pytest.raises(ServiceError) as e:
        services.reports.run(appr, "sla", ReportFilter(month_from="2026-05", month_to="2026-04"))
    assert e.value.code == "report_month_range" and "起始月份" in e.value.message("zh")
    with pytest.raises(ServiceError) as e:
        services.reports.run(appr, "sla", ReportFilter(month_from="2026-5"))
    assert e.value.code == "bad_period"
    with pytest.raises(ServiceError) as e:
        services.reports.run(appr, "no_such_report")
    assert e.value.code == "report_unknown"


def test_the_demo_hub_builds_its_rollups_on_the_first_job_run(services, approver):
    from hub.jobs import JOBS
    job = dict((i, fn) for i, fn, _ in JOBS)["report_rollups"]
    job(services)
    total = sum(r["orders"] for r in rows(services, approver, "scorecard"))
    assert total == services.ctx.scalar("SELECT COUNT(*) FROM service_orders") == 300


def test_the_rebuild_command_rebuilds_a_hub_directory(tmp_path, capsys):
    from hub.admin import init_hub
    from hub.home import HubHome
    from hub.services.rollups import main
    home = HubHome(tmp_path / "hub")
    init_hub(home)
    hub = home.open()
    hub.write(network())
    hub.close()
    assert main(["--dir", str(home.dir)]) == 0
    assert "10 orders" in capsys.readouterr().out
    hub = home.open()
    try:
        assert hub.conn.execute("SELECT SUM(orders) FROM hq_rollup_orders_month").fetchone()[0] == 10
    finally:
        hub.close()
