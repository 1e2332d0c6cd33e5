"""What only real processes show: a hub over HTTPS and nodes driven by the CLI. Offline
edits converge; kill -9 of a node or of the hub mid-push loses nothing and applies
nothing twice; a node keeps working while HQ is down and catches up; refused
enrollments and revoked nodes say why."""
import json
import os
import signal
import subprocess
import time

import pytest

from shared.stock import on_hand
from sync.enrollment import decode_code, encode_code
from fieldsync.testing.world import uid
from fieldsync.testing.processes import FIELDSYNC, HubProcess, NodeDir, run
from fieldsync.testing.waiting import wait_until


def add_users(hub_proc: HubProcess, outlet_code: str) -> dict:
    oid = hub_proc.outlets[outlet_code]
    users = {role: f"{role}-{outlet_code}" for role in ("technician", "clerk")}
    hub = hub_proc.store()
    hub.write([{"op": "put", "table": "users", "id": u, "fields": {
        "username": u, "role": role, "outlet_id": oid, "active": True}} for role, u in users.items()])
    hub.close()
    return users


@pytest.fixture
def cluster(tmp_path):
    hub = HubProcess(tmp_path)
    hub.add_outlet("SH01", "上海徐汇网点")
    hub.add_outlet("SH02", "上海浦东网点")
    hub.users = {code: add_users(hub, code) for code in ("SH01", "SH02")}
    hub.start()
    yield hub
    hub.kill()


def hub_rows(hub_proc, sql, params=()):
    hub = hub_proc.store()
    try:
        return hub.conn.execute(sql, params).fetchall()
    finally:
        hub.close()


def receipts(node: NodeDir, clerk: str, outlet_id: str, n: int) -> None:
    store = node.store()
    for _ in range(n):
        store.write(clerk, [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": outlet_id, "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
    store.close()


def test_three_nodes_at_two_outlets_converge_over_https(cluster, tmp_path):
    hub = cluster
    n1, n2, n3 = NodeDir(tmp_path, "n1"), NodeDir(tmp_path, "n2"), NodeDir(tmp_path, "n3")
    n1.enroll(hub.code("SH01"))
    n2.enroll(hub.code("SH01"))
    n3.enroll(hub.code("SH02"))
    store = hub.store()
    order = uid()
    store.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
        "number": "HQ-0000001", "outlet_id": hub.outlets["SH01"], "type": "repair", "status": "new"}}])
    store.close()
    for n in (n1, n2, n3):
        n.sync()
    # offline edits on every node
    s1 = n1.store()
    s1.write(hub.users["SH01"]["technician"], [{"op": "add", "table": "order_events", "id": uid(),
                                                "fields": {"order_id": order, "to_status": "accepted", "at": 1}}])
    s1.close()
    s2 = n2.store()
    s2.write(hub.users["SH01"]["clerk"], [{"op": "put", "table": "service_orders", "id": order,
                                           "fields": {"notes": "客户要求周末上门"}}])
    s2.close()
    receipts(n3, hub.users["SH02"]["clerk"], hub.outlets["SH02"], 5)
    for _ in range(2):
        for n in (n1, n2, n3):
            n.sync()
    for n in (n1, n2):
        s = n.store()
        row = s.conn.execute("SELECT status, notes FROM service_orders WHERE id = ?", (order,)).fetchone()
        s.close()
        assert tuple(row) == ("accepted", "客户要求周末上门")
    s3 = n3.store()
    assert s3.conn.execute("SELECT COUNT(*) FROM service_orders").fetchone()[0] == 0  # other outlet's order
    assert on_hand(s3, "P-1") == 5
    s3.close()
    assert hub_rows(hub, "SELECT SUM(qty) FROM stock_moves WHERE outlet_id = ?", (hub.outlets["SH02"],))[0][0] == 5


def _push_and_kill(hub, node, kill):
    """Start a sync of 10,000 changes, kill -9 someone once the hub has taken part of it."""
    node_id = json.loads(node.home.config.read_text())["node_id"]
    proc = subprocess.Popen([FIELDSYNC, "node", "sync", "--dir", str(node.home.dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def held() -> int:
        return hub_rows(hub, "SELECT seq FROM nodes WHERE node_id = ?", (node_id,))[0][0]

    assert wait_until(lambda: held() > 0 or proc.poll() is not None, step=0.02)
    kill(proc)
    proc.wait(timeout=30)
    return node_id, held()


def _assert_exactly_once(hub, node, node_id, n):
    hub_count = hub_rows(hub, "SELECT COUNT(*), SUM(qty) FROM stock_moves WHERE _src = ?", (node_id,))[0]
    assert tuple(hub_count) == (n, n)
    assert hub_rows(hub, "SELECT COUNT(*), MAX(seq) FROM node_changes WHERE origin = ?", (node_id,))[0] == (n, n)
    s = node.store()
    assert on_hand(s, "P-1") == n and s.pending_count() == 0
    s.close()


def test_kill_9_a_node_during_a_push_of_10000_changes(cluster, tmp_path):
    hub = cluster
    node = NodeDir(tmp_path, "n1")
    node.enroll(hub.code("SH01"))
    receipts(node, hub.users["SH01"]["clerk"], hub.outlets["SH01"], 10_000)
    node_id, held = _push_and_kill(hub, node, lambda p: os.kill(p.pid, signal.SIGKILL))
    assert 0 < held < 10_000, "the kill should land mid-push"
    node.sync()
    _assert_exactly_once(hub, node, node_id, 10_000)


def test_kill_9_the_hub_during_ingest(cluster, tmp_path):
    hub = cluster
    node = NodeDir(tmp_path, "n1")
    node.enroll(hub.code("SH01"))
    receipts(node, hub.users["SH01"]["clerk"], hub.outlets["SH01"], 10_000)
    node_id, held = _push_and_kill(hub, node, lambda p: hub.kill())
    assert held < 10_000
    failed = node.sync(check=False)
    assert failed.returncode != 0 and "无法连接总部" in failed.stdout + failed.stderr
    hub.start()
    node.sync()
    _assert_exactly_once(hub, node, node_id, 10_000)


def test_node_keeps_working_while_hq_is_down_and_catches_up(cluster, tmp_path):
    hub = cluster
    node = NodeDir(tmp_path, "n1")
    node.enroll(hub.code("SH01"))
    node_id = json.loads(node.home.config.read_text())["node_id"]
    hub.kill()
    serve = subprocess.Popen([FIELDSYNC, "node", "serve", "--dir", str(node.home.dir), "--interval", "0.3",
                              "--max-backoff", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        receipts(node, hub.users["SH01"]["clerk"], hub.outlets["SH01"], 20)  # offline work
        time.sleep(4)
        hub.start()
        assert wait_until(lambda: hub_rows(hub, "SELECT seq FROM nodes WHERE node_id = ?", (node_id,))[0][0] == 20,
                          timeout=30, step=0.2)
    finally:
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=30)
    rounds = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    failures = [r for r in rounds if r["error"]]
    assert failures and "无法连接总部" in failures[0]["error"]
    # backoff: with a 0.3 s interval, 4 s offline would be ~13 rounds without it
    assert len(failures) <= 8
    assert rounds[-1]["error"] is None and rounds[-1]["pending"] == 0


def test_refused_enrollments_and_revoked_nodes_say_why(cluster, tmp_path):
    hub = cluster
    good = hub.code("SH01")
    info = decode_code(good)
    wrong_pin = encode_code(info["url"], info["hub_id"], "0" * 64, info["token"])
    p = run("node", "enroll", wrong_pin, "--dir", tmp_path / "x1", check=False)
    assert p.returncode != 0 and "证书" in p.stderr
    assert not (tmp_path / "x1" / "node.key").exists()
    node = NodeDir(tmp_path, "n1")
    node.enroll(good)
    p = run("node", "enroll", good, "--dir", tmp_path / "x2", check=False)  # used token
    assert p.returncode != 0 and "注册码无效" in p.stderr
    store = hub.store()
    expired = encode_code(info["url"], info["hub_id"], info["cert_sha256"],
                          store.create_enroll_token(hub.outlets["SH01"], ttl_ms=-1000))
    store.close()
    p = run("node", "enroll", expired, "--dir", tmp_path / "x3", check=False)
    assert p.returncode != 0 and "bad_token" in p.stderr
    node_id = json.loads(node.home.config.read_text())["node_id"]
    run("hub", "revoke", node_id, "--dir", hub.home.dir)
    p = node.sync(check=False)
    assert p.returncode != 0 and "停用" in p.stdout


def test_key_rotation_over_https_survives_a_crash_mid_way(cluster, tmp_path):
    from node.rotate import pending_key_path
    from sync.keys import SigningKey
    hub = cluster
    node = NodeDir(tmp_path, "n1")
    node.enroll(hub.code("SH01"))
    before = node.home.key.read_bytes()
    run("node", "rotate-key", "--dir", node.home.dir)
    assert node.home.key.read_bytes() != before and not pending_key_path(node.home).exists()
    node.sync()
    # crash simulation: HQ took a new key, the node died before replacing its key file
    node_id = json.loads(node.home.config.read_text())["node_id"]
    new = SigningKey.generate()
    new.save(pending_key_path(node.home))
    store = hub.store()
    with store.tx() as c:
        c.execute("UPDATE nodes SET public_key = ? WHERE node_id = ?", (new.public_b64, node_id))
    store.close()
    node.sync()  # settles on the key HQ accepts
    assert SigningKey.load(node.home.key).public_b64 == new.public_b64
    assert not pending_key_path(node.home).exists()
