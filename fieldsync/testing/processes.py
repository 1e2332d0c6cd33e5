"""Real processes on 127.0.0.1: a hub served over HTTPS by `fieldsync hub serve` and nodes
driven by the `fieldsync` CLI, each stopped by its PID. A driver interrupted (Ctrl-C,
SIGTERM, an exception) still stops what it started: `started()` registers a process for
an atexit stop, and SIGTERM is taken as Ctrl-C (KeyboardInterrupt: `finally` blocks, fixture
teardowns and atexit run, and pytest ends the session rather than only the test)."""
import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from hub.admin import administering, init_hub
from hub.home import HubHome
from hub.wait import wait_until_serving
from node.home import NodeHome

FIELDSYNC = str(Path(sys.executable).parent / "fieldsync")
_STARTED: list[subprocess.Popen] = []


def _stop_started() -> None:
    for proc in _STARTED:
        if proc.poll() is None:
            proc.terminate()
    for proc in _STARTED:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _interrupt_on_sigterm(_signum, _frame) -> None:
    raise KeyboardInterrupt()  # no lock taken: unwinds through finally blocks and atexit


def started(proc: subprocess.Popen) -> subprocess.Popen:
    """Stop `proc` at exit if nobody did; the first call also makes SIGTERM unwind like
    Ctrl-C (when the driver runs on the main thread with the default handler)."""
    if not _STARTED:
        atexit.register(_stop_started)
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    _STARTED[:] = [p for p in _STARTED if p.poll() is None] + [proc]
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, timeout=120, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run([FIELDSYNC, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"fieldsync {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


class HubProcess:
    def __init__(self, root: Path, database: str | None = None, init: bool = True):
        """`database`: a postgresql:// URL for a hub on PostgreSQL; `init=False`: the
        caller runs `fieldsync hub init` itself."""
        self.home = HubHome(root / "hub")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        if init:
            init_hub(self.home, database=database)
        self.outlets = {}
        self.options: tuple[str, ...] = ()  # more options of `hub serve` (e.g. --idle-minutes)

    def add_outlet(self, code: str, name: str) -> str:
        with administering(self.home, "test") as (adm, me):
            self.outlets[code] = adm.network.save_outlet(me, code=code, name=name)
        return self.outlets[code]

    def code(self, outlet_code: str) -> str:
        with administering(self.home, "test") as (adm, me):
            return adm.nodes.enroll_code(me, url=self.url, outlet_code=outlet_code).code

    def command(self) -> list[str]:
        return [FIELDSYNC, "hub", "serve", "--dir", str(self.home.dir), "--port", str(self.port), *self.options]

    def start(self) -> None:
        self.proc = started(subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        wait_until_serving(self.url, self.proc, timeout=30, step=0.1)

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def store(self):
        return self.home.open()


class NodeDir:
    def __init__(self, root: Path, name: str):
        self.home = NodeHome(root / name)
        self.name = name

    def enroll(self, code: str) -> subprocess.CompletedProcess:
        return run("node", "enroll", code, "--dir", self.home.dir, "--name", self.name)

    def sync(self, check=True) -> subprocess.CompletedProcess:
        return run("node", "sync", "--dir", self.home.dir, check=check)

    def store(self):
        return self.home.open_store()
