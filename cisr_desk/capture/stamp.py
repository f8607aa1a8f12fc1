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


MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
WORDY = re.compile(r"\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s*(\d{1,2})\s*,?\s*(\d{4})\b")
NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


DIGIT_LIKE = str.maketrans("OQDIlLSZB", "001111528")
TOKENS = re.compile(r"([A-Z]{2,9})[.:\s]*([0-9OQDILSZB]{1,2})\s*[,.:]?\s*([0-9OQDILSZB]{4})")


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


def _line_bands(mask: np.ndarray, min_height: int) -> list[tuple[int, int]]:
    """Rows of text: runs of rows with ink, at least ``min_height`` tall."""
    rows = mask.sum(axis=1) > max(3, mask.shape[1] // 200)
    bands, start = [], None
    for y, on in enumerate(list(rows) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= min_height:
                bands.append((start, y))
            start = None
    return bands


def read_received(reader, source: np.ndarray, matrix: np.ndarray, blank, page_index: int, rect) -> dt.date | None:
    """Find the stamp in the office-use box and read its date line, or None (no stamp).

    The box's own print is wiped, the stamp is the ink left; its lines of text are found by
    their row profile and each is read by the line reader: a few line reads, not a page OCR.
    """
    from cisr_desk.capture.read import ink_mask
    from cisr_desk.capture.zones import extract_zone, S

    zone = extract_zone(source, matrix, blank, page_index, rect, 0.0).image
    mask = ink_mask(zone)
    if mask.mean() < 0.004:
        return None  # nothing stamped
    # The stamp's frame would join its lines of text into one: take its rules out first.
    m8 = mask.astype(np.uint8)
    long = int(25 * S)
    rules = cv2.morphologyEx(m8, cv2.MORPH_OPEN, np.ones((1, long), np.uint8)) | \
        cv2.morphologyEx(m8, cv2.MORPH_OPEN, np.ones((int(8 * S), 1), np.uint8))
    rules = cv2.dilate(rules, np.ones((7, 7), np.uint8))
    text = (m8 > 0) & (rules == 0)
    if not text.any():
        return None
    ys, xs = np.where(text)
    x0, x1 = xs.min(), xs.max() + 1
    stamp = np.where(rules[:, x0:x1] > 0, 255, zone[:, x0:x1]).astype(np.uint8)
    mask = text
    today = dt.date.today()
    for top, bottom in _line_bands(mask[:, x0:x1], int(4 * S)):
        pad = int(1.5 * S)
        line = stamp[max(0, top - pad): bottom + pad]
        text = reader.read_line(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./").text
        date = parse_stamp(text)
        if date and dt.date(2000, 1, 1) <= date <= today + dt.timedelta(days=1):
            return date
    return None
