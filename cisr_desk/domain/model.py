"""What capture produces: forms with field readings and validation issues.

These plain dataclasses are the contract between capture, the store, the exporters and the
UI. ``DocumentResult.to_json`` writes exactly the JSON of ``cisr-desk extract``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

Value = Union[str, bool]


@dataclass
class FieldReading:
    value: Value
    confidence: float
    review: bool
    reasons: list[str] = field(default_factory=list)  # why it is in doubt, in the clerk's words
    raw: str = ""  # what the reader saw before normalising
    # What the acceptance model judged this reading by (capture/acceptance.py), kept with the
    # field so that a site can refit the model from its clerks' corrections; {} when none.
    features: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"value": self.value, "confidence": round(float(self.confidence), 3), "review": bool(self.review)}


@dataclass(frozen=True)
class Issue:
    field: str | None
    code: str
    message: str

    def to_json(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class PagePlacement:
    """Where one page of a form was found: the source page (1-based), whether it was turned
    180°, and the 3x3 homography mapping template points to pixels of the page rendered at
    ``dpi`` (and turned 180° first when ``rotated``)."""

    source_page: int
    rotated: bool
    dpi: float
    matrix: tuple[tuple[float, float, float], ...]
    score: float


@dataclass
class FormResult:
    pages: list[int]  # 1-based pages of the source file, in form-page order (attachments last)
    template: str
    fields: dict[str, FieldReading]
    issues: list[Issue] = field(default_factory=list)
    placements: list[PagePlacement] = field(default_factory=list)
    attachment_pages: list[int] = field(default_factory=list)  # 1-based source pages listing more accounts
    missing_pages: list[int] = field(default_factory=list)  # 0-based template pages not found in the file
    received: str = ""  # ISO date on the RECEIVED stamp, or given on import; "" when unknown
    digital: bool = False

    @property
    def review_count(self) -> int:
        return sum(1 for r in self.fields.values() if r.review)

    def values(self) -> dict[str, Value]:
        return {k: r.value for k, r in self.fields.items()}

    def to_json(self) -> dict:
        return {
            "pages": list(self.pages),
            "template": self.template,
            "fields": {k: r.to_json() for k, r in self.fields.items()},
            "issues": [i.to_json() for i in self.issues],
            "received": self.received,
        }


@dataclass
class DocumentResult:
    source: str
    pages: int
    forms: list[FormResult] = field(default_factory=list)
    unrecognized_pages: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "pages": self.pages,
            "forms": [f.to_json() for f in self.forms],
            "unrecognized_pages": list(self.unrecognized_pages),
            "errors": list(self.errors),
        }
