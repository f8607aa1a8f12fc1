"""``cisr-desk gui``: the desktop application."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("gui", help="start the desktop application")
    p.add_argument("--db", metavar="URL", help="database URL or SQLite file (default: the user's database)")
    p.add_argument("--demo-if-empty", action="store_true",
                   help="on an empty database, create demo users, the sample registry and sample scans")
    p.set_defaults(func=_gui)


def _gui(args) -> int:
    from cisr_desk.ui.app import run

    return run(db_url=args.db, demo_if_empty=args.demo_if_empty)
