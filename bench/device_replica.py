"""A technician's device beside the outlet's PC: how long each takes to bootstrap (enroll and
pull everything it reads, through the real handlers and replica store) and how big its
replica is (rows, file bytes), measured in the same run on the same hub.

    .venv/bin/python bench/device_replica.py [--orders N] [--technicians K] [--quick]

The hub holds one outlet's N orders (default 20,000; 2,000 with --quick) spread over K
technicians (default 10), each order with its customer and a status event, closed ones
with the part used; 70 % of the orders are closed or cancelled, at times spread over the
last year. A device keeps its technician's open orders and those closed in the last 30 days
(its default window); the outlet's PC keeps everything. The ratio is device / outlet node.
"""
import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hub.migrations as _hub_schema  # noqa: E402,F401  (registers the schema of hub.db)
import node.migrations as _node_schema  # noqa: E402,F401  (registers the schema of node.db)
from bench._report import Report, machine_line, quick_flag  # noqa: E402
from sync.hlc import now_ms  # noqa: E402
from fieldsync.testing.world import World  # noqa: E402

DAY = 24 * 3600 * 1000
OPEN = ["new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts", "completed"]


def build(tmp: Path, n_orders: int, n_techs: int, rng: random.Random) -> tuple[World, list[str]]:
    w = World(tmp, n_outlets=1)
    outlet = w.outlets[0]
    techs = [f"tech-{k:02d}" for k in range(n_techs)]
    w.hub.write([{"op": "put", "table": "users", "id": t, "fields": {
        "username": t, "role": "technician", "outlet_id": outlet, "active": True,
        "password_hash": "scrypt$bench"}} for t in techs])
    for t, u in zip(techs, techs, strict=True):
        w.users[(outlet, t)] = u
    now = now_ms()
    ops: list[dict] = []
    for i in range(n_orders):
        cid, oid = f"C-{i:06d}", f"O-{i:06d}"
        created = now - rng.randint(0, 365) * DAY
        closed = rng.random() < 0.7
        status = rng.choice(["closed"] * 9 + ["cancelled"]) if closed else rng.choice(OPEN)
        ops.append({"op": "put", "table": "customers", "id": cid, "fields": {
            "name": f"客户{i}", "phone": f"138{i:08d}", "address": f"上海市浦东新区张杨路{i % 999}号",
            "created_at": created}})
        ops.append({"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-{i:07d}", "outlet_id": outlet, "customer_id": cid, "type": "repair",
            "priority": "normal", "status": status, "created_at": created, "technician_id": techs[i % n_techs],
            "fault_description": "空调不制冷，外机异响", "closed_at": created + 3 * DAY if closed else None}})
        ops.append({"op": "add", "table": "order_events", "id": f"E-{i:06d}", "fields": {
            "order_id": oid, "to_status": "accepted", "at": created + 3600_000}})
        if closed:
            ops.append({"op": "add", "table": "order_parts", "id": f"P-{i:06d}", "fields": {
                "order_id": oid, "part_id": "P-1001", "qty": 1, "in_warranty": True, "at": created + DAY}})
        if len(ops) >= 4000:
            w.hub.write(ops)
            ops = []
    if ops:
        w.hub.write(ops)
    return w, techs


def replica_rows(replica) -> int:
    c = replica.store.conn
    tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%'"
                                      " ESCAPE '\\' AND name NOT LIKE 'sqlite%'")]
    return sum(c.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in tables)


def file_bytes(replica) -> int:
    replica.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return replica.path.stat().st_size


def bootstrap(enroll) -> tuple[object, float]:
    t0 = time.perf_counter()
    replica = enroll()
    replica.sync()
    return replica, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, help="orders at the outlet (default 20,000; 2,000 with --quick)")
    ap.add_argument("--technicians", type=int, default=10)
    quick_flag(ap)
    args = ap.parse_args()
    n = args.orders or (2_000 if args.quick else 20_000)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        t0 = time.perf_counter()
        w, techs = build(Path(tmp), n, args.technicians, random.Random(13))
        print(f"built a hub of {n:,} orders over {len(techs)} technicians in {time.perf_counter() - t0:.1f} s")
        pc, pc_s = bootstrap(lambda: w.node(w.outlets[0]))
        device, dev_s = bootstrap(lambda: w.device(techs[0]))
        pc_rows, dev_rows = replica_rows(pc), replica_rows(device)
        pc_bytes, dev_bytes = file_bytes(pc), file_bytes(device)
        pc_orders = pc.store.conn.execute("SELECT COUNT(*) FROM service_orders").fetchone()[0]
        dev_orders = device.store.conn.execute("SELECT COUNT(*) FROM service_orders").fetchone()[0]
        # An idle round of the device afterwards: what it pays while nothing changed.
        t0 = time.perf_counter()
        idle = device.sync()
        idle_s = time.perf_counter() - t0
        w.close()
    print(f"outlet node: {pc_orders:,} orders, {pc_rows:,} rows, {pc_bytes:,} bytes in {pc_s:.2f} s")
    print(f"device: {dev_orders:,} orders, {dev_rows:,} rows, {dev_bytes:,} bytes in {dev_s:.2f} s; "
          f"idle round {idle_s * 1000:.0f} ms ({idle.pulled} changes pulled)")
    report = Report("device_replica", quick=args.quick)
    outlet = "outlet node (same hub)"
    report.row("device bootstrap (enroll + first sync)", dev_s, "s", outlet, pc_s)
    report.row("device replica rows", dev_rows, "rows", outlet, pc_rows)
    report.row("device replica file", dev_bytes / 1e6, "MB", outlet, pc_bytes / 1e6)
    report.row("device orders held", dev_orders, "orders", outlet, pc_orders)
    report.note(f"one outlet of {n:,} orders (70 % closed or cancelled over the last year) and their "
                f"customers, events and parts, over {args.technicians} technicians; the device keeps its "
                "technician's open orders and those closed in the last 30 days; in process, real SQLite files")
    report.aim("a device bootstraps faster and holds less than the outlet node",
               dev_s < pc_s and dev_rows < pc_rows)
    report.save()


if __name__ == "__main__":
    main()
