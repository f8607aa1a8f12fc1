"""Fields of one form that vouch for each other.

A customer usually prints the name they wrote at the top again under the signature, and
the first service address is usually the mailing address. When the two readers disagree on
one field and one of their readings is exactly what a *confident* related field says, that
reading is taken: two independent reads of two different pieces of ink agree. Nothing is
changed when no reading matches — the clerk still decides.

The provider's contact, phone and e-mail are the registry's when the provider was read with
confidence (its id, and its name matching that id). A reading a letter or two away from the
registered value ("robert@constal.exmmple", "4695550128" for 4675550128) is that value
misread, as a keying operator would see at once: it is offered in its place, with the reason,
and the acceptance model still decides whether a clerk looks. A contact truly different from
the registered one is further away than that (another name, another number). A reading the
readers already doubt may be a little further off ("WHTOHNSON" for LINH JOHNSON); it is offered
too, and always goes to the clerk. A contact detail read exactly as registered vouches for the
provider as its name does, and picks the provider a misread id means when the name alone cannot.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from rapidfuzz.distance import Levenshtein

from cisr_desk.capture.acceptance import TWINS
from cisr_desk.capture.names import is_business
from cisr_desk.capture.vocabulary import ORDINAL, STREET_SUFFIXES, UNIT_WORDS, known_word, usual_surname
from cisr_desk.capture.read import Reading, squash
from cisr_desk.domain import reference

Compose = Callable[[dict[str, Reading]], list[str]]
RegistryCompose = Callable[[dict[str, Reading], object], list[str]]


def _v(readings: dict[str, Reading], key: str) -> str:
    r = readings.get(key)
    return str(r.value) if r is not None and r.value and not r.reasons else ""


def _address(readings: dict[str, Reading]) -> list[str]:
    street, city, zip_ = (_v(readings, k) for k in ("mailing_street", "mailing_city", "mailing_zip"))
    state = _v(readings, "mailing_state")
    if not street:
        return []
    out = [street]
    if city:
        out += [f"{street} {city}", f"{street} {city} {zip_}", f"{street} {city} {state} {zip_}"]
    return out


def _same(key: str) -> Compose:
    return lambda readings: [v] if (v := _v(readings, key)) else []


def _street_from_address(readings: dict[str, Reading]) -> list[str]:
    """The mailing street, as the start of a confidently read first service address."""
    address = _v(readings, "sa1_address")
    return [address.split(",")[0]] if address else []


def _term_end(readings: dict[str, Reading]) -> list[str]:
    """Terms run whole years from the start, ending on the eve of the anniversary or so."""
    start = _v(readings, "term_start")
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return []
    return [end.isoformat() for end in term_ends(first)]


# field -> what related fields say it probably is
RELATED: dict[str, Compose] = {
    # The customer usually signs on the day the term starts.
    "customer_sign_date": _same("term_start"),
    "term_start": _same("customer_sign_date"),
    "term_end": _term_end,
    **{f"sa{i}_address": _address for i in range(1, 6)},
    "customer_print_name": _same("customer_name"),
    "customer_name": _same("customer_print_name"),
    "drp_print_name": _same("drp1_contact"),
    "drp1_contact": _same("drp_print_name"),
    "mailing_street": _street_from_address,
}


# The provider's contact on the form, and the registry's attribute for each field.
CONTACT_FIELDS = (("drp1_contact", "contact_name"), ("drp1_phone", "contact_phone"), ("drp1_email", "contact_email"))


def registered_value(drp, key: str, attribute: str) -> str:
    """A provider's registered contact detail as the field holds it (a phone as its digits)."""
    value = str(getattr(drp, attribute, "") or "")
    return re.sub(r"\D", "", value) if key == "drp1_phone" else value


def _registered(key: str, attribute: str) -> RegistryCompose:
    """What the registry holds for the provider whose id was read with confidence."""
    def compose(readings: dict[str, Reading], registry) -> list[str]:
        drp_id = _v(readings, "drp1_id")
        drp = registry.get(drp_id) if registry is not None and drp_id else None
        value = registered_value(drp, key, attribute) if drp else ""
        return [value] if value else []
    return compose


# field -> what the DRP registry says it probably is (the provider's registered contact)
FROM_REGISTRY: dict[str, RegistryCompose] = {key: _registered(key, attribute) for key, attribute in CONTACT_FIELDS}


def cross_check(readings: dict[str, Reading], registry=None) -> None:
    """Settle doubtful readings that a confident related field, or the registry entry of the
    provider read with confidence, confirms (in place)."""
    sources: list[tuple[str, Callable[[dict[str, Reading]], list[str]]]] = list(RELATED.items())
    sources += [(k, (lambda rd, f=f: f(rd, registry))) for k, f in FROM_REGISTRY.items()]
    for key, compose in sources:
        r = readings.get(key)
        if r is None or not r.alternatives or not r.reasons:
            continue
        candidates = {squash(c, True) for c in compose(readings) if c}
        for alternative in r.alternatives:
            if alternative and squash(alternative, True) in candidates:
                r.value = alternative
                r.reasons = []
                r.confidence = max(r.confidence, 0.9)
                r.evidence["support"] = True
                break
    twin_spacing(readings)
    near_twins(readings)
    same_street(readings)
    names_from_email(readings)
    email_from_names(readings)
    email_domain_from_business(readings)
    term_dates(readings)
    phone_area_from_zip(readings)


def phone_area_from_zip(readings: dict[str, Reading]) -> list[str]:
    """The customer's phone, read in doubt, whose area code serves no part of the mailing ZIP
    read without doubt, one digit from the one code that does ("960" at Mammoth Lakes 93546,
    served by 442, 559 and 760: 760): that code is offered in its place, and the clerk checks
    it. Area codes per ZIP are the ``zipcodes`` package's. A number from elsewhere read
    without doubt is left alone: people keep their numbers when they move. Returns the keys
    changed."""
    r, zip_code = readings.get("customer_phone"), _v(readings, "mailing_zip")
    if r is None or not r.reasons or not isinstance(r.value, str) or not zip_code:
        return []
    digits = re.sub(r"\D", "", r.value)
    place = reference.zip_place(zip_code)
    if len(digits) != 10 or place is None or not place.area_codes or digits[:3] in place.area_codes:
        return []
    near = [code for code in place.area_codes if sum(a != b for a, b in zip(code, digits[:3])) == 1]
    if len(near) != 1:
        return []
    r.doubt(f"read as {r.value!r}: area code {digits[:3]} serves no part of ZIP {zip_code}, {near[0]} does")
    r.value = near[0] + digits[3:]
    r.evidence["repaired"] = True
    return ["customer_phone"]


TERM_SLACK_DAYS = 7  # how far from a whole number of years a term may end, and start before signing


def _date(readings: dict[str, Reading], key: str) -> dt.date | None:
    r = readings.get(key)
    try:
        return dt.date.fromisoformat(str(r.value)) if r is not None and r.value else None
    except ValueError:
        return None


def term_dates(readings: dict[str, Reading]) -> list[str]:
    """The term's dates against each other and the signature: a term runs whole years from its
    start (ending on the anniversary or its eve), and starts when or after the customer signs.
    Dates that say otherwise are most often a month misread ("07" read "04" by both readers,
    fully sure): both go to the clerk with the reason, as either may be the misread one."""
    start, end, signed = (_date(readings, k) for k in ("term_start", "term_end", "customer_sign_date"))
    doubted = []
    if start and end and end > start and not _whole_years(start, end):
        why = f"the term runs from {start.isoformat()} to {end.isoformat()}: not a whole number of years"
        mended = _month_misread(start, end, signed)
        if mended is not None:  # offered in place of the reading, for the clerk to confirm
            key, day = mended
            r = readings[key]
            was = r.value
            r.repair(day.isoformat())
            r.alternatives = [a for a in [was, *r.alternatives] if a and a != r.value]
            why += f"; the month of {key.replace('_', ' ')} ({was}) taken as {day.month:02d}, as a digit misread"
            start, end = (day, end) if key == "term_start" else (start, day)
        for key in ("term_start", "term_end"):
            readings[key].doubt(why)
            doubted.append(key)
    if start and signed and (signed - start).days > TERM_SLACK_DAYS:
        why = f"the term starts {start.isoformat()}, before the customer signed ({signed.isoformat()})"
        for key in ("term_start", "customer_sign_date"):
            readings[key].doubt(why)
            doubted.append(key)
    return doubted


def _whole_years(start: dt.date, end: dt.date) -> bool:
    years = round((end - start).days / 365.25)
    return end > start and 1 <= years <= 10 \
        and abs((end - anniversary(start, years)).days) <= TERM_SLACK_DAYS


# Of two months that each make the term whole years, the one whose start is this much nearer the
# customer's signature is taken (a term starts when the customer signs, or soon after).
NEARER_SIGNATURE_DAYS = 30


def _month_misread(start: dt.date, end: dt.date, signed: dt.date | None) -> tuple[str, dt.date] | None:
    """The term's start or end with its month read a digit wrong ("07" read "01", "11" read
    "01", "04" read "09"), where the other month makes the term whole years and the term
    starts no earlier than the signature: (key, date), or None where no such month, or more
    than one equally likely, is found."""
    found = []
    for key, day in (("term_start", start), ("term_end", end)):
        for month in range(1, 13):
            if month == day.month or sum(a != b for a, b in zip(f"{month:02d}", f"{day.month:02d}")) != 1:
                continue
            try:
                other = day.replace(month=month)
            except ValueError:  # 31 April
                continue
            s, e = (other, end) if key == "term_start" else (start, other)
            if _whole_years(s, e) and (signed is None or (signed - s).days <= TERM_SLACK_DAYS):
                found.append((abs((s - signed).days) if signed else 0, key, other))
    found.sort(key=lambda f: f[0])
    if not found or (len(found) > 1 and (signed is None or found[1][0] - found[0][0] < NEARER_SIGNATURE_DAYS)):
        return None
    return found[0][1], found[0][2]


def anniversary(day: dt.date, years: int) -> dt.date:
    """``day`` so many years on (a 29 February's falls on the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


TERM_YEARS = range(1, 6)
TERM_EVE_DAYS = range(0, 4)  # a term ends on an anniversary of its start, or up to 3 days before


def term_ends(start: dt.date) -> list[dt.date]:
    """The days a term that starts on ``start`` ends on: an anniversary, or its eve or so (a year
    counted as 365 days ends a day early across a 29 February)."""
    return [anniversary(start, years) - dt.timedelta(days=d) for years in TERM_YEARS for d in TERM_EVE_DAYS]


NEAR_SHARE = 0.2  # a reading this close to a registered value (edits per character) is it misread
# A reading already in doubt may be further off and still be the registered value, read badly
# by both readers ("WHTOHNSON", "lnh@crestlne.ekape"): another person or another number is
# half its characters or more away. It is offered, and always goes to the clerk.
DOUBTED_SHARE = 0.3


def _near(key: str, read: str, registered: str, share: float = NEAR_SHARE) -> bool:
    """Whether a reading is the registered value with a letter or two misread (``share``: edits
    per character of the registered value; a phone's digits by position at the strict share)."""
    if key == "drp1_phone":
        a, b = re.sub(r"\D", "", read), re.sub(r"\D", "", registered)
        if share > NEAR_SHARE:
            return len(b) == 10 and a != b and Levenshtein.distance(a, b) <= share * len(b)
        return len(a) == len(b) == 10 and 0 < sum(x != y for x, y in zip(a, b)) <= 2
    a, b = squash(read, False), squash(registered, False)
    if not a or a == b or Levenshtein.distance(a, b) > share * len(b):
        return False
    if key == "drp1_email":  # the person is the part before the @: one letter, no more
        return a.count("@") == 1 and Levenshtein.distance(a.split("@")[0], b.split("@")[0]) <= 1
    return True


def _provider_read(readings: dict[str, Reading], registry, name_min_score: float):
    """The registered provider of the id read, and whether only its contact vouches for it:
    (drp, False) when the name read beside the id names it; (drp, True) when the name does not
    but a contact detail was read exactly as registered for that id (two readings of different
    ink agreeing through the registry); (None, False) otherwise."""
    rid_reading, name = readings.get("drp1_id"), readings.get("drp1_name")
    rid = str(rid_reading.value or "") if rid_reading is not None else ""
    drp = registry.get(rid) if registry is not None and rid else None
    if drp is None:
        return None, False
    if name is not None and registry.name_matches(rid, str(name.value or "")) >= name_min_score:
        return drp, False
    return (drp, True) if _contact_vouches(readings, drp, near=False) else (None, False)


def _contact_vouches(readings: dict[str, Reading], drp, *, near: bool) -> bool:
    """Whether a contact detail on the form is the provider's registered one: read exactly as
    registered and without doubt, or, with ``near``, read exactly or a few characters off where
    in doubt (``_near`` at ``DOUBTED_SHARE``)."""
    for key, attribute in CONTACT_FIELDS:
        r, registered = readings.get(key), registered_value(drp, key, attribute)
        if r is None or not isinstance(r.value, str) or not r.value or not registered:
            continue
        if squash(r.value, True) == squash(registered, True):
            if near or not r.reasons:
                return True
        elif near and _near(key, r.value, registered, DOUBTED_SHARE if r.reasons else NEAR_SHARE):
            return True
    return False


def registered_contact(readings: dict[str, Reading], registry, name_min_score: float) -> list[str]:
    """Put the registered contact, phone and e-mail in place of a reading a letter or two
    away from them, or of a name whose words ran together or an address whose dot moved;
    returns the keys changed.

    Only for the provider read with confidence: its id registered, and the provider's name
    read beside it naming that provider (``name_min_score``, the site's fuzzy-name policy), or
    offered for the id (``confidence.settle_drp_names``): then every such field goes to the
    clerk too, as the provider rests on the id alone. Where the name does not name it but
    another contact detail reads exactly as registered for the id, the same, to the clerk.
    A reading in doubt may be further off (``DOUBTED_SHARE``): it is offered, to the clerk."""
    drp, by_contact = _provider_read(readings, registry, name_min_score)
    if drp is None:
        return []
    name = readings.get("drp1_name")
    offered = by_contact or bool(name is not None and name.evidence.get("offered"))
    changed = []
    for key, attribute in CONTACT_FIELDS:
        r, registered = readings.get(key), registered_value(drp, key, attribute)
        if r is None or not isinstance(r.value, str) or not r.value or not registered:
            continue
        if key == "drp1_email":
            registered = registered.lower()
        elif r.value.isupper():
            registered = registered.upper()  # as the form was written
        if r.value == registered:
            continue
        # The registered letters in their order with a space or a dot moved: words run together in
        # a name, a dot lost or misplaced in an address ("james@palmcanyonexam.ple").
        spacing = key in ("drp1_contact", "drp1_email") and squash(r.value, False) == squash(registered, False)
        near = spacing or _near(key, r.value, registered)
        # In doubt, either reader's reading may be the one near it ("lwh@" and "LNH@" beside
        # linh@orangegrove.example: the other reader's is a letter off).
        doubted = [r.value] + [a for a in r.alternatives if isinstance(a, str) and a] if r.reasons else []
        if not near and not any(_near(key, a, registered, DOUBTED_SHARE) for a in doubted):
            continue
        if not spacing or offered or not near:
            # A near miss of the provider read with confidence: the acceptance model decides;
            # one further off, or a provider only its contact vouches for: the clerk.
            r.doubt(f"read as {r.value!r}: {drp.registration_no}'s registered contact has {registered!r}",
                    at_most=0.8, must_check=offered or not near)
        r.value = registered
        r.evidence["repaired"] = True
        changed.append(key)
    if _registered_signer(readings, drp):
        changed.append("drp_print_name")
    return changed


def _registered_signer(readings: dict[str, Reading], drp) -> bool:
    """The provider's signer whose printed name is a letter or two from its registered contact's
    ("JAMES DROWA", "KEN I LOPEZ" for James Brown, Kenji Lopez): the contact, who usually signs
    for it. Another person of the provider may sign, so it goes to the clerk, with the reason."""
    r, contact = readings.get("drp_print_name"), registered_value(drp, "drp1_contact", "contact_name")
    if r is None or not isinstance(r.value, str) or not r.value or not contact:
        return False
    registered = contact.upper() if r.value.isupper() else contact
    if r.value == registered or not _near("drp_print_name", r.value, registered,
                                          DOUBTED_SHARE if r.reasons else NEAR_SHARE):
        return False
    r.doubt(f"read as {r.value!r}: {drp.registration_no}'s registered contact, who usually signs, is {registered!r}",
            at_most=0.8)
    r.value = registered
    r.evidence["repaired"] = True
    return True


# field -> fields holding the same words written again (names and streets; not the dates)
SPACED_TWINS = {key: twins for key, twins in TWINS.items() if not key.endswith(("_date", "term_start"))}


def _leading_words(text: str, letters: str) -> tuple[int, str] | None:
    """The leading words of ``text`` nearest to ``letters`` (squashed), and how many edits
    away: the street at the start of a service address, say."""
    best = None
    for m in re.finditer(r"(?=[\s,]|$)", text):
        head = text[: m.start()].rstrip(" ,")
        if not head:
            continue
        d = Levenshtein.distance(squash(head, False), letters)
        if best is None or d < best[0]:
            best = (d, head)
        if len(squash(head, False)) > len(letters) + 3:
            break
    return best


def _nearest_words(text: str, letters: str) -> str | None:
    found = _leading_words(text, letters)
    return found[1] if found else None


def _same_words(text: str, letters: str) -> str | None:
    found = _leading_words(text, letters)
    return found[1] if found and found[0] == 0 else None


# The customer who signs, named twice: the customer's name and the printed name under the signature.
SAME_PERSON = ("customer_name", "customer_print_name")


def _person_run_together(key: str, mine: str, theirs: str) -> bool:
    """The customer's name or the signer's printed name read as one word ("HIROSHILOPEZ"), a
    person's and not a business's: its twin's word breaks are taken even where the twin was
    read in doubt (the letters alike in both say the breaks are where the twin shows them)."""
    return key in SAME_PERSON and len(mine.split()) == 1 and len(squash(mine, False)) >= 6 \
        and not is_business(mine) and not is_business(theirs)


def twin_spacing(readings: dict[str, Reading]) -> list[str]:
    """Words run together in one field ("YOLANDALEE", "19792 HOLTAVE") are split where the same
    words, written again in a related field, were read apart without doubt: two pieces of ink
    agree on every letter, and one shows the break. The customer's name run into one word is
    split so by its twin in doubt too, and goes to the clerk (``_person_run_together``). Returns
    the keys changed."""
    changed = []
    for key, twins in SPACED_TWINS.items():
        r = readings.get(key)
        if r is None or not isinstance(r.value, str) or not r.value.strip():
            continue
        for twin_key in twins:
            twin = readings.get(twin_key)
            if twin is None or not isinstance(twin.value, str) or not twin.value.strip():
                continue
            person = _person_run_together(key, r.value, twin.value)
            if twin.reasons and not person:
                continue  # a twin in doubt may have a break too many ("KENJI CAS TILLO")
            # The street is the start of a service address: compare that part only.
            mine_part = _same_words(r.value, squash(twin.value, False)) if key.startswith("sa") else r.value
            their_part = _same_words(twin.value, squash(r.value, False)) if key == "mailing_street" else twin.value
            if mine_part is None or their_part is None or squash(mine_part, False) != squash(their_part, False):
                continue
            if len(their_part.split()) <= len(mine_part.split()):
                continue
            spaced = their_part.upper() if mine_part.isupper() else their_part
            if person:  # the breaks are the twin's word, which may be in doubt: for the clerk
                was = r.value
                r.repair(spaced + r.value[len(mine_part):])
                if not r.reasons:
                    r.doubt(f"read as one word {was!r}: split as the other field spells the same name")
            else:
                r.value = spaced + r.value[len(mine_part):]
                r.evidence["repaired"] = True
            changed.append(key)
            break
    return changed


NAME_FORM_MIN = 6  # a form of the signer's name this long, read a letter off without doubt, is doubted
# The letters of one's address are most often one's name: "first.last", "flast", "firstl" ...
EMAIL_PATTERNS = ("{f}.{l}", "{f}{l}", "{fi}{l}", "{f}{li}", "{f}_{l}", "{l}.{f}", "{l}{f}", "{l}{fi}", "{fi}.{l}",
                  "{f}", "{l}")
DIGIT_LOOKS = str.maketrans("OoQDIl|iSsZzGgq", "000011115522699")


def _signer(readings: dict[str, Reading], sure: bool = True) -> tuple[str, str] | None:
    """(first, last) name of the person who signs for the customer, in small letters (the
    printed name under the signature: the customer's name may be a business's; without one, the
    customer's name if it is a person's); when ``sure``, only if read without doubt or as a
    known first name and surname (a name in doubt would spread its own misreading, "PRTYA")."""
    r = readings.get("customer_print_name")
    if r is None or not isinstance(r.value, str) or not r.value.strip():
        # No printed name: the customer's own name, where it is a person's.
        r = readings.get("customer_name")
        if r is None or not isinstance(r.value, str) or not _known_person(r.value):
            return None
    if sure and r.reasons and not _known_person(r.value):
        return None
    words = re.findall(r"[A-Za-z]{2,}", r.value)
    return (words[0].lower(), words[-1].lower()) if 2 <= len(words) <= 3 else None


def _known_person(name: str) -> bool:
    """A known first name and a common surname (Census lists): a name read in doubt that is one
    is rarely a misreading of another, unlike "PRTYA OKAFOR"."""
    words = re.findall(r"[A-Za-z]+", name.upper())
    if len(words) != 2:
        return False
    return reference.is_first_name(words[0]) and usual_surname(words[1])


LETTER_LIKE = {"0": "o", "1": "li", "5": "s", "|": "li"}  # digits and marks taken for letters


def _spelled_with_digits(piece: str, name: str) -> bool:
    """``piece`` is ``name`` with one or more letters read as look-alike digits ("hal1", "5mith")."""
    return piece != name and any(ch in LETTER_LIKE for ch in piece) and all(
        p == n or n in LETTER_LIKE.get(p, "") for p, n in zip(piece, name, strict=True))


def spell_names(local: str, names: tuple[str, str]) -> str:
    """The part of an e-mail before the @ with the signer's names in it spelled as the names:
    a name with a digit for a look-alike letter ("laura.hal199" beside LAURA HALL: hall99), and
    a name followed by letters that look like digits where the address ends ("joshua.lopezl":
    lopez1; but "linhl" beside LINH LEE is his initial)."""
    for name in sorted({n for n in names if len(n) >= 3}, key=len, reverse=True):
        for start in range(len(local) - len(name) + 1):
            if _spelled_with_digits(local[start:start + len(name)], name) and not (start and local[start - 1].isalpha()):
                local = local[:start] + name + local[start + len(name):]
                break
        tail = re.search(rf"(?<![a-z]){re.escape(name)}([l|o]+)$", local)  # not i: a j too
        if tail and not any(n.startswith(tail.group(1)) for n in names if n != name):
            local = local[: tail.start(1)] + tail.group(1).translate(DIGIT_LOOKS)
    return local


def _names_in_address(local: str, first: str, last: str) -> tuple[set[str], set[str]]:
    """The first names and surnames an address's part before the @ (its trailing digits off)
    spells in a usual form (EMAIL_PATTERNS) beside the other name as read: "meiy" beside YOUNG
    spells the first name mei ({f}{li}), "wei.okafor" beside OKAFOR wei, beside WEI okafor."""
    firsts, lasts = set(), set()
    for sep in ".", "_":
        if local.count(sep) == 1:
            a, b = local.split(sep)
            if b == last:
                firsts.add(a)
            if a == first:
                lasts.add(b)
            if sep == "." and a == last:  # {l}.{f}
                firsts.add(b)
    if "." not in local and "_" not in local:
        if len(local) > 1 and local[-1] == last[:1]:
            firsts.add(local[:-1])  # {f}{li}
        if local.endswith(last) and len(local) > len(last):
            firsts.add(local[: -len(last)])  # {f}{l}
        if local.startswith(first) and len(local) > len(first) + 1:
            lasts.add(local[len(first):])  # {f}{l}
    return {f for f in firsts if len(f) >= 3}, {name for name in lasts if len(name) >= 3}


def names_from_email(readings: dict[str, Reading]) -> list[str]:
    """A person's name read a letter off, or broken in two at a wide gap, where the customer's
    e-mail address spells it in a usual form beside the other name as read (two pieces of ink):
    MET YOUNG beside meiy@ is MEI YOUNG, KEN JI WRIGHT beside kenjiw@ KENJI WRIGHT, WE/OKAFOR
    beside wei.okafor@ WEI OKAFOR. A letter is changed only where the address's spelling is a
    known name and the one read is not. For the clerk to confirm. Returns the keys changed."""
    er = readings.get("customer_email")
    if er is None or not isinstance(er.value, str) or er.value.count("@") != 1:
        return []
    local = re.sub(r"\d+$", "", er.value.split("@")[0].lower())
    changed = []
    for key in ("customer_print_name", "customer_name"):
        r = readings.get(key)
        if r is None or not isinstance(r.value, str) or (key == "customer_name" and is_business(r.value)):
            continue
        words = list(re.finditer(r"[A-Za-z]+", r.value))
        if not 2 <= len(words) <= 4:
            continue
        first, last = words[0].group(0).lower(), words[-1].group(0).lower()
        firsts, lasts = _names_in_address(local, first, last)
        value = None
        if len(words) >= 3 and first + words[1].group(0).lower() in firsts and len(words[1].group(0)) <= 2 \
                and r.value[words[0].end(): words[1].start()] == " ":
            # KEN JI: KENJI. (ROSE MARY beside rosemaryk@ stays apart: an address has no spaces.)
            value = r.value[: words[0].end()] + r.value[words[1].start():]
        elif len(firsts) == 1 and (f := next(iter(firsts))) != first and Levenshtein.distance(f, first) == 1 \
                and reference.is_first_name(f) and not reference.is_first_name(first):
            value = r.value[: words[0].start()] + _cased(f, words[0].group(0)) \
                + re.sub(r"^[/|\\]$", " ", r.value[words[0].end(): words[1].start()]) + r.value[words[1].start():]
        elif len(lasts) == 1 and (name := next(iter(lasts))) != last and Levenshtein.distance(name, last) == 1 \
                and usual_surname(name) and reference.surname_rank(last) is None:
            value = r.value[: words[-1].start()] + _cased(name, words[-1].group(0)) + r.value[words[-1].end():]
        if value is None or value == r.value:
            continue
        was = r.value
        r.repair(value)
        r.alternatives = []
        r.doubt(f"read {was!r}; the e-mail address {er.value} spells the name so", at_most=0.75)
        changed.append(key)
    return changed


def _cased(word: str, like: str) -> str:
    return word.upper() if like.isupper() else word.title() if like[:1].isupper() else word


EXCESS_LETTER = 0.5  # what a letter read in excess costs beyond one change


def email_from_names(readings: dict[str, Reading]) -> str | None:
    """The customer's e-mail address, read in doubt, whose part before the @ is a letter or
    two away from a usual form of the signer's name ("tdeldado" for Thomas Delgado,
    "mflissa.davis43" for Melissa Davis) becomes that form, with the digits written after it.
    What the reader saw of dots is kept: a dot never read is not added, but an address read
    without doubt as first and last name run together ("michaelduncan") goes to the clerk:
    both readers lose a dot alike. When two forms are as near ("steveni": stevenj or
    steven1?) nothing is changed. Returns the new value, or None."""
    r, names = readings.get("customer_email"), _signer(readings, sure=False)
    if r is None or names is None or not isinstance(r.value, str) or r.value.count("@") != 1:
        return None
    local, domain = r.value.split("@")
    first, last = names
    forms = {p.format(f=first, l=last, fi=first[0], li=last[0]) for p in EMAIL_PATTERNS}
    spelled = spell_names(local, names)
    if spelled != local:
        # Both readers often agree on such an address, fully sure of it.
        r.value, local = f"{spelled}@{domain}", spelled
        r.confidence *= 0.97
        r.evidence["repaired"] = True
    if not r.reasons:
        # Read without doubt: "mrobinson" is somebody's address, not brobinson misread. But a
        # dot is the smallest mark on the form, and both readers lose it alike.
        bare = re.sub(r"\d+$", "", local)
        if bare == first + last:
            r.doubt(f"no dot read between {first} and {last}: check for one")
        else:
            # Nor is "fmller" beside FATIMA MILLER surely somebody's: a letter from a usual
            # form of the name, it may be that form with a letter lost, both readers sure of it.
            near = sorted(f for f in forms if len(f) >= NAME_FORM_MIN and bare not in forms
                          and Levenshtein.distance(bare.replace(".", ""), f.replace(".", "")) == 1)
            if near:
                r.doubt(f"{bare!r} is a letter from {near[0]!r}, a usual address of the signer: check it")
        return None
    if _signer(readings) is None:
        return None  # to change an address, the name it is read against must be sure
    best: dict[str, int] = {}
    for cand in forms:
        limit = 1 if len(cand) < 8 else 2
        # Letters may be lost or misread, or one read in excess; never a whole ending dropped.
        for cut in range(max(1, len(cand) - limit), min(len(local), len(cand) + 1) + 1):
            head, read_tail = local[:cut], local[cut:]
            tail = read_tail.translate(DIGIT_LOOKS)
            if tail and not tail.isdigit():
                continue
            # A letter taken for a digit is one change too: "steveni" is stevenj or steven1. A
            # letter read in excess is the rarer slip: "murrayi3" is murray13, not murray3; a
            # speck read as a dot is not ("alope.z" beside AMANDA LOPEZ: alopez).
            cost = Levenshtein.distance(head, cand) + sum(a != b for a, b in zip(read_tail, tail)) \
                + EXCESS_LETTER * (len(head.replace(".", "")) > len(cand.replace(".", "")))
            if cost <= limit:
                value = cand + tail
                best[value] = min(cost, best.get(value, cost))
    if not best:
        return None
    low = min(best.values())
    winners = [v for v, c in best.items() if c == low]
    if len(winners) != 1 or winners[0] == local:
        return None
    r.value = f"{winners[0]}@{domain}"
    r.confidence *= 0.97
    r.evidence["repaired"] = True
    return r.value


def _name_words(name: str) -> list[str]:
    """A name's words as a domain holds them: lower case, letters and digits only."""
    return [w for w in (re.sub(r"[^a-z0-9]", "", w) for w in re.split(r"[\s,&/-]+", name.lower())) if w]


def _name_cut_short(label: str, name: str) -> bool:
    """A domain name that is a name's first words run together and the start of the next one
    ("hernandezautobodys" for HERNANDEZ AUTO BODY SHOP): the name written short, not misread."""
    words = _name_words(name)
    for n in range(1, len(words)):
        run = "".join(words[:n])
        if label.startswith(run) and words[n].startswith(label[len(run):]):
            return True
    return False


def _business_labels(name: str, known_only: bool) -> set[str]:
    """The domain names a business is likely to write its address at: its name's words run
    together from the first, with "co" after them or not ("SUMMIT ENERGY CO": summit,
    summitenergy, summitco, ...); only as far as its words are known ones (a name, a business's
    or a town's word) where ``known_only``."""
    words = _name_words(name)
    labels = set()
    for n in range(1, len(words) + 1):
        if known_only and not known_word(words[n - 1], True):
            break
        label = "".join(words[:n])
        if len(label) >= 3:
            labels |= {label, label + "co"}
    return labels


def email_domain_from_business(readings: dict[str, Reading]) -> str | None:
    """The customer's e-mail address, read in doubt, at a domain a letter or two from the
    customer's own name ("summico.com" beside SUMMIT CO: summitco.com; "m0orefloresco.com"
    beside MOORE-FLORES): a business writes its name in its domain, as a keying operator knows.
    The domain's name becomes the nearest such name when no other is as near; its ending and
    the part before the @ are kept, and the address still goes to the clerk. A name read in
    doubt lends only its known words (a surname, a town's: not BAYMEW for bayviewco), a domain
    read as a known word stays (wilson.net beside WILLSON), and so does one that is the name's
    first words and the start of the next (hernandezautobodys beside HERNANDEZ AUTO BODY SHOP).
    Returns the new value, or None."""
    r, named = readings.get("customer_email"), readings.get("customer_name")
    if r is None or named is None or not r.reasons or not isinstance(r.value, str) \
            or not isinstance(named.value, str) or r.value.count("@") != 1:
        return None
    local, domain = r.value.split("@")
    label, dot, ending = domain.partition(".")
    if not dot or len(label) < 4 or known_word(re.sub(r"co$", "", label), True) \
            or _name_cut_short(label, named.value):
        return None
    near: dict[str, int] = {}
    for cand in _business_labels(named.value, known_only=bool(named.reasons)):
        limit = 1 if len(cand) < 8 else 2
        d = Levenshtein.distance(label, cand, score_cutoff=limit)
        if d == 0:
            return None  # the domain is the customer's name as read
        if d <= limit:
            near[cand] = d
    if not near:
        return None
    low = min(near.values())
    winners = [c for c, d in near.items() if d == low]
    if len(winners) != 1:
        return None
    r.value = f"{local}@{winners[0]}.{ending}"
    r.confidence *= 0.97
    r.evidence["repaired"] = True
    return r.value


TWIN_NEAR = 0.15  # a reading in doubt this close (edits per letter) to its confident twin is it misread


def near_twins(readings: dict[str, Reading]) -> list[str]:
    """A name or street read in doubt, a letter or two from the same words read without doubt
    in its twin field (the print name under the signature, the mailing street at the start of
    a service address), takes the twin's letters; it stays marked for the clerk, who sees the
    reason. The house number must agree: a neighbour's building is another address."""
    changed = []
    for key, twins in SPACED_TWINS.items():
        r = readings.get(key)
        if r is None or not r.reasons or not isinstance(r.value, str) or not r.value.strip():
            continue
        for twin_key in twins:
            twin = readings.get(twin_key)
            if twin is None or twin.reasons or not isinstance(twin.value, str) or not twin.value.strip():
                continue
            if key.startswith("sa"):
                mine, theirs = _nearest_words(r.value, squash(twin.value, False)), twin.value
            elif key == "mailing_street":
                mine, theirs = r.value, _nearest_words(twin.value, squash(r.value, False))
            else:
                mine, theirs = r.value, twin.value
            if not mine or not theirs:
                continue
            a, b = squash(mine, False), squash(theirs, False)
            if a == b or Levenshtein.distance(a, b) > max(1.0, TWIN_NEAR * len(b)):
                continue
            if re.match(r"\s*(\d*)", mine).group(1) != re.match(r"\s*(\d*)", theirs).group(1):
                continue
            new = theirs.upper() if mine.isupper() else theirs
            r.reasons = list(r.reasons) + [f"read as {mine!r}; {twin_key.replace('_', ' ')} says {new!r}"]
            r.value = new + r.value[len(mine):] if key.startswith("sa") else new
            r.evidence["repaired"] = True
            changed.append(key)
            break
    return changed


DIRECTIONS = frozenset("N S E W NE NW SE SW NORTH SOUTH EAST WEST".split())


def street_sense(street: str) -> int:
    """How much of a street line reads as a street: a house number of digits, known words
    (directions, suffixes, unit words, town words, names), a unit's number; less a token of
    letters and digits mixed or with a mark inside ("LRAPT.97", "SUNSET'DR")."""
    tokens = re.findall(r"[^\s,]+", street)
    sense = 0
    for i, token in enumerate(tokens):
        core = token.strip(".,")
        word = core.upper()
        if re.search(r"[^A-Za-z0-9#-]", core) or (re.search(r"\d", core) and re.search(r"[A-Za-z]", core)
                                                  and not ORDINAL.match(core)):
            sense -= 1
        elif i == 0:
            sense += 1 if core.isdigit() else 0
        elif word in DIRECTIONS or word in STREET_SUFFIXES or word in UNIT_WORDS or ORDINAL.match(core) \
                or known_word(word, True) or (core.isdigit() and tokens[i - 1].upper().strip(".") in UNIT_WORDS):
            sense += 1
    return sense


def _squashed(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def same_street(readings: dict[str, Reading]) -> list[str]:
    """The mailing street and a service address on that same street, read a little apart
    ("ALESSANDRO BLVD" / "ALESSANDRO BLVy", "8059 W ELM ST" / "QA59 WFIM ST"): the same
    customer wrote the same street twice, and the reading that makes more sense as a street is
    put in the doubtful other one, which goes to the clerk with the reason. Streets that differ
    by more than three letters or digits are different streets; two readings that make as much
    sense (a house number 28122 / 28129) are left for the house-number rule and the clerk."""
    mailing = readings.get("mailing_street")
    if mailing is None or not isinstance(mailing.value, str) or not mailing.value.strip():
        return []
    changed = []
    for i in range(1, 6):
        key = f"sa{i}_address"
        r = readings.get(key)
        if r is None or not isinstance(r.value, str) or not r.value.strip():
            continue
        street = _squashed(mailing.value)
        spans = [m.span() for m in re.finditer(r"[^\s,]+", r.value)]
        if len(street) < 6 or not spans:
            continue
        # The service address's street: as many of its first tokens as come nearest the mailing street.
        cost, end = min((Levenshtein.distance(street, _squashed(r.value[: spans[k - 1][1]])), spans[k - 1][1])
                        for k in range(1, len(spans) + 1))
        if not 1 <= cost <= 3:
            continue
        theirs = r.value[:end]
        ours, their_sense = street_sense(mailing.value), street_sense(theirs)
        if ours > their_sense and r.reasons:
            was, r.value = r.value, mailing.value.strip() + r.value[end:]
            target, other = r, f"the mailing street {mailing.value.strip()!r}"
        elif their_sense > ours and mailing.reasons:
            was, mailing.value = mailing.value, theirs.rstrip(" ,")
            target, other, key = mailing, f"service address {i} {theirs.rstrip(' ,')!r}", "mailing_street"
        else:
            continue
        target.reasons = list(target.reasons) + [f"read as {was!r}; the same street as {other}"]
        target.confidence = min(target.confidence * 0.97, 0.75)
        target.evidence["repaired"] = True
        changed.append(key)
    return changed


NAME_MARGIN = 3.0  # the provider named must fit the name read this much better than any other


def drp_id_from_name(readings: dict[str, Reading], registry, name_min_score: float) -> list[str]:
    """A provider id read as no registered id ("DRP4000"), one digit from the id of the one
    provider that the name read beside it clearly names (Pacific Power Aggregation Co.,
    DRP1000), is that id misread: it is put in, with the reason, and the clerk checks it (the
    id now comes from the name, so the two no longer vouch for each other). So is one two
    digits off, or beside a name two providers share ("Big Bear Energy Response"), where the
    one provider the name fits also has its contact, phone or e-mail on the form (the first
    provider's only). A registered id that names another provider is left as read: that
    mismatch is the customer's, for the rules to report. Returns the keys changed."""
    changed = []
    if registry is None:
        return changed
    for slot in ("drp1", "drp2"):
        rid, name = readings.get(f"{slot}_id"), readings.get(f"{slot}_name")
        if rid is None or name is None or not isinstance(rid.value, str) or not rid.value \
                or not isinstance(name.value, str) or not name.value or registry.get(rid.value) is not None:
            continue
        named = registry.match_name(name.value)
        if named is None or named.score < name_min_score:
            continue
        near = registry.closest_ids(rid.value, limit=len(registry), max_distance=2)
        one_off = {d.registration_no for d, distance in near if distance <= 1}
        vouched = [d for d, _ in near if slot == "drp1" and _contact_vouches(readings, d, near=True)
                   and registry.name_matches(d.registration_no, name.value) >= name_min_score]
        if named.margin >= NAME_MARGIN and named.drp.registration_no in one_off:
            target, drp = named.drp.registration_no, named.drp
        elif len(vouched) == 1:
            target, drp = vouched[0].registration_no, vouched[0]
        else:
            continue
        rid.doubt(f"read as {rid.value}, which is not registered: the provider named, "
                  f"{drp.display_name}, is {target}", at_most=0.8)
        rid.value = target
        rid.evidence["repaired"] = True
        changed.append(f"{slot}_id")
    return changed
