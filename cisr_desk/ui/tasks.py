"""The one way the UI runs long work: ``TaskRunner.run_task(fn, on_done, progress=...)``.

Picard-style: ``fn(ctx)`` runs on a ``QThreadPool`` worker, and ``on_done(result=None,
error=None)`` is always called on the GUI thread. ``ctx.progress(value)`` posts a value to
the ``progress`` callback on the GUI thread; ``ctx.cancelled()`` is true once the caller's
``CancelToken`` was cancelled, so work can stop between pages. Tests pass a
``FakeThreadPool`` whose ``start()`` runs the job at once, which makes the UI deterministic.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

DoneCallback = Callable[..., None]  # on_done(result=None, error=None)


class CancelToken:
    """Shared between the GUI (which cancels) and a worker (which polls). Callable, so it can be
    handed straight to APIs that take ``cancel=lambda: bool``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()


class TaskContext:
    """What a worker function gets: a way to report progress and to ask whether to stop."""

    def __init__(self, token: CancelToken, post_progress: Callable[[Any], None]) -> None:
        self.token = token
        self._post = post_progress

    def progress(self, value: Any) -> None:
        self._post(value)

    def cancelled(self) -> bool:
        return self.token.cancelled


class FakeThreadPool:
    """Runs each job at once on the calling thread (tests): callbacks fire before run_task returns."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()

    def waitForDone(self, msecs: int = -1) -> bool:  # noqa: N802 - Qt's name
        return True

    def activeThreadCount(self) -> int:  # noqa: N802 - Qt's name
        return 0


class _Poster(QObject):
    """Lives on the GUI thread; a worker emits, the queued connection delivers on the GUI thread."""

    done = Signal(int, object, object)
    progressed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[TaskContext], Any], token: CancelToken, poster: _Poster) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._fn, self._token, self._poster = job_id, fn, token, poster

    def run(self) -> None:
        ctx = TaskContext(self._token, lambda value: self._poster.progressed.emit(self._id, value))
        try:
            result = self._fn(ctx)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to on_done, never kills the worker
            if not isinstance(exc, Exception):
                exc = RuntimeError(repr(exc))
            self._poster.done.emit(self._id, None, exc)
        else:
            self._poster.done.emit(self._id, result, None)


class TaskRunner(QObject):
    """Runs background jobs and tells the window how many are running (for its busy indicator)."""

    busy_changed = Signal(int)  # number of running jobs

    def __init__(self, pool: QThreadPool | FakeThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool if pool is not None else QThreadPool.globalInstance()
        self._poster = _Poster(self)
        self._poster.done.connect(self._deliver_done)
        self._poster.progressed.connect(self._deliver_progress)
        self._jobs: dict[int, tuple[DoneCallback, Callable[[Any], None] | None]] = {}
        self._tokens: dict[int, CancelToken] = {}
        self._next_id = 0

    @property
    def running(self) -> int:
        return len(self._jobs)

    def run_task(self, fn: Callable[[TaskContext], Any], on_done: DoneCallback, *,
                 progress: Callable[[Any], None] | None = None, token: CancelToken | None = None) -> CancelToken:
        """Run ``fn(ctx)`` in the background; returns the token that cancels it."""
        token = token or CancelToken()
        self._next_id += 1
        job_id = self._next_id
        self._jobs[job_id] = (on_done, progress)
        self._tokens[job_id] = token
        self.busy_changed.emit(len(self._jobs))
        self.pool.start(_Job(job_id, fn, token, self._poster))
        return token

    def cancel_all(self) -> None:
        """Ask every running job to stop (the window is closing)."""
        for token in self._tokens.values():
            token.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

    @Slot(int, object)
    def _deliver_progress(self, job_id: int, value: Any) -> None:
        entry = self._jobs.get(job_id)
        if entry and entry[1] is not None:
            entry[1](value)

    @Slot(int, object, object)
    def _deliver_done(self, job_id: int, result: Any, error: Exception | None) -> None:
        on_done, _ = self._jobs.pop(job_id, (None, None))
        self._tokens.pop(job_id, None)
        self.busy_changed.emit(len(self._jobs))
        if on_done is None:
            return
        if error is not None and not _is_user_error(error):
            log.error("background task failed", exc_info=(type(error), error, error.__traceback__))
        try:
            on_done(result=result, error=error)
        except Exception:  # noqa: BLE001 - a broken callback must not take the event loop down
            log.exception("task callback failed")


def _is_user_error(error: BaseException) -> bool:
    from cisr_desk.domain.errors import DeskError

    return isinstance(error, DeskError)


def error_text(error: BaseException) -> str:
    """One line a user can read: the DeskError message, else the kind of failure and its text."""
    from cisr_desk.domain.errors import DeskError

    if isinstance(error, DeskError):
        return str(error)
    if isinstance(error, (OSError,)):
        return f"{error.strerror or error}" + (f": {error.filename}" if getattr(error, "filename", None) else "")
    text = str(error) or type(error).__name__
    return f"Unexpected problem ({type(error).__name__}): {text}. Details are in the log."
