"""A hand whose crossed 7s both readers take for 9s: no one field shows it, the form does."""
from __future__ import annotations

from cisr_desk.capture.acceptance import FEATURES, AcceptanceModel
from cisr_desk.capture.confidence import score_fields
from cisr_desk.capture.read import Reading
from cisr_desk.capture.writer import sevens_read_as_nines
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import forms_dir

TEMPLATE = load_templates(forms_dir())["14-941-rev-2026-03"]
TYPES = {spec.key: spec.type for spec in TEMPLATE.fields}


def readings(values: dict[str, str]) -> dict[str, Reading]:
    return {k: Reading(v, v, 0.999, evidence={"tess": 1.0, "neural": 1.0}) for k, v in values.items()}


# What such a hand's form reads as: every 7 a 9 (89 digits, no 7, ten 9s).
NINES_FOR_SEVENS = {
    "customer_account": "2584935055", "sa1_number": "3582941236", "sa2_number": "3836832932",
    "sa3_number": "1028384856", "customer_phone": "6265550159", "drp1_phone": "9215550102",
    "mailing_zip": "93035", "term_start": "2026-09-06", "term_end": "2029-09-05",
    "customer_sign_date": "2026-09-01", "customer_name": "KENJI 9 KIM",  # not a number: left alone
}


def test_a_form_without_a_single_7_sends_every_number_with_a_9_to_the_clerk():
    r = readings(NINES_FOR_SEVENS)
    marked = sevens_read_as_nines(r, TYPES)
    assert sorted(marked) == sorted(k for k, v in NINES_FOR_SEVENS.items() if "9" in v and k != "customer_name")
    assert r["customer_account"].reasons == ["no 7 among the 89 digits of this form but 10 nines: "
                                             "a crossed 7 may have been read as 9"]
    assert not r["sa3_number"].must_check  # no 9 in it
    assert not r["customer_name"].must_check and not r["customer_name"].reasons
    # No model accepts them, however sure the readers were.
    accept_all = AcceptanceModel({n: 0.0 for n in FEATURES}, 30.0, 0.5)
    fields = score_fields(TEMPLATE, r, [], None, SitePolicy(), 300.0, model=accept_all)
    assert all(fields[k].review and fields[k].confidence <= 0.6 for k in marked)
    assert not fields["customer_name"].review
    assert fields["customer_account"].reasons[-1].startswith("no 7 among")


def test_a_single_7_anywhere_or_few_digits_or_few_nines_is_no_sign():
    with_a_seven = dict(NINES_FOR_SEVENS, mailing_zip="93037")
    few_digits = {k: NINES_FOR_SEVENS[k] for k in ("customer_account", "customer_phone", "mailing_zip")}
    few_nines = {k: v.replace("9", "4") for k, v in NINES_FOR_SEVENS.items()}
    few_nines["customer_account"] = "2584935055"
    for values in (with_a_seven, few_digits, few_nines):
        r = readings(values)
        assert sevens_read_as_nines(r, TYPES) == []
        assert not any(x.must_check or x.reasons for x in r.values())
