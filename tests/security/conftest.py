"""A real `fieldsync hub serve` process (plain HTTP, no UI) on 127.0.0.1, stopped by its PID."""
import signal
import subprocess
from dataclasses import dataclass

import pytest

from fieldsync.testing.processes import FIELDSYNC, free_port
from hub.admin import administering, init_hub
from hub.home import HubHome
from hub.wait import wait_until_serving


TECHNICIAN, PASSWORD = "zhang.tech", "Zhang-2024!"


@dataclass
class ServedHub:
    home: HubHome
    port: int
    outlet_id: str
    admin_password: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def served_hub(tmp_path):
    home = HubHome(tmp_path / "hub")
    password = init_hub(home)
    with administering(home, "test") as (adm, me):
        outlet_id = adm.network.save_outlet(me, code="SH01", name="上海徐汇网点")
    port = free_port()
    proc = subprocess.Popen([FIELDSYNC, "hub", "serve", "--dir", str(home.dir), "--port", str(port),
                             "--http", "--no-ui"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc, timeout=30, step=0.1)
        yield ServedHub(home, port, outlet_id, password)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def served_node(tmp_path_factory):
    """A hub process and an enrolled outlet node serving its web UI (`fieldsync node serve`),
    both real processes, the technician TECHNICIAN with password PASSWORD on it; yields the
    NodeServer (`.url`, `.port`)."""
    for _, server in serving_both(tmp_path_factory.mktemp("node-ui")):
        yield server


def serving_both(root, options: tuple[str, ...] = ()):
    """Yields (the HubProcess, serving HQ's UI with admin's password PASSWORD; the
    NodeServer of an outlet node enrolled to it, with TECHNICIAN), both started with
    `options` (e.g. ("--idle-minutes", "0.2")); stops both."""
    from fieldsync.testing.processes import HubProcess, NodeDir
    from shared.passwords import hash_password
    from tests.ui.cluster import NodeServer
    hub = HubProcess(root)
    hub.options = options
    outlet_id = hub.add_outlet("SH01", "上海徐汇网点")
    store = hub.store()
    store.write([{"op": "put", "table": "users", "id": "tech-1", "fields": {
        "username": TECHNICIAN, "display_name": "张师傅", "role": "technician", "outlet_id": outlet_id,
        "active": True, "password_hash": hash_password(PASSWORD)}},
        {"op": "put", "table": "users", "id": "admin", "fields": {"password_hash": hash_password(PASSWORD)}}])
    store.close()
    hub.start()
    server = None
    try:
        node = NodeDir(root, "outlet-node")
        node.enroll(hub.code("SH01"))
        server = NodeServer(node, options=options)
        yield hub, server
    finally:
        if server is not None:
            server.stop()
        hub.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def served_hq(tmp_path_factory):
    """`fieldsync hub serve` with HQ's web UI (HTTPS, /hq/), the admin's password PASSWORD;
    yields the HubProcess (`.url`)."""
    from fieldsync.testing.processes import HubProcess
    from shared.passwords import hash_password
    hub = HubProcess(tmp_path_factory.mktemp("hq-ui"))
    store = hub.store()
    store.write([{"op": "put", "table": "users", "id": "admin", "fields": {"password_hash": hash_password(PASSWORD)}}])
    store.close()
    hub.start()
    try:
        yield hub
    finally:
        hub.kill(signal.SIGTERM)
