"""The date on the mail room's RECEIVED stamp, read from the template's office-use box.

The rules need the date a form was received (a signature may not be later, nor too old);
a stamped form carries it, so the clerk does not have to key it. A date given on import
(``--received``) takes precedence over the stamp.
"""
from __future__ import annotations

import datetime as dt
import re

import cv2
import numpy as np

from cisr_desk.capture import formats


MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
WORDY = re.compile(r"\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s*(\d{1,2})\s*,?\s*(\d{4})\b")
NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./"  # what a stamp's lines are read in
DIGIT_LIKE = str.maketrans("OQDIlLSZB", "001111528")
TOKENS = re.compile(r"([A-Z]{3,9})[.:\s]*([0-9OQDILSZB]{1,2})\s*[,.:]?\s*([0-9OQDILSZB]{4})")


def _fuzzy(upper: str) -> dt.date | None:
    """A stamp's ink is uneven and its small print runs through the date: take a month name
    that is nearly right, and letters that stand where digits must."""
    from rapidfuzz import process

    for m in TOKENS.finditer(upper):
        found = process.extractOne(m.group(1)[-3:], list(MONTHS), score_cutoff=60)
        if not found:
            continue
        day, year = (g.translate(DIGIT_LIKE) for g in (m.group(2), m.group(3)))
        try:
            return dt.date(int(year), MONTHS[found[0]], int(day))
        except ValueError:
            continue
    return None


def parse_stamp(text: str) -> dt.date | None:
    """A date in a stamp's words: "MAY 22 2026", "May 22, 2026" or "05/22/2026"."""
    upper = text.upper().replace("0CT", "OCT")
    for m in WORDY.finditer(upper):
        try:
            return dt.date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        except ValueError:
            continue
    for m in NUMERIC.finditer(upper):
        try:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        except ValueError:
            continue
    return _fuzzy(upper)


OVERFLOW_PT = 24.0  # how far below the office-use box a stamp may reach
STAMP_INK = 0.004  # the least share of a box's pixels that is ink where a stamp is


def read_received(reader, source: np.ndarray, matrix: np.ndarray, blank, page_index: int, rect) -> dt.date | None:
    """Find the stamp in the office-use box and read its date, or None (no stamp). Where the box
    has a stamp but gives no date, it is read again with the blank page below it: a stamp is
    often set low, across the box's foot, and on a fax stretched down the sheet the box's place
    misses the date line. Then once more as scanned, the form's print not wiped: wiping the
    box's foot can cut through a date set across it (the stamp's reading takes out rules itself).
    Above the box is the DRP's handwriting, never taken in."""
    from cisr_desk.capture.zones import extract_zone, warp_zone

    x0, y0, x1, y1 = rect
    zone = extract_zone(source, matrix, blank, page_index, rect, 0.0).image
    if not _stamped(zone):
        return None  # no stamp in the box at all
    date = read_stamp(reader, zone)
    if date:
        return date
    lower = (x0, y0, x1, y1 + OVERFLOW_PT)
    return read_stamp(reader, extract_zone(source, matrix, blank, page_index, lower, 0.0).image) \
        or read_stamp(reader, warp_zone(source, matrix, lower, 0.0))


def _stamped(zone: np.ndarray) -> bool:
    from cisr_desk.capture.read import ink_mask

    return ink_mask(zone).mean() >= STAMP_INK


def read_stamp(reader, zone: np.ndarray, today: dt.date | None = None) -> dt.date | None:
    """The date on a stamp in a cleaned zone image (the blank's own print wiped), or None.

    The stamp's frame is taken out, then its lines of large print are found from the letters
    themselves (a rubber stamp's small print often runs into the date line, and a stamp is
    seldom square to the page), and each line is read alone, cut tight: a few short line
    reads, not a page OCR.
    """
    from cisr_desk.capture.read import ink_mask
    from cisr_desk.capture.zones import S

    mask = ink_mask(zone)
    if mask.mean() < STAMP_INK:
        return None  # nothing stamped
    # The frame would join the lines into one: take out runs longer than any letter is wide
    # or tall (the stamp's capitals are up to about 12 points high).
    m8 = mask.astype(np.uint8)
    rules = cv2.morphologyEx(m8, cv2.MORPH_OPEN, np.ones((1, int(25 * S)), np.uint8)) | \
        cv2.morphologyEx(m8, cv2.MORPH_OPEN, np.ones((int(18 * S), 1), np.uint8))
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))
    text = ((m8 > 0) & (rules == 0)).astype(np.uint8)
    clean = np.where(rules > 0, 255, zone).astype(np.uint8)
    today = today or dt.date.today()
    lines = _text_lines(text)
    # A stamp's date lies under its RECEIVED word, most often: that line is read first (the
    # word cost a read of the slower reader on nearly every stamp), the others after it in order.
    lines = lines[1:2] + lines[:1] + lines[2:]
    tried, date_like = [], []
    for x0, y0, x1, y1, keep in lines:
        pad = int(1.5 * S)
        box = (slice(max(0, y0 - pad), y1 + pad), slice(max(0, x0 - pad), x1 + pad))
        # Only the line's own letters: the small print and the other lines' strokes that
        # reach into the box are wiped.
        letters = keep[box]
        line = np.where(letters | (text[box] == 0), clean[box], 255).astype(np.uint8)
        read = reader.read_line(line, CHARSET).text
        date = _plausible(parse_stamp(read), today)
        if date:
            return date
        if not _is_received_word(read):
            tried.append((box, letters))
            date_like.append((line, read))
    for box, letters in tried:
        # The stamp's small print ran into the line: its strokes are thinner than the large
        # capitals', so an opening as wide as half the capitals' stroke takes it out.
        bold = _bold_strokes(letters)
        if bold is None:
            continue
        line = np.where(bold | (text[box] == 0), clean[box], 255).astype(np.uint8)
        read = reader.read_line(line, CHARSET).text
        date = _plausible(parse_stamp(read), today)
        if date:
            return date
        date_like.append((line, read))
    # Last, what reads like a date but none of the last two years ("MAY 012926"): read again
    # under a stamp's formats. Only after every free reading failed (one of them, where the
    # small print is gone, is surer of a day than the formats are: "JUL 10" read "JUL 18"), and
    # only where the line with and without its small print give the same date: where the small
    # print runs through a digit, the two can differ ("10/12/2026" read 10/13 once), and the
    # clerk keys a date better than a guess.
    dates = {d for line, read in date_like if (d := _read_as_date(reader, line, read, today))}
    return dates.pop() if len(dates) == 1 else None


STAMP_SURE = 0.3  # the least confidence of a date read under a stamp's format


def _read_as_date(reader, line: np.ndarray, read: str, today: dt.date) -> dt.date | None:
    """A line read freely as something like a date but no date of the last two years ("MAY
    012926": the stamp's small print runs through the foot of the digits), read again under a
    stamp's formats (a month's letters, a day, a year 20YY; or MM/DD/YYYY), those years first."""
    if len(re.findall(r"\d", read)) < 4 or not hasattr(reader, "read_format"):
        return None  # not a date line (the RECEIVED word, the small print)
    years = range(today.year - 2, today.year + 1)
    best = None
    for loose, strict in ((formats.stamp_date(), formats.stamp_date(years)),
                          (formats.date(), formats.date(two_digit=True, years=years))):
        got = reader.read_format(line, loose, strict)
        date = _plausible(parse_stamp(got.text), today) if got.text else None
        if date and got.confidence >= STAMP_SURE and (best is None or got.confidence > best[0]):
            best = (got.confidence, date)
    return best[1] if best else None


def _plausible(date: dt.date | None, today: dt.date) -> dt.date | None:
    return date if date and dt.date(2000, 1, 1) <= date <= today + dt.timedelta(days=1) else None


def _is_received_word(text: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.ratio(re.sub(r"[^A-Z]", "", text.upper()), "RECEIVED") >= 75


def _bold_strokes(letters: np.ndarray) -> np.ndarray | None:
    """The letters' pixels that belong to strokes at least half as wide as their usual stroke
    (None where the strokes are too thin to tell the small print from them)."""
    m8 = letters.astype(np.uint8)
    dist = cv2.distanceTransform(m8, cv2.DIST_L2, 3)
    inside = dist[letters]
    if inside.size == 0:
        return None
    width = 2.0 * float(np.percentile(inside, 90))  # the stroke width of the capitals
    k = int(round(width * 0.55))
    if k < 3:
        return None
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.morphologyEx(m8, cv2.MORPH_OPEN, kernel) > 0


def _text_lines(text: np.ndarray) -> list[tuple[int, int, int, int, np.ndarray]]:
    """The lines of large print, top first: each one's box (x0, y0, x1, y1) and the mask of its
    letters. A letter is a mark about as tall as the stamp's capitals; one that the small print
    ran into is taller, but starts where its neighbours start, so letters are grouped by their
    tops and a line ends where most of its letters end."""
    from cisr_desk.capture.read import components
    from cisr_desk.capture.zones import S

    n, labels, stats = components(text)
    marks = [i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 3 * S and stats[i, cv2.CC_STAT_AREA] >= 20]
    if not marks:
        return []
    cap = float(np.percentile([stats[i, cv2.CC_STAT_HEIGHT] for i in marks], 75))
    def letter(i: int) -> bool:
        h, w = stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_WIDTH]
        if h > 1.3 * cap and w < 0.3 * h:
            return False  # a piece of the frame that a fax broke up, not a letter
        return 0.6 * cap <= h <= 2.6 * cap

    letters = sorted(filter(letter, marks), key=lambda i: stats[i, cv2.CC_STAT_TOP])
    groups: list[list[int]] = []
    for i in letters:
        top = stats[i, cv2.CC_STAT_TOP]
        if groups and abs(top - float(np.median([stats[j, cv2.CC_STAT_TOP] for j in groups[-1]]))) < 0.4 * cap:
            groups[-1].append(i)
        else:
            groups.append([i])
    out = []
    for group in groups:
        group = _without_strays(sorted(group, key=lambda i: stats[i, cv2.CC_STAT_LEFT]), stats, cap)
        if len(group) < 3:
            continue  # a lone mark, not a line of a stamp
        st = stats[group]
        x0, y0 = int(st[:, cv2.CC_STAT_LEFT].min()), int(st[:, cv2.CC_STAT_TOP].min())
        x1 = int((st[:, cv2.CC_STAT_LEFT] + st[:, cv2.CC_STAT_WIDTH]).max())
        y1 = int(np.median(st[:, cv2.CC_STAT_TOP] + st[:, cv2.CC_STAT_HEIGHT]))
        out.append((x0, y0, x1, y1, np.isin(labels, group)))
    return out


def _without_strays(group: list[int], stats: np.ndarray, cap: float) -> list[int]:
    """A line's marks (left to right) less those at either end standing far from the rest: a
    remnant of the frame or a speck, not the first or last letter."""
    def gap(a: int, b: int) -> float:
        return float(stats[b, cv2.CC_STAT_LEFT] - stats[a, cv2.CC_STAT_LEFT] - stats[a, cv2.CC_STAT_WIDTH])

    while len(group) > 2 and gap(group[0], group[1]) > 1.5 * cap:
        group = group[1:]
    while len(group) > 2 and gap(group[-2], group[-1]) > 1.5 * cap:
        group = group[:-1]
    return group
