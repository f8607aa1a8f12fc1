"""``cisr-desk gui``: the desktop application."""
from __future__ import annotations

from cisr_desk.cli.main import CliError


def register(sub) -> None:
    p = sub.add_parser("gui", help="start the desktop application")
    p.add_argument("--db", metavar="URL", help="database URL or SQLite file (default: the user's database)")
    p.add_argument("--demo-if-empty", action="store_true",
                   help="on an empty database, create demo users, the sample registry and sample scans")
    # started from a launcher, standard output may be closed: the application does not use it
    p.set_defaults(func=_gui, needs_stdout=False)


def _gui(args) -> int:
    from cisr_desk.ui.app import run

    _check_db(args.db)
    return run(db_url=args.db, demo_if_empty=args.demo_if_empty)


def _check_db(given: str | None) -> None:
    """A ``--db`` that names no usable database is said here, before any window opens (an empty
    one would quietly open the default database instead). A new SQLite file is fine: the
    application asks for its first administrator."""
    from cisr_desk.domain.errors import DeskError
    from cisr_desk.store import db

    if given is None:
        return
    if not given.strip():
        raise CliError(f"--db is empty: give {db.URL_FORMS}")
    try:
        db.parse_url(db.resolve_url(given))
    except DeskError as exc:
        raise CliError(str(exc), 1) from None
