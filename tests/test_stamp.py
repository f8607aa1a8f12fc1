"""The RECEIVED stamp: its date read off the office-use box, whatever the stamp looks like."""
import datetime as dt
import random

import numpy as np
import pymupdf
import pytest

from cisr_desk.capture.ppocr import default_reader
from cisr_desk.capture.stamp import read_stamp
from cisr_desk.synth import ink

TODAY = dt.date(2026, 11, 29)


def stamped_zone(when: dt.date, seed: int, speck: bool = False) -> np.ndarray:
    """The office-use box of a page with a stamp on it, at 300 dpi, as capture cuts it."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    ink.received_stamp(page, (120, 110), when, random.Random(seed))
    if speck:
        page.draw_circle((420, 120), 1.2, color=(0, 0, 0), fill=(0, 0, 0))
    pix = page.get_pixmap(matrix=pymupdf.Matrix(300 / 72, 300 / 72), colorspace=pymupdf.csGRAY,
                          clip=pymupdf.Rect(60, 100, 560, 160))
    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    doc.close()
    return image


@pytest.fixture(scope="module")
def reader():
    r = default_reader()
    if r is None:
        pytest.skip("the PP-OCR reader is not installed")
    return r


@pytest.mark.parametrize("seed", range(10))
def test_a_stamp_gives_its_date_in_any_of_its_forms(reader, seed):
    # Seeds 0-9 give stamps of several sizes, the date as MAY 22 2026, 05/22/2026 (1, 2) or
    # MAY 22, 2026 (9), and small print near or into the date line (1, 4-7); a speck beside some.
    when = dt.date(2026, 3, 2) + dt.timedelta(days=23 * seed)
    assert read_stamp(reader, stamped_zone(when, seed, speck=seed % 2 == 0), TODAY) == when


def test_an_empty_box_or_a_speck_is_no_stamp(reader):
    blank = np.full((250, 2000), 245, np.uint8)
    assert read_stamp(reader, blank, TODAY) is None
    blank[100:104, 900:904] = 20
    assert read_stamp(reader, blank, TODAY) is None


def test_a_date_after_today_is_not_taken(reader):
    assert read_stamp(reader, stamped_zone(dt.date(2027, 1, 5), 3), TODAY) is None
