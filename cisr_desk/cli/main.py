"""``cisr-desk`` entry point. Each command module adds its sub-commands; errors are one clear line.

Never a traceback: what a command does not turn into a ``CliError`` itself is caught here as a
last resort (``_last_resort``): a closed pipe ends quietly, a file problem names the file, a
database problem says so, and anything else is an internal error whose traceback goes to a
log file the message names.

A Ctrl-C reaches every process of the terminal's process group: the capture workers ignore it
(``capture/workers.py``), the command stops with "interrupted" and status 130, and once the
command is over a late Ctrl-C no longer breaks into the interpreter's exit, which waits for those
workers to finish their page (it printed a traceback).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import signal
import sys
import traceback
from pathlib import Path

from cisr_desk import __version__

# Command modules, in the order their commands appear in --help. A module that fails to import
# (a missing optional part) must not take the rest of the command line down with it.
COMMAND_MODULES = (
    "cisr_desk.cli.extract",
    "cisr_desk.cli.template",
    "cisr_desk.cli.workflow",
    "cisr_desk.cli.database",
    "cisr_desk.cli.pages",
    "cisr_desk.cli.gui",
    "cisr_desk.cli.calibrate",
    "cisr_desk.cli.check",
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
    """Run the command line; ``argv`` None: this process's own arguments (the program itself)."""
    try:
        return _main(argv)
    finally:
        if argv is None:
            _calm_exit()


def _main(argv: list[str] | None) -> int:
    try:
        status = _run(argv)
        if sys.stdout is not None:  # None: started with it closed, and nothing was written to it
            sys.stdout.flush()  # inside the try: a reader that went away (| head) is noticed here
        return status
    except CliError as exc:
        print(f"cisr-desk: {_one_line(exc)}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("cisr-desk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except Exception as exc:  # the last resort: a message and a status, never a traceback
        print(f"cisr-desk: {_last_resort(exc)}", file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    if sys.stdout is None and getattr(args, "needs_stdout", True):
        # started with standard output closed (`>&-`): what the command would say would be lost
        raise CliError("standard output is closed: nowhere to write what the command says")
    return int(args.func(args) or 0)


def _calm_exit() -> None:
    """The command is over: a Ctrl-C from now on would only interrupt the exit (see the module's
    docstring), so it is ignored."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: no signal handling of ours to change
        pass


def _quiet_stdout() -> None:
    """The reader of our output has gone (``cisr-desk show 8 | head``): that is no error. Point
    stdout at devnull so the interpreter's final flush does not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _last_resort(exc: Exception) -> str:
    """One line for an exception no command handled."""
    if isinstance(exc, OSError) and (exc.filename or exc.strerror):
        name = f"{exc.filename}: " if exc.filename else ""
        return _one_line(f"{name}{exc.strerror or exc}")
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        if "readonly database" in first:  # SQLite's words for a file (or its folder) this user may not write
            first += " (the database file, or the folder it is in, may not be written by this user)"
        return f"database error: {_one_line(first)}{_logged(exc)}"
    return f"internal error: {type(exc).__name__}: {_one_line(exc)}{_logged(exc)}"


def _logged(exc: Exception) -> str:
    """Write the traceback to the log folder; the hint that ends the message."""
    try:
        from platformdirs import user_log_dir

        folder = Path(user_log_dir("cisr-desk", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "errors.log"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} cisr-desk {' '.join(sys.argv[1:])}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return f" (details in {path})"
    except Exception:
        return ""
