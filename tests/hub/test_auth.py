"""HQ login: HQ users only, scrypt passwords, lock-out after repeated failures, and a
deactivated user stopped at the next action."""
import pytest

from fieldsync.demo.data import DEMO_PASSWORD
from shared.errors import ServiceError


def test_hq_users_log_in_with_their_role(services):
    for name, role in [("hq.agent", "hq_agent"), ("hq.approver", "hq_approver"), ("admin", "admin")]:
        assert services.login(name, DEMO_PASSWORD).role == role


def test_outlet_users_and_wrong_passwords_are_refused_alike(services):
    for name, secret in [("sh01.clerk", DEMO_PASSWORD), ("hq.agent", "wrong"), ("nobody", DEMO_PASSWORD)]:
        with pytest.raises(ServiceError) as e:
            services.login(name, secret)
        assert e.value.code == "login_failed"
        assert "用户名或密码错误" in e.value.message("zh")


def test_five_failures_lock_the_name_for_five_minutes(services, clock):
    for _ in range(5):
        with pytest.raises(ServiceError):
            services.login("hq.agent", "wrong")
    with pytest.raises(ServiceError) as e:
        services.login("hq.agent", DEMO_PASSWORD)
    assert e.value.code == "login_locked"
    clock.advance(5 * 60 * 1000 + 1)
    assert services.login("hq.agent", DEMO_PASSWORD).username == "hq.agent"


def test_a_deactivated_user_is_stopped_at_the_next_write(services, agent, admin):
    services.ctx.write(admin, [{"op": "put", "table": "users", "id": agent.user_id, "fields": {"active": False}}])
    with pytest.raises(ServiceError) as e:
        services.ctx.write(agent, [{"op": "put", "table": "outlets", "id": "x", "fields": {"name": "x"}}])
    assert e.value.code == "user_inactive"
    assert services.ctx.row("outlets", "x") is None
