"""Open PDF files and turn their pages into grey images (numpy, uint8, white = 255).

MuPDF repairs what it can of a damaged file and says so only in messages; those messages are
collected here (never printed: they would land in ``extract``'s JSON on standard output) and a
file that causes any is refused with them as the reason, so a damaged file is never imported
as if it were whole.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pymupdf
from PIL import Image

from cisr_desk.capture.images import image_as_pdf
from cisr_desk.domain.errors import InputFileError
from cisr_desk.domain.scanfiles import KINDS, is_image, is_scan

MAX_DPI = 300.0  # scans finer than this are rendered down: OCR gains nothing above it
MIN_DPI = 96.0
MAX_REASONS = 3  # MuPDF messages quoted in an error; one broken object can cause hundreds
# The form is printed on Letter paper; a scanner's glass takes Tabloid (11 x 17 in) at most. A page
# larger than this (a PDF allows 200 x 200 in) is no scanned form page, and is not read as one.
MAX_FORM_PAGE_PT = 18 * 72.0
# No image of a page is drawn larger than this on either side, whatever was asked: MuPDF refuses
# a page of 200 in at 200 dpi ("Overly large image"), and memory would not hold many such.
MAX_RENDER_PX = 8000


def quiet_mupdf() -> None:
    """Keep MuPDF's errors and warnings for ``mupdf_messages`` instead of printing them, and
    send PyMuPDF's own messages to logging (standard error), never to standard output."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    pymupdf.set_messages(pylogging=True, pylogging_level=logging.WARNING)


# Every process that reads PDFs imports this module (the capture workers through the pipeline).
quiet_mupdf()


def mupdf_messages() -> list[str]:
    """What MuPDF reported since the last call (the store is per process, so callers drain it
    right before and after the work they vouch for)."""
    return [line for line in pymupdf.TOOLS.mupdf_warnings(reset=True).splitlines() if line.strip()]


def refuse_if_damaged(name: str, page: int | None = None) -> None:
    """Raise InputFileError when MuPDF reported trouble since ``mupdf_messages`` was last read."""
    messages = list(dict.fromkeys(mupdf_messages()))
    if messages:
        more = f"; and {len(messages) - MAX_REASONS} more" if len(messages) > MAX_REASONS else ""
        where = f", page {page}" if page else ""
        raise InputFileError(f"{name}: damaged PDF{where} (MuPDF: {'; '.join(messages[:MAX_REASONS])}{more})")


@dataclass(frozen=True)
class PageImage:
    number: int  # 1-based page of the file
    image: np.ndarray  # grey, uint8
    dpi_x: float
    dpi_y: float


def open_pdf(path: Path) -> pymupdf.Document:
    """Open a scan — a PDF, or a TIFF/JPEG/PNG image as a PDF — or raise InputFileError naming
    the file and what is wrong with it."""
    path = Path(path)
    refuse_unreadable(path)
    mupdf_messages()  # what earlier files left is not this file's fault
    if is_image(path):
        return _open_image(path)
    if not is_scan(path) and _looks_like_text(path):
        raise InputFileError(f"{path.name}: not a scan ({KINDS} expected)")
    try:
        doc = _open_mupdf(path)
    except Exception as exc:  # PyMuPDF raises its own FileDataError, RuntimeError, ...
        mupdf_messages()
        raise InputFileError(f"{path.name}: not a readable PDF ({exc})") from None
    try:
        refuse_if_damaged(path.name)  # e.g. a truncated file MuPDF had to rebuild
    except InputFileError:
        doc.close()
        raise
    if doc.needs_pass:
        doc.close()
        raise InputFileError(f"{path.name}: the PDF is password-protected")
    if doc.page_count == 0:
        doc.close()
        raise InputFileError(f"{path.name}: the PDF has no pages")
    return doc


def refuse_unreadable(path: Path) -> None:
    """InputFileError unless ``path`` is a file this process may read: a file in a folder it may
    not enter, or one it may not open, is said to be so (MuPDF would only say it "failed to open")."""
    try:
        if path.is_dir():
            raise InputFileError(f"{path}: is a folder, not a PDF file")
        if not path.is_file():
            raise InputFileError(f"{path}: no such file")
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


def _open_image(path: Path) -> pymupdf.Document:
    """An image as a PDF; an image too large to be a scanned page (a "decompression bomb", which
    Pillow refuses to decode) or one Pillow fails on in any other way is an error for that file."""
    try:
        return image_as_pdf(path)
    except InputFileError:
        raise
    except Image.DecompressionBombError:
        raise InputFileError(f"{path.name}: the image is too large to be a scanned page") from None
    except Exception as exc:  # one bad image must not stop the files after it
        raise InputFileError(f"{path.name}: not a readable image ({exc})") from None


def _open_mupdf(path: Path) -> pymupdf.Document:
    """The PDF opened by MuPDF, which takes file names as UTF-8 text: a name whose bytes are not
    (a file from an older system) is read into memory and opened from there."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        doc = pymupdf.open(stream=path.read_bytes(), filetype="pdf")
        doc.source_name = path.name  # such a document has no name; messages about its pages need one
        return doc
    return pymupdf.open(path, filetype="pdf")


def _looks_like_text(path: Path) -> bool:
    """A file of another type named on its own (a .txt in a selection): a PDF starts with %PDF."""
    try:
        with open(path, "rb") as fh:
            return b"%PDF" not in fh.read(1024)
    except OSError:
        return False


def native_dpi(page: pymupdf.Page) -> tuple[float, float]:
    """The resolution of a scanned page's image (its largest image), or (0, 0) for a page without one."""
    best = (0.0, 0.0)
    area = 0.0
    for info in page.get_image_info():
        bbox = pymupdf.Rect(info["bbox"])
        if bbox.is_empty or bbox.width < page.rect.width * 0.5:
            continue
        dx = info["width"] / (bbox.width / 72.0)
        dy = info["height"] / (bbox.height / 72.0)
        if bbox.get_area() > area:
            area, best = bbox.get_area(), (dx, dy)
    return best


def too_large_for_a_form(page: pymupdf.Page) -> bool:
    """Whether the page is larger than any sheet a form is printed on or scanned from."""
    return max(page.rect.width, page.rect.height) > MAX_FORM_PAGE_PT


def capped_dpi(page: pymupdf.Page, dpi: float) -> float:
    """``dpi``, or less where the page drawn at ``dpi`` would be larger than MAX_RENDER_PX."""
    side = max(page.rect.width, page.rect.height, 1.0)
    return min(float(dpi), MAX_RENDER_PX * 72.0 / side)


def render_page(page: pymupdf.Page, dpi: float | None = None) -> PageImage:
    """Render one page in grey at ``dpi`` (default: the scan's own resolution, within limits).

    A fax's unequal horizontal and vertical resolution is kept, so no pixel is invented;
    registration absorbs the difference. Raises InputFileError when MuPDF could not draw the
    page whole (a broken content stream or image is drawn partly, or blank, without an exception).
    """
    if dpi is None:
        dx, dy = native_dpi(page)
        if dx <= 0:
            dx = dy = 200.0
        dx, dy = (min(MAX_DPI, max(MIN_DPI, v)) for v in (dx, dy))
    else:
        dx = dy = float(dpi)
    dx, dy = capped_dpi(page, dx), capped_dpi(page, dy)
    size = (round(page.rect.width * dx / 72.0), round(page.rect.height * dy / 72.0))
    img = _scan_as_is(page, size)
    if img is not None:
        return PageImage(page.number + 1, img, dx, dy)
    matrix = pymupdf.Matrix(dx / 72.0, dy / 72.0)
    pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False, annots=True)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    refuse_if_damaged(_name_of(page.parent), page.number + 1)
    return PageImage(page.number + 1, img, dx, dy)


def _name_of(doc: pymupdf.Document) -> str:
    """The file name of an open document; images (made into PDFs in memory) have none."""
    return getattr(doc, "source_name", None) or Path(doc.name or "the image").name


def _scan_as_is(page: pymupdf.Page, size: tuple[int, int]) -> np.ndarray | None:
    """The page's scan decoded straight from its JPEG, where the page is nothing but that scan:
    one 8-bit grey JPEG drawn over the whole page, unturned, at exactly the rendering's size
    (``size``, width by height), with nothing drawn over it. MuPDF would draw the same pixels
    at three times the cost (a 300 dpi page: 30 ms against 9). None otherwise: a fax's 1-bit
    image, a colour scan, a page with anything else on it, a JPEG without its end marker."""
    if page.rotation or page.first_annot is not None:
        return None
    drawn = page.get_bboxlog()
    if len(drawn) != 1 or drawn[0][0] != "fill-image" \
            or any(abs(a - b) > 0.5 for a, b in zip(drawn[0][1], page.rect)):
        return None
    images = page.get_images(full=True)
    if len(images) != 1:
        return None
    xref, smask, width, height, bpc = images[0][:5]
    doc = page.parent
    if smask or bpc != 8 or (width, height) != size or doc.xref_get_key(xref, "Decode")[0] != "null":
        return None
    found = doc.extract_image(xref) or {}
    data = found.get("image", b"")
    if found.get("ext") != "jpeg" or found.get("colorspace") != 1 or not data.rstrip().endswith(b"\xff\xd9"):
        return None
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.dtype != np.uint8 or img.shape != (height, width):
        return None
    return img


def has_filled_widgets(page: pymupdf.Page) -> bool:
    for w in page.widgets():
        if w.field_value not in (None, "", "Off", False):
            return True
    return False
