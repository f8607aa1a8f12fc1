"""A user an administrator disables while their window is open: the next change they make is
refused, and the window goes back to the sign-in dialog saying why, never to a traceback."""
from __future__ import annotations

import pytest

from cisr_desk.store.fakes import FakeExtractor, clean_values, form
from cisr_desk.ui.main_window import MainWindow
from ui_support import make_ctx, make_pdf, open_desk


@pytest.fixture
def office(tmp_path, qtbot):
    desk = open_desk(tmp_path, FakeExtractor({"a.pdf": [form(clean_values(1))]}))
    ctx = make_ctx(desk, "clerk", tmp_path)
    asked: list[tuple[object, str]] = []
    answer = {"user": "supervisor"}

    def sign_in(parent, message=""):  # the sign-in dialog, answered
        asked.append((parent, message))
        return desk.user(answer["user"]) if answer["user"] else None

    window = MainWindow(ctx, switch_user=sign_in)
    qtbot.addWidget(window)
    window.show()
    window.show_screen("inbox")
    yield window, desk, asked, answer, make_pdf(tmp_path / "a.pdf", "a")
    desk.close()


def test_a_disabled_user_is_signed_out_at_their_next_change_and_someone_else_signs_in(office, qtbot):
    window, desk, asked, _, scan = office
    desk.disable_user("clerk", "admin")  # by an admin, at another seat
    card = window.screens["inbox"].import_paths([str(scan)])
    qtbot.waitUntil(lambda: len(asked) > 0, timeout=5000)
    [(parent, message)] = asked
    assert parent is None and "Your account (clerk) was disabled by an administrator" in message
    assert "disabled by an administrator" in card.summary.text() and "Traceback" not in card.summary.text()
    assert desk.count_records() == 0  # nothing was imported for them
    assert window.ctx.user_name == "supervisor" and window.centralWidget().isVisible()
    assert "supervisor" in window.user_label.text()


def test_cancelling_the_sign_in_closes_the_window(office, qtbot):
    window, desk, asked, answer, scan = office
    answer["user"] = None
    desk.disable_user("clerk", "admin")
    window.screens["inbox"].import_paths([str(scan)])
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert len(asked) == 1 and desk.count_records() == 0


def test_the_next_user_starts_at_the_queue_not_inside_the_record_the_disabled_one_had_open(office, qtbot):
    window, desk, asked, _, scan = office
    window.screens["inbox"].import_paths([str(scan)])
    [rid] = desk.record_ids()
    review = window.screens["review"]
    window.show_screen("review")
    review.open_record(rid)
    assert review.current_record_id() == rid and desk.get_record(rid).holder == "clerk"
    desk.disable_user("clerk", "admin")  # by an admin, at another seat
    review.editor.open(rid)  # the next change they try (opening claims the record) is refused
    qtbot.waitUntil(lambda: len(asked) > 0, timeout=5000)
    assert window.ctx.user_name == "supervisor"
    assert review.current_record_id() is None and review.editor.record is None  # at the queue
    review.open_record(rid)  # opened afresh, as the supervisor
    assert review.current_record_id() == rid and review.editor.record.id == rid


def test_a_disabled_user_who_only_reads_is_signed_out_at_the_next_session_check(office, qtbot):
    window, desk, asked, _, _ = office
    window.check_session()
    assert asked == [] and window.ctx.user_name == "clerk"  # still allowed: nothing happens
    desk.disable_user("clerk", "admin")  # by an admin, at another seat; the clerk changes nothing
    assert window._session_check.isActive() and window._session_check.interval() <= 60_000
    window.check_session()  # what the timer does
    [(parent, message)] = asked
    assert parent is None and "Your account (clerk) was disabled by an administrator" in message
    assert window.ctx.user_name == "supervisor" and window.centralWidget().isVisible()
