"""``cisr-desk`` entry point. Each command module adds its sub-commands; errors are one clear line."""
from __future__ import annotations

import argparse
import importlib
import sys

from cisr_desk import __version__

# Command modules, in the order their commands appear in --help. A module that fails to import
# (a missing optional part) must not take the rest of the command line down with it.
COMMAND_MODULES = (
    "cisr_desk.cli.extract",
    "cisr_desk.cli.template",
    "cisr_desk.cli.workflow",
    "cisr_desk.cli.pages",
    "cisr_desk.cli.gui",
)


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2 (or ``status``)."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cisr-desk",
        description="Capture, review, approve and export SCE CISR-DRP (Form 14-941) authorizations.",
    )
    parser.add_argument("--version", action="version", version=f"cisr-desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"cisr-desk: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("cisr-desk: interrupted", file=sys.stderr)
        return 130
