"""Two hub processes on one PostgreSQL database behind Debian's HAProxy with the shipped
configuration as it is (deploy/haproxy.cfg): a node enrolled through the balancer syncs
through it (TLS ends at the balancer with the hub's own, pinned certificate); the sync API
is answered by both processes; HQ's web UI sticks to one process by its cookie; a process
killed (kill -9), the node's work still arrives through the other."""
import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx

from fieldsync.testing.processes import HubProcess, NodeDir, free_port, started
from fieldsync.testing.waiting import wait_until
from fieldsync.testing.world import uid
from hub.admin import administering

CONFIG = Path(__file__).parents[2] / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


class Balancer:
    def __init__(self, root: Path, hubs: list[HubProcess]):
        pem = root / "hub.pem"
        tls = hubs[0].home
        pem.write_bytes(tls.cert.read_bytes() + tls.tls_key.read_bytes())
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        env = {**os.environ, "HUB_PEM": str(pem), "LB_BIND": f"127.0.0.1:{self.port}",
               "HUB_1": f"127.0.0.1:{hubs[0].port}", "HUB_2": f"127.0.0.1:{hubs[1].port}",
               "HAPROXY_PID": str(root / "haproxy.pid")}
        self.proc = started(subprocess.Popen([HAPROXY, "-db", "-f", str(CONFIG)], env=env,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        assert wait_until(self._listening, timeout=20), "haproxy did not start"

    def _listening(self) -> bool:
        assert self.proc.poll() is None, "haproxy exited"
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def answered_by(self, path: str, client: httpx.Client | None = None) -> str:
        r = client.get(f"{self.url}{path}", timeout=10) if client else \
            httpx.get(f"{self.url}{path}", verify=False, timeout=10)
        assert r.status_code == 200, (path, r.status_code, r.headers, r.text[:300])
        return r.headers["x-fieldsync-hub"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def test_two_hub_processes_behind_haproxy_serve_nodes_and_hq(postgres, tmp_path):
    url = postgres.create_database()
    first = HubProcess(tmp_path, database=url)
    second = HubProcess(tmp_path, init=False)  # the same directory, another port
    outlet = first.add_outlet("SH01", "上海徐汇网点")
    store = first.store()
    clerk = "clerk-SH01"
    store.write([{"op": "put", "table": "users", "id": clerk, "fields": {
        "username": clerk, "role": "clerk", "outlet_id": outlet, "active": True}}])
    store.close()
    lb = None
    try:
        first.start()
        second.start()
        lb = Balancer(tmp_path, [first, second])
        assert wait_until(lambda: {lb.answered_by("/readyz") for _ in range(4)} == {"hub1", "hub2"}, timeout=30)

        with administering(first.home, "test") as (adm, me):
            code = adm.nodes.enroll_code(me, url=lb.url, outlet_code="SH01").code
        node = NodeDir(tmp_path, "a")
        node.enroll(code)  # through the balancer, the hub's certificate pinned
        s = node.store()
        s.write(clerk, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": outlet, "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        s.close()
        for _ in range(3):
            node.sync()

        with httpx.Client(verify=False) as browser:  # HQ's web UI: one process per session
            served = {lb.answered_by("/hq/", browser) for _ in range(5)}
            assert len(served) == 1 and browser.cookies.get("fieldsync_hq") in {"hub1", "hub2"}

        second.kill()  # kill -9
        s = node.store()
        s.write(clerk, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": outlet, "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        s.close()
        node.sync()  # answered by the process left (a request to the dead one is sent again)
        held = first.store()
        try:
            assert held.conn.execute("SELECT COUNT(*) FROM stock_moves").fetchone()[0] == 2
            assert held.conn.execute("SELECT COUNT(*) FROM node_changes").fetchone()[0] == 2
        finally:
            held.close()
    finally:
        if lb is not None:
            lb.stop()
        first.kill()
        second.kill()
