"""Filled pages as PDFs: the form (typed, hand or digital), attachments, cover letters, blanks.

The form pages start from the project's own blank PDF (``forms/``) so that a new revision of the
blank is picked up without code; the zones come from its template JSON. Paper styles are drawn
as ink over the blank and handed to ``scan``; the digital style fills the widgets and is saved
as is, which is what an e-mailed fillable form looks like.
"""
from __future__ import annotations

import datetime as dt
import random

import pymupdf

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.template import FormTemplate
from cisr_desk.synth import ink
from cisr_desk.synth.content import FormPlan
from cisr_desk.synth.rules import Provider
from cisr_desk.synth.writers import Writer

LETTER = (612.0, 792.0)
STAMP_AT = (84.0, 569.0)  # inside "FOR SCE USE ONLY", under DATE RECEIVED (rev 2026 page 2)


def _mark_kind(rng: random.Random) -> str:
    return rng.choices(("x", "tick", "fill"), weights=(40, 45, 15))[0]


def draw_form(plan: FormPlan, tpl: FormTemplate, rng: random.Random, writer: Writer | None = None) -> pymupdf.Document:
    """The filled form as PDF pages (all of the template's pages, even when one will go missing).

    A hand-printed form is in ``writer``'s hand (any writer when not said).
    """
    doc = pymupdf.open(tpl.blank_path)
    pen = ink.Pen.handwriting(rng, writer) if plan.style == "hand" else ink.Pen.typed(rng)
    sign_ink = pen.color if plan.style == "hand" else (rng.choice(ink.BLUE_INKS) if rng.random() < 0.45
                                                        else rng.choice(ink.BLACK_INKS))
    mark_ink = pen.color if plan.style == "hand" else sign_ink
    kind = _mark_kind(rng)
    shapes = {i: doc[i].new_shape() for i in range(len(doc))}
    for i in range(len(doc)):
        pen.font.install(doc[i])
    for spec in tpl.fields:
        page = doc[spec.page]
        ftype = FIELD_TYPES[spec.key]
        if ftype.is_mark:
            if not plan.marks.get(spec.key):
                continue
            if ftype.value == "signature":
                ink.signature(page, spec.rect, sign_ink, rng)
            else:
                ink.check_mark(page, spec.rect, kind if rng.random() < 0.9 else _mark_kind(rng), mark_ink, rng)
            continue
        text = plan.written.get(spec.key, "")
        if not text:
            continue
        if spec.cells:
            ink.write_comb(page, spec.cells, text, pen, rng)
        else:
            rect = spec.rect
            if ftype.value == "date" and spec.page == 1 and rect[3] - rect[1] > 19:  # tall date boxes: write low
                rect = (rect[0], rect[1] + 3, rect[2], rect[3] - 1)
            ink.write(page, rect, text, pen, rng, shape=shapes[spec.page])
    for s in shapes.values():
        s.commit()
    if plan.received and len(doc) > 1:
        x, y = STAMP_AT
        ink.received_stamp(doc[1], (x + rng.uniform(-8, 60), y + rng.uniform(-3, 8)),
                           plan.received, rng)
    return doc


def fill_digital(plan: FormPlan, tpl: FormTemplate, rng: random.Random) -> pymupdf.Document:
    """The fillable blank with its widgets filled, and the customer's signature as vector ink (or none)."""
    doc = pymupdf.open(tpl.blank_path)
    for page in doc:
        for widget in page.widgets():
            key = widget.field_name
            if key not in FIELD_TYPES:
                continue
            if widget.field_type == pymupdf.PDF_WIDGET_TYPE_CHECKBOX:
                widget.field_value = widget.on_state() if plan.marks.get(key) else "Off"
            else:
                widget.field_value = plan.written.get(key, "")
            widget.update()
    color = rng.choice(ink.BLUE_INKS + ink.BLACK_INKS)
    for key in ("customer_signature", "drp_signature"):
        if tpl.has(key) and plan.marks.get(key):
            spec = tpl.field(key)
            ink.signature(doc[spec.page], spec.rect, color, rng)
    return doc


def attachment_page(plan: FormPlan, rng: random.Random, writer: Writer | None = None) -> pymupdf.Document:
    """An "ADDITIONAL SERVICE ACCOUNTS" sheet, typed or hand-printed (by the form's writer) on plain paper."""
    doc = pymupdf.open()
    page = doc.new_page(width=LETTER[0], height=LETTER[1])
    hand = plan.style == "hand" or (plan.style != "typed" and rng.random() < 0.5)
    pen = ink.Pen.handwriting(rng, writer) if hand else ink.Pen.typed(rng)
    pen.font.install(page)
    shape = page.new_shape()
    up = (lambda s: s.upper()) if hand else (lambda s: s)
    y = rng.uniform(70, 110)
    left = rng.uniform(50, 80)
    ink.write(page, (left, y - 20, 560, y), "ADDITIONAL SERVICE ACCOUNTS", pen, rng, left=0, shape=shape)
    y += 26
    ink.write(page, (left, y - 16, 560, y), up(f"Customer: {plan.written.get('customer_name', '')}"), pen, rng,
              left=0, shape=shape)
    y += 20
    acct = plan.written.get("customer_account", "")
    if acct:
        ink.write(page, (left, y - 16, 560, y), up(f"Account: {acct}"), pen, rng, left=0, shape=shape)
        y += 20
    y += 14
    if not hand:
        ink.write(page, (left, y - 16, 560, y), "Service account no.", pen, rng, left=0, shape=shape)
        ink.write(page, (left + 150, y - 16, 560, y), "Service address", pen, rng, left=0, shape=shape)
        shape.draw_line((left, y + 4), (540, y + 4))
        shape.finish(color=(0, 0, 0), width=0.6)
        y += 22
    for n, (number, address) in enumerate(plan.attachment, start=1):
        label = f"{n}. " if hand else ""
        ink.write(page, (left, y - 16, left + 148, y), f"{label}{number}", pen, rng, left=0, shape=shape)
        ink.write(page, (left + 150, y - 16, 575, y), up(address), pen, rng, left=0, shape=shape)
        y += rng.uniform(22, 28) if hand else 20
    shape.commit()
    if hand and rng.random() < 0.5:
        ink.signature(page, (left, y + 20, left + 220, y + 44), pen.color, rng)
    return doc


def cover_letter(provider: Provider, customers: list[str], when: dt.date, rng: random.Random) -> pymupdf.Document:
    """A DRP's typed cover letter: letterhead, address block, a few paragraphs, signature."""
    doc = pymupdf.open()
    page = doc.new_page(width=LETTER[0], height=LETTER[1])
    font = rng.choice(("tiro", "helv"))
    bold = {"tiro": "tibo", "helv": "hebo"}[font]
    size = rng.uniform(10.5, 12)
    left = rng.uniform(60, 80)
    y = rng.uniform(70, 100)
    page.insert_text((left, y), provider.legal, fontsize=size + 5, fontname=bold)
    y += 18
    for line in (f"{rng.randint(100, 29999)} {rng.choice(('Grove Ave', 'Main St', 'Ocean Blvd', 'Market St'))}, "
                 f"{rng.choice(('Santa Monica', 'Irvine', 'Ontario', 'Oxnard', 'Riverside'))}, CA",
                 f"Tel. {provider.phone}   {provider.email}"):
        page.insert_text((left, y), line, fontsize=size - 2.5, fontname=font)
        y += 12
    y += 30
    lines = [when.strftime("%B %d, %Y"), "", "Southern California Edison", "Rule 24 Processing", "P.O. Box 800",
             "Rosemead, CA 91770", ""]
    for line in lines:
        page.insert_text((left, y), line, fontsize=size, fontname=font)
        y += size * 1.35
    page.insert_text((left, y), "Re: CISR-DRP authorization forms", fontsize=size, fontname=bold)
    y += size * 2.2
    count = len(customers)
    paras = [
        "Dear Rule 24 Processing Team:",
        f"Enclosed please find {count} signed Customer Information Service Request (CISR-DRP) "
        f"form{'s' if count != 1 else ''}, Form 14-941, authorizing the release of customer information to "
        f"{provider.legal} under Electric Rule 24. The customers listed below have enrolled with us for "
        "participation in the CAISO wholesale demand response market.",
        "\n".join(f"   - {c}" for c in customers),
        f"Please direct any questions about these requests to the undersigned at {provider.phone}. "
        "Thank you for your prompt processing.",
        "Sincerely,",
    ]
    width = 612 - 2 * left
    for para in paras:
        box = pymupdf.Rect(left, y - size, left + width, y + 200)
        used = page.insert_textbox(box, para, fontsize=size, fontname=font, lineheight=1.35)
        y = box.y0 + (200 + size - used if used >= 0 else 60) + size * 0.9
    ink.signature(page, (left - 10, y - 4, left + 150, y + 30), rng.choice(ink.BLUE_INKS + ink.BLACK_INKS), rng)
    y += 44
    for line in (provider.contact or "Enrollment Team", rng.choice(("Enrollment Coordinator", "Customer Operations",
                                                                    "Program Manager")), provider.legal):
        page.insert_text((left, y), line, fontsize=size, fontname=font)
        y += size * 1.3
    return doc


def blank_sheet() -> pymupdf.Document:
    doc = pymupdf.open()
    doc.new_page(width=LETTER[0], height=LETTER[1])
    return doc
