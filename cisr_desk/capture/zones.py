"""Cut a field's zone out of a registered page, aligned to the blank and with the blank's print removed.

The page is resampled straight from the source pixels into template coordinates (one
interpolation), then a small translation search aligns it locally to the blank (paper is
never perfectly flat), and the blank's own ink — box rules, comb ticks, labels — is wiped, so
that only what the customer wrote is left for the readers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from cisr_desk.capture.register import render_blank
from cisr_desk.domain.template import Rect

WORK_DPI = 300.0
S = WORK_DPI / 72.0  # pixels per point
SEARCH_PX = 24  # local alignment search, each way, in WORK_DPI pixels
EDGE_PX = 4  # an alignment this near the end of the search may have been stopped by it
SETTLE_PIXELS = 4000  # printed pixels of the blank that settle the last pixel of the alignment


@dataclass
class Zone:
    image: np.ndarray  # cleaned: only the filled-in ink, white background
    raw: np.ndarray  # registered but uncleaned (for the clerk's crop)
    shift: tuple[int, int]


@lru_cache(maxsize=8)
def blank_page(blank: Path, page_index: int) -> np.ndarray:
    return render_blank(blank, page_index, WORK_DPI)


@lru_cache(maxsize=8)
def blank_ink(blank: Path, page_index: int) -> np.ndarray:
    """The blank's ink, grown by a few pixels to cover registration error and scan blur."""
    ink = (blank_page(blank, page_index) < 200).astype(np.uint8)
    return cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0


def warp_zone(source: np.ndarray, matrix: np.ndarray, rect: Rect, margin: float, dpi: float = WORK_DPI) -> np.ndarray:
    """The part of the source page under ``rect`` (+ margin, in points) resampled at ``dpi``."""
    s = dpi / 72.0
    x0, y0 = rect[0] - margin, rect[1] - margin
    w = int(round((rect[2] - rect[0] + 2 * margin) * s))
    h = int(round((rect[3] - rect[1] + 2 * margin) * s))
    to_template = np.array([[1 / s, 0, x0], [0, 1 / s, y0], [0, 0, 1]], np.float64)
    full = np.asarray(matrix, np.float64) @ to_template
    return cv2.warpPerspective(source, full, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _blank_slice(page: np.ndarray, rect: Rect, margin: float) -> np.ndarray:
    x0 = int(round((rect[0] - margin) * S))
    y0 = int(round((rect[1] - margin) * S))
    x1 = int(round((rect[2] + margin) * S))
    y1 = int(round((rect[3] + margin) * S))
    out = np.full((y1 - y0, x1 - x0), 255 if page.dtype == np.uint8 else 0, page.dtype)  # paper, or no ink
    sy0, sx0 = max(0, y0), max(0, x0)
    sy1, sx1 = min(page.shape[0], y1), min(page.shape[1], x1)
    out[sy0 - y0: sy1 - y0, sx0 - x0: sx1 - x0] = page[sy0:sy1, sx0:sx1]
    return out


@dataclass(frozen=True)
class _Print:
    """The blank's print under one field, ready to align a page cut on (ink bright): worked out
    once per field and blank, not for every page."""
    quarter: np.ndarray  # the print at a quarter of the resolution, for the whole search
    half: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]  # _sample at half resolution
    full: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]  # and at full


def _sample(tpl_ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """The blank's printed pixels (rows, columns, weights) that settle an alignment, and its shape."""
    ys, xs = np.nonzero(tpl_ink > 55)
    if len(ys) > SETTLE_PIXELS:  # an even sample of a large print is as good, and cheaper
        ys, xs = ys[:: len(ys) // SETTLE_PIXELS + 1], xs[:: len(xs) // SETTLE_PIXELS + 1]
    weight = tpl_ink[ys, xs].astype(np.float64)  # exact sums: ties go to the first offset
    return ys, xs, weight, tpl_ink.shape


@lru_cache(maxsize=512)
def _print_under(blank: Path, page_index: int, rect: Rect, margin: float) -> _Print | None:
    """The blank's print under ``rect`` (None where too little is printed to align on)."""
    tpl = _blank_slice(blank_page(blank, page_index), rect, margin)
    if (tpl < 200).sum() <= 30:
        return None
    ink = 255 - tpl
    quarter = cv2.resize(ink, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    half = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return _Print(quarter, _sample(half), _sample(ink))


def _settle(big_ink: np.ndarray, sample, x: int, y: int, reach: int) -> tuple[int, int]:
    """The offset within ``reach`` pixels of (x, y) that puts most page ink under the blank's
    printed pixels (``sample``): a few sums over those pixels alone, not a full correlation."""
    ys, xs, weight, (h, w) = sample
    dys = np.arange(max(0, y - reach), min(big_ink.shape[0] - h, y + reach) + 1)
    dxs = np.arange(max(0, x - reach), min(big_ink.shape[1] - w, x + reach) + 1)
    if not len(dys) or not len(dxs):
        return x, y
    # Every offset at once: (offsets y, offsets x, pixels) gathered, then weighed.
    under = big_ink[ys[None, None, :] + dys[:, None, None], xs[None, None, :] + dxs[None, :, None]]
    scores = under.astype(np.float64) @ weight
    iy, ix = np.unravel_index(int(np.argmax(scores)), scores.shape)  # the first best, as before
    return int(dxs[ix]), int(dys[iy])


def _align(big_ink: np.ndarray, printed: _Print) -> tuple[int, int]:
    """Where the blank's print lies best in the larger page cut ``big_ink`` (ink bright): the
    whole search at a quarter of the resolution (a sixteenth of the work), then the answer
    settled at half and at full resolution from the blank's printed pixels alone (a full
    correlation at full resolution cost ten times the rest on a wide field)."""
    quarter = cv2.resize(big_ink, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, _, _, (x, y) = cv2.minMaxLoc(cv2.matchTemplate(quarter, printed.quarter, cv2.TM_CCORR_NORMED))
    half = cv2.resize(big_ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    x, y = _settle(half, printed.half, 2 * x, 2 * y, 2)
    return _settle(big_ink, printed.full, 2 * x, 2 * y, 1)


def extract_zone(source: np.ndarray, matrix: np.ndarray, blank: Path, page_index: int, rect: Rect,
                 margin: float = 6.0, offset: tuple[float, float] = (0.0, 0.0)) -> Zone:
    """Registered, locally aligned and cleaned image of one field's zone (at WORK_DPI).

    Where the blank's print is found near the edge of the search, the page moved further
    than the search reaches there (a fax whose scan head wandered: a smooth sideways drift down
    the page that no single transform of the page follows), and the search is made again,
    twice as wide. ``offset`` (points) is where the page's drift says the field lies from
    where the page's fit puts it (register.page_drift): the search starts there."""
    ink = _blank_slice(blank_ink(blank, page_index), rect, margin)
    printed = _print_under(blank, page_index, tuple(rect), margin)
    for reach in (SEARCH_PX, 2 * SEARCH_PX):
        big = warp_zone(source, matrix, moved(rect, offset), margin + reach / S)
        dx = dy = reach
        if printed is None:  # nothing printed to align on
            break
        dx, dy = _align(255 - big, printed)
        if max(abs(dx - reach), abs(dy - reach)) < reach - EDGE_PX:
            break
    h, w = ink.shape
    raw = big[dy: dy + h, dx: dx + w]
    cleaned = raw.copy()
    cleaned[ink] = 255
    return Zone(cleaned, raw, (dx - reach + round(offset[0] * S), dy - reach + round(offset[1] * S)))


def moved(rect: Rect, offset: tuple[float, float]) -> Rect:
    """``rect`` shifted by ``offset`` (points)."""
    return (rect[0] + offset[0], rect[1] + offset[1], rect[2] + offset[0], rect[3] + offset[1])


def inner(image: np.ndarray, rect: Rect, margin: float, inset: float = 0.0) -> np.ndarray:
    """The part of a zone image inside ``rect`` (dropping the margin), shrunk by ``inset`` points."""
    m = int(round((margin + inset) * S))
    h, w = image.shape
    return image[m: h - m, m: w - m] if h > 2 * m and w > 2 * m else image
