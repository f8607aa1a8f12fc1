"""``cisr-desk extract``: read PDF files and print what capture found, touching no database.

Reading takes minutes, so whatever would lose its results is refused before the first page: an
output file that is one of the scans, or that cannot be written where it is named. The JSON is
written whole or not at all (a temporary file beside it, then put in its place), and one file that
cannot be read is an error for that file: the others are read as usual.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
from pathlib import Path

from cisr_desk.cli.main import CliError, _logged


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
    p.set_defaults(func=run, needs_stdout=False)  # only without --json FILE: checked in run


def parse_received(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--received: {text!r} is not a date (YYYY-MM-DD)") from None


def run(args) -> int:
    from cisr_desk.domain.scanfiles import printable, renamed, shown_names

    received = parse_received(args.received)
    if args.workers < 1:
        raise CliError("--workers must be at least 1")
    out = output_file(args.out, args.pdfs)
    registry = _registry(args)
    shown = dict(zip(map(str, args.pdfs), shown_names(args.pdfs)))

    def progress(p) -> None:
        if sys.stderr.isatty():
            print(f"\r{shown.get(p.file, Path(p.file).name)}: page {p.pages_done}/{p.pages_total}", end="",
                  file=sys.stderr, flush=True)

    documents = []
    for doc in read_all(args.pdfs, registry=registry, received=received, workers=args.workers, progress=progress):
        doc.errors = [renamed(e, doc.source, shown.get(doc.source, doc.source)) for e in doc.errors]
        documents.append(doc.to_json())
        notes = doc.errors or ([no_form_note(shown.get(doc.source, doc.source), doc.pages)]
                               if not doc.forms and doc.pages else [])
        for note in notes:
            print(f"\ncisr-desk: {note}" if sys.stderr.isatty() else f"cisr-desk: {note}", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    # printable: a file name's bytes that are not UTF-8 would make the JSON unwritable, or not JSON
    text = printable(json.dumps({"documents": documents}, indent=1, ensure_ascii=False))
    if out is None:
        print(text)
    else:
        write_whole(out, text + "\n")
    return 0 if all(not d["errors"] for d in documents) else 2


def no_form_note(name: str, pages: int) -> str:
    """What a file read without error but holding no form is, said on standard error: its JSON
    has no form and its pages among those on no form, which nobody reads on a terminal (a blank
    scan, a cover letter sent alone, the wrong file)."""
    return f"{name}: no form found on its {pages} page{'s' if pages != 1 else ''} (blank, a letter, or not a 14-941)"


def _registry(args):
    """The registry providers are checked against (None with --no-registry), said on standard error
    when it is the sample one: without a registry capture loses what it tells it (a provider's
    registered name, contact, phone and e-mail)."""
    from cisr_desk.domain.errors import InputFileError
    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry

    if args.no_registry:
        return None
    path = args.registry or demo_registry()
    try:
        registry = Registry.load(path)
    except InputFileError as exc:
        raise CliError(str(exc)) from None
    if not args.registry:
        print(f"cisr-desk: providers checked against the sample registry shipped with cisr-desk ({len(registry)} "
              f"providers, {path}); use --registry FILE for your own, or --no-registry", file=sys.stderr)
    return registry


def read_all(paths: list[Path], **kwargs):
    """One DocumentResult per file, in order, whatever happens to one of them: a file that stops
    capture's run (a fault of capture's, not of the file's reader) is an error of its own, and the
    files after it are read in a new run."""
    from cisr_desk.capture.pipeline import extract_files
    from cisr_desk.domain.model import DocumentResult

    rest = list(paths)
    while rest:
        try:
            for doc in extract_files(list(rest), **kwargs):
                rest.pop(0)
                yield doc
        except Exception as exc:  # not a Ctrl-C (a BaseException): that ends the command
            path = rest.pop(0)
            yield DocumentResult(str(path), 0, errors=[
                f"{path.name}: could not be read ({type(exc).__name__}: {exc}){_logged(exc)}"])


# -- where the JSON goes ---------------------------------------------------------------------------------
def output_file(out: Path | None, inputs: list[Path]) -> Path | None:
    """The file to write the JSON to (None: standard output), refused now, before any reading,
    when writing it would fail or destroy a scan."""
    if out is None or str(out) == "-":
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise CliError("standard output is closed: use --json FILE")
        return None
    for scan in inputs:
        if _same_file(out, scan):
            raise CliError(f"--json {out}: that is one of the scans to read; name another file for the JSON")
    if out.is_dir():
        raise CliError(f"--json {out}: is a folder; name a file for the JSON")
    if out.exists() and not os.access(out, os.W_OK):  # replacing it would pass over its protection
        raise CliError(f"--json {out}: the file is write-protected")
    folder = out.parent
    if not folder.exists():
        raise CliError(f"--json {out}: there is no folder {folder}")
    if not folder.is_dir():
        raise CliError(f"--json {out}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"--json {out}: cannot write in the folder {folder}")
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def write_whole(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` whole or not at all: into a temporary file beside it that then
    takes its place, so a full disk or a kill never leaves an empty or cut-off file (nor a
    previous JSON half overwritten)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        _keep_mode(out, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise CliError(f"--json {out}: cannot be written ({exc.strerror or exc}); nothing was written") from None


def _keep_mode(old: Path, new: Path) -> None:
    """A JSON file written again keeps who may read it."""
    try:
        os.chmod(new, stat.S_IMODE(old.stat().st_mode))
    except OSError:
        pass
