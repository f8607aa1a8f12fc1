"""Reference data a keying operator carries in their head: which ZIP codes exist, which city
and state each one belongs to, which state codes are real, how e-mail domains are spelled.

The ZIP table is the USPS data shipped with the ``zipcodes`` package (city, the USPS
*acceptable* alternative city names, state, the telephone area codes serving it); state names come from ``us``; surnames by how
common they are from the US Census 1990 list the ``names`` package ships. All load once, on
first use, into plain dictionaries. Plain Python: no Qt, no SQL.

Every check answers True (consistent), False (inconsistent) or None (the data cannot say:
an unknown city name, say), so that callers never treat "no data" as a contradiction.
"""
from __future__ import annotations

import heapq
import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# Common words of US city names in their usual written abbreviations ("ST" is also "SAINT",
# but only at the start of a name; "FT" only means "FORT").
_CITY_WORDS = {"MT": "MOUNT", "FT": "FORT", "PT": "POINT", "SPGS": "SPRINGS", "SPG": "SPRINGS",
               "HTS": "HEIGHTS", "VLY": "VALLEY", "BCH": "BEACH", "LK": "LAKE", "N": "NORTH",
               "S": "SOUTH", "E": "EAST", "W": "WEST", "CTR": "CENTER", "VLG": "VILLAGE"}

# The mail domains people write most (and which a misread most often mangles).
COMMON_MAIL_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com",
                       "att.net", "comcast.net", "msn.com", "live.com", "sbcglobal.net", "verizon.net",
                       "cox.net", "charter.net", "me.com", "mac.com", "protonmail.com", "ymail.com")


@dataclass(frozen=True)
class ZipPlace:
    zip: str
    city: str  # the USPS preferred city name
    cities: tuple[str, ...]  # preferred and acceptable names, as USPS writes them
    state: str
    kind: str  # STANDARD, PO BOX, UNIQUE, MILITARY
    area_codes: tuple[str, ...] = ()  # the telephone area codes that serve it


def city_key(name: str) -> str:
    """A city name as compared: capitals, no punctuation, usual abbreviations spelled out."""
    words = re.sub(r"[^A-Z0-9 ]", " ", name.upper()).split()
    if words and words[0] == "ST":
        words[0] = "SAINT"
    return " ".join(_CITY_WORDS.get(w, w) for w in words)


Tables = tuple[dict[str, ZipPlace], dict[str, dict[str, set[str]]]]
_TABLES: Tables | None = None
_LOADING = threading.Lock()


def load() -> None:
    """Load the reference tables now rather than at the first address or name checked: the
    desktop app does so in the background as it starts."""
    _tables()
    _surnames()
    _first_names()
    _english()


def _zip_rows():
    """Every USPS ZIP row, fetched a two-digit ZIP prefix at a time. The package makes its rows in
    compiled code that holds Python's lock for the whole call: all 42,789 at once (0.5 s) froze
    the window when the first import of a session checked its first address; a prefix at a time
    (5 ms at most) lets the window's thread run between calls. Only the package's own first
    call, which unpacks its data, is longer (0.4 s), and the app makes it while signing in."""
    import zipcodes  # USPS data

    for prefix in range(100):
        yield from zipcodes.similar_to(f"{prefix:02d}")


def _tables() -> Tables:
    global _TABLES
    if _TABLES is None:
        with _LOADING:  # one thread loads; another that needs the tables meanwhile waits for them
            if _TABLES is None:
                _TABLES = _build_tables()
    return _TABLES


def _build_tables() -> Tables:
    by_zip: dict[str, ZipPlace] = {}
    by_city: dict[str, dict[str, set[str]]] = {}  # city key -> state -> ZIPs
    keys: dict[str, str] = {}  # a city name's key, worked out once (most names have many ZIPs)
    for row in _zip_rows():
        cities = tuple(dict.fromkeys([row["city"], *row.get("acceptable_cities", [])]))
        place = ZipPlace(row["zip_code"], row["city"], cities, row["state"], row.get("zip_code_type", ""),
                         tuple(row.get("area_codes") or ()))
        by_zip[place.zip] = place
        for c in cities:
            key = keys.get(c)
            if key is None:
                key = keys[c] = city_key(c)
            by_city.setdefault(key, {}).setdefault(place.state, set()).add(place.zip)
    return by_zip, by_city


def zip_place(zip_code: str) -> ZipPlace | None:
    """The USPS place of a 5-digit ZIP code, or None when no such ZIP exists."""
    if not (len(zip_code) == 5 and zip_code.isdigit()):
        return None
    return _tables()[0].get(zip_code)


def zip_exists(zip_code: str) -> bool:
    return zip_place(zip_code) is not None


def phone_in_service(digits: str) -> bool:
    """Whether ten digits are a North American number in use: its area code assigned and its
    exchange one the area code has (Google's libphonenumber data, the ``phonenumberslite``
    package). True where the package is not installed: no doubt without the data."""
    try:
        import phonenumbers
    except ImportError:
        return True
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+1" + digits))
    except phonenumbers.NumberParseException:
        return False


def state_name(code: str) -> str | None:
    """The name of a state (or DC, or a territory) by its USPS code; None for no such code."""
    import us

    found = us.states.lookup(code.upper()) if len(code) == 2 and code.isalpha() else None
    return found.name if found is not None else None


def known_city(city: str, state: str | None = None) -> bool:
    """Whether USPS knows a city (in ``state``, when given) by this name."""
    states = _tables()[1].get(city_key(city), {})
    return bool(states) if state is None else state in states


def city_names(state: str) -> list[str]:
    """The USPS town names of ``state`` (as compared: ``city_key``)."""
    return sorted(key for key, states in _tables()[1].items() if state in states)


def zips_of_city(city: str, state: str) -> set[str]:
    return set(_tables()[1].get(city_key(city), {}).get(state, set()))


def zips_matching(pattern: str, state: str) -> list[str]:
    """The ZIPs of ``state`` that fit ``pattern``: five characters, digits and "?" for any digit."""
    if len(pattern) != 5 or not all(ch.isdigit() or ch == "?" for ch in pattern):
        return []
    fixed = [(i, ch) for i, ch in enumerate(pattern) if ch != "?"]
    return sorted(z for z, place in _tables()[0].items()
                  if place.state == state and all(z[i] == ch for i, ch in fixed))


def cities_of_zip(zip_code: str) -> tuple[str, ...]:
    place = zip_place(zip_code)
    return place.cities if place else ()


def _abbreviates(short: str, full: str) -> bool:
    """"HUNTINGTN BCH" is USPS's short form of "HUNTINGTON BEACH": as many words, each one's
    letters in the other's, in order, the first alike."""
    return _abbreviates_words(city_key(short).split(), city_key(full).split())


def _abbreviates_words(a: list[str], b: list[str]) -> bool:
    if len(a) != len(b) or a == b:
        return False
    for x, y in zip(a, b, strict=True):
        it = iter(y)
        if x[:1] != y[:1] or not all(ch in it for ch in x):
            return False
    return True


@lru_cache(maxsize=4)
def town_names(state: str) -> tuple[str, ...]:
    """The USPS town names of ``state`` (as compared: ``city_key``) without USPS's short forms
    of them ("HUNTINGTN BEACH" is Huntington Beach, not a second town a name may be read as)."""
    words = {name: name.split() for name in city_names(state)}  # names as compared already
    buckets: dict[tuple[str, ...], list[list[str]]] = {}
    for split in words.values():  # a short form has as many words as its town, each with the same first letter
        buckets.setdefault(tuple(w[:1] for w in split), []).append(split)
    return tuple(name for name, split in words.items()
                 if not any(_abbreviates_words(split, other) for other in buckets[tuple(w[:1] for w in split)]))


def town_names_of_zip(zip_code: str) -> tuple[str, ...]:
    """The ZIP's town names, without USPS's short forms of them ("Huntingtn Bch"): what a
    town read off a ZIP is written as."""
    names = cities_of_zip(zip_code)
    return tuple(n for n in names if not any(_abbreviates(n, other) for other in names if other != n))


def zip_matches_state(zip_code: str, state: str) -> bool | None:
    place = zip_place(zip_code)
    if place is None or not state:
        return None
    return place.state == state.upper()


def zip_matches_city(zip_code: str, city: str) -> bool | None:
    """True when ``city`` is the ZIP's city or one USPS accepts for it; None for an unknown ZIP."""
    place = zip_place(zip_code)
    if place is None or not city.strip():
        return None
    key = city_key(city)
    return any(city_key(c) == key for c in place.cities)


@dataclass(frozen=True)
class PlaceCheck:
    """What is wrong with a (city, state, ZIP) triple, field by field, in the clerk's words."""
    zip: str | None = None
    city: str | None = None
    state: str | None = None

    def __bool__(self) -> bool:
        return bool(self.zip or self.city or self.state)


def check_place(city: str, state: str, zip_code: str) -> PlaceCheck:
    """ZIP <-> city <-> state. Blank parts are not checked (that is another rule's business);
    where two parts contradict and a third sides with one, the odd one out carries the blame,
    otherwise both do."""
    city, state, zip_code = city.strip(), state.strip().upper(), zip_code.strip()
    out: dict[str, str] = {}
    place = zip_place(zip_code) if zip_code else None
    if zip_code and len(zip_code) == 5 and zip_code.isdigit() and place is None:
        out["zip"] = f"ZIP {zip_code} does not exist (USPS)"
        if city and state and known_city(city) and not known_city(city, state):
            out["city"] = f"{city} is not a city in {state_name(state) or state}"
        return PlaceCheck(**out)
    if place is None:
        if city and state and len(state) == 2 and known_city(city) and not known_city(city, state):
            out["city"] = f"{city} is not a city in {state_name(state) or state}"
        return PlaceCheck(**out)
    where = f"ZIP {zip_code} is {place.city}, {place.state}"
    city_ok = zip_matches_city(zip_code, city) if city else None
    state_ok = zip_matches_state(zip_code, state) if state else None
    if state_ok is False:
        # The city sides with the ZIP: the state is the odd one out; with the state: the ZIP is.
        if city_ok:
            out["state"] = f"{where}, not {state}"
        elif city and known_city(city, state):
            out["zip"] = f"{where}; {city} is in {state}"
        else:
            out["state"] = out["zip"] = f"{where}, not {state}"
    if city_ok is False:
        msg = f"{where}" + (f" (also {', '.join(place.cities[1:])})" if len(place.cities) > 1 else "") + f", not {city}"
        out["city"] = msg
        if known_city(city, place.state):
            out.setdefault("zip", msg)  # a real city of the same state: either may be misread
    return PlaceCheck(**out)


_UNIT = re.compile(r"^(APT|STE|SUITE|UNIT|BLDG|FL|FLOOR|RM|ROOM|SPC|SPACE|LOT|#)\b", re.I)
_TRAILING_ZIP = re.compile(r"^(?P<head>.*?)[\s,]*(?P<zip>\d{5})(?:-\d{4})?\s*$")


_STATE_BEFORE_ZIP = re.compile(r"^(?P<head>.*[A-Za-z0-9.#])(?P<state>[ ,]+(?P<code>[A-Za-z]{2})\.?)\s*$")


def split_state(head: str, state: str = "CA") -> tuple[str, str]:
    """A service address's words before its ZIP, and the state written after its town, if any:
    ("12 OAK ST, OXNARD", ", CA") for "12 OAK ST, OXNARD, CA". Only ``state`` (the service
    territory's) is taken as one: another code after a town is for the rules to question."""
    m = _STATE_BEFORE_ZIP.match(head)
    if m and m.group("code").upper() == state and len(m.group("head").split()) >= 2:
        return m.group("head"), m.group("state")
    return head, ""


def check_address_line(address: str, state: str = "CA") -> str | None:
    """A one-line address "street, city ZIP" (or "street city ZIP", or "street, city"): why its
    city and ZIP contradict each other or do not exist, or None when they are consistent or
    the line names no place the data can judge."""
    address = address.strip()
    m = _TRAILING_ZIP.match(address)
    if m:
        zip_code, head = m.group("zip"), split_state(m.group("head").strip(" ,"), state)[0].strip(" ,")
        place = zip_place(zip_code)
        if place is None:
            return f"ZIP {zip_code} does not exist (USPS)"
        squeezed = city_key(head)
        if any(squeezed == city_key(c) or squeezed.endswith(" " + city_key(c)) for c in place.cities):
            return None
        tail = head.rsplit(",", 1)[1].strip() if "," in head else ""
        if tail and known_city(tail) or not tail and _ends_with_known_city(head, state):
            return f"ZIP {zip_code} is {place.city}, {place.state}, not {tail or _ends_with_known_city(head, state)}"
        if tail:
            return f"ZIP {zip_code} is {place.city}, {place.state}, not {tail}"
        return None  # no comma and no known city before the ZIP: nothing to judge
    address = split_state(address, state)[0]
    if "," in address:
        tail = address.rsplit(",", 1)[1].strip()
        letters = sum(ch.isalpha() for ch in tail)
        if letters > 2 * sum(ch.isdigit() for ch in tail) and not _UNIT.match(tail) and not known_city(tail):
            return f"{tail} is not a city known to USPS"
    return None


def _ends_with_known_city(head: str, state: str) -> str:
    words = head.split()
    for n in (3, 2, 1):
        if len(words) > n and known_city(" ".join(words[-n:]), state):
            return " ".join(words[-n:])
    return ""


# -- surnames -------------------------------------------------------------------------------------
# The US Census Bureau's 1990 list of 88,799 surnames by frequency (public domain), as the
# ``names`` package ships it: a common surname one letter from what was read is what a keying
# operator types ("LEWS" is Lewis), a rare one is left to the clerk.

@lru_cache(maxsize=1)
def _surnames() -> dict[str, int]:
    """Surname (capitals) -> rank (1 = most common); empty when the list is not installed."""
    from importlib import resources

    try:
        text = resources.files("names").joinpath("dist.all.last").read_text(encoding="ascii")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    ranks = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].isdigit():
            ranks[parts[0]] = int(parts[3])
    return ranks


@lru_cache(maxsize=1)
def _first_names() -> dict[str, float]:
    """The Census 1990 first names (men's and women's; capitals) -> per cent of people so
    named (the larger of the two lists'), empty when not installed."""
    from importlib import resources

    found: dict[str, float] = {}
    for part in ("dist.male.first", "dist.female.first"):
        try:
            text = resources.files("names").joinpath(part).read_text(encoding="ascii")
        except (ModuleNotFoundError, FileNotFoundError):
            continue
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 4:
                found[parts[0]] = max(found.get(parts[0], 0.0), float(parts[1]))
    return found


def is_first_name(name: str) -> bool:
    """Whether the Census 1990 lists hold ``name`` as a first name (about 5,200 of them)."""
    return re.sub(r"[^A-Z]", "", name.upper()) in _first_names()


def first_names_near(name: str, min_share: float) -> list[tuple[str, float]]:
    """First names held by at least ``min_share`` per cent of people one edit (a letter changed,
    lost or added) from ``name``, commonest first."""
    from rapidfuzz.distance import Levenshtein

    word = re.sub(r"[^A-Z]", "", name.upper())
    return sorted(((n, share) for n, share in _first_names().items()
                   if share >= min_share and abs(len(n) - len(word)) <= 1 and Levenshtein.distance(n, word) == 1),
                  key=lambda t: -t[1])


def surname_rank(name: str) -> int | None:
    """How common a surname is (1 = most common), None when the Census list does not hold it."""
    return _surnames().get(re.sub(r"[^A-Z]", "", name.upper()))


@lru_cache(maxsize=4)
def _surnames_up_to(max_rank: int) -> tuple[str, ...]:
    return tuple(s for s, r in _surnames().items() if r <= max_rank)


def surnames_within(name: str, max_rank: int, edits: int) -> dict[str, int]:
    """Surnames of rank ``max_rank`` or better at most ``edits`` edits from ``name`` -> edits."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    word = re.sub(r"[^A-Z]", "", name.upper())
    found = process.extract(word, _surnames_up_to(max_rank), scorer=Levenshtein.distance, score_cutoff=edits,
                            limit=None)
    return {s: int(d) for s, d, _ in found}


def surnames_near(name: str, max_rank: int) -> list[tuple[str, int]]:
    """Surnames of rank ``max_rank`` or better one edit (a letter changed, lost or added) from
    ``name``, commonest first."""
    ranks = _surnames()
    return sorted(((s, ranks[s]) for s, d in surnames_within(name, max_rank, 1).items() if d == 1),
                  key=lambda t: t[1])


# -- English words --------------------------------------------------------------------------------
# How often each English word is written, from wordfreq (Apache-2.0; its word lists are
# CC BY-SA 4.0, by Robyn Speer and contributors): a word in a business's name, a title or a
# street read a letter off a common word ("MANACER", "MARXET", "VINEYAKD") is that word.
ENGLISH_WORDS = 60000  # the commonest words: rarer ones are as likely a misreading's neighbour


@lru_cache(maxsize=1)
def _english() -> dict[int, dict[str, float]]:
    """English words (capitals, letters only) by length -> Zipf frequency (log10 of uses per
    billion words: 7 for THE, 3 for a word met once in a book); empty when not installed."""
    try:
        import wordfreq

        counts = wordfreq.get_frequency_dict("en")
    except Exception as exc:  # not installed, or its lists not found (a frozen app): no word is repaired
        logging.getLogger(__name__).warning("English word frequencies unavailable: %s", exc)
        return {}
    common = heapq.nlargest(ENGLISH_WORDS, counts.items(), key=lambda item: item[1])
    getattr(wordfreq.get_frequency_list, "cache_clear", lambda: None)()  # its 320,000 words: let them go
    by_length: dict[int, dict[str, float]] = {}
    for word, share in common:
        if word.isascii() and word.isalpha():
            by_length.setdefault(len(word), {})[word.upper()] = round(math.log10(share * 1e9), 2)
    return by_length


def is_english_word(word: str) -> bool:
    upper = word.upper()
    return upper in _english().get(len(upper), {})


def english_zipf(word: str) -> float:
    """How common ``word`` is in English (Zipf; 0 where it is not among the commonest words)."""
    upper = word.upper()
    return _english().get(len(upper), {}).get(upper, 0.0)


def english_words_near(word: str, min_zipf: float) -> list[tuple[str, float]]:
    """English words at least ``min_zipf`` common one edit (a letter changed, lost or added)
    from ``word``, commonest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    upper, found = word.upper(), []
    for length in (len(word) - 1, len(word), len(word) + 1):
        words = _english().get(length, {})
        found += [(w, words[w]) for w, _, _ in process.extract(upper, list(words), scorer=Levenshtein.distance,
                                                               score_cutoff=1, limit=None)
                  if w != upper and words[w] >= min_zipf]
    return sorted(found, key=lambda t: -t[1])
