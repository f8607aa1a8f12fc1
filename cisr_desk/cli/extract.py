"""``cisr-desk extract``: read PDF files and print what capture found, touching no database."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from cisr_desk.cli.main import CliError


def register(sub) -> None:
    p = sub.add_parser("extract", help="read scans (PDF, TIFF, JPEG, PNG) or digital PDFs and write the fields as JSON (no database)")
    p.add_argument("pdfs", nargs="+", type=Path, metavar="SCAN")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--registry", type=Path,
                       help="DRP registry (CSV or XLSX) to check providers against (default: the sample "
                            "registry shipped with cisr-desk, named on standard error)")
    which.add_argument("--no-registry", action="store_true",
                       help="check no provider against a registry (ids, names and contacts as read)")
    p.add_argument("--received", help="date the forms were received (YYYY-MM-DD)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pages read in parallel (default: cores)")
    p.add_argument("--json", dest="out", type=Path, metavar="OUT",
                   help="write the JSON to this file instead of to standard output ('-': standard output)")
    p.set_defaults(func=run)


def parse_received(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--received: {text!r} is not a date (YYYY-MM-DD)") from None


def run(args) -> int:
    from cisr_desk.capture.pipeline import extract_files
    from cisr_desk.domain.errors import InputFileError
    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry

    received = parse_received(args.received)
    registry = None
    if not args.no_registry:
        # Without a registry no provider is checked, and capture loses what the registry tells
        # it (a provider's registered name, contact, phone and e-mail): say which one is used.
        path = args.registry or demo_registry()
        try:
            registry = Registry.load(path)
        except InputFileError as exc:
            raise CliError(str(exc)) from None
        if not args.registry:
            print(f"cisr-desk: providers checked against the sample registry shipped with cisr-desk ({len(registry)} "
                  f"providers, {path}); use --registry FILE for your own, or --no-registry", file=sys.stderr)
    if args.workers < 1:
        raise CliError("--workers must be at least 1")

    def progress(p) -> None:
        if sys.stderr.isatty():
            print(f"\r{Path(p.file).name}: page {p.pages_done}/{p.pages_total}", end="", file=sys.stderr, flush=True)

    documents = []
    for doc in extract_files(args.pdfs, registry=registry, received=received, workers=args.workers, progress=progress):
        documents.append(doc.to_json())
        for error in doc.errors:
            print(f"\ncisr-desk: {error}" if sys.stderr.isatty() else f"cisr-desk: {error}", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    text = json.dumps({"documents": documents}, indent=1, ensure_ascii=False)
    if args.out and str(args.out) != "-":
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0 if all(not d["errors"] for d in documents) else 2
