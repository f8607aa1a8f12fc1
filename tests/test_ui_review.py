"""The record editor's helpers for heads-down work: rules re-checked while typing, registry
completion with its match margin, Enter walking the doubtful fields, PgDn to the next record;
and a first start that builds the demo in the background."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from cisr_desk.ui.main_window import MainWindow
from cisr_desk.ui.review import ReviewScreen
from ui_support import make_ctx, make_pdf, open_desk

pytest.importorskip("cisr_desk.store.service")


@pytest.fixture
def review(tmp_path, qtbot):
    from cisr_desk.store.fakes import FakeExtractor, clean_values, form

    values = clean_values(1)
    values["drp1_id"] = "DRP179"
    extractor = FakeExtractor({"a.pdf": [form(values, doubtful=["customer_name", "drp1_id", "mailing_zip"], received="")]})
    desk = open_desk(tmp_path, extractor)
    desk.import_files([make_pdf(tmp_path / "a.pdf", "a"), make_pdf(tmp_path / "b.pdf", "b")], "clerk")
    screen = ReviewScreen(make_ctx(desk, "clerk", tmp_path))
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    screen.open_row(0)
    yield screen, desk
    desk.close()


def test_enter_walks_the_doubtful_fields_in_reading_order(review):
    screen, desk = review
    editor = screen.editor
    assert editor.fields.next_doubtful(None) == "customer_name"
    editor.commit_field("customer_name")  # accepted as read
    assert not editor.fields.rows["customer_name"].review
    assert editor.fields.next_doubtful("customer_name") == "mailing_zip"
    assert desk.get_record(editor.record.id).field("customer_name").review is False


def test_rules_recheck_while_typing(review, qtbot):
    screen, _ = review
    editor = screen.editor
    row = editor.fields.rows["mailing_zip"]
    row.editor.setText("917")
    editor.fields.edited.emit("mailing_zip", "917")
    qtbot.waitUntil(lambda: "5-digit" in row.reason.text(), timeout=2000)
    row.editor.setText("91770")
    editor.fields.edited.emit("mailing_zip", "91770")
    qtbot.waitUntil(lambda: "5-digit" not in row.reason.text(), timeout=2000)


def test_drp_completion_shows_the_match_margin(review):
    screen, _ = review
    editor = screen.editor
    editor._complete("drp1_name", "Coastal Ener")
    model = editor._completion_models["drp1_name"]
    assert model.rowCount() >= 1
    top = model.item(0)
    assert "DRP1791" in top.text() and "%" in top.text()
    assert top.data(editor_insert_role()) == "Coastal Energy Partners Corporation"
    editor._complete("drp1_id", "DRP17")
    ids = editor._completion_models["drp1_id"]
    assert any(ids.item(i).data(editor_insert_role()) == "DRP1791" for i in range(ids.rowCount()))


def editor_insert_role():
    from cisr_desk.ui.record_editor import InsertRole

    return InsertRole


def test_page_down_moves_to_the_next_record(review):
    screen, _ = review
    first = screen.editor.record.id
    screen.move(1)
    assert screen.editor.record.id != first
    screen.move(-1)
    assert screen.editor.record.id == first
    screen.move(-1)
    assert "No more records" in screen.editor.message.current()


@pytest.mark.slow
def test_first_start_builds_the_demo_in_the_background(tmp_path, qtbot, monkeypatch):
    """Users, registry and generated scans, read by the real capture engine, land in the queue."""
    from cisr_desk.store.service import Desk
    from cisr_desk.ui import demo
    from cisr_desk.ui.app import start_demo

    monkeypatch.setattr(demo, "DEMO_FORMS", 2)
    desk = Desk.open(f"sqlite:///{tmp_path / 'demo.sqlite'}", files_dir=tmp_path / "files")
    assert demo.is_empty(desk)
    roles = demo.create_users(desk, "pat")
    assert roles == {"pat": "clerk", "supervisor": "supervisor", "admin": "admin"}
    pool = QThreadPool()
    ctx = make_ctx(desk, "pat", tmp_path, pool)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    inbox = window.screens["inbox"]
    with qtbot.waitSignal(inbox.import_finished, timeout=300000):
        start_demo(ctx, window)
    assert desk.registry() is not None and len(desk.registry()) > 10
    assert desk.count_records() >= 2
    pool.waitForDone()
    desk.close()


def test_typed_changes_are_kept_when_leaving_a_field_or_the_record(review, qtbot):
    screen, desk = review
    editor = screen.editor
    rid = editor.record.id
    city = editor.fields.rows["mailing_city"]
    city.editor.setText("Pasadena")
    editor.fields.left.emit("mailing_city")  # what Tab away does
    assert desk.get_record(rid).field("mailing_city").value == "Pasadena"
    zip_row = editor.fields.rows["mailing_zip"]
    zip_row.editor.setText("91101")
    screen.move(1)  # PgDn with an unsaved edit
    assert desk.get_record(rid).field("mailing_zip").value == "91101"
    # an untouched doubt is not accepted by leaving it
    assert desk.get_record(rid).field("customer_name").review is True


def test_shift_enter_goes_back_and_section_counts_follow_the_clerk(review, qtbot):
    from PySide6.QtCore import Qt

    screen, desk = review
    editor = screen.editor
    header = next(h for h, name, keys in editor.fields._headers if "customer_name" in keys)
    before = int(header.text().split("·")[1].split()[0])
    editor.commit_field("customer_name")  # accepted: the section has one doubt fewer, at once
    assert (int(header.text().split("·")[1].split()[0]) if "·" in header.text() else 0) == before - 1
    zip_row = editor.fields.rows["mailing_zip"]
    editor.fields.focus_field("mailing_zip")
    qtbot.keyClick(zip_row.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    prev = editor.fields.previous_doubtful("mailing_zip")
    assert prev is not None and prev != "mailing_zip"
    assert editor.fields.rows[prev].editor.hasFocus()
    assert desk.get_record(editor.record.id).field("mailing_zip").review  # going back accepts nothing


def test_value_boxes_fit_their_longest_values_and_show_the_rest_in_a_tooltip(review):
    screen, _ = review
    rows = screen.editor.fields.rows
    email, state = rows["customer_email"].editor, rows["mailing_state"].editor
    assert email.minimumWidth() >= email.fontMetrics().averageCharWidth() * 28
    assert state.minimumWidth() < email.minimumWidth()
    name = rows["customer_name"]
    assert name.shown_value and name.shown_value in name.editor.toolTip()


def test_down_from_the_search_box_goes_to_the_results(review, qtbot):
    from PySide6.QtCore import Qt

    screen, _ = review
    screen.show_queue()
    screen.focus_search()
    qtbot.waitUntil(screen.search.hasFocus)
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)
    assert screen.table.hasFocus() and screen.table.selectionModel().selectedRows()


def test_an_empty_search_is_not_an_empty_queue(review, qtbot):
    screen, desk = review
    messages = []
    screen.ctx.events.status_message.connect(messages.append)
    screen.show_queue()
    screen.search.setText("a.pdf")  # the source file's name: one of the two records
    screen.refresh()
    assert screen.model.rowCount() == 1
    rid = screen.model.record_id(0)
    screen.open_record(rid)
    desk.flag(rid, "signature differs", "clerk")
    screen._record_done(rid)  # as after a flag: the search has nothing more, the queue has b.pdf
    assert messages[-1] == "Nothing else matches “a.pdf” — clear the search for the rest of the queue"


def test_double_keying_of_account_numbers_as_a_site_option(review, monkeypatch):
    from cisr_desk.domain.policy import SitePolicy

    screen, desk = review
    editor = screen.editor
    row = editor.fields.rows["customer_account"]
    asked = []
    monkeypatch.setattr("cisr_desk.ui.record_editor.ask_again", lambda parent, label: asked.append(label) or typed[0])
    typed = ["2-00-000-0001"]
    row.editor.setText("2-00-000-0009")
    editor.commit_field("customer_account")  # off by default: saved as typed, nothing asked
    assert not asked and desk.get_record(editor.record.id).field("customer_account").value == "2000000009"

    desk.set_policy(SitePolicy(double_key_accounts=True), "admin")
    screen.open_record(editor.record.id)  # the policy is read as a record opens
    row = editor.fields.rows["customer_account"]
    row.editor.setText("2-00-000-0001")
    typed[0] = "2000000007"  # the second keying disagrees: nothing saved
    editor.commit_field("customer_account")
    assert asked == ["Customer account"] and "the two entries differ" in editor.message.text.text()
    assert desk.get_record(editor.record.id).field("customer_account").value == "2000000009"
    typed[0] = "2 000 000 001"  # the same digits: saved
    editor.commit_field("customer_account")
    assert desk.get_record(editor.record.id).field("customer_account").value == "2000000001"
    name = editor.fields.rows["customer_name"]
    name.editor.setText("Someone Else")
    before = len(asked)
    editor.commit_field("customer_name")  # only account numbers are keyed twice
    assert len(asked) == before


def test_the_received_date_is_typed_beside_the_stamp(review, qtbot):
    from PySide6.QtCore import Qt

    screen, desk = review
    editor = screen.editor
    assert editor.received.text() == "" and editor.received_note.text().startswith("The stamp could not be read")
    editor.received.setText("11/20/2026")
    qtbot.keyClick(editor.received, Qt.Key.Key_Return)
    rec = desk.get_record(editor.record.id)
    assert rec.received.isoformat() == "2026-11-20" and editor.received_note.isHidden()
    editor.received.setText("31/31/2026")
    qtbot.keyClick(editor.received, Qt.Key.Key_Return)
    assert "not a date" in editor.message.text.text()
    assert desk.get_record(editor.record.id).received.isoformat() == "2026-11-20"


def test_a_search_that_finds_nothing_says_so_and_headers_sit_over_their_values(review):
    from PySide6.QtCore import Qt

    screen, _ = review
    screen.show_queue()
    screen.search.setText("zzz-nobody")
    screen.refresh()
    assert screen.model.rowCount() == 0 and screen.count.text() == "no record matches “zzz-nobody”"
    align = [screen.model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
             for c in (screen.model.COL_ID, screen.model.COL_STATUS)]
    assert align[0] & int(Qt.AlignmentFlag.AlignRight) and align[1] & int(Qt.AlignmentFlag.AlignLeft)


def test_enter_goes_on_to_the_received_date_and_from_it_to_what_is_left(review, qtbot):
    """Enter walked the doubtful fields and then stopped at Submit with the Received date still
    empty, and Enter in the Received box stayed there (seen using the app as a clerk)."""
    from PySide6.QtCore import Qt

    screen, desk = review
    editor = screen.editor
    editor.received.setFocus()
    editor.received.setText("11/20/2026")
    qtbot.keyClick(editor.received, Qt.Key.Key_Return)
    assert editor.record.received is not None
    qtbot.waitUntil(lambda: editor.fields.rows["customer_name"].editor.hasFocus())  # the first doubt
    rid = editor.record.id
    desk.set_field(rid, "received", "", "clerk")
    desk.accept_field(rid, "customer_name", "clerk")
    desk.set_field(rid, "drp1_id", "DRP1791", "clerk")  # read as DRP179
    editor.open(rid)
    assert editor.fields.next_doubtful(None) == "mailing_zip"
    editor.commit_field("mailing_zip")  # the last doubt accepted with Enter
    qtbot.waitUntil(editor.received.hasFocus)  # no doubt left, but no Received date yet


def test_a_customer_cut_by_its_column_is_whole_in_its_tooltip(review):
    from PySide6.QtCore import Qt

    screen, _ = review
    screen.show_queue()
    model = screen.model
    index = model.index(0, model.COL_CUSTOMER)
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == model.data(index) != ""


def test_tab_from_the_received_box_goes_on_to_the_first_field(review, qtbot):
    """Tab from the Received box went to the page's buttons and Previous/Next, past every field
    (seen using the app as a clerk)."""
    from PySide6.QtCore import Qt

    screen, _ = review
    editor = screen.editor
    editor.received.setFocus()
    qtbot.waitUntil(editor.received.hasFocus)
    qtbot.keyClick(editor.received, Qt.Key.Key_Tab)
    first = editor.fields.order[0]
    qtbot.waitUntil(lambda: editor.fields.rows[first].editor.hasFocus())
