"""The pool of capture processes: pages are read one per process, each worker tied to the life
of the process that started it.

A worker holds OpenCV, Tesseract and the PP-OCR model (~600 MB). When its parent dies without
shutting the pool down (``kill -9`` of an import, a crash of the app), the worker must die too
instead of reading on as an orphan: on Linux the kernel kills it (``PR_SET_PDEATHSIG``); on
every system a watcher thread ends it when the parent's sentinel closes.

A worker ignores Ctrl-C, from its very start: a terminal sends it to the whole process group, and
the parent alone decides what an interrupt means (it stops the run and says so in one line). A
worker that took it died printing its own traceback, and broke the pool under the parent. A
worker is started with Ctrl-C held back (a signal mask the new process inherits, so one pressed
while Python starts in it waits), and the first thing it runs ignores Ctrl-C for good.
"""
from __future__ import annotations

import ctypes
import importlib
import multiprocessing as mp
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Callable, Iterator

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def start_pool(workers: int, init: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that run ``init`` (a module-level function) first.

    The pool must be shut down by the thread that submits to it: on Linux a worker's death
    signal follows the *thread* that started it, so a pool outliving that thread loses its workers.
    """
    # "spawn": a forked child inherits the parent's OCR and OpenCV thread pools half-locked.
    # ``init`` goes by name: unpickled, it would import capture (seconds of OpenCV and OCR) before
    # the worker could ignore Ctrl-C.
    return ProcessPoolExecutor(max_workers=workers, mp_context=_WorkerContext(),
                               initializer=_start_worker, initargs=(os.getpid(), init.__module__, init.__qualname__))


class _Worker(SpawnProcess):
    """A spawned process started with Ctrl-C held back (see the module's docstring)."""

    def start(self) -> None:
        with _ctrl_c_held():
            super().start()


class _WorkerContext(SpawnContext):
    Process = _Worker


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C blocked in this thread meanwhile: a process started now inherits the block; one
    pressed meanwhile reaches this process after (none is lost)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: the worker ignores it once it runs
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _start_worker(parent_pid: int, module: str, name: str) -> None:
    ignore_interrupts()
    die_with_parent(parent_pid)
    getattr(importlib.import_module(module), name)()


def ignore_interrupts() -> None:
    """Leave Ctrl-C to the parent for good (one pressed while this process started is dropped)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


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
