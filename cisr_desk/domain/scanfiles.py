"""Which files are scans the desk can read, and how a selection of files and folders expands.

One list for the import dialog, drag and drop, the watched folder and the command line: a
folder contributes the scans inside it (recursively, sorted); a file named on its own is always
kept, whatever its type, so that it gets a line saying what became of it. A folder that cannot
be read (or a folder inside one) is not passed over in silence: it is named with the reason.

Files are named in messages by as much of their path as tells them from the other files of the
selection (``jan/scan.pdf`` and ``feb/scan.pdf``, not ``scan.pdf`` twice), and a name whose bytes
are not text (a file copied from an old system) is shown with U+FFFD where those bytes are.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".tif", ".tiff", ".jpg", ".jpeg", ".png"})
SCAN_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES
KINDS = "PDF, TIFF, JPEG or PNG"
DIALOG_FILTER = "Scans (*.pdf *.tif *.tiff *.jpg *.jpeg *.png);;All files (*)"


def is_scan(path: Path) -> bool:
    return Path(path).suffix.lower() in SCAN_SUFFIXES


def is_image(path: Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


NO_SUCH = "no such file or folder"


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(files, missing): folders as the scans inside them, files as named, each once, in order;
    ``missing``: what is not there, and folders that cannot be read (``expand_checked`` says why)."""
    files, problems = expand_checked(paths)
    return files, [p for p, _ in problems]


def expand_checked(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files, problems): as ``expand``, each problem with its reason in a few words."""
    found: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        try:
            is_dir, is_file = p.is_dir(), p.is_file()
        except OSError:  # its folder cannot be searched: kept, so that reading it says why not
            is_dir, is_file = False, True
        if is_dir:
            scans, unread = _scans_in(p)
            found += scans
            problems += unread
        elif is_file:
            found.append(p)
        else:
            problems.append((p, NO_SUCH))
    seen: set[Path] = set()
    return [p for p in found if not (p in seen or seen.add(p))], problems


def _scans_in(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The scans in ``folder`` and its subfolders (sorted), and the folders that could not be read."""
    unread: list[tuple[Path, str]] = []

    def note(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        unread.append((where, f"the folder cannot be read ({exc.strerror or exc})"))

    scans = []
    for top, _, names in os.walk(folder, onerror=note):
        scans += [f for f in (Path(top) / n for n in names) if is_scan(f) and _is_file(f)]
    return sorted(scans), unread


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return True  # there, but not to be looked at: reading it says why


def shown_names(paths: Sequence[Path | str]) -> list[str]:
    """Each path as a message names it: its file name, with as many of its folders as it takes
    to tell it from the other paths (the whole path when nothing shorter does); printable."""
    parts = [Path(p).parts for p in paths]
    shown = []
    for mine in parts:
        for n in range(1, len(mine) + 1):
            tail = mine[-n:]
            if sum(1 for other in parts if other[-n:] == tail) == parts.count(mine):
                shown.append(printable(str(Path(*tail))))
                break
        else:
            shown.append(printable(str(Path(*mine)) if mine else ""))
    return shown


def renamed(message: str, path: Path | str, shown: str) -> str:
    """A message about ``path`` that starts with its name (or its path) started with ``shown`` instead."""
    path = Path(path)
    for prefix in dict.fromkeys((str(path), path.name)):
        if prefix and message.startswith(f"{prefix}: "):
            return printable(shown + message[len(prefix):])
    return printable(message)


def printable(text: str) -> str:
    """``text`` with the bytes of a file name that are not UTF-8 (kept by Python as lone
    surrogates) as U+FFFD, so that it can be printed, written as JSON and stored."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no file name's bytes make
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
