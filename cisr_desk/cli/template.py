"""``cisr-desk template derive BLANK.pdf --id ID``: write a template file from a fillable blank."""
from __future__ import annotations

import json
from pathlib import Path

from cisr_desk.cli.main import CliError


def register(sub) -> None:
    p = sub.add_parser("template", help="derive a form template from a fillable blank PDF")
    tsub = p.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    d = tsub.add_parser("derive", help="derive forms/ID.json from the blank's named widgets")
    d.add_argument("blank", type=Path)
    d.add_argument("--id", required=True, help="template id, e.g. 14-941-rev-2026-03")
    d.add_argument("--title", default="")
    d.add_argument("--out", type=Path, help="where to write (default: beside the blank)")
    d.set_defaults(func=_derive)


def _derive(args) -> int:
    from cisr_desk.capture.templates import TemplateError, derive_template
    from cisr_desk.domain.errors import InputFileError

    if not args.blank.is_file():
        raise CliError(f"{args.blank}: no such file")
    try:
        template = derive_template(args.blank, args.id, args.title)
    except (TemplateError, InputFileError) as exc:
        raise CliError(str(exc)) from exc
    out = args.out or args.blank.with_suffix(".json")
    out.write_text(json.dumps(template.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(template.fields)} fields on {len(template.pages)} page(s)")
    return 0
