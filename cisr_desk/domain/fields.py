"""Field value types of Form 14-941 and their normal forms (see forms/FIELDS.md)."""
from __future__ import annotations

import datetime as dt
import re
from enum import Enum


class FieldType(str, Enum):
    TEXT = "text"
    ACCOUNT = "account"
    PHONE = "phone"
    STATE = "state"
    ZIP = "zip"
    DATE = "date"
    EMAIL = "email"
    DRP_ID = "drp_id"
    CHECK = "check"
    SIGNATURE = "signature"

    @property
    def is_mark(self) -> bool:
        """Checks and signatures are read by ink, not by OCR, and hold booleans."""
        return self in (FieldType.CHECK, FieldType.SIGNATURE)


_WS = re.compile(r"\s+")
_DATE_WRITTEN = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$")
_DRP = re.compile(r"^DRP\d{4}$")

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)


def fold_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def parse_date(text: str) -> dt.date | None:
    """A date as written on the form (MM/DD/YYYY) or already in ISO form; None if it is not one."""
    m = _DATE_ISO.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DATE_WRITTEN.match(text)
        if not m:
            return None
        mo, d, y = (int(g) for g in m.groups())
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def normalise(ftype: FieldType, raw: str) -> str:
    """The normal form of a raw string of the given type ("" for blank).

    A value that cannot be brought to its normal form is returned folded but otherwise as
    written, so that the format rule reports it instead of silently losing characters.
    """
    text = fold_space(raw or "")
    if not text:
        return ""
    if ftype is FieldType.TEXT:
        return text
    if ftype in (FieldType.ACCOUNT, FieldType.PHONE, FieldType.ZIP):
        d = digits(text)
        if ftype is FieldType.PHONE and len(d) == 11 and d.startswith("1"):
            d = d[1:]
        return d if d else text
    if ftype is FieldType.STATE:
        return text.replace(" ", "").replace(".", "").upper()
    if ftype is FieldType.DATE:
        date = parse_date(text)
        return date.isoformat() if date else text
    if ftype is FieldType.EMAIL:
        return text.replace(" ", "").lower()
    if ftype is FieldType.DRP_ID:
        compact = text.replace(" ", "").upper()
        m = re.match(r"^DRP[-_]?(\d{4})$", compact)
        return f"DRP{m.group(1)}" if m else compact
    raise ValueError(f"{ftype} holds a boolean, not text")


def format_error(ftype: FieldType, value: str, key: str = "") -> str | None:
    """Why a non-blank normalised value is not well-formed for its type, or None when it is."""
    if not value or ftype in (FieldType.TEXT, FieldType.CHECK, FieldType.SIGNATURE):
        return None
    if ftype is FieldType.ACCOUNT:
        lead = "2" if key == "customer_account" else "3" if key.startswith("sa") else None
        if not (value.isdigit() and len(value) == 10):
            return f"{value!r} is not a 10-digit account number"
        if lead and not value.startswith(lead):
            kind = "customer" if lead == "2" else "service"
            return f"{value} is not a {kind} account (those start with {lead})"
        return None
    if ftype is FieldType.PHONE:
        if not (value.isdigit() and len(value) == 10):
            return f"{value!r} is not a 10-digit phone number"
        # The North American numbering plan: area code and exchange start with 2-9, and an
        # area code is never N11 (211, 911 ...): "1605550140" is a 7 misread, not a number.
        if value[0] in "01":
            return f"{value} is no US phone number (no area code starts with {value[0]})"
        if value[1:3] == "11":
            return f"{value} is no US phone number ({value[:3]} is a service code, not an area code)"
        if value[3] in "01":
            return f"{value} is no US phone number (no exchange starts with {value[3]})"
        return None
    if ftype is FieldType.ZIP:
        return None if value.isdigit() and len(value) == 5 else f"{value!r} is not a 5-digit ZIP code"
    if ftype is FieldType.STATE:
        return None if value in US_STATES else f"{value!r} is not a US state code"
    if ftype is FieldType.DATE:
        return None if _DATE_ISO.match(value) and parse_date(value) else f"{value!r} is not a date (MM/DD/YYYY)"
    if ftype is FieldType.EMAIL:
        return None if _EMAIL.match(value) else f"{value!r} is not an e-mail address"
    if ftype is FieldType.DRP_ID:
        return None if _DRP.match(value) else f"{value!r} is not a DRP registration number (DRP and 4 digits)"
    return None


def display(ftype: FieldType, value: str) -> str:
    """How a clerk reads a normalised value back (the printed form of accounts, phones, dates)."""
    if not value:
        return ""
    if ftype is FieldType.ACCOUNT and value.isdigit() and len(value) == 10:
        if value.startswith("2"):
            return f"{value[0]}-{value[1:3]}-{value[3:6]}-{value[6:]}"
        return f"{value[0]}-{value[1:4]}-{value[4:8]}-{value[8:]}"
    if ftype is FieldType.PHONE and value.isdigit() and len(value) == 10:
        return f"({value[:3]}) {value[3:6]}-{value[6:]}"
    if ftype is FieldType.DATE:
        date = parse_date(value)
        return date.strftime("%m/%d/%Y") if date else value
    return value
