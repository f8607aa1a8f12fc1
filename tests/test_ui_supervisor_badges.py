"""The counts beside the screens' names ("Supervisor · 1") follow other seats' work too: read
again on a timer and when the window comes to the front, and a database that is out of reach
meanwhile leaves the last counts and a line in the log, never a traceback."""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from cisr_desk.store.fakes import FakeExtractor, clean_values, form
from cisr_desk.ui.main_window import MainWindow
from ui_support import make_ctx, make_pdf, open_desk


@pytest.fixture
def seat(tmp_path, qtbot):
    """A supervisor's window; two records in the review queue, which another seat works on."""
    names = ("a.pdf", "b.pdf")
    desk = open_desk(tmp_path, FakeExtractor({n: [form(clean_values(i + 1), doubtful=["customer_name"])]
                                              for i, n in enumerate(names)}))
    desk.import_files([make_pdf(tmp_path / n, n) for n in names], "admin")
    window = MainWindow(make_ctx(desk, "supervisor", tmp_path))
    qtbot.addWidget(window)
    window.show()
    yield window, desk, desk.record_ids()
    desk.close()


def badges(window) -> tuple[str, str]:
    return window._items["review"].text(), window._items["supervisor"].text()


def test_the_counts_follow_another_seat_on_a_timer(seat):
    window, desk, (first, _) = seat
    assert badges(window) == ("Review  ·  2", "Supervisor")
    desk.submit(first, "clerk")  # at another seat: nothing is emitted in this window
    assert badges(window) == ("Review  ·  2", "Supervisor")
    timer = window._badge_timer
    assert timer.isActive() and 0 < timer.interval() <= 60_000
    timer.timeout.emit()  # what the timer does
    assert badges(window) == ("Review  ·  1", "Supervisor  ·  1")


def test_the_counts_are_read_again_when_the_window_comes_to_the_front(seat):
    window, desk, (first, second) = seat
    desk.submit(first, "clerk")
    desk.submit(second, "clerk")
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    assert badges(window) == ("Review", "Supervisor  ·  2")


def test_a_database_out_of_reach_leaves_the_counts_and_a_line_in_the_log(seat, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    window, desk, _ = seat

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(desk, "count_records", unreachable)
    with caplog.at_level(logging.WARNING, logger="cisr_desk.ui.main_window"):
        for _ in range(3):
            window._badge_timer.timeout.emit()  # no exception reaches the event loop
        QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    assert badges(window) == ("Review  ·  2", "Supervisor")
    lines = [r for r in caplog.records if "sidebar's counts could not be read" in r.getMessage()]
    assert len(lines) == 1  # once while it lasts, not at every interval
    monkeypatch.undo()
    window._badge_timer.timeout.emit()
    assert badges(window) == ("Review  ·  2", "Supervisor")
