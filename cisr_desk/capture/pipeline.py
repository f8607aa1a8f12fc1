"""Run capture over files: render, classify, separate, register, read, score, validate.

Public API (used by the store's import, the CLI and the benchmark):

    extract_file(path, registry=..., received=..., policy=...) -> DocumentResult
    extract_files(paths, ..., workers=N, progress=cb, cancel=cb) -> iterator of DocumentResult

Each scanned page is analysed on its own (``analyse_page``: a pure function of the file, the
page number and the templates), so pages run in a pool of processes; forms are then put
together, scored and validated in the calling process.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np

from cisr_desk.capture import digital
from cisr_desk.capture.attachments import looks_like_attachment
from cisr_desk.capture.confidence import score_fields, settle_drp_names
from cisr_desk.capture.context import (apply_context, directionals_by_ink, house_number_by_ink,
                                      house_numbers_as_written, sign_dates_by_ink, street_by_ink, term_dates_by_ink,
                                      zip_by_ink)
from cisr_desk.capture.crosscheck import cross_check, drp_id_from_name, registered_contact
from cisr_desk.capture.pages import open_pdf, refuse_if_damaged, render_page, too_large_for_a_form
from cisr_desk.capture.read import (Reading, components, crop, line_levels, read_check, read_signature, read_text,
                                    set_by_a_printer, written_ink)
from cisr_desk.capture.register import (match_page, page_drift, reference, references, to_reg_scale,
                                       to_source_matrix)
from cisr_desk.capture.separate import FormGroup, PageKind, separate
from cisr_desk.capture.stamp import read_received
from cisr_desk.capture.workers import start_pool
from cisr_desk.capture.writer import (dates_settled_against_the_reader, digits_the_registry_corrected,
                                      digits_never_read, sevens_read_as_nines)
from cisr_desk.capture.zones import extract_zone
from cisr_desk.domain.errors import InputFileError
from cisr_desk.domain.layout import FormPlan, PageDoesNotFit
from cisr_desk.domain.fields import FieldType
from cisr_desk.domain.model import DocumentResult, FormResult, PagePlacement
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.rules import validate
from cisr_desk.domain.template import FormTemplate, load_templates
from cisr_desk.paths import forms_dir

log = logging.getLogger(__name__)

MARGIN = 6.0  # points of page around a field's zone that are cut out with it


@dataclass(frozen=True)
class Progress:
    file: str
    file_index: int  # 0-based index among the files of this run
    files_total: int
    pages_done: int  # pages of this file done so far
    pages_total: int


ProgressCallback = Callable[[Progress], None]
CancelCallback = Callable[[], bool]


class Cancelled(Exception):
    pass


@dataclass
class PageOutcome:
    """What one page is and, for a form page, what its fields say."""

    number: int
    template_id: str | None = None
    page_index: int = -1
    rotated: bool = False
    dpi: float = 0.0
    matrix: tuple = ()
    coverage: float = 0.0
    blank: bool = False
    readings: dict[str, Reading] = field(default_factory=dict)
    received: str = ""  # ISO date read off a RECEIVED stamp on this page


@lru_cache(maxsize=4)
def templates_in(folder: str) -> dict[str, FormTemplate]:
    return load_templates(Path(folder))


PALE_INK = 60  # grey levels darker than the paper around it: a pale pen's strokes
PALE_MARKS = 48  # a blank sheet's shading, grime and scanner-bed edge make fewer such marks (up to 32)


def _is_blank(small: np.ndarray) -> bool:
    """A separator sheet: no more than a few specks of dark ink at REG_DPI, nor more than a sheet's
    grime of marks darker than the paper around them (a typed list or a short note has dozens
    of letters, and a list written with a pale pen, none darker than 128, has a hundred or more
    strokes against the paper)."""
    n, _, stats = components((small < 128).astype(np.uint8))
    if int((stats[1:, cv2.CC_STAT_AREA] >= 8).sum()) >= 12:
        return False
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # strokes closed over
    n, _, stats = components(((paper.astype(np.int16) - small) > PALE_INK).astype(np.uint8))
    return int((stats[1:, cv2.CC_STAT_AREA] >= 8).sum()) < PALE_MARKS


def analyse_page(path: str, number: int, folder: str,
                 force: tuple[str, int, bool | None] | None = None) -> PageOutcome:
    """Classify, register and read one page of a scanned file (runs in a worker process).

    ``force`` = (template id, page index, turned or None): a clerk said which form page this is;
    it is registered to that blank page only (and only turned as said, unless None).

    Any failure is an InputFileError naming the file and the page: a library's own error (MuPDF's,
    OpenCV's) often cannot be sent back from a worker process at all ("cannot pickle"), and the
    clerk needs to know which page of which file, not the library's name for the problem.
    """
    try:
        return _analyse_page(path, number, folder, force)
    except InputFileError:
        raise
    except Exception as exc:
        log.warning("%s, page %d could not be read", path, number, exc_info=True)
        raise InputFileError(f"{Path(path).name}: page {number} could not be read "
                             f"({type(exc).__name__}: {exc})") from None


def _analyse_page(path: str, number: int, folder: str, force: tuple[str, int, bool | None] | None) -> PageOutcome:
    from cisr_desk.capture.ocr import default_engine
    from cisr_desk.capture.ppocr import default_reader, quick_reader

    templates = templates_in(folder)
    doc = open_pdf(Path(path))
    try:
        if too_large_for_a_form(doc[number - 1]):
            return PageOutcome(number)  # a poster, a drawing: no form page, left for the clerk to see
        image = render_page(doc[number - 1])
    finally:
        doc.close()
    out = PageOutcome(number, dpi=image.dpi_x)
    small = to_reg_scale(image.image, image.dpi_x, image.dpi_y)
    match = match_page(small, references(templates)) if force is None else _forced_match(small, templates, *force)
    if match is None:
        # Asked only of a page that is no form page: a form page, even one never filled in, has
        # hundreds of marks, and a separator sheet no print for a blank to be matched on. (Asked
        # of every page first, it cost more than the few separators' failed matches.)
        out.blank = _is_blank(small)
        return out
    src = np.ascontiguousarray(image.image[::-1, ::-1]) if match.rotated else image.image
    matrix = to_source_matrix(match.matrix, image.dpi_x, image.dpi_y)
    out.template_id, out.page_index, out.rotated, out.coverage = (
        match.template_id, match.page_index, match.rotated, match.coverage)
    out.matrix = tuple(tuple(float(v) for v in row) for row in matrix)
    template = templates[match.template_id]
    engine = default_engine()
    second = default_reader()
    if template.received_zone and template.received_zone[0] == match.page_index and second is not None:
        stamped = read_received(second, src, matrix, template.blank_path, match.page_index,
                                template.received_zone[1])
        out.received = stamped.isoformat() if stamped else ""
    turned = np.ascontiguousarray(small[::-1, ::-1]) if match.rotated else small
    drift = page_drift(turned, reference(template.blank_path, template.id, match.page_index), match.matrix)
    zones = [(spec, extract_zone(src, matrix, template.blank_path, match.page_index, spec.rect, MARGIN,
                                 drift.at(spec.rect))) for spec in template.fields_on(match.page_index)]
    # The ink of every text field first: a page whose lines were set by a printer has what
    # Tesseract read surely confirmed by the quick reader, not the second one.
    inks = {spec.key: written_ink(zone.image, spec, spec.rect, MARGIN) for spec, zone in zones
            if not spec.type.is_mark}
    typed = second is not None and set_by_a_printer(
        [levels for ink in inks.values() if (levels := line_levels(ink[1])) is not None])
    quick = quick_reader() if typed else None
    for spec, zone in zones:
        if spec.type is FieldType.CHECK:
            out.readings[spec.key] = read_check(crop(zone.image, spec.rect, spec.rect, MARGIN, (-1.2, -1.2)))
        elif spec.type is FieldType.SIGNATURE:
            out.readings[spec.key] = read_signature(crop(zone.image, spec.rect, spec.rect, MARGIN))
        else:
            out.readings[spec.key] = read_text(engine, zone.image, spec, spec.rect, MARGIN, second, quick=quick,
                                               ink=inks[spec.key])
    return out


def _forced_match(small: np.ndarray, templates: dict[str, FormTemplate], template_id: str, page_index: int,
                  turned: bool | None):
    """The fit of one given blank page, or None: never another page's fit in its place."""
    template = templates.get(template_id)
    if template is None or not 0 <= page_index < len(template.pages):
        return None
    match = match_page(small, [reference(template.blank_path, template_id, page_index)])
    if match is not None and turned is not None and match.rotated != turned:
        return None
    return match


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cv2.setNumThreads(1)


def _analyse_all(path: Path, pages: int, folder: str, pool: ProcessPoolExecutor | None,
                 on_page: Callable[[int], None], cancel: CancelCallback | None) -> list[PageOutcome]:
    if pool is None:
        _init_worker()
        results = []
        for n in range(1, pages + 1):
            if cancel and cancel():
                raise Cancelled()
            results.append(analyse_page(str(path), n, folder))
            on_page(len(results))
        return results
    futures: dict[Future, int] = {pool.submit(analyse_page, str(path), n, folder): n for n in range(1, pages + 1)}
    done_count = 0
    pending = set(futures)
    by_number: dict[int, PageOutcome] = {}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for f in done:
                by_number[futures[f]] = f.result()  # a damaged page raises here: the file is done for
                done_count += 1
                on_page(done_count)
            if cancel and cancel():
                raise Cancelled()
    except BaseException:
        for f in pending:  # the workers are wanted for the next file
            f.cancel()
        raise
    return [by_number[n] for n in range(1, pages + 1)]


def _build_form(template: FormTemplate, outcomes: dict[int, PageOutcome], group: FormGroup,
                registry: Registry | None, received: dt.date | None, policy: SitePolicy) -> FormResult:
    readings: dict[str, Reading] = {}
    placements = []
    stamped = ""
    for index in sorted(group.pages):
        o = outcomes[group.pages[index]]
        readings.update(o.readings)
        stamped = stamped or o.received
        placements.append(PagePlacement(o.number, o.rotated, o.dpi, o.matrix, round(o.coverage, 3)))
    types = {spec.key: spec.type for spec in template.fields}
    apply_context(readings)  # look-alikes by token class, USPS place (capture/context.py)
    cross_check(readings, registry)
    drp_id_from_name(readings, registry, policy.fuzzy_name_min_score)
    sevens_read_as_nines(readings, types)  # what the form shows of the hand (capture/writer.py)
    digits_never_read(readings, types)
    settle_drp_names(readings, registry, policy)
    registered_contact(readings, registry, policy.fuzzy_name_min_score)
    digits_the_registry_corrected(readings, types)
    dates_settled_against_the_reader(readings, types)
    zip_by_ink(readings)  # after the hand's own slips are read again: they may be the ZIP's
    house_number_by_ink(readings)
    street_by_ink(readings)
    house_numbers_as_written(readings)
    directionals_by_ink(readings)
    if received is None and stamped:
        received = dt.date.fromisoformat(stamped)
    sign_dates_by_ink(readings, received)
    term_dates_by_ink(readings)
    values = {k: r.value for k, r in readings.items()}
    more = bool(values.get("more_accounts_attached"))
    issues = validate(template, values, registry=registry, received=received, policy=policy,
                      attachment_present=bool(group.attachments) if more else None, missing_pages=group.missing)
    dpi = min((o.dpi for o in (outcomes[n] for n in group.pages.values())), default=None)
    fields = score_fields(template, readings, issues, registry, policy, dpi)
    return FormResult(group.file_pages, template.id, fields, issues, placements, list(group.attachments),
                      group.missing, received.isoformat() if received else "")


def _extract_scanned(path: Path, pages: int, folder: str, pool, registry, received, policy,
                     on_page, cancel) -> tuple[list[FormResult], list[int]]:
    templates = templates_in(folder)
    outcomes = _analyse_all(path, pages, folder, pool, on_page, cancel)
    by_number = {o.number: o for o in outcomes}
    kinds = [PageKind(o.number, o.template_id, o.page_index, o.blank) for o in outcomes]
    # An unrecognised page right after a form that says more accounts are attached may be that list;
    # right after a form whose box reads unmarked, it is only if it says so (the tick was missed).
    last_more, box = False, None
    for previous, (kind, o) in zip([None, *kinds], zip(kinds, outcomes)):
        if kind.template_id is not None:
            if kind.page_index == 0:
                box = None
            box = o.readings.get("more_accounts_attached") or box
            last_more = bool(box is not None and box.value) or (last_more and kind.page_index > 0)
            continue
        if kind.blank:
            continue
        if last_more and looks_like_attachment(path, kind.number):
            kind.attachment = True
        elif previous is not None and previous.template_id is not None and box is not None \
                and looks_like_attachment(path, kind.number, announced=False):
            kind.attachment = True
            box.doubt("a list of more service accounts follows the form", at_most=0.5)
    groups, loose = separate(kinds, {t.id: len(t.pages) for t in templates.values()})
    forms = [
        _build_form(templates[g.template_id], by_number, g, registry, received, policy)
        for g in groups
    ]
    return forms, loose


def extract_file(path: Path, *, registry: Registry | None = None, received: dt.date | None = None,
                 policy: SitePolicy = SitePolicy(), workers: int = 1,
                 progress: ProgressCallback | None = None, cancel: CancelCallback | None = None) -> DocumentResult:
    return next(extract_files([path], registry=registry, received=received, policy=policy, workers=workers,
                              progress=progress, cancel=cancel))


def extract_files(paths: Iterable[Path], *, registry: Registry | None = None, received: dt.date | None = None,
                  policy: SitePolicy = SitePolicy(), workers: int | None = None,
                  progress: ProgressCallback | None = None, cancel: CancelCallback | None = None,
                  folder: Path | None = None) -> Iterator[DocumentResult]:
    """One DocumentResult per file, in order; a file that cannot be read gets ``errors``.

    Raises ``Cancelled`` (between pages) when ``cancel()`` turns true.
    """
    paths = [Path(p) for p in paths]
    folder_s = str(folder or forms_dir())
    workers = workers or os.cpu_count() or 1
    pool = start_pool(workers, _init_worker) if workers > 1 else None
    try:
        for index, path in enumerate(paths):
            source = str(path)
            pages = 0
            try:
                doc = open_pdf(path)
                pages = doc.page_count
                try:
                    form = digital.read_digital(doc, templates_in(folder_s), registry, received, policy)
                    refuse_if_damaged(path.name)  # reading the widgets can meet broken objects too
                finally:
                    doc.close()
            except InputFileError as exc:
                yield DocumentResult(source, pages, errors=[str(exc)])
                continue

            def on_page(done: int, _i=index, _p=pages, _s=source) -> None:
                if progress:
                    progress(Progress(_s, _i, len(paths), done, _p))

            if form is not None:
                on_page(pages)
                yield DocumentResult(source, pages, [form], [n for n in range(1, pages + 1) if n not in form.pages])
                continue
            try:
                forms, loose = _extract_scanned(path, pages, folder_s, pool, registry, received, policy,
                                                on_page, cancel)
            except Cancelled:
                raise
            except InputFileError as exc:
                yield DocumentResult(source, pages, errors=[str(exc)])
                continue
            except Exception as exc:  # one bad file must not lose the others
                yield DocumentResult(source, pages, errors=[f"{path.name}: could not be read ({type(exc).__name__}: {exc})"])
                continue
            yield DocumentResult(source, pages, forms, loose)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


# -- reading again the forms a clerk grouped by hand (the page desk) -------------------------------------
def read_forms(path: Path, plans: list[FormPlan], *, registry: Registry | None = None,
               policy: SitePolicy = SitePolicy(), folder: Path | None = None,
               progress: ProgressCallback | None = None, cancel: CancelCallback | None = None) -> list[FormResult]:
    """Each planned form read from its pages, every page registered to the blank page it was given.

    Raises ``PageDoesNotFit`` naming every page that does not register to its blank page (nothing
    is invented in its place), ``Cancelled`` between pages when ``cancel()`` turns true.
    """
    folder_s = str(folder or forms_dir())
    templates = templates_in(folder_s)
    jobs = [(page, plan.template_id, index, plan.turned.get(page))
            for plan in plans for index, page in sorted(plan.pages.items())]
    _init_worker()
    outcomes: dict[int, PageOutcome] = {}
    for done, (page, template_id, index, turned) in enumerate(jobs, start=1):
        if cancel and cancel():
            raise Cancelled()
        outcomes[page] = analyse_page(str(path), page, folder_s, (template_id, index, turned))
        if progress:
            progress(Progress(str(path), 0, 1, done, len(jobs)))
    failed = [(page, template_id, index, turned) for page, template_id, index, turned in jobs
              if outcomes[page].template_id is None]
    if failed:
        lines = [f"page {page} does not fit page {index + 1} of {template_id}"
                 + (" turned 180°" if turned else " upright" if turned is False else "")
                 for page, template_id, index, turned in failed]
        raise PageDoesNotFit(f"{Path(path).name}: {'; '.join(lines)} (not that form page's print, or too "
                             "damaged to lay the blank on it). Nothing was changed.")
    results = []
    for plan in plans:
        template = templates[plan.template_id]
        group = FormGroup(plan.template_id, len(template.pages), dict(plan.pages), list(plan.attachments))
        results.append(_build_form(template, outcomes, group, registry, plan.received, policy))
    return results
