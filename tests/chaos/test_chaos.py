"""The chaos run in the test suite: a short run by default (about a minute of faults, a
few minutes in all); `FIELDSYNC_CHAOS_SECONDS=3600` runs the long mode. The summary is
printed (pytest -s shows it) and every invariant of tests/chaos/checks.py must hold."""
import os

from tests.chaos.run import run_chaos

SHORT_S = 60


def test_chaos_run_keeps_every_acknowledged_change_and_converges(tmp_path):
    seconds = float(os.environ.get("FIELDSYNC_CHAOS_SECONDS") or SHORT_S)
    seed = int(os.environ.get("FIELDSYNC_CHAOS_SEED") or 7)
    summary = run_chaos(tmp_path, seconds, seed)
    print("\n" + "\n".join(summary.lines()))
    assert sum(summary.faults.values()) > 0 and sum(summary.actions.values()) > 0
    assert summary.hub_restores >= 1   # HQ restored from an old backup at least once
    assert summary.problems == []
