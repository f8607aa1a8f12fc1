"""The FIELDS.md rules applied to a generated form's *truth*, to derive its ``expected_issues``.

The generator breaks rules on purpose, but a fault can have side effects (a suspended provider
without an agreement breaks two rules) and a "clean" form must really be clean. Deriving the
codes from the final values, instead of trusting what the fault injector meant to do, keeps
truth.json honest. This mirrors the rules in FIELDS.md; it is not the app's checker.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.fields import format_error

SIGNATURE_MAX_AGE_DAYS = 90  # SitePolicy default
REQUIRED = ("customer_name", "customer_account", "mailing_street", "mailing_city", "mailing_state", "mailing_zip",
            "customer_phone", "drp1_name", "drp1_id", "term_start", "customer_sign_date", "customer_print_name")


@dataclass(frozen=True)
class Provider:
    """One row of the DRP registry."""
    reg: str
    legal: str
    dba: str
    status: str
    agreement: bool
    contact: str
    phone: str
    email: str

    @property
    def usable(self) -> bool:
        return self.status == "ACTIVE" and self.agreement


def load_registry(path: Path) -> dict[str, Provider]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["registration_no"].strip().upper(): Provider(
            r["registration_no"].strip().upper(), r["legal_name"].strip(), (r.get("dba_name") or "").strip(),
            (r.get("status") or "").strip().upper(), (r.get("sce_service_agreement") or "").strip().upper() == "Y",
            (r.get("contact_name") or "").strip(), (r.get("contact_phone") or "").strip(),
            (r.get("contact_email") or "").strip().lower())
        for r in rows if r.get("registration_no")
    }


def name_key(text: str) -> str:
    """Names compare without case, punctuation and spacing (the scorer folds the same way)."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def names_provider(name: str, provider: Provider) -> bool:
    key = name_key(name)
    return bool(key) and key in {name_key(provider.legal), name_key(provider.dba)} - {""}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _drp_issues(name: str, reg: str, registry: dict[str, Provider]) -> list[str]:
    if not reg:
        return []
    provider = registry.get(reg)
    if provider is None:
        return ["drp_unregistered"]
    out = []
    if provider.status != "ACTIVE":
        out.append("drp_not_active")
    if not provider.agreement:
        out.append("drp_no_agreement")
    if name and not names_provider(name, provider):
        out.append("drp_name_mismatch")
    return out


def expected_issues(template_id: str, fields: dict, registry: dict[str, Provider], *, received: dt.date | None,
                    attachment_included: bool, page_missing: bool, page2_keys: set[str]) -> list[str]:
    """The issue codes a correct checker raises for these truth values (sorted, unique)."""
    f = fields
    codes: set[str] = set()
    if page_missing:
        codes.add("page_missing")
    live = {k: v for k, v in f.items() if not (page_missing and k in page2_keys)}
    if live.get("request_authorize") and live.get("request_revoke"):
        codes.add("request_both_marked")
    elif not live.get("request_authorize") and not live.get("request_revoke"):
        codes.add("request_none")
    if any(k in live and live[k] == "" for k in REQUIRED):
        codes.add("missing_required")
    for key, value in live.items():
        if isinstance(value, str) and value and format_error(FIELD_TYPES[key], value, key):
            codes.add("invalid_format")
    numbers = [f.get(f"sa{i}_number", "") for i in range(1, 6) if f"sa{i}_number" in f]
    given = [n for n in numbers if n]
    if not given:
        codes.add("missing_required")
    if len(given) != len(set(given)):
        codes.add("sa_duplicate")
    for i in range(1, 6):
        if f.get(f"sa{i}_number") and not f.get(f"sa{i}_address"):
            codes.add("sa_address_missing")
    codes.update(_drp_issues(f.get("drp1_name", ""), f.get("drp1_id", ""), registry))
    if f.get("drp2_name") or f.get("drp2_id"):
        if not (f.get("drp2_name") and f.get("drp2_id")):
            codes.add("missing_required")
        codes.update(_drp_issues(f.get("drp2_name", ""), f.get("drp2_id", ""), registry))
        if f.get("drp2_id") and f.get("drp2_id") == f.get("drp1_id"):
            codes.add("drp_same_twice")
    if live.get("request_authorize") and not live.get("request_revoke"):
        if not any(f.get(k) for k in ("data_account", "data_interval", "data_billing", "data_programs")):
            codes.add("no_data_category")
    if sum(bool(f.get(k)) for k in ("history_12", "history_24", "history_36")) > 1:
        codes.add("history_multiple")
    if f.get("term_until_revoked") and f.get("term_end"):
        codes.add("term_both")
    start, end = _date(f.get("term_start", "")), _date(f.get("term_end", ""))
    if start and end and end <= start:
        codes.add("term_end_before_start")
    if "customer_signature" in live and not live["customer_signature"]:
        codes.add("signature_missing")
    signed = _date(live.get("customer_sign_date", ""))
    if received and signed:
        if signed > received:
            codes.add("sign_date_after_received")
        elif (received - signed).days > SIGNATURE_MAX_AGE_DAYS:
            codes.add("signature_stale")
    if f.get("more_accounts_attached") and not attachment_included:
        codes.add("attachment_missing")
    return sorted(codes)
