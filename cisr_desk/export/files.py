"""Where a batch's workbook goes, and putting it there without ever replacing a file.

A destination is a folder (the workbook takes its default name there) or one file named by
the user. The workbook is written to a temporary file in the same folder and only then given
its name, with a hard link where the file system has them, so a name that is already taken is
refused by the file system itself rather than by a check that another process could race:
an earlier batch's workbook is never replaced. A default name that is taken gets a free
variant (``... (2).xlsx``); a name the user chose is refused.

Temporary files start with a dot and end in ``.part``: whatever a killed process leaves
behind is never taken for a workbook, and the next export to that folder removes it once it is
old enough not to be another seat's export under way (:func:`remove_leftovers`).
"""
from __future__ import annotations

import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from cisr_desk.domain.errors import OutputFileError

PART_SUFFIX = ".part"
_VARIANTS = 1000
_STEM = "authorizations"  # what a temporary file is named for when the workbook takes its default name
_TOKEN_BYTES = 6
# Our temporary files, and nothing else: ".authorizations.<hex>.part" or ".<chosen name>.xlsx.<hex>.part".
_OURS = re.compile(rf"\.(?:{_STEM}|.+(?i:\.xlsx))\.[0-9a-f]{{{2 * _TOKEN_BYTES}}}{re.escape(PART_SUFFIX)}")
# A temporary file is left alone this long after it was last written: no export takes an hour, so an
# older one was left by a process that died; a younger one may be another seat's export under way.
LEFTOVER_AGE_SECONDS = 60 * 60


def default_name(label: str, batch_id: int) -> str:
    """``authorizations-2026-W48-batch-12.xlsx``: the batch id keeps two batches of a week apart."""
    return f"authorizations-{label.replace(' to ', '_')}-batch-{batch_id}.xlsx"


def _problem(exc: OSError) -> str:
    return exc.strerror or str(exc)


@dataclass(frozen=True)
class Destination:
    folder: Path
    name: str | None = None  # None: the default name, made free when taken

    @classmethod
    def of(cls, out: str | os.PathLike | None, default_folder: Path | None = None) -> "Destination":
        """What ``--out`` means: nothing (the default folder), a folder (existing, written with a
        trailing slash, or a new name without a suffix), or a new ``.xlsx`` file. An existing
        file is refused: a batch never replaces one."""
        if out is None:
            return cls(Path(default_folder) if default_folder is not None else Path.cwd())
        text = os.fspath(out)
        if not text.strip():
            raise OutputFileError("no output file given (the name is empty)")
        path = Path(text).expanduser()
        if path.is_dir() or text.endswith(("/", os.sep)):
            return cls(path)
        if path.exists() or path.is_symlink():
            raise OutputFileError(f"{path} already exists; name a new file, or a folder to write into")
        if not path.suffix:  # "--out weekly": a folder to create, not a workbook without its .xlsx
            return cls(path)
        if path.suffix.lower() != ".xlsx":
            raise OutputFileError(f"{path}: an export is an Excel workbook; name a .xlsx file or a folder")
        return cls(path.parent, path.name)

    def describe(self) -> str:
        return str(self.folder / self.name) if self.name else f"{self.folder}{os.sep}"

    @contextmanager
    def temporary(self) -> Iterator[Path]:
        """A fresh temporary file in the destination folder, removed on leaving unless it was placed.

        Made before any database work, so a folder that cannot be written is reported while
        nothing has been marked yet."""
        for parent in (self.folder, *self.folder.parents):
            if parent.exists() and not parent.is_dir():
                raise OutputFileError(f"cannot write to {self.describe()}: {parent} is a file, not a folder")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.folder)
            tmp = _create(self.folder, f".{self.name or _STEM}.")
        except OSError as exc:
            raise OutputFileError(f"cannot write to {self.describe()}: {_problem(exc)}") from None
        try:
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def place(self, tmp: Path, default: str) -> Path:
        """Give the written temporary file its final name (see the module docstring); return it."""
        _sync(tmp)
        if self.name:
            final = self.folder / self.name
            try:
                _link(tmp, final)
            except FileExistsError:
                raise OutputFileError(f"{final} already exists; name a new file, or a folder to write into") from None
            except OSError as exc:
                raise OutputFileError(f"cannot write {final}: {_problem(exc)}") from None
            return final
        stem, suffix = os.path.splitext(default)
        for n in range(1, _VARIANTS + 1):
            final = self.folder / (default if n == 1 else f"{stem} ({n}){suffix}")
            try:
                _link(tmp, final)
                return final
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputFileError(f"cannot write {final}: {_problem(exc)}") from None
        raise OutputFileError(f"{self.folder} already holds {_VARIANTS} files named like {default}")


def remove_leftovers(folder: Path, *, older_than: float = LEFTOVER_AGE_SECONDS) -> list[Path]:
    """Remove the temporary files exports killed midway left in ``folder`` (not in its subfolders):
    only files named as ours, only regular files (never a link or a folder), only those not written
    for ``older_than`` seconds. Returns what was removed; what cannot be removed stays, and the
    export goes on."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    cutoff = time.time() - older_than
    for entry in entries:
        if not _OURS.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile (another seat cleaned up), or not ours to remove
            continue
    return removed


def _create(folder: Path, prefix: str) -> Path:
    """A new empty file with a random name (not tempfile.mkstemp: its files are private, 0600, and
    a workbook should get the permissions the user's umask gives any new file)."""
    while True:
        path = folder / f"{prefix}{secrets.token_hex(_TOKEN_BYTES)}{PART_SUFFIX}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue


def _link(tmp: Path, final: Path) -> None:
    """Name ``tmp`` ``final``, failing with FileExistsError when that name is taken; ``tmp`` is gone after."""
    try:
        os.link(tmp, final)  # atomic, and never replaces
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links (some network shares): check, then rename. On
        # Windows the rename itself refuses a taken name; elsewhere the window is a moment.
        if os.path.lexists(final):
            raise FileExistsError(final) from None
        os.rename(tmp, final)
        return
    tmp.unlink()


def _sync(path: Path) -> None:
    """Flush the written file to disk before it takes a name the database will point at."""
    try:
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError:
        pass


def write_new(destination: Destination, default: str, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file and place it: the whole dance for callers with no transaction."""
    with destination.temporary() as tmp:
        try:
            write(tmp)
        except OSError as exc:
            raise OutputFileError(f"cannot write to {destination.describe()}: {_problem(exc)}") from None
        return destination.place(tmp, default)
