"""The SLA monitoring board and the escalation job over many open orders, on a real hub
file, against a raw baseline measured in the same run: one plain SELECT of the same open
orders with their outlet (what any board must read at least).

    .venv/bin/python bench/sla_board.py [--open N] [--quick]

N open orders (default 20,000) across six outlets, dispatched over the last ten hours; a
third not yet accepted (most of them past their two hours: escalated), one in ten waited for
parts (its clocks need its events). Building the hub is not timed. The
escalation job runs every minute: its second run (nothing new to send) is what it costs
in steady state.
"""
import argparse
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Report, machine_line, quick_flag  # noqa: E402
from hub.services import HubServices  # noqa: E402
from hub.services.session import HubSession  # noqa: E402
from sync.hlc import now_ms  # noqa: E402
from sync.hub_store import HubStore  # noqa: E402
from sync.keys import SigningKey  # noqa: E402

MIN = 60_000
OPEN_SQL = ("SELECT o.id, o.number, o.outlet_id, o.status, o.type, o.priority, o.created_at, ou.name, ou.region "
            "FROM service_orders o LEFT JOIN outlets ou ON ou.id = o.outlet_id WHERE o.status IN "
            "('new', 'accepted', 'scheduled', 'en_route', 'on_site', 'waiting_parts', 'declined')")


def build(path: Path, n: int) -> HubStore:
    hub = HubStore(path, key=SigningKey.generate())
    outlets = [f"outlet-{i}" for i in range(6)]
    ops = [{"op": "put", "table": "outlets", "id": o, "fields": {
        "code": f"X{i:02d}", "name": f"网点{i}", "region": ["华东大区", "华北大区", "华南大区"][i % 3], "active": True}}
        for i, o in enumerate(outlets)]
    ops.append({"op": "put", "table": "sla_policies", "id": "SLA-repair-normal", "fields": {
        "type": "repair", "priority": "normal", "accept_within_min": 120, "on_site_within_min": 1440,
        "complete_within_min": 4320, "active": True}})
    now = now_ms()
    for i in range(n):
        oid, created = str(uuid.uuid4()), now - (i % 600) * MIN
        waiting, new = i % 10 == 0, i % 3 == 1
        ops.append({"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-{i + 1:07d}", "outlet_id": outlets[i % 6], "type": "repair", "priority": "normal",
            "status": "waiting_parts" if waiting else "new" if new else "scheduled", "source": "hub",
            "created_at": created}})
        steps = [] if new and not waiting else [("accepted", 5), ("scheduled", 10)] + (
            [("en_route", 20), ("on_site", 40), ("waiting_parts", 60)] if waiting else [])
        ops += [{"op": "add", "table": "order_events", "id": str(uuid.uuid4()), "fields": {
            "order_id": oid, "to_status": to, "at": created + m * MIN}} for to, m in steps]
    for i in range(0, len(ops), 5000):
        hub.write(ops[i:i + 5000])
    return hub


def best(fn, runs: int = 3) -> float:
    out = 1e9
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--open", type=int, help="open orders (20,000; 5,000 with --quick)")
    quick_flag(ap)
    a = ap.parse_args()
    a.open = a.open or (5_000 if a.quick else 20_000)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        hub = build(Path(tmp) / "hub.sqlite", a.open)
        built = time.perf_counter() - t
        services = HubServices(hub)
        admin = HubSession("bench-admin", "admin", "admin", "admin")
        hub.write([{"op": "put", "table": "users", "id": "bench-admin", "fields": {
            "username": "admin", "role": "admin", "active": True}}])
        raw = best(lambda: hub.conn.execute(OPEN_SQL).fetchall())
        board = best(lambda: services.monitor.board(admin))
        t = time.perf_counter()
        first = services.monitor.escalate()
        first_s = time.perf_counter() - t
        steady = best(services.monitor.escalate)
        hub.close()
    print(f"sla board: {a.open:,} open orders (built in {built:.1f} s) on {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"  raw SELECT of the open orders:   {raw * 1000:8.0f} ms")
    print(f"  board (counts + positions):      {board * 1000:8.0f} ms   {board / raw:6.1f} × raw")
    print(f"  escalation job, first run:       {first_s * 1000:8.0f} ms   (manager {first[75]}, HQ {first[100]})")
    print(f"  escalation job, steady state:    {steady * 1000:8.0f} ms   {steady / raw:6.1f} × raw")
    report = Report("sla_board", quick=a.quick)
    report.row(f"SLA board, {a.open:,} open orders (monitor.board)", board * 1000, "ms",
               "raw SELECT of the open orders with their outlet", raw * 1000)
    report.row("escalation job, steady state (monitor.escalate)", steady * 1000, "ms",
               "raw SELECT of the open orders with their outlet", raw * 1000)
    report.note(f"fastest of 3 runs each on a real hub file; the escalation job's first run (sending "
                f"{first[75]} manager and {first[100]} HQ escalations) took {first_s * 1000:.0f} ms")
    report.save()


if __name__ == "__main__":
    main()
