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
    out = np.full((y1 - y0, x1 - x0), 255 if page.dtype == np.uint8 else 0, page.dtype)
    sy0, sx0 = max(0, y0), max(0, x0)
    sy1, sx1 = min(page.shape[0], y1), min(page.shape[1], x1)
    out[sy0 - y0: sy1 - y0, sx0 - x0: sx1 - x0] = page[sy0:sy1, sx0:sx1]
    return out


def extract_zone(source: np.ndarray, matrix: np.ndarray, blank: Path, page_index: int, rect: Rect,
                 margin: float = 6.0) -> Zone:
    """Registered, locally aligned and cleaned image of one field's zone (at WORK_DPI)."""
    pad = SEARCH_PX / S
    big = warp_zone(source, matrix, rect, margin + pad)
    tpl = _blank_slice(blank_page(blank, page_index), rect, margin)
    ink = _blank_slice(blank_ink(blank, page_index).astype(np.uint8), rect, margin) > 0
    dx = dy = SEARCH_PX
    if (tpl < 200).sum() > 30:  # something printed to align on
        # Search at half resolution (a quarter of the work), then settle the last pixel.
        half_big = cv2.resize(255 - big, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        half_tpl = cv2.resize(255 - tpl, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        score = cv2.matchTemplate(half_big, half_tpl, cv2.TM_CCORR_NORMED)
        _, _, _, (hx, hy) = cv2.minMaxLoc(score)
        x0, y0 = max(0, 2 * hx - 2), max(0, 2 * hy - 2)
        x1 = min(big.shape[1], 2 * hx + 2 + tpl.shape[1])
        y1 = min(big.shape[0], 2 * hy + 2 + tpl.shape[0])
        fine = cv2.matchTemplate(255 - big[y0:y1, x0:x1], 255 - tpl, cv2.TM_CCORR_NORMED)
        _, _, _, (fx, fy) = cv2.minMaxLoc(fine)
        dx, dy = x0 + fx, y0 + fy
    h, w = tpl.shape
    raw = big[dy: dy + h, dx: dx + w]
    cleaned = raw.copy()
    cleaned[ink] = 255
    return Zone(cleaned, raw, (dx - SEARCH_PX, dy - SEARCH_PX))


def inner(image: np.ndarray, rect: Rect, margin: float, inset: float = 0.0) -> np.ndarray:
    """The part of a zone image inside ``rect`` (dropping the margin), shrunk by ``inset`` points."""
    m = int(round((margin + inset) * S))
    h, w = image.shape
    return image[m: h - m, m: w - m] if h > 2 * m and w > 2 * m else image
