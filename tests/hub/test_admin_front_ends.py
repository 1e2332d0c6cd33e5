"""One administration, three front ends: `fieldsync hub …` (as the system actor `cli`), the
admin API (as its HTTP Basic admin) and the services HQ's web UI calls refuse the same bad
input with the same code and words, write nothing when they refuse, and leave exactly one
audit row naming the actor for each action."""
import base64

import pytest
from starlette.testclient import TestClient

from fieldsync.cli import main as fieldsync
from hub.admin import init_hub
from hub.app import create_app
from hub.home import HubHome
from hub.services import HubServices, ServiceError
from sync import hub_handlers
from sync.enrollment import decode_code
from sync.keys import SigningKey


class Hq:
    """A hub directory as `fieldsync hub init` leaves it, with its three front ends."""

    def __init__(self, root):
        self.home = HubHome(root / "hub")
        self.password = init_hub(self.home)
        self.store = self.home.open()
        self.services = HubServices(self.store)
        self.ui = self.services.login("admin", self.password)
        self.api = TestClient(create_app(self.store, self.home), raise_server_exceptions=False)
        basic = base64.b64encode(f"admin:{self.password}".encode()).decode()
        self.auth = {"Authorization": f"Basic {basic}"}

    def cli(self, capsys, *args) -> tuple[int, str, str]:
        capsys.readouterr()
        code = fieldsync(["hub", args[0], "--dir", str(self.home.dir), *args[1:]])
        out = capsys.readouterr()
        return code, out.out, out.err

    def audit(self) -> list[dict]:
        return self.services.ctx.query("SELECT user_id, action, subject FROM hq_audit"
                                       " WHERE action NOT LIKE 'login%' ORDER BY at, rowid")

    def state(self) -> tuple:
        q = self.services.ctx.scalar
        return (q("SELECT COUNT(*) FROM outlets"), q("SELECT COUNT(*) FROM bucket_changes"),
                q("SELECT COUNT(*) FROM hq_audit WHERE action NOT LIKE 'login%'"),
                q("SELECT COUNT(*) FROM enroll_tokens"), q("SELECT COUNT(*) FROM nodes WHERE status = 'revoked'"))

    def close(self):
        self.store.close()


@pytest.fixture
def hq(tmp_path):
    h = Hq(tmp_path)
    yield h
    h.close()


def test_a_bad_outlet_code_is_refused_alike_by_cli_api_and_service_and_nothing_is_written(hq, capsys):
    before = hq.state()
    with pytest.raises(ServiceError) as e:
        hq.services.admin.network.save_outlet(hq.ui, code="上海-1", name="上海浦东网点")
    refusal = e.value
    assert refusal.code == "bad_outlet_code" and "2到12位" in refusal.message("zh")

    status, out, err = hq.cli(capsys, "outlet-add", "--code", "上海-1", "--name", "上海浦东网点")
    assert (status, out) == (2, "")
    assert err.strip() == f"fieldsync: {refusal.message('zh')} [bad_outlet_code: {refusal.message('en')}]"

    body = {"code": "上海-1", "name": "上海浦东网点"}
    r = hq.api.post("/api/v1/admin/outlets", json=body, headers=hq.auth)
    assert (r.status_code, r.json()) == (400, {"error": {"code": "bad_outlet_code", "message": refusal.message("zh")}})
    r = hq.api.post("/api/v1/admin/outlets", json=body, headers={**hq.auth, "Accept-Language": "en-GB,en"})
    assert r.json()["error"]["message"] == refusal.message("en")
    assert hq.state() == before


def test_a_taken_code_and_an_unknown_outlet_are_refused_alike(hq, capsys):
    hq.services.admin.network.save_outlet(hq.ui, code="SH01", name="上海徐汇网点")
    before = hq.state()
    status, _, err = hq.cli(capsys, "outlet-add", "--code", "sh01", "--name", "另一个网点")
    assert status == 2 and "[outlet_code_taken:" in err and "网点编码SH01已存在" in err
    r = hq.api.post("/api/v1/admin/outlets", json={"code": "SH01", "name": "x"}, headers=hq.auth)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "outlet_code_taken")
    status, out, err = hq.cli(capsys, "enroll-code", "--outlet", "GZ09", "--no-qr")
    assert (status, out) == (2, "") and "[outlet_unknown:" in err
    r = hq.api.post("/api/v1/admin/enroll-codes", json={"outlet": "GZ09"}, headers=hq.auth)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "outlet_unknown")
    assert hq.state() == before


def test_every_admin_action_leaves_one_audit_row_naming_its_actor(hq, capsys):
    assert hq.audit() == []
    status, out, _ = hq.cli(capsys, "outlet-add", "--code", "SH01", "--name", "上海徐汇网点")
    sh01 = out.strip()
    assert status == 0 and hq.audit() == [{"user_id": "system:cli", "action": "outlet_created", "subject": sh01}]

    def one_more(action, actor, do):
        before = len(hq.audit())
        result = do()
        assert [(a["user_id"], a["action"]) for a in hq.audit()[before:]] == [(actor, action)]
        return result

    gz01 = one_more("outlet_created", "admin", lambda: hq.api.post(
        "/api/v1/admin/outlets", json={"code": "GZ01", "name": "广州天河网点"}, headers=hq.auth).json()["id"])
    one_more("outlet_created", "admin", lambda: hq.services.admin.network.save_outlet(hq.ui, code="BJ01", name="北京"))
    codes = [one_more("enroll_code_created", "system:cli",
                      lambda: hq.cli(capsys, "enroll-code", "--outlet", "SH01", "--no-qr")[1].strip()),
             one_more("enroll_code_created", "admin", lambda: hq.api.post(
                 "/api/v1/admin/enroll-codes", json={"outlet": "GZ01"}, headers=hq.auth).json()["code"])]
    nodes = [hub_handlers.enroll(hq.store, {"token": decode_code(c)["token"],
                                            "public_key": SigningKey.generate().public_b64}) for c in codes]
    assert [n["outlet_id"] for n in nodes] == [sh01, gz01]
    one_more("node_revoked", "system:cli", lambda: hq.cli(capsys, "revoke", nodes[0]["node_id"]))
    one_more("node_revoked", "admin", lambda: hq.api.post(
        f"/api/v1/admin/nodes/{nodes[1]['node_id']}/revoke", headers=hq.auth))
    assert {n["status"] for n in hq.api.get("/api/v1/admin/nodes", headers=hq.auth).json()} == {"revoked"}

    # listing writes nothing; a second revoke is refused alike and writes nothing
    before = hq.state()
    status, out, _ = hq.cli(capsys, "nodes")
    assert status == 0 and nodes[0]["node_id"] in out
    assert hq.cli(capsys, "revoke", nodes[0]["node_id"])[0] == 2
    r = hq.api.post(f"/api/v1/admin/nodes/{nodes[0]['node_id']}/revoke", headers=hq.auth)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "node_revoked")
    assert hq.state() == before


def test_fork_alerts_are_resolved_once_from_either_front_end(hq, capsys):
    with hq.store.tx() as c:  # what a restored node's push records (sync/hub_handlers.py)
        for seq in (3, 4):
            hq.store.add_fork_alert(c, "node-x", 1, seq, "held", "sent", 1000 + seq)
    first, second = sorted(a["id"] for a in hq.store.fork_alerts())
    assert hq.cli(capsys, "fork-resolve", str(first))[0] == 0
    r = hq.api.post(f"/api/v1/admin/forks/{second}/resolve", headers=hq.auth)
    assert r.status_code == 200
    assert [(a["user_id"], a["action"], a["subject"]) for a in hq.audit()] == [
        ("system:cli", "fork_resolved", str(first)), ("admin", "fork_resolved", str(second))]
    assert hq.api.get("/api/v1/admin/forks", headers=hq.auth).json() == []
    r = hq.api.post(f"/api/v1/admin/forks/{first}/resolve", headers=hq.auth)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "fork_resolved")
    assert len(hq.audit()) == 2


def test_init_on_an_existing_hub_and_commands_without_one_are_told_not_raised(hq, tmp_path, capsys):
    status, _, err = hq.cli(capsys, "init")
    assert status == 2 and "[hub_exists:" in err
    status, _, err = fieldsync(["hub", "outlets", "--dir", str(tmp_path / "nowhere")]), *capsys.readouterr()
    assert status == 2 and "fieldsync hub init --dir" in err

