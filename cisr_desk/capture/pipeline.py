"""Run capture over files: render, classify, separate, register, read, score, validate.

Public API (used by the store's import, the CLI and the benchmark):

    extract_file(path, registry=..., received=..., policy=...) -> DocumentResult
    extract_files(paths, ..., workers=N, progress=cb, cancel=cb) -> iterator of DocumentResult
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from cisr_desk.domain.model import DocumentResult
from cisr_desk.domain.policy import SitePolicy


@dataclass(frozen=True)
class Progress:
    file: str
    file_index: int  # 0-based index among the files of this run
    files_total: int
    pages_done: int  # pages of this file done so far
    pages_total: int


ProgressCallback = Callable[[Progress], None]
CancelCallback = Callable[[], bool]


def extract_file(path: Path, *, registry=None, received: dt.date | None = None,
                 policy: SitePolicy = SitePolicy(), workers: int = 1,
                 progress: ProgressCallback | None = None, cancel: CancelCallback | None = None) -> DocumentResult:
    raise NotImplementedError("capture pipeline: in progress")


def extract_files(paths: Iterable[Path], *, registry=None, received: dt.date | None = None,
                  policy: SitePolicy = SitePolicy(), workers: int | None = None,
                  progress: ProgressCallback | None = None,
                  cancel: CancelCallback | None = None) -> Iterator[DocumentResult]:
    raise NotImplementedError("capture pipeline: in progress")
