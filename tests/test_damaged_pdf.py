"""A damaged PDF is an error for that file, with MuPDF's reason, never a quiet success; MuPDF's
messages never reach standard output; the other files of the run are read as usual."""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from cisr_desk.capture.pages import mupdf_messages, open_pdf, render_page
from cisr_desk.capture.pipeline import extract_files
from cisr_desk.domain.errors import InputFileError


def page_pdf(path: Path, text: str = "hello") -> Path:
    """A one-page PDF with compressed content (no form on it: capture finds an unrecognised page)."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), f"{text} " * 40)
    doc.save(path, deflate=True)
    return path


def truncated(path: Path, source: Path, keep: float = 0.6) -> Path:
    """``source`` cut off part way, as an interrupted copy or download leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def broken_stream(path: Path, source: Path) -> Path:
    """``source`` with its page's compressed content garbled: the file opens, the page cannot be drawn."""
    data = source.read_bytes()
    start = data.index(b"stream\n") + len(b"stream\n")
    end = data.index(b"endstream", start)
    path.write_bytes(data[:start] + bytes(b ^ 0x5A for b in data[start:end]) + data[end:])
    return path


@pytest.fixture
def files(tmp_path):
    good = page_pdf(tmp_path / "good.pdf")
    return {
        "good": good,
        "truncated": truncated(tmp_path / "truncated.pdf", good),
        "broken": broken_stream(tmp_path / "broken.pdf", good),
    }


def test_a_truncated_file_is_refused_with_mupdfs_reason(files, capfd):
    with pytest.raises(InputFileError) as err:
        open_pdf(files["truncated"])
    assert str(err.value).startswith("truncated.pdf: damaged PDF (MuPDF: ")
    assert "xref" in str(err.value)  # what MuPDF had to rebuild
    assert capfd.readouterr().out == ""


def test_a_page_that_cannot_be_drawn_is_refused(files, capfd):
    doc = open_pdf(files["broken"])  # the file's structure is whole
    try:
        with pytest.raises(InputFileError, match=r"^broken\.pdf: damaged PDF, page 1 \(MuPDF: .*zlib"):
            render_page(doc[0], 72)
    finally:
        doc.close()
    assert capfd.readouterr().out == ""


def test_a_damaged_file_leaves_nothing_for_the_next(files):
    with pytest.raises(InputFileError):
        open_pdf(files["truncated"])
    doc = open_pdf(files["good"])
    try:
        assert render_page(doc[0], 72).image.size
    finally:
        doc.close()
    assert mupdf_messages() == []


@pytest.mark.parametrize("workers", [1, 2])
def test_damaged_files_are_errors_and_the_others_are_read(files, workers):
    names = ["truncated", "good", "broken"]
    docs = {Path(d.source).stem: d for d in extract_files([files[n] for n in names], workers=workers)}
    assert set(docs) == set(names)
    assert docs["good"].errors == [] and docs["good"].unrecognized_pages == [1]
    for name in ("truncated", "broken"):
        assert len(docs[name].errors) == 1 and not docs[name].forms
        assert docs[name].errors[0].startswith(f"{name}.pdf: damaged PDF")
