"""Which files are scans the desk can read, and how a selection of files and folders expands.

One list for the import dialog, drag and drop, the watched folder and the command line: a
folder contributes the scans inside it (recursively, sorted); a file named on its own is always
kept, whatever its type, so that it gets a line saying what became of it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".tif", ".tiff", ".jpg", ".jpeg", ".png"})
SCAN_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES
KINDS = "PDF, TIFF, JPEG or PNG"
DIALOG_FILTER = "Scans (*.pdf *.tif *.tiff *.jpg *.jpeg *.png);;All files (*)"


def is_scan(path: Path) -> bool:
    return Path(path).suffix.lower() in SCAN_SUFFIXES


def is_image(path: Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(files, missing): folders as the scans inside them, files as named, each once, in order."""
    found: list[Path] = []
    missing: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and is_scan(f))
        elif p.is_file():
            found.append(p)
        else:
            missing.append(p)
    seen: set[Path] = set()
    return [p for p in found if not (p in seen or seen.add(p))], missing
