"""What goes on one form: the values as written, the marks, the dates, and the rule breaking.

A ``FormPlan`` holds the strings exactly as they will appear on paper (``written``) and the
checkbox/signature marks; the truth fields are derived from them through the domain's own
``normalise`` so that "normal form" means the same thing here as in the app. Faults are applied
to the written values, and the expected issue codes are then computed by ``rules`` from the
final truth, so a clean form is provably clean and a faulty one lists every rule it breaks.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.fields import FieldType, normalise
from cisr_desk.synth import people
from cisr_desk.synth.rules import Provider, expected_issues

REV26, REV19 = "14-941-rev-2026-03", "14-941-rev-2019-07"
FAULTS = ("request_none", "request_both_marked", "missing_required", "invalid_format", "sa_duplicate",
          "sa_address_missing", "drp_unregistered", "drp_not_active", "drp_no_agreement", "drp_name_mismatch",
          "drp_same_twice", "no_data_category", "history_multiple", "term_both", "term_end_before_start",
          "signature_missing", "sign_date_after_received", "signature_stale", "attachment_missing", "page_missing")
FAKE_DRP_WORDS = ("Summit", "Beacon", "Tri-Valley", "Harborline", "Keystone", "Northstar", "Bluewater", "Evergreen")
FAKE_DRP_KINDS = ("Demand Partners LLC", "Energy Response Inc.", "Load Services Co.", "Grid Solutions L.P.")


@dataclass
class FormPlan:
    """One form to draw: template, style, values as written, marks and context for the truth."""
    template_id: str
    keys: list[str]
    page2_keys: set[str]
    style: str
    written: dict[str, str] = field(default_factory=dict)  # non-mark keys, "" when blank
    marks: dict[str, bool] = field(default_factory=dict)  # check and signature keys
    received: dt.date | None = None
    page_missing: bool = False
    attachment: list[tuple[str, str]] = field(default_factory=list)  # (number as written, address)
    attachment_included: bool = False
    faults: list[str] = field(default_factory=list)
    provider: Provider | None = None
    customer_name: str = ""

    def truth_fields(self) -> dict:
        out: dict = {}
        for key in self.keys:
            if FIELD_TYPES[key].is_mark:
                out[key] = bool(self.marks.get(key, False))
            else:
                out[key] = normalise(FIELD_TYPES[key], self.written.get(key, ""))
        if self.page_missing:  # nobody can read a page that was not sent
            out.update({k: (False if isinstance(out[k], bool) else "") for k in self.page2_keys})
        return out

    def issues(self, registry: dict[str, Provider]) -> list[str]:
        return expected_issues(self.template_id, self.truth_fields(), registry, received=self.received,
                               attachment_included=self.attachment_included, page_missing=self.page_missing,
                               page2_keys=self.page2_keys)


# --- written forms -----------------------------------------------------------------------------------

def fmt_date(d: dt.date) -> str:
    return d.strftime("%m/%d/%Y")


def fmt_phone(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice((f"({a}) {b}-{c}", f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"{a} {b} {c}"))


def fmt_account(rng: random.Random, digits: str, comb: bool) -> str:
    """Comb boxes take one digit a cell; on a plain line people copy the bill's dashes or group digits."""
    if comb:
        return digits
    r = rng.random()
    if r < 0.45:
        return digits
    if digits.startswith("2"):
        groups = (digits[0], digits[1:3], digits[3:6], digits[6:])
    else:
        groups = (digits[0], digits[1:4], digits[4:8], digits[8:])
    return ("-" if r < 0.8 else " ").join(groups)


# --- planning ----------------------------------------------------------------------------------------

def _pick_provider(rng: random.Random, pool: list[Provider]) -> Provider:
    return rng.choice(pool)


def _provider_name(rng: random.Random, p: Provider) -> str:
    return p.dba if p.dba and rng.random() < 0.35 else p.legal


def plan_form(rng: random.Random, template_id: str, keys: list[str], page2_keys: set[str], style: str,
              registry: dict[str, Provider], combs: set[str], *, faults: bool, stamp: bool) -> FormPlan:
    """A clean form, then (maybe) broken on purpose; the caller decides style and template."""
    plan = FormPlan(template_id, keys, page2_keys, style)
    w, m = plan.written, plan.marks
    rev26 = template_id == REV26
    cust = people.customer(rng)
    plan.customer_name = cust.name
    received = dt.date(2026, 3, 20) + dt.timedelta(days=rng.randint(0, 255))
    signed = received - dt.timedelta(days=rng.choice((1, 2, 3, 4, 6, 8, 12, 20, 35, 60)))
    revoke = rng.random() < 0.08
    m["request_authorize"], m["request_revoke"] = not revoke, revoke
    w["customer_name"] = cust.name
    w["customer_account"] = fmt_account(rng, people.luhn_free_account(rng, "2"), "customer_account" in combs)
    w["mailing_street"], w["mailing_city"] = cust.street, cust.place.city
    w["mailing_state"], w["mailing_zip"] = "CA", cust.place.zip
    w["customer_phone"] = fmt_phone(rng, cust.phone)
    if rev26:
        w["customer_email"] = cust.email
    rows = 5 if rev26 else 3
    n_sa = rng.choices(range(1, rows + 1), weights=(46, 20, 12, 8, 14)[:rows])[0]
    for i in range(1, n_sa + 1):
        if i == 1 and not cust.street.startswith("P.O.") and rng.random() < 0.7:
            st, where = cust.street, cust.place
        else:
            st, where = people.street(rng), (cust.place if rng.random() < 0.6 else people.place(rng))
        w[f"sa{i}_number"] = fmt_account(rng, people.luhn_free_account(rng, "3"), f"sa{i}_number" in combs)
        # As people write them, the state too after the town now and then ("Oxnard, CA 93030").
        w[f"sa{i}_address"] = rng.choice((f"{st}, {where.city} {where.zip}", f"{st}, {where.city} {where.zip}",
                                          f"{st} {where.city} {where.zip}", f"{st}, {where.city}",
                                          f"{st}, {where.city}, CA {where.zip}"))
    if rng.random() < (0.5 if n_sa == rows else 0.02):
        m["more_accounts_attached"] = True
        where = cust.place
        plan.attachment = [(fmt_account(rng, people.luhn_free_account(rng, "3"), False),
                            f"{people.street(rng)}, {where.city} {where.zip}") for _ in range(rng.randint(1, 7))]
        plan.attachment_included = True
    usable = [p for p in registry.values() if p.usable]
    prov = _pick_provider(rng, usable)
    plan.provider = prov
    w["drp1_name"], w["drp1_id"] = _provider_name(rng, prov), prov.reg
    if rng.random() < 0.6:
        w["drp1_contact"] = prov.contact
    if rng.random() < 0.6 and prov.phone:
        w["drp1_phone"] = fmt_phone(rng, "".join(ch for ch in prov.phone if ch.isdigit())[-10:])
    if rev26 and rng.random() < 0.5:
        w["drp1_email"] = prov.email
    if rev26 and rng.random() < 0.15:
        other = rng.choice([p for p in usable if p.reg != prov.reg])
        w["drp2_name"], w["drp2_id"] = _provider_name(rng, other), other.reg
    if not revoke:
        if rev26:
            cats = ["data_account", "data_interval", "data_billing", "data_programs"]
            chosen = rng.sample(cats, rng.randint(1, 4))
            m.update({c: True for c in chosen})
            if rng.random() < 0.6:
                m[rng.choice(("history_12", "history_24", "history_36"))] = True
        else:
            for c in rng.sample(["data_interval", "data_billing"], rng.randint(1, 2)):
                m[c] = True
    start = signed + dt.timedelta(days=rng.choice((0, 0, 1, 5, 10, 14, 30)))
    w["term_start"] = fmt_date(start)
    if not revoke:
        if rev26 and rng.random() < 0.35:
            m["term_until_revoked"] = True
        elif rev26 or rng.random() < 0.7:
            w["term_end"] = fmt_date(start + dt.timedelta(days=365 * rng.randint(1, 3) - rng.choice((0, 1, 2))))
    m["customer_signature"] = True
    w["customer_sign_date"] = fmt_date(signed)
    w["customer_print_name"] = cust.signer
    if cust.title and rng.random() < 0.8:
        w["customer_title"] = cust.title
    if rev26:
        if rng.random() < 0.7:
            m["drp_signature"] = True
            w["drp_print_name"] = prov.contact or people.person_name(rng)
            w["drp_sign_date"] = fmt_date(signed + dt.timedelta(days=rng.randint(0, (received - signed).days)))
        elif rng.random() < 0.3:
            w["drp_print_name"] = prov.contact
    plan.received = received if stamp else None
    if faults and rng.random() < 0.25:
        _break(rng, plan, registry, combs, stamp_allowed=stamp)
    for key in list(w):  # keys the template does not have (e-mail on rev 2019) stay off the page
        if key not in keys:
            del w[key]
    for key in keys:
        if not FIELD_TYPES[key].is_mark:
            w.setdefault(key, "")
    if style == "hand":
        for key, value in w.items():
            w[key] = value.upper()
    elif rng.random() < 0.2:  # some typists use caps lock for names and addresses
        for key, value in w.items():
            if FIELD_TYPES[key] is FieldType.TEXT:
                w[key] = value.upper()
    return plan


# --- rule breaking -----------------------------------------------------------------------------------

def _applicable(plan: FormPlan, stamp_allowed: bool) -> list[str]:
    rev26 = plan.template_id == REV26
    paper = plan.style != "digital"
    out = []
    for code in FAULTS:
        if code in ("drp_same_twice", "history_multiple", "term_both") and not rev26:
            continue
        if code == "page_missing" and not (rev26 and paper):
            continue
        if code in ("sign_date_after_received", "signature_stale") and not stamp_allowed:
            continue
        if code == "sa_duplicate" and not plan.written.get("sa2_number"):
            continue
        if code == "no_data_category" and not plan.marks.get("request_authorize"):
            continue
        if code == "attachment_missing" and not paper:
            continue
        out.append(code)
    return out


def _break(rng: random.Random, plan: FormPlan, registry: dict[str, Provider], combs: set[str],
           stamp_allowed: bool) -> None:
    choices = _applicable(plan, stamp_allowed)
    for code in rng.sample(choices, 2 if rng.random() < 0.15 else 1):
        _apply(rng, code, plan, registry, combs)
        plan.faults.append(code)


def _apply(rng: random.Random, code: str, plan: FormPlan, registry: dict[str, Provider], combs: set[str]) -> None:
    w, m = plan.written, plan.marks
    rev26 = plan.template_id == REV26
    if code == "request_none":
        m["request_authorize"] = m["request_revoke"] = False
    elif code == "request_both_marked":
        m["request_authorize"] = m["request_revoke"] = True
    elif code == "missing_required":
        pool = ["customer_name", "customer_account", "mailing_street", "mailing_city", "mailing_zip",
                "customer_phone", "drp1_id", "term_start", "customer_sign_date", "customer_print_name"]
        w[rng.choice(pool)] = ""
    elif code == "invalid_format":
        key = rng.choice(["customer_account", "sa1_number", "customer_phone", "mailing_zip"]
                         + (["customer_email"] if rev26 and w.get("customer_email") else []))
        value = w.get(key, "")
        if key == "customer_email":
            w[key] = value.replace("@", rng.choice(("", " at ")), 1).replace(" at ", "at")
        elif key == "customer_account" and rng.random() < 0.4:
            w[key] = "3" + value[1:]  # a service account in the customer box
        else:
            digits = "".join(ch for ch in value if ch.isdigit())
            cut = digits[:-1] if rng.random() < 0.7 or key in combs else digits + str(rng.randint(0, 9))
            w[key] = cut if key in combs else (fmt_phone(rng, cut + "0")[:-1] if key == "customer_phone" else cut)
    elif code == "sa_duplicate":
        w["sa2_number"] = w["sa1_number"]
    elif code == "sa_address_missing":
        rows = [i for i in range(1, 6) if w.get(f"sa{i}_number")]
        w[f"sa{rng.choice(rows)}_address"] = ""
    elif code == "drp_unregistered":
        while True:
            reg = f"DRP{rng.randint(1, 9999):04d}"
            if reg not in registry:
                break
        w["drp1_id"] = reg
        w["drp1_name"] = f"{rng.choice(FAKE_DRP_WORDS)} {rng.choice(FAKE_DRP_KINDS)}"
    elif code in ("drp_not_active", "drp_no_agreement"):
        want = [p for p in registry.values()
                if (p.status != "ACTIVE" if code == "drp_not_active" else not p.agreement)]
        if want:
            prov = rng.choice(want)
            w["drp1_id"], w["drp1_name"] = prov.reg, _provider_name(rng, prov)
            plan.provider = prov
    elif code == "drp_name_mismatch":
        prov = registry.get(w.get("drp1_id", ""))
        others = [p for p in registry.values() if prov is None or p.reg != prov.reg]
        w["drp1_name"] = rng.choice(others).legal
    elif code == "drp_same_twice":
        prov = registry.get(w.get("drp1_id", ""))
        w["drp2_id"] = w.get("drp1_id", "")
        w["drp2_name"] = _provider_name(rng, prov) if prov else w.get("drp1_name", "")
    elif code == "no_data_category":
        for k in ("data_account", "data_interval", "data_billing", "data_programs"):
            m[k] = False
    elif code == "history_multiple":
        for k in rng.sample(["history_12", "history_24", "history_36"], rng.randint(2, 3)):
            m[k] = True
    elif code == "term_both":
        m["term_until_revoked"] = True
        start = dt.datetime.strptime(w["term_start"] or "01/01/2026", "%m/%d/%Y").date()
        w["term_end"] = w.get("term_end") or fmt_date(start + dt.timedelta(days=730))
    elif code == "term_end_before_start":
        start = dt.datetime.strptime(w["term_start"] or "06/01/2026", "%m/%d/%Y").date()
        w["term_start"] = fmt_date(start)
        w["term_end"] = fmt_date(start - dt.timedelta(days=rng.choice((1, 30, 200, 365))))
        m["term_until_revoked"] = False
    elif code == "signature_missing":
        m["customer_signature"] = False
    elif code in ("sign_date_after_received", "signature_stale"):
        received = plan.received or dt.date(2026, 6, 1)
        plan.received = received
        delta = rng.randint(2, 25) if code == "sign_date_after_received" else -rng.randint(95, 300)
        signed = received + dt.timedelta(days=delta)
        w["customer_sign_date"] = fmt_date(signed)
        if w.get("drp_sign_date"):
            w["drp_sign_date"] = fmt_date(signed)
    elif code == "attachment_missing":
        if not m.get("more_accounts_attached"):
            m["more_accounts_attached"] = True
            plan.attachment = [(fmt_account(rng, people.luhn_free_account(rng, "3"), False),
                                f"{people.street(rng)}, {w.get('mailing_city', '')}") for _ in range(rng.randint(1, 4))]
        plan.attachment_included = False
    elif code == "page_missing":
        plan.page_missing = True
        plan.received = None  # the stamp goes on page 2


def stamp_possible(template_id: str, style: str) -> bool:
    return template_id == REV26 and style != "digital"


def is_comb(spec_cells: tuple) -> bool:
    return bool(spec_cells)


__all__ = ["FormPlan", "plan_form", "REV26", "REV19", "FAULTS", "fmt_date", "fmt_phone", "fmt_account",
           "FieldType", "stamp_possible"]
