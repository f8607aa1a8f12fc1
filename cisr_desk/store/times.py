"""Times in the database are naive UTC (the one form SQLite and PostgreSQL store alike); every
other layer sees aware datetimes. These are the only conversions."""
from __future__ import annotations

import datetime as dt


def to_db(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def from_db(at: dt.datetime | None) -> dt.datetime | None:
    return at.replace(tzinfo=dt.timezone.utc) if at is not None else None


def local_wall_clock(at: dt.datetime | None) -> dt.datetime | None:
    """A stored time as the office's local wall-clock time, to the second (Excel has no time zones)."""
    return from_db(at).astimezone().replace(tzinfo=None, microsecond=0) if at is not None else None
