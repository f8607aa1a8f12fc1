"""The field keys of Form 14-941 (forms/FIELDS.md): their types and the clerk's names for them.

Used when deriving a template from a blank whose widgets carry these keys; a later revision
that adds a key adds it here and in its template file.
"""
from __future__ import annotations

from cisr_desk.domain.fields import FieldType as T

FIELD_TYPES: dict[str, T] = {
    "request_authorize": T.CHECK, "request_revoke": T.CHECK,
    "customer_name": T.TEXT, "customer_account": T.ACCOUNT,
    "mailing_street": T.TEXT, "mailing_city": T.TEXT, "mailing_state": T.STATE, "mailing_zip": T.ZIP,
    "customer_phone": T.PHONE, "customer_email": T.EMAIL,
    **{f"sa{i}_number": T.ACCOUNT for i in range(1, 6)},
    **{f"sa{i}_address": T.TEXT for i in range(1, 6)},
    "more_accounts_attached": T.CHECK,
    "drp1_name": T.TEXT, "drp1_id": T.DRP_ID, "drp1_contact": T.TEXT, "drp1_phone": T.PHONE, "drp1_email": T.EMAIL,
    "drp2_name": T.TEXT, "drp2_id": T.DRP_ID,
    "data_account": T.CHECK, "data_programs": T.CHECK, "data_interval": T.CHECK, "data_billing": T.CHECK,
    "history_12": T.CHECK, "history_24": T.CHECK, "history_36": T.CHECK,
    "term_start": T.DATE, "term_until_revoked": T.CHECK, "term_end": T.DATE,
    "customer_signature": T.SIGNATURE, "customer_sign_date": T.DATE,
    "customer_print_name": T.TEXT, "customer_title": T.TEXT,
    "drp_signature": T.SIGNATURE, "drp_sign_date": T.DATE, "drp_print_name": T.TEXT,
}

LABELS: dict[str, str] = {
    "request_authorize": "Authorize", "request_revoke": "Revoke",
    "customer_name": "Customer name", "customer_account": "Customer account",
    "mailing_street": "Street", "mailing_city": "City", "mailing_state": "State", "mailing_zip": "ZIP",
    "customer_phone": "Phone", "customer_email": "E-mail",
    **{f"sa{i}_number": f"Service account {i}" for i in range(1, 6)},
    **{f"sa{i}_address": f"Service address {i}" for i in range(1, 6)},
    "more_accounts_attached": "More accounts attached",
    "drp1_name": "DRP 1 name", "drp1_id": "DRP 1 registration no.", "drp1_contact": "DRP 1 contact",
    "drp1_phone": "DRP 1 phone", "drp1_email": "DRP 1 e-mail",
    "drp2_name": "DRP 2 name", "drp2_id": "DRP 2 registration no.",
    "data_account": "Account information", "data_programs": "SCE DR program enrollment",
    "data_interval": "Interval usage data", "data_billing": "Billing data",
    "history_12": "12 months history", "history_24": "24 months history", "history_36": "36 months history",
    "term_start": "Start date", "term_until_revoked": "Until revoked", "term_end": "End date",
    "customer_signature": "Customer signature", "customer_sign_date": "Customer sign date",
    "customer_print_name": "Customer printed name", "customer_title": "Customer title",
    "drp_signature": "DRP signature", "drp_sign_date": "DRP sign date", "drp_print_name": "DRP printed name",
}

SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("Request", ("request_authorize", "request_revoke")),
    ("Customer", ("customer_name", "customer_account", "mailing_street", "mailing_city", "mailing_state",
                  "mailing_zip", "customer_phone", "customer_email")),
    ("Service accounts", tuple(k for i in range(1, 6) for k in (f"sa{i}_number", f"sa{i}_address"))
     + ("more_accounts_attached",)),
    ("Demand response providers", ("drp1_name", "drp1_id", "drp1_contact", "drp1_phone", "drp1_email",
                                   "drp2_name", "drp2_id")),
    ("Data released", ("data_account", "data_interval", "data_billing", "data_programs",
                       "history_12", "history_24", "history_36")),
    ("Term", ("term_start", "term_until_revoked", "term_end")),
    ("Signatures", ("customer_signature", "customer_sign_date", "customer_print_name", "customer_title",
                    "drp_signature", "drp_sign_date", "drp_print_name")),
]


def section_of(key: str) -> str:
    for name, keys in SECTIONS:
        if key in keys:
            return name
    return "Other"
