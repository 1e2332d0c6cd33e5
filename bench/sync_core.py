"""Sync core throughput on real SQLite files: the hub ingesting a node's pushed segments,
a second node pulling and applying the outlet bucket, and a raw executemany baseline of
the same rows, measured in the same run.

    .venv/bin/python bench/sync_core.py [--changes N] [--technicians K] [--quick] [--profile FILE]

Each change is what a clerk does when a customer phones an order in to the outlet: a new
service order (put), a parts receipt (stock_moves add, +1 of P-1001) and the part booked on
the order (order_parts add). Changes are made by a real `NodeStore.write` and cut into
signed segments exactly as `sync.node_sync.push_all` does; that preparation is not timed.
With `--technicians K` each order is assigned to one of K technicians of the outlet, so
that every order write is relayed to a technician's bucket (what their devices read) as
well as the outlet's. The issue's aim: hub ingest at ≥ 20 % of the raw insert rate (in changes/s).
"""
import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hub.migrations as _hub_schema  # noqa: E402,F401  (registers the schema of hub.db)
import node.migrations as _node_schema  # noqa: E402,F401  (registers the schema of node.db)
from shared.numbering import node_number  # noqa: E402
from bench._raw import fresh_db  # noqa: E402
from bench._report import Report, machine_line, quick_flag  # noqa: E402
from sync import hub_handlers, keys, segment  # noqa: E402
from sync.node_sync import push_batch  # noqa: E402
from fieldsync.testing.world import World  # noqa: E402

SEGMENT = 1000   # changes per pushed segment (and per raw-baseline transaction)
OPS_PER_CHANGE = 3
AIM = 0.20


def change_ops(outlet: str, code: str, letter: str, i: int, technicians: list[str]) -> list[dict]:
    order, move, line = (str(uuid.uuid4()) for _ in range(3))
    assigned = {"technician_id": technicians[i % len(technicians)]} if technicians else {}
    return [
        {"op": "put", "table": "service_orders", "id": order, "fields": {
            "outlet_id": outlet, "number": node_number(code, letter, i + 1), "type": "repair",
            "fault_description": f"空调不制冷，外机异响 #{i}", "priority": "normal", **assigned}},
        {"op": "add", "table": "stock_moves", "id": move, "fields": {
            "outlet_id": outlet, "part_id": "P-1001", "qty": 1, "kind": "receipt",
            "ref": order, "at": 1_771_000_000_000 + i}},
        {"op": "add", "table": "order_parts", "id": line, "fields": {
            "order_id": order, "part_id": "P-1001", "qty": 1, "in_warranty": True,
            "at": 1_771_000_000_000 + i}},
    ]


def prepare(tmp: Path, n: int, n_technicians: int = 0):
    """A world with one outlet, a node that made n changes, and its signed segments."""
    tmp.mkdir(parents=True, exist_ok=True)
    w = World(tmp, n_outlets=1)
    outlet = w.outlets[0]
    technicians = [f"bench-tech-{k}" for k in range(n_technicians)]
    if technicians:
        w.hub.write([{"op": "put", "table": "users", "id": t, "fields": {
            "username": t, "role": "technician", "outlet_id": outlet, "active": True}} for t in technicians])
    node = w.node(outlet)
    clerk = w.user(outlet, "clerk")
    store = node.store
    code, letter = store.outlet_code, store.node_letter
    all_ops = []
    t0 = time.perf_counter()
    for i in range(n):
        ops = change_ops(outlet, code, letter, i, technicians)
        store.write(clerk, ops)
        all_ops.append(ops)
    gen_s = time.perf_counter() - t0
    # Segments exactly as push_all builds them (held_seq advancing as the hub would ack).
    bodies, held_seq = [], 0
    while True:
        batch = push_batch(store.unsent(held_seq, limit=SEGMENT))
        if not batch:
            break
        prev = store.hash_at(store.epoch, batch[0][0] - 1)
        lines = [b for _, _, b in batch]
        manifest = segment.manifest_for(hub=store.hub_id, origin_key="origin", origin=store.node_id,
                                        epoch=store.epoch, first=batch[0][0], lines=lines, prev=prev)
        bodies.append(segment.encode(manifest, segment.sign_manifest(node.key, keys.SEGMENT, manifest),
                                     lines))
        held_seq = batch[-1][0]
    return w, node, all_ops, bodies, gen_s


def hub_ingest(w, node, bodies):
    rejected, elapsed = [], 0.0
    for body in bodies:
        t0 = time.perf_counter()
        resp = hub_handlers.push(w.hub, node.node_id, body)
        elapsed += time.perf_counter() - t0
        rejected += resp["rejected"]
    return elapsed, rejected, resp["have"]


def node_pull(w, outlet):
    node = w.node(outlet)
    bucket = f"outlet:{outlet}"
    serve_s = apply_s = 0.0
    bodies = 0
    while True:
        _, seq, _ = node.store.cursor(bucket)
        t0 = time.perf_counter()
        body = hub_handlers.pull(w.hub, node.node_id, bucket, seq, hub_handlers.MAX_PULL)
        t1 = time.perf_counter()
        m = node.store.apply_pull(bucket, body)
        t2 = time.perf_counter()
        serve_s += t1 - t0
        apply_s += t2 - t1
        bodies += 1
        if not m.get("more"):
            break
    relayed = sum(len(json.loads(b)["ops"]) for (b,) in w.hub.conn.execute(
        "SELECT body FROM bucket_changes WHERE bucket = ?", (bucket,)))
    return node, serve_s, apply_s, relayed, bodies


def raw_baseline(path: Path, all_ops):
    conn = fresh_db(path)
    per_table: dict[str, tuple[str, list]] = {}
    for ops in all_ops[:1]:
        for op in ops:
            cols = ["id", *op["fields"]]
            per_table[op["table"]] = (f"INSERT INTO [{op['table']}] ({', '.join(cols)}) "
                                      f"VALUES ({', '.join('?' * len(cols))})", cols)
    # Rows as SQLite cells (bools as ints), built before the clock starts.
    batches = []
    for i in range(0, len(all_ops), SEGMENT):
        rows: dict[str, list] = {t: [] for t in per_table}
        for ops in all_ops[i:i + SEGMENT]:
            for op in ops:
                f = op["fields"]
                rows[op["table"]].append((op["id"], *(int(v) if isinstance(v, bool) else v
                                                      for v in f.values())))
        batches.append(rows)
    t0 = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN")
        for table, data in rows.items():
            conn.executemany(per_table[table][0], data)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    n_rows = sum(len(d) for rows in batches for d in rows.values())
    conn.close()
    return elapsed, n_rows


def fmt(x: float) -> str:
    return f"{x:,.0f}"


def profile_ingest(n: int, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        w, node, _, bodies, _ = prepare(Path(tmp), n)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        rejected = []
        for body in bodies:
            rejected += hub_handlers.push(w.hub, node.node_id, body)["rejected"]
        prof.disable()
        elapsed = time.perf_counter() - t0
        w.close()
    buf = io.StringIO()
    buf.write(f"hub ingest of {n} changes under cProfile: {elapsed:.2f} s "
              f"({fmt(n / elapsed)} changes/s with profiler overhead), rejected ops {len(rejected)}\n\n")
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    buf.write("\n---- top 25 by tottime ----\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    out.write_text(buf.getvalue())
    print(f"profile of {n} changes written to {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, help="changes pushed (default 30,000; 5,000 with --quick)")
    ap.add_argument("--technicians", type=int, default=0,
                    help="assign the orders round-robin to this many technicians (default 0: none)")
    quick_flag(ap)
    ap.add_argument("--profile", type=Path, help="profile hub ingest of --changes and write "
                    "the top functions to this file instead of running the benchmark")
    args = ap.parse_args()
    n = args.changes or (5_000 if args.quick else 30_000)
    if args.profile:
        profile_ingest(n, args.profile)
        return
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        tmp = Path(tmp)
        w, node, all_ops, bodies, gen_s = prepare(tmp / "world", n, args.technicians)
        print(f"prepared {n} changes ({OPS_PER_CHANGE} ops each) with NodeStore.write in {gen_s:.1f} s "
              f"({fmt(n / gen_s)} local writes/s), {len(bodies)} segments")

        ingest_s, rejected, have = hub_ingest(w, node, bodies)
        if rejected:
            print(f"WARNING: the hub rejected {len(rejected)} ops, e.g. {rejected[0]}")
        if have["seq"] != n:
            print(f"WARNING: the hub holds seq {have['seq']}, expected {n}")

        outlet = w.outlets[0]
        puller, serve_s, apply_s, relayed, pulls = node_pull(w, outlet)
        got = puller.store.conn.execute("SELECT COUNT(*) FROM service_orders WHERE number IS NOT NULL"
                                        " AND id IN (SELECT ref FROM stock_moves)").fetchone()[0]
        if got != n:
            print(f"WARNING: the pulling node holds {got} of the {n} orders")

        raw_s, raw_rows = raw_baseline(tmp / "raw.db", all_ops)
        w.close()

    raw_rows_s = raw_rows / raw_s
    raw_changes_s = raw_rows_s / OPS_PER_CHANGE
    ingest_cs = n / ingest_s
    apply_cs = n / apply_s
    serve_cs = n / serve_s
    print()
    print(f"{n} changes, {n * OPS_PER_CHANGE} ops pushed in {len(bodies)} segments; "
          f"{relayed} ops relayed to the outlet bucket ({relayed / n:.2f} per change: the hub adds "
          f"the order's initial status), pulled in {pulls} requests; raw: {raw_rows} rows")
    print(f"timings: ingest {ingest_s:.2f} s, pull-apply {apply_s:.2f} s, pull serving "
          f"{serve_s:.2f} s, raw {raw_s:.2f} s")
    report = Report("sync_core", quick=args.quick)
    raw = "raw executemany"
    report.row("hub ingest (hub_handlers.push)", ingest_cs, "changes/s", raw, raw_changes_s)
    report.row("node pull-apply (apply_pull)", apply_cs, "changes/s", raw, raw_changes_s)
    report.row("hub pull serving (hub_handlers.pull)", serve_cs, "changes/s", raw, raw_changes_s)
    assigned = f", orders assigned to {args.technicians} technicians" if args.technicians else ""
    report.note(f"{n:,} changes of {OPS_PER_CHANGE} ops (an order put, a stock receipt, a part on the "
                f"order{assigned}) in segments of {SEGMENT}, in process on real SQLite files; raw: the same rows "
                f"by executemany into a fresh file, one transaction per {SEGMENT} changes")
    report.aim(f"hub ingest ≥ {AIM:.0%} of the raw insert rate", ingest_cs >= AIM * raw_changes_s)
    report.save()


if __name__ == "__main__":
    main()
