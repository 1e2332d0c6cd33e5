"""The shape both command groups share (`fieldsync hub …`, `fieldsync node …`): every
command takes --dir, the directory that holds everything of that hub or node, and runs
with the umask that keeps that directory its owner's alone."""
import os
from pathlib import Path

from shared.private_files import OWNER_ONLY


def command_group(sub, name: str, help_: str, dir_help: str):
    """A command group (`fieldsync hub`, `fieldsync node`) whose every command takes --dir.
    Returns `cmd(name, help, fn)`, which adds one command and returns its parser."""
    group = sub.add_parser(name, help=help_).add_subparsers(dest="cmd", required=True)

    def cmd(command: str, command_help: str, fn):
        c = group.add_parser(command, help=command_help, description=command_help)
        c.add_argument("--dir", required=True, type=Path, help=dir_help)
        c.set_defaults(fn=owner_only(fn))
        return c
    return cmd


def owner_only(fn):
    """`fn` with the process umask set first: whatever it or SQLite creates later (a -wal
    after a checkpoint, a blob's directory) has no group or other bits."""
    def run(args):
        os.umask(OWNER_ONLY)
        return fn(args)
    return run
