"""Page images and field crops for the review screens.

Pixels come from the capture engine (``cisr_desk.capture.views``): a form page warped into
template coordinates, and the crop of one field zone. These functions run on worker threads
and return numpy arrays; ``to_qimage`` turns them into images on the GUI side.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from cisr_desk.domain.template import FormTemplate, load_templates
from cisr_desk.paths import forms_dir

log = logging.getLogger(__name__)

PAGE_DPI = 100
CROP_DPI = 150


@functools.lru_cache(maxsize=1)
def templates() -> dict[str, FormTemplate]:
    return load_templates(forms_dir())


def template_of(record) -> FormTemplate | None:
    return templates().get(record.template)


def _placement(record, page_index: int):
    placements = list(getattr(record, "placements", None) or [])
    return placements[page_index] if page_index < len(placements) else None


def page_array(record, page_index: int, dpi: int = PAGE_DPI) -> np.ndarray | None:
    """The form page as registered to its template, or, without a placement (page missing),
    the blank form page so the zones still have something to sit on."""
    template = template_of(record)
    if template is None or page_index >= len(template.pages):
        return None
    placement = _placement(record, page_index)
    if placement is not None and record.source_path:
        try:
            from cisr_desk.capture.views import registered_page
        except ImportError:  # an older capture engine: show the scanned page as it is
            return render_pdf_page(Path(record.source_path), placement.source_page - 1, dpi)
        try:
            return registered_page(Path(record.source_path), placement, template.pages[page_index], dpi=dpi)
        except Exception:  # noqa: BLE001 - a page that cannot be warped is still worth seeing as scanned
            log.warning("page %s of record %s could not be registered; showing it as scanned",
                        page_index + 1, record.id, exc_info=True)
            return render_pdf_page(Path(record.source_path), placement.source_page - 1, dpi)
    return render_pdf_page(template.blank_path, page_index, dpi)


def crop_array(record, key: str, dpi: int = CROP_DPI) -> np.ndarray | None:
    template = template_of(record)
    if template is None or not template.has(key):
        return None
    spec = template.field(key)
    placement = _placement(record, spec.page)
    if placement is None or not record.source_path:
        return None
    try:
        from cisr_desk.capture.views import field_crop
    except ImportError:
        return None
    return field_crop(Path(record.source_path), placement, spec.rect, dpi=dpi,
                      blank=(template.blank_path, template.id, spec.page))


def stamp_array(record, dpi: int = CROP_DPI) -> np.ndarray | None:
    """The mail room's RECEIVED stamp box of the record, as scanned (None where the form has none)."""
    template = template_of(record)
    if template is None or template.received_zone is None:
        return None
    page, rect = template.received_zone
    placement = _placement(record, page)
    if placement is None or not record.source_path:
        return None
    from cisr_desk.capture.views import field_crop

    return field_crop(Path(record.source_path), placement, rect, dpi=dpi, blank=(template.blank_path, template.id, page))


def render_pdf_page(path: Path, page_index: int, dpi: int) -> np.ndarray | None:
    # Through capture's opener: MuPDF's messages stay off standard output, damage is an error.
    from cisr_desk.capture.pages import open_pdf, render_page

    doc = open_pdf(path)
    try:
        return render_page(doc[page_index], dpi).image if page_index < doc.page_count else None
    finally:
        doc.close()


def to_qimage(array: np.ndarray | None) -> QImage:
    if array is None:
        return QImage()
    array = np.ascontiguousarray(array)
    if array.ndim == 2:
        h, w = array.shape
        return QImage(array.data, w, h, array.strides[0], QImage.Format.Format_Grayscale8).copy()
    h, w, c = array.shape
    fmt = QImage.Format.Format_RGB888 if c == 3 else QImage.Format.Format_RGBA8888
    return QImage(array.data, w, h, array.strides[0], fmt).copy()
