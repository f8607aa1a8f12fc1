"""What a user leaves behind at this seat when someone else signs in or the window closes: the
records they opened here are given back (never "held by" someone who has gone), a release that
fails never keeps them from switching or quitting, and no banner meant for them stays up."""
from __future__ import annotations

import logging

import pytest

from cisr_desk.store.fakes import FakeExtractor, clean_values, form
from cisr_desk.ui.main_window import MainWindow
from ui_support import make_ctx, make_pdf, open_desk


@pytest.fixture
def seat(tmp_path, qtbot):
    """A window signed in as the clerk, three records waiting; switching signs in ``answer["user"]``."""
    names = ("a.pdf", "b.pdf", "c.pdf")
    desk = open_desk(tmp_path, FakeExtractor({n: [form(clean_values(i + 1), doubtful=["customer_name"])]
                                              for i, n in enumerate(names)}))
    desk.import_files([make_pdf(tmp_path / n, n) for n in names], "admin")
    answer = {"user": "supervisor"}
    window = MainWindow(make_ctx(desk, "clerk", tmp_path),
                        switch_user=lambda parent, message="": desk.user(answer["user"]) if answer["user"] else None)
    qtbot.addWidget(window)
    window.show()
    yield window, desk, desk.record_ids(), answer
    desk.close()


def holders(desk, ids) -> list[str]:
    return [desk.get_record(rid).holder for rid in ids]


def test_switching_user_gives_back_the_record_open_in_review(seat):
    window, desk, (rid, *_), _ = seat
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(rid)
    assert desk.get_record(rid).holder == "clerk"
    window.switch_user()
    assert window.ctx.user_name == "supervisor"
    assert desk.get_record(rid).holder == ""  # not "held by clerk" for the supervisor now signed in
    assert review.current_record_id() is None  # the next user starts at the queue
    review.open_record(rid)
    assert not review.editor.read_only and desk.get_record(rid).holder == "supervisor"


def test_quitting_gives_back_the_records_opened_here_and_only_those(seat):
    window, desk, (worked, opened, elsewhere), _ = seat
    desk.claim(elsewhere, "clerk")  # the same clerk at another seat: not this window's to give back
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(worked)
    review.editor.commit_field("customer_name")  # worked on: stays held when left
    review.show_queue()
    review.open_record(opened)
    assert holders(desk, (worked, opened, elsewhere)) == ["clerk"] * 3
    assert window.close()
    assert holders(desk, (worked, opened, elsewhere)) == ["", "", "clerk"]


def test_a_supervisor_quitting_gives_back_what_they_opened(seat):
    window, desk, (rid, *_), _ = seat
    window.switch_user()  # the supervisor, who corrects a record in review
    window.show_screen("review")
    window.screens["review"].open_record(rid)
    assert desk.get_record(rid).holder == "supervisor"
    window.close()
    assert desk.get_record(rid).holder == ""  # the clerk does not find it "held by supervisor"


def test_signing_in_again_as_oneself_keeps_the_record_open(seat):
    window, desk, (rid, *_), answer = seat
    answer["user"] = "clerk"
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(rid)
    window.switch_user()
    assert review.current_record_id() == rid and desk.get_record(rid).holder == "clerk"


def test_cancelling_the_switch_keeps_everything(seat):
    window, desk, (rid, *_), answer = seat
    answer["user"] = None
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(rid)
    window.switch_user()
    assert window.ctx.user_name == "clerk"
    assert review.current_record_id() == rid and desk.get_record(rid).holder == "clerk"


def test_a_release_that_fails_never_blocks_switching_or_quitting(seat, monkeypatch, caplog):
    window, desk, (first, second, _), _ = seat

    def broken(*_args, **_kwargs):
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(desk, "release", broken)
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(first)
    with caplog.at_level(logging.WARNING, logger="cisr_desk.ui.main_window"):
        window.switch_user()
        assert window.ctx.user_name == "supervisor"
        review.open_record(second)
        review.editor.commit_field("customer_name")
        assert window.close() and not window.isVisible()
    failures = [r.getMessage() for r in caplog.records]
    assert any(f"Record {first} could not be released for clerk" in m for m in failures)
    assert any(f"Record {second} could not be released for supervisor" in m for m in failures)


def test_banners_of_the_last_user_are_cleared_when_the_user_changes(seat):
    window, _, _, _ = seat
    bars = {key: window.screens[key].message for key in ("group", "pages", "inbox", "registry")}
    for key, bar in bars.items():
        bar.show_message(f"Something for the clerk on {key}", "error")
    window.show_screen("group")
    assert window.screens["group"].message.current()
    window.switch_user()
    assert {key: bar.isHidden() for key, bar in bars.items()} == dict.fromkeys(bars, True)
