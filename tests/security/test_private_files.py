"""Everything under a hub's or a node's directory is its owner's alone (issue #17 item 2): a
thief with another account on the outlet PC, or a backup tool running as someone else, reads
nothing — no store, no -wal/-shm, no key, no TLS file, no photo. Made in-process and by the
CLI, under the usual umask 0022, after writes, a checkpoint and a blob upload."""
import os
import stat
import subprocess

import pytest

from fieldsync.testing.processes import FIELDSYNC, free_port, run
from fieldsync.testing.world import uid
from hub.admin import administering, init_hub
from hub.blobs import BlobStore
from hub.home import HubHome
from hub.wait import wait_until_serving
from node.home import NodeHome
from node.sync_service import SyncService
from sync.http_client import HttpTransport


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most machines start processes with: files 0644, directories 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def readable_by_others(root) -> list[str]:
    """Every path under root (root included) with a group or other permission bit."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def checkpoint(db) -> None:
    import sqlite3
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


def test_a_hub_made_in_process_keeps_its_files_private(tmp_path):
    home = HubHome(tmp_path / "hub")
    init_hub(home)
    hub = home.open()
    add_outlet(home, "SH01", "上海徐汇网点")
    checkpoint(home.db)
    add_outlet(home, "SH02", "上海浦东网点")  # the WAL written again after the checkpoint
    photo = b"\x89PNG photo" * 100
    BlobStore(home.blobs).put(__import__("hashlib").sha256(photo).hexdigest(), photo)
    assert (home.dir / "hub.db-wal").exists() and list(home.blobs.rglob("*"))
    assert readable_by_others(home.dir) == []
    hub.close()


def test_a_hub_and_a_node_made_by_the_cli_keep_their_files_private(tmp_path):
    hub_dir, node = tmp_path / "hub", NodeHome(tmp_path / "node")
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    run("hub", "init", "--dir", hub_dir)
    run("hub", "outlet-add", "--dir", hub_dir, "--code", "SH01", "--name", "上海徐汇网点")
    code = run("hub", "enroll-code", "--dir", hub_dir, "--outlet", "SH01", "--url", url, "--no-qr").stdout.split()[0]
    proc = subprocess.Popen([FIELDSYNC, "hub", "serve", "--dir", str(hub_dir), "--port", str(port), "--no-ui"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(url, proc, timeout=30, step=0.1)
        run("node", "enroll", code, "--dir", node.dir)
        settings = node.settings()
        store = node.open_store()  # the node app's own writes, in this process
        store.write("clerk", [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": settings["outlet_id"], "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        transport = HttpTransport(url, settings["node_id"], node.signing_key(), node.cert_pem())
        SyncService(store, transport, transport.key, blobs_dir=node.blobs).queue_attachment(b"signature" * 50)
        transport.close()
        store.close()
        run("node", "sync", "--dir", node.dir)  # pushes the change and uploads the blob
        checkpoint(hub_dir / "hub.db")
        run("node", "sync", "--dir", node.dir)
        assert list((hub_dir / "blobs").rglob("*")) and list(node.blobs.rglob("*"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (hub_dir / "tls" / "key.pem").exists() and (node.dir / "node.json").exists()
    assert readable_by_others(hub_dir) == []
    assert readable_by_others(node.dir) == []


def add_outlet(home: HubHome, code: str, name: str) -> None:
    with administering(home, "test") as (adm, me):
        adm.network.save_outlet(me, code=code, name=name)
