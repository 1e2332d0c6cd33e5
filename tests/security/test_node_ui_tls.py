"""The outlet app is served over TLS with the node's own certificate (issue #17 item 5): PINs
and passwords typed on a tablet never cross the outlet's Wi-Fi in clear. A browser that
trusts that one certificate (by its key, as a tablet that was shown the fingerprint) logs
in; the port speaks no plain HTTP; plain HTTP is refused off loopback; the certificate stays
the same across restarts and is made again only for a new `--tls-name`."""
import base64
import hashlib
import re
import ssl
import subprocess
import types

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from fieldsync.testing.processes import FIELDSYNC, HubProcess, NodeDir, free_port
from shared.tls import names_in
from sync.enrollment import cert_fingerprint
from tests.ui.browser import CHROMIUM, Ui, have_chromium
from tests.ui.cluster import NodeServer


@pytest.fixture(scope="module")
def outlet(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    hub = HubProcess(root)
    hub.add_outlet("SH01", "上海徐汇网点")
    hub.start()
    node = NodeDir(root, "front-desk")
    enrolled = node.enroll(hub.code("SH01"))
    yield hub, node, enrolled.stdout
    hub.kill()


def spki_sha256(cert_path) -> str:
    """What chromium's --ignore-certificate-errors-spki-list takes: the key's SHA-256, base64."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def shown(fingerprint: str) -> str:
    return ":".join(re.findall("..", fingerprint)).upper()


def test_a_browser_trusting_only_the_nodes_certificate_logs_in_over_tls(outlet, tmp_path):
    hub, node, enrolled = outlet
    cert = node.home.ui_tls / "cert.pem"
    fingerprint = cert_fingerprint(cert.read_text())
    assert shown(fingerprint) in enrolled  # made at enrollment and shown for tablets to compare
    server = NodeServer(node)
    try:
        assert server.url.startswith("https://127.0.0.1:")
        assert any(shown(fingerprint) in line for line in server.lines)
        trusting_node = ssl.create_default_context(cafile=str(cert))
        assert httpx.get(f"{server.url}/healthz", verify=trusting_node).status_code == 200
        with pytest.raises(httpx.ConnectError):  # trusting HQ's certificate instead: refused
            httpx.get(f"{server.url}/healthz", verify=ssl.create_default_context(cafile=str(hub.home.cert)))
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the port
            httpx.get(server.url.replace("https:", "http:") + "/healthz", timeout=5)
        if not have_chromium():
            pytest.fail("needs Debian's chromium")
        from playwright.sync_api import Error, sync_playwright
        with sync_playwright() as p:
            for trusted, loads in ((cert, True), (hub.home.cert, False)):
                context = p.chromium.launch_persistent_context(
                    str(tmp_path / f"profile-{loads}"), executable_path=CHROMIUM, locale="zh-CN",
                    viewport={"width": 1000, "height": 800},
                    args=["--no-sandbox", f"--ignore-certificate-errors-spki-list={spki_sha256(trusted)}"])
                try:
                    if not loads:  # another certificate's key is trusted: this page is not
                        with pytest.raises(Error, match="ERR_CERT"):
                            context.new_page().goto(server.url)
                        continue
                    tab = types.SimpleNamespace(new_page=lambda _c=context, **_: _c.new_page())  # Ui opens its tab here
                    ui = Ui(tab, server.url)
                    ui.wait("登录")
                    ui.fill("用户名", "nobody")
                    ui.fill("密码", "12345678")
                    ui.click("登录")
                    ui.wait("用户名或密码错误。")  # the login's frames went over TLS and came back
                finally:
                    context.close()
    finally:
        server.stop()
    again = NodeServer(node)  # a restart keeps the certificate tablets already trust
    try:
        assert cert_fingerprint(cert.read_text()) == fingerprint and not any("new:" in line for line in again.lines)
    finally:
        again.stop()


def test_tls_names_are_added_and_the_certificate_is_kept_until_a_new_one_is_asked(outlet):
    _, node, _ = outlet
    cert = node.home.ui_tls / "cert.pem"
    before = cert_fingerprint(cert.read_text())
    named = NodeServer(node, options=("--tls-name", "192.0.2.10", "--tls-name", "SH01-PC.lan"))
    named.stop()
    assert {"192.0.2.10", "sh01-pc.lan", "127.0.0.1", "localhost"} <= names_in(cert.read_text())
    after = cert_fingerprint(cert.read_text())
    assert after != before and any("tablets must trust it again" in line for line in named.lines)
    same = NodeServer(node, options=("--tls-name", "192.0.2.10"))  # a name it has: kept
    same.stop()
    assert cert_fingerprint(cert.read_text()) == after


def test_plain_http_is_refused_off_loopback_and_allowed_on_it(outlet):
    _, node, _ = outlet
    p = subprocess.run([FIELDSYNC, "node", "serve", "--dir", str(node.home.dir), "--http", "--host", "0.0.0.0",
                        "--port", str(free_port())], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "loopback" in p.stderr and "明文" in p.stderr
    local = NodeServer(node, options=("--http",))
    try:
        assert local.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{local.url}/healthz").status_code == 200
    finally:
        local.stop()
