"""The `fieldsync` command: dispatches to the hub's and the node's command groups, which
are thin over their services, and to the demo, the one command that drives both sides."""
import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    from hub.cli import add_parser as add_hub
    from fieldsync.demo.command import add_parser as add_demo
    from node.cli import add_device_parser
    from node.cli import add_parser as add_node
    parser = argparse.ArgumentParser(prog="fieldsync", description="fieldsync: offline-first after-sales service")
    sub = parser.add_subparsers(dest="side", required=True)
    add_hub(sub)
    add_node(sub)
    add_device_parser(sub)
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
