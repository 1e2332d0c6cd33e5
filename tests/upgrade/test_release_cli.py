"""What HQ's operator sees of a rollout on the command line: `hub nodes` shows each node's
release and schema and flags the ones behind; a hub.db written by a newer release is
refused in words, not a traceback. And the version a node reports is the package's."""
import sqlite3
import tomllib
from pathlib import Path

from hub.home import HubHome
from hub.migrations import HUB_SCHEMA
from fieldsync.cli import main
from shared.release import APP_VERSION
from sync import hub_handlers
from sync.keys import SigningKey

ROOT = Path(__file__).parent.parent.parent


def enroll(hub, outlet_id: str, app_version: str, schema: int) -> str:
    return hub_handlers.enroll(hub, {"token": hub.create_enroll_token(outlet_id), "name": app_version,
                                     "public_key": SigningKey.generate().public_b64,
                                     "app_version": app_version, "schema": schema})["node_id"]


def test_hub_nodes_shows_releases_and_flags_the_nodes_behind(tmp_path, capsys):
    assert main(["hub", "init", "--dir", str(tmp_path)]) == 0
    assert main(["hub", "outlet-add", "--dir", str(tmp_path), "--code", "SH01", "--name", "上海1号"]) == 0
    outlet_id = capsys.readouterr().out.strip().splitlines()[-1]
    hub = HubHome(tmp_path).open()
    old, new = enroll(hub, outlet_id, "0.1.0", 1), enroll(hub, outlet_id, APP_VERSION, 1)
    hub.close()
    assert main(["hub", "nodes", "--dir", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "release=0.1.0 schema=1  BEHIND" in lines[old]
    assert f"release={APP_VERSION} schema=1" in lines[new] and "BEHIND" not in lines[new]


def test_a_hub_file_of_a_newer_release_is_refused_in_words(tmp_path, capsys):
    assert main(["hub", "init", "--dir", str(tmp_path)]) == 0
    with sqlite3.connect(HubHome(tmp_path).db) as conn:
        conn.execute(f"PRAGMA user_version = {HUB_SCHEMA.latest + 1}")
    assert main(["hub", "nodes", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "较新版本" in err and f"newer release (schema {HUB_SCHEMA.latest + 1})" in err and "Traceback" not in err


def test_the_release_a_node_reports_is_the_packages_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert APP_VERSION == project["version"]
    assert f"## {APP_VERSION}" in (ROOT / "CHANGELOG.md").read_text()
