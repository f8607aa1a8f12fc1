"""The one background API: results and progress arrive on the GUI thread, errors reach the
callback instead of the event loop, cancel tokens stop work, FakeThreadPool is synchronous."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThreadPool

from cisr_desk.domain.errors import InvalidValue
from cisr_desk.ui.tasks import CancelToken, FakeThreadPool, TaskRunner, error_text


def test_fake_pool_runs_at_once(qapp):
    runner = TaskRunner(FakeThreadPool())
    got = {}
    runner.run_task(lambda ctx: 6 * 7, lambda result=None, error=None: got.update(result=result, error=error))
    assert got == {"result": 42, "error": None}
    assert runner.running == 0


def test_results_and_progress_arrive_on_the_gui_thread(qtbot):
    pool = QThreadPool()
    runner = TaskRunner(pool)
    main = threading.get_ident()
    seen, done = [], {}

    def work(ctx):
        worker = threading.get_ident()
        for i in range(3):
            ctx.progress(i)
        return worker

    def finished(result=None, error=None):
        done.update(result=result, error=error, thread=threading.get_ident())

    runner.run_task(work, finished, progress=lambda v: seen.append((v, threading.get_ident())))
    qtbot.waitUntil(lambda: "result" in done, timeout=5000)
    assert done["error"] is None and done["result"] != main  # the work ran on a worker
    assert done["thread"] == main
    assert [v for v, _ in seen] == [0, 1, 2] and all(t == main for _, t in seen)
    pool.waitForDone()


def test_errors_go_to_the_callback(qtbot):
    runner = TaskRunner(QThreadPool())
    done = {}

    def fail(ctx):
        raise InvalidValue("'X' is not a ZIP code")

    runner.run_task(fail, lambda result=None, error=None: done.update(error=error))
    qtbot.waitUntil(lambda: "error" in done, timeout=5000)
    assert isinstance(done["error"], InvalidValue)
    assert error_text(done["error"]) == "'X' is not a ZIP code"
    assert "ZeroDivisionError" in error_text(ZeroDivisionError("division by zero"))


def test_cancel_token_stops_work(qtbot):
    runner = TaskRunner(QThreadPool())
    started, done = threading.Event(), {}

    def work(ctx):
        started.set()
        n = 0
        while not ctx.cancelled() and n < 500:
            time.sleep(0.01)
            n += 1
        return n

    token = runner.run_task(work, lambda result=None, error=None: done.update(result=result))
    assert started.wait(5)
    token.cancel()
    qtbot.waitUntil(lambda: "result" in done, timeout=5000)
    assert done["result"] < 500


def test_busy_count_signal(qapp):
    runner = TaskRunner(FakeThreadPool())
    counts = []
    runner.busy_changed.connect(counts.append)
    runner.run_task(lambda ctx: None, lambda result=None, error=None: None)
    assert counts == [1, 0]
    assert CancelToken()() is False


def test_cancel_all_on_close(qtbot):
    pool = QThreadPool()
    runner = TaskRunner(pool)
    done = {}

    def work(ctx):
        while not ctx.cancelled():
            time.sleep(0.01)
        return "stopped"

    runner.run_task(work, lambda result=None, error=None: done.update(result=result))
    runner.cancel_all()
    qtbot.waitUntil(lambda: done.get("result") == "stopped", timeout=5000)
    pool.waitForDone()
