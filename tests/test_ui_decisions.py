"""Decisions in the GUI: the reason dialog works from the keyboard; a supervisor approves a
record that fails a rule only through an override with a reason, and never one without the
customer's signature; a clerk is asked before submitting fields still in doubt."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cisr_desk.domain.reasons import DEFAULT_REASONS
from cisr_desk.store import fakes
from cisr_desk.ui.widgets import ReasonDialog
from ui_support import make_ctx, make_pdf, no_dialogs, open_desk  # noqa: F401 - fixture


def test_the_reason_dialog_is_keyboard_first(qtbot):
    dialog = ReasonDialog(None, "Reject record", "Why?", [c for c in DEFAULT_REASONS if "reject" in c.kinds])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    dialog.codes.setFocus()
    qtbot.waitUntil(dialog.codes.hasFocus)
    qtbot.keyClick(dialog.codes, Qt.Key.Key_Down)  # the second reason
    qtbot.keyClick(dialog.codes, Qt.Key.Key_Tab)
    assert dialog.note.hasFocus()
    qtbot.keyClicks(dialog.note, "copy of a copy")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Tab)  # Tab moves on, it does not type a tab
    assert "\t" not in dialog.note.toPlainText() and not dialog.note.hasFocus()
    dialog.note.setFocus()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == ReasonDialog.DialogCode.Accepted
    assert dialog.value() == ("ILLEGIBLE", "copy of a copy")


def test_other_needs_a_note(qtbot):
    dialog = ReasonDialog(None, "Flag", "Why?", DEFAULT_REASONS)
    qtbot.addWidget(dialog)
    dialog.codes.setCurrentIndex(dialog.codes.findData("OTHER"))
    dialog.accept()
    assert dialog.result() != ReasonDialog.DialogCode.Accepted and not dialog.error.isHidden()
    assert dialog.error.property("kind") == "error"  # drawn red, as every dialog's refusal


@pytest.fixture
def office(tmp_path, qtbot, no_dialogs):
    from cisr_desk.ui.main_window import MainWindow

    mismatch = fakes.clean_values(1)
    mismatch["drp1_name"] = "Some Other Name Entirely"
    unsigned = fakes.clean_values(2)
    unsigned["customer_signature"] = False
    extractor = fakes.FakeExtractor({"mismatch.pdf": [fakes.form(mismatch)], "unsigned.pdf": [fakes.form(unsigned)],
                                     "doubt.pdf": [fakes.form(fakes.clean_values(3), doubtful=["customer_name"])]})
    desk = open_desk(tmp_path, extractor)
    desk.import_files([make_pdf(tmp_path / n, n) for n in ("mismatch.pdf", "unsigned.pdf", "doubt.pdf")], "clerk")
    ids = dict(zip(("mismatch", "unsigned", "doubt"), desk.record_ids()))
    ctx = make_ctx(desk, "supervisor", tmp_path)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    yield window, desk, ids, no_dialogs
    desk.close()


def test_a_failing_rule_is_approved_only_with_an_override(office):
    window, desk, ids, answers = office
    for key in ("mismatch", "unsigned"):
        desk.submit(ids[key], "clerk")
    window.show_screen("supervisor")
    sup = window.screens["supervisor"]
    sup.table.selectRow(sup.model.row_of(ids["unsigned"]))
    sup.approve()
    assert desk.get_record(ids["unsigned"]).status == "flagged"
    assert "signature is missing" in sup.message.current()

    sup.table.selectRow(sup.model.row_of(ids["mismatch"]))
    answers["reason"] = None  # the supervisor thinks again: nothing happens
    sup.approve()
    assert desk.get_record(ids["mismatch"]).status == "flagged"
    answers["reason"] = ("DRP_CONFIRMED", "DBA name")
    sup.approve()
    assert desk.get_record(ids["mismatch"]).status == "approved"
    [event] = [e for e in desk.history(ids["mismatch"]) if e.action == "approve"]
    assert event.reason.startswith("override: Confirmed with the provider [DRP_CONFIRMED]: DBA name")


def test_submitting_fields_in_doubt_asks_first(office):
    window, desk, ids, answers = office
    review = window.screens["review"]
    window.show_screen("review")
    review.open_record(ids["doubt"])
    answers["confirm"] = False
    review.editor.submit()
    assert desk.get_record(ids["doubt"]).status in ("imported", "in_review")
    answers["confirm"] = True
    review.editor.submit()
    assert desk.get_record(ids["doubt"]).status == "flagged"
