"""Fixtures every test folder shares: Debian's chromium for the browser tests; the hub's
store on both databases (`hub_db`: a SQLite file, then a fresh database on the session's
private PostgreSQL, fieldsync/testing/postgres.py); and process hygiene for the whole
session — every process a test started must be gone when the session ends (a server left
running holds a port and a store, and hides a stop that does not work)."""
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


@pytest.fixture(params=STORES)
def hub_db(request, tmp_path):
    """Where a test's hub store lives, once per store: a SQLite file's path, then the URL of
    a fresh PostgreSQL database (dropped after the test)."""
    if request.param == "sqlite":
        yield tmp_path / "hub.db"
        return
    server = request.getfixturevalue("postgres")
    url = server.create_database()
    yield url
    server.drop_database(pg.database_name(url))
