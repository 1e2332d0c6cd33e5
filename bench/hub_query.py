"""Ticket query (工单查询) over a million orders: how long HQ's order search takes for a
page — the first, a deep one by keyset, filtered ones, free text — its capped count, an
export and an order's full record, each beside a raw baseline measured in the same run on a
plain sqlite3 connection to the same file: for deep pages the same page by OFFSET (what a
naive pager does), for text the LIKE scan one would write without the indexes, for the
others the bare id query with the same filter (the floor under the service's work).

    .venv/bin/python bench/hub_query.py [--orders N] [--runs R] [--keep DIR | --reuse DIR] [--quick]

The fixture (not timed, but printed) is bulk-inserted straight into a HubStore file's
tables, the ticket query's indexes built after the rows (as a migration on a full hub
builds them): 500 outlets in 7 regions with 8 technicians each, 40 models, 20 agents,
N / 5 customers (11-digit phones, Chinese names), N orders over 12 months (70 % taken by
an agent's call: an hq_requests row), SLA escalations on 14 % of them (4 % overdue). No
ANALYZE: a hub never runs one, so the planner works without statistics as it will there.

Run time: at the default 1,000,000 orders the fixture takes a few minutes on a 2-core
machine shared with other work; the figures a minute more. `--quick` (or
FIELDSYNC_BENCH_QUICK=1): 20,000 orders, seconds.
"""
import argparse
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import insert, median_seconds, Report as BenchReport, machine_line, quick_flag  # noqa: E402
from hub.services import HubServices  # noqa: E402
from hub.services import order_query as oq_service  # noqa: E402
from hub.services.order_query import QueryFilter, encode_cursor  # noqa: E402
from shared import order_query as oq  # noqa: E402
from shared.passwords import hash_password  # noqa: E402
from shared.periods import local_date  # noqa: E402
from sync.hub_store import HubStore  # noqa: E402
from sync.keys import SigningKey  # noqa: E402

NOW = 1_780_000_000_000
D = 86_400_000
OUTLETS, REGIONS, MODELS, TECHS, AGENTS = 500, 7, 40, 8, 20
MONTHS = 12
AIM_S = 1.0
STATUSES = ("new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts", "completed", "closed",
            "declined", "cancelled")
STATUS_WEIGHTS = (2, 2, 2, 1, 1, 1, 10, 75, 2, 4)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国建华志强春梅海燕文"


def generate(hub: HubStore, n: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    c = hub.conn
    outlets = [f"out-{i:04d}" for i in range(OUTLETS)]
    models = [f"mod-{i:02d}" for i in range(MODELS)]
    n_customers = max(100, n // 5)
    customers = []
    for i in range(n_customers):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        customers.append((f"cus-{i:07d}", name, f"1{rng.choice('3578')}{i:09d}"[:11], f"城市{i % 60}"))
    with hub.tx():
        insert(c, "outlets", ("id", "code", "name", "region", "active"),
               [(o, f"O{i:04d}", f"网点{i:04d}", f"大区{i % REGIONS + 1}", 1) for i, o in enumerate(outlets)])
        insert(c, "product_models", ("id", "code", "name", "category", "active"),
               [(m, f"MD{i:02d}", f"型号{i:02d}", "AC", 1) for i, m in enumerate(models)])
        insert(c, "users", ("id", "username", "display_name", "role", "outlet_id", "password_hash", "active"),
               [(f"tech-{o}-{k}", f"tech.{o}.{k}", f"师傅{o[-4:]}-{k}", "technician", o, None, 1)
                for o in outlets for k in range(TECHS)]
               + [(f"agent-{k:02d}", f"agent.{k:02d}", f"坐席{k:02d}", "hq_agent", None,
                   hash_password("bench") if k == 0 else None, 1) for k in range(AGENTS)])
        insert(c, "customers", ("id", "name", "phone", "city"), customers)
    start = NOW - MONTHS * 30 * D
    counts = {"orders": 0, "calls": 0, "escalations": 0, "customers": n_customers}
    batch = 50_000
    for lo in range(0, n, batch):
        orders, calls, escalations = [], [], []
        for i in range(lo, min(n, lo + batch)):
            oid = str(uuid.UUID(int=rng.getrandbits(128)))
            created = start + rng.randrange(MONTHS * 30 * 86_400) * 1000  # whole seconds: some share one
            outlet, cust = rng.choice(outlets), rng.choice(customers)
            status = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
            tech = f"tech-{outlet}-{rng.randrange(TECHS)}" if status not in ("new", "declined") else None
            otype = "repair" if rng.random() < 0.8 else "install"
            orders.append((oid, f"HQ-{i + 1:07d}", outlet, cust[0], rng.choice(models), otype, "normal", status,
                           created, "hub", tech, cust[1], cust[2], "故障描述"))
            if rng.random() < 0.7:
                calls.append((f"{oid}-r", otype, cust[0], oid, created, f"agent-{rng.randrange(AGENTS):02d}"))
            r = rng.random()
            if r < 0.14:
                escalations.append((f"{oid}-e75", oid, outlet, "accept", 75, 75, created + 3_600_000))
                if r < 0.04:
                    escalations.append((f"{oid}-e100", oid, outlet, "accept", 100, 100, created + 7_200_000))
        with hub.tx():
            insert(c, "service_orders", ("id", "number", "outlet_id", "customer_id", "product_model_id", "type",
                                         "priority", "status", "created_at", "source", "technician_id",
                                         "contact_name", "contact_phone", "fault_description"), orders)
            insert(c, "hq_requests", ("id", "type", "customer_id", "order_id", "created_at", "created_by"), calls)
            insert(c, "hq_escalations", ("id", "order_id", "outlet_id", "milestone", "level", "pct", "at"),
                   escalations)
        counts["orders"] += len(orders)
        counts["calls"] += len(calls)
        counts["escalations"] += len(escalations)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, help="orders in the fixture (1,000,000; 20,000 with --quick)")
    ap.add_argument("--runs", type=int, help="runs per figure (median; 5, 3 with --quick)")
    ap.add_argument("--keep", help="directory to keep the hub file in (default: a temporary one)")
    ap.add_argument("--reuse", help="a directory kept by --keep: measure its hub again (no fixture)")
    quick_flag(ap)
    args = ap.parse_args()
    args.orders = args.orders or (20_000 if args.quick else 1_000_000)
    args.runs = args.runs or (3 if args.quick else 5)
    print(f"machine: {machine_line()}")
    if args.reuse:
        return measure(Path(args.reuse), args)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-query-"))
    tmp.mkdir(parents=True, exist_ok=True)
    hub = HubStore(tmp / "hub.sqlite", key=SigningKey.generate())
    HubServices(hub, now=lambda: NOW)
    for sql in oq_service.DDL:  # built after the rows, as the migration builds them on a full hub
        hub.conn.execute(f"DROP INDEX IF EXISTS {sql.split(' EXISTS ')[1].split()[0]}")
    default_cache = hub.conn.execute("PRAGMA cache_size").fetchone()[0]
    hub.conn.execute("PRAGMA cache_size = -1000000")
    t0 = time.perf_counter()
    counts = generate(hub, args.orders)
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    for sql in oq_service.DDL:
        hub.conn.execute(sql)
    indexed = time.perf_counter() - t0
    hub.conn.execute(f"PRAGMA cache_size = {default_cache}")
    print(f"fixture: {counts['orders']:,} orders, {counts['customers']:,} customers, {counts['calls']:,} calls, "
          f"{counts['escalations']:,} escalations bulk-inserted in {loaded:.1f} s; the ticket query's indexes "
          f"built in {indexed:.1f} s (not figures)")
    hub.close()
    measure(tmp, args, indexed)
    if not args.keep:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


def measure(tmp: Path, args, indexed: float | None = None) -> None:
    hub = HubStore(tmp / "hub.sqlite", key=SigningKey.generate())
    services = HubServices(hub, now=lambda: NOW)
    agent = services.login("agent.00", "bench")
    q, runs = services.order_query, args.runs
    raw = sqlite3.connect(tmp / "hub.sqlite")
    total = raw.execute("SELECT COUNT(*) FROM service_orders").fetchone()[0]
    report = BenchReport("hub_query", quick=args.quick)
    worst = 0.0

    def raw_ms(sql: str, params=()) -> float:
        return median_seconds(lambda: raw.execute(sql, params).fetchall(), runs) * 1000

    def page(figure: str, f: QueryFilter, baseline: str, sql: str, params=(), *, cursor=None, sort="newest"):
        nonlocal worst
        s = median_seconds(partial(q.search, agent, f, sort=sort, cursor=cursor), runs)
        worst = max(worst, s)
        report.row(figure, s * 1000, "ms", baseline, raw_ms(sql, params))

    def cursor_at(depth: int, where: str = "1 = 1", params=()) -> str:
        k, i = raw.execute(f"SELECT created_at, id FROM service_orders o WHERE {where} "
                           "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?", (*params, depth - 1)).fetchone()
        return encode_cursor("newest", k, i)

    ids = "SELECT o.id FROM service_orders o"
    newest = "ORDER BY o.created_at DESC, o.id DESC LIMIT 50"
    page("first page, no filter (newest first)", QueryFilter(), "the page's ids, plain SQL", f"{ids} {newest}")
    for depth in (10_000, total // 2, total - 50):
        if depth < 50 or depth > total - 50:
            continue
        page(f"page at row {depth:,} by keyset", QueryFilter(), f"the same page by OFFSET {depth:,}",
             f"{ids} {newest} OFFSET {depth}", cursor=cursor_at(depth))
    page("first page by number", QueryFilter(), "the page's ids, plain SQL",
         "SELECT id FROM service_orders ORDER BY number, id LIMIT 50", sort="number")
    region = "大区3"
    in_region = "o.outlet_id IN (SELECT id FROM outlets WHERE region = ?)"
    page("region", QueryFilter(region=region), "the page's ids, plain SQL",
         f"{ids} WHERE {in_region} {newest}", (region,))
    in_it = raw.execute(f"SELECT COUNT(*) FROM service_orders o WHERE {in_region}", (region,)).fetchone()[0]
    deep = min(20_000, in_it - 50)
    page(f"region, page at row {deep:,} by keyset", QueryFilter(region=region), f"the same page by OFFSET {deep:,}",
         f"{ids} WHERE {in_region} {newest} OFFSET {deep}", (region,), cursor=cursor_at(deep, in_region, (region,)))
    page("outlet", QueryFilter(outlet_id="out-0042"), "the page's ids, plain SQL",
         f"{ids} WHERE o.outlet_id = ? {newest}", ("out-0042",))
    page("status waiting for parts", QueryFilter(status="waiting_parts"), "the page's ids, plain SQL",
         f"{ids} WHERE o.status = ? {newest}", ("waiting_parts",))
    page("technician", QueryFilter(technician_id="tech-out-0042-3"), "the page's ids, plain SQL",
         f"{ids} WHERE o.technician_id = ? {newest}", ("tech-out-0042-3",))
    page("model", QueryFilter(product_model_id="mod-07"), "the page's ids, plain SQL",
         f"{ids} WHERE o.product_model_id = ? {newest}", ("mod-07",))
    agent_sql = ("EXISTS (SELECT 1 FROM hq_requests r WHERE r.order_id = o.id AND r.created_by = ? "
                 "AND r.type IN ('install', 'repair'))")
    page("agent who took the call", QueryFilter(agent_id="agent-05"), "the page's ids, plain SQL",
         f"{ids} WHERE {agent_sql} {newest}", ("agent-05",))
    overdue = "EXISTS (SELECT 1 FROM hq_escalations e WHERE e.order_id = o.id AND e.level >= 100)"
    page("SLA overdue", QueryFilter(sla="overdue"), "the page's ids, plain SQL", f"{ids} WHERE {overdue} {newest}")
    week_from, week_to = local_date(NOW - 40 * D), local_date(NOW - 34 * D)
    page("one week", QueryFilter(date_from=week_from, date_to=week_to), "the page's ids, plain SQL",
         f"{ids} WHERE o.created_at >= ? AND o.created_at < ? {newest}", (NOW - 40 * D, NOW - 33 * D))
    combo = QueryFilter(region=region, status="completed", type="install", sla="warning")
    page("region + status + type + SLA warned", combo, "the page's ids, plain SQL",
         f"{ids} WHERE {in_region} AND o.status = 'completed' AND o.type = 'install' AND EXISTS (SELECT 1 FROM "
         f"hq_escalations e WHERE e.order_id = o.id AND e.level = 75) {newest}", (region,))
    phone = raw.execute("SELECT phone FROM customers ORDER BY id LIMIT 1 OFFSET 777").fetchone()[0]
    name = raw.execute("SELECT name FROM customers ORDER BY id LIMIT 1 "
                       "OFFSET (SELECT COUNT(*) / 3 FROM customers)").fetchone()[0]
    by_customer = ("SELECT o.id FROM service_orders o JOIN customers c ON c.id = o.customer_id WHERE {} "
                   "ORDER BY o.created_at DESC, o.id DESC LIMIT 50")
    page("text: a whole phone number", QueryFilter(text=phone), "LIKE scan of customers' phones",
         by_customer.format("c.phone LIKE ?"), ("%" + phone + "%",))
    page("text: a phone's last 4 digits", QueryFilter(text=phone[-4:]), "LIKE scan of customers' phones",
         by_customer.format("c.phone LIKE ?"), ("%" + phone[-4:],))
    page("text: a customer's name", QueryFilter(text=name), "LIKE scan of customers' names",
         by_customer.format("c.name LIKE ?"), (name + "%",))
    page("text: an order number's start", QueryFilter(text="HQ-00123"), "LIKE scan of numbers",
         f"{ids} WHERE o.number LIKE ? {newest}", ("HQ-00123%",))

    for what, f, where, params in (("no filter", QueryFilter(), "1 = 1", ()),
                                   ("region", QueryFilter(region=region), in_region, (region,)),
                                   ("model + completed", QueryFilter(product_model_id="mod-07", status="completed"),
                                    "o.product_model_id = 'mod-07' AND o.status = 'completed'", ())):
        s = median_seconds(partial(q.count, agent, f), runs)
        worst = max(worst, s)
        report.row(f"count, {what} (capped at {oq.COUNT_CAP:,})", s * 1000, "ms", "exact COUNT(*), plain SQL",
                   raw_ms(f"SELECT COUNT(*) FROM service_orders o WHERE {where}", params))
    one = raw.execute("SELECT id FROM service_orders ORDER BY id LIMIT 1 OFFSET 12345").fetchone()[0]
    s = median_seconds(partial(services.order_files.record, agent, one), runs)
    worst = max(worst, s)
    report.row("an order's full record", s * 1000, "ms", "its row and events, plain SQL",
               raw_ms("SELECT * FROM service_orders o LEFT JOIN order_events e ON e.order_id = o.id WHERE o.id = ?",
                      (one,)))
    ex_f = QueryFilter(outlet_id="out-0042")
    n_ex = q.count(agent, ex_f).n
    ex = median_seconds(partial(q.export, agent, ex_f), max(1, runs // 2))
    report.row(f"export {n_ex:,} orders to Excel", ex * 1000, "ms", "their rows, plain SQL",
               raw_ms("SELECT * FROM service_orders WHERE outlet_id = ?", ("out-0042",)))
    report.note(f"{total:,} orders over {MONTHS} months at {OUTLETS} outlets in {REGIONS} regions, {MODELS} models, "
                f"{OUTLETS * TECHS:,} technicians, {AGENTS} agents; pages of {oq.PAGE_SIZE} through the service "
                f"(ids by keyset, then the page's joins); medians of {runs} runs" +
                (f"; indexes built in {indexed:.1f} s" if indexed else ""))
    report.aim("every page, count and record under 1 s at 1,000,000 orders", met=worst < AIM_S)
    report.save()
    raw.close()
    hub.close()


if __name__ == "__main__":
    main()
