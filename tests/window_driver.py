"""Runs the real main window in its own process for tests/test_real_window.py (on an X server
such as Xvfb): opens the first record of a database in Review, resizes the window over and over,
down to its minimum size and back, then holds it at the minimum and measures how busy it is.

    python tests/window_driver.py --db URL --files DIR --user NAME --seconds S

The window is built directly for a signed-in user (no sign-in dialog), the way app.run builds it
once the user is known. Standard output, one line each, flushed:

    window XID MIN_WIDTH MIN_HEIGHT        once the record is open
    beat SECONDS                           every 200 ms while the event loop runs
    {"resizes": ..., ...}                  the result (JSON), last
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, QTimer

import qt_probe
from cisr_desk.store.service import Desk
from cisr_desk.ui.app import make_app
from cisr_desk.ui.context import AppContext
from cisr_desk.ui.main_window import MainWindow
from cisr_desk.ui.settings import UiSettings
from cisr_desk.ui.tasks import TaskRunner

TICK_MS = 40  # one resize per tick: faster than a hand drags, slow enough for each to be painted
HOLD_SECONDS = 2.0  # at the minimum size, doing nothing: an idle window uses next to no CPU


def say(*parts) -> None:
    print(*parts, flush=True)


def minimum(window: MainWindow) -> QSize:
    """The smallest size the window's layout allows (it changes as a record's crops arrive)."""
    return window.minimumSizeHint().expandedTo(window.minimumSize())


def size_at(window: MainWindow, step: int) -> QSize:
    """Down to the minimum and back, with stops just above it, where scroll bars come and go."""
    small = minimum(window)
    full = QSize(1280, 720)
    mid = QSize((small.width() + full.width()) // 2, (small.height() + full.height()) // 2)
    steps = [full, mid, small, QSize(small.width() + 1, small.height()), small,
             QSize(small.width() + 17, small.height() + 17), small, QSize(1, 1), mid, small, full]
    return steps[step % len(steps)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--files", type=Path, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--seconds", type=float, default=12.0, help="how long to keep resizing")
    args = ap.parse_args(argv)

    errors: list[str] = []

    def bug_in_a_slot(kind, value, tb) -> None:  # Qt carries on after one; the test must not
        errors.append(f"{kind.__name__}: {value}")
        sys.__excepthook__(kind, value, tb)

    sys.excepthook = bug_in_a_slot

    app = make_app([sys.argv[0]])
    desk = Desk.open(args.db, files_dir=args.files)
    settings = UiSettings(QSettings(str(args.files.parent / "ui.ini"), QSettings.Format.IniFormat))
    ctx = AppContext(desk, TaskRunner(), settings, desk.user(args.user), args.files.parent / "data")
    window = MainWindow(ctx)
    window.show()
    record_id = desk.list_records(limit=1)[0].id
    ctx.events.open_record.emit(record_id)

    start = time.monotonic()
    beat = QTimer(interval=200, timeout=lambda: say("beat", f"{time.monotonic() - start:.2f}"))
    beat.start()
    state = {"resizes": 0, "smallest": None}

    def resize() -> None:
        window.resize(size_at(window, state["resizes"]))
        state["resizes"] += 1
        size = window.size()
        if state["smallest"] is None or size.width() < state["smallest"].width():
            state["smallest"] = size
        if time.monotonic() - start >= args.seconds:
            cycle.stop()
            hold()

    def hold() -> None:
        window.resize(1, 1)  # clamped to the minimum
        state["cpu"] = time.process_time()
        QTimer.singleShot(int(HOLD_SECONDS * 1000), finish)

    def finish() -> None:
        cpu = time.process_time() - state["cpu"]
        smallest = state["smallest"]
        say(json.dumps({
            "record": record_id,
            "shown": window.screens["review"].editor.record.id if window.screens["review"].editor.record else None,
            "screen": window.current_screen(),
            "resizes": state["resizes"],
            "smallest": [smallest.width(), smallest.height()],
            "minimum": [minimum(window).width(), minimum(window).height()],
            "idle_cpu_share": round(cpu / HOLD_SECONDS, 3),
            "binding_problem": qt_probe.binding_problem(),
            "errors": errors,
        }))
        window.close()

    cycle = QTimer(interval=TICK_MS, timeout=resize)
    QTimer.singleShot(0, lambda: (say("window", int(window.winId()), minimum(window).width(),
                                      minimum(window).height()), cycle.start()))
    code = app.exec()
    ctx.runner.wait(10000)
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
