"""HQ administers outlets and users: only an admin may, every input is checked with a
message in words and a refusal writes nothing, passwords are shown once and never stored
or audited in clear, and a user's change reaches the outlet's node."""
import pytest

from fieldsync.demo.data import DEMO_PASSWORD
from shared.errors import ServiceError
from shared.passwords import check_password

from tests.hub.enrolled import EnrolledNode


def refused(error, fn, /, *args, services=None, **kwargs) -> ServiceError:
    """The call is refused with `code`, in both languages, and leaves the hub as it was."""
    before = _state(services) if services else None
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == error, e.value
    assert e.value.message("zh") and e.value.message("en")
    if services:
        assert _state(services) == before
    return e.value


def _state(services):
    q = services.ctx.scalar
    return (q("SELECT COUNT(*) FROM outlets"), q("SELECT COUNT(*) FROM users"),
            q("SELECT COUNT(*) FROM bucket_changes"), q("SELECT COUNT(*) FROM hq_audit WHERE action != 'login_ok'"))


def outlet_id(services, code):
    return services.ctx.one("SELECT id FROM outlets WHERE code = ?", (code,))["id"]


NEW_OUTLET = dict(code="sh03", name="上海浦东服务网点", region="华东大区", city="上海",
                  address="上海市浦东新区张杨路500号", phone="021-58881234", coverage="上海，浦东新区、闵行区",
                  qualifications=["AC", "WM"], capacity="60")


def test_admin_adds_an_outlet_that_every_node_receives(services, admin):
    net = services.admin.network
    oid = net.save_outlet(admin, **NEW_OUTLET)
    o = net.outlet(admin, oid)
    assert o.code == "SH03" and o.capacity == 60 and o.active is True
    assert o.coverage == ("上海", "浦东新区", "闵行区") and o.qualifications == ("AC", "WM")
    assert o.qualification_names == ("空调", "洗衣机") and (o.users, o.nodes) == (0, 0)
    assert "SH03" in [x.code for x in net.outlets(admin)]
    bodies = b"".join(r["body"] for r in services.ctx.hub.rows("bucket_changes", "bucket = 'global'"))
    assert oid.encode() in bodies  # travels in the global bucket
    audit = services.ctx.one("SELECT * FROM hq_audit WHERE action = 'outlet_created'")
    assert audit["user_id"] == admin.user_id and audit["subject"] == oid
    net.save_outlet(admin, oid, capacity=80, active=False)
    o = net.outlet(admin, oid)
    assert o.capacity == 80 and o.active is False and o.name == "上海浦东服务网点"
    assert "SH03" not in [x.code for x in net.outlets(admin, include_inactive=False)]


def test_outlet_input_is_checked_and_a_refusal_writes_nothing(services, admin):
    net = services.admin.network
    e = refused("outlet_code_taken", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "code": "SH01"})
    assert "SH01" in e.message("zh")
    refused("bad_outlet_code", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "code": "上海-1"})
    refused("required", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "name": " "})
    e = refused("bad_number", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "capacity": "-5"})
    assert "接单能力" in e.message("zh")
    refused("bad_choice", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "qualifications": ["TV"]})
    refused("bad_phone", net.save_outlet, admin, services=services, **{**NEW_OUTLET, "phone": "abc"})
    sh01 = outlet_id(services, "SH01")
    refused("outlet_code_fixed", net.save_outlet, admin, sh01, code="SH09", services=services)


def test_only_an_admin_may_administer(services, agent, approver):
    adm = services.admin
    sh01 = outlet_id(services, "SH01")
    calls = [
        (adm.network.outlets, ()), (adm.network.save_outlet, ()), (adm.network.users, ()),
        (adm.network.create_user, ()), (adm.network.set_password, ("x",)), (adm.rules.fee_rules, ()),
        (adm.rules.sla_policies, ()), (adm.rules.surveys, ()), (adm.nodes.nodes, ()),
        (adm.nodes.enroll_code, (sh01,)), (adm.nodes.revoke, ("node-x",)), (adm.nodes.forks, ()),
        (adm.kb.articles, ()), (adm.kb.categories, ()),
    ]
    for session in (agent, approver):
        for fn, args in calls:
            kwargs = {"username": "x", "display_name": "x", "role": "clerk"} if fn == adm.network.create_user else {}
            if fn == adm.network.save_outlet:
                kwargs = dict(NEW_OUTLET)
            e = refused("role_forbidden", fn, session, *args, services=services, **kwargs)
            assert "系统管理员" in e.message("zh")


def test_a_new_hq_user_gets_a_password_shown_once_and_never_kept_in_clear(services, admin):
    net = services.admin.network
    uid, password = net.create_user(admin, username="hq.agent2", display_name="赵坐席", role="hq_agent")
    assert password and len(password) >= 8
    assert services.login("hq.agent2", password).role == "hq_agent"
    shown = net.user(admin, uid)
    assert shown.has_password and not shown.has_pin and not hasattr(shown, "password_hash")
    assert (shown.role_label, shown.outlet_code) == ("坐席", None)
    new = net.set_password(admin, uid)
    assert new != password and services.login("hq.agent2", new)
    net.set_password(admin, uid, "typed-secret-42")
    assert services.login("hq.agent2", "typed-secret-42")
    services.ctx.hub.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    audit = repr(services.ctx.query("SELECT * FROM hq_audit"))
    raw = open(services.ctx.hub.path, "rb").read()
    for secret in (password, new, "typed-secret-42"):
        assert secret not in audit and secret.encode() not in raw
    actions = [r["action"] for r in services.ctx.query("SELECT action FROM hq_audit WHERE subject = ?", (uid,))]
    assert actions == ["user_created", "password_set", "password_set"]


def test_user_input_is_checked(services, admin):
    net = services.admin.network
    sh01 = outlet_id(services, "SH01")
    e = refused("outlet_required", net.create_user, admin, services=services,
                username="sh01.tech99", display_name="王师傅", role="technician")
    assert "维修师傅必须属于一个网点" in e.message("zh")
    refused("hq_no_outlet", net.create_user, admin, services=services,
            username="hq.x", display_name="钱坐席", role="hq_agent", outlet_id=sh01)
    e = refused("role_unknown", net.create_user, admin, services=services,
                username="x", display_name="x", role="superuser")
    assert "superuser" in e.message("en")
    refused("username_taken", net.create_user, admin, services=services,
            username="SH01.CLERK", display_name="重复", role="clerk", outlet_id=sh01)
    refused("weak_password", net.create_user, admin, services=services,
            username="sh01.c2", display_name="孙文员", role="clerk", outlet_id=sh01, password="short")
    refused("bad_pin", net.create_user, admin, services=services,
            username="sh01.c2", display_name="孙文员", role="clerk", outlet_id=sh01, pin="12ab")
    refused("outlet_unknown", net.create_user, admin, services=services,
            username="sh01.c2", display_name="孙文员", role="clerk", outlet_id="nowhere")
    refused("self_admin", net.deactivate_user, admin, admin.user_id, services=services)
    refused("self_admin", net.update_user, admin, admin.user_id, role="hq_agent", services=services)
    hq = services.ctx.one("SELECT id FROM users WHERE username = 'hq.agent'")["id"]
    refused("pin_outlet_only", net.set_pin, admin, hq, "1234", services=services)


def test_a_deactivated_outlet_user_is_stopped_on_the_node_after_sync(services, admin, tmp_path):
    net, nodes = services.admin.network, services.admin.nodes
    bj01 = outlet_id(services, "BJ01")
    node = EnrolledNode(services.ctx.hub, nodes.enroll_code(admin, bj01).code, tmp_path / "bj01.db")
    node.sync()
    uid, _ = net.create_user(admin, username="bj01.tech99", display_name="周师傅", role="technician",
                             outlet_id=bj01, password="tablet-pass-1", pin="246802")
    assert services.ctx.hub.rows("bucket_changes", "bucket = ? AND instr(body, ?) > 0",
                                 (f"outlet:{bj01}", uid))  # the outlet's bucket, not global
    node.sync()
    tech = node.services.login("bj01.tech99", "246802", pin=True)
    assert node.services.ctx.current_user(tech)["display_name"] == "周师傅"
    net.deactivate_user(admin, uid)
    node.sync()
    with pytest.raises(ServiceError) as e:
        node.services.ctx.current_user(tech)
    assert e.value.code == "user_inactive"
    with pytest.raises(ServiceError):
        node.services.login("bj01.tech99", "tablet-pass-1")
    # a clerk moved to another outlet is gone from this node's outlet as well
    clerk = node.services.login("bj01.clerk", DEMO_PASSWORD)
    net.update_user(admin, clerk.user_id, outlet_id=outlet_id(services, "BJ02"))
    node.sync()
    with pytest.raises(ServiceError):
        node.services.ctx.current_user(clerk)
    assert check_password("246802", services.ctx.row("users", uid)["pin_hash"])
    node.close()


def test_a_deactivated_hq_user_is_stopped_at_the_next_action(services, admin):
    net = services.admin.network
    uid, password = net.create_user(admin, username="hq.admin2", display_name="第二管理员", role="admin")
    other = services.login("hq.admin2", password)
    net.deactivate_user(admin, uid)
    refused("user_inactive", net.outlets, other)
