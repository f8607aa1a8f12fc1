"""Context, as a keying operator uses it: what the readers' text must be, given where it stands.

A keying operator who reads "P0M0NA" types POMONA: a city is letters. "2093I" as a house
number is 20931, "B0X" is BOX, "SEPULMEDA BLMD" ends in BLVD, a city that is not one of its
ZIP code's cities is looked up in the ZIP's list, and "gmial.com" is gmail.com. This module
does the same after the readers return and before the form's fields vouch for each other
(crosscheck.py) and its rules are checked:

* look-alike characters resolved by the token's class: digits in house numbers, ZIP codes
  and unit numbers, letters in words (O/0, I/1, S/5, B/8, Z/2, G/6);
* a street suffix one letter away from exactly one USPS suffix takes that suffix;
* an e-mail domain close to exactly one common domain takes it;
* the mailing city, state and ZIP chosen among the readers' alternatives by the USPS table,
  and a city snapped to its ZIP's city names only with a clear margin;
* people's names and the words of business names, titles and streets against the Census
  name lists and English word counts (names.py).
* a ZIP that is none of its town's, read as the one of the town's ZIPs that the ink of the line
  bears out clearly best (``zip_by_ink``), and a house number that the mailing street and a
  service address disagree on, or the street itself, as the one the ink of both lines fits
  best (``house_number_by_ink``, ``street_by_ink``): the pipeline runs these last, after the
  hand's own slips are read again (capture/writer.py).

Every repair is recorded as a reason-free, slightly lower confidence (a repair is a guess),
unless the repaired value is what an independent field says (a ZIP's city), and every value
keeps going through the rules afterwards: a repair never silences a contradiction.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.fuzz import ratio
from rapidfuzz.distance import Levenshtein

from cisr_desk.capture.crosscheck import term_ends
from cisr_desk.capture.names import (common_first_names, common_surnames, common_words, glued_names, is_business,
                                     legal_forms, twin_surnames, words_from_either_reader)
from cisr_desk.capture.read import Reading
from cisr_desk.capture.vocabulary import (ADDRESS_KEYS, EMAIL_KEYS, NAME_KEYS, ORDINAL, PARTICLES, PERSON_KEYS,
                                          SIGNER_KEYS, STREET_SUFFIXES, UNIT_WORDS, known_word)
from cisr_desk.domain import reference

SUPPORTED = 0.9  # a doubtful reading that an independent field and the USPS table both confirm
CITY_MIN, CITY_MARGIN = 80.0, 10.0  # rapidfuzz ratio for snapping a city, and over the runner-up
SOLE_TOWN_MIN = 70.0  # ... to the one town of the ZIP beside it, where the words are no town's name
DOMAIN_MIN, DOMAIN_MARGIN = 80.0, 8.0
MAIL_TLDS = ("com", "net", "org", "edu", "gov", "us", "biz", "info", "example")  # "example": the registry's
TLDS_LONGEST_FIRST = tuple(sorted(MAIL_TLDS, key=len, reverse=True))

TO_LETTER = str.maketrans("015826", "OISBZG")
TO_DIGIT = str.maketrans("OoQDIl|iSsBZzGgq", "0000111155822699")
DIGIT_LIKE = set("OoQDIl|iSsBZzGgq")
ROUND_AND_STRAIGHT = str.maketrans("OoQDIl|i", "00001111")  # the look-alikes that are only ever one digit
# Letters that are never a unit suffix after a house number ("12B" may be a unit; "12O" is not).
TRAILING_DIGIT_LIKE = set("OoQDIl|iSsZzgq")
# The street suffixes a misread is snapped to: not the short English words (PIKE, RUN, WALK ...)
# that a street's own name may be.
SNAP_SUFFIXES = frozenset("AVE BLVD HWY PKWY CIR TER TRL STREET AVENUE BOULEVARD DRIVE ROAD LANE COURT "
                          "PLACE HIGHWAY PARKWAY CIRCLE TERRACE".split())


# -- look-alike characters by token class ------------------------------------------------------

def _as_digits(token: str) -> str | None:
    """The token as a number, if every letter in it is a digit look-alike."""
    if not token or not all(ch.isdigit() or ch in DIGIT_LIKE for ch in token):
        return None
    return token.translate(TO_DIGIT)


def _as_letters(token: str, upper: bool) -> str | None:
    if not all(ch.isalpha() or ch in "015826" for ch in token):
        return None
    out = token.translate(TO_LETTER)
    if upper:
        return out
    return "".join(o.lower() if t.isdigit() else o for t, o in zip(token, out))


def fix_word(token: str) -> str:
    """A token that stands where a word stands: mostly letters, so its digits are letters."""
    letters = sum(ch.isalpha() for ch in token)
    digits = sum(ch.isdigit() for ch in token)
    if not digits or not letters or letters <= digits or ORDINAL.match(token):
        return token
    upper = sum(ch.isupper() for ch in token) >= letters / 2
    fixed = _as_letters(token, upper)
    return fixed if fixed is not None else token


def fix_number(token: str) -> str:
    """A token that stands where a number stands (house number, ZIP, unit): its letters that
    look like digits are digits; a last letter that can be a unit suffix ("12B") stays."""
    if ORDINAL.match(token) or not any(ch.isdigit() for ch in token):
        return token
    body, last = token, ""
    if token[-1].isalpha() and token[-1] not in TRAILING_DIGIT_LIKE:
        body, last = token[:-1], token[-1]
    fixed = _as_digits(body)
    return fixed + last if fixed is not None else token


def fix_words_in(text: str) -> str:
    """Names, cities, titles: every token is a word."""
    return re.sub(r"[A-Za-z0-9]+", lambda m: fix_word(m.group(0)), text)


# Marks no name or address begins with, and the quotes none ends in: specks a reader took for them.
LEADING_SPECK = re.compile(r"^[\s'`\",.;:]+")
TRAILING_QUOTE = re.compile(r"['`\"]+\s*$")
# Words a name ends in with a full stop: the rest end without one.
ABBREVIATED = frozenset("JR SR II III IV INC CO CORP LTD LLC LP LLP PC PLLC PA MD DDS ESQ BROS ASSN DR ST".split())


def fix_name(text: str) -> str:
    """A name: its tokens are words, and a mark standing alone at its end ("AMANDA WILSON .",
    a speck) is dropped, and so is a full stop after a last word of three letters or more that
    no one abbreviates ("KEVIN BROWN.", a speck beside the N); "JR." and "INC." keep theirs."""
    text = re.sub(r"\s+[.,;:'`]+\s*$", "", fix_words_in(text))
    # A speck before the first word or a quote mark after the last ("'LUIS TRAN", "BROWN'"): no
    # name begins with a mark, nor ends in a quote.
    text = TRAILING_QUOTE.sub("", LEADING_SPECK.sub("", text))
    m = re.search(r"([A-Za-z]{3,})\.\s*$", text)
    if m and m.group(1).upper() not in ABBREVIATED and not re.search(r"\.[A-Za-z]+\.\s*$", text):
        return text[: m.end(1)]
    return text


def fix_person(text: str) -> str:
    """A person's name: a name, with no full stop after a first name or a surname ("GRACE. JOHNSON");
    an initial keeps its own ("BARBARA K. TAYLOR"); no space beside the hyphen of a double
    surname ("MURRAY - ANDERSON": a hand-printed hyphen stands apart from its letters)."""
    text = re.sub(r"(?<=[A-Za-z])\s*-\s*(?=[A-Za-z])", "-", fix_name(text))
    return _speck_between_words(text)


def fix_city(text: str) -> str:
    """A city: its tokens are words, and a mark at either end that no town name has ("OXNARD)",
    a speck read as a bracket, "Palmdale.", "'HUNTINGTON BEACH") is dropped, and so is a full stop
    after a word of three letters or more ("RANCHO. CUCAMONGA": a space read as a dot; ST. and
    MT. keep theirs)."""
    text = fix_words_in(text).strip(" ,;:()[]{}|!_/\\.'`\"")
    return _speck_between_words(text)


def _speck_between_words(text: str) -> str:
    """A full stop after a word of three letters or more, before the next word, that no one
    abbreviates ("GRACE. JOHNSON"): a space that a reader took for a dot."""
    return re.sub(r"\b([A-Za-z]{3,})\.(?=\s+[A-Za-z])",
                  lambda m: m.group(1) if m.group(1).upper() not in ABBREVIATED else m.group(0), text)


_PO_BOX = re.compile(r"^\s*P\W{0,2}[OU0DCQ]\W{0,2}\s*[BD8][O0]X(?![A-Za-z])", re.I)  # an O left open: C; a B: D, 8


def fix_address(text: str) -> str:
    """A street address ("12 OAK ST, POMONA 91766"): the first token and a token after a
    unit word are numbers (a house number glued to the street's name is split off), a trailing
    5-character token is a ZIP code, the rest are words; a suffix one letter away from exactly
    one USPS suffix takes it."""
    text = TRAILING_QUOTE.sub("", _join_split_zip(text))  # a quote mark after the last word: a speck
    # A speck the readers took for a mark before the house number, or standing alone at the end
    # ("'12587 HARBOR BLVD", "RIVERSIDE 92503 .", "REDLANDS ."): no address begins or ends so.
    text = re.sub(r"\s+[.,;:'`-]+\s*$", "", LEADING_SPECK.sub("", text))
    # ... or a full stop after the last word where no one abbreviates: after a number ("APT 101.")
    # or a town ("MISSION VIEJO."); a street's suffix keeps its own ("MAIN ST.").
    last = re.search(r"(\b[A-Za-z]{3,}|\d)\.$", text)
    if last and last.group(1).upper() not in STREET_SUFFIXES | ABBREVIATED:
        text = text[:-1]
    # A house number glued to the street's name: a space the reader lost ("2086ALESSANDRO";
    # a unit letter, "12B", is one letter).
    text = re.sub(r"^(\s*\d{1,6})([A-Za-z]{3,})\b", r"\1 \2", text)
    # ... or to the direction before the name ("2709N MISSION BLVD"; a unit letter is not N, S, E or W).
    text = re.sub(r"^(\s*\d{1,6})([NSEW])(?=\s+[A-Za-z]{3,})", r"\1 \2", text)
    text = _split_glued_zip(_split_glued_suffix(text))
    text = re.sub(r"(?<=[A-Za-z])#(?=\d)", " #", text)  # a unit's sign run into the suffix ("OLIVE ST#73")
    if _PO_BOX.match(text):
        text = _PO_BOX.sub("P.O. BOX" if text[:1].isupper() else "P.O. Box", text, count=1)
        text = re.sub(r"^(P\.O\. Box|P\.O\. BOX)(?=[0-9OoIl])", r"\1 ", text)  # "P.O. BOX4817"
    tokens = re.split(r"(\s+|,)", text)
    words = [i for i, t in enumerate(tokens) if t.strip() and t != ","]
    if not words:
        return text
    numeric = {words[0]}
    for a, b in zip(words, words[1:]):
        if tokens[a].upper().rstrip(".") in UNIT_WORDS or tokens[a] == "#" or tokens[a].upper() == "BOX":
            numeric.add(b)
    # A unit written with its sign ("#I27"): what follows the sign is a number too.
    numeric |= {i for i in words[1:] if tokens[i].startswith("#") and len(tokens[i]) > 1}
    last = words[-1]
    core = tokens[last].rstrip(".,;:")
    if len(core) == 5 and sum(ch.isdigit() for ch in core) >= 3:
        numeric.add(last)
        tokens[last] = core  # no address ends in a full stop after its ZIP ("MISSION VIEJO 92692.")
    for i in words:
        token = tokens[i]
        core = re.sub(r"^[#]|[.]$", "", token)
        if i in numeric:
            fixed = fix_number(core)
        else:
            fixed = fix_word(core)
        tokens[i] = token.replace(core, fixed) if core else token
    street_end = _street_end(tokens, words)
    if street_end is not None:
        tokens[street_end] = _fix_suffix(tokens[street_end])
    return "".join(tokens)


# Street suffixes that no English word or street name ends in (BLVD, HWY), or rarely does
# after so many letters; (suffix, letters the name before it must have). Not ST, LN, CT, WAY:
# WEST, LINCOLN, DISTRICT and BROADWAY end in them.
GLUED_SUFFIXES = (("BLVD", 3), ("HWY", 3), ("PKWY", 3), ("AVE", 3), ("DR", 3), ("RD", 4))
WORD_END_SUFFIXES = ("ST", "LN", "CT")
# A street's name is mostly a common English word (ELM, BASELINE, EUCLID; wordfreq's Zipf scale)
# when it is no name or town: one beside a direction or a suffix run into it is split off only
# where the run-together word is no word at all (EMISSION, FOREST and WEST stay whole).
STREET_WORD_ZIPF = 2.5


def _street_word_in_no_word(name: str, whole: str) -> bool:
    """``name`` can be a street's name and ``whole``, the name run together with a direction or
    a suffix, is no word of any kind."""
    return reference.english_zipf(name) >= STREET_WORD_ZIPF and reference.english_zipf(whole) == 0.0 \
        and not known_word(whole, True)


def _split_glued_suffix(text: str) -> str:
    """A street suffix run into the street's name, where the line has none standing alone
    ("BEAR VALLEYRD", "559 FOOTHILLBLVD COVINA"), or into the unit word after it ("BLVDUNIT 76"):
    the space the reader lost is put back. A name before RD that ends in a vowel stays whole
    (HOWARD, ORCHARD, OXFORD)."""
    # A suffix run into the unit word after it ("MISSION BLVDUNIT 76", "HOLT AVEUNIT 129").
    text = re.sub(r"\b(AVE|BLVD|HWY|PKWY|ST|DR|RD|LN|CT|WAY|PL|CIR)(UNIT|APT|STE|SUITE)(?=\s*#?\d)",
                  r"\1 \2", text, flags=re.IGNORECASE)
    words = re.findall(r"[A-Za-z]+", text)
    if any(w.upper() in STREET_SUFFIXES for w in words):
        return text

    for m in re.finditer(r"[A-Za-z]{5,}", text):
        word = m.group(0)
        upper = word.upper()
        for suffix, before in GLUED_SUFFIXES:
            name = upper[: -len(suffix)]
            if upper.endswith(suffix) and len(name) >= before and upper not in STREET_SUFFIXES \
                    and not (suffix == "RD" and name[-1] in "AEIOU"):
                cut = m.start() + len(name)
                return f"{text[:cut]} {text[cut:]}"  # one street, one suffix
        for suffix in WORD_END_SUFFIXES:
            # ST, LN, CT end many words (WEST, LINCOLN): split off only after a street name that
            # is a known word, from a run-together word that is none ("ORANGEST", "OLIVEST").
            name = upper[: -len(suffix)]
            if upper.endswith(suffix) and len(name) >= 3 and (
                    (known_word(name, True) and not known_word(upper, True))
                    or _street_word_in_no_word(name, upper)):  # "ELMST"
                cut = m.start() + len(name)
                return f"{text[:cut]} {text[cut:]}"
    return text


def _split_glued_zip(text: str) -> str:
    """A ZIP run into the city before it ("SANTA ANA92704"): a space the reader lost."""
    m = re.search(r"(?<=[A-Za-z])(\d{5})\s*$", text)
    if m and reference.zip_exists(m.group(1)):
        return f"{text[: m.start(1)]} {m.group(1)}"
    return text


def _join_split_zip(text: str) -> str:
    """ "SANTA ANA 9270 3" ends in ZIP 92703 split by a wide gap between written digits."""
    m = re.search(r"(?<=[A-Za-z,] )([0-9OoIlSZ]{1,4}(?: [0-9OoIlSZ]{1,4})+)\s*$", text)
    if not m:
        return text
    joined = m.group(1).replace(" ", "")
    as_digits = _as_digits(joined)
    if len(joined) == 5 and as_digits and reference.zip_exists(as_digits):
        return text[: m.start(1)] + joined
    return text


def _street_end(tokens: list[str], words: list[int]) -> int | None:
    """Index of the token that ends the street part: before the first comma, or before a unit
    word, or the last word of a street-only line."""
    stop = len(tokens)
    if "," in tokens:
        stop = tokens.index(",")
    street = [i for i in words if i < stop]
    if len(street) < 3:  # number, name, suffix: anything shorter has no suffix to repair
        return None
    for j, i in enumerate(street):
        if tokens[i].upper().rstrip(".") in UNIT_WORDS and j > 0:
            return street[j - 1]
    return street[-1] if "," in tokens or len(street) == len(words) else None


# Letters a hand-printed D or T is read as: "PALM CANYON OR" is DR, "MAIN SI" is ST.
SHORT_SUFFIX_LOOKS = {"O": "D", "Q": "D", "I": "T"}


def _fix_suffix(token: str) -> str:
    word = token.upper().rstrip(".")
    if len(word) == 2 and word.isalpha() and word not in STREET_SUFFIXES:
        # A two-letter suffix is a letter from too many words to mend by distance; only a
        # look-alike letter that makes exactly one suffix of it.
        near = {word[:i] + SHORT_SUFFIX_LOOKS[ch] + word[i + 1:] for i, ch in enumerate(word)
                if ch in SHORT_SUFFIX_LOOKS} & STREET_SUFFIXES
        if len(near) == 1:
            fixed = near.pop()
            return (fixed if token.isupper() else fixed.capitalize()) + token[len(word):]  # its dot kept
        return token
    if len(word) < 3 or word in STREET_SUFFIXES or not word.isalpha():
        return token
    near = [s for s in SNAP_SUFFIXES if Levenshtein.distance(word, s) == 1]
    if len(near) != 1 or len(near[0]) != len(word):  # a substitution, not a dropped letter
        return token
    return near[0] if token.isupper() or not token.isalpha() else near[0].capitalize()


# -- e-mail ------------------------------------------------------------------------------------

def fix_email(text: str, known_domains: tuple[str, ...] = reference.COMMON_MAIL_DOMAINS) -> str:
    """An e-mail address: trailing dots gone, a digit run's i/l/o are digits ("sarah4i" is
    sarah41), a domain close to exactly one known domain becomes it ("gmial.com", "gmail")."""
    text = text.strip().strip(".,")
    if text.count("@") != 1:
        return text
    local, domain = text.split("@")
    local = re.sub(r"(?<=\d)[il|o]+$", lambda m: m.group(0).translate(TO_DIGIT), local)
    domain = _fix_tld(domain)
    if domain in known_domains or not domain:
        return f"{local}@{domain}"
    bare = {d.split(".")[0]: d for d in known_domains}
    if domain in bare:  # ".com" lost
        return f"{local}@{bare[domain]}"
    scores = sorted(((ratio(domain, d), d) for d in known_domains), reverse=True)
    best, runner = scores[0], scores[1] if len(scores) > 1 else (0.0, "")
    if best[0] >= DOMAIN_MIN and best[0] - runner[0] >= DOMAIN_MARGIN:
        return f"{local}@{best[1]}"
    return f"{local}@{domain}"


def _fix_tld(domain: str) -> str:
    """A domain's last part one letter away from exactly one usual ending ("robinson.cqm"), or
    its last dot lost or read a letter or two early ("lopezscottorg", "rive.ranet"): letters
    that end in a usual ending are that ending after a dot."""
    name, dot, tld = domain.rpartition(".")
    if dot and name and tld in MAIL_TLDS:
        return domain
    joined = name + tld  # the last dot taken out
    for ending in TLDS_LONGEST_FIRST:
        head = joined[: -len(ending)]
        if joined.endswith(ending) and len(head) >= 2 and not head.endswith("."):
            return f"{head}.{ending}"
    if not dot or not name:
        return domain
    near = [t for t in MAIL_TLDS if len(t) == len(tld) and Levenshtein.distance(t, tld) == 1]
    return f"{name}.{near[0]}" if len(near) == 1 else domain


# -- the mailing place -------------------------------------------------------------------------

def snap_city(city: str, zip_code: str) -> tuple[str, float]:
    """The ZIP's USPS city closest to ``city`` when it is close and clearly closer than any
    other of the ZIP's names, with its score; otherwise ``city`` unchanged and 0. As in a
    service address (``snap_address_city``), a ZIP with one town vouches for a name further off
    where the words read are no town's name ("RACTO" beside 92376: RIALTO)."""
    names = {reference.city_key(c): c for c in reference.town_names_of_zip(zip_code)}
    if not names or not city.strip():
        return city, 0.0
    key = reference.city_key(fix_words_in(city))
    scores = sorted(((ratio(key, k), k) for k in names), reverse=True)
    best = scores[0]
    runner = scores[1][0] if len(scores) > 1 else 0.0
    if (best[0] < CITY_MIN or best[0] - runner < CITY_MARGIN) and not _sole_town(names, best[0], key):
        return city, 0.0
    name = names[best[1]]
    return (name.upper() if city.isupper() or not any(ch.islower() for ch in city) else name), best[0]


def _sole_town(names, score: float, words: str, state: str | None = None) -> bool:
    """A ZIP with one town, and words no town is called: the ZIP vouches for its town's name
    further off than a city needs beside a ZIP of several towns ("IRUNE 92602": IRVINE, a V
    read as U and its I lost)."""
    return len(names) == 1 and score >= SOLE_TOWN_MIN and not reference.known_city(words, state)


_PLACE_TAIL = re.compile(r"^(?P<head>.*?)(?P<tail>[ ,]+)(?P<zip>\d{5})\s*$")


def snap_address_city(address: str) -> str:
    """A service address ending in its city and ZIP ("12 OAK ST, OXWARD 93035"): the words
    before the ZIP that are nearly one of the ZIP's USPS city names become that name, as a
    keying operator reads a blurred town name off the ZIP beside it ("OXWARD" -> "OXNARD",
    "SIMIVALLEY" -> "SIMI VALLEY", "BAN BERNARDINO" -> "SAN BERNARDINO"). Anything else (no
    ZIP, an unknown one, nothing close, two names equally close) is left as it is."""
    m = _PLACE_TAIL.match(address)
    if not m:
        return address
    names = reference.town_names_of_zip(m.group("zip"))
    head, state = reference.split_state(m.group("head"))
    scores = [(*fit, name) for name in names for fit in _town_fits(head, name)]
    if not scores:
        return address
    scores.sort(reverse=True)
    best = scores[0]
    runner = max((sc[0] for sc in scores if sc[3] != best[3]), default=0.0)
    near = best[0] >= CITY_MIN and best[0] - runner >= CITY_MARGIN
    if not near and not _sole_town(names, best[0], head[best[2]:], "CA"):
        return address
    name = best[3].upper() if not any(ch.islower() for ch in head) else best[3]
    if head[best[2]:] == name:
        return address
    return head[: best[2]] + name + state + m.group("tail") + m.group("zip")


def _town_key(name: str) -> str:
    """A town's name as compared letter by letter: its city_key without spaces (SIMI VALLEY and
    SIMIVALLEY alike)."""
    return reference.city_key(name).replace(" ", "")


def _town_fits(head: str, name: str) -> Iterator[tuple[float, int, int]]:
    """How nearly the words that end ``head`` (an address up to its ZIP) are the town ``name``:
    (rapidfuzz ratio, less the words taken beyond or short of the name's, where they start),
    for as many words as the name has, one fewer and one more; the street keeps its first."""
    tokens = list(re.finditer(r"[^\s,]+", head))
    want = _town_key(name)
    n = len(name.split())
    for k in {max(1, n - 1), n, n + 1}:
        if k > len(tokens) - 1:
            continue
        start = tokens[-k].start()
        written = _town_key(fix_words_in(head[start:]))
        if written:
            yield ratio(written, want), -abs(k - n), start


def _candidates(r: Reading | None) -> list[str]:
    if r is None:
        return []
    out = [str(r.value)] + [str(a) for a in r.alternatives]
    return [c for c in dict.fromkeys(out) if c]


def _settle(r: Reading, value: str) -> None:
    """A doubtful reading that independent context confirms: taken, without its doubt."""
    r.value = value
    r.reasons = []
    r.confidence = max(r.confidence, SUPPORTED)
    r.evidence["support"] = True


def zip_slip(read: str, zips: set[str]) -> str | None:
    """The one ZIP of ``zips`` that ``read`` is a slip of the pen away from: one digit misread,
    or one digit misread the same way twice (a hand whose 7s read as 9s: 91990 for 91770).
    None when no ZIP is, or more than one (93511 is one digit from both 93514 and 93515)."""
    near = []
    for z in zips:
        slips = [(a, b) for a, b in zip(read, z) if a != b]
        if len(read) == len(z) and (len(slips) == 1 or (len(slips) == 2 and slips[0] == slips[1])):
            near.append(z)
    return near[0] if len(near) == 1 else None


def zip_off_the_city(readings: dict[str, Reading]) -> bool:
    """A doubtful mailing ZIP (or one USPS does not know) that is none of the city's ZIPs, beside
    a city read with confidence: the city's ZIP it is one slip of the pen away from, as a keying
    operator reads a blurred ZIP off the town ("COVINA 94722" is 91722). Still the clerk's to
    confirm: the ZIP was read otherwise, and a customer may write a neighbouring town's ZIP.
    Whether the ZIP was taken so."""
    zr, cr, sr = (readings.get(k) for k in ("mailing_zip", "mailing_city", "mailing_state"))
    if zr is None or cr is None or cr.reasons or not isinstance(zr.value, str) or not isinstance(cr.value, str):
        return False
    read = zr.value
    if not re.fullmatch(r"\d{5}", read) or not (zr.reasons or not reference.zip_exists(read)):
        return False
    state = str(sr.value) if sr is not None and sr.value and not sr.reasons else "CA"
    zips = reference.zips_of_city(cr.value, state)
    if not zips or any(reference.zip_matches_city(z, c) for z in _candidates(zr) for c in _candidates(cr)):
        return False
    slip = zip_slip(read, zips)
    if slip is None:
        return False
    zr.repair(slip)
    zr.evidence["zip_read"] = read  # how the hand's digits were misread (capture/writer.py)
    zr.alternatives = list(dict.fromkeys([slip, read] + [str(a) for a in zr.alternatives if a]))
    zr.doubt(f"ZIP read {read}, none of {cr.value}'s; its ZIP {slip} is one slip of the pen away", at_most=0.7)
    return True


def place_context(readings: dict[str, Reading]) -> None:
    """Mailing city, state and ZIP chosen together from the readers' alternatives, so that
    the three agree with the USPS table; a city that matches no ZIP name snapped to one.

    Two pieces of ink read apart that land on a consistent city and ZIP are taken (a misread
    ZIP rarely names the written city); where more than one consistent pair remains (91766 and
    91768 are both Pomona), nothing is settled and the clerk decides. A ZIP taken off the city
    (``zip_off_the_city``) is not settled: the city is its only evidence."""
    if zip_off_the_city(readings):
        return
    zr, cr, sr = (readings.get(k) for k in ("mailing_zip", "mailing_city", "mailing_state"))
    zips = [z for z in _candidates(zr) if reference.zip_exists(z)]
    if zr is None or not zips:
        return
    cities = _candidates(cr)
    combos = [(z, c) for z in zips for c in cities if reference.zip_matches_city(z, c)]
    if cr is not None and cities and not combos:
        # No reading of the city is one of its ZIP's names: snap it, when it is clearly one.
        good = {(z, name) for z in zips for c in cities for name, score in [snap_city(c, z)] if score}
        if len({reference.city_key(name) for _, name in good}) == 1 and len(good) == 1:
            z, name = next(iter(good))
            was = str(cr.value)
            cr.repair(name)
            cr.alternatives = []
            # The ink said something close to the ZIP's city; the clerk still sees it when the
            # ZIP itself is doubtful or the reading was far from the name.
            if zr.reasons or snap_city(was, z)[1] < 90:
                cr.reasons = list(cr.reasons) + [f"read {was!r}; ZIP {z} is {name}"]
                cr.confidence = min(cr.confidence, 0.75)
        _state_from_zip(zr, sr)
        return  # a snapped city is no independent evidence for the ZIP it was snapped to
    if len({z for z, _ in combos}) == 1 and len({reference.city_key(c) for _, c in combos}) == 1:
        z, c = combos[0]
        if zr.reasons:
            _settle(zr, z)
        if cr is not None and cr.reasons:
            _settle(cr, c)
    _state_from_zip(zr, sr)


def _state_from_zip(zr: Reading, sr: Reading | None) -> None:
    """A ZIP read with confidence (or settled) decides between the state's readings."""
    if sr is None or not sr.reasons or zr.reasons:
        return
    place = reference.zip_place(str(zr.value))
    if place and place.state in _candidates(sr):
        _settle(sr, place.state)


def stray_marks(readings: dict[str, Reading]) -> None:
    """A lone character in an otherwise empty service row is a speck or a stray mark, not an
    address: the row is empty (as a keying operator would leave it)."""
    for i in range(1, 6):
        address, number = readings.get(f"sa{i}_address"), readings.get(f"sa{i}_number")
        if address is None or not isinstance(address.value, str) or len(address.value.strip(" .,'-")) != 1:
            continue
        if number is not None and str(number.value).strip():
            continue
        address.value, address.reasons, address.alternatives = "", [], []
        address.confidence = min(address.confidence, 0.85)
        address.evidence["repaired"] = True


def oddity(key: str, value: str) -> str | None:
    """What no one writes in this field, and a reader often produces: a house number glued to
    the street name ("786Elm"), two words run together ("StApt"), a doubled full stop, or a
    lone letter where a name stands (a speck read as "e")."""
    if key in ADDRESS_KEYS:
        if re.match(r"^\d+[A-Za-z]{2,}", value) and not ORDINAL.match(value.split()[0]):
            return "house number and street name run together"
        if re.match(r"^\s*\d+\s+\d+\s+[A-Za-z]", value):
            return "a space inside the house number?"  # "154 37 HARBOR BLVD": a fax's gap
        for first, second in re.findall(r"\b([A-Z][a-z]+)([A-Z][a-z]+)\b", value):
            # "StApt", "AveSuite": a street word glued to the next ("McKinley" is one name)
            if {first.upper(), second.upper()} & (STREET_SUFFIXES | UNIT_WORDS | {"SUITE"}):
                return "two words may run together"
        if ".." in value:
            return "doubled full stop"
    if (key in NAME_KEYS or key in ADDRESS_KEYS or key == "mailing_city") and len(value.strip(" .,'-")) == 1:
        return "a single character: a speck or a stray mark?"
    return None


def join_split_words(key: str, text: str) -> str:
    """A word the readers broke in two at a wide gap between hand-printed letters ("PA TEL",
    "DWA YNE", "MO NROVIA", "BL VD"): the two pieces are joined where together they are a
    common surname, a first name, a business word or, in an address, a California town's word
    or a street suffix, and at most one of them is such a word by itself (ROSE MARY, JO ANN
    and LA VERNE stay apart, and so does a particle: DE LA, VAN, MC)."""
    if key == "customer_title":
        return title_words(text)
    places = key in ADDRESS_KEYS or key == "mailing_city"
    parts = re.split(r"([A-Za-z]+)", text)  # separators at even places, words at odd ones
    i = 1
    while i + 2 < len(parts):
        a, gap, b = parts[i], parts[i + 1], parts[i + 2]
        after = parts[i + 3] if i + 3 < len(parts) else ""
        # "JOHN A SMITH": a middle initial, not the end of a word ("ROBERT S" at the end is)
        initial = not places and len(b) == 1 and i + 4 < len(parts) and bool(parts[i + 4])
        shortest = 3 if places and (a + b).upper() in STREET_SUFFIXES else 4  # "H WY"
        if gap == " " and not initial and a.upper() not in PARTICLES and len(a) + len(b) >= shortest \
                and not parts[i - 1].endswith(("'", ".")) and not after.startswith(("'", "-")) \
                and known_word(a + b, places) and not (known_word(a, places) and known_word(b, places)):
            parts[i:i + 3] = [a + b]
            continue  # the joined word may take the next piece too
        i += 2
    return "".join(parts)


TITLE_WORD_ZIPF = 3.5  # a title's words are common English words (wordfreq's Zipf scale; PAYABLE 3.5)


def title_words(text: str) -> str:
    """A job title's words as a keying operator reads them: two pieces broken at a wide gap that
    together are a common English word and apart are not both words ("CON TROLLER", "PART NER";
    VICE PRESIDENT stays), and a run of letters that is no word but two common ones run together
    ("MANAGINGMEMBER")."""
    words = text.split(" ")
    i = 0
    while i + 1 < len(words):
        a, b = words[i], words[i + 1]
        if a.isalpha() and b.isalpha() and reference.english_zipf(a + b) >= TITLE_WORD_ZIPF \
                and min(reference.english_zipf(a), reference.english_zipf(b)) < 3.0:
            words[i:i + 2] = [a + b]
            continue
        i += 1
    out = []
    for word in words:
        if len(word) >= 7 and word.isalpha() and reference.english_zipf(word) == 0.0:
            cuts = [(min(reference.english_zipf(word[:k]), reference.english_zipf(word[k:])), k)
                    for k in range(3, len(word) - 2)]
            best = max(cuts)
            if best[0] >= TITLE_WORD_ZIPF and sum(c >= TITLE_WORD_ZIPF for c, _ in cuts) == 1:
                word = f"{word[:best[1]]} {word[best[1]:]}"
        out.append(word)
    return " ".join(out)


def split_glued_words(key: str, text: str) -> str:
    """Two words the readers ran together where a short one stands before or after a known
    one: a direction before the street's name ("8612 NGARVEY AVE"), a lettered avenue
    ("AVENUEJ"), a middle initial after a first name ("KIMBERLYP. HALL"), a business suffix
    ("STORAGEINC"). The run-together word must itself be no known word (SHERMAN, WESTON stay)."""
    places = key in ADDRESS_KEYS or key == "mailing_city"
    if places:
        def direction(m: re.Match) -> str:
            word = (m.group(3) + m.group(4)).upper()
            rest = m.group(4).upper()
            if not (known_word(rest, True) and not known_word(word, True)) \
                    and not _street_word_in_no_word(rest, word):
                return m.group(0)
            return f"{m.group(1)} {m.group(3)} {m.group(4)}"

        # Also where the house number ran into it ("4477EROSE AVE": fix_address splits the
        # number off later, when the word is no longer looked at).
        text = re.sub(r"^(\s*\d+)(\s*)([NSEW])([A-Za-z]{3,})\b", direction, text)
        text = re.sub(r"\b(AVENUE|Avenue)([A-Z])\b", r"\1 \2", text)
    elif key in PERSON_KEYS:
        def initial(m: re.Match) -> str:
            word = m.group(1) + m.group(2)
            if known_word(word, False) or not reference.is_first_name(m.group(1)):
                return m.group(0)
            return f"{m.group(1)} {m.group(2)}{m.group(3)}"

        text = re.sub(r"^([A-Za-z]{3,})([A-Z])([.,]?)(?=\s)", initial, text)
    if key in NAME_KEYS:
        text = re.sub(r"\b([A-Za-z]{4,})(INC|LLC|CORP|LTD)\b",
                      lambda m: m.group(0) if known_word(m.group(0), places) else f"{m.group(1)} {m.group(2)}", text)
    return text


def apply_context(readings: dict[str, Reading]) -> None:
    """Repair and settle readings in place by what each field is and what the others say."""
    for key, r in readings.items():
        if not isinstance(r.value, str) or not r.value:
            continue
        # A doubtful reading, or a sure name or address: both readers can break a hand-printed
        # word at the same wide gap, or run two together, fully sure of it ("MAT THEW",
        # "19411 WGARVEY AVE"). A sure one is mended for the clerk to confirm. (A sure town is
        # left to place_context, which holds it against its ZIP.)
        sure = not r.reasons
        if (key in NAME_KEYS or key in ADDRESS_KEYS) or (key == "mailing_city" and not sure):
            joined = split_glued_words(key, join_split_words(key, r.value))
            if joined != r.value:
                was = r.value
                r.repair(joined)
                if sure:
                    r.doubt(f"read as {was!r}: the word breaks were mended")
        odd = oddity(key, r.value)
        if odd:
            r.doubt(odd)  # what no one writes: however sure the readers were
        if key in ADDRESS_KEYS and key != "mailing_street":
            fix = fix_service_address
        elif key in ADDRESS_KEYS:
            fix = fix_address
        elif key == "mailing_city":
            fix = fix_city
        elif key in SIGNER_KEYS or (key == "customer_name" and not is_business(r.value)):
            fix = fix_person  # a person's name
        elif key in NAME_KEYS:
            fix = fix_name
        elif key in EMAIL_KEYS:
            fix = fix_email
        else:
            continue
        fixed = fix(r.value)
        r.alternatives = [fix(a) if a else a for a in r.alternatives]
        if fixed != r.value:
            r.repair(fixed)
    words_from_either_reader(readings)
    place_context(readings)
    service_place_from_mailing(readings)
    mailing_place_from_service(readings)
    house_numbers(readings)
    stray_marks(readings)
    glued_names(readings)
    twin_surnames(readings)
    common_surnames(readings)
    common_first_names(readings)
    common_words(readings)
    legal_forms(readings)


def fix_service_address(text: str) -> str:
    """A service address: a street address whose ZIP and town, read off each other, follow it."""
    return suffix_before_town(snap_town(snap_address_zip(snap_address_city(suffix_into_town(
        zip_by_place(fix_address(text)))))))


_GLUED_TOWN = re.compile(r"(?<=\s)(AVE|BLVD|DR|RD|ST|LN|CT|HWY|WAY|PKWY)([A-Z][A-Z .'-]*)$", re.I)


def suffix_into_town(address: str) -> str:
    """A street's suffix run into the town after it ("1598 ALESSANDRO BLVDCHINO 91710",
    "14409 FOOTHILL BLVDSOMI VALLEY 93063"): the space the reader lost is put back where the
    rest reads nearly as one of the ZIP's towns (TOWN_MIN), and better than with the suffix in it
    (STOCKTON stays). A suffix read twice, once standing and once run into the town ("JACARANDA
    LN LNCAMARILLO"), is kept once."""
    m = _PLACE_TAIL.match(address)
    if not m:
        return address
    head = m.group("head")
    glued = _GLUED_TOWN.search(head)
    if not glued or len(head[: glued.start()].split()) < 2:  # a number and a name before it
        return address
    suffix, town = glued.group(1), glued.group(2)
    rest, whole = _town_key(town), _town_key(suffix + town)
    # The town read better without the suffix than with it: STOCKTON is no ST before OCKTON.
    towns = (_town_key(n) for n in reference.town_names_of_zip(m.group("zip")))
    if not any(ratio(rest, key) >= TOWN_MIN and ratio(rest, key) > ratio(whole, key) for key in towns):
        return address
    before = head[: glued.start()]
    if before.split()[-1].upper() == suffix.upper():
        return before + town + address[m.end("head"):]
    return before + suffix + " " + town + address[m.end("head"):]


def suffix_before_town(address: str) -> str:
    """The street's suffix where no comma marks the street's end: the word before the ZIP's
    town ("24772 S VICTORIA AME SIMI VALLEY 93065": AVE)."""
    m = _PLACE_TAIL.match(address)
    if not m or "," in m.group("head"):
        return address  # no ZIP, or the comma already told fix_address where the street ends
    head = m.group("head")
    for town in sorted(reference.town_names_of_zip(m.group("zip")), key=len, reverse=True):
        found = re.search(rf"(?<=\s)(\S+)(\s+){re.escape(town)}$", head, re.I)
        if found and len(head[: found.start(1)].split()) >= 2:  # a number and a name before it
            return head[: found.start(1)] + _fix_suffix(found.group(1)) + head[found.end(1):] + address[m.end("head"):]
    return address


TOWN_MIN, TOWN_MARGIN = 85.0, 8.0  # without a ZIP to narrow them, a town is chosen among all the state's


@lru_cache(maxsize=4)
def _towns(state: str) -> dict[str, str]:
    return {name.replace(" ", ""): name for name in reference.town_names(state)}


def snap_town(address: str, state: str = "CA") -> str:
    """A service address that ends in its town without a ZIP ("3584 ARROW HWY, HESPERUA",
    "24952 LINCOLN AVE CHNO."): a town no USPS place is called, nearly the name of exactly one
    of the state's towns, becomes that name. The town is what follows the last comma, or the
    street's suffix where there is no comma."""
    if re.search(r"\d{5}\s*$", address):
        return address  # a ZIP: the town is read off it (snap_address_city)
    address, written_state = reference.split_state(address, state)
    if written_state:
        return snap_town(address, state) + written_state
    head, comma, town = address.rpartition(",")
    if not comma:
        tokens = list(re.finditer(r"[^\s,]+", address))
        ends = [t for t in tokens[1:-1] if t.group(0).upper().rstrip(".") in STREET_SUFFIXES]
        if not ends:
            return address
        head, town = address[: ends[-1].end()], address[ends[-1].end():]
    written = town.strip(" .,")
    if not written or reference.known_city(written, state) or not re.fullmatch(r"[A-Za-z .'-]+", written):
        return address
    key = _town_key(written)
    if len(key) < 4:
        return address
    scores = sorted(((ratio(key, k), k) for k in _towns(state) if abs(len(k) - len(key)) <= 3), reverse=True)
    if not scores or scores[0][0] < TOWN_MIN or (len(scores) > 1 and scores[0][0] - scores[1][0] < TOWN_MARGIN):
        return address
    name = _towns(state)[scores[0][1]]
    if any(ch.islower() for ch in written):
        name = name.title()
    return head + comma + town[: len(town) - len(town.lstrip())] + name


_LETTERED_ZIP = re.compile(r"^(?P<head>.*?[A-Za-z])(?P<tail>[ ,]+)(?P<zip>[0-9A-Za-z]{5})\s*$")


def zip_by_place(address: str, state: str = "CA") -> str:
    """A service address whose ZIP has a letter or two in it that no digit is read as ("J2630",
    "S3YO5": a 9 or a 1 written with a hook): the one ZIP of the state that has the digits that
    were read where they were read and whose town the words before it name, as a keying
    operator reads a ZIP off the town beside it ("LAKEFOREST J2630" -> 92630). Two ZIPs as
    likely, or no town near enough, and it is left for the clerk."""
    m = _LETTERED_ZIP.match(address)
    if not m:
        return address
    # An O is a 0 and an I a 1 wherever a digit stands; other letters may be several digits.
    token = m.group("zip").translate(ROUND_AND_STRAIGHT)
    digits = sum(ch.isdigit() for ch in token)
    if not 3 <= digits <= 4:
        return address
    head = m.group("head")
    before_state = reference.split_state(head)[0]
    scores: dict[str, float] = {}
    for zip_code in reference.zips_matching("".join(ch if ch.isdigit() else "?" for ch in token), state):
        fits = [fit[0] for name in reference.cities_of_zip(zip_code) for fit in _town_fits(before_state, name)]
        if fits:
            scores[zip_code] = max(fits)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < CITY_MIN or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CITY_MARGIN):
        return address
    return head + m.group("tail") + ranked[0][0]


_CITY_ZIP = re.compile(r"^(?P<head>.*?[A-Za-z])(?P<tail>[ ,.]+)(?P<zip>\d{4,6})\s*$")


def snap_address_zip(address: str) -> str:
    """A service address whose ZIP is not one of its city's but one digit away from exactly
    one of them ("PALM SPRINGS 62264", "BISHOP 935144"): that ZIP, as a keying operator reads
    a blurred digit off the town beside it. A ZIP of another town, or two as near, is left
    for the rules and the clerk."""
    m = _CITY_ZIP.match(address)
    if not m:
        return address
    read = m.group("zip")
    head = m.group("head")
    place = _town_and_zips(head)
    if place is None or read in place[1]:
        return address
    near = [z for z in place[1] if Levenshtein.distance(z, read) == 1]
    if len(near) == 1:  # a speck read before the ZIP ("BEACH .2648") goes with its slip
        return head + (m.group("tail").replace(".", "") or " ") + near[0]
    return address


def _town_and_zips(head: str) -> tuple[str, set[str]] | None:
    """The town that the words before a service address's ZIP end with (the longest name that
    is one: WEST COVINA, not COVINA), and its ZIPs; None where they name no town."""
    words = reference.split_state(head)[0].replace(",", " ").split()
    for k in (3, 2, 1):
        if len(words) > k:
            town = " ".join(words[-k:])
            zips = reference.zips_of_city(town, "CA")
            if zips:
                return town, zips
    return None


_TRAILING_TOKEN = re.compile(r"^(?P<head>.*?)(?P<sep>[\s,]*)(?P<token>[0-9A-Za-z][0-9A-Za-z#.]*)\s*$")
# The letters a hand-printed digit is read as, by the digit (a ZIP's "9C#C5" is 90?05).
_ZIP_GLYPHS = str.maketrans("CODQILlZASGbTBgq", "0000111245667899")
_SUFFIX_INTO_TOWN = re.compile(r"^(AVE|BLVD|DR|RD|ST|LN|CT|HWY|WAY)([A-Z]{3,})$")
MAILING_TOWN_MIN = 80.0  # how nearly a service address's town must read as the mailing city's
MAILING_ZIP_SLIPS = 2  # and its ZIP as the mailing ZIP (letters and digits misread, one too many)


def service_place_from_mailing(readings: dict[str, Reading]) -> None:
    """A service address ending in nearly the mailing address's town and ZIP, its ZIP misread
    (`COVINA 921A22`, `COVINA9L422`, `PAAM DESERT 922M1` beside the mailing address's
    COVINA 91722 and PALM DESERT 92211): that town and ZIP, as a keying operator reads a blurred
    service address off the mailing address above it. For the clerk to confirm.

    Where the mailing ZIP is itself none of its city's, the ZIPs the form shows for that town
    (the mailing one and the service addresses') are read together: the city's ZIP that they
    all nearly are (94722, 92A22, 9L422 and 921A22 beside COVINA: 91722)."""
    zr, cr = readings.get("mailing_zip"), readings.get("mailing_city")
    if zr is None or cr is None or not isinstance(zr.value, str) or not isinstance(cr.value, str):
        return
    city, zip_code = cr.value.strip(), zr.value.strip()
    services = [(key, r) for key in ADDRESS_KEYS if key != "mailing_street"
                for r in [readings.get(key)] if r is not None and isinstance(r.value, str) and r.value]
    if not (re.fullmatch(r"\d{5}", zip_code) and reference.zip_matches_city(zip_code, city)):
        voted = _zip_of_the_town(city, [zip_code] + [t.zip for _, r in services
                                                     if (t := _place_tail(r.value, city)) is not None])
        if voted is None:
            return
        if zr.reasons or not reference.zip_exists(zip_code):
            zr.repair(voted)
            zr.doubt(f"ZIP read {zip_code}; the form's ZIPs beside {city} read as its {voted}")
        zip_code = voted
    for _, r in services:
        placed = place_from_mailing(r.value, city, zip_code)
        if placed != r.value:
            was = r.value
            r.repair(placed)
            r.doubt(f"read {was!r}: its town and ZIP taken as the mailing address's, {city} {zip_code}")


# Readings weighed by the neural reader's ink (ppocr.Trace.score): how much likelier (nats) the
# ink must make one reading than the next, and how much less likely than the line as it was read
# the reading taken may be (a ZIP, a house number or a street written plainly otherwise stays).
INK_MARGIN = 3.0
INK_SLACK = 12.0
INK_ZIP_TOWN_ZIPS = 12  # a town of more ZIPs than this (a city's) is no guide to one of them


def _clearly_best(here: float | None, scored: list[tuple[float, object]]):
    """Of candidate readings scored by the ink (fit, candidate), the one the ink fits clearly best
    (INK_MARGIN over the next) and not far worse than the line as read (``here``, INK_SLACK);
    None where there is none such, or no reading to compare with."""
    if here is None or not scored:
        return None
    scored = sorted(scored, key=lambda fc: fc[0], reverse=True)
    best, candidate = scored[0]
    if best < here - INK_SLACK or (len(scored) > 1 and best - scored[1][0] < INK_MARGIN):
        return None
    return candidate


def zip_by_ink(readings: dict[str, Reading]) -> None:
    """A ZIP, as read, that is none of the ZIPs of the town beside it ("TULARE 93794", "ONTARIO
    911L" ending a service address; a mailing ZIP 91970 under ROSEMEAD): the one ZIP of that town
    that the ink bears out clearly better than the town's others (the neural reader's trace of
    the line, every ZIP of the town tried in the ZIP's place), as a keying operator reads a
    blurred ZIP off the town and what can be made out of its digits. Where two of the town's ZIPs
    fit the ink about as well, or none comes near what the ink says, it is left for the clerk.
    For the clerk to confirm."""
    for key in ADDRESS_KEYS:
        r = readings.get(key)
        if key == "mailing_street" or r is None or r.trace is None or not isinstance(r.value, str):
            continue
        m = _TRAILING_TOKEN.match(r.value)
        if not m or not m.group("sep"):
            continue
        token = m.group("token")
        if not 4 <= len(token) <= 7 or sum(ch.isdigit() for ch in token.translate(_ZIP_GLYPHS)) < 3 \
                or not any(ch.isdigit() for ch in token):
            continue  # no ZIP, or too little of one to go by ("WEST COVINA 90")
        place = _town_and_zips(m.group("head"))
        if place is None or token in place[1]:
            continue
        read = r.trace.text()
        t = _TRAILING_TOKEN.match(read or "")
        if not t or not t.group("sep"):
            continue
        zip_code = _zip_the_ink_bears_out(r.trace, read, t.group("head") + t.group("sep"), place[1])
        if zip_code is not None:
            was = r.value
            r.repair(m.group("head") + (m.group("sep").replace(".", "") or " ") + zip_code)
            r.doubt(f"read {was!r}: {token} is no ZIP of {place[0]}; the ink fits its {zip_code} best", at_most=0.75)
    zr, cr = readings.get("mailing_zip"), readings.get("mailing_city")
    if zr is None or cr is None or zr.trace is None or not isinstance(zr.value, str) \
            or not isinstance(cr.value, str) or not zr.value:
        return
    zips = reference.zips_of_city(cr.value.strip(), "CA")
    read = zr.trace.text()
    if not zips or zr.value in zips or not re.fullmatch(r"\d{5}", zr.value) or not re.fullmatch(r"\d{5}", read or ""):
        return  # a ZIP of four digits is what the customer wrote (for the rules), not a misreading
    if cr.reasons and reference.zip_exists(zr.value):
        return  # a ZIP of its own under a city in doubt: the city may be the one misread
    zip_code = _zip_the_ink_bears_out(zr.trace, read, "", zips)
    if zip_code is not None:
        was = zr.value
        zr.repair(zip_code)
        zr.alternatives = []
        zr.doubt(f"ZIP read {was}, none of {cr.value.strip()}'s; the ink fits its {zip_code} best", at_most=0.75)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


_NUMBER_FIRST = re.compile(r"^\s*(\d+)(\D.*)$")  # a street as read: its house number, then the rest


def house_number_by_ink(readings: dict[str, Reading]) -> None:
    """The mailing street and a service address on the same street whose house numbers differ by
    a slip of the pen or by digits lost (3339 OAK ST under 3338 OAK ST, 989 S PACIFIC COAST HWY
    under 4989): one house, its number misread in one of the two lines (``house_numbers``). The
    number that the ink of both lines together fits clearly better is put in the other line, as a
    keying operator compares the two. For the clerk to confirm."""
    mailing = readings.get("mailing_street")
    if mailing is None or mailing.trace is None or not isinstance(mailing.value, str):
        return
    number, street = _street_parts(mailing.value)
    if not number or not street:
        return
    mailing_read = _NUMBER_FIRST.match(mailing.trace.text() or "")
    for i in range(1, 6):
        r = readings.get(f"sa{i}_address")
        if r is None or r.trace is None or not isinstance(r.value, str):
            continue
        other, rest = _street_parts(r.value)
        if not other or other == number or not (rest == street or rest.startswith(street + " ")):
            continue
        short, long = sorted((number, other), key=len)
        if Levenshtein.distance(number, other) > 1 and not _is_subsequence(short, long):
            continue  # another house on the same street
        lines = [(mailing, number), (r, other)]
        reads = [mailing_read, _NUMBER_FIRST.match(r.trace.text() or "")]
        if not all(m is not None and m.group(1) == n for m, (_, n) in zip(reads, lines)):
            continue  # a number the neural reader did not read (Tesseract's, or one read again)
        weighed = _both_lines_weigh(number, other, *(
            {n: line.trace.score(n + m.group(2)) for n in (number, other)} for (line, _), m in zip(lines, reads)))
        if weighed is None:
            continue
        win, k = weighed
        line = lines[k][0]
        was = line.value
        line.repair(re.sub(r"^(\s*)\d+", lambda m: m.group(1) + win, line.value, count=1))
        line.doubt(f"read {was!r}: the house number {win} fits the ink of the mailing street and service address {i} best",
                   at_most=0.7)
        if k == 0:
            number = win


# A house number as no one writes it: a 0 first ("0587 TELEGRAPH RD": a 9 whose tail the reader
# lost), or a stroke inside it read as a slash ("9/8 VENTURA BLVD" for 978, "3/17 ORANGE ST" for
# 317; a fraction comes after the number, as in 123 1/2).
_ILL_WRITTEN_NUMBER = re.compile(r"^(\s*)(0\d*|\d+/\d+)(?=\s)")


def _as_numbers(token: str) -> list[str]:
    """The house numbers ``token`` (a house number as no one writes it) may be, a digit misread."""
    if "/" in token:
        out = [token.replace("/", d) for d in "0123456789"] + [token.replace("/", "")]
    else:
        out = [d + token[1:] for d in "123456789"]
    return [n for n in out if not n.startswith("0")]


def house_numbers_as_written(readings: dict[str, Reading]) -> None:
    """A street whose house number no one writes so (_ILL_WRITTEN_NUMBER) has a digit misread: the
    number the neural reader's ink bears out clearly best (INK_MARGIN over the next, INK_SLACK of
    the line as read) is put in its place, as a keying operator would; where none is, the line
    goes to the clerk with the reason. Only a number as the neural reader read it is read again."""
    for key in ADDRESS_KEYS:
        r = readings.get(key)
        if r is None or not isinstance(r.value, str):
            continue
        m = _ILL_WRITTEN_NUMBER.match(r.value)
        if m is None:
            continue
        token = m.group(2)
        why = f"house number {token} as no one writes it ({'a 0 first' if token[0] == '0' else 'a slash in it'})"
        line = r.trace.text() if r.trace is not None else None
        seen = _ILL_WRITTEN_NUMBER.match(line or "")
        if seen is None or seen.group(2) != token:
            r.doubt(f"{why}: a digit misread", at_most=0.6)
            continue
        rest = line[seen.end():]
        number = _clearly_best(r.trace.score(line), [(fit, n) for n in _as_numbers(token)
                                                     if (fit := r.trace.score(n + rest)) is not None])
        if number is None:
            r.doubt(f"{why}: a digit misread", at_most=0.6)
            continue
        was = r.value
        r.repair(m.group(1) + number + r.value[m.end():])
        r.doubt(f"read {was!r}: {why}, and the ink fits {number} best", at_most=0.7)


# After a house number, one mark that is no directional, before a street of a word or more and its
# suffix ("7433 & BEACH BLVD", "378 F OLIVE ST"): the E, N, S or W the customer wrote, misread. A
# lettered street ("123 F ST") is its letter and its suffix alone, and stays.
_ODD_DIRECTIONAL = re.compile(r"^(\s*\d+\s+)([^\sNSEW\d])(\s+)(?=[A-Z]+\s+[A-Z])")
DIRECTIONALS = "NSEW"


def directionals_by_ink(readings: dict[str, Reading]) -> None:
    """A street read with one odd mark after its house number (_ODD_DIRECTIONAL) has the directional
    there that the neural reader's ink bears out clearly best (INK_MARGIN over the next, INK_SLACK
    of the line as read), as a keying operator reads an E whose bars ran together; where none is
    clear, or the line is not the neural reader's own, it is left to the acceptance as read."""
    for key in ADDRESS_KEYS:
        r = readings.get(key)
        if r is None or r.trace is None or not isinstance(r.value, str):
            continue
        m = _ODD_DIRECTIONAL.match(r.value)
        line = r.trace.text() or ""
        if m is None or not line.startswith(m.group(0)) or r.value[m.end():].split()[0] in STREET_SUFFIXES:
            continue  # a lettered street (F ST) whatever follows it
        rest = line[len(m.group(1)) + 1:]
        direction = _clearly_best(r.trace.score(line), [(fit, d) for d in DIRECTIONALS
                                                        if (fit := r.trace.score(m.group(1) + d + rest)) is not None])
        if direction is None:
            continue
        was = r.value
        r.repair(m.group(1) + direction + r.value[m.end(2):])
        r.doubt(f"read {was!r}: {m.group(2)!r} after the house number is no direction, and the ink fits "
                f"{direction} best", at_most=0.7)


def _both_lines_weigh(first: str, second: str, mailing: dict[str, float | None], service: dict[str, float | None]
                      ) -> tuple[str, int] | None:
    """Of two readings of what the mailing street (read as ``first``) and a service address (read
    as ``second``) both hold, the one the ink of the two lines together fits clearly better, and
    the line to change (0: the mailing street, 1: the service address); None where neither is
    clearly better or the line's own ink does not allow it. ``mailing`` and ``service`` are each
    line's scores of the two readings."""
    if None in mailing.values() or None in service.values():
        return None
    total = {t: mailing[t] + service[t] for t in (first, second)}
    win, lose = (first, second) if total[first] > total[second] else (second, first)
    if total[win] - total[lose] < INK_MARGIN:
        return None
    k = 1 if win == first else 0  # the line whose reading loses
    score = (mailing, service)[k]
    if score[lose] - score[win] > INK_SLACK:
        return None
    return win, k


STREET_INK_NEAR = 0.25  # how far (normalised edit distance) a service address's start may be from the mailing street


def _street_cut(line: str, street: str) -> int | None:
    """Where in ``line`` (a service address) the street that ``street`` (the mailing street) nearly
    is ends: the cut, before a comma or a space, whose start is nearest it; None where none is near."""
    best = None
    for j in range(max(1, len(street) - 4), min(len(line), len(street) + 4) + 1):
        if j < len(line) and line[j] not in " ,.":
            continue
        d = Levenshtein.normalized_distance(line[:j].rstrip(" ,."), street)
        if best is None or d < best[0]:
            best = (d, j)
    return best[1] if best is not None and best[0] <= STREET_INK_NEAR else None


def street_by_ink(readings: dict[str, Reading]) -> None:
    """The mailing street and a service address that starts with nearly the same street ("7290 S
    MAN ST" over "7290 S MAIN ST, BISHOP 93514", "205 HOLT AVE #168" over "205 HOLT AVE #2168, ..."):
    one street written twice by one hand and misread in one of the two lines. The street that the
    ink of both lines together fits clearly better is put in the other line, as a keying operator
    compares the two. Only readings the neural reader itself made; for the clerk to confirm."""
    mailing = readings.get("mailing_street")
    if mailing is None or mailing.trace is None or not isinstance(mailing.value, str) or not mailing.value.strip():
        return
    m_read = (mailing.trace.text() or "").strip()
    if m_read != mailing.value.strip():
        return
    for i in range(1, 6):
        r = readings.get(f"sa{i}_address")
        if r is None or r.trace is None or not isinstance(r.value, str):
            continue
        s_read = (r.trace.text() or "").strip()
        if s_read != r.value.strip():
            continue
        cut = _street_cut(s_read, m_read)
        if cut is None:
            continue
        s_street, rest = s_read[:cut].rstrip(" ,."), s_read[cut:]
        if _fold_street(s_street) == _fold_street(m_read):
            continue
        weighed = _both_lines_weigh(m_read, s_street, {t: mailing.trace.score(t) for t in (m_read, s_street)},
                                    {t: r.trace.score(t + rest) for t in (m_read, s_street)})
        if weighed is None:
            continue
        win, k = weighed
        line = (mailing, r)[k]
        was = line.value
        line.repair(win + rest if line is r else win)
        line.doubt(f"read {was!r}: the street {win!r} fits the ink of the mailing street and service address {i} best",
                   at_most=0.7)
        if line is mailing:
            return  # the other service addresses were weighed against the street as it was read


def _fold_street(text: str) -> str:
    return " ".join(re.sub(r"[.,']", " ", text).upper().split())


def _zip_the_ink_bears_out(trace, read: str, head: str, zips: set[str]) -> str | None:
    """The one of a town's ``zips`` that the ink of a line read as ``read`` fits clearly better
    than the others, put after ``head``; None where two fit about as well, or none nearly as well
    as the ink's own reading."""
    if len(zips) > INK_ZIP_TOWN_ZIPS:
        return None
    return _clearly_best(trace.score(read), [(s, z) for z in sorted(zips) if (s := trace.score(head + z)) is not None])


SAME_PLACE_CITY_MIN = 60.0  # how nearly the mailing city read must be the service address's town


def _place_after_street(address: str, number: str, street: str) -> tuple[str, str] | None:
    """(town, ZIP or "") that end a service address at house ``number`` on ``street`` (or a number
    one digit from it), when they are a known town and one of its ZIPs; None for another street
    or an unknown place."""
    other, rest = _street_parts(address)
    # One digit apart is the same house misread in one of the two lines (house_numbers).
    same_house = other == number or (len(other) == len(number) and Levenshtein.distance(other, number) == 1)
    if not same_house or not (rest == street or rest.startswith(street + " ")
                              or ("," in address and Levenshtein.distance(rest, street) <= 1)):
        return None
    m = _PLACE_TAIL.match(address)
    head, zip_code = (m.group("head"), m.group("zip")) if m else (address, "")
    head = reference.split_state(head.rstrip(" ,."))[0]
    town = (head.split(",", 1)[1] if "," in head else _street_parts(head)[1][len(street):]).strip(" ,.")
    if not town or not reference.known_city(town, "CA"):
        return None
    if zip_code and reference.zip_matches_city(zip_code, town) is not True:
        return None
    return town, zip_code


def mailing_place_from_service(readings: dict[str, Reading]) -> None:
    """A mailing city and ZIP that do not go together, above a service address at the same house
    on the same street whose town and ZIP do: the mailing city and ZIP read off that address, as
    a keying operator reads a blurred town off the line below (TUCARE 93271 over "4492 ORANGE ST,
    TULARE 93274" beside a mailing street 4492 ORANGE ST: TULARE 93274). Only where what was read
    is near what is taken, and every such address names the same place; for the clerk to confirm."""
    mr, cr, zr = (readings.get(k) for k in ("mailing_street", "mailing_city", "mailing_zip"))
    if mr is None or cr is None or zr is None or not all(isinstance(r.value, str) for r in (mr, cr, zr)):
        return
    city, zip_code = cr.value.strip(), zr.value.strip()
    if not city or not zip_code or reference.zip_matches_city(zip_code, city):
        return  # a city or ZIP left out is the customer's omission, for the rules to report
    number, street = _street_parts(mr.value)
    if not number or not street:
        return
    places = {place for key in ADDRESS_KEYS if key != "mailing_street"
              for r in [readings.get(key)] if r is not None and isinstance(r.value, str)
              for place in [_place_after_street(r.value, number, street)] if place is not None}
    if len({reference.city_key(town) for town, _ in places}) != 1 or len({z for _, z in places if z}) > 1:
        return
    town = next(iter(places))[0].upper()
    service_zip = next((z for _, z in places if z), "")
    if ratio(reference.city_key(fix_words_in(city)), reference.city_key(town)) < SAME_PLACE_CITY_MIN:
        return  # another town: the customer's mailing address may well be elsewhere
    why = f"the service address at {mr.value.strip()} is in {town}" + (f" {service_zip}" if service_zip else "")
    if reference.city_key(city) != reference.city_key(town):
        cr.repair(town if not any(ch.islower() for ch in city) else town.title())
        cr.alternatives = []
        cr.doubt(f"read {city!r}; {why}", at_most=0.75)
    if service_zip:
        if zip_code != service_zip and Levenshtein.distance(zip_code, service_zip) <= MAILING_ZIP_SLIPS:
            zr.repair(service_zip)
            zr.alternatives = []
            zr.doubt(f"ZIP read {zip_code!r}; {why}", at_most=0.75)
    elif re.fullmatch(r"\d{5}", zip_code) and reference.zip_matches_city(zip_code, town) is False:
        slip = zip_slip(zip_code, reference.zips_of_city(town, "CA"))
        if slip is not None:
            zr.repair(slip)
            zr.doubt(f"ZIP read {zip_code}, none of {town}'s ({why}); its ZIP {slip} is one slip of the pen away",
                     at_most=0.7)


def _zip_of_the_town(city: str, read: list[str]) -> str | None:
    """The one ZIP of ``city`` that two or more of the ZIPs ``read`` beside it are each a slip or
    two of the pen from, and clearly nearer them all than any other of its ZIPs."""
    zips = reference.zips_of_city(city, "CA")
    read = [z.upper() for z in read if 4 <= len(z) <= 6 and sum(ch.isdigit() for ch in z) >= 3]  # whole ZIPs
    if not zips or len(read) < 2:
        return None
    cost = sorted((sum(min(Levenshtein.distance(r, z), MAILING_ZIP_SLIPS + 1) for r in read), z) for z in zips)
    best = cost[0][1]
    near = sum(Levenshtein.distance(r, best) <= MAILING_ZIP_SLIPS for r in read)
    if near < 2 or (len(cost) > 1 and cost[1][0] - cost[0][0] < 2):
        return None
    return best


class _Tail(NamedTuple):
    town: str  # the address up to its ZIP, a suffix run into the town split off, the state taken out
    state: str  # the state written after the town (", CA"), or ""
    sep: str
    zip: str  # as read: letters and all
    start: int  # where in ``town`` the town's name starts


def _place_tail(address: str, city: str) -> _Tail | None:
    """The town and ZIP that end a service address when the town nearly is ``city`` and the ZIP
    is misread (no ZIP of the town the address names)."""
    m = _TRAILING_TOKEN.match(address)
    if not m:
        return None
    head, sep, token = m.group("head"), m.group("sep"), m.group("token")
    glued = re.fullmatch(r"([A-Za-z]{3,})(\d[0-9A-Za-z]{3,5})", token)
    if glued:  # the town run into its ZIP
        head, sep, token = head + sep + glued.group(1), " ", glued.group(2)
    if not sep or not 3 <= len(token) <= 6 or sum(ch.isdigit() for ch in token.translate(_ZIP_GLYPHS)) < 3 \
            or sum(ch.isdigit() for ch in token) < 1:
        return None
    if re.fullmatch(r"\d{5}", token) and reference.check_address_line(head + sep + token) is None:
        return None  # a town and ZIP of their own (a ZIP of the mailing town's neighbour)
    town_part, state = reference.split_state(head)
    fits = sorted(_town_fits(town_part, city), reverse=True)
    words = town_part.split(" ")
    first = len(words) - len(city.split())
    if first > 1 and _SUFFIX_INTO_TOWN.match(words[first]):
        # The street's suffix run into the town's first word ("HOLT AVEPAAM DESERT"), where the
        # town then reads better.
        words[first] = _SUFFIX_INTO_TOWN.sub(r"\1 \2", words[first])
        split_fits = sorted(_town_fits(" ".join(words), city), reverse=True)
        if split_fits and (not fits or split_fits[0][0] > fits[0][0]):
            town_part, fits = " ".join(words), split_fits
    if not fits or fits[0][0] < MAILING_TOWN_MIN:
        return None
    start = fits[0][2]
    before = town_part[:start].rstrip(" ,").split()
    if before and reference.known_city(f"{before[-1]} {city}"):
        return None  # WEST COVINA is not COVINA
    return _Tail(town_part, state, sep, token, start)


def _zip_slip_of(read: str, zip_code: str) -> bool:
    """Whether a ZIP as read is ``zip_code`` with a slip or two of the pen, or its start with one
    at most (the last digits written over the box's rule and lost with it: 922 for 92211)."""
    return Levenshtein.distance(read, zip_code) <= MAILING_ZIP_SLIPS \
        or (len(read) < len(zip_code) and Levenshtein.distance(read, zip_code[: len(read)]) <= 1)


def place_from_mailing(address: str, city: str, zip_code: str) -> str:
    """``address`` with the town and ZIP that end it read as ``city`` and ``zip_code`` when they
    nearly are, and are not a town and ZIP of their own; otherwise as it is."""
    tail = _place_tail(address, city)
    if tail is None or not _zip_slip_of(tail.zip.translate(_ZIP_GLYPHS).upper(), zip_code):
        return address
    written = tail.town[tail.start:]
    name = city.upper() if not any(ch.islower() for ch in written) else city.title()
    return tail.town[: tail.start] + name + tail.state + tail.sep + zip_code


def _street_parts(address: str) -> tuple[str, str]:
    """(house number, the rest of the street up to the first comma), compared loosely."""
    street = address.split(",")[0]
    m = re.match(r"^\s*(\d+)\s+(.*)$", street)
    if not m:
        return "", ""
    return m.group(1), " ".join(re.sub(r"[.,']", "", m.group(2)).upper().split())


def house_numbers(readings: dict[str, Reading]) -> None:
    """The mailing street and a service address on the same street whose house numbers differ
    by one character: one of them is misread (people rarely live one digit away from the
    building they hold an account for)."""
    mailing = readings.get("mailing_street")
    if mailing is None or not isinstance(mailing.value, str):
        return
    number, street = _street_parts(mailing.value)
    if not number:
        return
    for i in range(1, 6):
        r = readings.get(f"sa{i}_address")
        if r is None or not isinstance(r.value, str):
            continue
        other, rest = _street_parts(r.value)
        if not other or other == number or Levenshtein.distance(other, number) != 1:
            continue
        if not (rest == street or rest.startswith(street + " ")):
            continue
        why = f"house number {number} on the mailing street, {other} in service address {i}"
        for doubtful in (mailing, r):
            # Two fields that contradict each other: either may be the misread one, and neither is
            # accepted without the clerk, however sure its readers were (one sure Tesseract reading
            # of 23596 beside 23526 was accepted and silently wrong).
            doubtful.doubt(why, at_most=0.7)


SIGN_DATE_KEYS = ("customer_sign_date", "drp_sign_date")
SIGNED_WITHIN_DAYS = 60  # a form signed more than two months before it was received is rare


def _as_written(day: dt.date) -> tuple[str, ...]:
    """A date as a hand writes it in the form's MM/DD/YYYY boxes, with and without leading zeros."""
    return tuple(dict.fromkeys((day.strftime("%m/%d/%Y"), f"{day.month}/{day.day}/{day.year}")))


def _ink_fits(trace, days) -> dict[dt.date, float | None]:
    """How well the line's ink bears out each of ``days`` however it is written (_as_written),
    all weighed at once."""
    scores = trace.scores([text for day in days for text in _as_written(day)])
    fits = {}
    for day in days:
        written = [s for text in _as_written(day) if (s := scores[text]) is not None]
        fits[day] = max(written) if written else None
    return fits


def _date_of(r: Reading | None) -> dt.date | None:
    if r is None or not isinstance(r.value, str):
        return None
    try:
        return dt.date.fromisoformat(r.value)
    except ValueError:
        return None


def _day_the_ink_bears_out(r: Reading, days: list[dt.date]) -> dt.date | None:
    """The one of ``days`` that the neural reader's ink for ``r`` fits clearly best (INK_MARGIN
    over the next), and not far worse than the line as read (INK_SLACK): a date written plainly
    as none of them fits none well enough. None where there is no such day, or no ink to ask."""
    read = r.trace.text() if r.trace is not None else ""
    if not read:
        return None
    fits = [(fit, day) for day, fit in _ink_fits(r.trace, days).items() if fit is not None]
    return _clearly_best(r.trace.score(read), fits)


def sign_dates_by_ink(readings: dict[str, Reading], received: dt.date | None) -> None:
    """A signature's date read after the day the form was received (its RECEIVED stamp), or more
    than SIGNED_WITHIN_DAYS before it ("01/05/2026" on a form received in May, "2076"): the one day of
    the SIGNED_WITHIN_DAYS up to the stamp that the ink bears out clearly best (INK_MARGIN over the
    next), as a keying operator reads a month they cannot make out off the stamp. A date written
    plainly outside that window (a form signed after it was received: the rules say so) is left as
    read, as no day of the window comes within INK_SLACK of its ink. For the clerk to confirm."""
    if received is None:
        return
    window = [received - dt.timedelta(days=n) for n in range(SIGNED_WITHIN_DAYS + 1)]
    for key in SIGN_DATE_KEYS:
        r = readings.get(key)
        date = _date_of(r)
        if date is None or window[-1] <= date <= received:
            continue
        day = _day_the_ink_bears_out(r, window)
        if day is None:
            continue
        was = r.value
        r.repair(day.isoformat())
        r.doubt(f"read {was}: the day the ink fits best of the {SIGNED_WITHIN_DAYS} before the form was "
                f"received ({received.isoformat()})", at_most=0.7)


TERM_STARTS_WITHIN_DAYS = 60  # a term starts on the day the customer signs, or within two months
TERM_EARLY_DAYS = 7  # ... or, now and then, a few days before it (crosscheck.TERM_SLACK_DAYS)
# The signature's date is a weaker guide than a RECEIVED stamp (it may be misread itself: "2076",
# or 02/15 for 09/15, and a start a few weeks before it is written now and then): a start is read
# again only where the ink allows the new day nearly as well as the one read (4 nats, chosen on the
# tuning writers: the slips this mends cost 0.3 to 3.6 nats there, the starts it would have spoilt
# 4.4 to 12).
TERM_START_SLACK = 4.0
def _same_slip(readings: dict[str, Reading], was: str, day: dt.date) -> None:
    """The term's start was read ``was`` and is ``day``: a signature's date read as the same day is
    the same hand's same digit, most likely misread the same way (the customer signs on the day the
    term starts, most often). It is ``day`` where its ink allows that (INK_SLACK), and goes to the
    clerk either way."""
    for key in SIGN_DATE_KEYS:
        r = readings.get(key)
        if r is None or r.value != was:
            continue
        why = f"read {was}, as the term's start was, which the ink says is {day.isoformat()}"
        read = r.trace.text() if r.trace is not None else None
        here = r.trace.score(read) if read else None
        fit = _ink_fits(r.trace, [day])[day] if here is not None else None
        if fit is not None and fit >= here - INK_SLACK:
            r.repair(day.isoformat())
        r.doubt(why, at_most=0.7)


def term_dates_by_ink(readings: dict[str, Reading]) -> None:
    """The term's dates as a keying operator reads a digit they cannot make out, where the two
    dates and the signature's do not go together: a start that is not on or soon after the
    customer's signature ("01/14/2026" on a form signed 08/09/2026), or an end that is no
    anniversary of the start nor its eve. The start is the day of that window that the ink of
    both dates bears out clearly best (a start and an end a year on, both with their 8 read as 1,
    are read again together), then the end the anniversary or eve of it that its own ink bears
    out clearly best. A date written plainly otherwise (a term to the end of a year) is left as
    read: none of the candidates comes within INK_SLACK of its ink. After the signature's date
    is settled (sign_dates_by_ink). For the clerk to confirm."""
    start_r, end_r = readings.get("term_start"), readings.get("term_end")
    start, end = _date_of(start_r), _date_of(end_r)
    signed = _date_of(readings.get("customer_sign_date"))
    if start is None:
        return
    early = signed is not None and not -TERM_EARLY_DAYS <= (start - signed).days <= TERM_STARTS_WITHIN_DAYS
    if not early and (end is None or end in term_ends(start)):
        return
    if signed is not None and start_r.trace is not None and (read := start_r.trace.text()):
        here = start_r.trace.score(read)
        window = [signed + dt.timedelta(days=n) for n in range(-TERM_EARLY_DAYS, TERM_STARTS_WITHIN_DAYS + 1)]
        start_fits = _ink_fits(start_r.trace, window)
        ends = end is not None and end_r.trace is not None
        end_fits = _ink_fits(end_r.trace, sorted({e for day in window for e in term_ends(day)})) if ends else {}

        def both(day: dt.date) -> tuple[float, float] | None:
            """(the fit of the start and its likeliest end together, the start's own fit)"""
            fit = start_fits[day]
            if fit is None:
                return None
            fits = [f for e in term_ends(day) if (f := end_fits[e]) is not None] if ends else [0.0]
            return fit + max(fits, default=-INK_SLACK), fit

        scored = sorted(((fit, day) for day in window if (fit := both(day)) is not None), reverse=True)
        if here is not None and scored and scored[0][1] != start and scored[0][0][1] >= here - TERM_START_SLACK \
                and (len(scored) == 1 or scored[0][0][0] - scored[1][0][0] >= INK_MARGIN):
            was, start = start_r.value, scored[0][1]
            start_r.repair(start.isoformat())
            start_r.doubt(f"read {was}: the day the ink fits best of those a term signed on {signed.isoformat()} "
                          f"starts on", at_most=0.7)
            _same_slip(readings, was, start)
    if end is None or end in term_ends(start) or end_r.trace is None:
        return
    day = _day_the_ink_bears_out(end_r, term_ends(start))
    if day is not None:
        was = end_r.value
        end_r.repair(day.isoformat())
        end_r.doubt(f"read {was}: the anniversary of the term's start ({start.isoformat()}), or its eve, that the "
                    f"ink fits best", at_most=0.7)
