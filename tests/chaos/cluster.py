"""The chaos run's processes on 127.0.0.1: `fieldsync hub serve` over HTTPS, and per node a
`fieldsync node serve` (background sync every second) that reaches the hub through its
own Proxy. Every process is started in its own session, logs to a file, and is stopped
by its PID (kill -9 is the nemesis's normal way). The node's replica is also opened in
this process by the workload, as a second app on the same file would."""
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx

from hub.admin import administering, init_hub
from fieldsync.demo.data import Sizes, generate
from hub.home import HubHome
from node.enroll import enroll_node
from node.home import NodeHome
from sync.hlc import CLOCK_OFFSET_ENV, HLC, now_ms
from sync.node_store import NodeStore
from tests.chaos.proxy import Proxy
from fieldsync.testing.processes import FIELDSYNC, free_port, started

CHAOS_SIZES = Sizes(technicians=12, customers=80, parts=30, kb_articles=12, orders=80, days=20)


class Proc:
    """One server process, restartable on the same port, logging to a file."""

    def __init__(self, name: str, argv_fn, log: Path):
        self.name, self.argv_fn, self.log = name, argv_fn, log
        self.proc: subprocess.Popen | None = None
        self.env: dict = {}
        self.starts = 0

    def start(self, env: dict | None = None) -> None:
        self.env = dict(env or {})
        with open(self.log, "ab") as log:
            log.write(f"\n==== start {self.starts + 1} {time.strftime('%H:%M:%S')} {self.env}\n".encode())
            self.proc = started(subprocess.Popen(self.argv_fn(), stdout=log, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, start_new_session=True,
                                                 env={**os.environ, **self.env}))
        self.starts += 1

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL if it hangs."""
        self.kill(signal.SIGTERM)


class Hub:
    def __init__(self, root: Path, seed: int, sizes: Sizes = CHAOS_SIZES):
        self.home = HubHome(root / "hub")
        init_hub(self.home)
        store = self.home.open()
        try:
            self.data = generate(store, seed=seed, now=now_ms(), sizes=sizes)
        finally:
            store.close()
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.proc = Proc("hub", lambda: [FIELDSYNC, "hub", "serve", "--dir", str(self.home.dir),
                                         "--port", str(self.port)], root / "hub.log")

    def start(self, wait: bool = True) -> None:
        self.proc.start()
        if wait:
            self.wait_up()

    def wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.proc.running:
                raise RuntimeError(f"the hub exited; see {self.proc.log}")
            try:
                httpx.get(f"{self.url}/api/v1/openapi.json", verify=False, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the hub did not come up")

    def open(self):
        """A store on the hub's file, as an HQ tool beside the server would open one."""
        return self.home.open()

    def snapshot(self, dest: Path) -> None:
        """Last night's backup of hub.db, taken from the live file with SQLite's backup API
        (README "Backups"); hub.key, tls/ and blobs/ do not change."""
        src, dst = sqlite3.connect(str(self.home.dir / "hub.db")), sqlite3.connect(str(dest))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()

    def restore(self, backup: Path) -> None:
        """The disk died: hub.db is replaced by a backup (the process is stopped and every
        store on the file closed)."""
        db = self.home.dir / "hub.db"
        for f in (db, db.with_name("hub.db-wal"), db.with_name("hub.db-shm")):
            f.unlink(missing_ok=True)
        src, dst = sqlite3.connect(str(backup)), sqlite3.connect(str(db))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()


class Node:
    """An enrolled node directory, its proxy, its `node serve` process and its device
    clock offset (the same for the process, through the environment, and for the
    workload's store here)."""

    def __init__(self, root: Path, hub: Hub, outlet_code: str, letter: str, seed: int):
        self.name = f"{outlet_code}-{letter}"
        self.outlet_code = outlet_code
        self.home = NodeHome(root / "nodes" / self.name)
        self.proxy = Proxy(hub.port, seed=seed)
        with administering(hub.home, "chaos") as (adm, me):
            code = adm.nodes.enroll_code(me, url=f"https://127.0.0.1:{self.proxy.port}", outlet_code=outlet_code).code
        enrollment, _ = enroll_node(self.home, code, self.name)
        self.node_id, self.outlet_id = enrollment["node_id"], enrollment["outlet_id"]
        self.offset_ms = 0
        self.ui_port = free_port()
        self.proc = Proc(self.name, lambda: [FIELDSYNC, "node", "serve", "--dir", str(self.home.dir),
                                             "--interval", "1", "--max-backoff", "4",
                                             "--host", "127.0.0.1", "--port", str(self.ui_port)],
                         root / f"{self.name}.log")
        self.store: NodeStore | None = None
        self.open_store()

    def now(self) -> int:
        return now_ms() + self.offset_ms

    def open_store(self) -> NodeStore:
        if self.store is None:
            self.store = NodeStore(self.home.db, clock=HLC(wall=self.now))
        return self.store

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def start(self) -> None:
        self.proc.start({CLOCK_OFFSET_ENV: str(self.offset_ms)} if self.offset_ms else {})

    def snapshot(self, dest: Path) -> None:
        """A consistent copy of the node's directory (the SQLite backup API for the
        replica), as a nightly backup would take while the app runs."""
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for f in self.home.dir.iterdir():
            if f.is_file() and not f.name.startswith("node.db"):
                shutil.copy2(f, dest / f.name)
        src = sqlite3.connect(str(self.home.db))
        dst = sqlite3.connect(str(dest / "node.db"))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()

    def restore(self, snapshot: Path) -> None:
        """Put an old copy back (the process must be stopped and the store closed)."""
        for f in self.home.dir.iterdir():
            if f.is_file() and f.name.startswith("node.db"):
                f.unlink()
        shutil.copy2(snapshot / "node.db", self.home.db)
