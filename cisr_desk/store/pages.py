"""The page desk in the store: a file's page layout read from its records, and a clerk's
rearrangement of it written back.

A rearrangement is planned against the layout as stored (:func:`plan`), the forms it touches
are read again by capture outside any transaction (slow), and the results are written in one
transaction (:func:`apply`) that first checks nothing moved meanwhile. Records are updated in
place; a value a clerk changed keeps the clerk's value (only its OCR reading is renewed).

A form that disappears (merged into another, or its pages marked "not a form") is retired:
its record is *rejected* with the reason, and its pages are taken off it. It is not deleted:
the append-only audit log refers to it, and its history (who imported it, what a clerk typed
into it) must stay readable.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cisr_desk.domain import layout as lay
from cisr_desk.domain.errors import InvalidValue, NotFound
from cisr_desk.domain.model import FormResult
from cisr_desk.domain.template import load_templates
from cisr_desk.domain.workflow import Status
from cisr_desk.paths import forms_dir
from cisr_desk.store import audit, records
from cisr_desk.store.models import FieldValue, Record, RecordPage, SourceFile
from cisr_desk.store.times import from_db, to_db

FormReader = Callable[..., list[FormResult]]  # (path, [FormPlan], registry=, policy=, progress=, cancel=)


def default_form_reader(path, plans, **kwargs) -> list[FormResult]:
    from cisr_desk.capture.pipeline import read_forms  # OpenCV and OCR only when forms are read

    return read_forms(path, plans, **kwargs)


@dataclass(frozen=True)
class SourceFileRow:
    id: int
    name: str
    imported_at: dt.datetime
    page_count: int
    forms: int
    unrecognized: list[int]

    @property
    def needs_a_look(self) -> bool:
        return bool(self.unrecognized)


@dataclass
class RearrangeReport:
    file_name: str
    updated: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)
    changed_values: dict[int, list[str]] = field(default_factory=dict)  # read differently this time
    kept_values: dict[int, list[str]] = field(default_factory=dict)  # the clerk's value kept over the new reading
    unrecognized: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = []
        if self.updated:
            parts.append(f"record{'s' if len(self.updated) > 1 else ''} {', '.join(map(str, self.updated))} read again")
        if self.created:
            parts.append(f"new record{'s' if len(self.created) > 1 else ''} {', '.join(map(str, self.created))}")
        if self.retired:
            parts.append(f"record{'s' if len(self.retired) > 1 else ''} {', '.join(map(str, self.retired))} "
                         "retired (rejected: their pages are elsewhere now)")
        changed = sum(len(v) for v in self.changed_values.values())
        kept = sum(len(v) for v in self.kept_values.values())
        if changed:
            parts.append(f"{changed} value{'s' if changed > 1 else ''} read differently")
        if kept:
            parts.append(f"{kept} value{'s' if kept > 1 else ''} a clerk had changed kept")
        if self.unrecognized:
            parts.append(f"page{'s' if len(self.unrecognized) > 1 else ''} {', '.join(map(str, self.unrecognized))} "
                         "still unrecognized")
        return f"{self.file_name}: " + ("; ".join(parts) if parts else "pages rearranged; no form had to be read again")


# -- reading ------------------------------------------------------------------------------------------
def template_pages() -> dict[str, int]:
    return {t.id: len(t.pages) for t in load_templates(forms_dir()).values()}


def source_files(s: Session, limit: int = 500) -> list[SourceFileRow]:
    rows = list(s.scalars(select(SourceFile).order_by(SourceFile.imported_at.desc(), SourceFile.id.desc())
                          .limit(limit)))
    counts: dict[int, int] = {}
    for file_id, pages in s.execute(select(Record.source_file_id, Record.pages)
                                    .where(Record.source_file_id.in_([f.id for f in rows]))):
        if pages:  # a retired form has no pages left
            counts[file_id] = counts.get(file_id, 0) + 1
    return [SourceFileRow(f.id, f.name, from_db(f.imported_at), f.page_count, counts.get(f.id, 0),
                          sorted(f.unrecognized_pages or [])) for f in rows]


def _form_pages(rec: Record, count: int | None) -> dict[int, int]:
    attachments = set(rec.attachment_pages or [])
    pages = [p for p in rec.pages or [] if p not in attachments]
    missing = set(rec.missing_pages or [])
    indices = [i for i in range(count) if i not in missing] if count else []
    if len(indices) != len(pages):  # a template no longer installed, or a record made by hand
        indices = list(range(len(pages)))
    return dict(zip(indices, pages))


def layout_of(s: Session, source_file_id: int, files_dir: Path) -> lay.PageLayout:
    source = s.get(SourceFile, source_file_id)
    if source is None:
        raise NotFound(f"There is no source file {source_file_id}")
    counts = template_pages()
    out = lay.PageLayout(source.id, source.name, source.page_count, counts,
                         source_path=str(Path(files_dir) / source.stored_name))
    recs = [r for r in s.scalars(select(Record).where(Record.source_file_id == source.id)) if r.pages]
    for rec in sorted(recs, key=lambda r: (min(r.pages), r.id)):
        out.digital = out.digital or bool(rec.digital)
        out.forms.append(lay.FormLayout(rec.template, _form_pages(rec, counts.get(rec.template)),
                                        sorted(rec.attachment_pages or []), rec.id, rec.status, rec.customer or ""))
        for p in s.scalars(select(RecordPage).where(RecordPage.record_id == rec.id)):
            if p.rotated:
                out.turned[p.source_page] = True
    placed = {p for f in out.forms for p in f.file_pages}
    unrecognized = set(source.unrecognized_pages or [])
    for page in range(1, source.page_count + 1):
        if page not in placed:
            out.loose[page] = lay.UNRECOGNIZED if page in unrecognized else lay.NOT_FORM
    out.loaded_as = lay.fingerprint(out)
    out.versions = {rec.id: rec.version or 1 for rec in recs}
    return out


# -- planning -----------------------------------------------------------------------------------------
@dataclass
class Plan:
    base: lay.PageLayout  # the layout as stored when the plan was made
    new: lay.PageLayout
    read: list[int]  # forms (indices into new.forms) whose pages changed: read again, or created
    attach: list[int]  # forms whose attachments alone changed: checked again, not read
    retired: list[int]  # record ids whose form is gone

    def affected_records(self) -> list[int]:
        ids = [self.new.forms[n].record_id for n in self.read + self.attach]
        return sorted({i for i in ids if i is not None} | set(self.retired))

    def plans(self, received: dict[int, dt.date | None]):
        out = []
        for n in self.read:
            form = self.new.forms[n]
            hints = {p: self.new.turned.get(p, False) for p in form.pages.values()
                     if self.new.turned.get(p, False) != self.base.turned.get(p, False)}
            out.append(lay.FormPlan(form.template_id, dict(form.pages), tuple(form.attachments), hints,
                                received.get(form.record_id) if form.record_id else received.get(None)))
        return out


def plan(base: lay.PageLayout, new: lay.PageLayout) -> Plan:
    """What a rearrangement changes; refuses forms past review and layouts not made from this file."""
    lay.validate(new)
    if new.file_id != base.file_id or new.page_count != base.page_count:
        raise InvalidValue(f"That layout is not one of {base.file_name}")
    if new.loaded_as and new.loaded_as != base.loaded_as:
        raise InvalidValue(f"The pages of {base.file_name} were rearranged by someone else meanwhile: "
                           "open the file again and redo your changes")
    if base.digital:
        raise InvalidValue(f"{base.file_name} is a digital PDF: its form is read from its fields, "
                           "so its pages cannot be rearranged")
    old = {f.record_id: f for f in base.forms}
    unknown = [f.record_id for f in new.forms if f.record_id is not None and f.record_id not in old]
    if unknown:
        raise InvalidValue(f"Record {unknown[0]} is not a form of {base.file_name}")
    read, attach = [], []
    for n, form in enumerate(new.forms):
        before = old.get(form.record_id)
        turned = lambda f, lo: sorted(p for p in f.pages.values() if lo.turned.get(p, False))  # noqa: E731
        if before is None or (before.template_id, before.pages, turned(before, base)) != \
                (form.template_id, form.pages, turned(form, new)):
            read.append(n)
        elif sorted(before.attachments) != sorted(form.attachments):
            attach.append(n)
    kept = {f.record_id for f in new.forms}
    retired = [f.record_id for f in base.forms if f.record_id not in kept]
    result = Plan(base, new, read, attach, retired)
    blocked = [(rid, old[rid].status) for rid in result.affected_records() if old[rid].status not in lay.REARRANGEABLE]
    if blocked:
        rid, status = blocked[0]
        raise InvalidValue(f"Record {rid} is {status.replace('_', ' ')}: only forms not yet submitted "
                           f"({', '.join(s.replace('_', ' ') for s in lay.REARRANGEABLE)}) can be rearranged")
    return result


# -- writing ------------------------------------------------------------------------------------------
def _pages_text(pages) -> str:
    return ", ".join(map(str, pages)) or "none"


def _set_placements(s: Session, rec: Record, result: FormResult) -> None:
    s.execute(delete(RecordPage).where(RecordPage.record_id == rec.id))
    s.flush()
    for pos, p in enumerate(result.placements):
        s.add(RecordPage(record_id=rec.id, position=pos, source_page=p.source_page, rotated=bool(p.rotated),
                         dpi=float(p.dpi), matrix=[list(map(float, row)) for row in p.matrix], score=float(p.score)))


def _merge_fields(s: Session, rec: Record, result: FormResult) -> tuple[list[str], list[str]]:
    """New readings into the field rows; a row a clerk changed keeps its value. (changed, kept) keys."""
    rows = {f.key: f for f in s.scalars(select(FieldValue).where(FieldValue.record_id == rec.id))}
    changed, kept = [], []
    for key, r in result.fields.items():
        row = rows.pop(key, None)
        if row is None:
            s.add(FieldValue(record_id=rec.id, key=key, ocr_value=r.value, value=r.value,
                             confidence=float(r.confidence), review=bool(r.review), ocr_review=bool(r.review),
                             reasons=list(r.reasons), raw=r.raw or "", changed_by="", changed_at=None))
            changed.append(key)
            continue
        if row.ocr_value != r.value:
            changed.append(key)
        row.ocr_value, row.confidence = r.value, float(r.confidence)
        row.ocr_review, row.raw = bool(r.review), r.raw or ""
        if row.changed_by:
            if row.value != r.value:
                kept.append(key)
            continue
        row.value, row.review, row.reasons = r.value, bool(r.review), list(r.reasons)
    for key, row in rows.items():  # read before, not now (the form changed revision)
        if not row.changed_by:
            s.delete(row)
    return changed, kept


def apply(s: Session, p: Plan, results: list[FormResult], *, by: str, now: dt.datetime, files_dir: Path,
          revalidate: Callable[[Record], None], registry, registry_version_id, policy) -> RearrangeReport:
    """Write a planned rearrangement (``results`` in the order of ``p.read``) in the caller's transaction."""
    current = layout_of(s, p.base.file_id, files_dir)
    if not lay.same_place(current, p.base):
        raise InvalidValue(f"The pages of {current.file_name} were rearranged by someone else meanwhile: "
                           "open the file again and redo your changes")
    for rid in p.affected_records():
        status = records.get(s, rid).status
        if status not in lay.REARRANGEABLE:
            raise InvalidValue(f"Record {rid} was {status.replace('_', ' ')} meanwhile: it can no longer be rearranged")
    source = s.get(SourceFile, p.base.file_id)
    naive = to_db(now)
    report = RearrangeReport(source.name)
    old_pages = {f.record_id: f.file_pages for f in p.base.forms}
    page_owner: dict[int, int] = {}
    for n, result in zip(p.read, results):
        form = p.new.forms[n]
        if form.record_id is None:
            rec = records.create(s, source, result, received=None, registry=registry,
                                 registry_version_id=registry_version_id, policy=policy, now=naive)
            audit.log(s, now, by, "form_created", record_id=rec.id, field="pages", new=_pages_text(result.pages),
                      reason=f"{source.name}: made on the page desk")
            report.created.append(rec.id)
            form.record_id = rec.id
        else:
            rec = records.get(s, form.record_id, lock=True)
            old_template = rec.template
            rec.template, rec.pages = result.template, list(result.pages)
            rec.attachment_pages, rec.missing_pages = list(result.attachment_pages), list(result.missing_pages)
            if rec.received is None and result.received:
                rec.received = dt.date.fromisoformat(result.received)
            _set_placements(s, rec, result)
            changed, kept = _merge_fields(s, rec, result)
            s.flush()
            if changed:
                report.changed_values[rec.id] = changed
            if kept:
                report.kept_values[rec.id] = kept
            same = old_template == rec.template
            audit.log(s, now, by, "form_reread", record_id=rec.id, field="pages",
                      old=_pages_text(old_pages.get(rec.id, [])) + ("" if same else f" ({old_template})"),
                      new=_pages_text(rec.pages) + ("" if same else f" ({rec.template})"),
                      reason=f"{len(changed)} value(s) read differently"
                             + (f"; the clerk's value kept for {', '.join(kept)}" if kept else ""))
            report.updated.append(rec.id)
        for page in result.pages:
            page_owner[page] = form.record_id
    for n in p.attach:
        form = p.new.forms[n]
        rec = records.get(s, form.record_id, lock=True)
        old = list(rec.pages)
        rec.attachment_pages = sorted(form.attachments)
        rec.pages = [form.pages[i] for i in sorted(form.pages)] + rec.attachment_pages
        audit.log(s, now, by, "attachments_changed", record_id=rec.id, field="attachment_pages",
                  old=_pages_text(sorted(set(old) - set(form.pages.values()))), new=_pages_text(rec.attachment_pages))
        report.updated.append(rec.id)
        for page in rec.pages:
            page_owner[page] = rec.id
    for form in p.new.forms:
        for page in form.file_pages:
            page_owner.setdefault(page, form.record_id)
    for rid in p.retired:
        rec = records.get(s, rid, lock=True)
        pages_before = list(rec.pages)
        homes = sorted({page_owner[pg] for pg in pages_before if pg in page_owner})
        reason = (f"merged into record {', '.join(map(str, homes))}" if homes
                  else "its pages are not a form") + " on the page desk"
        old_status = rec.status
        rec.status, rec.reject_reason, rec.holder = Status.REJECTED.value, reason, ""
        rec.pages, rec.attachment_pages = [], []
        s.execute(delete(RecordPage).where(RecordPage.record_id == rec.id))
        audit.log(s, now, by, "form_retired", record_id=rec.id, field="status", old=old_status,
                  new=rec.status, reason=f"{reason} (pages {_pages_text(pages_before)} of {source.name})")
        report.retired.append(rid)
    for change in p.new.changes:
        record_id = change.record_id if change.record_id is not None else page_owner.get(change.page)
        audit.log(s, now, by, change.action, record_id=record_id, entity="page",
                  field=f"page {change.page}", old=change.old, new=change.new, reason=source.name)
    unrecognized = sorted(pg for pg, kind in p.new.loose.items() if kind == lay.UNRECOGNIZED)
    if unrecognized != sorted(source.unrecognized_pages or []):
        source.unrecognized_pages = unrecognized
    report.unrecognized = unrecognized
    for rid in report.updated + report.created + report.retired:
        rec = records.get(s, rid)
        rec.version = (rec.version or 1) + 1
        rec.updated_by, rec.updated_at = by, naive
        s.flush()
        if rid not in report.retired:
            revalidate(rec)
    return report
