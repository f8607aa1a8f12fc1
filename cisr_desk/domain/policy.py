"""Site policy: the limits a supervisor may change. Declared once, with types and defaults."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import ClassVar


@dataclass(frozen=True)
class SitePolicy:
    signature_max_age_days: int = 90  # how old a signature may be when the form is received
    start_max_days_ahead: int = 365  # how far after receipt a term may start
    supervisor_sample_every: int = 20  # every Nth clean record also goes to a supervisor (0: never)
    review_below_confidence: float = 0.80  # a reading less sure than this is marked for review
    fuzzy_name_min_score: float = 85.0  # rapidfuzz score for a DRP name to count as a match
    backlog_target_days: int = 3  # the oldest unfinished form should be younger than this (dashboard)
    double_key_accounts: bool = False  # a clerk types an account number twice before it counts
    max_failed_sign_ins: int = 5  # wrong passwords in a row before a user is locked out
    lockout_minutes: int = 15  # how long a lockout lasts
    min_password_length: int = 8

    IDENTITY: ClassVar[tuple[str, ...]] = ("max_failed_sign_ins", "lockout_minutes", "min_password_length")
    """Sign-in and password rules: only an admin changes these."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SitePolicy":
        known = {f.name: f.type for f in fields(cls)}
        kwargs = {}
        for name, value in (data or {}).items():
            if name in known:
                default = getattr(cls, name)
                if isinstance(default, bool) and isinstance(value, str):  # "false" is not True
                    kwargs[name] = value.strip().lower() in ("1", "true", "yes", "on")
                else:
                    kwargs[name] = type(default)(value)
        return cls(**kwargs)
