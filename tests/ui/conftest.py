import pytest

from tests.ui.browser import have_chromium, launch
from tests.ui.cluster import UiCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = UiCluster(tmp_path_factory.mktemp("ui"))
    yield c
    c.stop()


@pytest.fixture(scope="module")
def browser():
    if not have_chromium():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
