"""The validation rules of Form 14-941 (forms/FIELDS.md), applied to a form's normalised values.

Rules are keyed by field key and apply only where the template has the key, so a new
revision of the form whose keys are known (or follow the numbered patterns ``saN_number``,
``drpN_id``, ``data_*``, ``history_*``) is validated without code changes.

Decisions (what FIELDS.md leaves open):

* Request kind. Exactly one of authorize/revoke must be marked. A *revoke* still needs the
  customer (name, account, address, phone), at least one service account, the DRP (name and
  id, registered) and the customer's signature, printed name and sign date; it needs neither a
  data category nor a term start (it ends an authorization, it releases nothing), and a DRP
  that is suspended, withdrawn or without a service agreement is no issue (revoking one is
  exactly what a customer may want). When the request is unclear (none or both marked), the
  required fields are those of an authorization, the strictest set, but the data-category
  and start-date checks, which are about what is released, wait for a clear authorization.
* Term. Rev 2026 has "until revoked": marking it together with an end date is term_both;
  marking neither is fine for revoke and for authorize alike (FIELDS.md requires neither).
  Rev 2019 has no such box: a blank end date means until revoked. An end date must be
  strictly after the start date.
* Missing pages. A field that sits on a page missing from the scan is not reported as
  missing: the page_missing issue already says why, and a dozen blanks would bury it.
* Registry. With ``registry=None`` the registry checks are skipped (nothing to check against).
  A malformed id gets invalid_format and no registry check.
* Dates against receipt. With ``received=None`` the sign-date and start-date checks that
  need it are skipped. Sign dates (customer's and DRP's) must not be after receipt; only the
  customer's signature can be stale (policy.signature_max_age_days).
* Rows. A service address needs its account number (sa_address_missing) and an address
  without a number is missing_required on the number: the row names no account.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Iterable, Mapping, Sequence

from cisr_desk.domain.catalog import LABELS
from cisr_desk.domain.fields import FieldType, display, format_error, normalise, parse_date
from cisr_desk.domain.model import Issue, Value
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain import reference
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.template import FormTemplate

ISSUE_CODES: dict[str, str] = {
    "request_none": "No request marked",
    "request_both_marked": "Authorize and revoke both marked",
    "missing_required": "Required field blank",
    "invalid_format": "Value not well-formed",
    "sa_duplicate": "Service account repeated",
    "sa_address_missing": "Service address missing",
    "drp_unregistered": "DRP not registered",
    "drp_not_active": "DRP not active",
    "drp_no_agreement": "DRP has no SCE service agreement",
    "drp_name_mismatch": "DRP name does not match its id",
    "drp_same_twice": "Same DRP named twice",
    "no_data_category": "No data category marked",
    "history_multiple": "More than one history period",
    "term_both": "Until revoked and an end date",
    "term_end_before_start": "End date not after start date",
    "start_too_far_ahead": "Start date too far ahead",
    "signature_missing": "Signature missing",
    "sign_date_after_received": "Signed after it was received",
    "signature_stale": "Signature too old",
    "attachment_missing": "Attachment page missing",
    "page_missing": "Page missing",
    "zip_unknown": "ZIP code does not exist",
    "place_mismatch": "City, state and ZIP disagree",
    "address_place_mismatch": "Address city and ZIP disagree",
    "date_implausible": "Date implausibly far away",
    "dates_apart": "Dates far apart",
    "drp_contact_differs": "DRP phone or e-mail not the registered one",
    "phone_not_in_service": "Phone number not in use",
}

AUTHORIZE, REVOKE = "authorize", "revoke"
BOTH = frozenset({AUTHORIZE, REVOKE})
_AUTH_ONLY = frozenset({AUTHORIZE})

# key -> the request kinds for which it is required (where the template has the key).
REQUIRED: dict[str, frozenset[str]] = {
    "customer_name": BOTH, "customer_account": BOTH,
    "mailing_street": BOTH, "mailing_city": BOTH, "mailing_state": BOTH, "mailing_zip": BOTH,
    "customer_phone": BOTH,
    "drp1_name": BOTH, "drp1_id": BOTH,
    "term_start": _AUTH_ONLY,
    "customer_signature": BOTH, "customer_sign_date": BOTH, "customer_print_name": BOTH,
}

# Dates that must not be after the day the form was received.
SIGN_DATES: tuple[str, ...] = ("customer_sign_date", "drp_sign_date")
# The signature whose age policy.signature_max_age_days limits.
CUSTOMER_SIGN_DATE = "customer_sign_date"

_SA_NUMBER = re.compile(r"^sa(\d+)_number$")
_DRP_ID = re.compile(r"^drp(\d+)_id$")
_HISTORY = re.compile(r"^history_(\d+)$")


def _label(template: FormTemplate, key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    return template.field(key).label if template.has(key) and template.field(key).label else key


def _fmt_date(date: dt.date | None) -> str:
    return date.strftime("%m/%d/%Y") if date else ""


class _Form:
    """The values of one form, read through its template: blank is "" or False."""

    def __init__(self, template: FormTemplate, values: Mapping[str, Value]) -> None:
        self.template = template
        self.values: dict[str, Value] = {}
        for spec in template.fields:
            raw = values.get(spec.key)
            if spec.type.is_mark:
                if isinstance(raw, str):
                    raw = raw.strip().lower() in ("true", "1", "yes", "y", "x")
                self.values[spec.key] = bool(raw)
            else:
                self.values[spec.key] = normalise(spec.type, raw if isinstance(raw, str) else "")

    def has(self, key: str) -> bool:
        return key in self.values

    def text(self, key: str) -> str:
        value = self.values.get(key, "")
        return value if isinstance(value, str) else ""

    def mark(self, key: str) -> bool:
        return self.values.get(key) is True

    def filled(self, key: str) -> bool:
        return bool(self.values.get(key))

    def date(self, key: str) -> dt.date | None:
        """The date in a field, or None when blank or not a valid date (that is reported apart)."""
        text = self.text(key)
        if not text or format_error(FieldType.DATE, text):
            return None
        return parse_date(text)

    def matching(self, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
        """(key, number) of the template's keys matching a numbered pattern, in number order."""
        found = [(k, m.group(1)) for k in self.values if (m := pattern.match(k))]
        return sorted(found, key=lambda t: int(t[1]))


def validate(
    template: FormTemplate,
    values: Mapping[str, Value],
    *,
    registry: Registry | None,
    received: dt.date | None,
    policy: SitePolicy,
    attachment_present: bool | None = None,
    missing_pages: Sequence[int] = (),
    today: dt.date | None = None,
) -> list[Issue]:
    """Every issue of one form, in the order a clerk reads the form.

    ``values`` are the form's values by field key (normal form preferred; raw text is
    normalised here); keys the template lacks are ignored. ``missing_pages`` are 0-based
    template pages that the scan lacks; ``attachment_present`` says whether an attachment
    page listing more accounts was found (None: unknown, not checked). See the module
    docstring for the decisions behind the rules.
    """
    form = _Form(template, values)
    missing = set(missing_pages)
    issues: list[Issue] = []
    kinds = _request(form, issues)
    _formats(form, issues)
    _required(form, kinds, missing, issues)
    _service_accounts(form, missing, issues)
    _drps(form, registry, policy, kinds, received, issues)
    _data(form, kinds, issues)
    _term(form, kinds, received, policy, issues)
    _signatures(form, received, policy, issues)
    _places(form, issues)
    _customer_phone(form, issues)
    _plausible_dates(form, received, today or dt.date.today(), policy, issues)
    if form.mark("more_accounts_attached") and attachment_present is False:
        issues.append(Issue("more_accounts_attached", "attachment_missing",
                            "More accounts attached is marked, but no attachment page listing them was found"))
    total = len(template.pages)
    for index in sorted(missing):
        issues.append(Issue(None, "page_missing", f"Page {index + 1} of {total} is missing from the scan"))
    return issues


def field_issues(issues: Iterable[Issue]) -> dict[str | None, list[Issue]]:
    """Issues grouped by field key (None: the form as a whole), for highlighting in the UI."""
    grouped: dict[str | None, list[Issue]] = defaultdict(list)
    for issue in issues:
        grouped[issue.field].append(issue)
    return dict(grouped)


# -- the rules, one group each -------------------------------------------------------------

def _request(form: _Form, issues: list[Issue]) -> frozenset[str]:
    """Which request the form makes: {authorize}, {revoke}, or both kinds when it is unclear."""
    if not (form.has("request_authorize") and form.has("request_revoke")):
        return BOTH
    auth, revoke = form.mark("request_authorize"), form.mark("request_revoke")
    if auth and revoke:
        issues.append(Issue("request_authorize", "request_both_marked",
                            "Both Authorize and Revoke are marked; the form must make one request"))
        return BOTH
    if not (auth or revoke):
        issues.append(Issue("request_authorize", "request_none",
                            "Neither Authorize nor Revoke is marked"))
        return BOTH
    return _AUTH_ONLY if auth else frozenset({REVOKE})


def _formats(form: _Form, issues: list[Issue]) -> None:
    for spec in form.template.fields:
        if spec.type.is_mark:
            continue
        error = format_error(spec.type, form.text(spec.key), spec.key)
        if error:
            issues.append(Issue(spec.key, "invalid_format", f"{_label(form.template, spec.key)}: {error}"))


def _on_missing_page(form: _Form, key: str, missing: set[int]) -> bool:
    return form.template.field(key).page in missing


def _required(form: _Form, kinds: frozenset[str], missing: set[int], issues: list[Issue]) -> None:
    for key, needed_for in REQUIRED.items():
        if not form.has(key) or not (needed_for & kinds) or form.filled(key):
            continue
        if _on_missing_page(form, key, missing):
            continue
        label = _label(form.template, key)
        if form.template.field(key).type is FieldType.SIGNATURE:
            issues.append(Issue(key, "signature_missing", f"{label}: the form is not signed"))
        else:
            issues.append(Issue(key, "missing_required", f"{label} is blank"))


def _service_accounts(form: _Form, missing: set[int], issues: list[Issue]) -> None:
    rows = form.matching(_SA_NUMBER)
    if not rows:
        return
    seen: dict[str, str] = {}
    any_number = False
    for key, n in rows:
        number = form.text(key)
        address_key = f"sa{n}_address"
        address = form.text(address_key) if form.has(address_key) else ""
        if number:
            any_number = True
            if number in seen:
                issues.append(Issue(key, "sa_duplicate",
                                    f"Service account {n} ({display(FieldType.ACCOUNT, number)}) repeats "
                                    f"service account {seen[number]}"))
            else:
                seen[number] = n
            if form.has(address_key) and not address:
                issues.append(Issue(address_key, "sa_address_missing",
                                    f"Service account {display(FieldType.ACCOUNT, number)} (row {n}) has no "
                                    f"service address"))
        elif address:
            issues.append(Issue(key, "missing_required",
                                f"Service address {n} ({address}) has no service account number"))
    first_key = rows[0][0]
    if not any_number and not _on_missing_page(form, first_key, missing):
        issues.append(Issue(first_key, "missing_required", "No service account is listed; at least one is required"))


def _drps(form: _Form, registry: Registry | None, policy: SitePolicy, kinds: frozenset[str],
          received: dt.date | None, issues: list[Issue]) -> None:
    """Each DRP slot: name and id together, registered, active with an agreement, the name
    naming the provider of the id, and no provider twice."""
    seen: dict[str, str] = {}
    for id_key, n in form.matching(_DRP_ID):
        name_key = f"drp{n}_name"
        reg_no = form.text(id_key)
        name = form.text(name_key) if form.has(name_key) else ""
        if id_key not in REQUIRED:  # an optional pair (DRP 2): both or neither
            if name and not reg_no:
                issues.append(Issue(id_key, "missing_required",
                                    f"DRP {n} is named ({name}) but its registration number is blank"))
            elif reg_no and form.has(name_key) and not name:
                issues.append(Issue(name_key, "missing_required",
                                    f"DRP {n} registration number {reg_no} is given but its name is blank"))
        if not reg_no or format_error(FieldType.DRP_ID, reg_no):
            continue
        if reg_no in seen:
            issues.append(Issue(id_key, "drp_same_twice", f"DRP {n} is {reg_no}, the same provider as DRP {seen[reg_no]}"))
        else:
            seen[reg_no] = n
        if registry is None:
            continue
        drp = registry.get(reg_no)
        if drp is None:
            near = registry.closest_ids(reg_no, limit=3)
            hint = ("; did you mean " + " or ".join(f"{d.registration_no} ({d.legal_name})" for d, _ in near) + "?"
                    ) if near else ""
            issues.append(Issue(id_key, "drp_unregistered", f"{reg_no} is not in the DRP registry{hint}"))
            continue
        if kinds != frozenset({REVOKE}):  # a revoke may end an authorization of any provider
            if not drp.is_active:
                changed = drp.status_changed_on
                since = f" since {changed.isoformat()}" if changed else ""
                if changed and received and changed > received:  # still a flag: data is released now
                    since += f", after the form was received ({_fmt_date(received)})"
                issues.append(Issue(id_key, "drp_not_active", f"{reg_no} is {drp.status}{since}"))
            if not drp.sce_service_agreement:
                issues.append(Issue(id_key, "drp_no_agreement",
                                    f"{reg_no} ({drp.legal_name}) has no SCE service agreement on record"))
        if n == "1":
            _drp_contact(form, drp, issues)
        if name:
            score = registry.name_matches(reg_no, name)
            if score < policy.fuzzy_name_min_score:
                message = f"{name!r} does not match {reg_no}, registered as {drp.display_name}"
                other = registry.match_name(name)
                if (other and other.drp.registration_no != reg_no
                        and other.score >= policy.fuzzy_name_min_score and other.margin > 0):
                    message += f"; it reads like {other.drp.registration_no} ({other.matched_name})"
                issues.append(Issue(name_key, "drp_name_mismatch", message))


def _drp_contact(form: _Form, drp, issues: list[Issue]) -> None:
    """The DRP's phone and e-mail on the form against the registry's contact for its id: a
    different one is a misreading or a contact the back office does not know of."""
    phone, email = form.text("drp1_phone"), form.text("drp1_email")
    registered_phone = "".join(ch for ch in drp.contact_phone if ch.isdigit())[-10:]
    if phone and registered_phone and not format_error(FieldType.PHONE, phone) and phone != registered_phone:
        issues.append(Issue("drp1_phone", "drp_contact_differs",
                            f"{display(FieldType.PHONE, phone)} is not {drp.registration_no}'s registered phone "
                            f"({display(FieldType.PHONE, registered_phone)})"))
    if email and drp.contact_email and not format_error(FieldType.EMAIL, email) and email != drp.contact_email:
        issues.append(Issue("drp1_email", "drp_contact_differs",
                            f"{email} is not {drp.registration_no}'s registered e-mail ({drp.contact_email})"))


def _data(form: _Form, kinds: frozenset[str], issues: list[Issue]) -> None:
    categories = [k for k in form.values if k.startswith("data_")]
    if kinds == _AUTH_ONLY and categories and not any(form.mark(k) for k in categories):
        issues.append(Issue(categories[0], "no_data_category",
                            "An authorization must release at least one data category; none is marked"))
    marked = [(k, n) for k, n in form.matching(_HISTORY) if form.mark(k)]
    if len(marked) > 1:
        months = ", ".join(n for _, n in marked)
        issues.append(Issue(marked[1][0], "history_multiple",
                            f"History periods {months} months are all marked; mark at most one"))


def _term(form: _Form, kinds: frozenset[str], received: dt.date | None, policy: SitePolicy,
          issues: list[Issue]) -> None:
    start, end = form.date("term_start"), form.date("term_end")
    if form.mark("term_until_revoked") and form.text("term_end"):
        issues.append(Issue("term_end", "term_both",
                            f"Until revoked is marked and an end date ({_fmt_date(end) or form.text('term_end')}) "
                            f"is given; the term must be one or the other"))
    if start and end and end <= start:
        issues.append(Issue("term_end", "term_end_before_start",
                            f"End date {_fmt_date(end)} is not after start date {_fmt_date(start)}"))
    if kinds == _AUTH_ONLY and start and received:
        ahead = (start - received).days
        if ahead > policy.start_max_days_ahead:
            issues.append(Issue("term_start", "start_too_far_ahead",
                                f"Start date {_fmt_date(start)} is {ahead} days after the form was received "
                                f"({_fmt_date(received)}); at most {policy.start_max_days_ahead} are allowed"))


def _signatures(form: _Form, received: dt.date | None, policy: SitePolicy, issues: list[Issue]) -> None:
    if received is None:
        return
    for key in SIGN_DATES:
        signed = form.date(key) if form.has(key) else None
        if signed is None:
            continue
        label = _label(form.template, key)
        if signed > received:
            issues.append(Issue(key, "sign_date_after_received",
                                f"{label} {_fmt_date(signed)} is after the form was received ({_fmt_date(received)})"))
        elif key == CUSTOMER_SIGN_DATE and (received - signed).days > policy.signature_max_age_days:
            issues.append(Issue(key, "signature_stale",
                                f"{label} {_fmt_date(signed)} is {(received - signed).days} days before the form was "
                                f"received ({_fmt_date(received)}); at most {policy.signature_max_age_days} are allowed"))


def _places(form: _Form, issues: list[Issue]) -> None:
    """The mailing city, state and ZIP against the USPS table; each service address's city
    and ZIP against each other."""
    city, state, zip_code = (form.text(k) for k in ("mailing_city", "mailing_state", "mailing_zip"))
    if format_error(FieldType.STATE, state):
        state = ""
    if format_error(FieldType.ZIP, zip_code):
        zip_code = ""
    found = reference.check_place(city, state, zip_code)
    for part, key in (("zip", "mailing_zip"), ("city", "mailing_city"), ("state", "mailing_state")):
        message = getattr(found, part)
        if message and form.has(key):
            code = "zip_unknown" if part == "zip" and not reference.zip_exists(zip_code) else "place_mismatch"
            issues.append(Issue(key, code, f"{_label(form.template, key)}: {message}"))
    for key, n in form.matching(re.compile(r"^sa(\d+)_address$")):
        address = form.text(key)
        problem = reference.check_address_line(address, state or "CA") if address else None
        if problem:
            issues.append(Issue(key, "address_place_mismatch", f"Service address {n}: {problem}"))


def _customer_phone(form: _Form, issues: list[Issue]) -> None:
    """The customer's phone is a number in use (a provider's is checked against the registry):
    a digit misread in its area code most often makes one no one has ("370")."""
    phone = form.text("customer_phone")
    digits = re.sub(r"\D", "", phone)
    if phone and not format_error(FieldType.PHONE, phone) and len(digits) == 10 \
            and not reference.phone_in_service(digits):
        issues.append(Issue("customer_phone", "phone_not_in_service",
                            f"{_label(form.template, 'customer_phone')} ({digits[:3]}) {digits[3:6]}-{digits[6:]} "
                            f"is not a number in use in North America"))


def _years_apart(a: dt.date, b: dt.date) -> float:
    return abs((a - b).days) / 365.25


def received_problem(day: dt.date, today: dt.date, policy: SitePolicy) -> str | None:
    """Why a date of receipt cannot be the one on a RECEIVED stamp (None when it can): the mail
    room stamps the day a form arrives, so never a day to come, nor one years back."""
    if day > today:
        return f"Received {_fmt_date(day)} is after today ({_fmt_date(today)}): type the date on the stamp"
    if _years_apart(day, today) > policy.date_max_years_away:
        return (f"Received {_fmt_date(day)} is more than {policy.date_max_years_away} years before today "
                f"({_fmt_date(today)}): type the date on the stamp")
    return None


def _plausible_dates(form: _Form, received: dt.date | None, today: dt.date, policy: SitePolicy,
                     issues: list[Issue]) -> None:
    """Dates a person could have written: none decades away from receipt (or from today when
    receipt is unknown), none signed after today, and a signature and the term it starts
    within a year of each other."""
    anchor = received or today
    dated = [(spec.key, form.date(spec.key)) for spec in form.template.fields
             if spec.type is FieldType.DATE and form.date(spec.key)]
    far = set()
    for key, date in dated:
        if _years_apart(date, anchor) > policy.date_max_years_away:
            far.add(key)
            issues.append(Issue(key, "date_implausible",
                                f"{_label(form.template, key)} {_fmt_date(date)} is more than {policy.date_max_years_away} "
                                f"years from {'receipt' if received else 'today'} ({_fmt_date(anchor)})"))
        elif key in SIGN_DATES and received is None and date > today:
            far.add(key)
            issues.append(Issue(key, "date_implausible",
                                f"{_label(form.template, key)} {_fmt_date(date)} is after today ({_fmt_date(today)})"))
    signed, start = form.date(CUSTOMER_SIGN_DATE), form.date("term_start")
    drp_signed = form.date("drp_sign_date") if form.has("drp_sign_date") else None
    for key, date in (("term_start", start), ("drp_sign_date", drp_signed)):
        if not (date and signed) or far & {key, CUSTOMER_SIGN_DATE} or _years_apart(date, signed) <= 1:
            continue
        message = (f"{_label(form.template, key)} {_fmt_date(date)} and the customer's sign date "
                   f"{_fmt_date(signed)} are more than a year apart")
        for k in (key, CUSTOMER_SIGN_DATE):  # either may be the misread one
            issues.append(Issue(k, "dates_apart", message))
