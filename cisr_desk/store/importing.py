"""Importing PDF files: run capture over what is new, keep an immutable copy of each file
(named by its SHA-256) and store the forms found in it.

Each file is stored in a transaction of its own, so a file that cannot be read, a crash or a
cancel loses nothing already imported. A file whose SHA-256 is already stored is a duplicate:
capture does not even run on it. Two seats importing the same file at once both capture it, but
the unique SHA-256 lets only one store it: the other's transaction is rolled back and the file
reported as already imported. Identical copies of a file in one run are read once; but a copy
of a file that could not be read is read in its turn (its name may be what failed), not passed
over as a duplicate of nothing.

Messages name a file by as much of its path as tells it from the others of the run
(``jan/scan.pdf``, ``feb/scan.pdf``), and what is stored of a name is printable text.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cisr_desk.domain import scanfiles
from cisr_desk.domain.errors import DeskError, UserDisabled
from cisr_desk.domain.model import DocumentResult
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.scanfiles import printable
from cisr_desk.store.times import from_db, to_db
from cisr_desk.store import audit, records
from cisr_desk.store.dto import FileOutcome, ImportReport
from cisr_desk.store.models import ImportBatch, ImportRun, Record, SourceFile

Extractor = Callable[..., Iterator[DocumentResult]]


def default_extractor(paths, **kwargs) -> Iterator[DocumentResult]:
    # Imported here: capture pulls in OpenCV and OCR, which listing or approving never needs.
    from cisr_desk.capture.pipeline import extract_files

    return extract_files(paths, **kwargs)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[FileOutcome], dict[Path, str]]:
    """The scans named, folders searched recursively (sorted); missing paths and unreadable
    folders as errors; and how messages name each path (``scanfiles.shown_names``)."""
    found, problems = scanfiles.expand_checked(paths)
    every = found + [p for p, _ in problems]
    names = dict(zip(every, scanfiles.shown_names(every)))
    return found, [FileOutcome(str(p), "error", message=f"{names[p]}: {why}") for p, why in problems], names


def ready_files_dir(files_dir: Path) -> None:
    """Make the folder the desk keeps its copy of every scan in, where it is missing; a DeskError
    naming it where it cannot be (checked before capture: minutes of reading would be lost, and
    each file's error would blame the scan)."""
    try:
        files_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DeskError(f"scans cannot be stored: {files_dir} is a file, not a folder (the desk keeps "
                        "a copy of every imported scan there); move the file away, or set another folder") from None
    except OSError as exc:
        raise DeskError(f"scans cannot be stored in {files_dir}: {exc.strerror or exc}") from None


def store_copy(files_dir: Path, path: Path, sha: str) -> str:
    """Copy the file under its SHA-256 (once; the copy is never changed) and return its relative name."""
    name = f"{sha[:2]}/{sha}{path.suffix.lower() or '.pdf'}"
    target = files_dir / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.part")  # two seats may copy it at once
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
        try:
            target.chmod(0o444)
        except OSError:
            pass
    return name


@dataclass
class ImportContext:
    """What an import needs from the Desk, handed over as plain values and callables."""

    write: Callable  # () -> context manager yielding a Session in a write transaction (on the importer's behalf)
    files_dir: Path
    extractor: Extractor
    registry: Registry | None
    registry_version_id: int | None
    policy: SitePolicy
    now: Callable[[], dt.datetime]


def _store_result(ctx: ImportContext, s: Session, batch_id: int, path: Path, sha: str, result: DocumentResult,
                  received: dt.date | None, by: str) -> FileOutcome:
    now = ctx.now()
    naive = to_db(now)
    stored = store_copy(ctx.files_dir, path, sha)
    name = printable(path.name)  # a name's bytes that are not UTF-8 cannot be stored as text
    source = SourceFile(batch_id=batch_id, sha256=sha, original_path=printable(str(path.resolve())), name=name,
                        size=path.stat().st_size, page_count=result.pages, stored_name=stored,
                        unrecognized_pages=list(result.unrecognized_pages), imported_at=naive)
    s.add(source)
    s.flush()
    ids = []
    for form in result.forms:
        rec = records.create(s, source, form, received=received, registry=ctx.registry,
                             registry_version_id=ctx.registry_version_id, policy=ctx.policy, now=naive)
        audit.log(s, now, by, "import", record_id=rec.id, field="status", new=rec.status,
                  reason=f"{name}, page{'s' if len(form.pages) != 1 else ''} "
                         f"{', '.join(map(str, form.pages))}")
        ids.append(rec.id)
    message = "; ".join(result.errors)
    return FileOutcome(str(path), "imported", len(ids), list(result.unrecognized_pages), message, ids)


def _renamed(message: str, path: Path, names: dict[Path, str]) -> str:
    return scanfiles.renamed(message, path, names.get(path, path.name))


def _already_imported(s: Session, path: Path, sha: str, shown: str) -> FileOutcome | None:
    sf = s.scalars(select(SourceFile).where(SourceFile.sha256 == sha)).first()
    if sf is None:
        return None
    ids = list(s.scalars(select(Record.id).where(Record.source_file_id == sf.id).order_by(Record.id)))
    return _duplicate_of_stored(path, shown, sf.name, sf.imported_at, ids)


def _duplicate_of_stored(path: Path, shown: str, name: str, when: dt.datetime, ids: list[int]) -> FileOutcome:
    forms = f"record{'s' if len(ids) != 1 else ''} {', '.join(map(str, ids))}" if ids else "no forms"
    return FileOutcome(str(path), "duplicate", 0, [], f"{shown}: already imported "
                       f"{when:%Y-%m-%d} as {name} ({forms}); nothing new created", [])


def run_import(ctx: ImportContext, paths: Iterable[Path], by: str, *, received: dt.date | None = None,
               progress=None, cancel=None, workers: int | None = None) -> ImportReport:
    files, outcomes_early, names = expand(paths)
    outcome: dict[int, FileOutcome] = {}
    shas: dict[int, str] = {}
    for i, path in enumerate(files):
        try:
            shas[i] = sha256_of(path)
        except OSError as exc:
            outcome[i] = FileOutcome(str(path), "error",
                                     message=f"{names[path]}: cannot be read ({exc.strerror or exc})")
    known = _stored(ctx, set(shas.values()))
    new: list[tuple[int, Path, str]] = []
    copies: dict[str, list[tuple[int, Path]]] = {}  # the same file named again, after its first
    for i, path in enumerate(files):
        if i in outcome:
            continue
        sha = shas[i]
        if sha in known:
            outcome[i] = _duplicate_of_stored(path, names[path], *known[sha])
        elif sha in copies:
            copies[sha].append((i, path))
        else:
            copies[sha] = []
            new.append((i, path, sha))

    if new:
        ready_files_dir(ctx.files_dir)
    batch_id: int | None = None

    def store(i: int, path: Path, sha: str, result: DocumentResult) -> None:
        nonlocal batch_id
        if result.errors and not result.forms:
            outcome[i] = FileOutcome(str(path), "error", 0, list(result.unrecognized_pages),
                                     "; ".join(_renamed(e, path, names) for e in result.errors))
            return
        result = replace(result, errors=[_renamed(e, path, names) for e in result.errors])
        made_batch = False
        try:
            with ctx.write() as s:
                known = _already_imported(s, path, sha, names[path])
                if known is not None:  # another seat stored it meanwhile
                    outcome[i] = known
                    return
                if batch_id is None:
                    batch = ImportBatch(created_at=to_db(ctx.now()),
                                        created_by=by, registry_version_id=ctx.registry_version_id)
                    s.add(batch)
                    s.flush()
                    batch_id, made_batch = batch.id, True
                outcome[i] = _store_result(ctx, s, batch_id, path, sha, result, received, by)
        except OSError as exc:  # its copy could not be written (a full disk, no permission): nothing kept
            if made_batch:
                batch_id = None  # rolled back with the file
            outcome[i] = FileOutcome(str(path), "error", message=f"{names[path]}: could not be stored in "
                                                                 f"{ctx.files_dir} ({exc.strerror or exc})")
        except IntegrityError:  # the same file committed by another seat while this one stored it
            if made_batch:
                batch_id = None  # rolled back with the file
            with ctx.write() as s:
                known = _already_imported(s, path, sha, names[path])
            if known is None:
                raise
            outcome[i] = known

    kwargs = dict(registry=ctx.registry, received=received, policy=ctx.policy, workers=workers,
                  progress=progress, cancel=cancel)
    while new:
        _capture(ctx, new, store, outcome, names, kwargs, cancel)
        new = _next_copies(new, copies, outcome, names)
    files_out = outcomes_early + [outcome[i] for i in sorted(outcome)]
    with ctx.write() as s:  # the run as the inbox shows it, kept for its history
        run = ImportRun(at=to_db(ctx.now()), by=by, outcomes=[_storable(o) for o in files_out])
        s.add(run)
        s.flush()
        run_id = run.id
    return ImportReport(files_out, batch_id, run_id, ctx.now(), by)


def _stored(ctx: ImportContext, shas: set[str]) -> dict[str, tuple[str, dt.datetime, list[int]]]:
    """Of these SHA-256s, those already stored: (name, imported at, record ids) each."""
    known = {}
    values = list(shas)
    with ctx.write() as s:
        for start in range(0, len(values), 500):
            for sf in s.scalars(select(SourceFile).where(SourceFile.sha256.in_(values[start:start + 500]))):
                known[sf.sha256] = (sf.name, sf.imported_at, list(s.scalars(
                    select(Record.id).where(Record.source_file_id == sf.id).order_by(Record.id))))
    return known


def _capture(ctx: ImportContext, batch: list[tuple[int, Path, str]], store, outcome: dict[int, FileOutcome],
             names: dict[Path, str], kwargs: dict, cancel) -> None:
    """Capture the files of ``batch`` and ``store`` each; a file that breaks the run is an error of
    its own, and the files after it are captured one at a time."""
    pending = list(batch)
    try:
        for result in ctx.extractor([p for _, p, _ in pending], **kwargs):
            i, path, sha = pending[0]
            store(i, path, sha, result)
            pending.pop(0)
    except UserDisabled:  # disabled meanwhile: what is stored stays, nothing more is imported for them
        raise
    except Exception as exc:  # capture failed mid-run: cancelled, or one file broke the run
        if cancel is not None and cancel():
            for i, path, _ in pending:
                outcome[i] = FileOutcome(str(path), "cancelled", message=f"{names[path]}: not imported (cancelled)")
            pending = []
        else:
            first = pending.pop(0) if pending else None
            if first is not None:
                outcome[first[0]] = FileOutcome(str(first[1]), "error",
                                                message=f"{names[first[1]]}: could not be read ({exc})")
    for i, path, sha in pending:  # what a broken run left: one file at a time
        try:
            result = next(iter(ctx.extractor([path], **kwargs)))
            store(i, path, sha, result)
        except UserDisabled:
            raise
        except Exception as exc:
            outcome[i] = FileOutcome(str(path), "error", message=f"{names[path]}: could not be read ({exc})")


def _next_copies(batch: list[tuple[int, Path, str]], copies: dict[str, list[tuple[int, Path]]],
                 outcome: dict[int, FileOutcome], names: dict[Path, str]) -> list[tuple[int, Path, str]]:
    """After ``batch`` was captured: the next copy of each file that could not be read, to be read
    in its turn; the copies of a file that was read (or cancelled) said to be so."""
    again = []
    for i, path, sha in batch:
        waiting = copies.get(sha, [])
        if outcome[i].status == "error" and waiting:
            j, copy = waiting.pop(0)
            again.append((j, copy, sha))
            continue
        for j, copy in waiting:
            if outcome[i].status == "cancelled":
                outcome[j] = FileOutcome(str(copy), "cancelled", message=f"{names[copy]}: not imported (cancelled)")
            else:
                outcome[j] = FileOutcome(str(copy), "duplicate", 0, [],
                                         f"{names[copy]}: the same file as {names[path]}; imported once")
        waiting.clear()
    return again


def _storable(o: FileOutcome) -> dict:
    """An outcome as the run's history keeps it: text a database takes (see ``scanfiles.printable``)."""
    row = asdict(o)
    row["path"], row["message"] = printable(o.path), printable(o.message)
    return row


def history(s: Session, limit: int) -> list[ImportReport]:
    """The latest import runs, newest first."""
    runs = s.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))
    return [ImportReport([FileOutcome(**o) for o in run.outcomes], None, run.id, from_db(run.at), run.by)
            for run in runs]
