"""Scans as TIFF (multi-page, with or without a resolution tag), JPEG and PNG are read like PDFs;
every file of a selection is accounted for."""
from __future__ import annotations

import json

import pymupdf
import pytest
from PIL import Image

from cisr_desk.capture.images import frame_dpi, image_as_pdf
from cisr_desk.capture.pages import native_dpi, open_pdf
from cisr_desk.capture.pipeline import extract_files
from cisr_desk.domain import scanfiles
from cisr_desk.domain.errors import InputFileError
from cisr_desk.synth import generate_set


def test_a_resolution_tag_is_kept_when_it_fits_a_sheet():
    assert frame_dpi(1700, 2200, (200, 200)) == (200, 200)
    assert frame_dpi(1734, 2156, (204, 196)) == (204, 196)


@pytest.mark.parametrize("size, expected", [
    ((1700, 2200), (200, 200)),  # Letter at 200 dpi, no tag
    ((2550, 3300), (300, 300)),
    ((1728, 1078), (204, 98)),  # fax "normal" mode: each axis on its own
    ((1728, 2156), (204, 196)),  # fax "fine"
    ((2200, 1700), (200, 200)),  # landscape
])
def test_a_missing_or_absurd_tag_is_inferred_from_a_letter_sheet(size, expected):
    assert frame_dpi(*size, None) == expected
    assert frame_dpi(*size, (1, 1)) == expected  # a tag that makes a 1700-inch page is ignored
    assert frame_dpi(*size, (72, 72)) == expected  # 23 x 30 inches: not a form


def _sheet(width=1700, height=2200, text="page") -> Image.Image:
    img = Image.new("L", (width, height), 255)
    img.paste(0, (200, 200, 600, 260))
    return img


def test_a_multipage_tiff_without_tags_becomes_letter_pages_at_their_resolution(tmp_path):
    path = tmp_path / "fax.tif"
    frames = [_sheet().convert("1"), _sheet().convert("1"), _sheet().convert("1")]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="group4")
    doc = open_pdf(path)
    assert doc.page_count == 3
    for page in doc:
        assert page.rect.width == pytest.approx(612, abs=1) and page.rect.height == pytest.approx(792, abs=1)
        assert native_dpi(page) == pytest.approx((200, 200), abs=1)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tiff"])
def test_single_images_open_as_one_page(tmp_path, suffix):
    path = tmp_path / f"scan{suffix}"
    _sheet(2550, 3300).save(path, dpi=(300, 300))
    doc = open_pdf(path)
    assert doc.page_count == 1 and native_dpi(doc[0]) == pytest.approx((300, 300), abs=1)


def test_broken_and_foreign_files_are_named_in_the_error(tmp_path):
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00garbage")
    with pytest.raises(InputFileError, match="broken.tif: not a readable image"):
        image_as_pdf(broken)
    note = tmp_path / "note.txt"
    note.write_text("please process")
    with pytest.raises(InputFileError, match=r"note.txt: not a scan \(PDF, TIFF, JPEG or PNG expected\)"):
        open_pdf(note)


def test_a_selection_keeps_files_named_and_the_scans_of_folders(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("b.pdf", "a.TIF", "c.jpeg", "d.png", "notes.txt"):
        (tmp_path / "in" / name).write_bytes(b"x")
    note = tmp_path / "in" / "notes.txt"
    files, missing = scanfiles.expand([tmp_path / "in", note, tmp_path / "in" / "b.pdf", tmp_path / "gone.pdf"])
    assert [f.name for f in files] == ["a.TIF", "b.pdf", "c.jpeg", "d.png", "notes.txt"]
    assert missing == [tmp_path / "gone.pdf"]


def test_a_generated_form_faxed_as_tiff_is_read_like_its_pdf(tmp_path):
    truth = json.loads(generate_set(tmp_path, 1, seed=11, styles=("typed",), dpis=(300,), batch_size=(1, 1),
                                    faults=False).read_text())
    tf = truth["files"][0]
    frames = []
    with pymupdf.open(tmp_path / tf["file"]) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
            frames.append(Image.frombytes("L", (pix.width, pix.height), pix.samples)
                          .point(lambda v: 255 if v > 150 else 0).convert("1"))
    tiff = tmp_path / "faxed.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="group4")  # no resolution tag
    doc = next(iter(extract_files([tiff], workers=1)))
    assert not doc.errors
    assert [f.template for f in doc.forms] == [f["template"] for f in tf["forms"]]
    form, tform = doc.forms[0], tf["forms"][0]
    right = sum(str(form.fields[k].value).upper() == str(v).upper() for k, v in tform["fields"].items())
    assert right / len(tform["fields"]) >= 0.9
