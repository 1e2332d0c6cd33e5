"""Hub service tests over a real hub store with the small demo network (6 outlets, 300
orders, HQ users hq.agent / hq.approver / admin, password demo1234), each test once on a
SQLite file and once on PostgreSQL (`hub` is parametrized by store). The demo data is
generated once per session into a template (a file; a PostgreSQL template database) and
copied for each test, so every test starts from the same hub and may write freely."""
import shutil

import pytest

from fieldsync.demo.data import DEMO_PASSWORD, SMALL, generate
from hub.services import HubServices
from shared.passwords import hash_password
from shared.roles import Role
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store
from fieldsync.testing.postgres import database_name
from tests.conftest import STORES

NOW = 1_780_000_000_000  # a fixed "now" (2026-05-28) so periods and SLA clocks are repeatable


def _fill(hub) -> None:
    generate(hub, seed=6, now=NOW, sizes=SMALL)
    hub.write([{"op": "put", "table": "users", "id": "admin", "fields": {
        "username": "admin", "display_name": "系统管理员", "role": str(Role.ADMIN),
        "password_hash": hash_password(DEMO_PASSWORD), "active": True}}])


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("hub-template") / "hub.sqlite"
    hub = HubStore(path, key=SigningKey.generate())
    _fill(hub)
    hub.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    hub.close()
    return path


@pytest.fixture(scope="session")
def hub_template_pg(postgres):
    """The same demo hub in a PostgreSQL database, copied per test (CREATE DATABASE …
    TEMPLATE: it must have no connection left, so the store is closed)."""
    url = postgres.create_database(name="hub_template")
    hub = open_hub_store(url, key=SigningKey.generate())
    _fill(hub)
    hub.close()
    return "hub_template"


class Clock:
    """The services' clock, moved by tests (epoch ms)."""

    def __init__(self, at: int = NOW):
        self.at = at

    def __call__(self) -> int:
        return self.at

    def advance(self, ms: int) -> None:
        self.at += ms


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=STORES)
def hub(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "hub.sqlite"
        shutil.copy(request.getfixturevalue("hub_template"), path)
        store = HubStore(path, key=SigningKey.generate())
        yield store
        store.close()
        return
    server = request.getfixturevalue("postgres")
    url = server.create_database(template=request.getfixturevalue("hub_template_pg"))
    store = open_hub_store(url, key=SigningKey.generate())
    yield store
    store.close()
    server.drop_database(database_name(url))


@pytest.fixture
def services(hub, clock):
    return HubServices(hub, now=clock)


@pytest.fixture
def agent(services):
    return services.login("hq.agent", DEMO_PASSWORD)


@pytest.fixture
def approver(services):
    return services.login("hq.approver", DEMO_PASSWORD)


@pytest.fixture
def admin(services):
    return services.login("admin", DEMO_PASSWORD)


REVIEWER_PASSWORD = "Review-2026-kb!"


@pytest.fixture
def reviewer(services, admin):
    """A second HQ administrator, who reviews the articles `admin` writes."""
    services.admin.network.create_user(admin, username="li.review", display_name="李审核", role="admin",
                                       password=REVIEWER_PASSWORD)
    return services.login("li.review", REVIEWER_PASSWORD)
