"""Is an unrecognised page the attachment that lists more service accounts?

Only asked of a page that follows a form whose "more accounts attached" box is marked, so
the one full-page OCR it costs is rare. Such a page is the attachment unless it reads like a
letter: hand-written lists often defeat the OCR, cover letters rarely do.
"""
from __future__ import annotations

import re
from pathlib import Path

from cisr_desk.capture.pages import open_pdf, render_page

SERVICE_ACCOUNT = re.compile(r"\b3[\s\-]?\d{3}[\s\-]?\d{4}[\s\-]?\d{2}\b")
HEADINGS = re.compile(r"(ADDITIONAL|ATTACH|SERVICE\s+ACCOUNT)", re.IGNORECASE)
LETTER = re.compile(r"\b(Dear|Sincerely|Regards|Enclosed)\b", re.IGNORECASE)


LIST_HEADING = re.compile(r"ADDITIONAL\s+SERVICE\s+ACC", re.IGNORECASE)


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
    text = default_engine().read_page(image.image)
    if not announced:
        return bool(LIST_HEADING.search(text) or len(SERVICE_ACCOUNT.findall(text)) >= 2) and not LETTER.search(text)
    if SERVICE_ACCOUNT.search(text) or HEADINGS.search(text):
        return True
    # A hand-written list may defeat the OCR; what follows a form that announces an
    # attachment is that attachment, unless it reads like a letter (a DRP's cover letter).
    return not LETTER.search(text)
