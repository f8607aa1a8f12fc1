"""The whole working day through the widgets, on a real Desk and database (capture faked):
import a batch, open a record, correct a doubtful field by keyboard, submit, switch to a
supervisor, approve, export the week and read the workbook back."""
from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from cisr_desk.domain.policy import SitePolicy
from cisr_desk.ui.main_window import MainWindow
from ui_support import make_ctx, make_pdf, no_dialogs, open_desk  # noqa: F401 - fixture

pytest.importorskip("cisr_desk.store.service")


@pytest.fixture
def office(tmp_path, qtbot, no_dialogs):
    from cisr_desk.store.fakes import FakeExtractor, clean_values, document, form

    wrong_zip = clean_values(1)
    wrong_zip["mailing_zip"] = "9177"  # OCR dropped a digit
    extractor = FakeExtractor({
        "batch-a.pdf": [form(wrong_zip, doubtful=["mailing_zip"])],
        "batch-b.pdf": [form(clean_values(2))],
        "not-a-form.pdf": document("not-a-form.pdf", [], pages=2, unrecognized=[1, 2]),
    })
    desk = open_desk(tmp_path, extractor)
    desk.set_policy(SitePolicy(supervisor_sample_every=1), "admin")  # every clean record gets a second look
    files = [make_pdf(tmp_path / "batch-a.pdf", "a"), make_pdf(tmp_path / "batch-b.pdf", "b"),
             make_pdf(tmp_path / "not-a-form.pdf", "c")]
    users = {"next": "supervisor"}
    ctx = make_ctx(desk, "clerk", tmp_path)
    window = MainWindow(ctx, switch_user=lambda parent: desk.user(users["next"]))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    yield window, desk, files, users
    desk.close()


def test_import_review_approve_export(office, qtbot):
    window, desk, files, users = office
    ctx = window.ctx

    # Inbox: import the batch; the fake extractor has no form for the third file
    window.show_screen("inbox")
    inbox = window.screens["inbox"]
    card = inbox.import_paths([str(f) for f in files])
    results = [card.table.item(row, 1).text() for row in range(card.table.rowCount())]
    assert results[:2] == ["Imported", "Imported"]
    assert card.table.item(2, 3).text() == "pages 1, 2"  # pages on no form
    assert card.summary.text().startswith("2 forms from 3 files added to the review queue")
    assert window._items["review"].text() == "Review  ·  2"  # what needs attention, in the navigation

    # Review: the queue lists them; Enter opens the first
    window.show_screen("review")
    review = window.screens["review"]
    assert review.model.rowCount() >= 2
    review.table.setFocus()
    review.table.selectRow(0)
    qtbot.keyClick(review.table, Qt.Key.Key_Return)
    editor = review.editor
    assert review.stack.currentWidget() is editor
    assert editor.record.id == review.model.record_id(0)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))

    # the cursor sits on the doubtful ZIP; typing overrides, Enter saves and moves on
    zip_row = editor.fields.rows["mailing_zip"]
    assert QApplication.focusWidget() is zip_row.editor
    assert zip_row.reason.isVisible() and zip_row.review
    qtbot.keyClicks(zip_row.editor, "91770")
    qtbot.keyClick(zip_row.editor, Qt.Key.Key_Return)
    assert desk.get_record(editor.record.id).field("mailing_zip").value == "91770"
    assert not zip_row.review and not zip_row.reason.isVisible()
    assert editor.record.issues == []
    assert "Ctrl+Enter submits" in editor.hint.text()

    # submit with the keyboard: on to the next record of the queue
    first = editor.record.id
    qtbot.keyClick(editor.submit_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert desk.get_record(first).status == "submitted"  # sampled for a supervisor by policy
    assert editor.record is not None and editor.record.id != first
    editor.submit()  # the second one is clean as read
    assert review.stack.currentIndex() == 0  # queue done

    # a clerk does not see the supervisor's screens; a supervisor does
    assert window._items["supervisor"].isHidden()
    window.switch_user()
    assert ctx.user_name == "supervisor" and "supervisor" in window.user_label.text()
    assert not window._items["supervisor"].isHidden()
    window.show_screen("supervisor")
    sup = window.screens["supervisor"]
    assert sup.model.rowCount() == 2
    sup.table.selectRow(sup.model.row_of(first))
    assert sup.record.id == first
    changes = [sup.changes.item(r, 0).text() for r in range(sup.changes.rowCount())]
    assert "ZIP" in changes  # OCR 9177 -> clerk 91770, beside the scan of the field
    row = changes.index("ZIP")
    assert (sup.changes.item(row, 2).text(), sup.changes.item(row, 3).text()) == ("9177", "91770")
    crop = sup.changes.cellWidget(row, 1)
    assert not crop.source().isNull()  # the crop of the stored page, drawn in the background
    # ... and the chosen change's scan again, the table's full width, under it
    sup.changes.setCurrentCell(row, 0)
    assert sup.changes.preview.source().cacheKey() == crop.source().cacheKey()
    sup.btn_approve.click()
    assert desk.get_record(first).status == "approved"
    sup.table.selectRow(0)
    sup.approve()
    assert sup.model.rowCount() == 0

    # exports: this week's approvals go out in a workbook
    window.show_screen("exports")
    exports = window.screens["exports"]
    assert exports.preview.rowCount() >= 2
    exports.export_button.click()
    assert exports.last_file is not None and exports.last_file.exists()
    assert exports.last_file.parent == ctx.data_dir / "exports" and "batch-1" in exports.last_file.name
    first_file = exports.last_file
    assert exports.batches.rowCount() == 1
    book = openpyxl.load_workbook(exports.last_file, read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "Customer 000001" in cells and "Customer 000002" in cells
    assert desk.get_record(first).status == "exported"

    # a past batch can go out again, and the window remembers its layout
    exports.batch_table.selectRow(0)
    exports.reexport()
    assert exports.last_file.exists() and exports.last_file != first_file  # never over the first
    assert first_file.exists()
    window.save_layout()
    assert not ctx.settings.get("window/geometry").isEmpty()
    assert ctx.settings.get("window/screen") == "exports"


def test_flag_and_four_eyes(office, qtbot):
    window, desk, files, users = office
    window.screens["inbox"].import_paths([str(files[0])])
    rid = desk.record_ids()[0]

    # the supervisor edits the record and flags it: another supervisor has to decide
    window.switch_user()
    window.show_screen("review")
    review = window.screens["review"]
    review.open_record(rid)
    row = review.editor.fields.rows["mailing_zip"]
    row.editor.setText("91770")
    review.editor.commit_field("mailing_zip")
    review.editor.flag()
    assert desk.get_record(rid).status == "flagged"

    window.show_screen("supervisor")
    sup = window.screens["supervisor"]
    assert sup.record.id == rid and "Signature looks different" in sup.reason.text()
    sup.approve()
    assert desk.get_record(rid).status == "flagged"
    assert "four-eyes" in sup.message.current()

    users["next"] = "boss"
    window.switch_user()
    window.show_screen("supervisor")
    sup.reject()
    assert desk.get_record(rid).status == "rejected"


def test_group_check_accepts_a_column(office, qtbot):
    window, desk, files, users = office
    window.screens["inbox"].import_paths([str(f) for f in files[:2]])
    window.show_screen("group")
    group = window.screens["group"]
    group.field_box.setCurrentIndex(group.field_box.findData("mailing_zip"))
    assert group.model.rowCount() == 2
    assert "1 in doubt" in group.summary.text()
    group.accept_all()
    assert "0 in doubt" in group.summary.text()
    assert all(not f.review for rid in desk.record_ids() for f in desk.get_record(rid).fields
               if f.key == "mailing_zip")


def test_registry_import_preview_and_settings(office, qtbot, tmp_path):
    from cisr_desk.store.fakes import write_registry_csv

    window, desk, files, users = office
    window.show_screen("registry")
    reg = window.screens["registry"]
    assert reg.model.rowCount() > 10
    reg.search.setText("Coastal Energy Partners")
    assert reg.proxy.rowCount() == 1
    window.switch_user()  # admins and supervisors import registries
    reg.import_file(write_registry_csv(tmp_path / "small.csv"))
    assert reg.model.rowCount() == 2
    assert "Registry imported" in reg.message.current()

    window.show_screen("settings")
    settings = window.screens["settings"]
    settings.policy_inputs["signature_max_age_days"].setValue(120)
    settings.store_policy()
    assert desk.policy().signature_max_age_days == 120
    assert settings.tess_status.text()


def test_drop_files_and_watch_a_folder(office, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    window, desk, files, users = office
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files[0]))])
    window.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    assert window.current_screen() == "inbox"
    assert desk.count_records() == 1

    inbox = window.screens["inbox"]
    watched = tmp_path / "scanner"
    watched.mkdir()
    make_pdf(watched / "already-there.pdf", "old")
    inbox.watch_path.setText(str(watched))
    inbox.watch_enabled.setChecked(True)
    assert "Watching" in inbox.message.current()
    assert inbox.ctx.settings.get("watch_folder") == str(watched)
    make_pdf(watched / "batch-b.pdf", "new scan")
    inbox._scan_watched()  # what the watcher's debounce timer calls
    assert desk.count_records() == 2  # the new file only


def test_the_first_window_fits_the_screen(office):
    """No saved layout yet: the window opens no larger than the screen's free area (the offscreen
    screen is smaller than the roomy first size, like a 1280x720 office PC's)."""
    window = office[0]
    available = window.screen().availableGeometry()
    window._restore()
    assert window.width() <= available.width() and window.height() <= available.height()
    assert window.width() >= window.minimumWidth()


def test_a_screen_chosen_takes_the_keyboard(office, qtbot):
    """The sidebar never takes the keyboard: the screen chosen does, so Enter opens the queue's
    record at once, not whatever the screen left behind had focus (seen under Xvfb: Enter after
    clicking Review from the page desk did nothing)."""
    window, desk, files, users = office
    desk.import_files(files[:2], "clerk")
    window.show_screen("pages")
    window.screens["pages"].files.setFocus()
    window.nav.setCurrentItem(window._items["review"])  # as a click in the sidebar does
    review = window.screens["review"]
    qtbot.waitUntil(lambda: review.table.hasFocus())
    qtbot.keyClick(review.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: review.current_record_id() is not None)
    window.show_screen("inbox")  # a screen with no chosen target: its first widget that takes the keyboard
    inbox = window.screens["inbox"]
    qtbot.waitUntil(lambda: inbox.isAncestorOf(QApplication.focusWidget()))
