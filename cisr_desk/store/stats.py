"""The figures a back-office lead reports weekly, read from the audit log and the field rows:
forms received, submitted, flagged, approved, rejected and exported per day; the backlog; each
clerk's pace and corrections; capture's review rate and how often what it accepted on its own
was right.

Days are the office's local days. The period is bounded (weeks, not years), so the audit rows
of the period are read once and counted here rather than with engine-specific date SQL.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cisr_desk.domain import workflow as wf
from cisr_desk.store import dto
from cisr_desk.store.models import AuditRecord, FieldValue, Record
from cisr_desk.store.times import from_db, to_db

# status reached -> DayCounts attribute
_STATUS_COLUMN = {"imported": "received", "submitted": "submitted", "flagged": "flagged",
                  "approved": "approved", "rejected": "rejected", "exported": "exported"}
_CLERK_FORM_ACTIONS = ("submit", "flag")
# Beyond the clerk's review: what capture left unchanged by then is what it got right.
_SETTLED = tuple(s.value for s in (wf.Status.SUBMITTED, wf.Status.FLAGGED, wf.Status.APPROVED,
                                   wf.Status.REJECTED, wf.Status.EXPORTED))


def _local_day(at: dt.datetime) -> dt.date:
    return from_db(at).astimezone().date()


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's local days as naive UTC instants, [first midnight, midnight after the last)."""
    first = dt.datetime.combine(start, dt.time()).astimezone()
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()).astimezone()
    return to_db(first), to_db(after)


def _days(s: Session, lo: dt.datetime, hi: dt.datetime, start: dt.date, end: dt.date) -> list[dto.DayCounts]:
    counts: dict[dt.date, Counter] = defaultdict(Counter)
    rows = s.execute(select(AuditRecord.at, AuditRecord.new)
                     .where(AuditRecord.field == "status", AuditRecord.at >= lo, AuditRecord.at < hi,
                            AuditRecord.new.in_(list(_STATUS_COLUMN))))
    for at, new in rows:
        counts[_local_day(at)][_STATUS_COLUMN[new]] += 1
    out = []
    day = start
    while day <= end:
        out.append(dto.DayCounts(day, **counts.get(day, {})))
        day += dt.timedelta(days=1)
    return out


def _clerks(s: Session, lo: dt.datetime, hi: dt.datetime) -> list[dto.ClerkFigures]:
    forms: Counter = Counter()
    corrections: Counter = Counter()
    hours: dict[str, set] = defaultdict(set)
    rows = s.execute(select(AuditRecord.user, AuditRecord.action, AuditRecord.at, AuditRecord.field)
                     .where(AuditRecord.at >= lo, AuditRecord.at < hi, AuditRecord.entity == "record",
                            AuditRecord.user.notin_([wf.POLICY_USER, "system"])))
    for user, action, at, field in rows:
        hours[user].add(at.replace(minute=0, second=0, microsecond=0))
        if action in _CLERK_FORM_ACTIONS and field == "status":
            forms[user] += 1
        elif action == "set_field":
            corrections[user] += 1
    return sorted((dto.ClerkFigures(u, forms[u], float(len(hours[u])), corrections[u])
                   for u in hours if forms[u] or corrections[u]), key=lambda c: (-c.forms, c.name))


def _capture(s: Session, lo: dt.datetime, hi: dt.datetime) -> list[dto.CaptureDay]:
    day_of = {rid: _local_day(at) for rid, at in s.execute(
        select(Record.id, Record.created_at).where(Record.created_at >= lo, Record.created_at < hi))}
    if not day_of:
        return []
    settled = set(s.scalars(select(Record.id).where(Record.id.in_(list(day_of)), Record.status.in_(_SETTLED))))
    tally: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    ids = list(day_of)
    for at in range(0, len(ids), 500):
        chunk = ids[at:at + 500]
        rows = s.execute(select(FieldValue.record_id, FieldValue.ocr_review, FieldValue.ocr_value, FieldValue.value)
                         .where(FieldValue.record_id.in_(chunk), FieldValue.ocr_value.isnot(None)))
        for rid, doubted, ocr, value in rows:
            t = tally[day_of[rid]]
            t[0] += 1
            if doubted:
                t[1] += 1
            elif rid in settled:
                t[2] += 1
                t[3] += ocr == value
    return [dto.CaptureDay(day, *t) for day, t in sorted(tally.items())]


def dashboard(s: Session, start: dt.date, end: dt.date, backlog_target_days: int) -> dto.Dashboard:
    lo, hi = _bounds(start, end)
    open_ = [st.value for st in wf.WAITING_STATUSES]
    by_status = dict(s.execute(select(Record.status, func.count()).where(Record.status.in_(open_))
                               .group_by(Record.status)).all())
    oldest = s.execute(select(Record.id, Record.created_at).where(Record.status.in_(open_))
                       .order_by(Record.created_at, Record.id).limit(1)).first()
    return dto.Dashboard(start, end, _days(s, lo, hi, start, end), by_status,
                         oldest[0] if oldest else None, from_db(oldest[1]) if oldest else None,
                         backlog_target_days, _clerks(s, lo, hi), _capture(s, lo, hi))
