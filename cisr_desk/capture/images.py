"""Scans delivered as images (TIFF, often multi-page and from fax servers; JPEG; PNG) become
PDF documents in memory, one page per frame at the frame's true size, so every later step —
rendering at the native resolution, registration, the review screen's crops — treats them
exactly like a scanned PDF.

A frame without a resolution tag (common from fax servers and some scanners) gets one inferred
from its pixel size, taking the sheet as US Letter, each axis on its own (a fax's 204 x 98 dpi
"normal" mode stays what it is), snapped to the usual scanner resolutions.
"""
from __future__ import annotations

import io
from pathlib import Path

import pymupdf
from PIL import Image, ImageSequence, UnidentifiedImageError

from cisr_desk.domain.errors import InputFileError

LETTER_IN = (8.5, 11.0)
COMMON_DPI = (72, 96, 98, 100, 150, 196, 200, 204, 240, 300, 400, 600)
MAX_SHEET_IN = 17.0  # a tag that makes the page bigger than a tabloid sheet is wrong


def _snap(dpi: float) -> float | None:
    near = min(COMMON_DPI, key=lambda c: abs(c - dpi))
    return float(near) if abs(near - dpi) <= 0.04 * near else None


def frame_dpi(width: int, height: int, tag: tuple[float, float] | None) -> tuple[float, float]:
    """The frame's resolution: its tag when plausible, else inferred from a Letter sheet."""
    if tag:
        dx, dy = (float(v or 0) for v in tag)
        plausible = (dx >= 50 and dy >= 50 and 3 <= width / dx <= MAX_SHEET_IN
                     and 3 <= height / dy <= MAX_SHEET_IN)
        if plausible:
            return dx, dy
    short_in, long_in = LETTER_IN
    portrait = (width / short_in, height / long_in)
    # Upright first (a fax in normal mode is wider than high in pixels but an upright page),
    # then turned; the reading whose axes both land on a scanner's resolution wins.
    for dx, dy in (portrait, (width / long_in, height / short_in)):
        sx, sy = _snap(dx), _snap(dy)
        if sx and sy:
            return sx, sy
    return round(portrait[0], 1), round(portrait[1], 1)


def image_as_pdf(path: Path) -> pymupdf.Document:
    """The image file as an in-memory PDF, or InputFileError naming the file and the problem."""
    path = Path(path)
    doc = pymupdf.open()
    try:
        with Image.open(path) as img:
            for frame in ImageSequence.Iterator(img):
                tag = frame.info.get("dpi")
                dx, dy = frame_dpi(frame.width, frame.height, tag)
                mode = "1" if frame.mode == "1" else ("L" if frame.mode in ("L", "I;16", "I", "F", "P", "LA")
                                                       else "RGB")
                buf = io.BytesIO()
                frame.convert(mode).save(buf, format="PNG")
                page = doc.new_page(width=frame.width * 72.0 / dx, height=frame.height * 72.0 / dy)
                page.insert_image(page.rect, stream=buf.getvalue())
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        doc.close()
        raise InputFileError(f"{path.name}: not a readable image ({exc})") from None
    if doc.page_count == 0:
        doc.close()
        raise InputFileError(f"{path.name}: the image has no pages")
    return doc
