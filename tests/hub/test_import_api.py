"""Import and export through the admin API (issue #15 item 3): the same service as HQ's
导入导出 screen and `fieldsync hub import|export`, on a hub as `fieldsync hub init` leaves
it, once on SQLite and once on PostgreSQL. A dry run writes nothing; a bad row is named by
its line in the request's language and the whole file refused; a good file lands and is
exported back; the gate lets in only an HQ admin."""
import base64

import pytest
from starlette.testclient import TestClient

from hub.admin import init_hub
from hub.app import create_app
from hub.home import HubHome
from hub.services import HubServices

CSV = {"Content-Type": "text/csv"}
GOOD = "型号,名称,类别,保修月数\nKF-35GW,挂式空调35,空调,24\nKF-50LW,柜式空调50,空调,36\n"


class Hq:
    def __init__(self, root, hub_db):
        self.home = HubHome(root / "hub")
        self.password = init_hub(self.home, database=hub_db if str(hub_db).startswith("postgresql") else None)
        self.store = self.home.open()
        self.services = HubServices(self.store)
        self.api = TestClient(create_app(self.store, self.home), raise_server_exceptions=False)
        self.auth = self.basic("admin", self.password)

    @staticmethod
    def basic(user: str, password: str) -> dict:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    def models(self) -> dict:
        return {r["code"]: r for r in self.services.ctx.query("SELECT * FROM product_models")}

    def post(self, entity: str, body: str | bytes, headers=None, **params):
        return self.api.post(f"/api/v1/admin/import/{entity}", content=body if isinstance(body, bytes) else
                             body.encode(), headers={**self.auth, **CSV, **(headers or {})}, params=params)


@pytest.fixture
def hq(tmp_path, hub_db):
    h = Hq(tmp_path, hub_db)
    yield h
    h.store.close()


def test_dry_run_then_import_then_export(hq):
    r = hq.post("product_models", GOOD, dry_run=1)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert (plan["counts"], plan["errors"], plan["applied"]) == ({"new": 2, "changed": 0, "unchanged": 0}, [], False)
    assert [row["key"] for row in plan["rows"]] == ["KF-35GW", "KF-50LW"]
    assert hq.models() == {}                                  # a dry run writes nothing

    r = hq.post("product_models", GOOD)
    assert r.status_code == 200 and r.json()["applied"] is True
    assert r.json()["counts"] == {"new": 2, "changed": 0, "unchanged": 0}
    models = hq.models()
    assert (models["KF-50LW"]["name"], models["KF-50LW"]["warranty_months"]) == ("柜式空调50", 36)
    [audit] = hq.services.ctx.query("SELECT * FROM hq_audit WHERE action = 'import_product_models'")
    assert audit["user_id"] == "admin"

    r = hq.api.get("/api/v1/admin/export/product_models", headers=hq.auth, params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "KF-35GW" in r.content.decode("utf-8-sig") and "挂式空调35" in r.content.decode("utf-8-sig")
    r = hq.post("product_models", r.content, dry_run=1)       # the export reads back as it is
    assert r.json()["counts"] == {"new": 0, "changed": 0, "unchanged": 2}

    xlsx = hq.api.get("/api/v1/admin/export/product_models", headers={**hq.auth, "Accept-Language": "en"},
                      params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    edited = GOOD.replace("36", "48")
    r = hq.post("product_models", xlsx.content, dry_run=1,
                headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert r.status_code == 200 and r.json()["counts"] == {"new": 0, "changed": 0, "unchanged": 2}
    r = hq.post("product_models", edited)
    assert r.json()["counts"] == {"new": 0, "changed": 1, "unchanged": 1}
    assert hq.models()["KF-50LW"]["warranty_months"] == 48


def test_a_bad_row_refuses_the_whole_file(hq):
    bad = GOOD + "KF-72LW,,空调,abc\n"
    r = hq.post("product_models", bad, dry_run=1, headers={"Accept-Language": "en"})
    assert r.status_code == 200
    [error] = r.json()["errors"]
    assert error["line"] == 4 and "line 4" in error["message"].lower()
    r = hq.post("product_models", bad)
    assert r.status_code == 400 and r.json()["error"]["code"] == "import_bad_rows"
    assert r.json()["applied"] is False and r.json()["errors"][0]["line"] == 4
    assert "第4行" in r.json()["errors"][0]["message"]          # Chinese unless asked otherwise
    assert hq.models() == {}                                   # nothing written, not even the good rows

    r = hq.post("spaceships", GOOD)
    assert r.status_code == 404 and r.json()["error"]["code"] == "import_entity"
    r = hq.api.get("/api/v1/admin/export/spaceships", headers=hq.auth)
    assert r.status_code == 404 and "error" in r.json()
    r = hq.post("product_models", GOOD, headers={"Content-Type": "application/pdf"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "import_format"
    assert hq.models() == {}


def test_only_an_admin_gets_in(hq):
    assert hq.api.post("/api/v1/admin/import/product_models", content=GOOD.encode(),
                       headers=CSV).status_code == 401
    assert hq.api.get("/api/v1/admin/export/users").status_code == 401
    me = hq.services.login("admin", hq.password)
    hq.services.admin.network.create_user(me, username="a.zhou", display_name="周审批", role="hq_approver",
                                          password="approver-pass-7")
    r = hq.post("product_models", GOOD, headers=hq.basic("a.zhou", "approver-pass-7"))
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    assert hq.api.get("/api/v1/admin/export/users", headers=hq.basic("a.zhou", "approver-pass-7")).status_code == 401
    assert hq.models() == {}


def test_the_import_route_takes_files_above_the_api_cap(hq):
    """The admin API's 64 KiB cap would refuse an ordinary customer list; the import route
    takes what the import service reads (20 MiB)."""
    rows = "".join(f"M{i:05d},型号{i}名称很长很长很长很长,空调,12\n" for i in range(3000))
    body = "型号,名称,类别,保修月数\n" + rows
    assert len(body.encode()) > 64 * 1024
    r = hq.post("product_models", body, dry_run=1)
    assert r.status_code == 200 and r.json()["counts"]["new"] == 3000
    r = hq.api.post("/api/v1/admin/users", headers=hq.auth, content=b"{" + b" " * (65 * 1024) + b"}")
    assert r.status_code == 413                                # other routes keep the small cap
