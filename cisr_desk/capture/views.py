"""Images for the clerk: a form page laid on its blank, and the crop a field was read from.

Both are re-rendered from the stored source file and the page's placement, so nothing but
the original PDF has to be kept.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from cisr_desk.capture.pages import open_pdf, render_page
from cisr_desk.capture.register import PT, REG_DPI, Drift, page_drift, reference, to_reg_scale
from cisr_desk.capture.zones import moved, warp_zone
from cisr_desk.domain.model import PagePlacement
from cisr_desk.domain.template import PageSpec, Rect


def _homography(placement: PagePlacement) -> np.ndarray:
    m = np.asarray(placement.matrix, np.float64)
    return np.vstack([m, [0.0, 0.0, 1.0]]) if m.shape == (2, 3) else m  # an affine stored as 2x3


def _source(source_pdf: Path, placement: PagePlacement) -> np.ndarray:
    return _rendered(str(source_pdf), placement.source_page, placement.dpi, placement.rotated)


@lru_cache(maxsize=4)
def _rendered(source_pdf: str, number: int, dpi: float, rotated: bool) -> np.ndarray:
    """A record's pages are drawn once for all its crops (the stored copy never changes)."""
    doc = open_pdf(Path(source_pdf))
    try:
        image = render_page(doc[number - 1], dpi).image
    finally:
        doc.close()
    image = np.ascontiguousarray(image[::-1, ::-1]) if rotated else image
    image.setflags(write=False)
    return image


def registered_page(source_pdf: Path, placement: PagePlacement, page: PageSpec, dpi: float = 100) -> np.ndarray:
    """The whole form page, straightened into template coordinates (grey, uint8), so that the
    template's field zones (in points × dpi/72) fall on the right spots."""
    image = _source(source_pdf, placement)
    return warp_zone(image, _homography(placement), (0, 0, page.width, page.height), 0.0, dpi)


def field_crop(source_pdf: Path, placement: PagePlacement, rect: Rect, dpi: float = 150, margin: float = 4,
               blank: tuple[Path, str, int] | None = None) -> np.ndarray:
    """The field's zone as scanned (registered, not cleaned), with ``margin`` points around it.

    With ``blank`` (the blank form's file, template id and page index), the crop follows the
    page's sideways drift as capture did (register.page_drift): on a fax whose scan head
    wandered, the crop shows the ink the value was read from, not the box beside it."""
    image = _source(source_pdf, placement)
    matrix = _homography(placement)
    if blank is not None:
        rect = moved(rect, _drift(str(source_pdf), placement.source_page, placement.dpi, placement.rotated,
                                  tuple(map(tuple, matrix)), blank).at(rect))
    return warp_zone(image, matrix, rect, margin, dpi)


@lru_cache(maxsize=8)
def _drift(source_pdf: str, number: int, dpi: float, rotated: bool, matrix: tuple,
           blank: tuple[Path, str, int]) -> Drift:
    small = to_reg_scale(_rendered(source_pdf, number, dpi, rotated), dpi, dpi)
    # The stored fit maps template points to the page's pixels at ``dpi``; page_drift works at REG_DPI.
    at_reg = np.diag([REG_DPI / dpi, REG_DPI / dpi, 1.0]) @ np.asarray(matrix) @ np.diag([1 / PT, 1 / PT, 1.0])
    return page_drift(small, reference(*blank), at_reg)
