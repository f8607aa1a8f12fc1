"""What one writer's hand shows across the whole form, beyond any one field.

A keying operator who meets a hand that crosses its sevens learns, after a field or two, that
its "9"s may be sevens. Both our readers read such a seven as a 9, each with full confidence
(the bar across the stem closes a loop), so no single field shows the doubt. The form as a whole
does: a form's account numbers, phones, ZIP and dates hold 40 to 100 digits, and among so many
a 7 is all but certain (none in 60 random digits: 0.2 %). No 7 anywhere, and more 9s than
their share, is that writer: every field with a 9 goes to the clerk, its 9s read again with the
7 made as much likelier as the form's own 9s show this hand's 7s need (split_of). Any other digit
a form never shows is a sign too, where the model saw it nearly as likely somewhere (a 4 read as 1:
digits_never_read).

The registry shows a hand's slips too: where the provider's id or phone was read a digit off and
the registry set it right, the form itself says how this hand's digits are misread ("DRP1892" for
DRP1872: its 7s read as 9s, by both readers, fully sure), and a keying operator looks again at
every other 9 the same hand wrote. So does a mailing ZIP taken off its city a digit off
("91990" beside ROSEMEAD, whose ZIP is 91770), and a date the readers disagreed on that the
form's other dates settled against the neural reader.
"""
from __future__ import annotations

import re

from cisr_desk.capture.read import Reading, value_of
from cisr_desk.capture.vocabulary import ADDRESS_KEYS
from cisr_desk.domain.fields import FieldType

NUMERIC = (FieldType.ACCOUNT, FieldType.PHONE, FieldType.ZIP, FieldType.DATE)
MIN_DIGITS = 40  # fewer, and a form without a 7 is not remarkable (a second page, a short form)
SEVENS_READ_AS_NINES = "no 7 among the {n} digits of this form but {nines} nines: a crossed 7 may have been read as 9"


def _numbers_and_digits(readings: dict[str, Reading], types: dict[str, FieldType]
                        ) -> tuple[dict[str, Reading], str]:
    """The form's numeric fields and addresses that hold a value, and all their digits as the
    readers saw them: a ZIP taken off its city (capture/context.py) is no evidence of how this hand
    writes its 7s (yusei-magic's 91990 became ROSEMEAD's 91770, and with its 7s the form's nine
    other 9s-for-7s went through unmarked)."""
    numeric = {k: r for k, r in readings.items()
               if (types.get(k) in NUMERIC or k in ADDRESS_KEYS) and isinstance(r.value, str) and r.value}
    digits = "".join(re.sub(r"\D", "", r.raw if r.evidence.get("repaired") else r.value) for r in numeric.values())
    return numeric, digits


def sevens_read_as_nines(readings: dict[str, Reading], types: dict[str, FieldType]) -> list[str]:
    """Mark for the clerk every numeric field and address holding a 9 when the form's digits
    (its numbers' and its addresses' house numbers, units and ZIPs) have no 7 and more 9s than a
    tenth of them; returns the keys marked. A house number is written by the same hand: read
    alike in the mailing address and a service address, it is no less a 9 read for a 7."""
    numeric, digits = _numbers_and_digits(readings, types)
    nines = digits.count("9")
    if len(digits) < MIN_DIGITS or "7" in digits or nines * 10 <= len(digits):
        return []
    reason = SEVENS_READ_AS_NINES.format(n=len(digits), nines=nines)
    marked = [key for key, r in numeric.items() if "9" in r.value]
    turns = {key: turning_points(numeric[key], types.get(key), "9", "7") for key in marked}
    nats = split_of([t for points in turns.values() for t in points])
    for key in marked:
        numeric[key].doubt(reason, at_most=0.6)
        if turns[key]:
            reread(numeric[key], types.get(key), "9", "7", nats)
    return marked


# How much likelier (nats) reread makes the digit a hand is shown to write so that it reads as
# another: as much as leaves 99% of the tuning writers' 9s read as 9s when their 7s are favoured
# (validation set seed 31003, 572 9s read right in numbers: 4 turn to 7 at 6 nats, 7 at 7, 13 at
# 7.5). A crossed 7 read as 9 is often only a few nats short of the 7 in the model's own reading.
FAVOUR_NATS = 6.0

# A form that shows its 7s read as 9s has two kinds of 9 in it: 7s the model saw a 7 nearly as
# likely in, and 9s it saw none in. Where the one kind ends and the other begins is the form's own:
# held-out hand yusei-magic's 7s turn from 9 at 0.5 to 11 nats of favour, its 9s at 8.5 and beyond,
# and another hand's 9s may sit lower. Its 9s' turning points are split in two where the two
# groups are the most apart (Otsu's criterion), within FAVOUR_NATS (as much as leaves 99% of the
# tuning writers' 9s read as 9s) and SPLIT_MOST_NATS (where 1 in 15 of them turn: 38 of the 571 in their
# accounts, phones and ZIPs).
SPLIT_MOST_NATS = 9.0
TURN_LADDER = tuple(float(n) for n in range(1, 15))  # a 9 the model saw no 7 in by 14 nats is 14
MIN_TO_SPLIT = 4  # fewer 9s say nothing of where a hand's two kinds part


def turning_points(r: Reading, ftype: FieldType | None, read: str, true: str) -> list[float]:
    """How much likelier (nats, TURN_LADDER's steps) ``true`` must be made for each ``read`` digit
    of the value to read as ``true``: one figure a digit, the ladder's last where it never turns.
    Empty where the field is not read again (_as_read)."""
    before = _as_read(r, ftype)
    if before is None:
        return []
    places = [i for i, c in enumerate(re.sub(r"\D", "", before)) if c == read]
    turned: dict[int, float] = {}
    for nats in TURN_LADDER:
        differ = _digit_differences(before, _as_value(r.trace.text({true: nats}), ftype) or "") or []
        for i, x, y in differ:
            if (x, y) == (read, true):
                turned.setdefault(i, nats)
        if len(turned) == len(places):
            break
    return [turned.get(i, TURN_LADDER[-1]) for i in places]


def split_of(points: list[float]) -> float:
    """The favour that parts a form's turning points into its two kinds (Otsu: the cut that makes
    the two groups' means furthest apart, weighted by their sizes), held within FAVOUR_NATS and
    SPLIT_MOST_NATS; FAVOUR_NATS where there are too few to part."""
    points = sorted(points)
    if len(points) < MIN_TO_SPLIT:
        return FAVOUR_NATS
    best, cut = -1.0, FAVOUR_NATS
    for i in range(1, len(points)):
        low, high = points[:i], points[i:]
        apart = len(low) * len(high) * (sum(high) / len(high) - sum(low) / len(low)) ** 2
        if apart > best:
            best, cut = apart, (points[i - 1] + points[i]) / 2
    return min(max(cut, FAVOUR_NATS), SPLIT_MOST_NATS)


def _as_read(r: Reading, ftype: FieldType | None) -> str | None:
    """The neural reader's reading of a field as the value holds it, where it may be read again:
    None where it left no trace, where the value no longer holds its digits (the other reader's,
    a ZIP taken off its city) and where another field or the registry vouched for the value."""
    if r.trace is None or not isinstance(r.value, str) or r.evidence.get("support"):
        return None
    before = _as_value(r.trace.text(), ftype)
    if before is None or re.sub(r"\D", "", r.value) != re.sub(r"\D", "", before):
        return None
    return before


def _as_value(text: str | None, ftype: FieldType | None) -> str | None:
    """A reading as the value holds it: a date's digits in the value's order."""
    if text is None or ftype is None or ftype is FieldType.TEXT:
        return text
    return value_of(ftype, text)


def _only_slips(before: str, after: str, read: str, true: str) -> list[int] | None:
    """The places of the digits that ``after`` has as ``true`` where ``before`` has ``read``, when
    that is all that differs between their digits (None otherwise)."""
    differ = _digit_differences(before, after)
    if not differ or any((x, y) != (read, true) for _, x, y in differ):
        return None
    return [i for i, _, _ in differ]


def reread(r: Reading, ftype: FieldType | None, read: str, true: str, nats: float = FAVOUR_NATS) -> bool:
    """Have the neural reader read the field again with ``true`` made ``nats`` likelier, for a
    hand the form shows writes its ``true``s so that they read as ``read``s, and put the digits
    that turn from ``read`` to ``true`` in the value (nothing else of the value changes: a repair
    by the context rules stays). True when the value changed. A reading the value no longer
    holds (the other reader's, a ZIP taken off its city), and a value another field or the
    registry vouched for (capture/context.py, crosscheck.py), are left alone."""
    before = _as_read(r, ftype)
    if before is None:
        return False
    after = _as_value(r.trace.text({true: nats}), ftype)
    places = _only_slips(before, after, read, true) if after is not None else None
    if places is None:
        return False
    digit, out = -1, []
    for c in r.value:
        if c.isdigit():
            digit += 1
            c = true if digit in places else c
        out.append(c)
    r.value = "".join(out)
    return True


# The fields the registry sets right when they are read a little off (crosscheck: drp_id_from_name,
# registered_contact): their reading, kept as ``raw``, is the hand's own digits misread.
REGISTRY_KEYS = ("drp1_id", "drp2_id", "drp1_phone")
REGISTRY_SHOWS = ("the provider's {field} was read with {read} where the registry has {true}: "
                  "this hand's {true}s may read as {read}s")
CITY_SHOWS = ("the mailing ZIP was read {zip_read} where the city's is {zip}: "
              "this hand's {true}s may read as {read}s")
SETTLED_SHOWS = ("the readers saw {a} or {b} in {field} (settled as {value} by the form's other dates): "
                 "this hand's {a}s and {b}s may be mistaken for each other")


def _digit_differences(a: str, b: str) -> list[tuple[int, str, str]] | None:
    """(place, digit of ``a``, digit of ``b``) wherever the digits of two numbers of as many
    digits differ (None where their lengths differ)."""
    a, b = re.sub(r"\D", "", a), re.sub(r"\D", "", b)
    if len(a) != len(b):
        return None
    return [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]


def _digit_slip(read: str, true: str) -> tuple[str, str] | None:
    """(read, true) where two numbers of as many digits differ in one digit alone: a misread. Two
    or more digits off may be another number (a phone the provider has since changed)."""
    differ = _digit_differences(read, true)
    return differ[0][1:] if differ is not None and len(differ) == 1 else None


def _digits_written(value: str, ftype: FieldType | None) -> str:
    """The digits of a value that a reader may have misread for another: a date's "202" is every
    year's this decade (a year misread so is far off, and the date rules catch it)."""
    digits = re.sub(r"\D", "", value)
    return digits[3:] if ftype is FieldType.DATE else digits


def _mark_slips(readings: dict[str, Reading], types: dict[str, FieldType], slips: dict[str, str],
                skip: tuple[str, ...] = ()) -> list[str]:
    """Doubt every number and address holding one of ``slips``' digits (digit -> the reason)."""
    marked = []
    for key, r in readings.items():
        if key in skip or not isinstance(r.value, str) or not r.value:
            continue
        if types.get(key) not in NUMERIC and key not in ADDRESS_KEYS:
            continue
        digits = _digits_written(r.value, types.get(key))
        reason = next((why for digit, why in slips.items() if digit in digits), None)
        if reason is not None:
            r.doubt(reason, at_most=0.6)
            marked.append(key)
    return marked


def digits_the_registry_corrected(readings: dict[str, Reading], types: dict[str, FieldType]) -> list[str]:
    """Mark for the clerk every other number and address holding a digit that this form's
    registered fields show the hand's readers mistake for another (a 9 where the registry has a
    7), or its mailing ZIP taken off the city, and have them read again with the digit the hand
    meant in mind (reread); returns the keys marked."""
    slips: dict[str, str] = {}
    meant: dict[str, str] = {}  # digit read -> the digit the registry or the city shows was written
    for key in REGISTRY_KEYS:
        r = readings.get(key)
        if r is None or not r.evidence.get("repaired") or not isinstance(r.value, str):
            continue
        slip = _digit_slip(r.raw, r.value)
        if slip is not None:
            field = "phone" if key.endswith("phone") else "id"
            slips.setdefault(slip[0], REGISTRY_SHOWS.format(field=field, read=slip[0], true=slip[1]))
            meant.setdefault(slip[0], slip[1])
    zr = readings.get("mailing_zip")
    read = zr.evidence.get("zip_read") if zr is not None else None
    if read and isinstance(zr.value, str):
        # The ZIP taken off its city (capture/context.py: 91990 beside ROSEMEAD is 91770) shows
        # the slip as plainly: one digit misread, once or the same way twice.
        pairs = {(a, b) for a, b in zip(read, zr.value) if a != b}
        if len(pairs) == 1:
            (wrong, true), = pairs
            slips.setdefault(wrong, CITY_SHOWS.format(zip_read=read, zip=zr.value, read=wrong, true=true))
            meant.setdefault(wrong, true)
    marked = _mark_slips(readings, types, slips, skip=REGISTRY_KEYS) if slips else []
    for key in marked:
        for read_as, written in meant.items():
            reread(readings[key], types.get(key), read_as, written)
    return marked


def dates_settled_against_the_reader(readings: dict[str, Reading], types: dict[str, FieldType]) -> list[str]:
    """A date the readers disagreed on, settled by the form's other dates (crosscheck) as Tesseract
    read it and not the neural reader ("07/13" or "01/13", taken as 01/13 because the sign date
    was read "01/13" by both): the hand that wrote them all may make the one slip in every date,
    where no rule between the dates can see it (seed 5151: a form's three dates all read a month
    off, fully sure). Which of the two digits is right, the form does not say: every number and
    address holding either goes to the clerk, the value settled staying the readers' best."""
    slips: dict[str, str] = {}
    for key, r in readings.items():
        if types.get(key) is not FieldType.DATE or not r.evidence.get("support") or not r.alternatives:
            continue
        slip = _digit_slip(str(r.alternatives[0]), str(r.value))
        if slip is not None:
            why = SETTLED_SHOWS.format(a=slip[0], b=slip[1], field=key.replace("_", " "), value=r.value)
            slips.setdefault(slip[0], why)
            slips.setdefault(slip[1], why)
    return _mark_slips(readings, types, slips) if slips else []


# How much likelier digits_never_read makes the digit a form never shows: as much as turns at most
# 1 in 1000 of the tuning writers' digits toward any one other digit (validation set seed 31003,
# 10,020 digits of 1,181 hand-printed numbers read right: at 3 nats 61 turn toward one of the nine
# other digits, 0.07% toward a given one; at 4 nats 0.12%, at 6 nats 0.44%).
NEVER_READ_NATS = 3.0
NEVER_WRITTEN = ("no {absent} among the {n} digits of this form, and the reader sees one nearly as likely "
                 "in a {read}: this hand's {absent}s may read as {read}s")


def _turning(r: Reading, ftype: FieldType | None, true: str, nats: float) -> set[str]:
    """The digits of the field's reading (as the value holds it) that turn to ``true`` when it is
    made ``nats`` likelier; none where the field is not read again (_as_read)."""
    before = _as_read(r, ftype)
    if before is None:
        return set()
    after = _as_value(r.trace.text({true: nats}), ftype)
    return {x for _, x, y in _digit_differences(before, after or "") or [] if y == true}


def digits_never_read(readings: dict[str, Reading], types: dict[str, FieldType]) -> list[str]:
    """A hand whose 4s both readers take for 1s (held-out kristi: its 4 closed at the top, the bar
    short) leaves no 4 among the form's 40 to 100 digits, as a hand that crosses its 7s leaves no 7
    (sevens_read_as_nines), but which digit is read in its place is not known beforehand. The model
    says: such a 4 read as 1 turns to 4 with a few nats of favour, a 1 written as a 1 only with
    many. For each digit the form's numbers and house numbers never show (7 is sevens_read_as_nines'),
    each field is read again with it NEVER_READ_NATS likelier, and its digits that turn go in the
    value; every field holding a digit that turns by SPLIT_MOST_NATS goes to the clerk. Nothing
    happens unless some digit turns by NEVER_READ_NATS. Returns the keys marked."""
    numeric, digits = _numbers_and_digits(readings, types)
    if len(digits) < MIN_DIGITS:
        return []
    marked: list[str] = []
    for absent in sorted(set("012345689") - set(digits)):
        close: dict[str, set[str]] = {}  # key -> its digits that turn to the absent one by SPLIT_MOST_NATS
        turned: dict[str, set[str]] = {}  # key -> those that turn by NEVER_READ_NATS
        for key, r in numeric.items():
            close[key] = _turning(r, types.get(key), absent, SPLIT_MOST_NATS)
            if close[key]:
                turned[key] = _turning(r, types.get(key), absent, NEVER_READ_NATS)
        close = {key: reads for key, reads in close.items() if reads}
        if not any(turned.values()):
            continue
        for key, reads in close.items():
            numeric[key].doubt(NEVER_WRITTEN.format(absent=absent, n=len(digits), read="/".join(sorted(reads))),
                               at_most=0.6)
            for read in turned.get(key, ()):
                reread(numeric[key], types.get(key), read, absent, NEVER_READ_NATS)
            marked.append(key)
    return marked
