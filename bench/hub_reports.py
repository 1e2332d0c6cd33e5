"""HQ reports over a million orders: how long the roll-ups take to build and to fold in a
batch of changes, and how fast each report answers from them, against a raw baseline
measured in the same run — the same aggregate as a straight GROUP BY over the base tables.

    .venv/bin/python bench/hub_reports.py [--orders N] [--runs R] [--keep DIR | --reuse DIR] [--quick]

The fixture (not timed, but printed) is bulk-inserted straight into a HubStore file's tables:
500 outlets in 7 regions, 40 product models, 300 parts, N orders over 12 months with their
status events (device times), a technician of the outlet on each order past `new` and the
call that created it (an agent's) on 70 %, parts on about a third of them (each model takes 20 of the
parts), callback results on 40 % of
the completed ones, complaints on 2 %, and 500 × 12 settlements. The bench measures the
reports, not ingest. The raw SLA baseline ignores the pauses while waiting for parts (the
roll-up's facts use the full shared/sla.py clock), so it does a little less work than the
real thing would; the issue's aim is each report within a second or two at 1,000,000 orders.

Run time: a plain run (no arguments, which is what `make bench` does) takes about 17 minutes
at the default 1,000,000 orders; `--quick` (or FIELDSYNC_BENCH_QUICK=1, `make bench QUICK=1`)
takes 20,000 orders and 3 runs per report, about 15 s. Earlier, at 1,000,000 orders on a
2-core machine shared with other work (load 10–20), the fixture took about 20 minutes
(before it got a 1 GB page cache) and the full rebuild about 15 (~1,100 orders/s: every
order's SLA clock is worked out in Python by shared/sla.py); the raw baselines a few more.
Build once with `--keep DIR` and measure again with `--reuse DIR`; `--orders 200000` gives
the shape of it in a few minutes.
"""
import argparse
import random
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import insert, median_seconds, Report as BenchReport, machine_line, quick_flag  # noqa: E402
from hub.services import HubServices  # noqa: E402
from hub.services.reports import ReportFilter  # noqa: E402
from hub.services import schema as services_schema  # noqa: E402
from hub.services.rollups import regroup  # noqa: E402
from shared.passwords import hash_password  # noqa: E402
from shared.reports import Report  # noqa: E402
from sync.hub_store import HubStore  # noqa: E402
from sync.keys import SigningKey  # noqa: E402

NOW = 1_780_000_000_000
M, H, D = 60_000, 3_600_000, 86_400_000
OUTLETS, REGIONS, MODELS, PARTS = 500, 7, 40, 300
TECHS_PER_OUTLET, AGENTS = 4, 60
MONTHS = 12
AIM_S = 2.0
FLOW = ("accepted", "scheduled", "en_route", "on_site", "completed")
MONTH_SQL = "strftime('%Y-%m', {col} / 1000 + 8 * 3600, 'unixepoch')"  # local month (UTC+8)


def generate(hub: HubStore, n: int, seed: int = 5) -> dict:
    """Bulk rows straight into the store's tables (one transaction per 50,000 orders)."""
    rng = random.Random(seed)
    c = hub.conn
    outlets = [f"out-{i:04d}" for i in range(OUTLETS)]
    models = [f"mod-{i:02d}" for i in range(MODELS)]
    parts = [f"part-{i:03d}" for i in range(PARTS)]
    with hub.tx():
        insert(c, "outlets", ("id", "code", "name", "region", "active"),
               [(o, f"O{i:04d}", f"网点{i:04d}", f"大区{i % REGIONS + 1}", 1) for i, o in enumerate(outlets)])
        insert(c, "product_models", ("id", "code", "name", "category", "active"),
               [(m, f"MD{i:02d}", f"型号{i:02d}", f"cat{i % 5}", 1) for i, m in enumerate(models)])
        insert(c, "parts", ("id", "sku", "name", "unit_price", "active"),
               [(p, f"SKU{i:03d}", f"配件{i:03d}", rng.randint(500, 50000), 1) for i, p in enumerate(parts)])
        insert(c, "sla_policies", ("id", "type", "priority", "accept_within_min", "on_site_within_min",
                                   "complete_within_min", "active"),
               [("sla-r", "repair", "normal", 60, 1440, 4320, 1), ("sla-i", "install", "normal", 120, 2880, 5760, 1)])
        insert(c, "settlements", ("id", "outlet_id", "period", "status", "total"),
               [(f"set-{o}-{m}", o, f"2025-{m:02d}", rng.choice(("submitted", "approved", "approved", "draft")),
                 rng.randint(100_000, 5_000_000)) for o in outlets for m in range(1, 13)])
        c.execute("INSERT INTO users (id, username, display_name, role, password_hash, active) VALUES "
                  "('bench-approver', 'bench.approver', 'bench', 'hq_approver', ?, 1)", (hash_password("bench"),))
        insert(c, "users", ("id", "username", "display_name", "role", "outlet_id", "active"),
               [(f"tech-{o}-{k}", f"tech.{o}.{k}", f"师傅{o[-4:]}-{k}", "technician", o, 1)
                for o in outlets for k in range(TECHS_PER_OUTLET)]
               + [(f"agent-{k:02d}", f"agent.{k:02d}", f"坐席{k:02d}", "hq_agent", None, 1) for k in range(AGENTS)])
    fits = {m: rng.sample(parts, 20) for m in models}  # each model takes a few dozen of the parts
    start = NOW - MONTHS * 30 * D
    counts = {"orders": 0, "events": 0, "parts": 0, "complaints": 0, "calls": 0}
    serials: list[str] = []
    batch = 50_000
    for lo in range(0, n, batch):
        orders, events, lines, complaints, calls = [], [], [], [], []
        for i in range(lo, min(n, lo + batch)):
            oid = str(uuid.UUID(int=rng.getrandbits(128)))
            created = start + rng.randrange(MONTHS * 30 * D)
            otype = "repair" if rng.random() < 0.8 else "install"
            if serials and rng.random() < 0.08:
                serial = rng.choice(serials)
            else:
                serial = f"SN{i:09d}"
                if len(serials) < 200_000:
                    serials.append(serial)
            reach = rng.choices(range(len(FLOW) + 1), weights=(3, 3, 3, 2, 4, 85))[0]
            t = created
            for k in range(reach):
                t += rng.randint(5, 60 if k == 0 else 900) * M
                events.append((f"{oid}-{k}", oid, FLOW[k], t))
            status = FLOW[reach - 1] if reach else "new"
            done = status == "completed"
            result = score = None
            if done and rng.random() < 0.4:
                result = rng.choices(("satisfied", "unsatisfied", "unreachable"), weights=(80, 12, 8))[0]
                score = rng.randint(1, 5) if result != "unreachable" else None
            model, outlet = rng.choice(models), rng.choice(outlets)
            tech = f"tech-{outlet}-{rng.randrange(TECHS_PER_OUTLET)}" if reach >= 1 else None
            orders.append((oid, f"N{i:09d}", outlet, model, otype, "normal", status,
                           created, serial, "hub", result, score, tech))
            if rng.random() < 0.7:  # most orders come from a call to HQ; the rest an outlet made
                calls.append((f"{oid}-r", otype, oid, created, f"agent-{rng.randrange(AGENTS):02d}"))
            if done and rng.random() < 0.33:
                for k in range(rng.choice((1, 1, 2))):
                    lines.append((f"{oid}-p{k}", oid, rng.choice(fits[model]), rng.randint(1, 3), 1, t))
            if rng.random() < 0.02:
                complaints.append((f"{oid}-c", oid, "dept-customer", "call", "normal", "投诉", "open", t + D, t))
        with hub.tx():
            insert(c, "service_orders", ("id", "number", "outlet_id", "product_model_id", "type", "priority",
                                         "status", "created_at", "serial_no", "source", "callback_result",
                                         "callback_score", "technician_id"), orders)
            insert(c, "hq_requests", ("id", "type", "order_id", "created_at", "created_by"), calls)
            insert(c, "order_events", ("id", "order_id", "to_status", "at"), events)
            insert(c, "order_parts", ("id", "order_id", "part_id", "qty", "in_warranty", "at"), lines)
            insert(c, "hq_complaints", ("id", "order_id", "department_id", "source", "severity", "summary",
                                        "status", "deadline_at", "created_at"), complaints)
        counts["orders"] += len(orders)
        counts["events"] += len(events)
        counts["parts"] += len(lines)
        counts["complaints"] += len(complaints)
        counts["calls"] += len(calls)
    hub.conn.execute("ANALYZE")
    return counts


# The same aggregates straight from the base tables.
RAW = {
    Report.ORDERS_COMPLAINTS: f"""
        SELECT o.product_model_id, ou.region, {MONTH_SQL.format(col='o.created_at')} AS month, COUNT(*),
               SUM(EXISTS (SELECT 1 FROM hq_complaints c WHERE c.order_id = o.id)),
               SUM(o.callback_result = 'unsatisfied'), SUM(o.callback_result = 'satisfied')
        FROM service_orders o LEFT JOIN outlets ou ON ou.id = o.outlet_id
        GROUP BY o.product_model_id, ou.region, month""",
    Report.FAILURE_RATE: """
        SELECT o.product_model_id, COUNT(*), SUM(p.qty IS NOT NULL), SUM(COALESCE(p.qty, 0))
        FROM service_orders o LEFT JOIN (SELECT order_id, SUM(qty) AS qty FROM order_parts GROUP BY order_id) p
          ON p.order_id = o.id GROUP BY o.product_model_id""",
    Report.PART_CONSUMPTION: """
        SELECT p.part_id, o.product_model_id, SUM(p.qty), COUNT(DISTINCT p.order_id)
        FROM order_parts p JOIN service_orders o ON o.id = p.order_id GROUP BY p.part_id, o.product_model_id""",
    Report.SATISFACTION: """
        SELECT o.outlet_id, SUM(o.callback_result IS NOT NULL), SUM(o.callback_result = 'satisfied'),
               SUM(o.callback_result = 'unsatisfied'), SUM(o.callback_result = 'unreachable'),
               AVG(o.callback_score) FROM service_orders o GROUP BY o.outlet_id""",
    Report.SLA: f"""
        WITH m AS (SELECT e.order_id, MIN(CASE WHEN e.to_status = 'accepted' THEN e.at END) AS acc,
                          MIN(CASE WHEN e.to_status = 'on_site' THEN e.at END) AS ons,
                          MIN(CASE WHEN e.to_status = 'completed' THEN e.at END) AS com
                   FROM order_events e GROUP BY e.order_id)
        SELECT o.outlet_id, {MONTH_SQL.format(col='o.created_at')} AS month,
               SUM(m.acc IS NOT NULL) + SUM(m.ons IS NOT NULL) + SUM(m.com IS NOT NULL),
               SUM(m.acc <= o.created_at + s.accept_within_min * 60000)
               + SUM(m.ons <= o.created_at + s.on_site_within_min * 60000)
               + SUM(m.com <= o.created_at + s.complete_within_min * 60000)
        FROM service_orders o JOIN m ON m.order_id = o.id
        JOIN sla_policies s ON s.type = o.type AND s.priority = o.priority
        GROUP BY o.outlet_id, month""",
    Report.SCORECARD: """
        WITH done AS (SELECT o.id, o.outlet_id, o.type, o.serial_no, o.created_at,
                             MIN(CASE WHEN e.to_status = 'completed' THEN e.at END) AS com,
                             MAX(e.to_status = 'waiting_parts') AS waited
                      FROM service_orders o JOIN order_events e ON e.order_id = o.id GROUP BY o.id),
             seq AS (SELECT *, LAG(com) OVER w AS prev, LEAD(com) OVER w AS next FROM done
                     WHERE com IS NOT NULL WINDOW w AS (PARTITION BY serial_no ORDER BY com))
        SELECT seq.outlet_id, COUNT(*), SUM(seq.com <= seq.created_at + s.complete_within_min * 60000),
               SUM(NOT seq.waited AND NOT (seq.type = 'repair' AND seq.next - seq.com <= 30 * 86400000)),
               SUM(seq.type = 'repair' AND seq.com - seq.prev <= 30 * 86400000)
        FROM seq JOIN sla_policies s ON s.type = seq.type AND s.priority = 'normal' GROUP BY seq.outlet_id""",
    Report.SETTLEMENTS: """
        SELECT s.outlet_id, s.period,
               SUM(s.status = 'submitted'), SUM(CASE WHEN s.status = 'submitted' THEN s.total END),
               SUM(s.status = 'approved'), SUM(CASE WHEN s.status = 'approved' THEN s.total END)
        FROM settlements s WHERE s.status IN ('submitted', 'approved') GROUP BY s.outlet_id, s.period""",
}
# The people reports and the analysis (by default: the measures by month) the same way.
_PEOPLE_SUMS = """COUNT(*), SUM(o.status IN ('completed', 'closed')),
               SUM(EXISTS (SELECT 1 FROM hq_complaints c WHERE c.order_id = o.id)),
               SUM(o.callback_result = 'unsatisfied'), SUM(o.callback_result = 'satisfied'), AVG(o.callback_score),
               AVG((SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id AND e.to_status = 'completed')
                   - o.created_at)"""
RAW[Report.TECHNICIANS] = f"""
        SELECT o.technician_id, {_PEOPLE_SUMS} FROM service_orders o
        WHERE o.technician_id IS NOT NULL GROUP BY o.technician_id"""
RAW[Report.AGENTS] = f"""
        WITH a AS (SELECT order_id, created_by, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY created_at, id) AS n
                   FROM hq_requests WHERE type IN ('repair', 'install'))
        SELECT a.created_by, {_PEOPLE_SUMS} FROM a JOIN service_orders o ON o.id = a.order_id
        WHERE a.n = 1 GROUP BY a.created_by"""
RAW[Report.ANALYSIS] = f"""
        SELECT {MONTH_SQL.format(col='o.created_at')} AS month, {_PEOPLE_SUMS} FROM service_orders o GROUP BY month"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, help="orders in the fixture (1,000,000; 20,000 with --quick)")
    ap.add_argument("--runs", type=int, help="runs per report (median; 5, 3 with --quick); the raw baseline runs 3")
    ap.add_argument("--keep", help="directory to keep the hub file in (default: a temporary one)")
    ap.add_argument("--reuse", help="a directory kept by --keep: measure its hub again (no fixture, no rebuild; "
                                    "the coarse roll-ups are regrouped from the outlet-level ones)")
    quick_flag(ap)
    args = ap.parse_args()
    args.orders = args.orders or (20_000 if args.quick else 1_000_000)
    args.runs = args.runs or (3 if args.quick else 5)
    print(f"machine: {machine_line()}")
    if args.reuse:
        return measure(Path(args.reuse), args, None)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-reports-"))
    tmp.mkdir(parents=True, exist_ok=True)
    hub = HubStore(tmp / "hub.sqlite", key=SigningKey.generate())
    HubServices(hub, now=lambda: NOW)  # creates the hub's own tables and the roll-up triggers
    # the fixture goes in without the roll-up triggers (the rebuild below starts from scratch)
    triggers = [r[0] for r in hub.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                "AND name LIKE 'tr_hq_rollup_%'")]
    for name in triggers:
        hub.conn.execute(f"DROP TRIGGER {name}")
    t0 = time.perf_counter()
    default_cache = hub.conn.execute("PRAGMA cache_size").fetchone()[0]
    hub.conn.execute("PRAGMA cache_size = -1000000")  # 1 GB while the fixture's random ids go in
    counts = generate(hub, args.orders)
    hub.conn.execute(f"PRAGMA cache_size = {default_cache}")  # the store's own setting for what is measured
    services_schema.create(hub.conn)  # the roll-up triggers back (IF NOT EXISTS: nothing else changes)
    print(f"fixture: {counts['orders']:,} orders, {counts['events']:,} events, {counts['parts']:,} part lines, "
          f"{counts['complaints']:,} complaints bulk-inserted in {time.perf_counter() - t0:.1f} s (not a figure)")
    hub.close()
    measure(tmp, args, True)
    if not args.keep:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


def measure(tmp: Path, args, rebuild: bool | None) -> None:
    """Every figure goes to the shared table: the reports and the roll-up sizes beside their
    baselines, the build, fold and export times (which have none) as notes under it."""
    hub = HubStore(tmp / "hub.sqlite", key=SigningKey.generate())
    services = HubServices(hub, now=lambda: NOW)
    session = services.login("bench.approver", "bench")
    report = BenchReport("hub_reports", quick=args.quick)
    folded = services.ctx.scalar("SELECT COUNT(*) FROM service_orders")
    if rebuild:
        t0 = time.perf_counter()
        services.rollups.rebuild()
        build_s = time.perf_counter() - t0
        built = (f"roll-up full rebuild: {build_s:.1f} s for {folded:,} orders "
                 f"({folded / build_s:,.0f} orders/s)")
    else:
        t0 = time.perf_counter()
        with hub.tx() as c:
            regroup(c)
        build_s = time.perf_counter() - t0
        built = f"coarse roll-ups regrouped from the outlet-level ones (--reuse): {build_s:.1f} s"
    print(built)
    for table, what in (("hq_rollup_orders_month", "outlet × model × month"),
                        ("hq_rollup_outlet_month", "outlet × month"),
                        ("hq_rollup_region_month", "region × model × month"),
                        ("hq_rollup_parts_month", "outlet × model × month × part"),
                        ("hq_rollup_parts_region_month", "region × model × month × part"),
                        ("hq_rollup_tech_month", "technician × month"), ("hq_rollup_agent_month", "agent × month"),
                        ("hq_rollup_type_week", "outlet × type × month × week")):
        cells = services.ctx.scalar(f"SELECT COUNT(*) FROM {table}")
        report.row(f"roll-up {table} ({what})", cells, "rows", "orders folded", folded, baseline_unit="orders")

    # a batch of changes as the job would meet it: callbacks reach 1,000 orders
    ids = [r[0] for r in hub.conn.execute("SELECT id FROM service_orders WHERE status = 'completed' "
                                          "AND callback_result IS NULL LIMIT 1000")]
    with hub.tx() as c:
        c.executemany("UPDATE service_orders SET callback_result = 'satisfied', callback_score = 5 WHERE id = ?",
                      [(i,) for i in ids])
    t0 = time.perf_counter()
    refreshed = services.rollups.fold()
    fold_s = time.perf_counter() - t0
    print(f"roll-up job: fold {len(ids):,} changed orders: {fold_s:.2f} s ({refreshed:,} facts refreshed)")

    raw_conn = hub.snapshot
    worst = 0.0
    for kind in Report:
        f = ReportFilter()
        rolled = median_seconds(partial(services.reports.run, session, kind, f), args.runs)
        with raw_conn() as c:
            raw = median_seconds(lambda sql=RAW[kind]: c.execute(sql).fetchall(), 3)
        worst = max(worst, rolled)
        report.row(f"report {kind} (all months, all outlets)", rolled * 1000, "ms",
                   "raw GROUP BY over the base tables", raw * 1000)
    months = services.reports.choices(session).months
    region_f = ReportFilter(month_from=months[-3] if len(months) >= 3 else None, region="大区1")
    filtered = []
    for kind in (Report.ORDERS_COMPLAINTS, Report.SCORECARD, Report.TECHNICIANS):
        rolled = median_seconds(partial(services.reports.run, session, kind, region_f), args.runs)
        worst = max(worst, rolled)
        filtered.append(f"{kind} {rolled * 1000:.1f} ms")
    # analyses the user shapes: from a roll-up, and from the facts (one row per order)
    shaped = []
    for dims, grain, what in ((("model", "region"), "month", "model × region × month"),
                              (("outlet", "type"), "week", "outlet × type × week (the week roll-up)"),
                              (("model",), "week", "model × week, from the per-order facts")):
        f = ReportFilter(dims=dims, grain=grain, measure="complaint_rate")
        rolled = median_seconds(partial(services.reports.run, session, Report.ANALYSIS, f), args.runs)
        worst = max(worst, rolled)
        shaped.append(f"{what} {rolled * 1000:.0f} ms")
    export_s = median_seconds(lambda: services.reports.export(session, Report.ORDERS_COMPLAINTS), 3)
    rows = len(services.reports.run(session, Report.ORDERS_COMPLAINTS).rows)
    report.note(f"{folded:,} orders over {MONTHS} months at {OUTLETS} outlets in {REGIONS} regions, "
                f"{MODELS} models, {PARTS} parts; reports: medians of {args.runs} runs, raw baselines of 3")
    report.note(built)
    report.note(f"roll-up job: fold {len(ids):,} changed orders (callbacks): {fold_s:.2f} s "
                f"({refreshed:,} facts refreshed)")
    report.note("reports over the last 3 months, one region: " + ", ".join(filtered))
    report.note("analysis, complaint rate by " + "; ".join(shaped))
    report.note(f"Excel export orders_complaints ({rows:,} rows): {export_s * 1000:.0f} ms")
    report.note("the raw SLA baseline ignores the pauses while waiting for parts, so it does a little "
                "less work than the roll-up's facts")
    report.aim(f"every report within {AIM_S:.0f} s at {folded:,} orders (slowest here {worst * 1000:.0f} ms)",
               worst <= AIM_S)
    hub.close()
    report.save()


if __name__ == "__main__":
    main()
