"""Is a page that follows a form the list of more service accounts, or a cover letter?"""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pymupdf
import pytest

from cisr_desk.capture import attachments, ocr
from cisr_desk.synth.pages import cover_letter
from cisr_desk.synth.rules import Provider


@pytest.fixture
def list_pdf(tmp_path):
    """A typed list of more service accounts, as a DRP sends it behind the form."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    lines = ["ADDITIONAL SERVICE ACCOUNTS", "Customer: Allen Market Inc.", "Account: 2431274551", "",
             "Service account no.      Service address"]
    lines += [f"3-{576 + n}-7872-4{n}      {9897 + 11 * n} Pine St, Redlands 92374" for n in range(8)]
    for n, line in enumerate(lines):
        page.insert_text((72, 90 + 22 * n), line, fontsize=12, fontname="helv")
    path = tmp_path / "list.pdf"
    doc.save(path)
    return path


@pytest.fixture
def letter_pdf(tmp_path):
    provider = Provider("DRP1001", "Channel Islands Flex Power L.P.", "", "ACTIVE", True, "Maria Lopez",
                        "(400) 555-0140", "maria@channelislands.example")
    doc = cover_letter(provider, ["ALLEN MARKET INC.", "GRACE MARTINEZ"], dt.date(2026, 11, 6), random.Random(4))
    path = tmp_path / "letter.pdf"
    doc.save(path)
    return path


@pytest.fixture
def bands_read(monkeypatch):
    """How many parts of the page the OCR was asked to read."""
    engine = ocr.default_engine()
    calls = []

    class Counting:
        name = engine.name

        def read_line(self, image, charset=None):
            return engine.read_line(image, charset)

        def read_page(self, image):
            calls.append(image.shape)
            return engine.read_page(image)

    monkeypatch.setattr(ocr, "default_engine", lambda prefer="auto": Counting())
    return calls


def test_the_list_after_a_form_that_announces_it_is_told_by_its_heading_alone(list_pdf, bands_read):
    assert attachments.looks_like_attachment(list_pdf, 1, announced=True)
    assert len(bands_read) == 1  # the heading is in the top band: the rest is not read


def test_a_cover_letter_after_a_form_is_told_by_its_greeting_without_reading_it_all(letter_pdf, bands_read):
    assert not attachments.looks_like_attachment(letter_pdf, 1, announced=False)
    assert len(bands_read) < len(attachments.BANDS) + 1


def test_a_cover_letter_is_no_list_even_after_a_form_that_announces_one(letter_pdf, bands_read):
    assert not attachments.looks_like_attachment(letter_pdf, 1, announced=True)
    assert len(bands_read) == len(attachments.BANDS) + 1  # a list may be anywhere: all is read


def test_an_unannounced_list_is_read_whole_before_it_is_taken(list_pdf, bands_read):
    """After a form whose box reads unmarked, the page is the list only if no letter's word is
    anywhere on it, so all of it is read."""
    assert attachments.looks_like_attachment(list_pdf, 1, announced=False)
    assert len(bands_read) == len(attachments.BANDS) + 1


def test_the_page_is_cut_into_bands_between_its_lines(letter_pdf):
    from cisr_desk.capture.pages import open_pdf, render_page

    doc = open_pdf(letter_pdf)
    image = render_page(doc[0], 150).image
    doc.close()
    bands = attachments._bands(image)
    assert len(bands) == len(attachments.BANDS) + 1
    assert np.array_equal(np.vstack(bands), image)  # nothing lost, nothing read twice
    for band in bands[1:]:
        assert (band[0] >= 160).all()  # each cut runs along a row with no ink: no line read in halves
