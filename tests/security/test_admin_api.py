"""The admin API (HTTP Basic) is one door (issue #17 item 3, hub/admin_gate.py): credentials
are checked from the request's head before its body is read — a stranger's 60 MiB upload
gets a 401 with `WWW-Authenticate` at once, the admin's a 413 —, bodies are at most 64 KiB,
failures share the throttle and the audit of HQ's web UI login, and every attempt costs one
KDF whoever it names (unknown and non-admin users answer like the admin)."""
import base64
import hashlib
import socket

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.services.auth import ADMIN_API
from shared.passwords import hash_password
from sync.hub_store import HubStore

BIG = 60 * 1024 * 1024


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def head_only(port: int, path: str, headers: dict) -> str:
    """Send a POST's head and 1 KiB of a 60 MiB body; the answer's head (a hub that waited for
    the body would time out here)."""
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {BIG}\r\n{lines}\r\n".encode() + b"{" + b" " * 1023)
        return s.recv(4096).decode(errors="replace")


def test_a_60_mib_body_is_refused_from_its_head_401_for_a_stranger_413_for_the_admin(served_hub):
    for path in ("/api/v1/admin/outlets", "/api/v1/admin/enroll-codes", "/api/v1/admin/no-such-route"):
        stranger = head_only(served_hub.port, path, basic("admin", "wrong"))
        assert stranger.startswith("HTTP/1.1 401"), stranger
        assert 'www-authenticate: basic realm="fieldsync hq admin"' in stranger.lower(), stranger
        nobody = head_only(served_hub.port, path, {})
        assert nobody.startswith("HTTP/1.1 401") and "www-authenticate" in nobody.lower(), nobody
    admin = head_only(served_hub.port, "/api/v1/admin/outlets", basic("admin", served_hub.admin_password))
    assert admin.startswith("HTTP/1.1 413"), admin


@pytest.fixture
def api(tmp_path):
    hub = HubStore(tmp_path / "hub.db")
    hub.write([{"op": "put", "table": "users", "id": "admin", "fields": {
        "username": "admin", "role": "admin", "active": True, "password_hash": hash_password("admin-pw")}},
        {"op": "put", "table": "users", "id": "agent", "fields": {
            "username": "hq.agent", "role": "hq_agent", "active": True, "password_hash": hash_password("agent-pw")}}])
    app = create_app(hub)
    yield app, TestClient(app), hub
    hub.close()


def test_bodies_are_at_most_64_kib_and_an_admin_gets_in(api):
    _, client, _ = api
    ok = client.post("/api/v1/admin/outlets", json={"code": "SH09", "name": "上海九号网点"},
                     headers=basic("admin", "admin-pw"))
    assert ok.status_code == 201, ok.text
    big = client.post("/api/v1/admin/outlets", json={"code": "SH10", "name": "x" * 70_000},
                      headers=basic("admin", "admin-pw"))
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    listed = client.get("/api/v1/admin/outlets", headers=basic("admin", "admin-pw")).json()
    assert [o["code"] for o in listed] == ["SH09"]


def test_admin_api_failures_share_the_ui_throttle_and_audit(api):
    app, client, hub = api
    for _ in range(5):
        r = client.get("/api/v1/admin/nodes", headers=basic("admin", "guess"))
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    locked = client.get("/api/v1/admin/nodes", headers={**basic("admin", "admin-pw"), "Accept-Language": "en"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in locked.json()["error"]["message"]
    with pytest.raises(Exception) as ui:  # the same source at HQ's web UI login: locked too
        app.state.hub_services().login("admin", "admin-pw", source="testclient")
    assert getattr(ui.value, "code", None) == "login_locked"
    assert app.state.hub_services().login("admin", "admin-pw", source="10.1.2.3").username == "admin"
    audited = hub.conn.execute("SELECT COUNT(*) FROM hq_audit WHERE action = 'login_failed' AND subject = ?",
                               (ADMIN_API,)).fetchone()[0]
    assert audited == 5


def test_a_huge_basic_username_is_refused_and_stores_nothing(api):
    _, client, hub = api
    before = hub.conn.execute("SELECT COUNT(*) FROM hq_audit").fetchone()[0]
    for user in ("u" * 2 * 1024 * 1024, "u" * 3000):
        r = client.get("/api/v1/admin/nodes", headers=basic(user, "x"))
        assert r.status_code == 401
    assert hub.conn.execute("SELECT COUNT(*) FROM hq_audit").fetchone()[0] == before


def test_every_admin_api_failure_costs_one_kdf_like_the_admin(api, monkeypatch):
    _, client, _ = api
    client.get("/api/v1/admin/nodes", headers=basic("warm-up", "x"))  # the dummy hash is made once
    calls: list = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(hashlib, "scrypt", counted)
    for user, password, status in [("nobody", "x", 401), ("hq.agent", "agent-pw", 401), ("hq.agent", "x", 401),
                                   ("admin", "x", 401), ("admin", "admin-pw", 200)]:
        before = len(calls)
        r = client.get("/api/v1/admin/nodes", headers=basic(user, password))
        assert r.status_code == status, (user, r.text)
        assert len(calls) - before == 1, user
