"""A hub process and an outlet node serving its web UI (`fieldsync node serve`), both
real processes on 127.0.0.1, with the outlet seeded (seed.py)."""
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

from fieldsync.testing.processes import FIELDSYNC, HubProcess, NodeDir, free_port, started
from tests.ui.seed import seed


def trusting_only(cert: Path, port: int) -> None:
    """A TLS handshake with 127.0.0.1:port that trusts `cert` alone and checks the name:
    the UI the browser then opens is served with the node's own certificate."""
    ctx = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1"):
        pass


class NodeServer:
    """`fieldsync node serve` on a free port; its output is collected line by line."""

    def __init__(self, node: NodeDir, interval: float = 600, command: tuple[str, ...] = ("node", "serve"),
                 env: dict | None = None, options: tuple[str, ...] = ()):
        """`command`: `fieldsync node serve`, or `fieldsync device --web` (the device app);
        `options`: more of its options."""
        self.port = free_port()
        self.url = ""  # as the process prints it: https (the node's own certificate), http for a device
        self.lines: list[str] = []
        self.proc = started(subprocess.Popen(
            [FIELDSYNC, *command, "--dir", str(node.home.dir), "--port", str(self.port),
             "--interval", str(interval), "--max-backoff", "4", *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env))
        threading.Thread(target=self._read, daemon=True).start()
        if not self.wait_for(f"://127.0.0.1:{self.port}", 60):
            self.stop()
            raise AssertionError("node UI did not start:\n" + "\n".join(self.lines))
        # found anywhere in a line: a log line on stderr may share the line the URL is printed on
        self.url = next(m.group(1) for line in self.lines
                        if (m := re.search(r"node UI on (https?://127\.0\.0\.1:\d+)", line)))
        self.cert = node.home.ui_tls / "cert.pem" if self.url.startswith("https:") else None
        if self.cert is not None:
            trusting_only(self.cert, self.port)


    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in line for line in self.lines):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode


class UiCluster:
    def __init__(self, root: Path, interval: float = 600):
        self.hub = HubProcess(root)
        self.outlet_id = self.hub.add_outlet("SH01", "上海徐汇网点")
        store = self.hub.store()
        try:
            self.ids = seed(store, self.outlet_id)
        finally:
            store.close()
        self.hub.start()
        try:
            self.node = NodeDir(root, "outlet-node")
            self.node.enroll(self.hub.code("SH01"))
            self.server = NodeServer(self.node, interval)
        except BaseException:
            self.hub.kill(signal.SIGTERM)
            raise

    @property
    def url(self) -> str:
        return self.server.url

    def hub_query(self, sql: str, params=()) -> list[tuple]:
        store = self.hub.store()
        try:
            return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]
        finally:
            store.close()

    def hub_write(self, ops: list[dict]) -> None:
        store = self.hub.store()
        try:
            store.write(ops)
        finally:
            store.close()

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            self.hub.kill(signal.SIGTERM)


if __name__ == "__main__":  # a demo outlet to look at: python -m tests.ui.cluster DIR
    import sys
    import tempfile
    c = UiCluster(Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()), interval=5)
    print(c.url, flush=True)
    try:
        c.server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()
