"""The review workflow on the command line, so an office can script it and tests can drive it.

    cisr-desk import [--registry FILE] PDF|FOLDER...     cisr-desk export --week 2026-W48 [--out FILE]
    cisr-desk users add NAME --role clerk|supervisor|admin [--password-stdin]
    cisr-desk users list|disable NAME|enable NAME|role NAME ROLE|reset-password NAME|passwd
    cisr-desk registry import FILE                       cisr-desk records [--status S] [--json]
    cisr-desk show ID [--json]                           cisr-desk set ID FIELD VALUE
    cisr-desk submit|approve ID                          cisr-desk flag|reject ID --reason TEXT
    cisr-desk claim ID | next | release ID [--force]      cisr-desk reasons [add CODE LABEL | remove CODE]

Every command takes ``--db URL`` (else ``CISR_DESK_DB``, settings, or the default SQLite file;
a SQLite file named with ``--db`` must exist, except for ``users add`` of a new database's first
admin) and signs in first: ``--as NAME`` (else ``CISR_DESK_USER``), the password from
``CISR_DESK_PASSWORD`` or a prompt on a terminal. Only the first user of an empty database is
added without signing in (and must be an admin).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import getpass
import json
import os
import shlex
import sys
from functools import wraps
from pathlib import Path

from cisr_desk.cli.main import CliError
from cisr_desk.domain.errors import DeskError
from cisr_desk.domain.workflow import ROLES, STATUSES

DESK_ERROR_STATUS = 1
ENV_USER = "CISR_DESK_USER"
ENV_PASSWORD = "CISR_DESK_PASSWORD"
# Every command signs in: a script's sign-ins are audited once per this many minutes (per user and
# machine), not once per command, which would bury the changes the commands make.
SIGN_IN_LOG_MINUTES = 15
# how a command signs in: always; not on an empty database (its first user); with a password an
# admin reset (to choose a new one)
SIGN_IN, FIRST_USER_FREE, OWN_PASSWORD = "sign-in", "first-user-free", "own-password"


def _common(nested: bool = False) -> argparse.ArgumentParser:
    """``--db``. ``nested``: for the actions of a command that takes it too (``users --db URL
    list``): there an absent option must not overwrite the command's with its default, or the
    action would run quietly against another database."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help="database URL (default: CISR_DESK_DB, settings, or the "
                                                    "SQLite file in your data folder)",
                        **({"default": argparse.SUPPRESS} if nested else {}))
    return common


def _as(p: argparse.ArgumentParser, nested: bool = False) -> None:
    p.add_argument("--as", dest="user", metavar="USER",
                   help=f"sign in as USER (default: {ENV_USER}); the password comes from {ENV_PASSWORD} or "
                        "a prompt on a terminal", **({"default": argparse.SUPPRESS} if nested else {}))


def _password_stdin(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from the first line of standard input (else a prompt)")


def _version(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", dest="expected_version", type=int, metavar="N",
                   help="the record's version you looked at (show/records --json): refused if it changed since")


def register(sub) -> None:
    common = _common()
    inner = _common(nested=True)  # the actions of users, registry and reasons

    p = sub.add_parser("import", parents=[common], help="capture scans (PDF, TIFF, JPEG, PNG) and store their forms for review")
    p.add_argument("paths", nargs="+", type=Path, metavar="SCAN|FOLDER")
    p.add_argument("--registry", type=Path, metavar="FILE", help="import this DRP registry (CSV/XLSX) first")
    p.add_argument("--received", type=_date, metavar="YYYY-MM-DD", help="date the mail was received")
    p.add_argument("--workers", type=int, help="capture processes (default: one per CPU)")
    _as(p)
    p.set_defaults(func=_cmd(_import))

    p = sub.add_parser("export", parents=[common], help="write the approved authorizations of a week to Excel")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48")
    g.add_argument("--batch", type=_id, metavar="ID", help="write a past batch again, row for row")
    p.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--out", metavar="FOLDER|FILE.xlsx",
                   help="a folder to write into (default: the current folder; created when new) under the "
                        "batch's own name, authorizations-WEEK-batch-ID.xlsx, or a new .xlsx file; an existing "
                        "file is never replaced")
    p.add_argument("--list", action="store_true", help="list past export batches")
    _as(p)
    p.set_defaults(func=_cmd(_export))

    p = sub.add_parser("users", parents=[common], help="add, list, disable, reset and re-role users")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = us.add_parser("add", parents=[inner], help="add a user (an admin; the first user of a new database "
                                                    "needs no sign-in and must be an admin)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    _password_stdin(a)
    _as(a)
    a.set_defaults(func=_cmd(_users_add, FIRST_USER_FREE))
    a = us.add_parser("list", parents=[inner], help="list users, their roles and any lockout")
    _as(a)
    a.set_defaults(func=_cmd(_users_list))
    for action, helptext in (("disable", "stop a user signing in (admin)"),
                             ("enable", "let a disabled user sign in again (admin)")):
        a = us.add_parser(action, parents=[inner], help=helptext)
        a.add_argument("name")
        _as(a)
        a.set_defaults(func=_cmd(_users_active), users_action=action)
    a = us.add_parser("role", parents=[inner], help="change a user's role (admin)")
    a.add_argument("name")
    a.add_argument("role", choices=ROLES)
    _as(a)
    a.set_defaults(func=_cmd(_users_role))
    a = us.add_parser("reset-password", parents=[inner],
                      help="give a user a temporary password they must change at the next sign-in (admin)")
    a.add_argument("name")
    _password_stdin(a)
    _as(a)
    a.set_defaults(func=_cmd(_users_reset))
    a = us.add_parser("passwd", parents=[inner], help="change your own password")
    _password_stdin(a)
    _as(a)
    a.set_defaults(func=_cmd(_users_passwd, OWN_PASSWORD))

    p = sub.add_parser("registry", parents=[common], help="import or preview the DRP registry")
    rs = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    a = rs.add_parser("import", parents=[inner], help="store a new registry version and re-check open records")
    a.add_argument("file", type=Path)
    a.add_argument("--preview", action="store_true", help="show what would change; store nothing")
    _as(a)
    a.set_defaults(func=_cmd(_registry_import))

    p = sub.add_parser("records", parents=[common], help="list records")
    p.add_argument("--status", action="append", choices=STATUSES, help="only these (repeatable)")
    p.add_argument("--search", default="")
    p.add_argument("--limit", type=_count, default=0, help="at most this many (default: all)")
    p.add_argument("--json", action="store_true")
    _as(p)
    p.set_defaults(func=_cmd(_records))

    p = sub.add_parser("show", parents=[common], help="show one record: fields, issues, history")
    p.add_argument("id", type=_id)
    p.add_argument("--json", action="store_true")
    _as(p)
    p.set_defaults(func=_cmd(_show))

    p = sub.add_parser("set", parents=[common], help="correct a field value (or the received date: set ID received DATE)")
    p.add_argument("id", type=_id)
    p.add_argument("field")
    p.add_argument("value")
    _version(p)
    _as(p)
    p.set_defaults(func=_cmd(_set))

    p = sub.add_parser("accept", parents=[common], help="confirm a doubtful value as read")
    p.add_argument("id", type=_id)
    p.add_argument("field")
    _version(p)
    _as(p)
    p.set_defaults(func=_cmd(_accept))

    for name, helptext, reason in (("submit", "submit a reviewed record", False),
                                   ("flag", "send a record to a supervisor, with a reason", True),
                                   ("approve", "approve a record (supervisor)", False),
                                   ("reject", "reject a record, with a reason (supervisor)", True),
                                   ("return", "return a record to the clerk (supervisor)", None)):
        p = sub.add_parser(name, parents=[common], help=helptext)
        p.add_argument("id", type=_id)
        if reason is not False:
            p.add_argument("--reason", required=bool(reason), default="", metavar="CODE|TEXT",
                           help="a reason code (cisr-desk reasons) or your own words")
        if reason or name == "approve":
            p.add_argument("--note", default="", help="free text beside the reason code")
        if name == "approve":
            p.add_argument("--override", default="", metavar="CODE|TEXT",
                           help="approve although a rule still fails, for this reason (audited, in the Manifest)")
        _version(p)
        _as(p)
        p.set_defaults(func=_cmd(_transition), action=name)

    p = sub.add_parser("reasons", parents=[common], help="list or change the site's reason codes")
    rs = p.add_subparsers(dest="reasons_command", metavar="ACTION")
    a = rs.add_parser("add", parents=[inner], help="add or relabel a reason code (supervisor)")
    a.add_argument("code")
    a.add_argument("label")
    a.add_argument("--kinds", default="flag,reject", help="where it may be used: flag, reject, override")
    _as(a, nested=True)  # reasons takes --as too, for the list
    a.set_defaults(func=_cmd(_reasons_add))
    a = rs.add_parser("remove", parents=[inner], help="remove a reason code (supervisor)")
    a.add_argument("code")
    _as(a, nested=True)
    a.set_defaults(func=_cmd(_reasons_remove))
    _as(p)
    p.set_defaults(func=_cmd(_reasons_list))

    # several seats: a record being worked on is held by its clerk
    p = sub.add_parser("claim", parents=[common], help="take a record to work on (refused if someone holds it)")
    p.add_argument("id", type=_id)
    _as(p)
    p.set_defaults(func=_cmd(_claim))

    p = sub.add_parser("next", parents=[common], help="take the next record of the review queue nobody holds")
    p.add_argument("--json", action="store_true")
    _as(p)
    p.set_defaults(func=_cmd(_next))

    p = sub.add_parser("release", parents=[common], help="give a record back")
    p.add_argument("id", type=_id)
    p.add_argument("--force", action="store_true", help="release another user's hold (supervisor or admin)")
    _as(p)
    p.set_defaults(func=_cmd(_release))


# -- plumbing ------------------------------------------------------------------------------------------
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _id(text: str) -> int:
    """A record or batch id: a whole number from 1 (one too large for any row is left to say "no record N")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (ids start at 1)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return min(value, 2**31 - 1)  # more than any database holds; a larger number would overflow its LIMIT


def _cmd(fn, sign_in: str = SIGN_IN):
    """Open the Desk for the command, sign in, run it as the signed-in user, close the Desk, and
    turn a DeskError into one clear line."""

    @wraps(fn)
    def run(args) -> int:
        from cisr_desk.store.service import Desk

        try:
            desk = Desk.open(database_named(args, may_create=sign_in == FIRST_USER_FREE))
        except DeskError as exc:
            raise CliError(str(exc), DESK_ERROR_STATUS) from exc
        try:
            if sign_in != FIRST_USER_FREE or not desk.first_admin_needed():
                args.user = _sign_in(desk, args, allow_reset=sign_in == OWN_PASSWORD)
            else:
                args.user = None
            return int(fn(desk, args) or 0)
        except DeskError as exc:
            raise CliError(str(exc), DESK_ERROR_STATUS) from exc
        finally:
            desk.close()

    return run


def database_named(args, *, may_create: bool) -> str | None:
    """The ``--db`` given (None: CISR_DESK_DB, settings or the default). A SQLite file named there
    that does not exist is refused unless the command may create it (``users add``, the first
    admin: no other command can even sign in to a new database), so a mistyped path is said to be
    one instead of becoming a new, empty database where nobody can sign in."""
    from cisr_desk.store import db

    given = getattr(args, "db", None)
    named = "--db"
    if given is None and os.environ.get(db.ENV_DB, "").strip():
        given, named = os.environ[db.ENV_DB], db.ENV_DB  # as explicit as --db: checked the same way
    if given is None:
        return None
    if not given.strip():
        raise CliError(f"--db is empty: give {db.URL_FORMS}")
    path = db.sqlite_path(db.resolve_url(given))  # DeskError for a malformed or unsupported URL
    if path is not None and not path.exists() and not may_create:
        raise CliError(f"no database at {path}, named by {named} (check the path; a new database is made by "
                       f"adding its first user: cisr-desk users add NAME --role admin --db {shlex.quote(given)})",
                       DESK_ERROR_STATUS)
    return given if named == "--db" else None


def _sign_in(desk, args, *, allow_reset: bool = False) -> str:
    """The name of the user signed in with ``--as``/CISR_DESK_USER and their password."""
    name = (getattr(args, "user", None) or os.environ.get(ENV_USER) or "").strip()
    if not name:
        raise CliError(f"say who you are: --as NAME (or set {ENV_USER})", DESK_ERROR_STATUS)
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        if not sys.stdin.isatty():
            raise CliError(f"no password for {name!r}: set {ENV_PASSWORD}, or run on a terminal to be asked",
                           DESK_ERROR_STATUS)
        password = getpass.getpass(f"Password for {name}: ")
    user = desk.authenticate(name, password, via="command line", quiet_minutes=SIGN_IN_LOG_MINUTES)
    if user.must_change_password and not allow_reset:
        raise CliError(f"an administrator reset {user.name}'s password; choose a new one first: "
                       f"cisr-desk users passwd --as {user.name}", DESK_ERROR_STATUS)
    args.sign_in_password = password
    return user.name


def _new_password(args, whose: str) -> str:
    """A new password: the first line of standard input with --password-stdin, else asked twice."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n").rstrip("\r")
        if not password:
            raise CliError("no password on standard input", DESK_ERROR_STATUS)
        return password
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the new password on: give it with --password-stdin",
                       DESK_ERROR_STATUS)
    password = getpass.getpass(f"New password for {whose}: ")
    if getpass.getpass("The same again: ") != password:
        raise CliError("the two passwords differ; nothing changed", DESK_ERROR_STATUS)
    return password


def _plain(value):
    """A DTO as JSON-friendly data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _print_json(data) -> None:
    json.dump(_plain(data), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


class _Bar:
    """A one-line progress bar on a terminal; a line per finished file otherwise."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_file = None

    def __call__(self, p) -> None:
        from cisr_desk.domain.scanfiles import printable

        name = printable(Path(p.file).name)
        if self.tty:
            width = 30
            done = int(width * p.pages_done / max(1, p.pages_total))
            self.stream.write(f"\r[{'#' * done}{'.' * (width - done)}] file {p.file_index + 1}/{p.files_total} "
                              f"page {p.pages_done}/{p.pages_total} {name[:30]:30}")
            self.stream.flush()
        elif p.pages_done >= p.pages_total and p.file != self.last_file:  # jan/scan.pdf, then feb/scan.pdf
            self.last_file = p.file
            self.stream.write(f"captured {p.file_index + 1}/{p.files_total}: {name} ({p.pages_total} pages)\n")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


# -- commands ----------------------------------------------------------------------------------------------
def _import(desk, args) -> int:
    by = args.user
    if args.registry:
        _print_registry(desk.import_registry(args.registry, by))
    bar = _Bar()
    try:
        report = desk.import_files(args.paths, by, received=args.received, progress=bar, workers=args.workers)
    finally:
        bar.close()
    from cisr_desk.domain.scanfiles import printable, shown_names

    for f, name in zip(report.files, shown_names([f.path for f in report.files])):
        if f.status == "imported":
            extra = f", pages not on a form: {', '.join(map(str, f.unrecognized_pages))}" if f.unrecognized_pages else ""
            ids = f" (records {', '.join(map(str, f.record_ids))})" if f.record_ids else ""
            print(f"{name}: {f.forms} form{'s' if f.forms != 1 else ''}{ids}{extra}"
                  + (f"; {printable(f.message)}" if f.message else ""))
        else:
            print(f"{name}: {f.status}: {printable(f.message)}")
    formless = sum(1 for f in report.files if f.status == "imported" and not f.forms)
    print(f"{report.count('imported')} file(s) imported with {report.forms} form(s), "
          f"{report.count('duplicate')} duplicate(s), {report.count('error')} error(s)"
          + (f", {report.count('cancelled')} cancelled" if report.count("cancelled") else ""))
    if formless:  # stored all the same: a form capture did not know may be among its pages
        print(f"{formless} file(s) with no form that capture found: their pages wait on the page desk "
              "(cisr-desk pages) for a clerk to say what they are")
    return DESK_ERROR_STATUS if report.count("error") else 0


def _export(desk, args) -> int:
    from cisr_desk.export.rows import period_label, week_period

    if args.list:
        for b in desk.export_batches():
            print(f"batch {b.id}: {period_label(b.start, b.end)}, {b.rows} rows from {b.records} forms, "
                  f"by {b.created_by} at {b.created_at:%Y-%m-%d %H:%M} UTC, {b.path}")
        return 0
    if args.batch is not None:
        info = desk.reexport(args.batch, args.user, args.out)
        print(f"batch {info.id} ({period_label(info.start, info.end)}): {info.rows} rows written again to {info.path}")
        return 0
    if args.week:
        if args.start or args.end:
            raise CliError("give either --week or --from/--to, not both")
        start, end = week_period(args.week)
    elif args.start and args.end:
        start, end = args.start, args.end
    else:
        raise CliError("say which period: --week 2026-W48, or --from DATE --to DATE (or --batch ID)")
    label = period_label(start, end)
    info = desk.export_period(start, end, args.user, args.out)
    if info is None:
        print(f"nothing to export for {label}: no approved authorizations waiting; no file written")
        return 0
    print(f"batch {info.id} ({label}): {info.rows} rows from {info.records} forms written to {info.path}")
    return 0


def _users_add(desk, args) -> int:
    if args.user is None and args.role != "admin":  # say so before asking for a password
        raise CliError("the first user of a database must be an admin (--role admin)", DESK_ERROR_STATUS)
    u = desk.add_user(args.name, args.role, _new_password(args, args.name), by=args.user)
    print(f"user {u.name} added as {u.role}")
    return 0


def _users_list(desk, args) -> int:
    """NAME<TAB>ROLE, and a third column only for a user who cannot simply sign in."""
    for u in desk.users():
        notes = ([] if u.active else ["disabled"]) + (
            [f"locked until {u.locked_until.astimezone():%Y-%m-%d %H:%M}"] if u.locked_until else []) + (
            ["must change password"] if u.must_change_password else [])
        print(f"{u.name}\t{u.role}" + (f"\t{', '.join(notes)}" if notes else ""))
    return 0


def _users_active(desk, args) -> int:
    if args.users_action == "disable":
        u = desk.disable_user(args.name, args.user)
    else:
        u = desk.enable_user(args.name, args.user)
    print(f"user {u.name} {'enabled' if u.active else 'disabled'}")
    return 0


def _users_role(desk, args) -> int:
    u = desk.set_role(args.name, args.role, args.user)
    print(f"user {u.name} is now {u.role}")
    return 0


def _users_reset(desk, args) -> int:
    desk.user(args.name)  # a wrong name is said before a password is asked for
    u = desk.reset_password(args.name, _new_password(args, args.name), args.user)
    print(f"password of {u.name} reset" + ("; they choose a new one at their next sign-in"
                                           if u.must_change_password else ""))
    return 0


def _users_passwd(desk, args) -> int:
    u = desk.change_password(args.user, args.sign_in_password, _new_password(args, args.user))
    print(f"password of {u.name} changed")
    return 0


def _print_registry(p) -> None:
    if p.unchanged:
        print(f"{p.source}: the same {p.rows} providers as the current registry; nothing stored")
        return
    head = f"registry version {p.version} stored" if p.version else "preview (nothing stored)"
    print(f"{p.source}: {head}: {p.rows} providers; {len(p.added)} added, {len(p.changed)} changed, "
          f"{len(p.removed)} removed")
    for label, ids in (("added", p.added), ("changed", p.changed), ("removed", p.removed),
                       ("open records affected", list(map(str, p.affected_records)))):
        if ids:
            more = f" and {len(ids) - 12} more" if len(ids) > 12 else ""
            print(f"  {label}: {', '.join(ids[:12])}{more}")


def _registry_import(desk, args) -> int:
    if args.preview:
        _print_registry(desk.preview_registry(args.file))
    else:
        _print_registry(desk.import_registry(args.file, args.user))
    return 0


def _records(desk, args) -> int:
    total = desk.count_records(args.status, args.search)
    rows = desk.list_records(args.status, args.search, limit=args.limit or max(total, 1))
    if args.json:
        _print_json(rows)
        return 0
    print(f"{'ID':>6}  {'STATUS':10} {'RECEIVED':10} {'CUSTOMER':28} {'DRP':16} {'DOUBT':>5} {'ISSUES':>6}  "
          f"{'HELD BY':12} SOURCE")
    for r in rows:
        received = r.received.isoformat() if r.received else ""
        print(f"{r.id:>6}  {r.status:10} {received:10} {r.customer[:28]:28} {r.drp[:16]:16} {r.doubtful:>5} "
              f"{r.issues:>6}  {r.holder[:12]:12} {r.source} p.{','.join(map(str, r.pages))}")
    print(f"{len(rows)} of {total} record(s)")
    return 0


def _show(desk, args) -> int:
    rec = desk.get_record(args.id)
    if args.json:
        _print_json(rec)
        return 0
    print(f"record {rec.id}: {rec.status}  {rec.template}  {rec.request_type or '(request unclear)'}")
    print(f"source: {rec.source_name} pages {', '.join(map(str, rec.pages))}  received: {rec.received or 'unknown'}")
    for label, value in (("holder", rec.holder), ("entered by", rec.entered_by),
                         ("edited by", ", ".join(sorted(rec.edited_by))), ("flagged", rec.flag_reason),
                         ("rejected", rec.reject_reason), ("approved by", rec.approved_by),
                         ("export batch", rec.export_batch)):
        if value:
            print(f"{label}: {value}")
    from cisr_desk.domain.fields import display

    section = None
    for f in rec.fields:
        if f.section != section:
            section = f.section
            print(f"\n[{section}]")
        value = ("yes" if f.value else "no") if isinstance(f.value, bool) else display(f.type, f.value or "")
        mark = " ?" if f.review else "  "
        note = f"  ({'; '.join(f.reasons)})" if f.review and f.reasons else ""
        print(f"{mark} {f.key:22} {value}{note}")
    print("\nissues:" if rec.issues else "\nissues: none")
    for i in rec.issues:
        print(f"  - [{i.code}] {i.message}")
    print("\nhistory:")
    for e in rec.history:
        change = f" {e.field}: {e.old!r} -> {e.new!r}" if e.field else ""
        why = f" ({e.reason})" if e.reason else ""
        print(f"  {e.at:%Y-%m-%d %H:%M} {e.user}: {e.action}{change}{why}")
    return 0


def _set(desk, args) -> int:
    rec = desk.set_field(args.id, args.field, args.value, args.user, expected_version=args.expected_version)
    if args.field == "received":  # the date of receipt belongs to the record, not to a form field
        print(f"record {args.id}: received = {rec.received.isoformat() if rec.received else 'unknown'}")
        return 0
    f = rec.field(args.field)
    print(f"record {args.id}: {f.key} = {f.value!r}")
    return 0


def _accept(desk, args) -> int:
    desk.accept_field(args.id, args.field, args.user, expected_version=args.expected_version)
    print(f"record {args.id}: {args.field} confirmed")
    return 0


def _transition(desk, args) -> int:
    expected = args.expected_version
    if args.action == "submit":
        rec = desk.submit(args.id, args.user, expected_version=expected)
    elif args.action == "flag":
        rec = desk.flag(args.id, args.reason, args.user, note=args.note, expected_version=expected)
    elif args.action == "approve":
        rec = desk.approve(args.id, args.user, override=args.override, note=args.note, expected_version=expected)
    elif args.action == "reject":
        rec = desk.reject(args.id, args.reason, args.user, note=args.note, expected_version=expected)
    else:
        rec = desk.return_to_clerk(args.id, args.user, args.reason, expected_version=expected)
    why = rec.flag_reason if rec.status == "flagged" else ""
    print(f"record {rec.id}: {rec.status.replace('_', ' ')}" + (f" ({why})" if why else ""))
    return 0


def _reasons_list(desk, args) -> int:
    for c in desk.reason_codes():
        print(f"{c.code:20} {','.join(c.kinds):22} {c.label}")
    return 0


def _reasons_add(desk, args) -> int:
    from cisr_desk.domain.reasons import ReasonCode, normal_code

    code = normal_code(args.code)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    codes = [c for c in desk.reason_codes() if c.code != code] + [ReasonCode(code, args.label, kinds)]
    desk.set_reason_codes(codes, args.user)
    print(f"reason {code} ({', '.join(kinds)}): {args.label}")
    return 0


def _reasons_remove(desk, args) -> int:
    from cisr_desk.domain.reasons import normal_code

    code = normal_code(args.code)
    codes = desk.reason_codes()
    if code not in {c.code for c in codes}:
        raise CliError(f"there is no reason code {code}")
    desk.set_reason_codes([c for c in codes if c.code != code], args.user)
    print(f"reason {code} removed")
    return 0


def _held(rec) -> str:
    since = f" since {rec.held_since:%Y-%m-%d %H:%M} UTC" if rec.held_since else ""
    return f"record {rec.id} ({rec.status.replace('_', ' ')}, version {rec.version}): held by {rec.holder}{since}"


def _claim(desk, args) -> int:
    print(_held(desk.claim(args.id, args.user)))
    return 0


def _next(desk, args) -> int:
    rec = desk.next_record(args.user)
    if rec is None:
        if args.json:
            _print_json(None)
        else:
            print("no record waiting: every record of the review queue is held or done")
        return 3  # nothing to do: scripts loop until this
    if args.json:
        _print_json({"id": rec.id, "status": rec.status, "version": rec.version, "holder": rec.holder,
                     "held_since": rec.held_since})
    else:
        print(_held(rec))
    return 0


def _release(desk, args) -> int:
    rec = desk.release(args.id, args.user, force=args.force)
    print(f"record {rec.id}: released" + (f" (still held by {rec.holder})" if rec.holder else ""))
    return 0
