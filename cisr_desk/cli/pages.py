"""The page desk on the command line: see how capture grouped a file's pages, and put it right.

    cisr-desk pages                                   the imported files, most recent first
    cisr-desk pages FILE_ID [--json]                  the file's forms and loose pages
    cisr-desk pages FILE_ID --move PAGE --to RECORD[:N]
    cisr-desk pages FILE_ID --split PAGE               (PAGE and the form's pages after it: a new form)
    cisr-desk pages FILE_ID --merge RECORD [--with RECORD]   (default: the next form)
    cisr-desk pages FILE_ID --rotate PAGE
    cisr-desk pages FILE_ID --not-form PAGE
    cisr-desk pages FILE_ID --attach PAGE --to RECORD
    cisr-desk pages FILE_ID --assign PAGE --template T --page-index N

Like every command it signs in (``--as USER`` or CISR_DESK_USER). Form page numbers (``:N``, ``--page-index``) count from 1. The forms a change touches are read
again; a value a clerk already changed keeps the clerk's value.
"""
from __future__ import annotations

import argparse

from cisr_desk.cli.main import CliError
from cisr_desk.cli.workflow import _as, _cmd, _common, _print_json
from cisr_desk.domain import layout as lay


def register(sub) -> None:
    p = sub.add_parser("pages", parents=[_common()], help="show how a file's pages were grouped into forms; "
                                                          "move, split, merge, rotate, mark or assign pages",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file_id", type=int, nargs="?", metavar="FILE_ID", help="an imported file (list: cisr-desk pages)")
    ops = p.add_mutually_exclusive_group()
    ops.add_argument("--move", type=int, metavar="PAGE", help="put PAGE on the form given by --to")
    ops.add_argument("--split", type=int, metavar="PAGE", help="PAGE and the pages after it become a form of their own")
    ops.add_argument("--merge", type=int, metavar="RECORD", help="merge the next form (or --with) into RECORD")
    ops.add_argument("--rotate", type=int, metavar="PAGE", help="turn PAGE 180°")
    ops.add_argument("--not-form", dest="not_form", type=int, metavar="PAGE", help="PAGE is no form page")
    ops.add_argument("--attach", type=int, metavar="PAGE", help="PAGE lists more accounts of the form given by --to")
    ops.add_argument("--assign", type=int, metavar="PAGE", help="PAGE is page --page-index of revision --template")
    p.add_argument("--to", metavar="RECORD[:N]", help="the form (its record id), and for --move its page number")
    p.add_argument("--with", dest="with_", type=int, metavar="RECORD", help="for --merge: the form merged in")
    p.add_argument("--template", metavar="T", help="for --assign: the form revision, e.g. 14-941-rev-2026-03")
    p.add_argument("--page-index", dest="page_index", type=int, metavar="N",
                   help="for --assign: form page number, from 1")
    p.add_argument("--json", action="store_true", help="the layout as JSON")
    _as(p)
    p.set_defaults(func=_cmd(_pages))


def _target(layout: lay.PageLayout, text: str | None, *, index: bool) -> tuple[int, int | None]:
    if not text:
        raise CliError("say which form with --to RECORD" + ("[:N]" if index else ""))
    record, _, n = text.partition(":")
    try:
        form_no = layout.form_of_record(int(record))
        page_index = int(n) - 1 if n else None
    except ValueError as exc:
        what = "a record id" + (" and a form page number, e.g. 12:2" if index else "")
        raise CliError(f"--to takes {what}, not {text!r}") from exc
    if page_index is not None and not index:
        raise CliError("--attach --to takes a record id only")
    return form_no, page_index


def _change(layout: lay.PageLayout, args) -> lay.PageLayout | None:
    if args.move is not None:
        form_no, index = _target(layout, args.to, index=True)
        return lay.move_page(layout, args.move, form_no, index)
    if args.split is not None:
        return lay.split_form(layout, args.split)
    if args.merge is not None:
        first = layout.form_of_record(args.merge)
        second = layout.form_of_record(args.with_) if args.with_ is not None else first + 1
        if second >= len(layout.forms):
            raise CliError(f"record {args.merge} is the last form of {layout.file_name}: name the other with --with")
        return lay.merge_forms(layout, first, second)
    if args.rotate is not None:
        return lay.rotate_page(layout, args.rotate)
    if args.not_form is not None:
        return lay.mark_not_form(layout, args.not_form)
    if args.attach is not None:
        return lay.mark_attachment(layout, args.attach, _target(layout, args.to, index=False)[0])
    if args.assign is not None:
        if not args.template or args.page_index is None:
            raise CliError("--assign needs --template T and --page-index N")
        return lay.assign_page(layout, args.assign, args.template, args.page_index - 1)
    return None


def _print_layout(layout: lay.PageLayout) -> None:
    print(f"{layout.file_name} (file {layout.file_id}): {layout.page_count} page{'s' if layout.page_count != 1 else ''}"
          + (", a digital PDF" if layout.digital else ""))
    for n, form in enumerate(layout.forms):
        count = layout.template_pages.get(form.template_id, len(form.pages))
        slots = []
        for i in range(count):
            page = form.pages.get(i)
            slots.append(f"{i + 1}: page {page}{' (turned)' if layout.turned.get(page) else ''}" if page else
                         f"{i + 1}: missing")
        slots += [f"attachment: page {p}" for p in form.attachments]
        print(f"  {layout.form_name(n):10} {form.status or 'new':10} {form.template_id}  {'; '.join(slots)}"
              + (f"  · {form.label}" if form.label else ""))
    for page, kind in sorted(layout.loose.items()):
        print(f"  page {page:<5} {'unrecognized: needs a look' if kind == lay.UNRECOGNIZED else 'not a form page'}")


def _layout_json(layout: lay.PageLayout) -> dict:
    return {"file": layout.file_id, "name": layout.file_name, "pages": layout.page_count, "digital": layout.digital,
            "forms": [{"record": f.record_id, "status": f.status, "template": f.template_id,
                       "pages": {str(i + 1): p for i, p in sorted(f.pages.items())}, "attachments": f.attachments}
                      for f in layout.forms],
            "loose": {str(p): k for p, k in sorted(layout.loose.items())},
            "turned": sorted(p for p, t in layout.turned.items() if t)}


def _pages(desk, args) -> int:
    if args.file_id is None:
        for f in desk.source_files():
            look = (f"  needs a look: page{'s' if len(f.unrecognized) > 1 else ''} "
                    f"{', '.join(map(str, f.unrecognized))}") if f.needs_a_look else ""
            print(f"{f.id:>6}  {f.imported_at:%Y-%m-%d %H:%M}  {f.name[:40]:40} {f.page_count:>3} pages "
                  f"{f.forms:>2} forms{look}")
        return 0
    layout = desk.page_layout(args.file_id)
    changed = _change(layout, args)
    if changed is not None:
        report = desk.rearrange(args.file_id, changed, args.user)
        print(report.message)
        layout = desk.page_layout(args.file_id)
    if args.json:
        _print_json(_layout_json(layout))
    else:
        _print_layout(layout)
    return 0
