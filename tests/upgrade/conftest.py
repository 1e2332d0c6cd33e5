import shutil

import pytest

from tests.upgrade.releases import RELEASES, release_tree, run_release


@pytest.fixture(scope="session")
def release_trees(tmp_path_factory):
    root = tmp_path_factory.mktemp("releases")
    return lambda version: release_tree(version, root)


@pytest.fixture(scope="session")
def field_work(release_trees, tmp_path_factory):
    """release version -> a directory of files that release left after field work
    (tests/upgrade/field_work.py), made once per session; copy it before opening."""
    made = {}

    def files(version: str):
        if version not in made:
            made[version] = tmp_path_factory.mktemp(f"field-{version}")
            run_release(release_trees(version), "field_work.py", made[version])
        return made[version]
    return files


@pytest.fixture
def field_copy(field_work, tmp_path):
    def copy(version: str):
        target = tmp_path / f"field-{version}"
        shutil.copytree(field_work(version), target)
        return target
    return copy


def pytest_generate_tests(metafunc):
    if "release" in metafunc.fixturenames:
        metafunc.parametrize("release", sorted(RELEASES))
