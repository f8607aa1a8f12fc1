"""A form revision described as data: its pages and the zone of every field on them.

Templates live in ``forms/<template-id>.json`` beside the blank PDF they were derived from
(``cisr-desk template derive``), so a new revision of the form is a new data file, not code.
Coordinates are PDF points (1/72 inch) on the blank page, origin top-left.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cisr_desk.domain.fields import FieldType

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: FieldType
    page: int  # 0-based page of the form
    rect: Rect
    label: str = ""
    section: str = ""
    cells: tuple[Rect, ...] = ()  # comb cells, left to right, when the field is written one character a box

    @property
    def is_comb(self) -> bool:
        return bool(self.cells)


@dataclass(frozen=True)
class PageSpec:
    index: int
    width: float
    height: float
    title: str = ""


@dataclass(frozen=True)
class FormTemplate:
    id: str
    title: str
    blank: str  # file name of the blank PDF, beside the JSON
    pages: tuple[PageSpec, ...]
    fields: tuple[FieldSpec, ...]
    folder: Path | None = field(default=None, compare=False)
    # Where the mail room stamps the date received ("for SCE use only"): (page, rect), if any.
    received_zone: tuple[int, Rect] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {f.key: f for f in self.fields})

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def field(self, key: str) -> FieldSpec:
        return self._by_key[key]  # type: ignore[attr-defined]

    def has(self, key: str) -> bool:
        return key in self._by_key  # type: ignore[attr-defined]

    def fields_on(self, page: int) -> list[FieldSpec]:
        return [f for f in self.fields if f.page == page]

    @property
    def blank_path(self) -> Path:
        if self.folder is None:
            raise ValueError(f"template {self.id} was not loaded from a folder")
        return self.folder / self.blank

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "blank": self.blank,
            "pages": [{"index": p.index, "width": p.width, "height": p.height, "title": p.title} for p in self.pages],
            "fields": [
                {
                    "key": f.key,
                    "type": f.type.value,
                    "page": f.page,
                    "rect": [round(v, 2) for v in f.rect],
                    "label": f.label,
                    "section": f.section,
                    **({"cells": [[round(v, 2) for v in c] for c in f.cells]} if f.cells else {}),
                }
                for f in self.fields
            ],
            **({"received_zone": {"page": self.received_zone[0], "rect": [round(v, 2) for v in self.received_zone[1]]}}
               if self.received_zone else {}),
        }

    @classmethod
    def from_json(cls, data: dict, folder: Path | None = None) -> "FormTemplate":
        pages = tuple(PageSpec(p["index"], p["width"], p["height"], p.get("title", "")) for p in data["pages"])
        fields = tuple(
            FieldSpec(
                key=f["key"],
                type=FieldType(f["type"]),
                page=int(f["page"]),
                rect=tuple(f["rect"]),  # type: ignore[arg-type]
                label=f.get("label", ""),
                section=f.get("section", ""),
                cells=tuple(tuple(c) for c in f.get("cells", ())),  # type: ignore[misc]
            )
            for f in data["fields"]
        )
        zone = data.get("received_zone")
        received = (int(zone["page"]), tuple(zone["rect"])) if zone else None
        return cls(data["id"], data.get("title", data["id"]), data["blank"], pages, fields, folder,
                   received)  # type: ignore[arg-type]


def load_template(path: Path) -> FormTemplate:
    return FormTemplate.from_json(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).parent)


def load_templates(folder: Path) -> dict[str, FormTemplate]:
    """Every template in a folder, by id (newest revision first by file name)."""
    found = {}
    for path in sorted(Path(folder).glob("*.json"), reverse=True):
        tpl = load_template(path)
        found[tpl.id] = tpl
    return found
