"""Is an unrecognised page the attachment that lists more service accounts?

Only asked of a page that follows a form whose "more accounts attached" box is marked, so
the one full-page OCR it costs is rare.
"""
from __future__ import annotations

import re
from pathlib import Path

from cisr_desk.capture.pages import open_pdf, render_page

SERVICE_ACCOUNT = re.compile(r"\b3[\s\-]?\d{3}[\s\-]?\d{4}[\s\-]?\d{2}\b")
HEADINGS = re.compile(r"(ADDITIONAL|ATTACH|SERVICE\s+ACCOUNT)", re.IGNORECASE)


def looks_like_attachment(path: Path, number: int) -> bool:
    from cisr_desk.capture.ocr import default_engine

    doc = open_pdf(path)
    try:
        image = render_page(doc[number - 1], 150)
    finally:
        doc.close()
    text = default_engine().read_page(image.image)
    return bool(SERVICE_ACCOUNT.search(text)) or (len(HEADINGS.findall(text)) >= 1 and bool(re.search(r"\d{6,}", text)))
