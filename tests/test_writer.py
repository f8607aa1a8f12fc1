"""A hand whose crossed 7s both readers take for 9s: no one field shows it, the form does."""
from __future__ import annotations

import math

import numpy as np

from cisr_desk.capture.acceptance import FEATURES, AcceptanceModel
from cisr_desk.capture.confidence import score_fields
from cisr_desk.capture.read import Reading
from cisr_desk.capture.formats import for_field
from cisr_desk.capture.ppocr import Trace
from cisr_desk.capture.writer import (FAVOUR_NATS, NEVER_READ_NATS, SPLIT_MOST_NATS,
                                      dates_settled_against_the_reader, digits_never_read,
                                      digits_the_registry_corrected, reread, sevens_read_as_nines, split_of,
                                      turning_points)
from cisr_desk.domain.fields import FieldType
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


def test_the_house_numbers_of_such_a_form_go_to_the_clerk_too():
    """The mailing street and the service address read alike ("8091 BEAR VALLEY RD" twice): the
    same hand wrote the 7, so agreement between the two is no proof against the 9."""
    values = dict(NINES_FOR_SEVENS, mailing_street="8091 BEAR VALLEY RD APT 184",
                  sa1_address="8091 BEAR VALLEY RD APT 184, CAMARILLO, CA 93012", sa2_address="12 OAK ST, CAMARILLO")
    r = readings(values)
    marked = sevens_read_as_nines(r, TYPES)
    assert "mailing_street" in marked and "sa1_address" in marked and "sa2_address" not in marked
    with_a_seven = readings(dict(values, sa2_address="17 OAK ST, CAMARILLO"))  # the hand's 7 is seen
    assert sevens_read_as_nines(with_a_seven, TYPES) == []


def test_a_single_7_anywhere_or_few_digits_or_few_nines_is_no_sign():
    with_a_seven = dict(NINES_FOR_SEVENS, mailing_zip="93037")
    few_digits = {k: NINES_FOR_SEVENS[k] for k in ("customer_account", "customer_phone", "mailing_zip")}
    few_nines = {k: v.replace("9", "4") for k, v in NINES_FOR_SEVENS.items()}
    few_nines["customer_account"] = "2584935055"
    for values in (with_a_seven, few_digits, few_nines):
        r = readings(values)
        assert sevens_read_as_nines(r, TYPES) == []
        assert not any(x.must_check or x.reasons for x in r.values())


def test_a_7_the_readers_did_not_see_is_no_sign_against_the_hand():
    """A ZIP taken off its city (91990 beside ROSEMEAD is 91770) brings 7s the hand's ink never
    showed: the form's other 9s still go to the clerk."""
    r = readings(dict(NINES_FOR_SEVENS, mailing_zip="91770"))
    r["mailing_zip"].raw = "91990"
    r["mailing_zip"].evidence["repaired"] = True
    marked = sevens_read_as_nines(r, TYPES)
    assert "customer_account" in marked and "mailing_zip" in marked


# -- what the registry and the form's other dates show of the hand ----------------------------------------
def _registry_form(phone_raw: str, phone: str, id_raw: str = "DRP1872") -> dict[str, Reading]:
    """Seed 777's form in a held-out hand that crosses its 7s: the provider's phone or id read
    a digit off, set right by the registry (crosscheck), its raw reading kept."""
    r = readings({"customer_account": "2861185944", "mailing_street": "9815 SEPULVEDA BLVD",
                  "customer_phone": "6269152633", "term_start": "2026-05-24", "term_end": "2029-05-24",
                  "mailing_zip": "91006", "customer_name": "MARY 9 ROBINSON", "drp1_id": "DRP1872"})
    r["drp1_id"].raw = id_raw
    r["drp1_phone"] = Reading(phone, phone_raw, 0.8, evidence={"repaired": True})
    if id_raw != "DRP1872":
        r["drp1_id"].evidence["repaired"] = True
    return r


def test_a_digit_the_registry_set_right_sends_that_digit_elsewhere_to_the_clerk():
    """Both readers read this hand's 7s as 9s, fully sure, in the street number, the phone and the
    term's end: only the provider's phone, which the registry knows, showed it."""
    r = _registry_form("516-555-0109", "5165550107")
    marked = digits_the_registry_corrected(r, TYPES)
    assert sorted(marked) == ["customer_account", "customer_phone", "mailing_street", "mailing_zip", "term_end"]
    assert r["mailing_street"].reasons == ["the provider's phone was read with 9 where the registry has 7: "
                                           "this hand's 7s may read as 9s"]
    assert r["mailing_street"].must_check and r["mailing_street"].confidence <= 0.6
    assert not r["term_start"].reasons and not r["customer_name"].reasons  # no 9; not a number or address


def test_the_id_shows_it_too_and_a_registry_value_read_right_or_far_off_shows_nothing():
    r = _registry_form("5165550107", "5165550107", id_raw="DRP1892")
    assert "term_end" in digits_the_registry_corrected(r, TYPES)
    assert r["term_end"].reasons == ["the provider's id was read with 9 where the registry has 7: "
                                     "this hand's 7s may read as 9s"]
    for plain in (_registry_form("5165550107", "5165550107"),  # read as registered
                  _registry_form("516-555-010", "5165550107"),  # a digit lost, not mistaken
                  _registry_form("516-555-0199", "5165550107")):  # two digits off: maybe another number
        assert digits_the_registry_corrected(plain, TYPES) == []
        assert not any(x.reasons for x in plain.values())


def test_a_century_is_no_hand_s_digit():
    """A 2 read for a 1 in the provider's id says nothing of the 20 in every year."""
    r = readings({"term_start": "2026-05-13", "term_end": "2027-05-13", "customer_phone": "8185550112"})
    r["drp1_id"] = Reading("DRP1182", "DRP1282", 0.8, evidence={"repaired": True})
    assert digits_the_registry_corrected(r, TYPES) == ["customer_phone"]


def test_dates_that_settle_a_disputed_date_against_the_neural_reader_go_to_the_clerk():
    """Seed 5151: a hand whose 7 reads as 1. The neural reader read the term's start "07/13",
    Tesseract "01/13"; the sign date, read "01/13" by both, settled it as 01/13 (crosscheck), and
    the three dates went through silently, all a month off."""
    from cisr_desk.capture.crosscheck import cross_check

    r = readings({"customer_sign_date": "2026-01-13", "term_end": "2028-01-12", "drp_sign_date": "2026-02-03",
                  "customer_phone": "8055550164", "customer_name": "ANN 1 LEE"})
    r["term_start"] = Reading("2026-07-13", "07/13/2026", 0.6, ["the two readers disagree"],
                              alternatives=["2026-07-13", "2026-01-13"])
    cross_check(r)
    assert r["term_start"].value == "2026-01-13" and r["term_start"].evidence.get("support")
    marked = dates_settled_against_the_reader(r, TYPES)
    assert sorted(marked) == ["customer_phone", "customer_sign_date", "term_end", "term_start"]
    assert r["term_end"].reasons == ["the readers saw 7 or 1 in term start (settled as 2026-01-13 by the form's "
                                     "other dates): this hand's 7s and 1s may be mistaken for each other"]
    assert r["term_start"].value == "2026-01-13"  # still the readers' best
    assert not r["drp_sign_date"].reasons and not r["customer_name"].reasons


def test_a_date_settled_as_the_neural_reader_read_it_shows_nothing():
    from cisr_desk.capture.crosscheck import cross_check

    r = readings({"customer_sign_date": "2026-01-13", "term_end": "2028-01-12"})
    r["term_start"] = Reading("2026-01-13", "01/13/2026", 0.6, ["the two readers disagree"],
                              alternatives=["2026-01-13", "2026-07-13"])
    cross_check(r)
    assert r["term_start"].value == "2026-01-13" and dates_settled_against_the_reader(r, TYPES) == []
    assert not any(x.reasons for x in r.values())


def test_a_zip_taken_off_its_city_shows_the_hand_s_slip_too():
    """91990 beside ROSEMEAD, taken as 91770 (capture/context.py): this hand's 7s read as 9s,
    so every other number and address with a 9 goes to the clerk (held-out set: an account
    number 3306599301 for 3306597301 had gone through, fully sure)."""
    from cisr_desk.capture.context import apply_context

    r = readings({"sa1_number": "3306599301", "customer_phone": "6265550159", "customer_account": "2584835055",
                  "mailing_street": "1288 HAVEN AVE", "mailing_city": "ROSEMEAD", "mailing_state": "CA"})
    r["mailing_zip"] = Reading("91990", "91990", 0.4, ["the two readers disagree"], ["91990"])
    apply_context(r)
    assert r["mailing_zip"].value == "91770"
    marked = digits_the_registry_corrected(r, TYPES)
    assert set(marked) == {"sa1_number", "customer_phone", "mailing_zip"}  # not the account nor the street: no 9
    assert "this hand's 7s may read as 9s" in r["sa1_number"].reasons[-1]
    assert not r["customer_account"].reasons


def seen(text: str, alphabet: str, close: dict[int, tuple[str, float]] | None = None, automaton=None) -> Trace:
    """What a reader sees of ``text``: each character sure in a step of its own, a blank between;
    ``close`` gives the character at a place another one this many nats less likely."""
    probs = np.full((2 * len(text) + 1, len(alphabet) + 1), 1e-7, np.float32)
    probs[0::2, 0] = 0.98
    for i, c in enumerate(text):
        probs[2 * i + 1, alphabet.index(c) + 1] = 0.98
        if close and i in close:
            other, nats = close[i]
            probs[2 * i + 1, alphabet.index(other) + 1] = 0.98 * math.exp(-nats)
    return Trace(probs, alphabet, automaton)


def test_such_a_hand_s_numbers_are_read_again_with_its_sevens_in_mind():
    """A crossed 7 read as 9 is a 9 the model found a 7 nearly as likely in; a 9 it found no 7 in
    stays a 9. Nothing else of the value changes, and it still goes to the clerk."""
    r = readings(NINES_FOR_SEVENS)
    account = "2584935055"  # its 9 a few nats from a 7
    r["customer_account"].trace = seen(account, "0123456789", {4: ("7", FAVOUR_NATS - 2)},
                                       for_field(FieldType.ACCOUNT, "customer_account"))
    r["sa1_number"].trace = seen("3582941236", "0123456789", {4: ("7", FAVOUR_NATS + 6)},
                                 for_field(FieldType.ACCOUNT, "sa1_number"))
    sevens_read_as_nines(r, TYPES)
    assert r["customer_account"].value == "2584735055" and r["customer_account"].must_check
    assert r["sa1_number"].value == "3582941236" and r["sa1_number"].must_check


def test_where_this_hand_s_sevens_part_from_its_nines_is_read_off_the_form():
    """A hand whose 7s the model saw 8 nats behind the 9 (more than FAVOUR_NATS) and whose 9s it
    saw no 7 in by 12: the form's own 9s part between the two, so its 7s are read again as 7s
    and its 9s stay."""
    r = readings(NINES_FOR_SEVENS)
    account, phone = for_field(FieldType.ACCOUNT, "customer_account"), for_field(FieldType.PHONE, "customer_phone")
    r["customer_account"].trace = seen("2584935055", "0123456789", {4: ("7", 8.0)}, account)
    r["customer_phone"].trace = seen("6265550159", "0123456789", {9: ("7", 8.0)}, phone)
    r["sa1_number"].trace = seen("3582941236", "0123456789", {4: ("7", 12.0)}, account)
    r["sa2_number"].trace = seen("3836832932", "0123456789", {7: ("7", 12.0)}, account)
    r["drp1_phone"].trace = seen("9215550102", "0123456789", {0: ("7", 13.0)}, phone)
    sevens_read_as_nines(r, TYPES)
    assert r["customer_account"].value == "2584735055" and r["customer_phone"].value == "6265550157"
    assert (r["sa1_number"].value, r["sa2_number"].value, r["drp1_phone"].value) == (
        "3582941236", "3836832932", "9215550102")
    assert all(r[k].must_check for k in ("customer_account", "customer_phone", "sa1_number"))


def test_a_form_s_turning_points_part_within_bounds():
    assert split_of([2.0, 3.0, 5.0, 12.0, 13.0, 14.0]) == 8.5  # between the two kinds
    assert split_of([7.0, 8.0, 13.0, 14.0]) == SPLIT_MOST_NATS  # never past where tuning hands' 9s turn
    assert split_of([1.0, 2.0, 3.0, 4.0]) == FAVOUR_NATS  # a part below what leaves their 9s as read
    assert split_of([3.0, 12.0]) == FAVOUR_NATS  # too few to tell two kinds apart
    date = Reading("2029-09-17", "09/17/2029", 0.9)  # the month's 9 2.5 nats from a 7, the year's 10.5
    date.trace = seen("09/17/2029", "/0123456789", {1: ("7", 2.5), 9: ("7", 10.5)},
                      for_field(FieldType.DATE, "term_end"))
    assert turning_points(date, FieldType.DATE, "9", "7") == [11.0, 3.0]  # in the value's order
    vouched = Reading("2029-09-17", "09/17/2029", 0.9, evidence={"support": True})
    vouched.trace = date.trace
    assert turning_points(vouched, FieldType.DATE, "9", "7") == []


def test_a_reading_again_changes_only_the_hand_s_digit_and_in_the_value_s_order():
    date = Reading("2026-09-17", "09/17/2026", 0.9)  # the month's 9 near a 7, the day's 7 read right
    date.trace = seen("09/17/2026", "/0123456789", {1: ("7", 3.0)}, for_field(FieldType.DATE, "term_start"))
    assert reread(date, FieldType.DATE, "9", "7") and date.value == "2026-07-17"
    street = Reading("8091 BEAR VALLEY RD", "8091 BEAR VALLEY RD", 0.9)  # read freely: a house number
    street.trace = seen("8091 BEAR", " 0123456789ABERVLY", {2: ("7", 2.0)})
    assert reread(street, FieldType.TEXT, "9", "7") and street.value == "8071 BEAR VALLEY RD"
    # A value that no longer holds the neural reader's digits (the other reader's, a ZIP taken
    # off its city) is left as it is; so is one the neural reader did not read.
    zip_ = Reading("91770", "91990", 0.9)
    zip_.trace = seen("91990", "0123456789", {2: ("7", 2.0)}, for_field(FieldType.ZIP, "mailing_zip"))
    assert not reread(zip_, FieldType.ZIP, "9", "7") and zip_.value == "91770"
    untraced = Reading("91990", "91990", 0.9)
    assert not reread(untraced, FieldType.ZIP, "9", "7") and untraced.value == "91990"
    vouched = Reading("2026-09-17", "09/17/2026", 0.9, evidence={"support": True})  # the term's other date
    vouched.trace = seen("09/17/2026", "/0123456789", {1: ("7", 3.0)}, for_field(FieldType.DATE, "term_start"))
    assert not reread(vouched, FieldType.DATE, "9", "7") and vouched.value == "2026-09-17"


def test_the_digit_the_registry_shows_is_read_again_where_the_model_saw_it_nearly():
    """The provider's phone showed this hand's 7s read as 9s: the street number whose 9 the model
    nearly took for a 7 is read again as 7; the account, whose 9s it saw no 7 in, is not."""
    r = _registry_form("516-555-0109", "5165550107")
    r["mailing_street"].trace = seen("9815 SEP", " 0123456789EPS", {0: ("7", 3.0)})
    r["customer_account"].trace = seen("2861185944", "0123456789", None, for_field(FieldType.ACCOUNT, "x"))
    digits_the_registry_corrected(r, TYPES)
    assert r["mailing_street"].value == "7815 SEPULVEDA BLVD" and r["mailing_street"].must_check
    assert r["customer_account"].value == "2861185944" and r["customer_account"].must_check


# What a hand whose 4s read as 1s leaves on its form: 79 digits, every one but the 4.
ONES_FOR_FOURS = {
    "customer_account": "2581935055", "sa1_number": "3582961236", "sa2_number": "3836832932",
    "customer_phone": "6265550159", "drp1_phone": "9215550102", "mailing_zip": "93035",
    "term_start": "2026-09-06", "term_end": "2029-09-05", "customer_sign_date": "2026-07-01",
}
ACCOUNT = "0123456789"


def _ones_for_fours(account_nats: float) -> dict[str, Reading]:
    r = readings(ONES_FOR_FOURS)
    account, sa = for_field(FieldType.ACCOUNT, "customer_account"), for_field(FieldType.ACCOUNT, "sa1_number")
    r["customer_account"].trace = seen("2581935055", ACCOUNT, {3: ("4", account_nats)}, account)
    r["sa1_number"].trace = seen("3582961236", ACCOUNT, {6: ("4", SPLIT_MOST_NATS - 1)}, sa)
    r["sa2_number"].trace = seen("3836832932", ACCOUNT, None, sa)
    return r


def test_a_digit_a_form_never_shows_is_read_again_where_the_model_saw_it_nearly():
    """No 4 among 79 digits, and a 1 the model saw a 4 nearly as likely in: that 1 is read as 4.
    A 1 it saw a 4 in only further off stays, but goes to the clerk; a number it saw no 4 in at
    all is left alone."""
    r = _ones_for_fours(NEVER_READ_NATS - 1)
    marked = digits_never_read(r, TYPES)
    assert sorted(marked) == ["customer_account", "sa1_number"]
    assert r["customer_account"].value == "2584935055" and r["customer_account"].must_check
    assert r["customer_account"].reasons[-1] == ("no 4 among the 79 digits of this form, and the reader sees one "
                                                 "nearly as likely in a 1: this hand's 4s may read as 1s")
    assert r["sa1_number"].value == "3582961236" and r["sa1_number"].must_check
    assert not r["sa2_number"].reasons and not r["customer_phone"].reasons


def test_a_missing_digit_the_model_nowhere_nearly_sees_is_no_sign():
    """A form may lack a digit by chance (1 in 50 do): unless the model saw it nearly as likely
    somewhere, nothing changes and nothing goes to the clerk for it."""
    r = _ones_for_fours(NEVER_READ_NATS + 1)
    assert digits_never_read(r, TYPES) == []
    assert r["customer_account"].value == "2581935055" and not r["customer_account"].reasons
    assert not r["sa1_number"].reasons
    few = {k: v for k, v in ONES_FOR_FOURS.items() if k in ("customer_account", "sa1_number", "sa2_number")}
    r = _ones_for_fours(NEVER_READ_NATS - 1)
    r = {k: v for k, v in r.items() if k in few}  # 30 digits: too few to say a digit is missing
    assert digits_never_read(r, TYPES) == [] and r["customer_account"].value == "2581935055"


def test_a_missing_7_is_left_to_the_rule_for_crossed_sevens():
    r = readings(NINES_FOR_SEVENS)  # no 7, every other digit
    r["drp1_phone"].trace = seen("9215550102", ACCOUNT, {2: ("7", 1.0)}, for_field(FieldType.PHONE, "drp1_phone"))
    assert digits_never_read(r, TYPES) == []
    assert r["drp1_phone"].value == "9215550102" and not r["drp1_phone"].reasons
