"""The pool of capture processes: pages are read one per process, each worker tied to the life
of the process that started it.

A worker holds OpenCV, Tesseract and the PP-OCR model (~600 MB). When its parent dies without
shutting the pool down (``kill -9`` of an import, a crash of the app), the worker must die too
instead of reading on as an orphan: on Linux the kernel kills it (``PR_SET_PDEATHSIG``); on
every system a watcher thread ends it when the parent's sentinel closes.
"""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def start_pool(workers: int, init: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that run ``init`` (a module-level function) first.

    The pool must be shut down by the thread that submits to it: on Linux a worker's death
    signal follows the *thread* that started it, so a pool outliving that thread loses its workers.
    """
    # "spawn": a forked child inherits the parent's OCR and OpenCV thread pools half-locked.
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(), init))


def _start_worker(parent_pid: int, init: Callable[[], None]) -> None:
    die_with_parent(parent_pid)
    init()


def die_with_parent(parent_pid: int, *, kernel: bool = True) -> None:
    """End this process when the process ``parent_pid`` (its parent) ends; ``kernel=False``
    relies on the watcher thread alone (as on systems without prctl)."""
    if kernel and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the watcher below still works
            pass
        if os.getppid() != parent_pid:  # the parent died before the signal was asked for
            os._exit(1)
    parent = mp.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_after, args=(parent,), name="capture-parent-watch", daemon=True).start()


def _exit_after(parent) -> None:
    parent.join()  # returns when the parent's end of the sentinel pipe closes, however it died
    os._exit(1)
