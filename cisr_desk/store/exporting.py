"""The weekly export batch: approved, not yet exported records of a period, as rows, written and
marked exported in one transaction. The rows are kept with the batch, so a re-export writes
exactly the same workbook rows (the Manifest's hash proves it).

The workbook is written and given its name inside the transaction, before the commit: see
``Desk.export_period`` for why that order loses nothing whichever step fails."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Mapping

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import DeskError, NotFound, OutputFileError
from cisr_desk.domain.model import Value
from cisr_desk.domain.registry import Registry
from cisr_desk.export.files import Destination, default_name, write_new
from cisr_desk.export.rows import ExportRow, period_label, rows_hash
from cisr_desk.export.workbook import Manifest, write_workbook
from cisr_desk.store import audit, dto
from cisr_desk.store.times import from_db, local_wall_clock, to_db
from cisr_desk.store.models import MAX_ID, AuditRecord, ExportBatch, ExportBatchRow, Record

RegistryFor = Callable[[int | None], Registry | None]


def rows_of(rec, values: Mapping[str, Value], registry: Registry | None) -> list[ExportRow]:
    def text(key: str) -> str:
        v = values.get(key)
        return v if isinstance(v, str) else ""

    t = wf.term(values)
    try:
        signed = dt.date.fromisoformat(text("customer_sign_date")) if text("customer_sign_date") else None
    except ValueError:
        signed = None
    categories = ", ".join(wf.data_categories(values))
    out = []
    for p in wf.pairs(values):
        drp = registry.get(p.drp_id) if registry is not None else None
        out.append(ExportRow(
            record_id=rec.id, request_type=rec.request_type or wf.request_type(values), customer=text("customer_name"),
            customer_account=text("customer_account"), service_account=p.service_account,
            service_address=p.service_address, drp=p.drp_id, drp_legal_name=drp.legal_name if drp else "",
            data_categories=categories, term_start=t.start, term_end=t.end,
            until_revoked=t.end is None and rec.request_type != "revoke", signature_date=signed,
            received=rec.received, clerk=rec.entered_by or "", approver=rec.approved_by or "",
            approved_at=local_wall_clock(rec.approved_at)))
    return out


# What an export reads of a record: not the whole row (a batch reads thousands).
_COLUMNS = (Record.id, Record.status, Record.request_type, Record.received, Record.entered_by, Record.approved_by,
            Record.approved_at, Record.registry_version_id, Record.current_values)


def _pending(s: Session, start: dt.date, end: dt.date, *, lock: bool = False) -> list:
    query = (select(*_COLUMNS).where(Record.status == wf.Status.APPROVED.value, Record.export_batch_id.is_(None),
                                  Record.approved_on >= start, Record.approved_on <= end).order_by(Record.id))
    if lock:
        query = query.with_for_update()
    return list(s.execute(query))


def _rows(s: Session, recs: list, registry_for: RegistryFor) -> list[ExportRow]:
    return [row for rec in recs for row in rows_of(rec, rec.current_values or {}, registry_for(rec.registry_version_id))]


def pending_rows(s: Session, start: dt.date, end: dt.date, registry_for: RegistryFor) -> list[ExportRow]:
    return _rows(s, _pending(s, start, end), registry_for)


def _info(batch: ExportBatch, path: str | None = None) -> dto.ExportBatchInfo:
    return dto.ExportBatchInfo(batch.id, batch.period_start, batch.period_end, path if path is not None else batch.path,
                               batch.record_count, batch.row_count, batch.created_by, from_db(batch.created_at),
                               batch.rows_hash)


def _overrides(s: Session, batch_id: int) -> tuple[tuple[int, str, str], ...]:
    """The batch's approvals that passed a failing rule, as the audit log has them (so a re-export
    lists the same)."""
    ids = select(Record.id).where(Record.export_batch_id == batch_id)
    rows = s.execute(select(AuditRecord.record_id, AuditRecord.user, AuditRecord.reason)
                     .where(AuditRecord.record_id.in_(ids), AuditRecord.action == "approve",
                            AuditRecord.reason.startswith(wf.OVERRIDE_PREFIX))
                     .order_by(AuditRecord.record_id, AuditRecord.id))
    return tuple((rid, user, reason[len(wf.OVERRIDE_PREFIX):]) for rid, user, reason in rows)


def _manifest(s: Session, batch: ExportBatch) -> Manifest:
    return Manifest(batch.id, batch.period_start, batch.period_end, batch.created_by, local_wall_clock(batch.created_at),
                    batch.record_count, batch.row_count, batch.rows_hash, _overrides(s, batch.id))


def export_period(s: Session, start: dt.date, end: dt.date, by: str, destination: Destination, tmp: Path,
                  now: dt.datetime, registry_for: RegistryFor) -> dto.ExportBatchInfo | None:
    """Mark the period's records exported as a new batch and write its workbook, or None when there
    is nothing to export.

    The workbook is written to ``tmp`` and placed at its final name last, while the caller's
    transaction is still open: the caller commits after, and removes the placed file
    (``info.path``) if the commit fails.
    """
    if end < start:
        raise DeskError(f"The period ends ({end}) before it starts ({start})")
    recs = _pending(s, start, end, lock=True)
    if not recs:
        return None
    rows = _rows(s, recs, registry_for)
    as_json = [r.to_json() for r in rows]
    batch = ExportBatch(period_start=start, period_end=end, created_by=by,
                        created_at=to_db(now).replace(microsecond=0),
                        record_count=len(recs), row_count=len(rows), rows_hash=rows_hash(rows, as_json), path="")
    s.add(batch)
    s.flush()
    # Core inserts: thousands of rows, no need for ORM objects.
    s.execute(insert(ExportBatchRow), [{"batch_id": batch.id, "position": i, "data": d} for i, d in enumerate(as_json)])
    audit.log_many(s, [wf.export(wf.RecordFacts(rec.id, wf.Status(rec.status)), by, batch.id).event(now, rec.id)
                       for rec in recs])
    done = s.execute(update(Record).where(Record.id.in_([r.id for r in recs]),
                                          Record.status == wf.Status.APPROVED.value,
                                          Record.export_batch_id.is_(None))
                     .values(status=wf.Status.EXPORTED.value, export_batch_id=batch.id)
                     .execution_options(synchronize_session=False))
    if done.rowcount != len(recs):  # another seat exported some of them meanwhile
        raise DeskError("Some of these records were exported by someone else just now; export again")
    _write(tmp, rows, _manifest(s, batch), destination)
    path = destination.place(tmp, default_name(period_label(start, end), batch.id))
    batch.path = str(path.absolute())  # nothing may fail after the placing: the caller commits next
    return _info(batch)


def _write(tmp: Path, rows: list[ExportRow], manifest: Manifest, destination: Destination) -> None:
    try:
        write_workbook(tmp, rows, manifest)
    except OSError as exc:  # a full disk, a share that went away
        raise OutputFileError(f"cannot write to {destination.describe()}: {exc.strerror or exc}") from None


def batches(s: Session) -> list[dto.ExportBatchInfo]:
    return [_info(b) for b in s.scalars(select(ExportBatch).order_by(ExportBatch.id))]


def batch_rows(s: Session, batch_id: int) -> tuple[ExportBatch, list[ExportRow]]:
    batch = s.get(ExportBatch, batch_id) if 0 < batch_id <= MAX_ID else None
    if batch is None:
        raise NotFound(f"There is no export batch {batch_id}")
    rows = [ExportRow.from_json(d) for d in s.scalars(
        select(ExportBatchRow.data).where(ExportBatchRow.batch_id == batch_id).order_by(ExportBatchRow.position))]
    if rows_hash(rows) != batch.rows_hash:
        raise DeskError(f"Export batch {batch_id} no longer matches its recorded hash; it cannot be reproduced")
    return batch, rows


def reexport(s: Session, batch_id: int, destination: Destination) -> dto.ExportBatchInfo:
    """Write a past batch again, under its default name unless one is given (a free variant when taken)."""
    batch, rows = batch_rows(s, batch_id)
    manifest = _manifest(s, batch)
    path = write_new(destination, default_name(period_label(batch.period_start, batch.period_end), batch.id),
                     lambda tmp: write_workbook(tmp, rows, manifest))
    return _info(batch, str(path.absolute()))
