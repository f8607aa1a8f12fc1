"""Is an unrecognised page the attachment that lists more service accounts?

Only asked of a page that follows a form and is no form itself, and read from the top a part
at a time, only as far as it takes to tell (a list's heading, a letter's greeting). After a
form whose "more accounts attached" box is marked, such a page is the attachment unless it
reads like a letter: hand-written lists often defeat the OCR, cover letters rarely do.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from cisr_desk.capture.pages import open_pdf, render_page

SERVICE_ACCOUNT = re.compile(r"\b3[\s\-]?\d{3}[\s\-]?\d{4}[\s\-]?\d{2}\b")
HEADINGS = re.compile(r"(ADDITIONAL|ATTACH|SERVICE\s+ACCOUNT)", re.IGNORECASE)
LETTER = re.compile(r"\b(Dear|Sincerely|Regards|Enclosed)\b", re.IGNORECASE)


LIST_HEADING = re.compile(r"ADDITIONAL\s+SERVICE\s+ACC", re.IGNORECASE)


BANDS = (0.25, 0.5)  # where a page is cut to be read a part at a time, as shares of its height


def _bands(image: np.ndarray) -> list[np.ndarray]:
    """The page cut across near each of BANDS, each cut at the row with the least ink around
    it (a gap between lines, so that no line is read in halves), top to bottom."""
    height = image.shape[0]
    cuts = [0]
    for share in BANDS:
        top, bottom = int(height * (share - 0.05)), int(height * (share + 0.05))
        ink = (image[top:bottom] < 160).sum(axis=1)
        cuts.append(top + int(np.argmin(ink)))
    cuts.append(height)
    return [image[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def looks_like_attachment(path: Path, number: int, announced: bool = True) -> bool:
    """Whether the page is the list of more service accounts. After a form whose box says one is
    attached (``announced``), any page that does not read like a letter is; after a form whose
    box reads unmarked (a tick the reader missed), only a page that says so: the list's heading,
    or two service account numbers, and no letter's words."""
    from cisr_desk.capture.ocr import default_engine

    doc = open_pdf(path)
    try:
        image = render_page(doc[number - 1], 150)
    finally:
        doc.close()
    # Read a band at a time from the top, and stop once the answer is known: a list's heading
    # is its first line, a letter's greeting comes a third of the way down.
    text = ""
    for band in _bands(image.image):
        text += default_engine().read_page(band) + "\n"
        if announced and (SERVICE_ACCOUNT.search(text) or HEADINGS.search(text)):
            return True
        if not announced and LETTER.search(text):
            return False
    if not announced:
        return bool(LIST_HEADING.search(text) or len(SERVICE_ACCOUNT.findall(text)) >= 2)
    # A hand-written list may defeat the OCR; what follows a form that announces an
    # attachment is that attachment, unless it reads like a letter (a DRP's cover letter).
    return not LETTER.search(text)
