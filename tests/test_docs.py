"""The README documents every CLI command (a command without docs fails here)."""
import argparse
from pathlib import Path

from shared.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text()


def commands(parser: argparse.ArgumentParser, prefix=("fieldsync",)):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, prefix + (name,))
            return
    yield " ".join(prefix)


def test_every_cli_command_is_in_the_readme():
    found = list(commands(build_parser()))
    assert len(found) >= 12
    missing = [c for c in found if f"`{c}" not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands():
    assert "make demo" in README and "make test" in README
