"""Login with the users HQ replicated to this outlet, by password or PIN, offline."""
import pytest

from node.services import ServiceError
from shared.passwords import hash_password, hash_pin


@pytest.fixture
def creds(env):
    tech = env.w.user(env.outlet, "technician")
    env.w.hub.write([{"op": "put", "table": "users", "id": tech, "fields": {
        "password_hash": hash_password("Zhang-2024!"), "pin_hash": hash_pin("472913")}},
        {"op": "put", "table": "users", "id": "technician-2", "fields": {"password_hash": hash_password("pw2")}}])
    env.sync()
    return tech


def test_password_and_pin(env, creds):
    me = env.svc.login("technician-1", "Zhang-2024!")
    assert (me.user_id, me.role, me.display_name, me.outlet_id) == (creds, "technician", "张师傅", env.outlet)
    assert env.svc.login("technician-1", "472913", pin=True, lang="en").lang == "en"
    err = pytest.raises(ServiceError, env.svc.login, "technician-1", "472913").value  # a PIN is not the password
    assert err.code == "login_failed" and err.message("zh") == "用户名或密码错误。"
    assert pytest.raises(ServiceError, env.svc.login, "nobody", "x").value.code == "login_failed"
    # a user of another outlet is not on this node at all
    assert pytest.raises(ServiceError, env.svc.login, "technician-2", "pw2").value.code == "login_failed"


def test_lockout_after_repeated_failures(env, creds):
    for _ in range(5):
        with pytest.raises(ServiceError):
            env.svc.login("technician-1", "0000", pin=True)
    err = pytest.raises(ServiceError, env.svc.login, "technician-1", "472913", pin=True).value
    assert err.code == "login_locked" and "5分钟" in err.message("zh")
    other = pytest.raises(ServiceError, env.svc.login, "clerk-1", "0000", pin=True).value
    assert other.code == "login_failed"  # only the name under attack is locked


def test_a_deactivated_user_cannot_log_in(env, creds):
    env.w.hub.write([{"op": "put", "table": "users", "id": creds, "fields": {"active": False}}])
    env.sync()
    assert pytest.raises(ServiceError, env.svc.login, "technician-1", "Zhang-2024!").value.code == "user_inactive"
