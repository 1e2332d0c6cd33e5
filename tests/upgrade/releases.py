"""Every release as a test fixture. releases.json maps a released version to its commit (a
tag may not travel with a clone; the hash does), the change schema it wrote and the store
file version it left. `release_tree` unpacks a release's code with `git archive`, and
`run_release` runs a script of this directory with that code, as a subprocess on this
interpreter: the files it leaves are what an outlet or HQ running that release holds.
A new release adds its row to releases.json; every test parametrised over RELEASES then
upgrades from it too."""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
RELEASES: dict[str, dict] = json.loads((HERE / "releases.json").read_text())


def release_tree(version: str, into: Path) -> Path:
    """The release's source tree (unpacked once into `into`)."""
    tree = into / f"fieldsync-{version}"
    if not tree.exists():
        partial = into / f"fieldsync-{version}.part"
        partial.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", RELEASES[version]["commit"]],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(tree)
    return tree


def run_release(tree: Path, script: str, *args) -> str:
    """Run tests/upgrade/<script> with the release's code; returns its output."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{script} under {tree.name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
