"""The review workflow on the command line, so an office can script it and tests can drive it.

    cisr-desk import [--registry FILE] PDF|FOLDER...     cisr-desk export --week 2026-W48 [--out FILE]
    cisr-desk users add NAME --role clerk|supervisor|admin    cisr-desk registry import FILE
    cisr-desk records [--status S] [--json]              cisr-desk show ID [--json]
    cisr-desk set ID FIELD VALUE --as USER               cisr-desk submit|approve ID --as USER
    cisr-desk flag|reject ID --reason TEXT --as USER     cisr-desk return ID --as USER
    cisr-desk claim ID --as USER                         cisr-desk next --as USER
    cisr-desk release ID [--force] --as USER

Every command takes ``--db URL`` (else ``CISR_DESK_DB``, settings, or the default SQLite file).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import json
import sys
from functools import wraps
from pathlib import Path

from cisr_desk.cli.main import CliError
from cisr_desk.domain.errors import DeskError
from cisr_desk.domain.workflow import ROLES, STATUSES

DESK_ERROR_STATUS = 1


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help="database URL (default: CISR_DESK_DB, settings, or the "
                                                    "SQLite file in your data folder)")
    return common


def _version(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", dest="expected_version", type=int, metavar="N",
                   help="the record's version you looked at (show/records --json): refused if it changed since")


def _as(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--as", dest="user", metavar="USER", required=required,
                   help="the user doing this" + ("" if required else " (default: system)"))


def register(sub) -> None:
    common = _common()

    p = sub.add_parser("import", parents=[common], help="capture PDF files and store their forms for review")
    p.add_argument("paths", nargs="+", type=Path, metavar="PDF|FOLDER")
    p.add_argument("--registry", type=Path, metavar="FILE", help="import this DRP registry (CSV/XLSX) first")
    p.add_argument("--received", type=_date, metavar="YYYY-MM-DD", help="date the mail was received")
    p.add_argument("--workers", type=int, help="capture processes (default: one per CPU)")
    _as(p, required=False)
    p.set_defaults(func=_cmd(_import))

    p = sub.add_parser("export", parents=[common], help="write the approved authorizations of a week to Excel")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48")
    g.add_argument("--batch", type=int, metavar="ID", help="write a past batch again, row for row")
    p.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--out", type=Path, metavar="FILE.xlsx")
    p.add_argument("--list", action="store_true", help="list past export batches")
    _as(p, required=False)
    p.set_defaults(func=_cmd(_export))

    p = sub.add_parser("users", parents=[common], help="add or list users")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = us.add_parser("add", parents=[common], help="add a user")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.set_defaults(func=_cmd(_users_add))
    a = us.add_parser("list", parents=[common], help="list users")
    a.set_defaults(func=_cmd(_users_list))

    p = sub.add_parser("registry", parents=[common], help="import or preview the DRP registry")
    rs = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    a = rs.add_parser("import", parents=[common], help="store a new registry version and re-check open records")
    a.add_argument("file", type=Path)
    a.add_argument("--preview", action="store_true", help="show what would change; store nothing")
    _as(a, required=False)
    a.set_defaults(func=_cmd(_registry_import))

    p = sub.add_parser("records", parents=[common], help="list records")
    p.add_argument("--status", action="append", choices=STATUSES, help="only these (repeatable)")
    p.add_argument("--search", default="")
    p.add_argument("--limit", type=int, default=0, help="at most this many (default: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd(_records))

    p = sub.add_parser("show", parents=[common], help="show one record: fields, issues, history")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd(_show))

    p = sub.add_parser("set", parents=[common], help="correct a field value")
    p.add_argument("id", type=int)
    p.add_argument("field")
    p.add_argument("value")
    _version(p)
    _as(p)
    p.set_defaults(func=_cmd(_set))

    p = sub.add_parser("accept", parents=[common], help="confirm a doubtful value as read")
    p.add_argument("id", type=int)
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
        p.add_argument("id", type=int)
        if reason is not False:
            p.add_argument("--reason", required=bool(reason), default="")
        _version(p)
        _as(p)
        p.set_defaults(func=_cmd(_transition), action=name)

    # several seats: a record being worked on is held by its clerk
    p = sub.add_parser("claim", parents=[common], help="take a record to work on (refused if someone holds it)")
    p.add_argument("id", type=int)
    _as(p)
    p.set_defaults(func=_cmd(_claim))

    p = sub.add_parser("next", parents=[common], help="take the next record of the review queue nobody holds")
    p.add_argument("--json", action="store_true")
    _as(p)
    p.set_defaults(func=_cmd(_next))

    p = sub.add_parser("release", parents=[common], help="give a record back")
    p.add_argument("id", type=int)
    p.add_argument("--force", action="store_true", help="release another user's hold (supervisor or admin)")
    _as(p)
    p.set_defaults(func=_cmd(_release))


# -- plumbing ------------------------------------------------------------------------------------------
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _cmd(fn):
    """Open the Desk for the command, close it after, and turn a DeskError into one clear line."""

    @wraps(fn)
    def run(args) -> int:
        from cisr_desk.store.service import Desk

        try:
            desk = Desk.open(args.db)
        except DeskError as exc:
            raise CliError(str(exc), DESK_ERROR_STATUS) from exc
        try:
            return int(fn(desk, args) or 0)
        except DeskError as exc:
            raise CliError(str(exc), DESK_ERROR_STATUS) from exc
        finally:
            desk.close()

    return run


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
        name = Path(p.file).name
        if self.tty:
            width = 30
            done = int(width * p.pages_done / max(1, p.pages_total))
            self.stream.write(f"\r[{'#' * done}{'.' * (width - done)}] file {p.file_index + 1}/{p.files_total} "
                              f"page {p.pages_done}/{p.pages_total} {name[:30]:30}")
            self.stream.flush()
        elif p.pages_done >= p.pages_total and name != self.last_file:
            self.last_file = name
            self.stream.write(f"captured {p.file_index + 1}/{p.files_total}: {name} ({p.pages_total} pages)\n")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


# -- commands ----------------------------------------------------------------------------------------------
def _import(desk, args) -> int:
    by = args.user or "system"
    if args.registry:
        _print_registry(desk.import_registry(args.registry, by))
    bar = _Bar()
    try:
        report = desk.import_files(args.paths, by, received=args.received, progress=bar, workers=args.workers)
    finally:
        bar.close()
    for f in report.files:
        name = Path(f.path).name
        if f.status == "imported":
            extra = f", pages not on a form: {', '.join(map(str, f.unrecognized_pages))}" if f.unrecognized_pages else ""
            ids = f" (records {', '.join(map(str, f.record_ids))})" if f.record_ids else ""
            print(f"{name}: {f.forms} form{'s' if f.forms != 1 else ''}{ids}{extra}" + (f"; {f.message}" if f.message else ""))
        else:
            print(f"{name}: {f.status}: {f.message}")
    print(f"{report.count('imported')} file(s) imported with {report.forms} form(s), "
          f"{report.count('duplicate')} duplicate(s), {report.count('error')} error(s)"
          + (f", {report.count('cancelled')} cancelled" if report.count("cancelled") else ""))
    return DESK_ERROR_STATUS if report.count("error") else 0


def _export(desk, args) -> int:
    from cisr_desk.export.rows import period_label, week_period

    if args.list:
        for b in desk.export_batches():
            print(f"batch {b.id}: {period_label(b.start, b.end)}, {b.rows} rows from {b.records} forms, "
                  f"by {b.created_by} at {b.created_at:%Y-%m-%d %H:%M} UTC, {b.path}")
        return 0
    if args.batch is not None:
        out = args.out or Path(f"authorizations-batch-{args.batch}.xlsx")
        info = desk.reexport(args.batch, out)
        print(f"batch {info.id} ({period_label(info.start, info.end)}): {info.rows} rows written again to {out}")
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
    out = args.out or Path(f"authorizations-{label.replace(' to ', '_')}.xlsx")
    info = desk.export_period(start, end, args.user or "system", out)
    if info is None:
        print(f"nothing to export for {label}: no approved authorizations waiting; no file written")
        return 0
    print(f"batch {info.id} ({label}): {info.rows} rows from {info.records} forms written to {out}")
    return 0


def _users_add(desk, args) -> int:
    u = desk.add_user(args.name, args.role)
    print(f"user {u.name} added as {u.role}")
    return 0


def _users_list(desk, args) -> int:
    for u in desk.users():
        print(f"{u.name}\t{u.role}")
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
        _print_registry(desk.import_registry(args.file, args.user or "system"))
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
    f = desk.set_field(args.id, args.field, args.value, args.user,
                       expected_version=args.expected_version).field(args.field)
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
        rec = desk.flag(args.id, args.reason, args.user, expected_version=expected)
    elif args.action == "approve":
        rec = desk.approve(args.id, args.user, expected_version=expected)
    elif args.action == "reject":
        rec = desk.reject(args.id, args.reason, args.user, expected_version=expected)
    else:
        rec = desk.return_to_clerk(args.id, args.user, args.reason, expected_version=expected)
    why = rec.flag_reason if rec.status == "flagged" else ""
    print(f"record {rec.id}: {rec.status.replace('_', ' ')}" + (f" ({why})" if why else ""))
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
