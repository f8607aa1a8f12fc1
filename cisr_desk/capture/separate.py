"""Group the pages of a file into form instances.

A form starts at its first page; its next pages follow in order. A rev-2026 form whose page 2
never comes is still a form (``missing_pages``), and a page 2 with no page 1 before it is a
form missing its first page. Pages that are no form page at all belong to no form, except an
attachment listing more service accounts, which belongs to the form before it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class PageKind:
    number: int  # 1-based page of the file
    template_id: str | None  # None: not a page of any form
    page_index: int = -1
    blank: bool = False
    attachment: bool = False


@dataclass
class FormGroup:
    template_id: str
    page_count: int  # pages the template has
    pages: dict[int, int] = field(default_factory=dict)  # template page index -> file page
    attachments: list[int] = field(default_factory=list)

    @property
    def missing(self) -> list[int]:
        return [i for i in range(self.page_count) if i not in self.pages]

    @property
    def file_pages(self) -> list[int]:
        return [self.pages[i] for i in sorted(self.pages)] + self.attachments


def separate(kinds: Sequence[PageKind], page_counts: dict[str, int]) -> tuple[list[FormGroup], list[int]]:
    """Forms in file order, and the file pages that belong to no form."""
    forms: list[FormGroup] = []
    loose: list[int] = []
    current: FormGroup | None = None
    for kind in kinds:
        if kind.template_id is None:
            if kind.attachment and forms:
                forms[-1].attachments.append(kind.number)
            else:
                loose.append(kind.number)
            continue
        continues = (
            current is not None
            and current.template_id == kind.template_id
            and kind.page_index not in current.pages
            and kind.page_index == max(current.pages) + 1
        )
        if not continues:
            current = FormGroup(kind.template_id, page_counts[kind.template_id])
            forms.append(current)
        current.pages[kind.page_index] = kind.number
        if len(current.pages) == current.page_count:
            current = None
    return forms, loose
