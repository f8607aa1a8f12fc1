"""Reasons for decisions: a site's own list of codes for flagging, rejecting and overriding,
each with the clerk's words, plus free text. A coded reason is stored as "Label [CODE]: note";
a reason that names no code is OTHER and stored as its own words (no [CODE] = other).

The list is data (the site edits it in Settings or with ``cisr-desk reasons``); the defaults
below are what a new desk starts with.
"""
from __future__ import annotations

from dataclasses import dataclass

from cisr_desk.domain.errors import InvalidValue

KINDS = ("flag", "reject", "override")
OTHER = "OTHER"


@dataclass(frozen=True)
class ReasonCode:
    code: str  # short, upper case, no spaces: what reports count by
    label: str  # the clerk's words
    kinds: tuple[str, ...] = KINDS  # where it may be used

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "kinds": list(self.kinds)}


DEFAULT_REASONS = (
    ReasonCode("SIGNATURE", "Signature differs from the one on file or looks copied", ("flag", "reject")),
    ReasonCode("ILLEGIBLE", "Part of the form cannot be read", ("flag", "reject")),
    ReasonCode("ACCOUNT", "Service account does not match the customer", ("flag", "reject")),
    ReasonCode("DRP", "Provider not registered, withdrawn or named wrongly", ("flag", "reject")),
    ReasonCode("DUPLICATE", "Already received and processed", ("flag", "reject")),
    ReasonCode("INCOMPLETE", "Required parts of the form are missing", ("flag", "reject")),
    ReasonCode("CUSTOMER_CONFIRMED", "Confirmed with the customer by phone", ("override",)),
    ReasonCode("DRP_CONFIRMED", "Confirmed with the provider", ("override",)),
    ReasonCode("DOCUMENT_ATTACHED", "The missing information is on an attached document", ("override",)),
    ReasonCode(OTHER, "Other (explain in the note)", KINDS),
)


def parse(data) -> tuple[ReasonCode, ...]:
    """A stored list (dicts) as reason codes; the defaults when none is stored."""
    if not data:
        return DEFAULT_REASONS
    out = []
    for item in data:
        code = normal_code(item.get("code", ""))
        kinds = tuple(k for k in item.get("kinds", KINDS) if k in KINDS) or KINDS
        out.append(ReasonCode(code, " ".join(str(item.get("label", "")).split()) or code, kinds))
    return tuple(validate(out))


def normal_code(text: str) -> str:
    return "_".join(str(text).strip().upper().split())


def validate(codes) -> list[ReasonCode]:
    seen: set[str] = set()
    out = []
    for c in codes:
        if not c.code or not c.code.replace("_", "").isalnum() or len(c.code) > 32:
            raise InvalidValue(f"{c.code!r} is not a reason code (letters, digits and _, at most 32)")
        if c.code in seen:
            raise InvalidValue(f"The reason code {c.code} is listed twice")
        seen.add(c.code)
        out.append(c)
    if OTHER not in seen:
        out.append(next(r for r in DEFAULT_REASONS if r.code == OTHER))  # free text always has a home
    return out


def for_kind(codes, kind: str) -> list[ReasonCode]:
    return [c for c in codes if kind in c.kinds]


def reason_text(codes, kind: str, reason: str, note: str = "") -> str:
    """The reason as stored and audited: "Label [CODE]: note", or for OTHER just the text.

    ``reason`` is a code of this kind, or free text (kept as OTHER); a note may follow either.
    """
    note = " ".join((note or "").split())
    given = " ".join((reason or "").split())
    by_code = {c.code: c for c in for_kind(codes, kind)}
    code = by_code.get(normal_code(given))
    if code is None:
        if normal_code(given) in {c.code for c in codes}:
            raise InvalidValue(f"{normal_code(given)} is not a reason for {'an' if kind == 'override' else 'a'} "
                               f"{kind} (use one of {', '.join(by_code)})")
        note = " — ".join(p for p in (given, note) if p)
        code = by_code.get(OTHER) or ReasonCode(OTHER, "Other", KINDS)
        if not note:
            raise InvalidValue(f"A reason is required to {kind} a record")
    if code.code == OTHER:
        if not note:
            raise InvalidValue("Say what the other reason is in the note")
        return note  # a reason in the clerk's own words needs no label
    return f"{code.label} [{code.code}]" + (f": {note}" if note else "")
