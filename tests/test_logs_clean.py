"""The logs of a real demo run (`fieldsync demo`: a hub and two outlet nodes as processes,
demo data with thousands of customers' phone numbers) are JSON lines that carry the
balancer's request id and the node ids, and never a person's phone, a password, a PIN,
an enrollment token or code, an admin's credentials, a request signature or a key —
while the run enrolls a third node, syncs, and is asked with right and wrong passwords."""
import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fieldsync.demo.data import DEMO_PASSWORD, DEMO_PIN
from fieldsync.testing.processes import free_port, run
from sync.enrollment import decode_code

WRONG_PASSWORD = "Wrong-Pass-9876"


def wait_for(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def test_a_demo_runs_logs_hold_no_personal_data_or_secrets(tmp_path):
    hub_port, node_port = free_port(), free_port()
    root = tmp_path / "d"
    fieldsync = str(Path(sys.executable).parent / "fieldsync")
    out = tmp_path / "demo.out"
    with open(out, "wb") as sink:
        demo = subprocess.Popen([fieldsync, "demo", "--dir", str(root), "--hub-port", str(hub_port),
                                 "--node-port", str(node_port)], stdout=sink, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{hub_port}"
    logs = root / "logs"
    try:
        wait_for(lambda: demo.poll() is None and "Ctrl-C stops" in out.read_text(), "the demo to run", 180)
        # a third node enrolls with a fresh code (its token goes through the hub's /enroll)
        code = run("hub", "enroll-code", "--dir", root / "hub", "--outlet", "GZ01", "--url", url,
                   "--no-qr").stdout.strip()
        token = decode_code(code)["token"]
        third = tmp_path / "third"
        run("node", "enroll", code, "--dir", third, "--name", "广州前台")
        run("node", "sync", "--dir", third)
        with httpx.Client(base_url=url, verify=False) as client:
            assert client.get("/healthz", headers={"X-Request-ID": "lb-demo-0001"}).status_code == 200
            good = {"Authorization": "Basic " + base64.b64encode(f"admin:{DEMO_PASSWORD}".encode()).decode(),
                    "X-Request-ID": "lb-demo-0002"}
            assert client.get("/api/v1/admin/nodes", headers=good).status_code == 200
            bad = {"Authorization": "Basic " + base64.b64encode(f"admin:{WRONG_PASSWORD}".encode()).decode()}
            assert client.get("/api/v1/admin/nodes", headers=bad).status_code == 401
            assert client.get("/api/v1/sync/hello").status_code == 401
        wait_for(lambda: all(any(x.get("msg") == "sync round" for x in json_lines(logs / f"node-{c}.log"))
                             for c in ("SH01", "BJ01")), "a sync round of each node")
    finally:
        if demo.poll() is None:
            os.kill(demo.pid, signal.SIGTERM)
        demo.wait(timeout=90)
    assert demo.returncode == 0, out.read_text()

    hub_log, node_logs = logs / "hub.log", [logs / "node-SH01.log", logs / "node-BJ01.log"]
    requests = [x for x in json_lines(hub_log) if x.get("msg") == "request"]
    assert {"lb-demo-0002"} <= {x["request_id"] for x in requests}  # the balancer's id, carried
    admin = next(x for x in requests if x["request_id"] == "lb-demo-0002")
    assert (admin["endpoint"], admin["status"], admin["app"]) == ("/api/v1/admin/nodes", 200, "hub")
    nodes_seen = {x.get("node_id") for x in requests if x["endpoint"] == "/api/v1/sync/hello"}
    for path in node_logs:
        rounds = [x for x in json_lines(path) if x.get("msg") == "sync round"]
        assert rounds and all(x["app"] == "node" and x["node_id"] in nodes_seen for x in rounds)

    conn = sqlite3.connect(f"file:{root / 'hub' / 'hub.db'}?mode=ro", uri=True)
    try:
        phones = {p for (p,) in conn.execute("SELECT phone FROM customers WHERE phone IS NOT NULL")}
    finally:
        conn.close()
    assert len(phones) > 100
    keys = [(root / "nodes" / c / "node.key").read_text().strip() for c in ("SH01", "BJ01")]
    secrets = [DEMO_PASSWORD, WRONG_PASSWORD, token, code, good["Authorization"].split()[1],
               bad["Authorization"].split()[1], *keys]
    for path in [hub_log, *node_logs]:
        text = path.read_text(encoding="utf-8")
        assert [s for s in secrets if s in text] == [], path.name
        assert [p for p in phones if p in text] == [], path.name
        assert not re.search(rf"(?<![0-9A-Za-z]){DEMO_PIN}(?![0-9A-Za-z])", text), path.name
        assert "sig1=" not in text and "password_hash" not in text and "scrypt" not in text, path.name
        # no mobile number of anyone at all (standing alone: not digits inside a hex id or a time)
        assert not re.search(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])", text), path.name
