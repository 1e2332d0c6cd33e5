"""A login stores nothing unbounded (issue #17 item 4): the failed-login audit keeps the typed
username for the lock-out, so a name longer than anybody's (64 characters) is refused in words,
zh and en, before anything is written — on the node and at HQ."""
import pytest

from fieldsync.testing.world import World
from hub.services import HubServices
from node.services import NodeServices
from shared.errors import ServiceError
from shared.login_input import MAX_USERNAME
from sync.hub_store import HubStore

HUGE = "x" * (2 * 1024 * 1024)


def audit_rows(conn, table: str) -> int:
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def refused_too_long(login, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as err:
        login(*args, **kwargs)
    assert err.value.code == "login_too_long"
    assert str(MAX_USERNAME) in err.value.message("zh") and "too long" in err.value.message("en")
    return err.value


def test_the_node_refuses_a_huge_username_and_stores_nothing(tmp_path):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    services = NodeServices(node.store, queue_blob=lambda data: "", sync_now=node.sync)
    with pytest.raises(ServiceError):
        services.login("n" * MAX_USERNAME, "1234", pin=True)  # at the bound: an ordinary failure, audited
    before = audit_rows(node.store.conn, "_audit")
    refused_too_long(services.login, HUGE, "1234", pin=True)
    refused_too_long(services.login, "technician-1", HUGE)
    assert audit_rows(node.store.conn, "_audit") == before
    w.close()


def test_hq_refuses_a_huge_username_and_stores_nothing(tmp_path):
    hub = HubStore(tmp_path / "hub.db")
    services = HubServices(hub)
    with pytest.raises(ServiceError):
        services.login("n" * MAX_USERNAME, "secret")
    before = audit_rows(hub.conn, "hq_audit")
    refused_too_long(services.login, HUGE, "secret")
    assert audit_rows(hub.conn, "hq_audit") == before
    hub.close()
