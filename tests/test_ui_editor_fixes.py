"""Defects a tester found in the review editors at 1280x720, each reproduced on a real Desk
(capture faked): long values shown from their start, a footer that never says "all checked"
while something is left, issues that wrap instead of being cut, and a group correction that
keeps a refused value in front of the clerk."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from cisr_desk.ui.review import ReviewScreen
from ui_support import make_ctx, make_pdf, no_dialogs, open_desk, show_office_size  # noqa: F401 - fixture

pytest.importorskip("cisr_desk.store.service")

ADDRESS = "150 Orange St Alhambra 91801 Los Angeles County"
RECEIVED = "2026-11-05"  # three days after clean_values' signature


def open_editor(tmp_path, qtbot, *forms):
    """A review screen at 1280x720 on the first of ``forms`` (one scan each)."""
    from cisr_desk.store.fakes import FakeExtractor

    extractor = FakeExtractor({f"scan-{i}.pdf": [f] for i, f in enumerate(forms)})
    desk = open_desk(tmp_path, extractor)
    desk.import_files([make_pdf(tmp_path / f"scan-{i}.pdf", str(i)) for i in range(len(forms))], "clerk")
    screen = ReviewScreen(make_ctx(desk, "clerk", tmp_path))
    show_office_size(qtbot, screen)
    screen.refresh()
    screen.open_row(0)
    return screen, desk


@pytest.fixture
def clean(tmp_path, qtbot, no_dialogs):  # noqa: F811 - the fixture
    """A clean record with a long service address and its received date read."""
    from cisr_desk.store.fakes import clean_values, form

    values = clean_values(1)
    values["sa1_address"] = ADDRESS
    screen, desk = open_editor(tmp_path, qtbot, form(values, received=RECEIVED))
    yield screen.editor, desk
    desk.close()


# --- 1: a long value shows its start ------------------------------------------------------------
def test_a_long_value_is_shown_from_its_start(clean, qtbot):
    editor, _ = clean
    row = editor.fields.rows["sa1_address"]
    assert row.editor.text() == ADDRESS
    assert row.editor.cursorPosition() == 0  # the house number is in view, not the county
    assert editor.received.text() == "11/05/2026" and editor.received.cursorPosition() == 0

    # shown again after another field was saved: still from the start
    name = editor.fields.rows["customer_name"]
    name.editor.setText("Customer 000001 Jr")
    editor.commit_field("customer_name")
    assert row.editor.cursorPosition() == 0

    # walked to with Enter: all of it selected (typing replaces it), the start still in view
    editor.fields.focus_field("sa1_address")
    assert row.editor.selectedText() == ADDRESS and row.editor.cursorPosition() == 0
    qtbot.keyClicks(row.editor, "12 Oak Ave")  # typing is untouched: it replaces, the cursor follows
    assert row.editor.text() == "12 Oak Ave" and row.editor.cursorPosition() == len("12 Oak Ave")


# --- 6: the footer says what is left to do ------------------------------------------------------
def test_the_footer_names_a_refused_value_instead_of_all_checked(clean, qtbot):
    editor, desk = clean
    assert editor.hint.text() == "All fields checked — Ctrl+Enter submits"
    row = editor.fields.rows["customer_sign_date"]
    editor.fields.focus_field("customer_sign_date")
    qtbot.keyClicks(row.editor, "13/45/2026")
    qtbot.keyClick(row.editor, Qt.Key.Key_Return)
    assert "not a date" in editor.message.current()
    assert row.editor.text() == "13/45/2026"  # kept in its box
    hint = editor.hint.text()
    assert "All fields checked" not in hint and "Customer sign date" in hint and "not a date" in hint

    before = desk.get_record(editor.record.id).status
    editor.submit()  # Ctrl+Enter: nothing is submitted past the refused value
    assert desk.get_record(editor.record.id).status == before != "submitted"
    assert "Customer sign date" in editor.hint.text()

    row.editor.setText("11/02/2026")  # put right: saved, and the footer says so
    editor.commit_field("customer_sign_date")
    assert editor.hint.text() == "All fields checked — Ctrl+Enter submits"


def test_the_footer_names_an_invalid_value_while_it_is_typed(clean, qtbot):
    editor, _ = clean
    row = editor.fields.rows["customer_sign_date"]
    editor.fields.focus_field("customer_sign_date")
    qtbot.keyClicks(row.editor, "13/45/2026")  # not saved yet: the live check says why it cannot stand
    qtbot.waitUntil(lambda: "not a date" in editor.hint.text(), timeout=2000)
    assert "All fields checked" not in editor.hint.text()


def test_an_empty_received_date_is_not_all_checked(tmp_path, qtbot, no_dialogs):  # noqa: F811 - the fixture
    from cisr_desk.store.fakes import clean_values, form

    screen, desk = open_editor(tmp_path, qtbot, form(clean_values(1), received=""))
    try:
        editor = screen.editor
        assert editor.record.received is None and not editor.fields.doubtful_keys()
        assert editor.hint.text() == "Type the Received date from the stamp"
        editor.received.setText("13/45/2026")  # refused: named, not "all checked"
        qtbot.keyClick(editor.received, Qt.Key.Key_Return)
        assert "Received" in editor.hint.text() and "All fields checked" not in editor.hint.text()
        editor.received.setText("11/05/2026")
        qtbot.keyClick(editor.received, Qt.Key.Key_Return)
        assert editor.hint.text() == "All fields checked — Ctrl+Enter submits"
    finally:
        desk.close()


# --- 7: long issues wrap, nothing covers them ---------------------------------------------------
def test_long_issues_wrap_and_the_list_fits_them(tmp_path, qtbot, no_dialogs):  # noqa: F811 - the fixture
    from cisr_desk.store.fakes import clean_values, form

    values = clean_values(1)
    values["customer_phone"] = "1605550140"  # no area code starts with 1
    values["mailing_zip"] = "917"
    screen, desk = open_editor(tmp_path, qtbot, form(values, received=RECEIVED))
    try:
        editor = screen.editor
        editor.splitter.setSizes([900, 380])  # a narrow field column: the issues cannot fit one line each
        QApplication.processEvents()
        issues = editor.issues
        assert issues.count() >= 2
        assert not issues.horizontalScrollBar().isVisible()
        line = issues.fontMetrics().lineSpacing()
        rects = [issues.visualItemRect(issues.item(i)) for i in range(issues.count())]
        assert any(r.height() > 1.5 * line for r in rects)  # wrapped, not cut off at one line
        assert all(r.right() <= issues.viewport().width() for r in rects)
        if sum(r.height() for r in rects) <= 6 * line:  # all of them fit the list's height
            assert rects[-1].bottom() < issues.viewport().height()
    finally:
        desk.close()


# --- 8: a refused group correction stays in front of the clerk ----------------------------------
@pytest.fixture
def group(tmp_path, qtbot):
    """The group check on three records' customer sign dates, all in doubt."""
    from cisr_desk.store.fakes import FakeExtractor, clean_values, form
    from cisr_desk.ui.group_verify import GroupScreen

    extractor = FakeExtractor({f"g{i}.pdf": [form(clean_values(i), doubtful=["customer_sign_date"],
                                                  received=RECEIVED)] for i in (1, 2, 3)})
    desk = open_desk(tmp_path, extractor)
    desk.import_files([make_pdf(tmp_path / f"g{i}.pdf", str(i)) for i in (1, 2, 3)], "clerk")
    screen = GroupScreen(make_ctx(desk, "clerk", tmp_path))
    show_office_size(qtbot, screen)
    screen.activate()
    screen.field_box.setCurrentIndex(screen.field_box.findData("customer_sign_date"))
    assert screen.model.rowCount() == 3
    yield screen, desk
    desk.close()


def correct_in_dialog(screen, row: int, typed: list[str]) -> list[dict]:
    """F2 on ``row``, then in the dialog each of ``typed`` with OK, while it stays open (Cancel
    after the last); what the dialog showed after each OK."""
    from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit

    seen: list[dict] = []

    def step(dialog, texts):
        if dialog is None or not dialog.isVisible():
            return
        edit = dialog.findChild(QLineEdit)
        if not texts:
            dialog.reject()
            return
        edit.setText(texts[0])
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        errors = [w.text() for w in dialog.findChildren(QLabel) if w.isVisible() and "not a date" in w.text()]
        seen.append({"open": dialog.isVisible(), "text": edit.text(), "errors": errors,
                     "focus": dialog.focusWidget() is edit})
        if dialog.isVisible():
            QTimer.singleShot(0, lambda: step(dialog, texts[1:]))

    QTimer.singleShot(0, lambda: step(QApplication.activeModalWidget(), list(typed)))
    screen.view.setCurrentIndex(screen.model.index(row))
    screen.correct(row)
    return seen


def test_a_refused_correction_keeps_the_dialog_and_the_typing(group):
    screen, desk = group
    rid = screen.model.record_id(0)
    seen = correct_in_dialog(screen, 0, ["12345", "11/03/2026"])
    assert seen[0]["open"] and seen[0]["text"] == "12345" and seen[0]["focus"], seen
    assert seen[0]["errors"], "the reason is shown in the dialog"
    assert len(seen) == 2 and not seen[1]["open"]  # put right: saved, closed
    assert desk.get_record(rid).field("customer_sign_date").value == "2026-11-03"
    assert screen.view.currentIndex().row() == 1  # and on to the next tile


def test_a_cancelled_correction_leaves_the_selection_where_it_was(group):
    screen, desk = group
    rid = screen.model.record_id(1)
    seen = correct_in_dialog(screen, 1, ["12345"])  # refused, then the clerk gives up
    assert seen[0]["open"], seen
    assert screen.view.currentIndex().row() == 1  # not moved on to the next tile
    assert desk.get_record(rid).field("customer_sign_date").value == "2026-11-02"
