"""Typed digital PDFs: the fillable form with its values still in the widgets.

Values come straight from the widgets (confidence 1.0, no OCR). Signatures have no widget:
the page is rendered and the signature zones are checked for ink like a scan's, with the
page laid exactly on its blank.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pymupdf

from cisr_desk.capture.pages import render_page
from cisr_desk.capture.read import Reading, crop, read_signature
from cisr_desk.capture.zones import extract_zone
from cisr_desk.domain.fields import FieldType, normalise
from cisr_desk.domain.model import FormResult, PagePlacement
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.template import FormTemplate

RENDER_DPI = 150.0
MARGIN = 6.0
OFF_STATES = {"", "Off", "off", "No", "False", "false", "0"}


def _widget_values(doc: pymupdf.Document) -> dict[str, tuple[int, object, str]]:
    found = {}
    for page in doc:
        for w in page.widgets():
            if w.field_name:
                found[w.field_name] = (page.number, w.field_value, w.field_type_string)
    return found


def which_template(doc: pymupdf.Document, templates: dict[str, FormTemplate]) -> FormTemplate | None:
    """The template whose keys the widgets carry, when the file is a filled-in form."""
    values = _widget_values(doc)
    if not values or not any(v not in (None, "", "Off", False) for _, v, _ in values.values()):
        return None
    names = set(values)
    best = None
    for t in templates.values():
        keys = set(t.keys)
        overlap = len(names & keys) / max(1, len(names))
        # The form's pages first; pages after them without fields (a list of more accounts) may follow.
        fits = len(t.pages) <= doc.page_count and not any(
            next(doc[i].widgets(), None) for i in range(len(t.pages), doc.page_count))
        # Of two revisions whose keys the widgets all carry, the one whose keys they cover most.
        score = (overlap, len(names & keys) / max(1, len(keys)))
        if overlap >= 0.9 and fits and (best is None or score > best[0]):
            best = (score, t)
    return best[1] if best else None


def read_digital(doc: pymupdf.Document, templates: dict[str, FormTemplate], registry: Registry | None,
                 received: dt.date | None, policy: SitePolicy) -> FormResult | None:
    from cisr_desk.capture.confidence import score_fields
    from cisr_desk.domain.rules import validate

    template = which_template(doc, templates)
    if template is None:
        return None
    values = _widget_values(doc)
    readings: dict[str, Reading] = {}
    placements = []
    for index in range(len(template.pages)):
        image = render_page(doc[index], RENDER_DPI)
        s = RENDER_DPI / 72.0
        matrix = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], np.float64)
        placements.append(PagePlacement(index + 1, False, RENDER_DPI, tuple(map(tuple, matrix.tolist())), 1.0))
        for spec in template.fields_on(index):
            if spec.type is FieldType.SIGNATURE:
                zone = extract_zone(image.image, matrix, template.blank_path, index, spec.rect, MARGIN)
                readings[spec.key] = read_signature(crop(zone.image, spec.rect, spec.rect, MARGIN))
                continue
            _, raw, kind = values.get(spec.key, (index, "", ""))
            if spec.type is FieldType.CHECK:
                marked = raw not in OFF_STATES and raw not in (None, False)
                readings[spec.key] = Reading(bool(marked), str(raw), 1.0)
            else:
                text = "" if raw in (None, False) else str(raw)
                readings[spec.key] = Reading(normalise(spec.type, text), text, 1.0)
    form_values = {k: r.value for k, r in readings.items()}
    # The pages after the form's are the list of more accounts when the form says one is attached;
    # otherwise they are no part of it (reported as unrecognised).
    more = bool(form_values.get("more_accounts_attached"))
    after = list(range(len(template.pages) + 1, doc.page_count + 1)) if more else []
    issues = validate(template, form_values, registry=registry, received=received, policy=policy,
                      attachment_present=bool(after) if more else None)
    fields = score_fields(template, readings, issues, registry, policy)
    return FormResult(list(range(1, len(template.pages) + 1)) + after, template.id, fields, issues, placements,
                      after, [], received.isoformat() if received else "", digital=True)
