import pytest

from tests.ui.cluster import UiCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = UiCluster(tmp_path_factory.mktemp("ui"))
    yield c
    c.stop()
