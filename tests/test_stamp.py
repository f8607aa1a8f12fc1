"""The RECEIVED stamp: its date read off the office-use box, whatever the stamp looks like."""
import datetime as dt
import random
import re

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


class SmallPrintOverDigits:
    """The real reader, but its free readings of a date line lose a digit of the year to the
    stamp's small print ("MAY 22 2926"), as on scans where it runs through the digits' feet."""

    def __init__(self, reader):
        self.reader = reader
        self.formats = 0

    def read_line(self, image, charset=None):
        got = self.reader.read_line(image, charset)
        got.text = re.sub(r"20(\d\d)\b", r"29\1", got.text)
        return got

    def read_format(self, image, automaton, preferred=None):
        self.formats += 1
        return self.reader.read_format(image, automaton, preferred)


@pytest.mark.parametrize("seed", [0, 3, 9])
def test_a_date_line_read_as_no_date_of_the_last_years_is_read_again_under_the_stamps_format(reader, seed):
    when = dt.date(2026, 3, 2) + dt.timedelta(days=23 * seed)
    damaged = SmallPrintOverDigits(reader)
    assert read_stamp(damaged, stamped_zone(when, seed), TODAY) == when
    assert damaged.formats >= 1
    clear = SmallPrintOverDigits(reader)
    clear.read_line = reader.read_line  # read freely, the formats are never asked
    assert read_stamp(clear, stamped_zone(when, seed), TODAY) == when and clear.formats == 0


def test_a_stamp_set_low_across_the_foot_of_the_box_is_read(reader):
    """The date line below the office-use box's foot: the box is read again with the blank
    page below it."""
    import pymupdf as mu

    from cisr_desk.capture.pipeline import templates_in
    from cisr_desk.capture.register import to_source_matrix
    from cisr_desk.capture.stamp import read_received
    from cisr_desk.paths import forms_dir

    template = next(t for t in templates_in(str(forms_dir())).values() if t.received_zone)
    index, rect = template.received_zone
    when = dt.date(2026, 6, 24)
    doc = mu.open(template.blank_path)
    page = doc[index]
    ink.received_stamp(page, (rect[0] + 90, rect[3] - 22), when, random.Random(7))  # its date below the box
    pix = page.get_pixmap(matrix=mu.Matrix(200 / 72, 200 / 72), colorspace=mu.csGRAY, annots=False)
    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    doc.close()
    matrix = to_source_matrix(np.eye(3), 200.0, 200.0)
    assert read_received(reader, image, matrix, template.blank_path, index, rect) == when
