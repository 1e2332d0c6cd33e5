"""Process hygiene for the whole test session: every process a test started must be gone
when the session ends (a server left running holds a port and a store, and hides a stop
that does not work)."""
import psutil
import pytest


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
