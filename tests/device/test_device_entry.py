"""Everything of the Android build up to the SDK, which these machines do not have:
pyproject's [tool.flet] names a module that exists and the release's version; that module
starts the device app as a real process with FLET_APP_STORAGE_DATA set (served to a
browser, as `FIELDSYNC_DEVICE_PORT` asks) and keeps its node under that directory; and the
device app imports none of the server packages the APK leaves out."""
import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

from fieldsync.testing.processes import free_port, started
from shared.release import APP_VERSION
from tests.ui.browser import Ui

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = ("fastapi", "uvicorn", "starlette", "flet_web", "openpyxl", "flet_charts")


def test_pyproject_names_the_entry_module_and_the_release():
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flet"]
    assert flet["version"] == APP_VERSION
    assert flet["org"] and flet["product"]
    app = flet["app"]
    assert (ROOT / app["path"] / f"{app['module']}.py").is_file()
    assert not {"node", "sync", "shared"} & set(app.get("exclude", []))


def test_the_device_app_imports_no_server_package():
    blocker = ("import sys, importlib.abc\n"
               f"BLOCK = {SERVER_ONLY!r}\n"
               "class Block(importlib.abc.MetaPathFinder):\n"
               "    def find_spec(self, name, path, target=None):\n"
               "        if name.split('.')[0] in BLOCK:\n"
               "            raise ImportError(name + ' is not in the APK')\n"
               "sys.meta_path.insert(0, Block())\n"
               "import main, node.device_app, node.ui.device_shell, node.ui.shell, node.device_enroll\n"
               "import node.services, node.runtime\n")
    out = subprocess.run([sys.executable, "-c", blocker], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr


def test_main_starts_with_the_apps_storage_and_asks_for_a_device_code(tmp_path, browser):
    storage = tmp_path / "app-storage"
    storage.mkdir()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLET_APP_STORAGE_DATA": str(storage),
           "FIELDSYNC_DEVICE_PORT": str(port)}
    proc = started(subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    try:
        lines = []
        for line in proc.stdout:  # until it serves (or ends)
            lines.append(line)
            if f"node UI on http://127.0.0.1:{port}" in line:
                break
        assert lines and f"node UI on http://127.0.0.1:{port}" in lines[-1], "".join(lines)
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
        ui = Ui(browser, f"http://127.0.0.1:{port}")
        ui.wait("注册本设备")
        ui.fill("设备注册码", "not a code")
        ui.click("注册")
        ui.wait("这不是有效的注册码")
        assert not (storage / "node" / "node.json").exists()
        ui.page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_main_refuses_to_start_without_the_apps_storage(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FLET_APP_STORAGE_DATA"}
    out = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, env={**env, "PYTHONPATH": str(ROOT)})
    assert out.returncode != 0 and "FLET_APP_STORAGE_DATA" in out.stderr
