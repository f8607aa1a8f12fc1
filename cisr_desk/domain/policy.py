"""Site policy: the limits a supervisor may change. Declared once, with types and defaults."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class SitePolicy:
    signature_max_age_days: int = 90  # how old a signature may be when the form is received
    start_max_days_ahead: int = 365  # how far after receipt a term may start
    date_max_years_away: int = 10  # a date further from receipt (or today) is a misreading or a slip
    supervisor_sample_every: int = 0  # every Nth clean record also goes to a supervisor (0: never)
    review_below_confidence: float = 0.80  # a reading less sure than this is marked for review
    fuzzy_name_min_score: float = 85.0  # rapidfuzz score for a DRP name to count as a match

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SitePolicy":
        known = {f.name: f.type for f in fields(cls)}
        kwargs = {}
        for name, value in (data or {}).items():
            if name in known:
                default = getattr(cls, name)
                kwargs[name] = type(default)(value)
        return cls(**kwargs)
