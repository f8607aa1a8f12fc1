import datetime as dt

import numpy as np
import pytest

from cisr_desk.capture.formats import for_field
from cisr_desk.capture.ppocr import decode_constrained
from cisr_desk.capture.stamp import parse_stamp
from cisr_desk.domain.fields import FieldType as T


def accepts(automaton, text):
    state = 0
    for ch in text:
        if ch not in automaton.moves[state]:
            return False
        state = automaton.moves[state][ch]
    return state in automaton.accept


@pytest.mark.parametrize("ftype,good,bad", [
    (T.DATE, ["04/22/2026", "4/2/2026"], ["0422/2026", "04/22/26", "04/222/2026"]),
    (T.ACCOUNT, ["3068735726", "3-068-7357-26", "3 738 2197 40"], ["306873572", "-3068735726"]),
    (T.PHONE, ["(805) 864-8431", "805-654-8407", "8058648431"], ["805864843", "80586484311"]),
    (T.ZIP, ["93030"], ["9303", "930301"]),
    (T.DRP_ID, ["DRP0370"], ["DRP037", "DRQ0370"]),
    (T.STATE, ["CA"], ["C", "CAL"]),
])
def test_formats_accept_what_the_field_may_hold(ftype, good, bad):
    automaton = for_field(ftype, "x")
    assert all(accepts(automaton, g) for g in good)
    assert not any(accepts(automaton, b) for b in bad)


def test_comb_format_is_exactly_the_cells_written():
    automaton = for_field(T.ACCOUNT, "sa1_number", comb_cells=10)
    assert accepts(automaton, "3068735726") and not accepts(automaton, "3-068735726")


def _probs(sequence, chars):
    """A fake CTC output: each step puts 0.9 on one label (None: blank)."""
    index = {c: i for i, c in enumerate(chars)}
    out = np.full((len(sequence), len(chars)), 0.1 / (len(chars) - 1))
    for t, label in enumerate(sequence):
        out[t, index[label] if label else 0] = 0.9
    return out


def test_constrained_decoding_lets_the_format_decide():
    chars = ["<blank>"] + list("0123456789/Z") + [" "]
    index = {c: i for i, c in enumerate(chars)}
    # The model is sure of a "Z" where a date can only hold a digit, and gives 2 a little.
    probs = _probs(["0", None, "4", "/", "Z", None, "Z", "/", "2", "0", "Z", "6"], chars)
    probs[4, index["2"]] = probs[6, index["2"]] = probs[10, index["2"]] = 0.05
    result = decode_constrained(probs, index, for_field(T.DATE, "term_start"), chars)
    assert result.text == "04/22/2026"
    assert result.confidence < 0.5  # the format overruled the model: say so


def test_constrained_decoding_agrees_with_a_clear_reading():
    chars = ["<blank>"] + list("0123456789") + [" "]
    index = {c: i for i, c in enumerate(chars)}
    probs = _probs(list("9303") + [None, "0"], chars)
    result = decode_constrained(probs, index, for_field(T.ZIP, "mailing_zip"), chars)
    assert result.text == "93030" and result.confidence > 0.8


@pytest.mark.parametrize("text,date", [
    ("RECEIVED MAY 22 2026 SCE RULE 24", dt.date(2026, 5, 22)),
    ("May 22, 2026", dt.date(2026, 5, 22)),
    ("SCER4/05/2026ING", dt.date(2026, 4, 5)),
    ("APR052026", dt.date(2026, 4, 5)),
    ("RECEIVED", None),
])
def test_stamp_dates(text, date):
    assert parse_stamp(text) == date


def test_a_confident_related_field_settles_a_disagreement():
    from cisr_desk.capture.crosscheck import cross_check
    from cisr_desk.capture.read import Reading

    readings = {
        "customer_name": Reading("MARY ALVAREZ", "", 0.97),
        "customer_print_name": Reading("MARY ALVARFZ", "", 0.6, ["the two readers disagree"],
                                       alternatives=["MARY ALVARFZ", "MARY ALVAREZ"]),
        "mailing_street": Reading("175 SEPULVEDA BLVD", "", 0.95),
        "mailing_city": Reading("LANCASTER", "", 0.95),
        "mailing_zip": Reading("93534", "", 0.95),
        "sa1_address": Reading("175 SEPULVEDA BLVD LANCASTFR 93534", "", 0.5, ["disagree"],
                               alternatives=["175 SEPULVEDA BLVD LANCASTFR 93534", "175 Sepulveda Blvd, Lancaster 93534"]),
        "drp_print_name": Reading("KENI LOPEZ", "", 0.5, ["disagree"], alternatives=["KENI LOPEZ", "KEN LOPEZ"]),
        "drp1_contact": Reading("KENJI LOPEZ", "", 0.95),
    }
    cross_check(readings)
    assert readings["customer_print_name"].value == "MARY ALVAREZ" and not readings["customer_print_name"].reasons
    assert readings["sa1_address"].value == "175 Sepulveda Blvd, Lancaster 93534"
    # No reading matches what the related field says: still the clerk's to decide.
    assert readings["drp_print_name"].reasons


def test_the_registry_vouches_for_the_contact_of_the_provider_read():
    from cisr_desk.capture.crosscheck import cross_check
    from cisr_desk.capture.read import Reading
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP0370", "Redwood Load Management LLC", contact_name="Priya Kim",
                             contact_phone="(220) 555-0108", contact_email="priya@redwood.example")])
    readings = {
        "drp1_id": Reading("DRP0370", "", 0.97),
        "drp1_contact": Reading("PRIVA KIM", "", 0.5, ["disagree"], alternatives=["PRIVA KIM", "PRIYA KIM"]),
        "drp1_phone": Reading("2205550168", "", 0.5, ["disagree"], alternatives=["2205550168", "2205550108"]),
        "drp1_email": Reading("priya@redwood.exanple", "", 0.5, ["disagree"],
                              alternatives=["priya@redwood.exanple", "priya@redw00d.example"]),
    }
    cross_check(readings, registry)
    assert readings["drp1_contact"].value == "PRIYA KIM" and not readings["drp1_contact"].reasons
    assert readings["drp1_phone"].value == "2205550108"
    assert readings["drp1_email"].reasons  # neither reading is the registered address


def test_dates_vouch_for_each_other():
    from cisr_desk.capture.crosscheck import cross_check
    from cisr_desk.capture.read import Reading

    readings = {
        "term_start": Reading("2026-06-07", "", 0.97),
        "customer_sign_date": Reading("2026-06-01", "", 0.5, ["disagree"], alternatives=["2026-06-01", "2026-06-07"]),
        "term_end": Reading("2029-06-06", "", 0.5, ["disagree"], alternatives=["2029-08-06", "2029-06-05"]),
    }
    cross_check(readings)
    assert readings["customer_sign_date"].value == "2026-06-07"
    assert readings["term_end"].value == "2029-06-05"  # three years, ending two days before
