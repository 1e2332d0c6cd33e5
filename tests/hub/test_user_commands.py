"""Users created and listed outside HQ's web UI (issue #15 item 3): `fieldsync hub user-add
/ users` and the admin API's /users, on a hub as `fieldsync hub init` leaves it, once on
SQLite and once on PostgreSQL. Same checks as the user form (weak PIN, unknown role,
outlet users need an outlet), refusals in words with nothing written, the password hashed
and never printed unless generated (once), never in a listing or the audit."""
import base64
import io

import pytest
from starlette.testclient import TestClient

from fieldsync.cli import main as fieldsync
from hub.admin import init_hub
from hub.app import create_app
from hub.home import HubHome
from hub.services import HubServices
from shared.passwords import check_password


class Hq:
    def __init__(self, root, hub_db):
        self.home = HubHome(root / "hub")
        self.password = init_hub(self.home, database=hub_db if str(hub_db).startswith("postgresql") else None)
        self.store = self.home.open()
        self.services = HubServices(self.store)
        self.api = TestClient(create_app(self.store, self.home), raise_server_exceptions=False)
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"admin:{self.password}".encode()).decode()}

    def cli(self, capsys, monkeypatch, *args, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = fieldsync(["hub", args[0], "--dir", str(self.home.dir), *args[1:]])
        out = capsys.readouterr()
        return code, out.out, out.err

    def user(self, username: str) -> dict | None:
        return self.services.ctx.one("SELECT * FROM users WHERE username = ?", (username,))

    def count(self) -> tuple:
        q = self.services.ctx.scalar
        return q("SELECT COUNT(*) FROM users"), q("SELECT COUNT(*) FROM bucket_changes")


@pytest.fixture
def hq(tmp_path, hub_db):
    h = Hq(tmp_path, hub_db)
    h.services.admin.network.save_outlet(h.services.login("admin", h.password), code="HZ01", name="杭州一店")
    yield h
    h.store.close()


def test_users_from_the_cli(hq, capsys, monkeypatch):
    code, out, err = hq.cli(capsys, monkeypatch, "user-add", "--username", "q.qian", "--name", "钱坐席",
                            "--role", "hq_agent")
    assert code == 0 and "password: " in out
    generated = out.split("password: ")[1].split()[0]
    assert hq.services.login("q.qian", generated).role == "hq_agent"

    before = hq.count()
    code, out, err = hq.cli(capsys, monkeypatch, "user-add", "--username", "t.li", "--name", "李师傅",
                            "--role", "technician", "--outlet", "HZ01", "--password-stdin", "--pin-stdin",
                            stdin="tech-pass-9\n1234\n")
    assert code == 2 and "PIN码应为6到12位数字" in err and "A PIN is 6 to 12 digits" in err
    code, out, err = hq.cli(capsys, monkeypatch, "user-add", "--username", "t.li", "--name", "李师傅",
                            "--role", "technician", "--password-stdin")
    assert code == 2 and "网点" in err                       # a technician needs an outlet
    code, out, err = hq.cli(capsys, monkeypatch, "user-add", "--username", "x", "--name", "x", "--role", "chef")
    assert code == 2 and "chef" in err
    assert hq.count() == before

    code, out, err = hq.cli(capsys, monkeypatch, "user-add", "--username", "t.li", "--name", "李师傅",
                            "--role", "technician", "--outlet", "hz01", "--password-stdin", "--pin-stdin",
                            stdin="tech-pass-9\n482913\n")
    assert code == 0 and "password" not in out and "tech-pass-9" not in out + err
    li = hq.user("t.li")
    assert check_password("tech-pass-9", li["password_hash"]) and check_password("482913", li["pin_hash"], pin=True)
    code, out, err = hq.cli(capsys, monkeypatch, "users", "--outlet", "HZ01")
    assert code == 0 and "t.li" in out and "HZ01" in out and "PIN" in out and "q.qian" not in out
    assert "scrypt" not in out
    code, out, err = hq.cli(capsys, monkeypatch, "users")
    assert "q.qian" in out and "admin" in out
    audit = " ".join(f"{r['subject']} {r['detail']}" for r in hq.services.ctx.query("SELECT * FROM hq_audit"))
    assert "tech-pass-9" not in audit and "482913" not in audit and generated not in audit


def test_users_from_the_admin_api(hq):
    assert hq.api.get("/api/v1/admin/users").status_code == 401
    before = hq.count()
    r = hq.api.post("/api/v1/admin/users", headers={**hq.auth, "Accept-Language": "en"},
                    json={"username": "t.wu", "display_name": "吴师傅", "role": "technician", "outlet": "HZ01",
                          "pin": "12"})
    assert r.status_code == 400 and r.json()["error"]["message"] == "A PIN is 6 to 12 digits."
    r = hq.api.post("/api/v1/admin/users", headers=hq.auth,
                    json={"username": "t.wu", "display_name": "吴师傅", "role": "technician", "outlet": "NOPE"})
    assert r.status_code == 404 and "网点" in r.json()["error"]["message"]
    assert hq.count() == before

    r = hq.api.post("/api/v1/admin/users", headers=hq.auth,
                    json={"username": "t.wu", "display_name": "吴师傅", "role": "technician", "outlet": "HZ01",
                          "password": "wu-password-1", "pin": "739215"})
    assert r.status_code == 201 and r.json()["password"] is None
    r = hq.api.post("/api/v1/admin/users", headers=hq.auth,
                    json={"username": "T.WU", "display_name": "again", "role": "hq_agent"})
    assert r.status_code == 409
    r = hq.api.post("/api/v1/admin/users", headers=hq.auth,
                    json={"username": "a.zhou", "display_name": "周审批", "role": "hq_approver"})
    assert r.status_code == 201 and hq.services.login("a.zhou", r.json()["password"]).role == "hq_approver"

    listed = hq.api.get("/api/v1/admin/users", headers=hq.auth, params={"outlet": "HZ01"})
    assert listed.status_code == 200
    [wu] = listed.json()
    assert (wu["username"], wu["outlet_code"], wu["has_password"], wu["has_pin"]) == ("t.wu", "HZ01", True, True)
    assert "hash" not in listed.text.replace("has_", "") and "scrypt" not in listed.text
    everyone = {u["username"] for u in hq.api.get("/api/v1/admin/users", headers=hq.auth).json()}
    assert everyone == {"admin", "t.wu", "a.zhou"}
    assert check_password("wu-password-1", hq.user("t.wu")["password_hash"])
    [row] = hq.services.ctx.query("SELECT * FROM hq_audit WHERE action = 'user_created' AND subject = ?",
                                  (hq.user("t.wu")["id"],))
    assert row["user_id"] == "admin"
