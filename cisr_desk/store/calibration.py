"""The site's reviewed readings, as data for refitting the acceptance model: for every OCR'd
field of a record a clerk has gone through, the features capture judged it by and whether
the clerk kept what was read (``cisr-desk calibrate``)."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cisr_desk.domain.workflow import Status
from cisr_desk.store.models import FieldValue, Record

# Records whose every field a clerk has confirmed or corrected.
REVIEWED = (Status.SUBMITTED.value, Status.APPROVED.value, Status.EXPORTED.value)


def _fold(value: object) -> str:
    """As the clerk compares a reading: case, white space and the marks . , ' - do not count."""
    if isinstance(value, bool) or value is None:
        return str(bool(value))
    return " ".join(re.sub(r"[.,'\-]", "", str(value)).split()).casefold()


def reviewed_readings(session: Session) -> list[dict]:
    """One dict per OCR'd field with stored features: record id, key, features, and ``right``
    (the final value is what was read)."""
    rows = session.execute(
        select(FieldValue.record_id, FieldValue.key, FieldValue.features, FieldValue.ocr_value, FieldValue.value)
        .join(Record, Record.id == FieldValue.record_id)
        .where(Record.status.in_(REVIEWED), Record.digital.is_(False), FieldValue.features.is_not(None))
        .order_by(FieldValue.record_id, FieldValue.key))
    return [{"record": rid, "key": key, "features": feats, "right": _fold(ocr) == _fold(value)}
            for rid, key, feats, ocr, value in rows if feats]


def counts(session: Session) -> tuple[int, int]:
    """(reviewed OCR'd fields, of which with stored features) — older records have none."""
    base = (select(FieldValue.features).join(Record, Record.id == FieldValue.record_id)
            .where(Record.status.in_(REVIEWED), Record.digital.is_(False)))
    feats = session.scalars(base).all()
    return len(feats), sum(1 for f in feats if f)
