"""People's and businesses' names and the words of titles and streets, as a keying operator
knows them: a surname or first name a letter from a far commoner one of the US Census lists
(the ``names`` package), a print name run into one word split before its surname, and a word
a letter from a common English word (``wordfreq``'s counts). What is put in is offered: the
field stays with the clerk, with the reason."""
from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz.distance import Levenshtein

from cisr_desk.capture.read import Reading
from cisr_desk.capture.vocabulary import (ADDRESS_KEYS, BUSINESS_WORDS, NAME_KEYS, PERSON_KEYS, RARE_SURNAME,
                                          SIGNER_KEYS, STREET_SUFFIXES, UNIT_WORDS, known_word, usual_surname)
from cisr_desk.domain import reference

COMMON_SURNAME = 2000  # a neighbour this common is what was meant more likely than not
DOMINANT = 10  # and at least this many times commoner than the next neighbour, to be put in


def glued_names(readings: dict[str, Reading]) -> list[str]:
    """A person's name read as one word ("KENJIJOHNSON", "YOLANDALEE"): in hand-printing the gap
    between first name and surname is often no wider than between letters, and both readers
    run them together. Split where the rest is a common surname, a split after a known first
    name first; the field goes to the clerk with the reason. A word that is a name in itself,
    or that splits two ways after no known first name, is left as read. The customer's name
    only after a known first name ("ELIZABETHORTIZ"): the customer may be a business."""
    changed = []
    for key in SIGNER_KEYS + ("customer_name",):
        r = readings.get(key)
        if r is None or not isinstance(r.value, str):
            continue
        word = r.value.strip()
        if not (len(word) >= 6 and word.isalpha() and word.isupper()):
            continue
        if reference.surname_rank(word) is not None or reference.is_first_name(word):
            continue
        splits = sorted((not reference.is_first_name(word[:i]), rank, i)
                        for i in range(2, len(word) - 1)
                        if (rank := reference.surname_rank(word[i:])) is not None and rank <= COMMON_SURNAME)
        if not splits or (splits[0][0] and len(splits) > 1):
            continue
        if key == "customer_name" and splits[0][0]:
            continue  # the customer may be a business ("SUNPOWER"): only after a known first name
        at = splits[0][2]
        r.value = f"{word[:at]} {word[at:]}"
        r.evidence["repaired"] = True
        r.doubt(f"read as one word {word!r}: split before the surname {word[at:]!r}")
        changed.append(key)
    return changed


def _people(readings: dict[str, Reading]) -> Iterator[tuple[str, Reading, list[str]]]:
    """The person-name readings (key, reading, words) worth a look-up: two to four words, no
    business word, and the customer's name only where it is the signer's (its first word is
    the print name's): the customer may be a business ("MITCHELL AUTO BODY")."""
    signer = readings.get("customer_print_name")
    signer_first = str(signer.value).split()[0].upper() if signer and isinstance(signer.value, str) \
        and signer.value.split() else ""
    for key in PERSON_KEYS:
        r = readings.get(key)
        if r is None or not isinstance(r.value, str):
            continue
        words = re.findall(r"[A-Za-z]+(?:['-][A-Za-z]+)*", r.value)
        if not 2 <= len(words) <= 4 or any(w.upper() in BUSINESS_WORDS for w in words):
            continue
        if key == "customer_name" and words[0].upper() != signer_first:
            continue
        yield key, r, words


def _respell(r: Reading, at: int, word: str, spelled: str, reason: str) -> None:
    """Put ``spelled`` in place of the ``word`` read at ``at`` (none: only doubt it), and send
    the field to the clerk with the reason."""
    if spelled:
        r.value = r.value[:at] + spelled + r.value[at + len(word):]
        r.evidence["repaired"] = True
    r.doubt(reason)


def _cased(name: str, like: str) -> str:
    return name if like.isupper() else name.capitalize()


def common_surnames(readings: dict[str, Reading]) -> list[str]:
    """A person's surname read as an unusual one a letter away from a common surname ("OMAR
    LEWS", "NADIA WLSON", "JOHSON"): both readers can drop the same thin letter, and do so
    with full confidence. The common surname is put in when one stands out, and the field goes
    to the clerk either way, with the reason: a rare surname may be just what was written."""
    changed = []
    for key, r, words in list(_people(readings)):
        last = words[-1]
        if len(last) < 3 or not last.isalpha() or not (last.isupper() or last.istitle()):
            continue  # "YAMA MoTO": a name broken in pieces is no surname to look up
        if usual_surname(last):
            continue
        near = reference.surnames_near(last, COMMON_SURNAME)
        if not near:
            continue
        at = r.value.rindex(last)
        if len(near) == 1 or near[1][1] >= DOMINANT * near[0][1]:
            spelled = _cased(near[0][0], last)
            _respell(r, at, last, spelled, f"read as {last!r}: an unusual surname, one letter from the common "
                                           f"{spelled!r}")
        else:
            _respell(r, at, last, "", f"{last!r} is an unusual surname, one letter from "
                                      + " or ".join(n for n, _ in near[:3]))
        changed.append(key)
    return changed


TWIN_SURNAME_EDITS = 2  # letters each of the two writings of a surname may be misread in


def twin_surnames(readings: dict[str, Reading]) -> list[str]:
    """The same person's surname written twice on the form (the customer's name and the name
    printed under the signature; the provider's contact and its signer), read in doubt as two
    different surnames no Census list holds commonly, each a letter or two from the same common
    surname and together nearer it than any other ("GRACE HANTINEZ" and "GRACE JARTIEZ":
    MARTINEZ). A keying operator reads the two writings together; both go to the clerk."""
    people = {key: (r, words) for key, r, words in _people(readings)}
    changed = []
    for a_key, b_key in (("customer_name", "customer_print_name"), ("drp1_contact", "drp_print_name")):
        if a_key not in people or b_key not in people:
            continue
        (a, wa), (b, wb) = people[a_key], people[b_key]
        if not (a.reasons or b.reasons) or wa[0].upper() != wb[0].upper():
            continue  # a twin read without doubt is near_twins' to follow; another first name, another person
        la, lb = wa[-1], wb[-1]
        if la.upper() == lb.upper() or any(not w.isalpha() or len(w) < 4 or not (w.isupper() or w.istitle())
                                           for w in (la, lb)):
            continue
        if any(usual_surname(w) for w in (la, lb)):
            continue  # one of them is a usual surname: it may be just what was written
        near_a = reference.surnames_within(la, RARE_SURNAME, TWIN_SURNAME_EDITS)
        near_b = reference.surnames_within(lb, RARE_SURNAME, TWIN_SURNAME_EDITS)
        both = sorted((near_a[s] + near_b[s], s) for s in near_a.keys() & near_b.keys())
        if not both or (len(both) > 1 and both[1][0] == both[0][0]):
            continue
        surname = both[0][1]
        for key, r, last in ((a_key, a, la), (b_key, b, lb)):
            spelled = _cased(surname, last)
            _respell(r, r.value.rindex(last), last, spelled,
                     f"read as {last!r}: the surname written twice on the form reads as {spelled!r} in both")
            changed.append(key)
    return changed


WORD_NOT_NAME_ZIPF = 4.5  # a first name no Census list holds that is this common a word (MET, WET)
COMMON_FIRST_NAME = 0.01  # per cent of people in the Census list: a neighbour this common may be meant


def common_first_names(readings: dict[str, Reading]) -> list[str]:
    """A person's first name that no Census list holds but that is a letter from one common first
    name far commoner than any other ("DAVD", "RACHARD", "BANDRA", "IOHN", "SONATHAN"). Read in
    doubt, that name is put in and the field stays with the clerk with the reason. Read without
    doubt, it is left as read, since the 1990 lists lack names given since ("KENJI", "ZOEY",
    "JAXON"), but the clerk looks at it: both readers can misread a letter with full conviction."""
    changed = []
    for key, r, words in list(_people(readings)):
        first = words[0]
        if len(first) < 3 or not first.isalpha() \
                or not (first.isupper() or first.istitle()) or reference.is_first_name(first):
            continue
        near = reference.first_names_near(first, COMMON_FIRST_NAME)
        if not (r.reasons or r.must_check) and reference.english_zipf(first) >= WORD_NOT_NAME_ZIPF:
            # "MET YOUNG", "WET DUNCAN": a common word where a first name stands is more often
            # a name's letter misread (MEI, WEI) than a name, however sure both readers were.
            r.doubt(f"{first!r} is a common word, no usual first name: check it")
            changed.append(key)
            continue
        if near and (len(near) == 1 or near[0][1] >= DOMINANT * near[1][1]):
            spelled = _cased(near[0][0], first)
            doubted = bool(r.reasons or r.must_check)
            _respell(r, r.value.index(first), first, spelled if doubted else "",
                     f"read as {first!r}: no usual first name, one letter from {spelled!r}")
            changed.append(key)
    return changed


# -- English words ---------------------------------------------------------------------------------

WORD_KEYS = ("customer_name", "customer_title", "mailing_street") + tuple(f"sa{i}_address" for i in range(1, 6))
COMMON_WORD = 2.5  # Zipf frequency: a word met at least once in three million
WORD_MARGIN = 0.5  # and at least three times as often as the next word a letter away


def _street_words(key: str, tokens: list[str]) -> int:
    """How many of the tokens to look at: all of a name, title or mailing street; a service
    address's up to its street suffix (its town is USPS's to settle, by its ZIP)."""
    if key not in ADDRESS_KEYS or key == "mailing_street":
        return len(tokens)
    for i, token in enumerate(tokens):
        if token.endswith(","):
            return i + 1
        if i and token.upper().strip(".,") in STREET_SUFFIXES:
            return i + 1
    return 0  # no end of the street seen: nothing to tell street from town


def is_business(name: str) -> bool:
    """A name that reads as a business's: a business word in it, or three words or more."""
    words = [w.upper() for w in re.findall(r"[A-Za-z][A-Za-z.&'-]*", name)]
    return any(w.replace(".", "") in BUSINESS_WORDS for w in words) or sum(len(w.strip(".")) > 1 for w in words) >= 3


def _doubted(readings: dict[str, Reading], keys: tuple[str, ...], *, business: bool, sure_too: bool = False
             ) -> Iterator[tuple[str, Reading]]:
    """The readings of ``keys`` in doubt (or all of them, ``sure_too``) that are no person's name
    (those are the name lists' business: "PATRICU DAVS" is no PATRICK DAYS): of the customer's
    name, or of every key where ``business``, only a business's name."""
    persons = {key for key, _, _ in _people(readings)}
    for key in keys:
        r = readings.get(key)
        if r is None or not isinstance(r.value, str) or not (sure_too or r.reasons or r.must_check) \
                or key in persons:
            continue
        if (business or key == "customer_name") and not is_business(r.value):
            continue
        yield key, r


def common_words(readings: dict[str, Reading]) -> list[str]:
    """Words that are no English word, name or place, but a letter from one common English
    word that stands out: a business's name, a title, a street ("MARXET", "MANACER",
    "CONTROLUER", "VINEYAKD"). A keying operator types the word; the field stays with the
    clerk, with the reason, even where both readers were sure of the misread ("SYCMMORE": no
    such word, however sure). A person's name is left to the name lists, a town to USPS."""
    changed = []
    for key, r in _doubted(readings, WORD_KEYS, business=False, sure_too=True):
        tokens = r.value.split(" ")
        fixed = []
        first = 1 if key in ADDRESS_KEYS else 0  # an address starts with its house number, however misread
        for i in range(first, _street_words(key, tokens)):
            word = tokens[i].strip(".,")
            if len(word) < 4 or not word.isalpha() or not (word.isupper() or word.istitle()) \
                    or reference.is_english_word(word) or known_word(word, places=True) \
                    or reference.surname_rank(word) is not None:
                continue
            # A letter lost or misread, not one read in excess: "EDAR" is no EAR.
            near = [(w, z) for w, z in reference.english_words_near(word, COMMON_WORD) if len(w) >= len(word)]
            if near and (len(near) == 1 or near[0][1] - near[1][1] >= WORD_MARGIN):
                spelled = _cased(near[0][0], word)
                tokens[i] = tokens[i].replace(word, spelled)
                fixed.append(f"{word!r} for {spelled!r}")
        if fixed:
            sure = not (r.reasons or r.must_check)
            r.repair(" ".join(tokens))
            r.doubt("read " + ", ".join(fixed) + ": a letter from a common word", at_most=r.confidence, must_check=sure)
            changed.append(key)
    return changed


# -- a business's legal form -----------------------------------------------------------------------

LEGAL_FORMS = ("LLC", "INC", "LLP", "LP", "LTD", "CORP", "CO")
# Two hand-printed letters written close run into one: LL read as U, IN as W.
RUN_TOGETHER = (("LL", "U"), ("IN", "W"))
BUSINESS_KEYS = ("customer_name", "drp1_name", "drp2_name")
NAME_WORD = 3.0  # Zipf: a last word this common is the name's own (INN, INK), not a misread LLC


DOTTED_FORMS = ("LP", "LLP", "LLC")  # written with their initials' dots too ("L.P.")


def _dotted(initials: str) -> str:
    return "".join(f"{c}." for c in re.sub(r"[.\s]", "", initials).upper())


def _legal_forms_near(word: str) -> list[str]:
    """The legal forms a letter from ``word``, or two letters run into one."""
    return [form for form in LEGAL_FORMS
            if Levenshtein.distance(word, form) == 1
            or any(pair in form and form.replace(pair, one, 1) == word for pair, one in RUN_TOGETHER)]


def legal_forms(readings: dict[str, Reading]) -> list[str]:
    """A business's name read in doubt that ends in no legal form but a letter from exactly one
    ("TRAN CAR WASH UC", "ROBERTS PRINTING WC", "LIC"): a keying operator types the LLC or INC.
    A last word of three letters or more that is an English word ("MISSION INN", "TATTOO INK")
    is a name's own word and stays. The field stays with the clerk, with the reason."""
    changed = []
    for key, r in _doubted(readings, BUSINESS_KEYS, business=True):
        spaced = re.search(r"(?<=\s)((?:[A-Za-z][.\s]+){1,2}[A-Za-z])\.*\s*$", r.value)
        if spaced and re.sub(r"[.\s]", "", spaced.group(1)).upper() in DOTTED_FORMS \
                and spaced.group(0).rstrip() != _dotted(spaced.group(1)):
            # "L. P.", "L p": the initials of a legal form a reader broke apart, joined as written.
            r.repair(r.value[: spaced.start()] + _dotted(spaced.group(1)))
            r.reasons = list(r.reasons) + [f"read {spaced.group(0).strip()!r} for {_dotted(spaced.group(1))!r}: "
                                           "the initials of a legal form"]
            changed.append(key)
            continue
        m = re.search(r"(?<=\s)([A-Za-z]{2,4})(\.?)\s*$", r.value)
        if m is None:
            continue
        word = m.group(1).upper()
        if word in BUSINESS_WORDS or (len(word) > 2 and reference.english_zipf(word) >= NAME_WORD) \
                or known_word(word, places=False):
            continue  # a word of the name, or a person's name ("JOSE LUIS LI" is no LP)
        near = _legal_forms_near(word)
        if len(near) != 1:
            continue
        spelled = near[0] if m.group(1).isupper() else near[0].capitalize()
        r.repair(r.value[: m.start(1)] + spelled + r.value[m.end(1):])
        r.reasons = list(r.reasons) + [f"read {m.group(1)!r} for {spelled!r}: a business's name ends in its legal form"]
        changed.append(key)
    return changed


# -- the two readers, word by word ------------------------------------------------------------------

MERGE_KEYS = NAME_KEYS + ADDRESS_KEYS + ("mailing_city",)


def _is_word(token: str, places: bool) -> bool | None:
    """Whether a token read is a word or number as written (True), something no one writes
    (False: "MACNOLA", "C77"), or too short to tell (None)."""
    core = token.strip(".,#'")
    if len(core) < 2:
        return None
    if re.sub(r"[.,]", "", core).isdigit():
        return True  # a number, a speck in it or not ("2.5869")
    if not core.isalpha():
        # Letters and digits mixed ("C77") are no one's; an abbreviation ("P.O.") is left.
        return False if any(ch.isdigit() for ch in core) else None
    upper = core.upper()
    return reference.is_english_word(upper) or known_word(upper, places) or upper in STREET_SUFFIXES \
        or upper in UNIT_WORDS


WORD_APART = 0.4  # the two readings of a word differ in fewer than this share of its letters


def _better_word(mine: str, other: str, places: bool) -> bool:
    """The other reader's reading of a word is a word where mine is none, written alike (the
    same case) and a misreading apart, not another word in its place ("TROR" / "Fries")."""
    if mine == other or _is_word(mine, places) is not False or not _is_word(other, places):
        return False
    if mine.isupper() != other.isupper():
        return False
    a, b = mine.upper(), other.upper()
    if a.startswith(b) or a.endswith(b):
        return False  # mine is the other's word with another run into it ("AvenueJ" / "Avenue")
    return Levenshtein.distance(a, b) < WORD_APART * max(len(a), len(b))


def words_from_either_reader(readings: dict[str, Reading]) -> list[str]:
    """Where the two readers disagree on a name or an address word by word ("677 MACNOLA AVE" /
    "C77 MAGNOLIA AVE"), each word is taken from the reader whose reading of it is a word or
    a number when the other's is neither: what a keying operator makes of two drafts. The
    field stays with the clerk."""
    changed = []
    for key in MERGE_KEYS:
        r = readings.get(key)
        if r is None or not isinstance(r.value, str) or not r.reasons or len(r.alternatives) != 2:
            continue
        mine = r.value.split()
        other = next((a.split() for a in r.alternatives if a and a != r.value), None)
        if other is None or len(other) != len(mine):
            continue
        places = key in ADDRESS_KEYS or key == "mailing_city"
        merged = [b if _better_word(a, b, places) else a for a, b in zip(mine, other)]
        if merged != mine:
            taken = [f"{b!r} for {a!r}" for a, b in zip(mine, merged) if a != b]
            r.repair(" ".join(merged))
            r.reasons = list(r.reasons) + ["the other reader's " + ", ".join(taken)]
            changed.append(key)
    return changed
