"""Capture results made up in code, for tests, the store benchmark and demos without OCR.

``clean_values()`` is a form that passes every rule against ``demo_registry_rows()``;
``FakeExtractor`` stands in for ``capture.pipeline.extract_files`` and answers each file by
its name from a dict of prepared results.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Iterable, Iterator, Mapping

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.model import DocumentResult, FieldReading, FormResult, PagePlacement, Value

TEMPLATE = "14-941-rev-2026-03"
# Template points to pixels of a page rendered at 200 dpi (a 3x3 homography, as capture gives).
IDENTITY = ((200 / 72, 0.0, 0.0), (0.0, 200 / 72, 0.0), (0.0, 0.0, 1.0))


def demo_registry_rows() -> list[dict]:
    return [
        {"registration_no": "DRP1791", "legal_name": "Coastal Energy Partners Corporation", "dba_name": "",
         "status": "ACTIVE", "registered_on": "2017-09-29", "status_changed_on": "", "sce_service_agreement": "Y",
         "contact_name": "Michael Hernandez", "contact_phone": "(680) 555-0169", "contact_email": "m@coastal.example"},
        {"registration_no": "DRP0933", "legal_name": "Big Bear Grid Services L.P.", "dba_name": "GridNow",
         "status": "ACTIVE", "registered_on": "2016-02-08", "status_changed_on": "", "sce_service_agreement": "Y",
         "contact_name": "Ana Patel", "contact_phone": "(620) 555-0177", "contact_email": "ana@bigbear.example"},
    ]


def write_registry_csv(path: Path, rows: list[dict] | None = None) -> Path:
    import csv

    rows = demo_registry_rows() if rows is None else rows
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def clean_values(n: int = 1, *, revoke: bool = False, accounts: int = 1, drp: str = "DRP1791",
                 drp_name: str = "Coastal Energy Partners", signed: dt.date = dt.date(2026, 11, 2)) -> dict[str, Value]:
    """A complete, valid rev 2026-03 form; ``n`` varies the customer and service accounts."""
    values: dict[str, Value] = {k: (False if t.is_mark else "") for k, t in FIELD_TYPES.items()}
    values.update({
        "request_authorize": not revoke, "request_revoke": revoke,
        "customer_name": f"Customer {n:06d}", "customer_account": f"2{n:09d}",
        "mailing_street": f"{n % 900 + 100} Main St", "mailing_city": "Rosemead", "mailing_state": "CA",
        "mailing_zip": "91770", "customer_phone": "6265550100",
        "drp1_name": drp_name, "drp1_id": drp,
        "data_interval": True, "data_billing": True, "history_12": True,
        "term_start": (signed + dt.timedelta(days=10)).isoformat(), "term_until_revoked": True,
        "customer_signature": True, "customer_sign_date": signed.isoformat(),
        "customer_print_name": f"Customer {n:06d}",
    })
    for i in range(1, accounts + 1):
        values[f"sa{i}_number"] = f"3{(n * 5 + i) % 10**9:09d}"
        values[f"sa{i}_address"] = f"{i} Service Rd"
    return values


def form(values: Mapping[str, Value], *, pages: Iterable[int] = (1, 2), template: str = TEMPLATE,
         doubtful: Iterable[str] = (), received: str | None = None, confidence: float = 0.97) -> FormResult:
    """A captured form of ``values``; its RECEIVED stamp read as ``received`` (ISO; "" for a stamp
    not read), by default three days after the customer signed (a clean form's stamp was read)."""
    doubtful = set(doubtful)
    if received is None:
        signed = values.get("customer_sign_date")
        received = (dt.date.fromisoformat(signed) + dt.timedelta(days=3)).isoformat() \
            if isinstance(signed, str) and signed else ""
    fields = {k: FieldReading(v, 0.5 if k in doubtful else confidence, k in doubtful,
                              ["hard to read"] if k in doubtful else [], str(v)) for k, v in values.items()}
    pages = list(pages)
    placements = [PagePlacement(p, False, 200.0, IDENTITY, 0.9) for p in pages]
    return FormResult(pages, template, fields, [], placements, [], [], received, False)


def document(path: Path | str, forms: list[FormResult], *, pages: int | None = None,
             unrecognized: Iterable[int] = (), errors: Iterable[str] = ()) -> DocumentResult:
    used = sum(len(f.pages) for f in forms)
    return DocumentResult(str(path), pages if pages is not None else used + len(list(unrecognized)), forms,
                          list(unrecognized), list(errors))


class FakeExtractor:
    """Answers ``extract_files`` from prepared results by file name; unknown files get one clean form."""

    def __init__(self, results: Mapping[str, list[FormResult] | DocumentResult] | None = None) -> None:
        self.results = dict(results or {})
        self.calls: list[list[str]] = []
        self._n = 0

    def __call__(self, paths, *, registry=None, received=None, policy=None, workers=None, progress=None,
                 cancel=None) -> Iterator[DocumentResult]:
        paths = [Path(p) for p in paths]
        self.calls.append([p.name for p in paths])
        for index, path in enumerate(paths):
            if cancel is not None and cancel():
                raise RuntimeError("cancelled")
            answer = self.results.get(path.name)
            if answer is None:
                self._n += 1
                answer = [form(clean_values(self._n))]
            if isinstance(answer, Exception):
                raise answer
            doc = answer if isinstance(answer, DocumentResult) else document(path, answer)
            if progress is not None:
                progress(SimpleNamespace(file=str(path), file_index=index, files_total=len(paths),
                                         pages_done=doc.pages, pages_total=doc.pages))
            yield DocumentResult(str(path), doc.pages, doc.forms, doc.unrecognized_pages, doc.errors)


class FixedClock:
    """A clock for tests: stands still until moved."""

    def __init__(self, at: dt.datetime = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


class FakeFormReader:
    """Stands in for ``capture.pipeline.read_forms``: each planned form reads as ``clean_values(n)``
    with n its first file page (or ``values[first page]``); pages in ``refuse`` do not fit."""

    def __init__(self, values: Mapping[int, Mapping[str, Value]] | None = None, refuse: Iterable[int] = ()) -> None:
        self.values = dict(values or {})
        self.refuse = set(refuse)
        self.calls: list[list] = []

    def __call__(self, path, plans, *, registry=None, policy=None, progress=None, cancel=None) -> list[FormResult]:
        from cisr_desk.domain.layout import PageDoesNotFit
        from cisr_desk.store.records import template_of

        self.calls.append(list(plans))
        bad = sorted(p for plan in plans for p in plan.pages.values() if p in self.refuse)
        if bad:
            raise PageDoesNotFit(f"{Path(path).name}: page {bad[0]} does not fit the form page it was given. "
                                 "Nothing was changed.")
        out = []
        total = sum(len(plan.pages) for plan in plans)
        for done, plan in enumerate(plans, start=1):
            first = min(plan.pages.values())
            values = self.values.get(first) or clean_values(first)
            f = form(values, pages=[plan.pages[i] for i in sorted(plan.pages)], template=plan.template_id,
                     received=plan.received.isoformat() if plan.received else "")
            f.placements = [PagePlacement(p, bool(plan.turned.get(p, False)), 200.0, IDENTITY, 0.9)
                            for p in f.pages]
            f.pages = f.pages + list(plan.attachments)
            f.attachment_pages = list(plan.attachments)
            template = template_of(plan.template_id)
            count = len(template.pages) if template else len(plan.pages)
            f.missing_pages = [i for i in range(count) if i not in plan.pages]
            out.append(f)
            if progress is not None:
                progress(SimpleNamespace(file=str(path), file_index=0, files_total=1, pages_done=done,
                                         pages_total=total))
        return out
