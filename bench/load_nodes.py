"""Many nodes at once against one hub process: `fieldsync hub serve` over HTTPS on
127.0.0.1 and N nodes (default 300, over 100 outlets), each enrolled for real
(`node.enroll.enroll_node`: pinned certificate, enrollment, first pull) into its own
directory with its own SQLite replica, each with its own keep-alive HTTPS client.

    .venv/bin/python bench/load_nodes.py [--nodes N] [--outlets N] [--rounds N] [--changes N] [--quick]

Run time: a plain run (no arguments, which is what `make bench` does: 300 nodes, 3 measured
rounds) takes about 4 minutes on a 2-core machine; `--quick`
(or FIELDSYNC_BENCH_QUICK=1) takes 30 nodes at 10 outlets and 1 measured round, about 10 s.

In each of R rounds every node writes C stock receipts (one change each, with
NodeStore.write), then all nodes start `sync_round` at the same moment (a barrier):
hello, push, pull of both buckets, through the real client (sync/http_client.py,
sync/node_sync.py). Every round must succeed with all C changes acknowledged and none
refused. Measured: round latency p50 / p99 and the hub process's CPU seconds
(utime + stime from /proc/<pid>/stat) over the rounds. Baseline, in the same run, with
the same threads, clients and concurrency: R rounds of one unsigned GET of
/api/v1/openapi.json per node, at the same moment. The ratio is sync round / GET.

The threads of this one process also carry every node's client work (signatures, TLS,
JSON, SQLite), on the same machine as the hub: the figures are for the whole system
under that load, the GET baseline pays the same client-side costs.
Every process started here is stopped by its PID; everything lives in a temp dir."""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Report, machine_line, quick_flag  # noqa: E402
from bench.sync_http import pct  # noqa: E402
from hub.admin import administering  # noqa: E402
from node.enroll import enroll_node  # noqa: E402
from node.home import NodeHome  # noqa: E402
from shared.roles import Role  # noqa: E402
from sync.http_client import HttpTransport  # noqa: E402
from sync.node_sync import sync_round  # noqa: E402
from fieldsync.testing.processes import HubProcess  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ENROLL_AT_ONCE = 24


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class SimNode:
    def __init__(self, home: NodeHome, outlet_id: str, clerk: str):
        self.home, self.outlet_id, self.clerk = home, outlet_id, clerk
        settings = home.settings()
        self.key = home.signing_key()
        self.store = home.open_store()
        self.transport = HttpTransport(settings["url"], settings["node_id"], self.key, home.cert_pem(), timeout=300)

    def write_receipts(self, n: int) -> None:
        for _ in range(n):
            self.store.write(self.clerk, [{"op": "add", "table": "stock_moves", "id": str(uuid.uuid4()), "fields": {
                "outlet_id": self.outlet_id, "part_id": "P-LOAD", "qty": 1, "kind": "receipt", "ref": "load"}}])

    def close(self) -> None:
        self.transport.close()
        self.store.close()


def setup_hub(root: Path, n_outlets: int) -> tuple[HubProcess, list[tuple[str, str, str]]]:
    """A hub with outlets, a clerk each and one part; returns (hub, [(code, outlet id, clerk id)])."""
    hub = HubProcess(root)
    store = hub.store()
    outlets, ops = [], [{"op": "put", "table": "parts", "id": "P-LOAD", "fields": {
        "sku": "P-LOAD", "name": "负载测试配件", "category": "AC", "unit_price": 1000, "active": True}}]
    for i in range(n_outlets):
        code, oid, clerk = f"L{i:04d}", str(uuid.uuid4()), str(uuid.uuid4())
        outlets.append((code, oid, clerk))
        ops.append({"op": "put", "table": "outlets", "id": oid, "fields": {
            "code": code, "name": f"负载网点{i}", "region": "华东大区", "city": "上海", "active": True}})
        ops.append({"op": "put", "table": "users", "id": clerk, "fields": {
            "username": f"{code.lower()}.clerk", "role": str(Role.CLERK), "outlet_id": oid, "active": True}})
    store.write(ops)
    store.close()
    return hub, outlets


def enroll_all(hub: HubProcess, root: Path, outlets, n_nodes: int) -> list[SimNode]:
    plan = []
    with administering(hub.home, "bench") as (adm, me):
        for i in range(n_nodes):
            code, oid, clerk = outlets[i % len(outlets)]
            plan.append((NodeHome(root / "nodes" / f"n{i:04d}"), oid, clerk,
                         adm.nodes.enroll_code(me, url=hub.url, outlet_code=code).code))

    def one(item):
        home, oid, clerk, code = item
        enroll_node(home, code, home.dir.name)
        return SimNode(home, oid, clerk)

    with ThreadPoolExecutor(ENROLL_AT_ONCE) as pool:
        return list(pool.map(one, plan))


class Phase:
    """R rounds in which every node runs `fn(node)` at the same moment; the main thread
    reads the hub's CPU time at the start and end of each round."""

    def __init__(self, nodes, rounds: int, hub_pid: int):
        self.nodes, self.rounds, self.hub_pid = nodes, rounds, hub_pid
        self.barrier = threading.Barrier(len(nodes) + 1)
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.cpu = 0.0
        self.wall = 0.0
        self._lock = threading.Lock()

    def run(self, before, fn) -> "Phase":
        threads = [threading.Thread(target=self._worker, args=(n, before, fn), daemon=True) for n in self.nodes]
        for t in threads:
            t.start()
        for _ in range(self.rounds):
            self.barrier.wait()          # everyone has prepared: go
            c0, t0 = cpu_seconds(self.hub_pid), time.perf_counter()
            self.barrier.wait()          # everyone has finished
            self.cpu += cpu_seconds(self.hub_pid) - c0
            self.wall += time.perf_counter() - t0
        for t in threads:
            t.join()
        return self

    def _worker(self, node, before, fn) -> None:
        for _ in range(self.rounds):
            before(node)
            self.barrier.wait()
            t0 = time.perf_counter()
            try:
                problem = fn(node)
            except Exception as exc:  # counted, and the run goes on
                problem = f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=3)}"
            elapsed = time.perf_counter() - t0
            with self._lock:
                self.latencies.append(elapsed)
                if problem:
                    self.failures.append(problem)
            self.barrier.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, help="nodes (300; 30 with --quick)")
    ap.add_argument("--outlets", type=int, help="outlets the nodes are spread over (100; 10 with --quick)")
    ap.add_argument("--rounds", type=int, help="measured rounds, after one warm-up round (3; 1 with --quick)")
    ap.add_argument("--changes", type=int, default=3, help="changes each node pushes per round")
    quick_flag(ap)
    a = ap.parse_args()
    a.nodes = a.nodes or (30 if a.quick else 300)
    a.outlets = a.outlets or (10 if a.quick else 100)
    a.rounds = a.rounds or (1 if a.quick else 3)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-load-") as tmp:
        root = Path(tmp)
        hub, outlets = setup_hub(root, a.outlets)
        hub.start()
        nodes: list[SimNode] = []
        try:
            t0 = time.perf_counter()
            nodes = enroll_all(hub, root, outlets, a.nodes)
            enrolled_s = time.perf_counter() - t0
            print(f"enrolled {len(nodes)} nodes at {a.outlets} outlets over HTTPS (enroll + first pull each, "
                  f"{ENROLL_AT_ONCE} at a time): {enrolled_s:.1f} s")
            pid = hub.proc.pid

            def sync(n: SimNode):
                r = sync_round(n.store, n.transport, n.key)
                if r.pushed != a.changes or r.rejected:
                    return f"pushed {r.pushed} of {a.changes}, rejected {r.rejected[:2]}"
                return None

            def get(n: SimNode):  # the transport's own request path (and retry), minus the signature
                n.transport._request("GET", httpx.URL("/api/v1/openapi.json"), None, {}, True).raise_for_status()
                return None

            Phase(nodes, 1, pid).run(lambda n: n.write_receipts(a.changes), sync)  # warm-up: connections, caches
            rounds = Phase(nodes, a.rounds, pid).run(lambda n: n.write_receipts(a.changes), sync)
            base = Phase(nodes, a.rounds, pid).run(lambda n: None, get)
            held = hub.store()
            try:
                want = len(nodes) * a.changes * (a.rounds + 1)
                got = held.conn.execute("SELECT COUNT(*) FROM stock_moves WHERE part_id = 'P-LOAD'").fetchone()[0]
            finally:
                held.close()
        finally:
            for n in nodes:
                n.close()
            hub.kill()
    total = len(nodes) * a.rounds
    ok = total - len(rounds.failures)
    get = "unsigned GET openapi.json, same concurrency"
    report = Report("load_nodes", quick=a.quick)
    what = f"{len(nodes)} nodes at once (hello + push {a.changes} changes + 2 pulls)"
    report.row(f"sync round p50, {what}", statistics.median(rounds.latencies) * 1000, "ms",
               f"{get}, p50", statistics.median(base.latencies) * 1000)
    report.row(f"sync round p99, {what}", pct(rounds.latencies, 99) * 1000, "ms",
               f"{get}, p99", pct(base.latencies, 99) * 1000)
    report.row("hub CPU per sync round", rounds.cpu / total * 1000, "ms", "hub CPU per GET", base.cpu / total * 1000)
    report.row(f"wall time per round of all {len(nodes)} nodes", rounds.wall / a.rounds, "s",
               f"a round of {len(nodes)} GETs", base.wall / a.rounds)
    report.note(f"{len(nodes)} nodes enrolled for real at {a.outlets} outlets ({enrolled_s:.0f} s, not a figure); "
                f"{a.rounds} measured round{'s' * (a.rounds != 1)} after one warm-up; hub process "
                f"`fieldsync hub serve` over HTTPS on 127.0.0.1, all node clients in this one process")
    report.note(f"hub CPU over the measured rounds: {rounds.cpu:.2f} s for {total:,} sync rounds, "
                f"{base.cpu:.2f} s for {total:,} GETs; throughput {total / rounds.wall:.0f} rounds/s, "
                f"{total / base.wall:.0f} GETs/s")
    report.note(f"rounds that succeeded: {ok}/{total} ({total - len(base.failures)}/{total} GETs); "
                f"receipts held by the hub: {got}/{want}")
    report.aim("every sync round succeeds and the hub holds every receipt", not rounds.failures and got == want)
    report.save()
    for f in rounds.failures[:5]:
        print(f"FAILED ROUND: {f}")
    if rounds.failures or got != want:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
