"""Fixtures every test folder shares: Debian's chromium for the browser tests; the hub's
store on both databases (`hub_db`: a SQLite file, then a fresh database on the session's
private PostgreSQL, fieldsync/testing/postgres.py; `hub_places` for a test that builds many
hubs in turn); and process hygiene for the whole
session — every process a test started must be gone when the session ends (a server left
running holds a port and a store, and hides a stop that does not work)."""
from pathlib import Path

import psutil
import pytest

from fieldsync.testing import postgres as pg

from tests.ui.browser import have_chromium, launch


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser); one per module."""
    if not have_chromium():
        pytest.fail("browser tests need Debian's chromium at /usr/bin/chromium: apt-get install -y chromium "
                    "(make test installs it when run as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def every_child_is_reaped():
    yield
    me = psutil.Process()
    left = [c for c in me.children(recursive=True) if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    if left:
        described = [f"{c.pid} {' '.join(c.cmdline()[:6])}" for c in left]
        for c in left:  # do not leave them to the next session either
            c.kill()
        pytest.fail("processes the tests started are still running:\n" + "\n".join(described), pytrace=False)


@pytest.fixture(scope="session")
def postgres():
    """The session's private PostgreSQL server (one for the whole run). Missing server
    binaries fail the test with the install command: the tests never skip for want of them."""
    if not pg.available():
        pytest.fail(f"the PostgreSQL tests need PostgreSQL's server binaries in {pg.BIN}: {pg.INSTALL}")
    yield pg.session_server()
    pg.stop_session_server()


STORES = ("sqlite", "postgres")


class HubPlaces:
    """Fresh places for hub stores, all on one store: SQLite files in the test's folder, or
    new databases on the session's PostgreSQL. A test that needs one hub takes `hub_db`;
    one that builds many in turn (the convergence machine, an example each) takes
    `hub_places` and gives each back with `discard` when done."""

    def __init__(self, store: str, tmp: Path, server: pg.PostgresServer | None):
        self.store, self.tmp, self.server = store, tmp, server
        self.made: list[str | Path] = []

    def new(self) -> str | Path:
        """A place no hub has used: a file's path (not yet created) or a database's URL."""
        if self.server is None:
            place: str | Path = self.tmp / ("hub.db" if not self.made else f"hub-{len(self.made) + 1}.db")
        else:
            place = self.server.create_database()
        self.made.append(place)
        return place

    def discard(self, place: str | Path) -> None:
        """The hub at `place` is closed and no longer needed: its database is dropped (a
        file stays with the test's folder)."""
        if self.server is not None and place in self.made:
            self.server.drop_database(pg.database_name(str(place)))
            self.made.remove(place)

    def close(self) -> None:
        for place in list(self.made):
            self.discard(place)


@pytest.fixture(params=STORES)
def hub_places(request, tmp_path):
    """`HubPlaces` on one store, once per store (SQLite, then the private PostgreSQL)."""
    server = request.getfixturevalue("postgres") if request.param == "postgres" else None
    places = HubPlaces(request.param, tmp_path, server)
    yield places
    places.close()


@pytest.fixture
def hub_db(hub_places):
    """Where a test's hub store lives, once per store: a SQLite file's path, then the URL of
    a fresh PostgreSQL database (dropped after the test)."""
    return hub_places.new()
