"""`fieldsync demo`: the whole system on one machine, with demo data.

Live (the default, what `make demo` runs): a hub in D/hub (created and filled with the
demo data on the first run, reused after), served over HTTPS; two outlet nodes (SH01 and
BJ01) enrolled into D/nodes/<code> and served with background sync (and their UI where
`fieldsync node serve` offers one). It prints the URLs and logins and waits; Ctrl-C or
SIGTERM, at any moment, stops every process it started, by PID: the nodes, then the hub,
each given GRACE_S before SIGKILL; a second signal cuts the grace short. Exit 0. Logs go
to D/logs/.

The start (demo data, the hub, enrollments) runs on a worker thread so that the main
thread only waits for signals (shared.stopping.StopSignals) and does the stopping.

The command itself (`fieldsync demo`) is fieldsync.demo.command."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from fieldsync.demo.data import DEMO_PASSWORD, DEMO_PIN, FULL, generate
from hub.home import HubHome
from hub.wait import HubNotServing, wait_until_serving
from shared.stopping import StopSignals, Stopwatch, leave_now

LIVE_OUTLETS = ("SH01", "BJ01")
HOST = "127.0.0.1"
GRACE_S = 15  # each of the nodes and the hub stop within their own bounds (about 8 and 10 s)


def fieldsync_command() -> list[str]:
    script = Path(sys.executable).parent / "fieldsync"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fieldsync"]


def node_serve_options() -> set[str]:
    """The options `fieldsync node serve` takes (the UI adds --host/--port)."""
    import argparse

    from fieldsync.cli import build_parser

    def sub(parser, name):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action.choices[name]
        raise KeyError(name)

    serve = sub(sub(build_parser(), "node"), "serve")
    return {opt for action in serve._actions for opt in action.option_strings}


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def prepare_hub(home: HubHome, seed: int) -> None:
    """`hub init` and the demo data, once; every demo user (admin too) gets the demo password.
    Made in a side directory and renamed into place when whole, so that a demo stopped
    while it generates starts over next time rather than serving half the data."""
    from hub.admin import init_hub
    from shared.passwords import hash_password
    print(f"creating the demo hub in {home.dir} …", flush=True)
    partial = HubHome(home.dir.with_name(home.dir.name + ".partial"))
    shutil.rmtree(partial.dir, ignore_errors=True)
    init_hub(partial)
    hub = partial.open()
    try:
        data = generate(hub, seed=seed, sizes=FULL, complaint_history=True)
        hub.write([{"op": "put", "table": "users", "id": "admin",
                    "fields": {"password_hash": hash_password(DEMO_PASSWORD)}}])
    finally:
        hub.close()
    partial.dir.rename(home.dir)
    c = data.counts
    print(f"demo data generated in {data.seconds:.1f} s: {len(data.outlets)} outlets, {c.get('users', 0)} users, "
          f"{c.get('customers', 0)} customers, {c.get('parts', 0)} parts, {c.get('kb_articles', 0)} articles, "
          f"{c.get('service_orders', 0)} orders, {c.get('order_events', 0)} order events", flush=True)


def enroll(home: HubHome, node_dir: Path, outlet_code: str, url: str) -> None:
    from hub.admin import administering
    from node.enroll import enroll_node
    from node.home import NodeHome
    with administering(home, "demo") as (adm, me):
        code = adm.nodes.enroll_code(me, url=url, outlet_code=outlet_code).code
    enrollment, result = enroll_node(NodeHome(node_dir), code, f"{outlet_code} 前台电脑")
    print(f"enrolled node {enrollment['node_id']} at {outlet_code}; first pull {result.pulled} changes", flush=True)


def point_at(node, url: str) -> None:
    """A reused demo started with another --hub-port: the node syncs with the same hub
    (same pinned certificate) at its new address."""
    settings = node.settings()
    if settings.get("url") != url:
        node.save_settings({**settings, "url": url})
        print(f"node {settings['node_id']} now reaches the hub at {url}", flush=True)


class Processes:
    """The processes this demo started, each in its own session (so a terminal's Ctrl-C
    reaches only us), stopped by PID: SIGTERM, then SIGKILL after a grace period. Once
    closed, it starts nothing more (the start thread may still be running)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []
        self.closed = False
        self._lock = threading.Lock()

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.logs / f"{name}.log", "ab") as log:
            if self.closed:
                raise Stopping()
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
            self.running.append((name, proc))
        return proc

    def dead(self) -> list[str]:
        return [f"{name} (exit {p.returncode})" for name, p in self.running if p.poll() is not None]

    def stop(self, grace: float = GRACE_S, cut_short=lambda: False) -> None:
        """The nodes first (they may be pushing to the hub), then the hub; each group gets
        `grace` seconds after SIGTERM, none once `cut_short()` is true."""
        with self._lock:
            self.closed = True
            procs = list(self.running)
        nodes = [(n, p) for n, p in procs if n != "hub"]
        for group in (nodes, [(n, p) for n, p in procs if n == "hub"]):
            for _, p in group:
                if p.poll() is None:
                    os.kill(p.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while any(p.poll() is None for _, p in group) and time.monotonic() < deadline and not cut_short():
                time.sleep(0.05)
            for name, p in group:
                if p.poll() is None:
                    print(f"{name} did not stop in time; killed", flush=True)
                    os.kill(p.pid, signal.SIGKILL)
                p.wait()


class Stopping(Exception):
    """The demo is stopping: its start goes no further."""


def logins(home: HubHome, outlet_codes) -> list[str]:
    hub = home.open()
    try:
        outlets = {o["id"]: o["code"] for o in hub.rows("outlets")}
        lines = []
        for u in hub.rows("users", order="username"):
            code = outlets.get(u["outlet_id"])
            if u["outlet_id"] is None or code in outlet_codes:
                lines.append((code or "HQ", u))
    finally:
        hub.close()
    out = []
    for code, u in sorted(lines, key=lambda x: (x[0] != "HQ", x[0], x[1]["username"])):
        if u["role"] == "technician" and not u["username"].endswith(("tech01", "tech02")):
            continue
        out.append(f"    {code:5} {u['username']:14} {u['role']:15} {u['display_name'] or ''}")
    return out


def run_live(root: Path, signals: StopSignals, *, seed: int = 6, hub_port: int = 8443,
             node_ports=(8601, 8602)) -> int:
    """Until a signal (recorded in `signals`, entered by the caller) or a failure."""
    root = Path(root).resolve()
    home = HubHome(root / "hub")
    ui = "--port" in node_serve_options()
    busy = [p for p in (hub_port, *(node_ports if ui else ())) if not port_free(p)]
    if busy:
        raise OSError(f"port {', '.join(map(str, busy))} is in use; stop what holds it or pass --hub-port/--node-port")
    if not home.exists() and (root / "nodes").exists():
        raise SystemExit(f"{root} holds nodes but no hub; remove it or choose another --dir")
    procs = Processes(root / "logs")
    started: list[BaseException | None] = []  # the start thread's outcome: [None] or [the error]

    def start() -> None:
        try:
            start_all(root, home, procs, seed=seed, hub_port=hub_port, node_ports=node_ports, ui=ui)
            started.append(None)
        except BaseException as exc:  # noqa: B036 (handed to the main thread, which decides)
            started.append(exc)

    stopwatch = Stopwatch("demo")
    thread = threading.Thread(target=start, name="demo-start", daemon=True)
    thread.start()
    failure = None
    while not signals.wait(0.5):
        if started and started[0] is not None:
            failure = started[0]
            break
        dead = procs.dead()
        if dead:
            failure = RuntimeError(f"stopped: {', '.join(dead)} exited; see {root}/logs/")
            break
    stopwatch.begin(signals.name() if signals.count else "a process failed")
    procs.stop(cut_short=lambda: signals.count > 1)
    if thread.is_alive():  # still generating data or enrolling: it starts nothing more
        stopwatch.end("its start was not finished; the next run takes it up")
        leave_now(0 if failure is None else 1)
    stopwatch.end()
    if failure is not None and not isinstance(failure, Stopping):
        if isinstance(failure, RuntimeError):
            print(failure, file=sys.stderr, flush=True)
            return 1
        raise failure
    return 0


def start_all(root: Path, home: HubHome, procs: Processes, *, seed: int, hub_port: int, node_ports,
              ui: bool) -> None:
    """The demo data (first run), the hub, the enrollments (first run) and the nodes; then
    the URLs and logins."""
    from node.home import NodeHome
    if not home.exists():
        prepare_hub(home, seed)
    else:
        print(f"reusing the demo in {root} (delete the directory for a fresh one)", flush=True)
    url = f"https://{HOST}:{hub_port}"
    fs = fieldsync_command()
    hub = procs.start("hub", [*fs, "hub", "serve", "--dir", str(home.dir), "--host", HOST, "--port", str(hub_port)])
    try:
        wait_until_serving(url, hub, timeout=60)
    except HubNotServing as exc:
        if procs.closed:
            raise Stopping() from None
        raise RuntimeError(f"{exc}; see its log {root}/logs/hub.log") from None
    node_urls = []
    for code, port in zip(LIVE_OUTLETS, node_ports, strict=True):
        node_dir = root / "nodes" / code
        if not NodeHome(node_dir).enrolled():
            enroll(home, node_dir, code, url)
        else:
            point_at(NodeHome(node_dir), url)
        argv = [*fs, "node", "serve", "--dir", str(node_dir), "--interval", "15"]
        if ui:
            argv += ["--host", HOST, "--port", str(port)]
        procs.start(f"node-{code}", argv)
        node_urls.append(f"  node {code}: " + (f"https://{HOST}:{port}   (its own self-signed certificate)" if ui else
                                               f"background sync only (no UI yet), log {root}/logs/node-{code}.log"))
    print("\n".join([
        "",
        "fieldsync demo is running",
        f"  hub (HQ):  {url}   API docs {url}/api/v1/docs   (self-signed certificate)",
        f"  HQ web UI: {url}/hq/   logins hq.agent (calls, callbacks), hq.approver (approvals), "
        f"admin (administration), password {DEMO_PASSWORD}",
        *node_urls,
        f"  logins (password {DEMO_PASSWORD} for everyone, PIN {DEMO_PIN} for outlet users; "
        f"admin: admin / {DEMO_PASSWORD}):",
        *logins(home, LIVE_OUTLETS),
        f"  logs: {root}/logs/",
        "Ctrl-C stops the hub and the nodes.",
    ]), flush=True)
