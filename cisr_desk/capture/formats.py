"""What a structured field may look like, as small automata for constrained decoding.

A date is one or two digits, a slash, one or two digits, a slash and four digits; an account
is ten digits with optional separators between them; and so on. The neural reader's output
is decoded with the best path *that the automaton accepts* (CTC Viterbi over automaton
states), so a handwritten 2 that looks like a Z, or a slash the model missed, is resolved by
what the field can hold rather than guessed character by character.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from cisr_desk.domain.fields import US_STATES, FieldType

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()


@dataclass(frozen=True)
class Automaton:
    """A DFA over characters: ``moves[state][char] -> state``; ``accept`` the final states."""

    moves: tuple[dict[str, int], ...]
    accept: frozenset[int]
    # As a preferred form (preferred_for_field): how much less likely (nats) its reading may be
    # than the field's loose format's and still be taken; None: the reader's default.
    prefer_within: float | None = None

    @property
    def alphabet(self) -> str:
        return "".join(sorted({c for m in self.moves for c in m}))


def sequence(*parts: tuple[str, int, int]) -> Automaton:
    """Character classes in order, each repeated between min and max times."""
    # States are (part index, count so far); built as a DFA because classes in a row that
    # share characters (digit groups) are separated by literal classes here.
    moves: list[dict[str, int]] = []
    index: dict[tuple[int, int], int] = {}

    def state(p: int, n: int) -> int:
        if (p, n) not in index:
            index[(p, n)] = len(moves)
            moves.append({})
        return index[(p, n)]

    start = state(0, 0)
    accept = set()
    todo = [(0, 0)]
    seen = set()
    while todo:
        p, n = todo.pop()
        if (p, n) in seen:
            continue
        seen.add((p, n))
        s = state(p, n)
        if p == len(parts):
            accept.add(s)
            continue
        chars, lo, hi = parts[p]
        if n < hi:
            for c in chars:
                moves[s][c] = state(p, n + 1)
            todo.append((p, n + 1))
        if n >= lo:
            # Skip ahead to the next part: its first characters leave from here too.
            q = p + 1
            if q == len(parts):
                accept.add(s)
            else:
                nchars, nlo, nhi = parts[q]
                for c in nchars:
                    if c in moves[s]:
                        continue  # ambiguous class boundary: the longer reading wins
                    moves[s][c] = state(q, 1)
                todo.append((q, 1))
                if nlo == 0:
                    # an optional part may be skipped entirely
                    r = q + 1
                    if r == len(parts):
                        accept.add(s)
                    else:
                        rchars = parts[r][0]
                        for c in rchars:
                            moves[s].setdefault(c, state(r, 1))
                        todo.append((r, 1))
    del start
    return Automaton(tuple(moves), frozenset(accept))


LINE_DIGITS_SPREAD = 1  # digits more or fewer than asked that a number written on a line may hold
# How much less likely the ten digits a box asks for may be than nine or eleven and still be
# read. Measured on seven generated sets (1,716 readings): where ten digits were written and the
# loose count read otherwise, the ten were at most 7.1 nats less likely (a run of one digit, "555",
# read as fewer); where nine or eleven were written, ten were 8.0 nats less likely or more.
DIGIT_COUNT_MARGIN = 7.5


def counted_digits(n: int, separators: str, spread: int = 0) -> Automaton:
    """Exactly n digits (n - spread to n + spread), with any separators between them (not
    before the first)."""
    most = n + spread
    moves: list[dict[str, int]] = []
    for k in range(most + 1):
        m: dict[str, int] = {}
        if k < most:
            for d in DIGITS:
                m[d] = k + 1
        if 0 < k < most:
            for s in separators:
                m[s] = k
        moves.append(m)
    return Automaton(tuple(moves), frozenset(range(max(1, n - spread), most + 1)))


def phone(spread: int = 0) -> Automaton:
    """Ten digits (or ten give or take ``spread``), optionally an area code in parentheses,
    separators between groups."""
    base = counted_digits(10, "-. ", spread)
    moves = [dict(m) for m in base.moves]
    # "(805) 864-8431": an opening parenthesis first, a closing one after three digits.
    paren = len(moves)
    moves.append({d: 1 for d in DIGITS})  # after "(" come the digits
    moves[0]["("] = paren
    moves[3][")"] = 3
    return Automaton(tuple(moves), base.accept)


def graph(edges: list[tuple[int, str, int]], accept: set[int]) -> Automaton:
    """An automaton from its edges (state, characters, next state)."""
    moves: list[dict[str, int]] = [{} for _ in range(1 + max(max(a, b) for a, _, b in edges))]
    for a, chars, b in edges:
        for c in chars:
            moves[a][c] = b
    return Automaton(tuple(moves), frozenset(accept))


def date(two_digit: bool = False, years: range | None = None) -> Automaton:
    """MM/DD/YYYY with a month 1-12, a day 1-31 and a year 20YY (a form of this century), or
    one of ``years``; the month and day may be written with one digit unless ``two_digit``."""
    edges = [
        (0, "0", 1), (0, "1", 2),                   # month's first digit
        (1, "123456789", 3), (2, "012", 3),         # 01-09, 10-12
        (4, "0", 5), (4, "12", 6), (4, "3", 7),     # day's first digit
        (5, "123456789", 8), (6, DIGITS, 8), (7, "01", 8),
        (3, "/", 4), (8, "/", 9),
        (9, "2", 10), (10, "0", 11),
    ]
    edges += _year_edges(11, 13, years, 14)
    if not two_digit:
        edges += [(0, "23456789", 3), (2, "/", 4),  # 1-9: a one-digit month ("1/" included)
                  (4, "456789", 8), (6, "/", 9), (7, "/", 9)]  # 1-9, a one-digit day
    return graph(edges, {13})


# The years a date on a form read this year is written in: signatures of the last two years
# at most, a term that starts within a year and ends within ten.
DATE_YEARS = {"customer_sign_date": (-2, 0), "drp_sign_date": (-2, 0), "term_start": (-2, 1), "term_end": (-1, 10)}


MONTH_ABBREVIATIONS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _year_edges(start: int, accept: int, years: range | None, fresh: int) -> list[tuple[int, str, int]]:
    """Edges from ``start`` (after "20") to ``accept`` over the last two digits of ``years``
    (any two digits when None); new states are numbered from ``fresh``."""
    if years is None:
        return [(start, DIGITS, fresh), (fresh, DIGITS, accept)]
    decades: dict[str, str] = {}
    for year in years:
        if 2000 <= year <= 2099:
            decades[str(year)[2]] = decades.get(str(year)[2], "") + str(year)[3]
    edges = []
    for n, (tens, units) in enumerate(sorted(decades.items())):
        edges += [(start, tens, fresh + n), (fresh + n, units, accept)]
    return edges


def stamp_date(years: range | None = None) -> Automaton:
    """A dater stamp's date: a month's three letters, a two-digit day 01-31 and a year 20YY (or
    one of ``years``), with spaces or a comma between them or none ("MAY 01 2026", "APR052026")."""
    trie = words(frozenset(MONTH_ABBREVIATIONS))
    n = len(trie.moves)
    space, tens0, tens12, tens3, day2, sep, y1, y2, done = range(n, n + 9)
    edges = [(a, c, b) for a, m in enumerate(trie.moves) for c, b in m.items()]
    for start in (*trie.accept, space):  # a day 01-31
        edges += [(start, "0", tens0), (start, "12", tens12), (start, "3", tens3)]
    edges += [(month, " ", space) for month in trie.accept]
    edges += [(space, " ", space), (tens0, "123456789", day2), (tens12, DIGITS, day2), (tens3, "01", day2),
              (day2, " ,", sep), (sep, " ,", sep), (day2, "2", y1), (sep, "2", y1), (y1, "0", y2)]
    edges += _year_edges(y2, done, years, done + 1)
    return graph(edges, {done})


LOCAL = DIGITS + LOWER + "._-+"
LABEL = DIGITS + LOWER + "-"


def email() -> Automaton:
    """name@domain.tld, one "@" and at least one dot after it (lower case: see read.py)."""
    return graph([(0, LOCAL, 1), (1, LOCAL, 1), (1, "@", 2), (2, LABEL, 3), (3, LABEL, 3), (3, ".", 4),
                  (4, LABEL, 5), (5, LABEL, 5), (5, ".", 4)], {5})


def words(allowed: frozenset[str] | set[str]) -> Automaton:
    """Exactly one of a set of words (a trie)."""
    moves: list[dict[str, int]] = [{}]
    accept = set()
    for word in sorted(allowed):
        state = 0
        for c in word:
            if c not in moves[state]:
                moves[state][c] = len(moves)
                moves.append({})
            state = moves[state][c]
        accept.add(state)
    return Automaton(tuple(moves), frozenset(accept))


def for_field(ftype: FieldType, key: str, comb_cells: int = 0) -> Automaton | None:
    """The automaton of a field's written form, or None for free text."""
    if ftype is FieldType.STATE and comb_cells in (0, 2):
        return words(US_STATES)  # "CA" read as "EA" is no state; the likeliest state code is
    if comb_cells:
        if ftype is FieldType.STATE:
            return sequence((UPPER, comb_cells, comb_cells))
        return counted_digits(comb_cells, "")
    if ftype is FieldType.DATE:
        return date()
    if ftype is FieldType.EMAIL:
        return email()
    # A number written on a line may be a digit short or long (a customer's slip, which the
    # rules must see): the reader takes the ten digits the box asks for (preferred_for_field)
    # unless the ink clearly holds nine or eleven, rather than make up or drop a digit.
    if ftype is FieldType.ACCOUNT:
        return counted_digits(10, "- ", LINE_DIGITS_SPREAD)
    if ftype is FieldType.PHONE:
        return phone(LINE_DIGITS_SPREAD)
    if ftype is FieldType.ZIP:
        return counted_digits(5, "")
    if ftype is FieldType.DRP_ID:
        return sequence(("D", 1, 1), ("R", 1, 1), ("P", 1, 1), (DIGITS, 4, 4))
    return None


def preferred_for_field(ftype: FieldType, key: str, comb_cells: int = 0, year: int | None = None
                        ) -> Automaton | None:
    """A stricter form the box asks for, where the field's format also accepts looser ones: a
    date as MM/DD/YYYY and, read in ``year``, in the years such a date is written in
    (``DATE_YEARS``): a hand-printed 2026 whose 2 the model takes for a 0 is not 2006. A phone
    or an account number on a line: ten digits."""
    if ftype is FieldType.DATE and not comb_cells:
        span = DATE_YEARS.get(key)
        years = range(year + span[0], year + span[1] + 1) if span and year else None
        return date(two_digit=True, years=years)
    if ftype is FieldType.ACCOUNT and not comb_cells:
        return replace(counted_digits(10, "- "), prefer_within=DIGIT_COUNT_MARGIN)
    if ftype is FieldType.PHONE and not comb_cells:
        return replace(phone(), prefer_within=DIGIT_COUNT_MARGIN)
    return None
