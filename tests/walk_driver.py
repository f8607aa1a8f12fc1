"""Runs the real main window at exactly 1280x720 (or --size) for tests/test_real_window.py (on an X server
such as Xvfb) and walks one record through the way a clerk does, from the keyboard: open it
from the queue with Enter, Enter through every doubtful field (accepting each as read), then
Ctrl+Enter to submit. Prints one JSON line with what it saw, and saves a screenshot of the
whole window with the record open.

    python tests/walk_driver.py --db URL --files DIR --user NAME --shot PNG
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from window_driver import open_window


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--files", type=Path, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--shot", type=Path, required=True)
    ap.add_argument("--size", default="1280x720", help="the window's size in Qt's pixels (at 150 %%: 853x480)")
    args = ap.parse_args(argv)
    errors: list[str] = []
    app, desk, ctx, window = open_window(args.db, args.files, args.user, "walk.ini", errors)
    size = tuple(int(v) for v in args.size.split("x"))
    window.resize(*size)
    window.show()
    out: dict = {"errors": errors}

    def settle(ms: int = 300) -> None:
        end = QTimer()
        end.setSingleShot(True)
        end.start(ms)
        while end.isActive():
            app.processEvents()
        ctx.runner.wait(20000)
        app.processEvents()

    def walk() -> None:
        window.activateWindow()
        window.show_screen("review")
        review = window.screens["review"]
        settle()
        review.table.setFocus()
        # the record with the most in doubt: the walk has something to do
        rid = max(desk.list_records(status=("imported", "in_review"), limit=100), key=lambda r: r.doubtful).id
        review.table.selectRow(review.model.row_of(rid))
        out["record"] = rid
        QTest.keyClick(review.table, Qt.Key.Key_Return)
        settle(1500)  # the page and the crops arrive in the background
        editor = review.editor
        out["opened"] = editor.record.id if editor.record else None
        out["window"] = [window.width(), window.height()]
        out["minimum"] = [window.minimumSizeHint().width(), window.minimumSizeHint().height()]
        out["doubtful_before"] = len(editor.fields.doubtful_keys())
        window.grab().save(str(args.shot))
        # Enter on each doubtful field accepts it as read and moves to the next one
        for _ in range(60):
            focus = QApplication.focusWidget()
            if not editor.fields.doubtful_keys() or focus is None:
                break
            QTest.keyClick(focus, Qt.Key.Key_Return)
            settle(50)
        out["doubtful_after"] = len(editor.fields.doubtful_keys())
        QTest.keyClick(QApplication.focusWidget() or editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        settle()
        out["status"] = desk.get_record(rid).status
        print(json.dumps(out), flush=True)

    def walk_then_quit() -> None:
        try:
            walk()
        finally:  # whatever went wrong is in out["errors"]: never leave the window up for a timeout
            window.close()

    QTimer.singleShot(500, walk_then_quit)
    code = app.exec()
    ctx.runner.wait(10000)
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
