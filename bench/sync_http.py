"""Sync over HTTPS between real processes on 127.0.0.1: a hub started with `fieldsync hub
serve` (uvicorn, TLS with the hub's self-signed, pinned certificate) and nodes that are
plain directories driven by the `fieldsync` CLI or by the real client in this process.

    .venv/bin/python bench/sync_http.py [--changes N] [--rows N] [--rounds N] [--quick]
        [--profile-push FILE] [--profile-idle FILE] [--profile-boot FILE] [--profile-hub FILE]

Measured in one run, each beside a baseline taken in the same run:

1. push: a node holding N local changes (a clerk's stock receipts, 1-3 `stock_moves` adds
   per change) sends them all in one `sync_round` through `HttpTransport`; changes/s.
2. raw: `executemany` of the same rows into a fresh SQLite file with the same schema (WAL,
   synchronous=NORMAL, one transaction per 1000 rows); rows/s, and push/raw. To show what
   HTTPS itself costs, the segments the client pushed are also run through
   `hub_handlers.push` in this process on a copy of the hub taken just before the round.
3. idle round: one hello (every bucket at the head it reports: no pull), nothing to push, over one keep-alive
   connection; median and p90, against a plain unsigned GET of /api/v1/openapi.json.
4. bootstrap: `fieldsync node enroll CODE` (enroll, then pull everything) of a hub that holds
   N `parts` rows in its global bucket, as a subprocess end to end, and the pull alone in
   process (the `sync_round` of `node.enroll.enroll_node`); against a raw executemany of
   the same rows.

The issue's aims: ≥ 10,000 changes/s end to end; an idle round under 20 ms median.
The --profile-* options write cProfile reports: the client side of the push round, of the
idle rounds or of the bootstrap pull, or the hub process itself (served by this script
under cProfile, event loop and worker threads; stopped with SIGTERM).
Every process started here is stopped by its PID; everything lives in a temp dir.
"""
import argparse
import cProfile
import io
import pstats
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import node.enroll as node_enroll  # noqa: E402
from node.home import NodeHome  # noqa: E402
from sync.http_client import HttpTransport  # noqa: E402
from sync.node_sync import sync_round  # noqa: E402
from bench._raw import fresh_db  # noqa: E402
from bench._report import Report, machine_line, quick_flag  # noqa: E402
from sync.schema import to_cell  # noqa: E402
from shared.tables import TABLES  # noqa: E402
from fieldsync.testing.processes import HubProcess, NodeDir  # noqa: E402

BATCH = 1000              # rows per raw-baseline transaction, ops per seeding write
AIM_PUSH = 10_000         # changes/s end to end
AIM_IDLE_MS = 20.0        # median idle round
T0_MS = 1_771_000_000_000


# ---- helpers ----

class Timed:
    """Wraps a transport and adds up the wall time spent in each call (network + hub)."""

    def __init__(self, inner, keep_bodies: bool = False):
        self.inner = inner
        self.bodies = [] if keep_bodies else None  # pushed segments, as handed to the transport
        self.t = {"hello": 0.0, "push": 0.0, "pull": 0.0}
        self.n = {"hello": 0, "push": 0, "pull": 0}
        self.first_pull_at = None  # when the round moved from pushing to pulling

    def _call(self, name, *args):
        t0 = time.perf_counter()
        if name == "pull" and self.first_pull_at is None:
            self.first_pull_at = t0
        try:
            return getattr(self.inner, name)(*args)
        finally:
            self.t[name] += time.perf_counter() - t0
            self.n[name] += 1

    def hello(self, pending=None):
        return self._call("hello", pending)

    def push(self, body):
        if self.bodies is not None:
            self.bodies.append(body)
        return self._call("push", body)

    def pull(self, bucket, after, limit=1000):
        return self._call("pull", bucket, after, limit)

    @property
    def total(self) -> float:
        return sum(self.t.values())


def transport_for(home: NodeHome) -> tuple:
    settings = home.settings()
    key = home.signing_key()
    return HttpTransport(settings["url"], settings["node_id"], key, home.cert_pem()), key, settings


def pct(values, p) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def raw_insert(path: Path, table: str, rows: list[dict]) -> tuple[float, int]:
    """executemany of `rows` (id + fields) into a fresh file with the replicated schema."""
    conn = fresh_db(path)
    spec = TABLES[table]
    cols = ["id", *rows[0]["fields"]]
    sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
    cells = [(r["id"], *(to_cell(spec.columns[c], r["fields"][c]) for c in cols[1:])) for r in rows]
    t0 = time.perf_counter()
    for i in range(0, len(cells), BATCH):
        conn.execute("BEGIN")
        conn.executemany(sql, cells[i:i + BATCH])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed, len(cells)


def fmt(x: float) -> str:
    return f"{x:,.0f}"


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def profile_to(prof: cProfile.Profile, out: Path, title: str) -> None:
    buf = io.StringIO()
    buf.write(title + "\n\n")
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(35)
    buf.write("\n---- top 30 by tottime ----\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(30)
    out.write_text(buf.getvalue())


class ProfiledHub(HubProcess):
    """The hub served by this script under cProfile (event loop and worker threads), in its
    own process like `fieldsync hub serve`; stopped with SIGTERM so it writes its profile."""

    def __init__(self, root: Path, out: Path):
        super().__init__(root)
        self.out = out

    def command(self) -> list[str]:
        return [sys.executable, __file__, "--serve-profiled", str(self.home.dir), str(self.port), str(self.out)]

    def kill(self, sig=signal.SIGTERM) -> None:
        super().kill(sig)


def serve_profiled(hub_dir: str, port: int, out: str) -> None:
    """`fieldsync hub serve` (uvicorn, uvloop + httptools when installed, TLS) under cProfile."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn

    from hub.app import create_app
    from hub.home import HubHome
    home = HubHome(Path(hub_dir))
    hub = home.open()
    app = create_app(hub, home)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            ssl_certfile=str(home.cert), ssl_keyfile=str(home.tls_key))
    server = uvicorn.Server(config)
    profs = [cProfile.Profile()]

    def in_worker():
        prof = cProfile.Profile()
        profs.append(prof)
        prof.enable()

    async def serve():
        executor = ThreadPoolExecutor(initializer=in_worker)
        asyncio.get_running_loop().set_default_executor(executor)
        profs[0].enable()
        try:
            await server.serve()
        finally:
            profs[0].disable()
            executor.shutdown(wait=True)

    # uvicorn re-raises the captured SIGTERM once it has shut down: let that be a no-op so
    # that the profile below gets written.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        import uvloop
        uvloop.run(serve())
    except ImportError:
        asyncio.run(serve())
    stats = pstats.Stats(profs[0])
    for prof in profs[1:]:
        prof.create_stats()
        stats.add(prof)
    buf = io.StringIO()
    buf.write(f"hub process under cProfile, event loop + {len(profs) - 1} worker threads\n\n")
    stats.stream = buf
    stats.sort_stats("cumulative").print_stats(60)
    buf.write("\n---- top 40 by tottime ----\n")
    stats.sort_stats("tottime").print_stats(40)
    Path(out).write_text(buf.getvalue())


# ---- the world ----

def part_row(i: int) -> dict:
    return {"op": "put", "table": "parts", "id": f"P-{100000 + i}", "fields": {
        "sku": f"SKU-{100000 + i}", "name": f"压缩机配件 {i}", "category": "AC",
        "unit_price": 1000 + i % 5000, "safety_stock": i % 7, "models": [f"KFR-{i % 97}"],
        "active": True}}


def setup_hub(root: Path, n_rows: int, profile: Path | None = None
              ) -> tuple[HubProcess, str, str, list[dict], float]:
    """A hub with one outlet, a clerk, and n_rows parts written before the hub starts."""
    hub = ProfiledHub(root, profile) if profile else HubProcess(root)
    outlet = hub.add_outlet("SH01", "上海徐汇网点")
    clerk = "clerk-SH01"
    store = hub.store()
    try:
        store.write([{"op": "put", "table": "users", "id": clerk, "fields": {
            "username": clerk, "role": "clerk", "outlet_id": outlet, "active": True}},
            {"op": "put", "table": "parts", "id": "P-1001", "fields": {
                "sku": "P-1001", "name": "压缩机", "category": "AC", "unit_price": 120000}}])
        seeded = [part_row(i) for i in range(n_rows)]
        t0 = time.perf_counter()
        for i in range(0, n_rows, BATCH):
            store.write(seeded[i:i + BATCH])
        seed_s = time.perf_counter() - t0
    finally:
        store.close()
    return hub, outlet, clerk, seeded, seed_s


def receipts(i: int, outlet: str) -> list[dict]:
    """Change i: 1-3 stock receipts (1, 2, 3, 1, 2, 3, …: 2 ops on average)."""
    return [{"op": "add", "table": "stock_moves", "id": str(uuid.uuid4()), "fields": {
        "outlet_id": outlet, "part_id": "P-1001", "qty": 1 + k, "kind": "receipt",
        "ref": f"GR-{i:06d}", "at": T0_MS + i}} for k in range(1 + i % 3)]


# ---- the measures ----

def bootstrap_subprocess(hub: HubProcess, root: Path, n_rows: int) -> tuple[NodeDir, float, str]:
    node = NodeDir(root, "n1")
    code = hub.code("SH01")
    t0 = time.perf_counter()
    p = node.enroll(code)
    elapsed = time.perf_counter() - t0
    store = node.store()
    try:
        got = store.conn.execute("SELECT COUNT(*) FROM parts").fetchone()[0]
    finally:
        store.close()
    if got < n_rows:
        print(f"WARNING: the enrolled node holds {got} parts, expected ≥ {n_rows}")
    return node, elapsed, p.stdout.strip()


def bootstrap_in_process(hub: HubProcess, root: Path, profile: Path | None = None) -> dict:
    """enroll_node in this process with its sync_round timed apart (and its HTTP calls)."""
    timing = {}
    real = node_enroll.sync_round

    def timed_round(store, transport, key):
        timed = Timed(transport)
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        t0 = time.perf_counter()
        result = real(store, timed, key)
        timing["round_s"] = time.perf_counter() - t0
        if prof:
            prof.disable()
            profile_to(prof, profile, f"bootstrap pull (client side): {timing['round_s']:.2f} s under cProfile")
        timing["http_s"] = timed.total
        timing["requests"] = sum(timed.n.values())
        timing["pulled"] = result.pulled
        return result

    node_enroll.sync_round = timed_round
    try:
        home = NodeHome(root / "n2")
        t0 = time.perf_counter()
        node_enroll.enroll_node(home, hub.code("SH01"), "bench-n2")
        timing["total_s"] = time.perf_counter() - t0
    finally:
        node_enroll.sync_round = real
    store = home.open_store()
    try:
        timing["rows"] = store.conn.execute("SELECT COUNT(*) FROM parts").fetchone()[0]
    finally:
        store.close()
    return timing


def make_changes(home: NodeHome, clerk: str, outlet: str, n: int) -> tuple[list[dict], float]:
    store = home.open_store()
    rows = []
    t0 = time.perf_counter()
    try:
        for i in range(n):
            ops = receipts(i, outlet)
            store.write(clerk, ops, at=T0_MS + i)
            rows += ops
    finally:
        store.close()
    return rows, time.perf_counter() - t0


def push_round(home: NodeHome, n: int, profile: Path | None) -> dict:
    store = home.open_store()
    transport, key, _ = transport_for(home)
    timed = Timed(transport, keep_bodies=True)
    prof = cProfile.Profile() if profile else None
    try:
        if prof:
            prof.enable()
        t0 = time.perf_counter()
        result = sync_round(store, timed, key)
        elapsed = time.perf_counter() - t0
        push_phase = (timed.first_pull_at or t0 + elapsed) - t0
        if prof:
            prof.disable()
        pending = store.pending_count()
    finally:
        transport.close()
        store.close()
    if result.pushed != n or result.rejected or pending:
        print(f"WARNING: pushed {result.pushed} of {n}, {len(result.rejected)} ops rejected, "
              f"{pending} still pending")
    if prof:
        profile_to(prof, profile, f"one push round of {n} changes (client side, hub in its own process): "
                                  f"{elapsed:.2f} s under cProfile")
    return {"s": elapsed, "push_phase_s": push_phase, "bodies": timed.bodies, "pushed": result.pushed,
            "pulled": result.pulled, "t": dict(timed.t),
            "n": dict(timed.n)}


def copy_hub_db(hub: HubProcess, dest: Path) -> None:
    """A consistent copy of the running hub's store (SQLite backup API)."""
    src, dst = sqlite3.connect(str(hub.home.db)), sqlite3.connect(str(dest))
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def ingest_in_process(hub: HubProcess, copy: Path, node_id: str, bodies: list[bytes], n: int) -> float:
    """The same segments through hub_handlers.push on a copy of the hub as it was before the
    push round: the hub's share of the push without HTTP, TLS, gzip or signatures."""
    from sync import hub_handlers
    from sync.hub_store import HubStore
    from sync.keys import SigningKey
    store = HubStore(copy, key=SigningKey.load(hub.home.key))
    try:
        t0 = time.perf_counter()
        for body in bodies:
            have = hub_handlers.push(store, node_id, body)["have"]
        elapsed = time.perf_counter() - t0
    finally:
        store.close()
    if have["seq"] != n:
        print(f"WARNING: in-process ingest holds seq {have['seq']}, expected {n}")
    return elapsed


def cpu_s(proc: psutil.Process) -> float:
    """The hub process's CPU time so far (user + system), seconds."""
    t = proc.cpu_times()
    return t.user + t.system


def idle_rounds(home: NodeHome, rounds: int, profile: Path | None, hub_pid: int) -> dict:
    """Time idle rounds (client side) and the hub's CPU they cost, beside an unsigned GET
    of the same keep-alive client (its latency and its hub CPU)."""
    hub_proc = psutil.Process(hub_pid)
    store = home.open_store()
    transport, key, _ = transport_for(home)
    try:
        for _ in range(5):  # settle: what the push relayed back, connection, caches
            sync_round(store, transport, key)
        timed = Timed(transport)
        laps, http = [], []
        prof = cProfile.Profile() if profile else None
        cpu0 = cpu_s(hub_proc)
        for _ in range(rounds):
            before = timed.total
            if prof:
                prof.enable()
            t0 = time.perf_counter()
            r = sync_round(store, timed, key)
            laps.append(time.perf_counter() - t0)
            if prof:
                prof.disable()
            http.append(timed.total - before)
            if r.pushed or r.pulled:
                print(f"WARNING: an idle round moved something: {r}")
        idle_cpu = (cpu_s(hub_proc) - cpu0) / rounds
        if prof:
            profile_to(prof, profile, f"{rounds} idle rounds (client side): median {ms(statistics.median(laps))}")
        # Baselines over the same keep-alive client: an unsigned GET, and one signed hello.
        client = transport._c
        gets, hellos = [], []
        cpu0 = cpu_s(hub_proc)
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = client.get("/api/v1/openapi.json")
            gets.append(time.perf_counter() - t0)
            r.raise_for_status()
        get_cpu = (cpu_s(hub_proc) - cpu0) / rounds
        for _ in range(rounds):
            t0 = time.perf_counter()
            transport.hello()
            hellos.append(time.perf_counter() - t0)
    finally:
        transport.close()
        store.close()
    return {"laps": laps, "http": http, "gets": gets, "hellos": hellos, "cpu": idle_cpu, "get_cpu": get_cpu,
            "per_round": {k: v / rounds for k, v in timed.n.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, help="local changes pushed in one round (20,000; 5,000 quick)")
    ap.add_argument("--rows", type=int, help="parts rows a new node bootstraps (50,000; 10,000 quick)")
    ap.add_argument("--rounds", type=int, help="idle rounds timed (200; 50 quick)")
    quick_flag(ap)
    ap.add_argument("--profile-push", type=Path, help="cProfile the push round (client side) into this file")
    ap.add_argument("--profile-idle", type=Path, help="cProfile the idle rounds (client side) into this file")
    ap.add_argument("--profile-boot", type=Path, help="cProfile the in-process bootstrap pull into this file")
    ap.add_argument("--profile-hub", type=Path, help="serve the hub under cProfile (slower: its figures "
                    "are not the benchmark's) and write its profile into this file")
    ap.add_argument("--serve-profiled", nargs=3, metavar=("HUB_DIR", "PORT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_profiled:
        serve_profiled(args.serve_profiled[0], int(args.serve_profiled[1]), args.serve_profiled[2])
        return
    n = args.changes or (5_000 if args.quick else 20_000)
    n_rows = args.rows or (10_000 if args.quick else 50_000)
    rounds = args.rounds or (50 if args.quick else 200)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-http-") as tmp:
        root = Path(tmp)
        hub, outlet, clerk, seeded, seed_s = setup_hub(root, n_rows, args.profile_hub)
        print(f"seeded {n_rows} parts with HubStore.write in batches of {BATCH} before start: {seed_s:.1f} s")
        try:
            hub.start()
            n1, boot_s, boot_out = bootstrap_subprocess(hub, root, n_rows)
            print(f"`fieldsync node enroll`: {boot_s:.2f} s — {boot_out}")
            boot = bootstrap_in_process(hub, root, args.profile_boot)
            print(f"in-process enroll_node: {boot['total_s']:.2f} s, of which sync_round {boot['round_s']:.2f} s "
                  f"({boot['requests']} requests, {boot['http_s']:.2f} s waiting on HTTP), {boot['rows']} parts")

            rows, gen_s = make_changes(n1.home, clerk, outlet, n)
            print(f"made {n} local changes ({len(rows)} stock_moves ops) with NodeStore.write in {gen_s:.1f} s")
            copy_hub_db(hub, root / "hub-before-push.db")
            push = push_round(n1.home, n, args.profile_push)
            print(f"push round: {push['s']:.2f} s; pushed {push['pushed']}, pulled back {push['pulled']} "
                  f"relayed changes; HTTP calls {push['n']}, HTTP time "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in push["t"].items()))
            idle = idle_rounds(n1.home, rounds, args.profile_idle, hub.proc.pid)
        finally:
            hub.kill()
        ingest_s = ingest_in_process(hub, root / "hub-before-push.db", n1.home.settings()["node_id"],
                                     push["bodies"], n)
        raw_push_s, raw_push_rows = raw_insert(root / "raw-push.db", "stock_moves", rows)
        raw_boot_s, raw_boot_rows = raw_insert(root / "raw-boot.db", "parts", seeded)

    n_ops = len(rows)
    push_cs = n / push["s"]
    raw_rows_s = raw_push_rows / raw_push_s
    boot_rows_s, pull_rows_s = n_rows / boot_s, n_rows / boot["round_s"]
    raw_boot_rs = raw_boot_rows / raw_boot_s
    http_push = push["t"]["push"]
    idle_med, idle_p90 = statistics.median(idle["laps"]), pct(idle["laps"], 90)
    get_med, get_p90 = statistics.median(idle["gets"]), pct(idle["gets"], 90)
    hello_med = statistics.median(idle["hellos"])
    report = Report("sync_http", quick=args.quick)
    report.row(f"push over HTTPS, one sync_round ({n:,} changes, {n_ops:,} ops)", push_cs, "changes/s",
               "raw executemany of the same rows", raw_rows_s * n / n_ops)
    report.row(f"push calls alone over HTTPS ({len(push['bodies'])} segments)", n / http_push, "changes/s",
               "the same segments through hub_handlers.push in process", n / ingest_s)
    report.row("idle round (one hello, no pull), median", idle_med * 1000, "ms",
               "unsigned GET openapi.json, median", get_med * 1000)
    report.row("hub CPU per idle round", idle["cpu"] * 1000, "ms", "hub CPU per unsigned GET openapi.json",
               idle["get_cpu"] * 1000)
    report.row("signed hello alone, median", hello_med * 1000, "ms", "unsigned GET openapi.json, median",
               get_med * 1000)
    report.row(f"bootstrap: `fieldsync node enroll` subprocess ({n_rows:,} parts)", boot_rows_s, "rows/s",
               "raw executemany of the same rows", raw_boot_rs)
    report.row(f"bootstrap: pull alone, in process ({boot['requests']} requests)", pull_rows_s, "rows/s",
               "raw executemany of the same rows", raw_boot_rs)
    pp = push["push_phase_s"]
    print(f"push round split: hello + pushing {pp:.2f} s ({fmt(n / pp)} changes/s; of which the transport's push "
          f"calls {http_push:.2f} s for {push['n']['push']} segments = gzip + TLS + hub verify and ingest, and "
          f"{pp - http_push - push['t']['hello']:.2f} s building and signing segments); pulling back "
          f"what the hub relayed to the outlet bucket {push['s'] - pp:.2f} s (HTTP {push['t']['pull']:.2f} s, "
          f"the rest apply_pull)")
    print(f"idle round split: median HTTP {ms(statistics.median(idle['http']))} over "
          f"{sum(idle['per_round'].values()):.0f} requests, client-side work median "
          f"{ms(statistics.median(a - b for a, b in zip(idle['laps'], idle['http'], strict=True)))}")
    print(f"idle round p90 {ms(idle_p90)}, GET p90 {ms(get_p90)}; HTTPS adds "
          f"{(http_push - ingest_s) / len(push['bodies']) * 1000:.1f} ms per pushed segment")
    report.note(f"hub served by `fieldsync hub serve` (uvicorn, TLS, pinned self-signed certificate) on "
                f"127.0.0.1; {rounds} idle rounds over one keep-alive connection; push: 1-3 stock receipts "
                f"per change; raw baselines: executemany into a fresh file, {BATCH} rows per transaction")
    report.aim(f"≥ {AIM_PUSH:,} changes/s end to end", push_cs >= AIM_PUSH)
    report.aim(f"idle round < {AIM_IDLE_MS:g} ms median", idle_med * 1000 < AIM_IDLE_MS)
    report.save()


if __name__ == "__main__":
    main()
