"""`make bench`'s collector: every bench's rows end up in one Markdown table with the
machine it ran on, and a bench that fails is named under it. (The benches themselves
never run in the test suite; two tiny stand-ins do.)"""
import subprocess
import sys
from pathlib import Path

COLLECTOR = Path(__file__).resolve().parent.parent / "bench" / "_report.py"

GOOD = '''
import argparse
from bench._report import Report, quick_flag
ap = argparse.ArgumentParser(); quick_flag(ap); args = ap.parse_args()
r = Report("alpha", quick=args.quick)
r.row("orders: today", 4.25, "ms", "plain SELECT", 1.7)
r.row("ingest", 2500, "changes/s", "raw executemany", 10000)
r.note("quick" if args.quick else "full")
r.aim("under 50 ms", met=True)
r.save()
'''
BAD = "raise SystemExit(3)\n"


def test_the_collector_writes_one_table_and_names_failures(tmp_path):
    (tmp_path / "alpha.py").write_text(GOOD)
    (tmp_path / "beta.py").write_text(BAD)
    (tmp_path / "_helper.py").write_text(BAD)  # helpers are not benches
    out = tmp_path / "RESULTS.md"
    p = subprocess.run([sys.executable, str(COLLECTOR), "--dir", str(tmp_path), "--out", str(out), "--quick"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    text = out.read_text()
    assert text in p.stdout
    assert "| bench | figure | value | baseline (same run) | ratio |" in text
    assert "| alpha | orders: today | 4.25 ms | plain SELECT: 1.70 ms | 2.5× |" in text
    assert "| alpha | ingest | 2,500 changes/s | raw executemany: 10,000 changes/s | 25.0% |" in text
    assert "cores" in text and "Python" in text and "UTC" in text
    assert "- quick" in text and "aim: under 50 ms — meets it" in text
    assert "**failed:** beta (exit 3)" in text and "_helper" not in text
