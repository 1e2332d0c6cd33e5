"""One table for every benchmark: each bench reports its figures here as rows, and
`make bench` (this file run as a script) runs every bench and writes `bench/RESULTS.md`.

A row is one figure beside a raw baseline measured in the same run, and their ratio
(figure / baseline unless the bench says otherwise: under 1 it reads as a percentage,
from 1 up as a factor). A new bench joins in three steps:

    from bench._report import Report, quick_flag

    ap = argparse.ArgumentParser()
    quick_flag(ap)                      # --quick (or FIELDSYNC_BENCH_QUICK=1): CI-sized run
    args = ap.parse_args()
    report = Report("node_lists", quick=args.quick)   # name: the file's stem
    report.row("orders: today", 4.1, "ms", "the same SQL on a plain sqlite3 connection", 1.2)
    report.note("10,000 orders, 5,000 articles; medians of 15 runs")
    report.aim("lists and search under 50 ms", met=True)
    report.save()     # prints the bench's table; under `make bench` also hands it over

Any `bench/*.py` whose name does not start with `_` is run by `make bench` with no
arguments (and FIELDSYNC_BENCH_QUICK=1 with `make bench QUICK=1`), one at a time, each in
its own process; a bench that exits non-zero is listed as failed under the table. Benches never
run in the test suite.

    .venv/bin/python bench/_report.py [--quick] [--only NAME …] [--out FILE] [--dir DIR]
"""
import argparse
import datetime
import json
import os
import platform
import resource
import sqlite3
import statistics
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_ENV = "FIELDSYNC_BENCH_OUT"      # the collector's folder for the benches' rows
QUICK_ENV = "FIELDSYNC_BENCH_QUICK"  # "1": every bench takes its --quick sizes


def median_seconds(fn, runs: int) -> float:
    """The median wall time of `runs` calls of fn: one slow run on a noisy machine moves nothing."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def insert(c, table: str, cols: tuple, rows: list) -> None:
    """Bulk rows straight into a table (the benches' fixtures skip the services on purpose)."""
    c.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


def quick_flag(ap: argparse.ArgumentParser) -> None:
    """Add --quick; the environment variable turns it on too (for CI)."""
    ap.add_argument("--quick", action="store_true", default=os.environ.get(QUICK_ENV) == "1",
                    help=f"a short, CI-sized run (also {QUICK_ENV}=1)")


def number(x: float) -> str:
    """Figures to three significant digits at most, thousands separated."""
    x = float(x)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def ratio_text(r: float | None) -> str:
    if r is None:
        return "—"
    return f"{r:.1%}" if r < 1 else f"{r:.1f}×"


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    baseline_unit: str = ""
    ratio: float | None = None

    def cells(self) -> list[str]:
        return [self.figure, f"{number(self.value)} {self.unit}",
                f"{self.baseline}: {number(self.baseline_value)} {self.baseline_unit or self.unit}",
                ratio_text(self.ratio)]


@dataclass
class Report:
    """The rows of one bench run."""
    bench: str
    quick: bool = False
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    aims: list[tuple[str, bool]] = field(default_factory=list)

    def row(self, figure: str, value: float, unit: str, baseline: str, baseline_value: float, *,
            baseline_unit: str = "", ratio: float | None = None) -> Row:
        """One figure and its baseline; ratio defaults to value / baseline_value."""
        if ratio is None and baseline_value:
            ratio = value / baseline_value
        r = Row(figure, value, unit, baseline, baseline_value, baseline_unit, ratio)
        self.rows.append(r)
        return r

    def note(self, text: str) -> None:
        """A line under the table: sizes, what the figures include, caveats."""
        self.notes.append(text)

    def aim(self, text: str, met: bool) -> None:
        """A target from the issues, and whether this run meets it."""
        self.aims.append((text, bool(met)))

    def table(self) -> str:
        return markdown_table([(self.bench, r) for r in self.rows])

    def save(self) -> None:
        """Print the table; under the collector, also write the rows where it looks."""
        print()
        print(self.table())
        for text in self.notes:
            print(f"- {text}")
        for text, met in self.aims:
            print(f"- aim: {text} — {'meets' if met else 'misses'} it")
        out = os.environ.get(OUT_ENV)
        if out:
            data = {"bench": self.bench, "quick": self.quick, "rows": [asdict(r) for r in self.rows],
                    "notes": self.notes, "aims": self.aims}
            Path(out, f"{self.bench}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))


def markdown_table(rows: list[tuple[str, Row]]) -> str:
    lines = ["| bench | figure | value | baseline (same run) | ratio |", "|---|---|---|---|---|"]
    for bench, r in rows:
        cells = [bench, *(c.replace("|", "\\|") for c in r.cells())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---- the collector (`make bench`) ----

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    return {"cpu": cpu, "cores": usable, "python": f"{platform.python_version()} "
            f"({platform.python_implementation()})", "sqlite": sqlite3.sqlite_version,
            "os": f"{platform.system()} {platform.release()} {platform.machine()}",
            "load": load, "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def machine_line() -> str:
    """The machine in one line, for a bench's own output."""
    m = machine()
    return (f"{m['cpu']}, {m['cores']} cores; Python {m['python']}; SQLite {m['sqlite']}; "
            f"load {m['load']}")


def benches(folder: Path = BENCH_DIR, only: list[str] | None = None) -> list[Path]:
    found = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    return [p for p in found if not only or p.stem in only]


def children_cpu() -> float:
    """CPU seconds of finished child processes (and the children they waited for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load1() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


def run_all(paths: list[Path], quick: bool) -> tuple[list[dict], list[str], dict[str, str]]:
    """Run each bench in its own process (its output shown as it goes), collect its rows."""
    results, failed, seconds = [], [], {}
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-rows-") as tmp:
        env = {**os.environ, OUT_ENV: tmp, QUICK_ENV: "1" if quick else "0", "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        for path in paths:
            print(f"== {path}{' (quick)' if quick else ''}", flush=True)
            t0, cpu0, load0 = time.monotonic(), children_cpu(), load1()
            bench = subprocess.Popen([sys.executable, str(path)], cwd=ROOT, env=env)
            try:
                rc = bench.wait()
            finally:  # interrupted: the bench stops its own hub on SIGTERM (fieldsync.testing.processes)
                if bench.poll() is None:
                    bench.terminate()
                    bench.wait()
            wall = time.monotonic() - t0
            seconds[path.stem] = (f"{wall:.0f} s, {(children_cpu() - cpu0) / wall:.0%} of a core "
                                  f"(load {load0} → {load1()})")
            rows = Path(tmp, f"{path.stem}.json")
            if rc != 0 or not rows.exists():
                failed.append(f"{path.stem} (exit {rc})" if rc else f"{path.stem} (reported no rows)")
            if rows.exists():
                results.append(json.loads(rows.read_text()))
    return results, failed, seconds


def results_markdown(results: list[dict], failed: list[str], seconds: dict, m: dict, quick: bool) -> str:
    rows = [(res["bench"], Row(**r)) for res in results for r in res["rows"]]
    out = ["# Benchmark results", "",
           f"Written by `make bench`{' QUICK=1' if quick else ''} on {m['date']}. Every figure sits beside "
           "a raw baseline measured in the same run; ratio = figure / baseline.", "",
           f"- machine: {m['cpu']}, {m['cores']} cores; {m['os']}",
           f"- Python {m['python']}, SQLite {m['sqlite']}",
           f"- load average when the run started (1 / 5 / 15 min): {m['load']}",
           "- each bench's wall time, the CPU it got (all its processes) and the 1-minute load "
           "before → after: " + "; ".join(f"{k} {v}" for k, v in seconds.items()),
           "- on a shared or loaded machine the figures drop and wobble; the ratios, taken in the "
           "same run, move less", "",
           markdown_table(rows), ""]
    for res in results:
        lines = res["notes"] + [f"aim: {t} — {'meets' if met else 'misses'} it" for t, met in res["aims"]]
        if lines:
            out += [f"**{res['bench']}**{' (quick)' if res.get('quick') else ''}", ""]
            out += [f"- {line}" for line in lines] + [""]
    if failed:
        out += ["**failed:** " + ", ".join(failed), ""]
    return "\n".join(out)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))  # unwind through `finally`
    ap = argparse.ArgumentParser(description="Run every bench in bench/ and write one Markdown table.")
    quick_flag(ap)
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these benches (file stems)")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "RESULTS.md")
    ap.add_argument("--dir", type=Path, default=BENCH_DIR, help="where the benches are (tests use another)")
    args = ap.parse_args()
    paths = benches(args.dir, args.only)
    if not paths:
        print("bench: no bench/*.py to run")
        return 1
    m = machine()
    results, failed, seconds = run_all(paths, args.quick)
    text = results_markdown(results, failed, seconds, m, args.quick)
    args.out.write_text(text)
    print()
    print(text)
    print(f"(written to {args.out})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
