"""A chaos run: a hub and four nodes (two at SH01, one at BJ01, one at GZ01) as real
processes, a workload of people at the outlets and at HQ, and a nemesis that, every few
seconds, picks one fault:

- kill -9 a node's `node serve` (restarted a moment later) or the hub (likewise);
- cut a node off (its proxy refuses and drops everything), slow it down (latency per
  chunk), or make it lose connections mid-stream;
- jump a node's device clock by ± 1-3 days (its process restarts with
  FIELDSYNC_CLOCK_OFFSET_MS; the workload's clock for that node moves too) and back later;
- take a backup of a node's directory, or put an older backup back (the node must notice
  on its next hello and start a new epoch);
- take a backup of the hub's file, or restore the hub from an old backup (stop it, put the
  file back, start it): the nodes hand back HQ's changes they pulled since (sync/handback.py).

Then everything heals, clocks are set right, the node processes stop and each node runs
`fieldsync node sync` until a whole round moves nothing; checks.check_all must find
nothing. `python -m tests.chaos.run --seconds 600` runs it outside pytest."""
import argparse
import heapq
import json
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.chaos.checks import check_all, refusal_codes
from tests.chaos.cluster import Hub, Node
from tests.chaos.workload import Workload
from fieldsync.testing.processes import FIELDSYNC

LAYOUT = (("SH01", "A"), ("SH01", "B"), ("BJ01", "A"), ("GZ01", "A"))
DAY_MS = 86_400_000
FAULTS = ("kill_node", "kill_hub", "partition", "latency", "drop", "clock_jump", "backup", "restore",
          "hub_backup", "restore_hub")
WEIGHTS = (4, 2, 3, 2, 3, 2, 3, 3, 2, 1)


@dataclass
class Summary:
    seconds: float = 0.0
    faults: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    service_refusals: Counter = field(default_factory=Counter)
    hub_refusals: Counter = field(default_factory=Counter)
    quiesce_rounds: int = 0
    node_rounds: int = 0
    sync_failures: Counter = field(default_factory=Counter)
    epochs: dict = field(default_factory=dict)
    changes: int = 0
    hub_restores: int = 0
    recovered: int = 0   # HQ's changes the nodes handed back after its restores
    problems: list = field(default_factory=list)

    def lines(self) -> list[str]:
        fmt = lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "none"  # noqa: E731
        return [
            f"chaos run: {self.seconds:.0f} s of faults, 4 nodes + hub as processes",
            f"  faults injected ({sum(self.faults.values())}): {fmt(self.faults)}",
            f"  user actions done ({sum(self.actions.values())}): {fmt(self.actions)}",
            f"  refused on the nodes, shown to the user ({sum(self.service_refusals.values())}): "
            f"{fmt(self.service_refusals)}",
            f"  ops refused by the hub ({sum(self.hub_refusals.values())}): {fmt(self.hub_refusals)}",
            f"  changes the hub holds from nodes: {self.changes}; node epochs: {fmt(self.epochs)}",
            f"  hub restored from a backup {self.hub_restores} times; HQ's changes handed back by the nodes: "
            f"{self.recovered}",
            f"  failed background rounds by reason: {fmt(self.sync_failures)}",
            f"  background sync rounds logged by the nodes: {self.node_rounds}; "
            f"quiesce: {self.quiesce_rounds} rounds of `fieldsync node sync` per node",
            *[f"  PROBLEM {p}" for p in self.problems[:30]],
            f"invariants: {'all hold' if not self.problems else f'{len(self.problems)} problems'}",
        ]


class Chaos:
    def __init__(self, root: Path, seed: int):
        self.root = Path(root)
        self.rng = random.Random(seed)
        self.summary = Summary()
        self.hub = Hub(self.root, seed)
        self.hub.start()
        self.nodes = [Node(self.root, self.hub, code, letter, seed + i) for i, (code, letter) in enumerate(LAYOUT)]
        self.work = Workload(self.nodes, self.hub, random.Random(seed + 100))
        for n in self.nodes:
            self.work.attach(n)
            n.start()
        self.events: list = []          # (at, seq, fn)
        self.busy: dict[str, float] = {}  # target -> time its fault heals
        self.backups: dict[str, list[Path]] = {n.name: [] for n in self.nodes}
        self.restoring: set[str] = set()
        self.hub_backups: list[Path] = []
        self._seq = 0

    # ---- scheduling ----

    def later(self, delay: float, fn) -> None:
        self._seq += 1
        heapq.heappush(self.events, (time.monotonic() + delay, self._seq, fn))

    def run_due(self) -> None:
        while self.events and self.events[0][0] <= time.monotonic():
            _, _, fn = heapq.heappop(self.events)
            fn()

    def idle(self, target: str) -> bool:
        return self.busy.get(target, 0) <= time.monotonic()

    def hold(self, target: str, seconds: float) -> None:
        self.busy[target] = time.monotonic() + seconds + 0.5

    # ---- faults ----

    def inject(self) -> None:
        kind = self.rng.choices(FAULTS, WEIGHTS)[0]
        n = self.rng.choice(self.nodes)
        if kind == "hub_backup":
            if not self.hub_backup():
                return
        elif kind == "restore_hub":
            if not self.restore_hub():
                return
        elif kind == "kill_hub":
            if not self.idle("hub"):
                return
            down = self.rng.uniform(0.2, 4)
            self.hub.proc.kill()
            self.hold("hub", down)
            self.later(down, lambda: self.hub.proc.start())
        elif kind in ("kill_node", "clock_jump", "restore"):
            if not self.idle(n.name) or n.name in self.restoring:
                return
            if kind == "restore" and not self.backups[n.name]:
                return
            down = self.rng.uniform(0.2, 3)
            n.proc.kill()
            if kind == "clock_jump":
                n.offset_ms = (self.rng.choice([-1, 1]) * self.rng.randint(1, 3) * DAY_MS
                               + self.rng.randint(0, 3_600_000))
                back = self.rng.uniform(5, 15)
                self.later(back, lambda: self.set_clock(n, 0))
                self.hold(n.name, back)
            else:
                self.hold(n.name, down)
            if kind == "restore":
                self.restore(n, self.rng.choice(self.backups[n.name]))
            self.later(down, lambda: n.start() if not n.proc.running else None)
        elif kind == "backup":
            kept = self.backups[n.name]
            if len(kept) >= 6:  # keep the oldest and the newest few: a long run needs no more
                shutil.rmtree(kept.pop(self.rng.randrange(1, len(kept))), ignore_errors=True)
            dest = self.root / "backups" / f"{n.name}-{self.summary.faults['backup']}"
            n.snapshot(dest)
            kept.append(dest)
        else:
            if not self.idle(f"net-{n.name}"):
                return
            heal = self.rng.uniform(2, 8)
            if kind == "partition":
                n.proxy.set(down=True)
            elif kind == "latency":
                n.proxy.set(latency_s=self.rng.uniform(0.05, 0.6))
            else:
                n.proxy.set(drop_p=self.rng.uniform(0.3, 1.0))
            self.hold(f"net-{n.name}", heal)
            self.later(heal, n.proxy.heal)
        self.summary.faults[kind] += 1

    def until_done(self, fault) -> None:
        """A fault that must happen: tried again every second while its target is busy."""
        if not fault():
            self.later(1, lambda: self.until_done(fault))

    def hub_backup(self) -> bool:
        """Last night's backup of hub.db (taken while the hub runs)."""
        if not self.hub.proc.running:
            return False
        dest = self.root / "backups" / f"hub-{len(self.hub_backups)}.db"
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.hub.snapshot(dest)
        self.hub_backups.append(dest)
        return True

    def restore_hub(self) -> bool:
        """HQ's disk dies: stop the hub, put an older backup of hub.db back, start it again."""
        if not self.idle("hub") or not self.hub_backups:
            return False
        down = self.rng.uniform(0.5, 3)
        self.hub.proc.kill()
        self.work.close()  # HQ's desk closes its store on the file; it reopens on the next round
        self.hub.restore(self.rng.choice(self.hub_backups))
        self.hold("hub", down)
        self.later(down, lambda: self.hub.proc.start())
        self.summary.hub_restores += 1
        return True

    def set_clock(self, n: Node, offset: int) -> None:
        n.offset_ms = offset
        n.proc.kill()
        n.start()

    def restore(self, n: Node, backup: Path) -> None:
        """The device's disk is replaced by an older backup of it."""
        n.close_store()
        n.restore(backup)
        n.open_store()
        self.work.attach(n)

    # ---- the run ----

    def run(self, seconds: float) -> Summary:
        started = time.monotonic()
        end = started + seconds
        # Every run restores the hub at least once, from a backup taken early on.
        self.later(seconds * 0.15, lambda: self.until_done(self.hub_backup))
        self.later(seconds * 0.55, lambda: self.until_done(self.restore_hub))
        next_fault = started + self.rng.uniform(1, 3)
        while time.monotonic() < end:
            self.run_due()
            if time.monotonic() >= next_fault:
                self.inject()
                next_fault = time.monotonic() + self.rng.uniform(1, 3)
            self.work.step(self.nodes)
            time.sleep(0.03)
        self.summary.seconds = time.monotonic() - started
        self.quiesce()
        self.check()
        return self.summary

    def quiesce(self) -> None:
        self.events.clear()
        self.work.close()
        if not self.hub.proc.running:
            self.hub.proc.start()
        self.hub.wait_up()
        for n in self.nodes:
            n.proxy.heal()
            n.proc.stop()
            n.offset_ms = 0
        for _ in range(8):
            self.summary.quiesce_rounds += 1
            moved = 0
            for n in self.nodes:
                out = sync_cli(n)
                moved += out.get("pushed", 0) + out.get("pulled", 0)
            if not moved and self.summary.quiesce_rounds >= 2:
                break

    def check(self) -> None:
        hub = self.hub.open()
        try:
            for n in self.nodes:
                n.close_store()
                n.open_store()
                self.work.attach(n)
            self.summary.problems = check_all(hub, self.nodes)
            self.summary.hub_refusals = refusal_codes(hub)
            self.summary.changes = hub.conn.execute("SELECT COUNT(*) FROM node_changes").fetchone()[0]
            self.summary.recovered = hub.conn.execute("SELECT COUNT(*) FROM recovered_changes").fetchone()[0]
            self.summary.epochs = {n.name: n.store.epoch for n in self.nodes}
        finally:
            hub.close()
        self.summary.actions = self.work.done
        self.summary.service_refusals = self.work.refused
        for proc in [n.proc for n in self.nodes] + [self.hub.proc]:
            log = proc.log.read_text(errors="replace")
            self.summary.node_rounds += log.count('{"sync"')
            self.summary.sync_failures.update(re.findall(r'"msg": "sync failed"[^\n]*?"outcome": "(\w+)"', log))
            crashes = log.count("Traceback") + log.count("sync round crashed")
            if crashes:
                self.summary.problems.append(f"{proc.name}: {crashes} tracebacks in {proc.log}")

    def stop(self) -> None:
        for n in self.nodes:
            n.proc.kill()
            n.proxy.close()
            n.close_store()
        self.hub.proc.kill()


def sync_cli(n: Node) -> dict:
    """One `fieldsync node sync` round; its JSON line (ok, pushed, pulled, …)."""
    p = subprocess.run([FIELDSYNC, "node", "sync", "--dir", str(n.home.dir)], capture_output=True,
                       text=True, timeout=180)
    try:
        out = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"{n.name}: node sync printed no result:\n{p.stdout}\n{p.stderr}") from None
    if not out.get("ok"):
        raise RuntimeError(f"{n.name}: a quiesce round failed: {out}\n{p.stderr[-3000:]}")
    return out


def run_chaos(root: Path, seconds: float, seed: int = 7) -> Summary:
    chaos = Chaos(root, seed)
    try:
        return chaos.run(seconds)
    finally:
        chaos.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the run's directory (printed)")
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fieldsync-chaos-"))
    try:
        summary = run_chaos(root, a.seconds, a.seed)
        print("\n".join(summary.lines()))
    finally:
        if a.keep:
            print(f"run directory: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    raise SystemExit(1 if summary.problems else 0)


if __name__ == "__main__":
    main()
