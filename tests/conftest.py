"""Fixtures every test folder shares."""
import pytest

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
