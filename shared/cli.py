"""The `fieldsync` command: dispatches to the hub's and the node's command groups, which
are thin over their services."""
import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fieldsync", description="fieldsync: offline-first after-sales service")
    sub = parser.add_subparsers(dest="side")
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    if args.side == "version":
        from importlib.metadata import version
        print(version("fieldsync"))
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
