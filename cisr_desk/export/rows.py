"""One exported line: a service account released to (or revoked from) one DRP, and the batch's period."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, fields

from cisr_desk.domain.errors import InvalidValue


@dataclass(frozen=True)
class ExportRow:
    record_id: int  # the form id
    request_type: str  # authorize | revoke
    customer: str
    customer_account: str
    service_account: str
    service_address: str
    drp: str  # DRP registration number
    drp_legal_name: str
    data_categories: str
    term_start: dt.date | None
    term_end: dt.date | None  # None with until_revoked
    until_revoked: bool
    signature_date: dt.date | None
    received: dt.date | None
    clerk: str
    approver: str
    approved_at: dt.datetime | None  # local time, as the office reads it

    def to_json(self) -> dict:
        # By hand, not dataclasses.asdict: a 10,000-row batch calls this 10,000 times.
        return {f: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                for f, v in ((f, getattr(self, f)) for f in _FIELDS)}

    @classmethod
    def from_json(cls, data: dict) -> "ExportRow":
        kwargs = {}
        for f in fields(cls):
            value = data.get(f.name)
            if value and f.name == "approved_at":
                value = dt.datetime.fromisoformat(value)
            elif value and f.name in ("term_start", "term_end", "signature_date", "received"):
                value = dt.date.fromisoformat(value)
            elif f.name in ("term_start", "term_end", "signature_date", "received", "approved_at"):
                value = None
            kwargs[f.name] = value
        return cls(**kwargs)


_FIELDS = tuple(f.name for f in fields(ExportRow))


def rows_hash(rows: list[ExportRow], as_json: list[dict] | None = None) -> str:
    """SHA-256 of the rows' canonical JSON: the Manifest's proof that a re-export is identical."""
    data = as_json if as_json is not None else [r.to_json() for r in rows]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def week_period(text: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week written 2026-W48."""
    m = _WEEK.match(text or "")
    if not m:
        raise InvalidValue(f"{text!r} is not an ISO week (write it like 2026-W48)")
    try:
        start = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InvalidValue(f"{text!r} is not a week of that year") from None
    return start, start + dt.timedelta(days=6)


def period_label(start: dt.date, end: dt.date) -> str:
    year, week, weekday = start.isocalendar()
    if weekday == 1 and end == start + dt.timedelta(days=6):
        return f"{year}-W{week:02d}"
    return f"{start.isoformat()} to {end.isoformat()}"
