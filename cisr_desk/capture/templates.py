"""Derive a template (forms/*.json) from a blank fillable PDF whose widgets carry field keys.

Text and checkbox zones are the widgets' rectangles; comb fields (one character a box) get
their cells from the widget's max length; signature zones, which have no widget, are the
boxes around the grey signature lines, named by the label printed in the box.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf

from cisr_desk.domain.catalog import FIELD_TYPES, section_of, LABELS
from cisr_desk.domain.fields import FieldType
from cisr_desk.domain.template import FieldSpec, FormTemplate, PageSpec

COMB_FLAG = 1 << 24
SIGNATURE_LABELS = (("DRP", "drp_signature"), ("CUSTOMER", "customer_signature"))


class TemplateError(ValueError):
    pass


def _signature_zones(page: pymupdf.Page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Signature boxes: a thin grey horizontal rule inside a ruled box whose label says whose it is."""
    drawings = page.get_drawings()
    boxes = [it[1] for d in drawings for it in d["items"] if it[0] == "re"]
    words = page.get_text("words")
    found = []
    for d in drawings:
        color = d.get("color") or (0, 0, 0)
        if d["type"] != "s" or not (0.3 < min(color) < 0.8):
            continue
        for it in d["items"]:
            if it[0] != "l" or abs(it[1].y - it[2].y) > 0.5 or abs(it[2].x - it[1].x) < 100:
                continue
            y, x0, x1 = it[1].y, min(it[1].x, it[2].x), max(it[1].x, it[2].x)
            box = min((b for b in boxes if b.x0 <= x0 and b.x1 >= x1 and b.y0 < y < b.y1),
                      key=lambda b: b.get_area(), default=None)
            if box is None:
                continue
            label = " ".join(w[4] for w in words if box.x0 <= w[0] and w[2] <= box.x1 and box.y0 <= w[1] < box.y0 + 10)
            key = next((k for word, k in SIGNATURE_LABELS if word in label.upper()), None)
            if key:
                found.append((key, (x0 - 8, box.y0 + 9, x1, min(box.y1 - 1, y + 5))))
    return found


def _received_zone(page: pymupdf.Page) -> tuple[float, float, float, float] | None:
    """The office-use box labelled DATE RECEIVED, where the mail room's stamp goes."""
    words = page.get_text("words")
    for i, w in enumerate(words[1:], start=1):
        if w[4].upper() == "RECEIVED" and words[i - 1][4].upper() == "DATE":
            boxes = [it[1] for d in page.get_drawings() for it in d["items"]
                     if it[0] == "re" and it[1].contains(pymupdf.Rect(w[:4]))]
            if boxes:
                box = min(boxes, key=lambda b: b.get_area())
                return (box.x0, box.y0 + 2, box.x1, box.y1)
    return None


def derive_template(blank: Path, template_id: str, title: str = "") -> FormTemplate:
    from cisr_desk.capture.pages import open_pdf

    doc = open_pdf(blank)  # InputFileError, naming the file, for what is no PDF
    pages, fields = [], []
    received = None
    for index, page in enumerate(doc):
        zone = _received_zone(page)
        if zone and received is None:
            received = (index, zone)
        pages.append(PageSpec(index, page.rect.width, page.rect.height))
        for w in page.widgets():
            key = w.field_name
            if key not in FIELD_TYPES:
                raise TemplateError(f"{blank.name}: widget {key!r} on page {index + 1} is not a known field key")
            ftype = FIELD_TYPES[key]
            r = w.rect
            cells: tuple = ()
            if ftype not in (FieldType.CHECK,) and (w.field_flags & COMB_FLAG) and w.text_maxlen:
                n = w.text_maxlen
                step = r.width / n
                cells = tuple((r.x0 + i * step, r.y0, r.x0 + (i + 1) * step, r.y1) for i in range(n))
            fields.append(FieldSpec(key, ftype, index, (r.x0, r.y0, r.x1, r.y1), LABELS.get(key, key),
                                    section_of(key), cells))
        for key, rect in _signature_zones(page):
            fields.append(FieldSpec(key, FieldType.SIGNATURE, index, rect, LABELS[key], section_of(key)))
    known = {f.key for f in fields}
    for key in ("customer_signature",):
        if key not in known:
            raise TemplateError(f"{blank.name}: no signature box found for {key}")
    order = list(FIELD_TYPES)
    fields.sort(key=lambda f: order.index(f.key))
    return FormTemplate(template_id, title or template_id, blank.name, tuple(pages), tuple(fields), blank.parent,
                        received)
