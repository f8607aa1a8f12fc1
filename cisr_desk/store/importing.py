"""Importing PDF files: run capture over what is new, keep an immutable copy of each file
(named by its SHA-256) and store the forms found in it.

Each file is stored in a transaction of its own, so a file that cannot be read, a crash or a
cancel loses nothing already imported. A file whose SHA-256 is already stored is a duplicate:
capture does not even run on it. Two seats importing the same file at once both capture it, but
the unique SHA-256 lets only one store it: the other's transaction is rolled back and the file
reported as already imported.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cisr_desk.domain import scanfiles
from cisr_desk.domain.errors import UserDisabled
from cisr_desk.domain.model import DocumentResult
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
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


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[FileOutcome]]:
    """The scans named, folders searched recursively (sorted); missing paths as errors."""
    found, missing = scanfiles.expand(paths)
    return found, [FileOutcome(str(p), "error", message=f"{p}: no such file or folder") for p in missing]


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
    source = SourceFile(batch_id=batch_id, sha256=sha, original_path=str(path.resolve()), name=path.name,
                        size=path.stat().st_size, page_count=result.pages, stored_name=stored,
                        unrecognized_pages=list(result.unrecognized_pages), imported_at=naive)
    s.add(source)
    s.flush()
    ids = []
    for form in result.forms:
        rec = records.create(s, source, form, received=received, registry=ctx.registry,
                             registry_version_id=ctx.registry_version_id, policy=ctx.policy, now=naive)
        audit.log(s, now, by, "import", record_id=rec.id, field="status", new=rec.status,
                  reason=f"{path.name}, page{'s' if len(form.pages) != 1 else ''} "
                         f"{', '.join(map(str, form.pages))}")
        ids.append(rec.id)
    message = "; ".join(result.errors)
    return FileOutcome(str(path), "imported", len(ids), list(result.unrecognized_pages), message, ids)


def _already_imported(s: Session, path: Path, sha: str) -> FileOutcome | None:
    sf = s.scalars(select(SourceFile).where(SourceFile.sha256 == sha)).first()
    if sf is None:
        return None
    ids = list(s.scalars(select(Record.id).where(Record.source_file_id == sf.id).order_by(Record.id)))
    forms = f"record{'s' if len(ids) != 1 else ''} {', '.join(map(str, ids))}" if ids else "no forms"
    return FileOutcome(str(path), "duplicate", 0, [], f"{path.name}: already imported "
                       f"{sf.imported_at:%Y-%m-%d} as {sf.name} ({forms}); nothing new created", [])


def run_import(ctx: ImportContext, paths: Iterable[Path], by: str, *, received: dt.date | None = None,
               progress=None, cancel=None, workers: int | None = None) -> ImportReport:
    files, outcomes_early = expand(paths)
    outcome: dict[int, FileOutcome] = {}
    new: list[tuple[int, Path, str]] = []
    seen: dict[str, Path] = {}
    shas: dict[int, str] = {}
    for i, path in enumerate(files):
        try:
            shas[i] = sha256_of(path)
        except OSError as exc:
            outcome[i] = FileOutcome(str(path), "error", message=f"{path}: cannot be read ({exc.strerror or exc})")
    with ctx.write() as s:
        known = {}
        values = list(set(shas.values()))
        for start in range(0, len(values), 500):
            for sf in s.scalars(select(SourceFile).where(SourceFile.sha256.in_(values[start:start + 500]))):
                known[sf.sha256] = (sf.name, sf.imported_at, list(s.scalars(
                    select(Record.id).where(Record.source_file_id == sf.id).order_by(Record.id))))
    for i, path in enumerate(files):
        if i in outcome:
            continue
        sha = shas[i]
        if sha in known:
            name, when, ids = known[sha]
            forms = f"record{'s' if len(ids) != 1 else ''} {', '.join(map(str, ids))}" if ids else "no forms"
            outcome[i] = FileOutcome(str(path), "duplicate", 0, [], f"{path.name}: already imported "
                                     f"{when:%Y-%m-%d} as {name} ({forms}); nothing new created", [])
        elif sha in seen:
            outcome[i] = FileOutcome(str(path), "duplicate", 0, [],
                                     f"{path.name}: the same file as {seen[sha].name}; imported once")
        else:
            seen[sha] = path
            new.append((i, path, sha))

    batch_id: int | None = None

    def store(i: int, path: Path, sha: str, result: DocumentResult) -> None:
        nonlocal batch_id
        if result.errors and not result.forms:
            outcome[i] = FileOutcome(str(path), "error", 0, list(result.unrecognized_pages),
                                     "; ".join(result.errors))
            return
        made_batch = False
        try:
            with ctx.write() as s:
                if (known := _already_imported(s, path, sha)) is not None:  # another seat stored it meanwhile
                    outcome[i] = known
                    return
                if batch_id is None:
                    batch = ImportBatch(created_at=to_db(ctx.now()),
                                        created_by=by, registry_version_id=ctx.registry_version_id)
                    s.add(batch)
                    s.flush()
                    batch_id, made_batch = batch.id, True
                outcome[i] = _store_result(ctx, s, batch_id, path, sha, result, received, by)
        except IntegrityError:  # the same file committed by another seat while this one stored it
            if made_batch:
                batch_id = None  # rolled back with the file
            with ctx.write() as s:
                known = _already_imported(s, path, sha)
            if known is None:
                raise
            outcome[i] = known

    kwargs = dict(registry=ctx.registry, received=received, policy=ctx.policy, workers=workers,
                  progress=progress, cancel=cancel)
    pending = list(new)
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
                outcome[i] = FileOutcome(str(path), "cancelled", message=f"{path.name}: not imported (cancelled)")
            pending = []
        else:
            first = pending.pop(0) if pending else None
            if first is not None:
                outcome[first[0]] = FileOutcome(str(first[1]), "error",
                                                message=f"{first[1].name}: could not be read ({exc})")
    for i, path, sha in pending:  # what a broken run left: one file at a time
        try:
            result = next(iter(ctx.extractor([path], **kwargs)))
            store(i, path, sha, result)
        except UserDisabled:
            raise
        except Exception as exc:
            outcome[i] = FileOutcome(str(path), "error", message=f"{path.name}: could not be read ({exc})")
    files_out = outcomes_early + [outcome[i] for i in sorted(outcome)]
    with ctx.write() as s:  # the run as the inbox shows it, kept for its history
        run = ImportRun(at=to_db(ctx.now()), by=by, outcomes=[asdict(o) for o in files_out])
        s.add(run)
        s.flush()
        run_id = run.id
    return ImportReport(files_out, batch_id, run_id, ctx.now(), by)


def history(s: Session, limit: int) -> list[ImportReport]:
    """The latest import runs, newest first."""
    runs = s.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))
    return [ImportReport([FileOutcome(**o) for o in run.outcomes], None, run.id, from_db(run.at), run.by)
            for run in runs]
