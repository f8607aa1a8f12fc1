"""A file's pages as the desk sees them: which form each page is on, and how a clerk puts that right.

Capture groups the pages of a scanned file into forms; sometimes it is wrong (two forms taken
for one, a page scanned upside down and not recognised, a cover letter taken for a form).
A :class:`PageLayout` is that grouping as plain data, and the functions here are the clerk's
corrections: move a page to another form, split a form, merge two, turn a page 180°, mark a
page as an attachment or as no form at all, assign a loose page to a form revision and page.

Every operation is pure: it returns a new layout (the old one is left as it was) with the
change appended to ``changes`` (the audit trail of what the clerk did), or raises
:class:`InvalidValue` with a message for the clerk. The store reads the affected forms again.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from cisr_desk.domain.errors import InvalidValue

UNRECOGNIZED = "unrecognized"  # capture found no form on it; nobody has looked yet
NOT_FORM = "not_form"  # a clerk said: no form page (cover letter, separator sheet, ...)

# Only forms nobody has submitted yet may be rearranged.
REARRANGEABLE = ("imported", "in_review", "flagged")


class PageDoesNotFit(InvalidValue):
    """A page a clerk put on a form does not register to that form page's blank."""


@dataclass(frozen=True)
class FormPlan:
    """One form to read again as a clerk grouped it (what capture's ``read_forms`` takes)."""

    template_id: str
    pages: dict[int, int]  # template page index (0-based) -> file page (1-based)
    attachments: tuple[int, ...] = ()
    turned: dict[int, bool] = field(default_factory=dict)  # file page -> turned as the clerk said; absent: either
    received: dt.date | None = None


@dataclass
class FormLayout:
    template_id: str
    pages: dict[int, int]  # template page index (0-based) -> file page (1-based)
    attachments: list[int] = field(default_factory=list)  # file pages listing more accounts
    record_id: int | None = None  # None: a form the clerk made here, not stored yet
    status: str = ""
    label: str = ""  # what the clerk knows the form by (the customer), for display

    @property
    def file_pages(self) -> list[int]:
        return [self.pages[i] for i in sorted(self.pages)] + list(self.attachments)

    def index_of(self, page: int) -> int | None:
        return next((i for i, p in self.pages.items() if p == page), None)


@dataclass(frozen=True)
class Change:
    """One correction, as the audit log keeps it."""

    action: str  # page_moved, form_split, forms_merged, page_rotated, page_marked, page_assigned
    page: int  # the file page it is about (a merge or split: the first page concerned)
    old: str
    new: str
    record_id: int | None = None


@dataclass
class PageLayout:
    file_id: int
    file_name: str
    page_count: int
    template_pages: dict[str, int]  # template id -> number of pages it has
    forms: list[FormLayout] = field(default_factory=list)
    loose: dict[int, str] = field(default_factory=dict)  # page -> UNRECOGNIZED | NOT_FORM
    turned: dict[int, bool] = field(default_factory=dict)  # page -> scanned upside down (180°)
    source_path: str = ""  # the stored file, for thumbnails
    digital: bool = False
    changes: list[Change] = field(default_factory=list)
    loaded_as: str = ""  # fingerprint() of the layout as stored when it was loaded: a stale copy is refused
    versions: dict[int, int] = field(default_factory=dict)  # record id -> its version when loaded (ditto)

    # -- looking -------------------------------------------------------------------------------
    def where(self, page: int) -> tuple[str, int | None, int | None]:
        """("form", form number, page index) | ("attachment", form number, None) | ("loose", None, None)."""
        for n, form in enumerate(self.forms):
            index = form.index_of(page)
            if index is not None:
                return "form", n, index
            if page in form.attachments:
                return "attachment", n, None
        if page in self.loose:
            return "loose", None, None
        raise InvalidValue(f"{self.file_name} has no page {page} (it has {self.page_count})")

    def form_name(self, n: int) -> str:
        form = self.forms[n]
        return f"record {form.record_id}" if form.record_id is not None else f"new form {n + 1}"

    def describe(self, page: int) -> str:
        kind, n, index = self.where(page)
        if kind == "form":
            return f"page {index + 1} of {self.form_name(n)} ({self.forms[n].template_id})"
        if kind == "attachment":
            return f"attachment of {self.form_name(n)}"
        return "not a form page" if self.loose[page] == NOT_FORM else "unrecognized"

    def form_of_record(self, record_id: int) -> int:
        for n, form in enumerate(self.forms):
            if form.record_id == record_id:
                return n
        raise InvalidValue(f"Record {record_id} is not a form of {self.file_name}")

    @property
    def needs_a_look(self) -> bool:
        return any(kind == UNRECOGNIZED for kind in self.loose.values())


# -- checking -------------------------------------------------------------------------------------
def validate(layout: PageLayout) -> None:
    """Every page once, on a page the template has; every form with at least one form page."""
    seen: dict[int, str] = {}

    def claim(page: int, where: str) -> None:
        if not 1 <= page <= layout.page_count:
            raise InvalidValue(f"{layout.file_name} has no page {page} (it has {layout.page_count})")
        if page in seen:
            raise InvalidValue(f"Page {page} cannot be both {seen[page]} and {where}")
        seen[page] = where

    for n, form in enumerate(layout.forms):
        name = layout.form_name(n)
        count = layout.template_pages.get(form.template_id)
        if count is None:
            raise InvalidValue(f"There is no form revision {form.template_id!r} "
                               f"(one of {', '.join(sorted(layout.template_pages))})")
        if not form.pages:
            raise InvalidValue(f"{name.capitalize()} would have no form page left: a form keeps at least one page")
        for index, page in form.pages.items():
            if not 0 <= index < count:
                raise InvalidValue(f"Form {form.template_id} has no page {index + 1} (it has {count})")
            claim(page, f"page {index + 1} of {name}")
        for page in form.attachments:
            claim(page, f"an attachment of {name}")
    for page in layout.loose:
        claim(page, "a loose page")
    missing = sorted(set(range(1, layout.page_count + 1)) - set(seen))
    if missing:
        raise InvalidValue(f"Page{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
                           f"of {layout.file_name} {'are' if len(missing) > 1 else 'is'} nowhere")


# -- the clerk's corrections -------------------------------------------------------------------------
def _copy(layout: PageLayout) -> PageLayout:
    if layout.digital:
        raise InvalidValue(f"{layout.file_name} is a digital PDF: its form is read from its fields, "
                           "so its pages cannot be rearranged")
    return copy.deepcopy(layout)


def _take(layout: PageLayout, page: int, *, may_empty: bool = False) -> None:
    """Take a page off wherever it is; a form left without a form page is refused (or dropped)."""
    kind, n, index = layout.where(page)
    if kind == "loose":
        del layout.loose[page]
    elif kind == "attachment":
        layout.forms[n].attachments.remove(page)
    else:
        form = layout.forms[n]
        if len(form.pages) == 1 and not may_empty:
            raise InvalidValue(f"Page {page} is the only page of {layout.form_name(n)}: a form keeps at least one "
                               f"page (merge the form into another, or mark its page 'not a form')")
        del form.pages[index]


def _drop_empty(layout: PageLayout) -> None:
    for form in [f for f in layout.forms if not f.pages]:
        for page in form.attachments:
            layout.loose[page] = NOT_FORM
        layout.forms.remove(form)


def _check_index(layout: PageLayout, template_id: str, index: int) -> None:
    count = layout.template_pages.get(template_id)
    if count is None:
        raise InvalidValue(f"There is no form revision {template_id!r} "
                           f"(one of {', '.join(sorted(layout.template_pages))})")
    if not 0 <= index < count:
        raise InvalidValue(f"Form {template_id} has no page {index + 1} (it has {count})")


def _done(layout: PageLayout, change: Change) -> PageLayout:
    layout.changes.append(change)
    validate(layout)
    return layout


def move_page(layout: PageLayout, page: int, form_no: int, index: int | None = None) -> PageLayout:
    """Put ``page`` on form ``form_no`` as its page ``index`` (0-based; None: the first one it lacks)."""
    out = _copy(layout)
    if not 0 <= form_no < len(out.forms):
        raise InvalidValue(f"There is no form {form_no + 1} in {out.file_name}")
    old = out.describe(page)
    target = out.forms[form_no]
    count = out.template_pages[target.template_id]
    if index is None:
        free = [i for i in range(count) if i not in target.pages]
        if not free:
            raise InvalidValue(f"{out.form_name(form_no).capitalize()} already has all {count} of its pages: "
                               f"move one away first, or mark page {page} as its attachment")
        index = free[0]
    _check_index(out, target.template_id, index)
    holder = target.pages.get(index)
    if holder is not None and holder != page:
        raise InvalidValue(f"Page {index + 1} of {out.form_name(form_no)} is already file page {holder}: "
                           f"move that page away first")
    _take(out, page)
    target.pages[index] = page
    return _done(out, Change("page_moved", page, old, out.describe(page), target.record_id))


def split_form(layout: PageLayout, page: int) -> PageLayout:
    """Split the form ``page`` is on: ``page`` and the form pages after it become a form of their own."""
    out = _copy(layout)
    kind, n, index = out.where(page)
    if kind != "form":
        raise InvalidValue(f"Page {page} is not a form page ({out.describe(page)}): there is nothing to split")
    form = out.forms[n]
    moving = {i: p for i, p in form.pages.items() if i >= index}
    if len(moving) == len(form.pages):
        raise InvalidValue(f"Page {page} is the first page of {out.form_name(n)}: split at a later page")
    for i in moving:
        del form.pages[i]
    out.forms.insert(n + 1, FormLayout(form.template_id, moving, [], None, "", ""))
    before = ", ".join(map(str, sorted(form.file_pages + list(moving.values()))))
    return _done(out, Change("form_split", page, f"{out.form_name(n)}: pages {before}",
                             f"{out.form_name(n)}: pages {', '.join(map(str, form.file_pages))}; "
                             f"a new form: pages {', '.join(map(str, moving.values()))}", form.record_id))


def merge_forms(layout: PageLayout, first: int, second: int) -> PageLayout:
    """Form ``second``'s pages and attachments join form ``first``; form ``second`` is gone."""
    out = _copy(layout)
    for n in (first, second):
        if not 0 <= n < len(out.forms):
            raise InvalidValue(f"There is no form {n + 1} in {out.file_name}")
    if first == second:
        raise InvalidValue("A form cannot be merged with itself")
    a, b = out.forms[first], out.forms[second]
    if a.template_id != b.template_id:
        raise InvalidValue(f"{out.form_name(first).capitalize()} is {a.template_id} and {out.form_name(second)} is "
                           f"{b.template_id}: only pages of the same revision make one form")
    clash = sorted(set(a.pages) & set(b.pages))
    if clash:
        raise InvalidValue(f"Both {out.form_name(first)} and {out.form_name(second)} have a page {clash[0] + 1}: "
                           "one form cannot have it twice (move or mark one of them first)")
    old = f"{out.form_name(first)} and {out.form_name(second)}"
    name_b = out.form_name(second)
    a.pages.update(b.pages)
    a.attachments.extend(b.attachments)
    out.forms.remove(b)
    return _done(out, Change("forms_merged", min(b.file_pages), old,
                             f"{name_b} merged into {out.form_name(out.forms.index(a))}: pages "
                             f"{', '.join(map(str, a.file_pages))}", a.record_id))


def rotate_page(layout: PageLayout, page: int) -> PageLayout:
    """Turn a page 180° (it was scanned upside down, or capture thought so wrongly)."""
    out = _copy(layout)
    kind, n, _ = out.where(page)
    before = out.turned.get(page, False)
    out.turned[page] = not before
    record = out.forms[n].record_id if n is not None else None
    return _done(out, Change("page_rotated", page, "turned 180°" if before else "upright",
                             "turned 180°" if not before else "upright", record))


def mark_attachment(layout: PageLayout, page: int, form_no: int) -> PageLayout:
    """The page lists more service accounts of form ``form_no``."""
    out = _copy(layout)
    if not 0 <= form_no < len(out.forms):
        raise InvalidValue(f"There is no form {form_no + 1} in {out.file_name}")
    old = out.describe(page)
    target = out.forms[form_no]
    _take(out, page)
    target.attachments.append(page)
    target.attachments.sort()
    return _done(out, Change("page_marked", page, old, out.describe(page), target.record_id))


def mark_not_form(layout: PageLayout, page: int) -> PageLayout:
    """The page is no form page (a letter, a separator sheet); the last page of a form takes the form with it."""
    out = _copy(layout)
    old = out.describe(page)
    kind, n, _ = out.where(page)
    record = out.forms[n].record_id if n is not None else None
    _take(out, page, may_empty=True)
    out.loose[page] = NOT_FORM
    _drop_empty(out)
    return _done(out, Change("page_marked", page, old, out.describe(page), record))


def assign_page(layout: PageLayout, page: int, template_id: str, index: int) -> PageLayout:
    """``page`` is page ``index`` (0-based) of revision ``template_id``: alone on its form, the form
    takes that revision; a loose page or a page of a longer form starts a new form of its own."""
    out = _copy(layout)
    _check_index(out, template_id, index)
    old = out.describe(page)
    kind, n, _ = out.where(page)
    if kind == "form" and len(out.forms[n].pages) == 1:
        form = out.forms[n]
        form.template_id, form.pages = template_id, {index: page}
    else:
        _take(out, page)
        form = FormLayout(template_id, {index: page})
        after = [i for i, f in enumerate(out.forms) if min(f.file_pages) < page]
        out.forms.insert(after[-1] + 1 if after else 0, form)
    return _done(out, Change("page_assigned", page, old, out.describe(page), form.record_id))


def fingerprint(layout: PageLayout) -> str:
    """The grouping (forms, attachments, loose pages and turns), whatever the changes made on the way."""
    return repr(([(f.record_id, f.template_id, sorted(f.pages.items()), sorted(f.attachments)) for f in layout.forms],
                 sorted(layout.loose.items()), sorted(p for p, t in layout.turned.items() if t)))


def same_place(a: PageLayout, b: PageLayout) -> bool:
    return fingerprint(a) == fingerprint(b)
