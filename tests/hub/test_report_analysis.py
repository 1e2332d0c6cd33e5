"""The analysis (dimensions and period chosen by the user) and the technician and agent
reports, over the hand-built network of test_reports (answers worked out by hand) with
technicians on the orders and the agents' calls that created them — on SQLite and on
PostgreSQL. Each question is read from the coarsest roll-up that can answer it; the roll-up
job follows a technician's change and a new call; migrations 14 (and 17) bring a hub of
version 13 to the new roll-ups on both stores."""
import dataclasses
import io

import pytest
from openpyxl import load_workbook

from hub.migrations import HUB_SCHEMA
from hub.services import HubServices
from hub.services import report_analysis as analysis
from hub.services import rollups
from hub.services.reports import ReportFilter
from shared.errors import ServiceError
from shared.passwords import hash_password
from shared.reports import Dimension as D
from shared.reports import Grain
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store
from sync.schema import is_postgres
from tests.hub.conftest import NOW, Clock
from tests.hub.test_reports import APR, EAST, NORTH, network, put, snapshot

T1, T2 = "王师傅", "李师傅"


def people() -> list[dict]:
    ops = [put("users", uid, username=uid, display_name=name, role=role, outlet_id=outlet,
               password_hash=hash_password("pw"), active=True)
           for uid, name, role, outlet in (("t1", T1, "technician", "A"), ("t2", T2, "technician", "C"),
                                           ("ag1", "坐席一", "hq_agent", None), ("ag2", "坐席二", "hq_agent", None))]
    ops += [put("service_orders", o, technician_id="t1") for o in ("o1", "o2", "o3", "o10")]
    ops += [put("service_orders", o, technician_id="t2") for o in ("o7", "o9")]
    return ops


# (order, type, agent, minutes after APR): the first repair / install call names the agent
CALLS = (("o1", "consult", "ag2", 0), ("o1", "repair", "ag1", 5), ("o2", "repair", "ag2", 0),
         ("o2", "repair", "ag1", 60), ("o7", "install", "ag1", 0))


def record_calls(services) -> None:
    with services.ctx.tx():
        for oid, kind, agent, minutes in CALLS:
            services.ctx.insert("hq_requests", {"type": kind, "order_id": oid, "created_by": agent,
                                                "created_at": APR + minutes * 60_000, "summary": "来电"})


def open_store(location, key):
    return open_hub_store(location, key=key)


@pytest.fixture
def net(hub_db):
    """(services, approver session, store location, key) over the network with people, folded."""
    key = SigningKey.generate()
    hub = open_store(hub_db, key)
    services = HubServices(hub, now=Clock(NOW))
    hub.write(network() + people())
    services.complaints.open(None, summary="维修后仍漏水", order_id="o2")
    services.complaints.open(None, summary="取消太晚", order_id="o8")
    services.complaints.open(None, summary="再次投诉", order_id="o8")
    record_calls(services)
    services.rollups.fold()
    yield services, services.login("appr", "pw"), hub_db, key
    services.ctx.hub.close()  # (the migration test puts the store it reopened here)


def run(services, session, report, **filters):
    return services.reports.run(session, report, ReportFilter(**filters))


def test_complaint_rate_by_model_region_and_month_reads_the_region_roll_up(net):
    services, appr, _, _ = net
    assert analysis.source_for((D.MODEL, D.REGION), Grain.MONTH, region=False, outlet=False).name == "region_month"
    result = run(services, appr, "analysis", dims=("model", "region"), grain="month", measure="complaint_rate")
    got = {(r["model"], r["region"], r["period"]): (r["orders"], r["complaint_rate"]) for r in result.rows}
    assert got == {("WM1 滚筒洗衣机", EAST, "2026-04"): (3, 33.3), ("AC2 挂式空调", EAST, "2026-05"): (2, 0.0),
                   ("WM1 滚筒洗衣机", EAST, "2026-05"): (2, 0.0), ("AC2 挂式空调", NORTH, "2026-04"): (1, 0.0),
                   ("WM1 滚筒洗衣机", NORTH, "2026-05"): (2, 50.0)}
    assert result.headings[:3] == ("产品型号", "大区", "月份") and result.headings[3] == "工单数"
    assert len(result.headings) == len(result.columns) == 3 + 10
    # the chart: the chosen measure over the months, every group together (1 of 4, 1 of 6)
    assert (result.chart.kind, result.chart.labels) == ("line", ["2026-04", "2026-05"])
    assert result.chart.series == [("complaint_rate", [25.0, 16.7])] and result.chart.names == ("投诉率（%）",)


def test_complaint_rate_by_outlet_type_and_week_reads_the_week_roll_up(net):
    services, appr, _, _ = net
    assert analysis.source_for((D.OUTLET, D.TYPE), Grain.WEEK, region=False, outlet=False).name == "type_week"
    assert analysis.source_for((D.OUTLET,), Grain.DAY, region=False, outlet=False).name == "facts"
    rows = run(services, appr, "analysis", dims=("outlet", "type"), grain="week").rows
    got = {(r["outlet"], r["type"], r["period"]): (r["orders"], r["complaint_rate"]) for r in rows}
    assert got == {("A01 甲网点", "维修", "2026-W15"): (2, 50.0), ("A01 甲网点", "维修", "2026-W19"): (2, 0.0),
                   ("B01 乙网点", "维修", "2026-W15"): (1, 0.0), ("B01 乙网点", "维修", "2026-W19"): (1, 0.0),
                   ("B01 乙网点", "维修", "2026-W22"): (1, 0.0), ("C01 丙网点", "安装", "2026-W15"): (1, 0.0),
                   ("C01 丙网点", "维修", "2026-W19"): (2, 50.0)}
    assert [r["period"] for r in rows] == sorted(r["period"] for r in rows)
    # filtered to one region and a day grain
    days = run(services, appr, "analysis", dims=("outlet",), grain="day", region=NORTH).rows
    assert {(r["outlet"], r["period"], r["orders"]) for r in days} == {
        ("C01 丙网点", "2026-04-10", 1), ("C01 丙网点", "2026-05-10", 2)}


def test_every_source_gives_the_same_totals(net):
    services, appr, _, _ = net
    cases = [((), "none"), (("region",), "month"), (("outlet",), "month"), (("model", "outlet"), "none"),
             (("technician",), "month"), (("agent",), "none"), (("type",), "month"), (("model",), "week"),
             (("region", "type"), "week"), (("outlet",), "day")]
    for dims, grain in cases:
        rows = run(services, appr, "analysis", dims=dims, grain=grain).rows
        assert sum(r["orders"] for r in rows) == 10, (dims, grain)
        assert sum(r["repeats"] for r in rows) == 1, (dims, grain)
    assert analysis.source_for((D.OUTLET,), Grain.MONTH, region=True, outlet=False).name == "outlet_month"
    assert analysis.source_for((D.MODEL, D.OUTLET), Grain.NONE, region=False, outlet=False).name == "orders_month"
    assert analysis.source_for((D.AGENT,), Grain.NONE, region=False, outlet=False).name == "agent_month"
    assert analysis.source_for((D.TECHNICIAN,), Grain.MONTH, region=True, outlet=False).name == "facts"
    assert analysis.source_for((D.MODEL,), Grain.WEEK, region=False, outlet=False).name == "facts"
    # a week from the roll-up is the same as from the facts (model × week: read from the facts)
    by_roll_up = {r["period"]: r for r in run(services, appr, "analysis", dims=("region",), grain="week").rows
                  if r["region"] == EAST}
    by_facts = {}
    for r in run(services, appr, "analysis", dims=("model",), grain="week", region=EAST).rows:
        by_facts.setdefault(r["period"], []).append(r["orders"])
    assert {p: r["orders"] for p, r in by_roll_up.items()} == {p: sum(v) for p, v in by_facts.items()}
    total = run(services, appr, "analysis", dims=(), grain="none").rows
    # handling time: (5 + 53 + 5 + 25 + 5 + 5 + 5) hours over the 7 completed orders
    assert [(r["orders"], r["complaint_rate"], r["avg_hours"]) for r in total] == [(10, 20.0, 14.7)]


TECH = {T1: ("A01 甲网点", 4, 4, 50.0, 1, 25.0, 3.7, 33.3, 25.0, 17.0),
        T2: ("C01 丙网点", 2, 2, 100.0, 0, 0.0, 3.5, 0.0, 0.0, 5.0)}


def tech_rows(result):
    return {r["technician"]: (r["outlet"], r["orders"], r["completed"], r["ftf_rate"], r["repeats"],
                              r["repeat_rate"], r["avg_score"], r["unsatisfied_rate"], r["complaint_rate"],
                              r["avg_hours"]) for r in result.rows}


def test_technician_performance(net):
    services, appr, _, _ = net
    result = run(services, appr, "technicians")
    assert tech_rows(result) == TECH  # o4, o5, o6, o8 had no technician: not a row
    assert result.title == "技术员绩效" and result.headings[:3] == ("技术员", "网点", "工单数")
    assert tech_rows(run(services, appr, "technicians", region=NORTH)) == {T2: TECH[T2]}
    may = tech_rows(run(services, appr, "technicians", month_from="2026-05"))
    assert may[T1][1:4] == (2, 2, 100.0) and may[T2][1] == 1


def test_agent_performance_counts_the_orders_their_calls_created(net):
    services, appr, _, _ = net
    got = {r["agent"]: (r["orders"], r["completed"], r["ftf_rate"], r["repeats"], r["avg_score"],
                        r["unsatisfied_rate"], r["complaint_rate"], r["avg_hours"])
           for r in run(services, appr, "agents").rows}
    # o1's consult by 坐席二 came first, its repair call by 坐席一 created it; o2's second call does not count
    assert got == {"坐席一": (2, 2, 50.0, 0, 4.5, 0.0, 0.0, 5.0), "坐席二": (1, 1, 0.0, 0, 2.0, 100.0, 100.0, 53.0)}


def test_the_job_follows_a_new_technician_and_a_new_call_and_a_rebuild_agrees(net):
    services, appr, _, _ = net
    services.ctx.hub.write([put("service_orders", "o4", technician_id="t2")])
    with services.ctx.tx():
        services.ctx.insert("hq_requests", {"type": "repair", "order_id": "o9", "created_by": "ag2",
                                            "created_at": APR, "summary": "来电"})
    assert services.rollups.status()["dirty"] == 2
    services.rollups.fold()
    assert tech_rows(run(services, appr, "technicians"))[T2][1:3] == (3, 3)
    assert {r["agent"]: r["orders"] for r in run(services, appr, "agents").rows} == {"坐席一": 2, "坐席二": 2}
    q = services.ctx.query

    def everything():
        return {**snapshot(services), "tech": q("SELECT * FROM hq_rollup_tech_month ORDER BY technician_id, month"),
                "agent": q("SELECT * FROM hq_rollup_agent_month ORDER BY agent_id, month"),
                "week": q("SELECT * FROM hq_rollup_type_week ORDER BY outlet_id, type, month, week")}
    incremental = everything()
    assert incremental["week"]
    services.rollups.rebuild()
    assert everything() == incremental


def test_labels_in_english(net):
    services, appr, _, _ = net
    en = dataclasses.replace(appr, lang="en")
    result = run(services, en, "analysis", dims=("type", "technician"), grain="week", measure="avg_hours")
    assert result.headings[:4] == ("Service type", "Technician", "Week", "Orders")
    assert "Average handling time (hours)" in result.headings and result.title == "Analysis"
    assert {r["type"] for r in result.rows} == {"Repair", "Installation"}
    assert "(not set)" in {r["technician"] for r in result.rows}
    assert result.chart.names == ("Average handling time (hours)",)
    assert run(services, en, "agents").headings[:2] == ("Agent", "Orders")


def test_bad_analysis_choices_are_refused_in_words(net):
    services, appr, _, _ = net
    for filters, code, zh in (({"dims": ("model", "region", "outlet")}, "report_dimensions_max", "最多可选 2 个维度"),
                              ({"dims": ("colour",)}, "report_dimension", "“colour”"),
                              ({"dims": ("model", "model")}, "report_dimension_twice", "两次"),
                              ({"grain": "year"}, "report_grain", "“year”"),
                              ({"measure": "profit"}, "report_measure", "“profit”")):
        with pytest.raises(ServiceError) as e:
            run(services, appr, "analysis", **filters)
        assert e.value.code == code and zh in e.value.message("zh") and e.value.message("en")


def test_the_new_reports_export_to_excel(net):
    services, appr, _, _ = net
    f = ReportFilter(dims=("outlet", "type"), grain="week")
    name, data = services.reports.export(appr, "analysis", f)
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[2]][:4] == ["网点", "服务类型", "周", "工单数"]
    assert ws["A1"].value == "自定义分析  (网点 × 服务类型 · 按周)"
    assert ws.max_row == 2 + len(services.reports.run(appr, "analysis", f).rows)
    for report in ("technicians", "agents"):
        name, data = services.reports.export(appr, report)
        ws = load_workbook(io.BytesIO(data)).active
        header = [c.value for c in ws[2]]
        assert header[-1] == "平均处理时长（小时）"
        col = header.index("平均处理时长（小时）") + 1
        assert ws.cell(row=3, column=col).number_format == "0.0"
    ws = load_workbook(io.BytesIO(services.reports.export(appr, "technicians")[1])).active
    assert [ws.cell(row=3, column=j).value for j in (1, 2, 3)] == [T1, "A01 甲网点", 4]


def _back_to_13(store) -> None:
    """Undo migration 14 on a store: a hub of version 13 as it was (the order-update trigger
    not watching the technician, no people roll-ups, facts without the new columns)."""
    conn = store.conn
    pg = is_postgres(conn)
    for t in ("hq_rollup_tech_month", "hq_rollup_agent_month", "hq_rollup_type_week"):
        conn.execute(f"DROP TABLE IF EXISTS {t}")
    for i in ("ix_hq_requests_order", "ix_hq_rollup_facts_month"):
        conn.execute(f"DROP INDEX IF EXISTS {i}")
    conn.execute("DROP TRIGGER IF EXISTS tr_hq_rollup_request_ins" + (" ON hq_requests" if pg else ""))
    if not pg:
        conn.execute("DROP TRIGGER tr_hq_rollup_order_upd")
    conn.execute(rollups._dirty_trigger("tr_hq_rollup_order_upd", f"UPDATE OF {', '.join(ORDER_COLUMNS_13)}",
                                        "service_orders", "NEW.id"))
    for col in ("day", "technician_id", "agent_id", "handled", "handle_ms"):
        conn.execute(f"ALTER TABLE hq_rollup_facts DROP COLUMN {col}")
    for t in ("hq_rollup_orders_month", "hq_rollup_outlet_month", "hq_rollup_region_month"):
        for col in ("handled", "handle_ms"):
            conn.execute(f"ALTER TABLE {t} DROP COLUMN {col}")
    conn.execute("UPDATE _schema_version SET version = 13" if pg else "PRAGMA user_version = 13")


ORDER_COLUMNS_13 = tuple(c for c in rollups.ORDER_COLUMNS if c != "technician_id")


def test_migration_14_brings_a_version_13_hub_to_the_new_reports(net):
    services, _, location, key = net
    assert 14 in {m.version for m in HUB_SCHEMA.migrations}  # (later ones run after it, as in the field)
    services.ctx.hub.close()
    hub = open_store(location, key)
    _back_to_13(hub)
    hub.close()
    hub = open_store(location, key)
    services.ctx.hub = hub  # (the fixture closes this one)
    services = HubServices(hub, now=Clock(NOW))
    assert services.rollups.status()["rebuild_due"]  # the migration asked for a rebuild
    services.rollups.fold()
    appr = services.login("appr", "pw")
    assert tech_rows(run(services, appr, "technicians")) == TECH
    weeks = run(services, appr, "analysis", dims=("outlet", "type"), grain="week").rows
    assert sum(r["orders"] for r in weeks) == 10  # migration 17's roll-up, built too
    # the order-update trigger now watches the technician
    hub.write([put("service_orders", "o5", technician_id="t1")])
    assert services.rollups.status()["dirty"] == 1
    services.rollups.fold()
    assert tech_rows(run(services, appr, "technicians"))[T1][1] == 5
    with services.ctx.tx():  # and a new call marks its order
        services.ctx.insert("hq_requests", {"type": "repair", "order_id": "o6", "created_by": "ag2",
                                            "created_at": NOW, "summary": "来电"})
    assert services.rollups.status()["dirty"] == 1
