"""Call intake at HQ scale: looking a caller up by the last 4 digits of their number among
many customers, and the knowledge-base search an agent answers a consult with, through
the hub services, each next to a raw SQLite baseline measured in the same run (a LIKE
scan over customers.phone; a LIKE scan over kb_articles' title and body).

    .venv/bin/python bench/intake_lookup.py [--customers N] [--articles N] [--quick]

The customers are the small demo network plus N synthetic ones (mobile numbers, written
with executemany: only the lookup is timed). The aim: a tail lookup answers in a few
milliseconds however many customers there are (an expression index on the tail)."""
import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Report, machine_line, quick_flag  # noqa: E402
from fieldsync.demo.data import DEMO_PASSWORD, SMALL, generate  # noqa: E402
from hub.services import HubServices  # noqa: E402
from sync.hub_store import HubStore  # noqa: E402

QUERIES = 40
KB_WORDS = ["漏水", "不制冷", "噪音", "排水", "显示", "加热", "异味", "跳闸"]


def median_ms(fn, args) -> float:
    times = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, help="synthetic customers (300,000; 20,000 with --quick)")
    ap.add_argument("--articles", type=int, help="extra articles (2,000; 500 with --quick)")
    quick_flag(ap)
    args = ap.parse_args()
    args.customers = args.customers or (20_000 if args.quick else 300_000)
    args.articles = args.articles or (500 if args.quick else 2_000)
    print(f"machine: {machine_line()}")
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubStore(Path(tmp) / "hub.sqlite")
        generate(hub, seed=6, sizes=SMALL)
        with hub.tx() as c:
            c.executemany("INSERT INTO customers (id, name, phone, city, address) VALUES (?,?,?,?,?)",
                          [(str(uuid.UUID(int=rng.getrandbits(128))), f"客户{i}", f"13{rng.randint(0, 10**9 - 1):09d}",
                            "上海", f"上海市徐汇区{i}号") for i in range(args.customers)])
            base = c.execute("SELECT title, body, category FROM kb_articles").fetchall()
            c.executemany("INSERT INTO kb_articles (id, title, body, category, active) VALUES (?,?,?,?,1)",
                          [(str(uuid.uuid4()), f"{t}（{i}）", b, cat) for i, (t, b, cat) in
                           ((i, base[i % len(base)]) for i in range(args.articles))])
        services = HubServices(hub)
        agent = services.login("hq.agent", DEMO_PASSWORD)
        total = hub.conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
        articles = hub.conn.execute("SELECT COUNT(*) FROM kb_articles").fetchone()[0]
        tails = [f"{rng.randint(0, 9999):04d}" for _ in range(QUERIES)]
        raw_tail = median_ms(lambda q: hub.conn.execute(
            "SELECT * FROM customers WHERE phone LIKE ? LIMIT 20", ("%" + q,)).fetchall(), tails)
        svc_tail = median_ms(lambda q: services.intake.lookup(agent, q), tails)
        t = time.perf_counter()
        indexed = services.intake.kb.refresh()
        index_s = time.perf_counter() - t
        words = [KB_WORDS[i % len(KB_WORDS)] for i in range(QUERIES)]
        raw_kb = median_ms(lambda q: hub.conn.execute(
            "SELECT id FROM kb_articles WHERE title LIKE ? OR body LIKE ? LIMIT 10", (f"%{q}%", f"%{q}%")).fetchall(),
            words)
        svc_kb = median_ms(lambda q: services.intake.search_kb(agent, q), words)
        hub.close()
    print(f"intake lookup over {total} customers, {QUERIES} queries (median):")
    print(f"  phone tail (4 digits) via services.intake.lookup: {svc_tail:.2f} ms  "
          f"(raw LIKE scan {raw_tail:.2f} ms; {raw_tail / svc_tail:.0f}x faster)")
    print(f"knowledge base, {articles} articles: index built in {index_s:.2f} s ({indexed} articles)")
    print(f"  search via services.intake.search_kb (ranked, snippets): {svc_kb:.2f} ms  "
          f"(raw LIKE scan, unranked {raw_kb:.2f} ms; ratio {raw_kb / svc_kb:.2f})")
    report = Report("intake_lookup", quick=args.quick)
    report.row(f"caller lookup by phone tail, {total:,} customers (intake.lookup)", svc_tail, "ms",
               "raw LIKE scan of customers.phone", raw_tail)
    report.row(f"knowledge-base search, {articles:,} articles (intake.search_kb)", svc_kb, "ms",
               "raw LIKE scan of title and body, unranked", raw_kb)
    report.note(f"hub store with the small demo network plus synthetic customers and articles; medians of "
                f"{QUERIES} different queries; index build ({indexed} articles) {index_s:.2f} s, not timed above")
    report.save()


if __name__ == "__main__":
    main()
