"""The README documents every CLI command, every flag (in its Configuration table) and
every environment variable the code reads (an undocumented one fails here)."""
import argparse
import re
from pathlib import Path

from fieldsync.cli import build_parser

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
UNDOCUMENTED_FLAGS = {"-h", "--help", "--dir"}  # --dir: said once for every command


def leaves(parser: argparse.ArgumentParser, prefix=("fieldsync",)):
    """(command, its parser) for every runnable command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaves(sub, prefix + (name,))
            return
    yield " ".join(prefix), parser


def commands(parser: argparse.ArgumentParser):
    return [name for name, _ in leaves(parser)]


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def test_every_cli_command_is_in_the_readme():
    found = commands(build_parser())
    assert len(found) >= 12
    missing = [c for c in found if f"`{c}" not in README]
    assert missing == []


def test_every_flag_is_in_the_configuration_table():
    rows = [line for line in section("Configuration").splitlines() if line.startswith("| `fieldsync ")]
    missing = []
    for command, parser in leaves(build_parser()):
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for flag in set(action.option_strings) - UNDOCUMENTED_FLAGS:
                if not any(f"`{command}`" in r and re.search(rf"`{re.escape(flag)}[` ]", r) for r in rows):
                    missing.append(f"{command} {flag}")
    assert missing == []


def test_every_environment_variable_is_documented():
    names = set()
    for folder in ("shared", "sync", "hub", "node", "bench", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"FIELDSYNC_[A-Z][A-Z_]*", path.read_text(encoding="utf-8")))
    assert names and sorted(n for n in names if f"`{n}" not in section("Configuration")) == []


def test_readme_opens_with_the_two_commands():
    assert "make demo" in README and "make test" in README
