"""Form records in the database: made from capture results, kept checked, read for the queue and
the review screen. Functions take an open session; the Desk decides transactions."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Collection, Iterable, Mapping

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from cisr_desk.domain import rules
from cisr_desk.domain.catalog import FIELD_TYPES, LABELS, section_of
from cisr_desk.domain.errors import InvalidValue, NotFound
from cisr_desk.domain.fields import FieldType, format_error, normalise, parse_date
from cisr_desk.domain.model import FormResult, Issue, PagePlacement, Value
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.template import FormTemplate, load_templates
from cisr_desk.domain.workflow import (STATUSES, ActiveAuthorization, AuditEvent, RecordFacts, Status,
                                       authorization_issues, request_type)
from cisr_desk.paths import forms_dir
from cisr_desk.store import dto
from cisr_desk.store.times import from_db
from cisr_desk.store.models import (MAX_ID, AuditRecord, Authorization, FieldValue, Record, RecordIssue, RecordPage,
                                    SourceFile)

_SA_NUMBER = re.compile(r"^sa\d+_number$")
EDIT_ACTIONS = ("set_field", "accept_field")


@lru_cache(maxsize=1)
def _templates(folder: str) -> dict[str, FormTemplate]:
    return load_templates(Path(folder))


def template_of(template_id: str) -> FormTemplate | None:
    return _templates(str(forms_dir())).get(template_id)


def field_type(template: FormTemplate | None, key: str) -> FieldType:
    if template is not None and template.has(key):
        return template.field(key).type
    return FIELD_TYPES.get(key, FieldType.TEXT)


# -- values -----------------------------------------------------------------------------------------
_TRUE = {"true", "yes", "y", "1", "x", "on", "checked", "signed"}
_FALSE = {"false", "no", "n", "0", "", "off", "unchecked", "unsigned"}


def coerce(template: FormTemplate | None, key: str, value: object) -> Value:
    """A value a user typed, in its normal form; InvalidValue when it is not one of its type."""
    ftype = field_type(template, key)
    label = LABELS.get(key, key)
    if ftype.is_mark:
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InvalidValue(f"{label}: {value!r} is not a yes/no value (write true or false)")
    if isinstance(value, bool):
        raise InvalidValue(f"{label} holds text, not yes/no")
    text = normalise(ftype, str(value if value is not None else ""))
    error = format_error(ftype, text, key)
    if error:
        raise InvalidValue(f"{label}: {error}")
    return text


def coerce_date(value: object, label: str) -> dt.date | None:
    """A date a user typed (MM/DD/YYYY or YYYY-MM-DD; empty for none); InvalidValue otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise InvalidValue(f"{label}: {text!r} is not a date (MM/DD/YYYY)")
    return day


def values_of(session: Session, record_ids: Iterable[int]) -> dict[int, dict[str, Value]]:
    """Current values by record id, from the field rows (``Record.current_values`` is their copy)."""
    out: dict[int, dict[str, Value]] = {}
    ids = list(record_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.execute(select(FieldValue.record_id, FieldValue.key, FieldValue.value)
                               .where(FieldValue.record_id.in_(chunk)))
        for rid, key, value in rows:
            out.setdefault(rid, {})[key] = value
    return out


# -- checking ---------------------------------------------------------------------------------------
def active_authorizations(session: Session, accounts: Collection[str]) -> list[ActiveAuthorization]:
    if not accounts:
        return []
    rows = session.execute(select(Authorization.id, Authorization.service_account, Authorization.drp_id,
                                  Authorization.record_id)
                           .where(Authorization.service_account.in_(list(accounts)), Authorization.state == "active"))
    return [ActiveAuthorization(*r) for r in rows]


def check(session: Session, rec: Record, values: Mapping[str, Value], *, registry: Registry | None,
          policy: SitePolicy) -> list[Issue]:
    """Every issue of the record: the form's rules, then those that depend on authorizations in force."""
    template = template_of(rec.template)
    issues: list[Issue] = []
    if template is not None:
        more = values.get("more_accounts_attached") is True
        issues = rules.validate(template, values, registry=registry, received=rec.received, policy=policy,
                                attachment_present=(bool(rec.attachment_pages) if more and not rec.digital else None),
                                missing_pages=rec.missing_pages or ())
    else:
        issues = [Issue(None, "unknown_template", f"Form template {rec.template} is not installed; it cannot be checked")]
    accounts = [v for k, v in values.items() if _SA_NUMBER.match(k) and isinstance(v, str) and v]
    issues += authorization_issues(values, active_authorizations(session, accounts), rec.id)
    return issues


def refresh(session: Session, rec: Record, values: Mapping[str, Value], issues: list[Issue],
            registry_version_id: int | None) -> bool:
    """Store the record's issues and bring its list columns up to date; True when the issues changed."""
    old = session.execute(select(RecordIssue.field, RecordIssue.code, RecordIssue.message)
                          .where(RecordIssue.record_id == rec.id).order_by(RecordIssue.id)).all()
    new = [(i.field, i.code, i.message) for i in issues]
    changed = [tuple(r) for r in old] != new
    if changed:
        session.execute(delete(RecordIssue).where(RecordIssue.record_id == rec.id))
        session.add_all(RecordIssue(record_id=rec.id, field=f, code=c, message=m) for f, c, m in new)
    doubtful = session.scalar(select(func.count()).select_from(FieldValue)
                              .where(FieldValue.record_id == rec.id, FieldValue.review.is_(True)))
    _list_columns(rec, values, len(issues), doubtful or 0)
    rec.registry_version_id = registry_version_id
    return changed


def _fit(column, text: str) -> str:
    """``text`` cut to the column's length: the list columns are the queue's copy, and a value read
    off a form can be longer than any real one (PostgreSQL refuses the whole write; the field's
    own row keeps every character)."""
    length = column.type.length
    return text[:length] if length and len(text) > length else text


def _list_columns(rec: Record, values: Mapping[str, Value], issue_count: int, doubtful: int) -> None:
    def text(key: str) -> str:
        v = values.get(key)
        return v if isinstance(v, str) else ""

    rec.customer = _fit(Record.customer, text("customer_name"))
    rec.customer_account = _fit(Record.customer_account, text("customer_account"))
    rec.drp = _fit(Record.drp, ", ".join(d for d in (text("drp1_id"), text("drp2_id")) if d))
    rec.request_type = _fit(Record.request_type, request_type(values))
    rec.issue_count = issue_count
    rec.doubtful = doubtful
    rec.current_values = dict(values)
    accounts = " ".join(v for k, v in values.items() if _SA_NUMBER.match(k) and isinstance(v, str))
    rec.search = " ".join(filter(None, (rec.customer, rec.customer_account, rec.drp, text("drp1_name"),
                                        accounts, rec.source_name, rec.template))).lower()


def revalidate(session: Session, rec: Record, *, registry: Registry | None, registry_version_id: int | None,
               policy: SitePolicy, values: Mapping[str, Value] | None = None) -> bool:
    if values is None:
        values = values_of(session, [rec.id]).get(rec.id, {})
    return refresh(session, rec, values, check(session, rec, values, registry=registry, policy=policy),
                   registry_version_id)


# -- creating ---------------------------------------------------------------------------------------
def create(session: Session, source: SourceFile, form: FormResult, *, received: dt.date | None,
           registry: Registry | None, registry_version_id: int | None, policy: SitePolicy,
           now: dt.datetime) -> Record:
    stamp = None
    if form.received:
        try:
            stamp = dt.date.fromisoformat(form.received)
        except ValueError:
            stamp = None
    rec = Record(source_file_id=source.id, template=form.template, pages=list(form.pages),
                 attachment_pages=list(form.attachment_pages), missing_pages=list(form.missing_pages),
                 digital=bool(form.digital), status=Status.IMPORTED.value, holder="",
                 received=received or stamp, source_name=source.name, created_at=now, updated_at=now)
    session.add(rec)
    session.flush()
    for pos, p in enumerate(form.placements):
        session.add(RecordPage(record_id=rec.id, position=pos, source_page=p.source_page, rotated=bool(p.rotated),
                               dpi=float(p.dpi), matrix=[list(map(float, row)) for row in p.matrix],
                               score=float(p.score)))
    for key, r in form.fields.items():
        session.add(FieldValue(record_id=rec.id, key=key, ocr_value=r.value, value=r.value,
                               confidence=float(r.confidence), review=bool(r.review), ocr_review=bool(r.review),
                               reasons=list(r.reasons), raw=r.raw or "", features=dict(r.features) or None,
                               changed_by="", changed_at=None))
    session.flush()
    revalidate(session, rec, registry=registry, registry_version_id=registry_version_id, policy=policy,
               values=form.values())
    return rec


# -- reading ----------------------------------------------------------------------------------------
def get(session: Session, record_id: int, *, lock: bool = False) -> Record:
    if not 0 < record_id <= MAX_ID:
        raise NotFound(f"There is no record {record_id}")
    query = select(Record).where(Record.id == record_id)
    if lock:
        query = query.with_for_update()
    rec = session.scalars(query).first()
    if rec is None:
        raise NotFound(f"There is no record {record_id}")
    return rec


def next_free(session: Session, statuses: Collection[str], taker: str, lapsed_before: dt.datetime | None
              ) -> Record | None:
    """The oldest record in ``statuses`` that nobody (else) holds, or whose holder has been idle since
    before ``lapsed_before`` (None: holds never lapse), locked for the caller. On PostgreSQL rows
    another seat is taking right now are skipped (``SKIP LOCKED``), so two seats get two records."""
    free = Record.holder == ""
    if lapsed_before is not None:
        free = or_(free, and_(or_(Record.held_since.is_(None), Record.held_since <= lapsed_before),
                              or_(Record.updated_at.is_(None), Record.updated_at <= lapsed_before)))
    query = (select(Record).where(Record.status.in_(list(statuses)), free, Record.holder != taker)
             .order_by(Record.id).limit(1).with_for_update(skip_locked=True))
    return session.scalars(query).first()


def edited_by(session: Session, record_id: int) -> frozenset[str]:
    rows = session.scalars(select(AuditRecord.user).distinct()
                           .where(AuditRecord.record_id == record_id, AuditRecord.action.in_(EDIT_ACTIONS)))
    return frozenset(rows)


def facts(session: Session, rec: Record) -> RecordFacts:
    codes = tuple(session.scalars(select(RecordIssue.code).where(RecordIssue.record_id == rec.id)
                                  .order_by(RecordIssue.id)))
    return RecordFacts(rec.id, Status(rec.status), rec.entered_by, edited_by(session, rec.id),
                       rec.issue_count, rec.doubtful, codes, rec.holder or "", from_db(rec.held_since),
                       rec.version or 1, rec.updated_by or "", from_db(rec.updated_at), rec.received is not None)


def history(session: Session, record_id: int) -> list[AuditEvent]:
    rows = session.scalars(select(AuditRecord).where(AuditRecord.record_id == record_id).order_by(AuditRecord.id))
    return [AuditEvent(from_db(a.at), a.user, a.action, a.field, a.old, a.new, a.reason, a.record_id) for a in rows]


def _statuses(status: str | Collection[str] | None) -> list[str] | None:
    if status is None:
        return None
    wanted = [status] if isinstance(status, str) else list(status)
    for s in wanted:
        if s not in STATUSES:
            raise InvalidValue(f"{s!r} is not a record status (one of {', '.join(STATUSES)})")
    return wanted


ORDERS = {
    "id": Record.id, "status": Record.status, "template": Record.template, "received": Record.received,
    "customer": Record.customer, "drp": Record.drp, "doubtful": Record.doubtful, "issues": Record.issue_count,
    "source": Record.source_name, "holder": Record.holder,
}


def _filtered(query, status, search: str):
    wanted = _statuses(status)
    if wanted is not None:
        query = query.where(Record.status.in_(wanted))
    for word in (search or "").lower().split():
        cond = Record.search.contains(word, autoescape=True)
        if word.isdigit() and len(word) < 10:
            cond = or_(cond, Record.id == int(word))
        query = query.where(cond)
    return query


def count(session: Session, status=None, search: str = "") -> int:
    return session.scalar(_filtered(select(func.count(Record.id)), status, search)) or 0


def ids(session: Session, status=None, search: str = "", order: str = "id") -> list[int]:
    return list(session.scalars(_ordered(_filtered(select(Record.id), status, search), order)))


def _ordered(query, order: str):
    desc = order.startswith("-")
    column = ORDERS.get(order.lstrip("-"))
    if column is None:
        raise InvalidValue(f"Cannot sort by {order!r} (one of {', '.join(ORDERS)})")
    if column is Record.id:
        return query.order_by(Record.id.desc() if desc else Record.id)
    return query.order_by(column.desc() if desc else column, Record.id.desc() if desc else Record.id)


_ROW_COLUMNS = (Record.id, Record.status, Record.template, Record.received, Record.customer, Record.drp,
                Record.doubtful, Record.issue_count, Record.source_name, Record.pages, Record.holder,
                Record.request_type, Record.held_since, Record.version, Record.updated_at)


def rows(session: Session, status=None, search: str = "", offset: int = 0, limit: int = 100,
         order: str = "id", holder_of: Callable[[str, dt.datetime | None, dt.datetime | None], str] | None = None
         ) -> list[dto.RecordRow]:
    """Queue lines; ``holder_of(holder, held_since, updated_at)`` says whose hold is still in force."""
    query = _ordered(_filtered(select(*_ROW_COLUMNS), status, search), order).offset(max(0, offset)).limit(limit)
    out = []
    for r in session.execute(query):
        since, updated = from_db(r[12]), from_db(r[14])
        holder = r[10] or ""
        if holder and holder_of is not None:
            holder = holder_of(holder, since, updated)
        out.append(dto.RecordRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], list(r[9] or []), holder,
                                 r[11] or "", since if holder else None, r[13] or 1))
    return out


def detail(session: Session, rec: Record, files_dir: Path, holder: str | None = None) -> dto.RecordDetail:
    """The record for the review screen; ``holder`` is whose hold is in force (None: as stored)."""
    holder = (rec.holder or "") if holder is None else holder
    template = template_of(rec.template)
    source = session.get(SourceFile, rec.source_file_id)
    placements = [PagePlacement(p.source_page, p.rotated, p.dpi, tuple(tuple(row) for row in p.matrix), p.score)
                  for p in session.scalars(select(RecordPage).where(RecordPage.record_id == rec.id)
                                           .order_by(RecordPage.position))]
    stored = {f.key: f for f in session.scalars(select(FieldValue).where(FieldValue.record_id == rec.id))}
    order = template.keys if template is not None else list(FIELD_TYPES)
    keys = [k for k in order if k in stored] + sorted(k for k in stored if k not in order)
    fields = []
    for key in keys:
        f = stored[key]
        spec = template.field(key) if template is not None and template.has(key) else None
        fields.append(dto.FieldDetail(
            key, field_type(template, key), (spec.label if spec and spec.label else LABELS.get(key, key)),
            (spec.section if spec and spec.section else section_of(key)), f.ocr_value, f.value,
            float(f.confidence), bool(f.review), list(f.reasons or []), f.changed_by or ""))
    issues = [Issue(i.field, i.code, i.message) for i in
              session.scalars(select(RecordIssue).where(RecordIssue.record_id == rec.id).order_by(RecordIssue.id))]
    return dto.RecordDetail(
        id=rec.id, status=rec.status, template=rec.template, source_path=files_dir / source.stored_name,
        pages=list(rec.pages or []), placements=placements, fields=fields, issues=issues,
        history=history(session, rec.id), entered_by=rec.entered_by or "", edited_by=edited_by(session, rec.id),
        flag_reason=rec.flag_reason or "", reject_reason=rec.reject_reason or "", holder=holder,
        received=rec.received, source_name=source.name, attachment_pages=list(rec.attachment_pages or []),
        missing_pages=list(rec.missing_pages or []), registry_version=rec.registry_version_id,
        approved_by=rec.approved_by or "", approved_at=from_db(rec.approved_at), export_batch=rec.export_batch_id,
        request_type=rec.request_type or "", held_since=from_db(rec.held_since) if holder else None,
        version=rec.version or 1, updated_by=rec.updated_by or "", updated_at=from_db(rec.updated_at),
    )


def field_row(session: Session, record_id: int, key: str, template_id: str) -> FieldValue:
    row = session.scalars(select(FieldValue).where(FieldValue.record_id == record_id, FieldValue.key == key)).first()
    if row is None:
        template = template_of(template_id)
        if template is None or not template.has(key):
            raise InvalidValue(f"Form {template_id} has no field {key!r}")
        row = FieldValue(record_id=record_id, key=key, ocr_value=None, value=False if template.field(key).type.is_mark
                         else "", confidence=0.0, review=False, reasons=[], raw="", changed_by="")
        session.add(row)
    return row
