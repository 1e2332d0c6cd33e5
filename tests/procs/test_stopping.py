"""Stopping real processes as an init system would: SIGTERM or SIGINT to `fieldsync hub
serve` in the middle of a large push, and to `fieldsync node serve` in the middle of a sync
round against a hub that stopped answering (SIGSTOP). Each must exit 0 within its bound,
say so in its log, leave no process behind and free its port; after a restart and a sync
the node's changes are at the hub exactly once."""
import json
import os
import signal
import socket
import subprocess

import psutil
import pytest

from fieldsync.testing.processes import FIELDSYNC, HubProcess, NodeDir, free_port
from tests.procs.test_https_processes import _assert_exactly_once, add_users, hub_rows, receipts, wait_until

BOUND_S = 20  # generous over the commands' own bounds (hub 5 + 5 s, node 3 + 5 s): a loaded machine


@pytest.fixture
def hub(tmp_path):
    hub = HubProcess(tmp_path)
    hub.add_outlet("SH01", "上海徐汇网点")
    hub.users = {"SH01": add_users(hub, "SH01")}
    hub.start()
    yield hub
    hub.kill()


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def stop(proc: subprocess.Popen, sig) -> str:
    """Signal, wait within the bound, and return what it printed."""
    family = [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=BOUND_S)
    assert proc.returncode == 0, out
    assert not [pid for pid in family if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    return out if isinstance(out, str) else out.decode()


def enrolled_node(hub, tmp_path, changes: int) -> tuple[NodeDir, str]:
    node = NodeDir(tmp_path, "n1")
    node.enroll(hub.code("SH01"))
    receipts(node, hub.users["SH01"]["clerk"], hub.outlets["SH01"], changes)
    return node, json.loads(node.home.config.read_text())["node_id"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_hub_stops_in_the_middle_of_a_large_push(hub, tmp_path, sig):
    node, node_id = enrolled_node(hub, tmp_path, 10_000)

    def held() -> int:
        return hub_rows(hub, "SELECT seq FROM nodes WHERE node_id = ?", (node_id,))[0][0]
    pushing = subprocess.Popen([FIELDSYNC, "node", "sync", "--dir", str(node.home.dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_until(lambda: held() > 0 or pushing.poll() is not None)
        out = stop(hub.proc, sig)
        hub.proc = None
        assert "hub stopping … (" in out and "hub stopped in " in out
        assert port_free(hub.port)
        pushing.wait(timeout=60)
    finally:
        if pushing.poll() is None:
            pushing.kill()
            pushing.wait()
    assert held() < 10_000, "the stop should land mid-push"
    hub.start()
    node.sync()
    _assert_exactly_once(hub, node, node_id, 10_000)


def serve(node: NodeDir) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([FIELDSYNC, "node", "serve", "--dir", str(node.home.dir), "--port", str(port),
                             "--interval", "0.5", "--max-backoff", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, port


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_node_serve_stops_in_the_middle_of_a_round_against_a_stalled_hub(hub, tmp_path, sig):
    node, node_id = enrolled_node(hub, tmp_path, 3_000)
    hub.proc.send_signal(signal.SIGSTOP)  # HQ stops answering: the round waits on its request
    proc, port = serve(node)
    try:
        assert wait_until(lambda: any(c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port == hub.port
                                      for c in psutil.Process(proc.pid).net_connections()), timeout=60, step=0.2)
        out = stop(proc, sig)
    finally:
        hub.proc.send_signal(signal.SIGCONT)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "node stopping … (" in out and "node stopped in " in out, out
    assert "a sync round still waiting for HQ was left behind" in out  # the stop landed mid-round
    assert port_free(port)
    node.sync()
    node.sync()
    _assert_exactly_once(hub, node, node_id, 3_000)


def test_node_serve_stops_in_the_middle_of_an_attachment_upload(hub, tmp_path):
    """A photo queued for upload, HQ stalled while it is sent: the stop leaves it queued, and
    the next round uploads it once."""
    from hub.blobs import BlobStore
    from node.sync_service import SyncService
    node, node_id = enrolled_node(hub, tmp_path, 1)
    node.sync()
    store = node.store()
    photo = os.urandom(3 * 1024 * 1024)
    sha = SyncService(store, None, None, blobs_dir=node.home.blobs).queue_attachment(photo)
    store.close()
    proc, port = serve(node)
    try:
        # the round's hello and pushes are quick; the upload is the request left waiting
        assert wait_until(lambda: any(c.raddr and c.raddr.port == hub.port
                                      for c in psutil.Process(proc.pid).net_connections()), timeout=60, step=0.02)
        hub.proc.send_signal(signal.SIGSTOP)
        out = stop(proc, signal.SIGTERM)
    finally:
        hub.proc.send_signal(signal.SIGCONT)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "node stopped in " in out and port_free(port)
    node.sync()
    assert BlobStore(hub.home.blobs).get(sha) == photo
    store = node.store()
    assert store.blobs_to_upload() == []
    store.close()
