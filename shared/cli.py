"""The `fieldsync` command: dispatches to the hub's and the node's command groups, which
are thin over their services."""
import argparse
import sys
from pathlib import Path


def command_group(sub, name: str, help_: str, dir_help: str):
    """A command group (`fieldsync hub`, `fieldsync node`) whose every command takes --dir.
    Returns `cmd(name, help, fn)`, which adds one command and returns its parser."""
    group = sub.add_parser(name, help=help_).add_subparsers(dest="cmd", required=True)

    def cmd(command: str, command_help: str, fn):
        c = group.add_parser(command, help=command_help, description=command_help)
        c.add_argument("--dir", required=True, type=Path, help=dir_help)
        c.set_defaults(fn=fn)
        return c
    return cmd


def build_parser() -> argparse.ArgumentParser:
    from hub.cli import add_parser as add_hub
    from hub.demo import add_parser as add_demo
    from node.cli import add_parser as add_node
    parser = argparse.ArgumentParser(prog="fieldsync", description="fieldsync: offline-first after-sales service")
    sub = parser.add_subparsers(dest="side", required=True)
    add_hub(sub)
    add_node(sub)
    add_demo(sub)
    v = sub.add_parser("version", help="print the version")
    v.set_defaults(fn=lambda _a: print(_version()) or 0)
    return parser


def _version() -> str:
    from importlib.metadata import version
    return version("fieldsync")


def main(argv: list[str] | None = None) -> int:
    from shared.messages import describe
    from sync.enrollment import PinMismatch
    from sync.errors import SyncError
    from sync.http_client import HubUnreachable
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args) or 0
    except SyncError as exc:
        print(f"fieldsync: {describe(exc.code)} [{exc.code}: {exc.message}]", file=sys.stderr)
    except HubUnreachable as exc:
        print(f"fieldsync: {describe('unreachable')} [{exc}]", file=sys.stderr)
    except PinMismatch as exc:
        print(f"fieldsync: {describe('pin_mismatch')} [{exc}]", file=sys.stderr)
    except (ValueError, OSError) as exc:
        print(f"fieldsync: {exc}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
