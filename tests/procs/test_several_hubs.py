"""Two `fieldsync hub serve` processes on one PostgreSQL database: HQ's scheduled jobs run in
exactly one of them (hub/leadership.py), every process says which one in /readyz, and when
the leader is killed (kill -9) the other takes the jobs over within a minute and runs the
start-up job at once; a leader stopped gracefully hands over as well. An enrollment made
through one process and a revocation made beside them are seen by both at once (nothing
about nodes is cached in a process: each request reads the database)."""
import json
import re

import httpx

from fieldsync.testing.processes import HubProcess, NodeDir, free_port, run
from fieldsync.testing.waiting import wait_until
from shared.messages import describe


class MeteredHub(HubProcess):
    """A hub process that also serves its metrics (which jobs it ran) on a port of its own."""

    def __init__(self, root, **kwargs):
        super().__init__(root, **kwargs)
        self.metrics_port = free_port()

    def command(self) -> list[str]:
        return [*super().command(), "--metrics-port", str(self.metrics_port)]

    def leader(self) -> str:
        ready = httpx.get(f"{self.url}/readyz", verify=False, timeout=10)
        assert ready.status_code == 200, ready.text  # a standby is ready too (it serves the APIs)
        checks = ready.json()["checks"]
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


def test_an_enrollment_and_a_revocation_are_seen_by_every_hub_process_at_once(postgres, tmp_path):
    url = postgres.create_database()
    first = MeteredHub(tmp_path, database=url)
    second = MeteredHub(tmp_path, init=False)
    first.add_outlet("SH01", "上海徐汇网点")
    node = NodeDir(tmp_path, "a")

    def through(hub: HubProcess) -> None:
        """The node's next requests go to `hub` (what a balancer decides for it)."""
        settings = node.home.settings()
        node.home.save_settings({**settings, "url": hub.url})
    try:
        first.start()
        second.start()
        node.enroll(first.code("SH01"))  # enrolled through the first process
        through(second)
        node.sync()  # the second knows the node at once
        through(first)
        node.sync()
        node_id = json.loads(node.home.config.read_text())["node_id"]
        run("hub", "revoke", node_id, "--dir", first.home.dir)  # beside both processes
        for hub in (first, second):
            through(hub)
            refused = node.sync(check=False)
            told = json.loads(refused.stdout.strip().splitlines()[-1])
            assert refused.returncode != 0 and told["ok"] is False and told["error"] == describe("revoked")
    finally:
        first.kill()
        second.kill()
