"""Two `fieldsync hub serve` processes on one PostgreSQL database: HQ's scheduled jobs run in
exactly one of them (hub/leadership.py), every process says which one in /readyz, and when
the leader is killed (kill -9) the other takes the jobs over within a minute and runs the
start-up job at once; a leader stopped gracefully hands over as well."""
import re

import httpx

from fieldsync.testing.processes import HubProcess, free_port
from fieldsync.testing.waiting import wait_until


class MeteredHub(HubProcess):
    """A hub process that also serves its metrics (which jobs it ran) on a port of its own."""

    def __init__(self, root, **kwargs):
        super().__init__(root, **kwargs)
        self.metrics_port = free_port()

    def command(self) -> list[str]:
        return [*super().command(), "--metrics-port", str(self.metrics_port)]

    def leader(self) -> str:
        checks = httpx.get(f"{self.url}/readyz", verify=False, timeout=10).json()["checks"]
        return next(c["detail"] for c in checks if c["name"] == "jobs")

    def runs(self, job: str, outcome: str = "ok") -> float:
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10).text
        found = re.search(rf'fieldsync_hub_job_runs_total{{job="{job}",outcome="{outcome}"}} ([0-9.e+]+)', text)
        return float(found.group(1)) if found else 0.0


def test_the_jobs_run_in_one_hub_process_and_move_when_it_dies(postgres, tmp_path):
    url = postgres.create_database()
    first = MeteredHub(tmp_path, database=url)
    second = MeteredHub(tmp_path, init=False)  # the same directory (tmp_path/hub), another port
    try:
        first.start()
        second.start()
        assert first.leader() == "leader: this process"
        assert second.leader() == f"leader: fieldsync-hub {_host()} pid {first.proc.pid}"
        assert wait_until(lambda: first.runs("sync_silence") >= 1, timeout=30)  # the start-up job, once
        assert second.runs("sync_silence") == 0

        first.kill()  # kill -9: its session ends, and the jobs' lock with it
        assert wait_until(lambda: second.leader() == "leader: this process", timeout=60)
        assert wait_until(lambda: second.runs("sync_silence") >= 1, timeout=30)  # taken over, run at once

        first.start()  # back: it stands by
        assert first.leader() == f"leader: fieldsync-hub {_host()} pid {second.proc.pid}"
        second.kill(sig=15)  # a graceful stop hands the jobs over as well
        assert wait_until(lambda: first.leader() == "leader: this process", timeout=60)
    finally:
        first.kill()
        second.kill()


def _host() -> str:
    import socket
    return socket.gethostname()
