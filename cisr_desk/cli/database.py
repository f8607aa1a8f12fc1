"""``cisr-desk db init-postgres``: a PostgreSQL database for several seats, with an owner role
that runs the migrations and an application role that can never change the audit log."""
from __future__ import annotations

import secrets
import sys

from cisr_desk.cli.main import CliError
from cisr_desk.domain.errors import DeskError


def register(sub) -> None:
    p = sub.add_parser("db", help="set up the database for several seats")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    a = dsub.add_parser("init-postgres", help="create (or update) a PostgreSQL database, its owner and its "
                                              "application user, and migrate it")
    a.add_argument("--url", required=True, metavar="ADMIN_URL",
                   help="a superuser's URL on the server, e.g. postgresql+psycopg://postgres@localhost/postgres")
    a.add_argument("--database", required=True, metavar="NAME")
    a.add_argument("--owner", required=True, metavar="ROLE", help="owns the schema and runs migrations")
    a.add_argument("--app-user", required=True, metavar="ROLE", help="the role every seat connects as")
    a.add_argument("--password-stdin", action="store_true",
                   help="read the owner's password, then the application user's, one a line, from stdin "
                        "(default: new random passwords, printed once)")
    a.set_defaults(func=_init_postgres)


def _init_postgres(args) -> int:
    from cisr_desk.store.pgsetup import init_postgres

    if args.password_stdin:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2 or not lines[0] or not lines[1]:
            raise CliError("--password-stdin: give two lines, the owner's password and the application user's")
        owner_pw, app_pw = lines[0], lines[1]
    else:
        owner_pw, app_pw = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    try:
        setup = init_postgres(args.url, args.database, args.owner, args.app_user, owner_password=owner_pw,
                              app_password=app_pw)
    except DeskError as exc:
        raise CliError(str(exc), 1) from exc
    except Exception as exc:  # the server's refusal (no such host, not allowed, ...) in one line
        raise CliError(f"PostgreSQL set-up failed: {str(exc).splitlines()[0]}", 1) from exc
    print(f"database {args.database} is up to date, owned by {args.owner}; {args.app_user} may work but never "
          "change the audit log")
    if not args.password_stdin:
        print(f"owner (migrations; keep it safe): {setup.owner_url}")
        print(f"seats (CISR_DESK_DB or --db):     {setup.app_url}")
    return 0
