"""A scanned page is decoded straight from its JPEG only where MuPDF would draw the same pixels;
every other page is drawn by MuPDF."""
from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest

from cisr_desk.capture import pages
from cisr_desk.capture.pages import open_pdf, render_page


def scan(width: int = 850, height: int = 1100, channels: int = 1) -> bytes:
    rng = np.random.default_rng(7)
    img = np.clip(rng.normal(235, 12, (height, width)), 0, 255).astype(np.uint8)  # paper grain
    cv2.putText(img, "JANE Q PUBLIC 90210", (60, 300), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 20, 4)
    if channels == 3:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()


def scan_pdf(path, jpeg: bytes, *, extra=None, rotate: int = 0):
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect, stream=jpeg)
    if extra:
        extra(page)
    page.set_rotation(rotate)
    doc.save(path)
    return path


def drawn_by_mupdf(page: pymupdf.Page, monkeypatch) -> np.ndarray:
    with monkeypatch.context() as m:
        m.setattr(pages, "_scan_as_is", lambda *a: None)
        return render_page(page).image


def test_a_grey_jpeg_scan_is_decoded_as_mupdf_would_draw_it(tmp_path, monkeypatch):
    calls = []
    real = pages._scan_as_is
    monkeypatch.setattr(pages, "_scan_as_is", lambda *a: calls.append(real(*a)) or calls[-1])
    doc = open_pdf(scan_pdf(tmp_path / "scan.pdf", scan()))
    page = render_page(doc[0])
    assert calls[0] is not None  # the JPEG itself
    assert (page.dpi_x, page.dpi_y) == (100.0, 100.0) and page.image.shape == (1100, 850)
    mupdf = drawn_by_mupdf(doc[0], monkeypatch)
    assert np.abs(page.image.astype(int) - mupdf.astype(int)).max() <= 1  # libjpeg versions round alike


@pytest.mark.parametrize("case", ["colour", "text over it", "turned", "other size"])
def test_any_other_page_is_drawn_by_mupdf(tmp_path, case):
    jpeg = scan(channels=3) if case == "colour" else scan()
    extra = (lambda p: p.insert_text((72, 72), "RECEIVED")) if case == "text over it" else None
    doc = open_pdf(scan_pdf(tmp_path / "p.pdf", jpeg, extra=extra, rotate=90 if case == "turned" else 0))
    page = doc[0]
    size = (850, 1100) if case != "other size" else (1700, 2200)
    assert pages._scan_as_is(page, size) is None
    assert render_page(page).image.size
