"""Failed logins are throttled per name and source (issue #17 item 4, shared/login_throttle.py):
a stranger typing a technician's name with wrong secrets locks out only himself — for longer
each time, up to an hour — while the technician, from his own tablet, logs in. Only many
failures from several sources hold the name itself, briefly, and attempts during that hold
do not extend it; a source the name logged in from before is not held. Every attempt a lock
lets through costs exactly one KDF, whoever it names (no user enumeration by timing)."""
import hashlib

import pytest

from fieldsync.testing.world import World
from hub.services import HubServices
from node.services import NodeServices
from shared import login_throttle as lt
from shared.errors import ServiceError
from shared.login_throttle import LoginThrottle
from shared.passwords import hash_password
from sync.hub_store import HubStore

MINUTE = 60 * 1000
STRANGER, TABLET, DESK = "192.168.1.66", "192.168.1.21", "192.168.1.22"


class Clock:
    def __init__(self):
        self.at = 1_760_000_000_000

    def __call__(self) -> int:
        return self.at

    def advance(self, ms: int) -> None:
        self.at += ms


@pytest.fixture
def outlet(tmp_path):
    """A node whose technician-1 has a password; the services' clock can be moved."""
    w = World(tmp_path)
    w.hub.write([{"op": "put", "table": "users", "id": "technician-1", "fields": {
        "password_hash": hash_password("Zhang-2024!")}}])
    node = w.node(w.outlets[0])
    node.sync()
    clock = Clock()
    yield NodeServices(node.store, now=clock, queue_blob=lambda data: "", sync_now=node.sync), clock
    w.close()


def code_of(login, *args, **kwargs) -> str:
    try:
        login(*args, **kwargs)
    except ServiceError as exc:
        return exc.code
    return "ok"


def locked_message(services) -> str:
    return pytest.raises(ServiceError, services.login, "technician-1", "x", source=STRANGER).value.message("zh")


def test_a_stranger_locks_out_only_himself_for_longer_each_time(outlet):
    services, clock = outlet
    codes = [code_of(services.login, "technician-1", f"guess{i}", source=STRANGER) for i in range(8)]
    assert codes == ["login_failed"] * 5 + ["login_locked"] * 3
    locked = pytest.raises(ServiceError, services.login, "technician-1", "Zhang-2024!", source=STRANGER).value
    assert "5分钟" in locked.message("zh") and "5 minutes" in locked.message("en")
    # the technician, from his tablet, is not locked out by the stranger
    assert services.login("technician-1", "Zhang-2024!", source=TABLET).user_id == "technician-1"
    clock.advance(5 * MINUTE + 1)
    assert code_of(services.login, "technician-1", "guess", source=STRANGER) == "login_failed"
    assert "10分钟" in locked_message(services)
    for _ in range(6):  # 20, 40, 60, then never more than an hour
        clock.advance(60 * MINUTE + 1)
        assert code_of(services.login, "technician-1", "guess", source=STRANGER) == "login_failed"
    assert "60分钟" in locked_message(services)
    assert services.login("technician-1", "Zhang-2024!", source=TABLET).user_id == "technician-1"


def test_many_sources_hold_the_name_briefly_and_cannot_extend_it(outlet):
    services, clock = outlet
    services.login("technician-1", "Zhang-2024!", source=TABLET)  # his tablet: a known source
    sources = [f"10.0.0.{i}" for i in range(lt.NAME_SOURCES)]
    for i in range(lt.NAME_FAILURES):
        assert code_of(services.login, "technician-1", "guess", source=sources[i % len(sources)]) != "ok"
    assert code_of(services.login, "technician-1", "Zhang-2024!", source=DESK) == "login_locked"  # held
    assert code_of(services.login, "technician-1", "Zhang-2024!", source=TABLET) == "ok"  # known: not held
    for _ in range(4):  # the guessers keep going during the hold, from new sources
        clock.advance(MINUTE)
        for s in range(10):
            code_of(services.login, "technician-1", "guess", source=f"10.0.1.{s}")
    clock.advance(lt.NAME_LOCK_MS - 4 * MINUTE + 1)
    assert code_of(services.login, "technician-1", "Zhang-2024!", source=DESK) == "ok"  # not extended


def test_the_throttle_holds_a_bounded_memory():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for i in range(lt.MAX_ENTRIES + 500):
        throttle.failed(f"name-{i}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
        clock.advance(1)
    assert throttle.size() <= 2 * lt.MAX_ENTRIES
    assert throttle.source_of("10.0.0.1") != "10.0.0.1" and "10.0.0.1" not in repr(throttle.__dict__)


def kdf_calls(monkeypatch) -> list:
    calls: list = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def test_every_failed_login_costs_one_kdf_whoever_it_names(tmp_path, monkeypatch):
    hub = HubStore(tmp_path / "hub.db")
    hub.write([{"op": "put", "table": "users", "id": "agent", "fields": {
        "username": "hq.agent", "role": "hq_agent", "active": True, "password_hash": hash_password("right")}},
        {"op": "put", "table": "users", "id": "nohash", "fields": {"username": "hq.nohash", "role": "hq_agent",
                                                                    "active": True}}])
    services = HubServices(hub)
    code_of(services.login, "warm-up", "x")  # the dummy hash is made once per process
    calls = kdf_calls(monkeypatch)
    for name, secret in [("nobody", "x"), ("hq.nohash", "x"), ("hq.agent", "wrong"), ("hq.agent", "right")]:
        before = len(calls)
        code_of(services.login, name, secret, source=DESK)
        assert len(calls) - before == 1, name
    hub.close()
