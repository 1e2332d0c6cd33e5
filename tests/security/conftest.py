"""A real `fieldsync hub serve` process (plain HTTP, no UI) on 127.0.0.1, stopped by its PID."""
import subprocess
from dataclasses import dataclass

import pytest

from fieldsync.testing.processes import FIELDSYNC, free_port
from hub.admin import administering, init_hub
from hub.home import HubHome
from hub.wait import wait_until_serving


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
