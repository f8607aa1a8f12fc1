"""The page desk through the UI: each correction by drag and drop, menu or key, applied in the
background (the fake form reader stands in for capture), refusals shown as messages."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from cisr_desk.domain import layout as lay
from cisr_desk.store import fakes
from cisr_desk.ui.page_desk import PageDeskScreen
from ui_support import make_ctx, make_pdf, open_desk, show_office_size

REV19 = "14-941-rev-2019-07"


@pytest.fixture
def office(tmp_path, qtbot):
    extractor = fakes.FakeExtractor({"batch.pdf": fakes.document("batch.pdf", [
        fakes.form(fakes.clean_values(1), pages=(1, 2)), fakes.form(fakes.clean_values(3), pages=(3, 4))],
        unrecognized=[5])})
    desk = open_desk(tmp_path, extractor)
    desk.form_reader = fakes.FakeFormReader()
    report = desk.import_files([make_pdf(tmp_path / "batch.pdf", "batch", pages=5)], "clerk")
    ctx = make_ctx(desk, "clerk", tmp_path)
    screen = PageDeskScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1100, 700)
    screen.show()
    screen.activate()
    screen.open_file(0)  # the most recent file that needs a look
    yield screen, desk, report.files[0].record_ids
    desk.close()


def strip(screen, key):
    return next((view, model) for k, view, model in screen.strips if k == key)


def drag(screen, page, to_key, slot_row=None):
    """What a drop does: the source strip's mime data dropped on the target strip (or on one of its items)."""
    source = next((m, row) for _, _, m in screen.strips for row, s in enumerate(m.slots) if s.page == page)
    data = source[0].mimeData([source[0].index(source[1])])
    _, target = strip(screen, to_key)
    parent = target.index(slot_row) if slot_row is not None else QModelIndex()
    target.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, parent)


def select(screen, page):
    screen.select_page(page)
    assert screen.selected_page == page


def apply(screen, qtbot):
    with qtbot.waitSignal(screen.applied, timeout=5000) as done:
        screen.apply_button.click()
    return done.args[0]


def test_the_file_is_shown_as_strips_of_thumbnails(office, qtbot):
    screen, desk, (a, b) = office
    item = screen.files.currentItem()
    assert "batch.pdf" in item.text() and "needs a look: page 5" in item.text()
    assert [k for k, _, _ in screen.strips] == [None, 0, 1]
    _, loose = strip(screen, None)
    assert [s.page for s in loose.slots] == [5]
    assert sorted(screen.thumbs.images) == [1, 2, 3, 4, 5]  # rendered in the background
    assert screen.preview.text() == "Choose a page to see it here"  # not an empty panel
    select(screen, 3)
    assert "page 1 of record" in screen.details.text()
    qtbot.waitUntil(lambda: screen.preview.pixmap() is not None and not screen.preview.pixmap().isNull())


def test_drag_a_page_off_a_form_and_back_onto_its_gap(office, qtbot):
    screen, desk, (a, b) = office
    drag(screen, 4, None)
    qtbot.waitUntil(lambda: 4 in screen.layout_.loose)
    assert "page 4: page 2 of record" in screen.pending.text()
    report = apply(screen, qtbot)
    assert report.updated == [b] and desk.get_record(b).pages == [3]
    view, model = strip(screen, 1)
    gap = next(row for row, s in enumerate(model.slots) if s.kind == "missing")
    drag(screen, 4, 1, gap)
    qtbot.waitUntil(lambda: screen.layout_.forms[1].pages == {0: 3, 1: 4})
    apply(screen, qtbot)
    assert desk.get_record(b).pages == [3, 4]
    assert "page_moved" in [e.action for e in desk.history(b)]
    assert "read again" in screen.message.current()


def test_rotate_with_its_key(office, qtbot):
    screen, desk, (a, b) = office
    select(screen, 3)
    view, _ = strip(screen, 1)
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert screen.layout_.turned == {3: True}
    apply(screen, qtbot)
    assert desk.get_record(b).placements[0].rotated is True
    assert desk.form_reader.calls[-1][0].turned == {3: True}


def test_split_here_then_merge_with_next(office, qtbot):
    screen, desk, (a, b) = office
    select(screen, 2)
    screen.act_split.trigger()
    assert [f.record_id for f in screen.layout_.forms] == [a, None, b]
    (new,) = apply(screen, qtbot).created
    select(screen, 1)
    view, _ = strip(screen, 0)
    qtbot.keyClick(view, Qt.Key.Key_M)
    report = apply(screen, qtbot)
    assert report.retired == [new] and desk.get_record(new).status == "rejected"
    assert desk.get_record(a).pages == [1, 2]


def test_mark_attachment_and_not_a_form_from_the_context_menu_actions(office, qtbot):
    screen, desk, (a, b) = office
    select(screen, 5)
    screen.act_attach.trigger()  # a loose page lists the accounts of the form before it
    assert screen.layout_.forms[1].attachments == [5]
    apply(screen, qtbot)
    assert desk.get_record(b).attachment_pages == [5]
    select(screen, 5)
    screen.act_not_form.trigger()
    apply(screen, qtbot)
    assert desk.get_record(b).attachment_pages == []
    assert "needs a look" not in screen.files.currentItem().text()


def test_assign_a_loose_page_to_a_revision_and_page(office, qtbot, monkeypatch):
    screen, desk, (a, b) = office
    monkeypatch.setattr("cisr_desk.ui.page_desk.ask_assignment", lambda parent, layout, page: (REV19, 0))
    select(screen, 5)
    view, _ = strip(screen, None)
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert screen.layout_.forms[2].template_id == REV19
    (new,) = apply(screen, qtbot).created
    assert desk.get_record(new).template == REV19 and desk.get_record(new).pages == [5]


def test_refusals_are_messages_and_the_changes_stay(office, qtbot):
    screen, desk, (a, b) = office
    drag(screen, 5, 0, 0)  # onto record A's first page
    qtbot.waitUntil(lambda: screen.message.isVisible())
    assert "already file page 1" in screen.message.current()
    assert not screen.layout_.changes
    desk.submit(a, "clerk")
    select(screen, 2)
    screen.act_split.trigger()
    with qtbot.waitSignal(screen.failed, timeout=5000):
        screen.apply_button.click()
    assert "only forms not yet submitted" in screen.message.current() and "Traceback" not in screen.message.current()
    assert screen.layout_.changes and screen.undo_button.isEnabled()
    screen.undo_button.click()
    assert not screen.layout_.changes


def test_the_inbox_link_opens_the_page_desk_and_it_fits_1280_by_720(tmp_path, qtbot):
    from cisr_desk.ui.main_window import MainWindow

    extractor = fakes.FakeExtractor({"batch.pdf": fakes.document("batch.pdf", [fakes.form(fakes.clean_values(1))],
                                                                 unrecognized=[3])})
    desk = open_desk(tmp_path, extractor)
    ctx = make_ctx(desk, "clerk", tmp_path)
    window = MainWindow(ctx)
    show_office_size(qtbot, window)
    inbox = window.screens["inbox"]
    card = inbox.import_paths([make_pdf(tmp_path / "batch.pdf", "batch", pages=3)])
    assert "1 file with pages on no form</a>" in card.summary.text()
    card.summary.linkActivated.emit("pages")
    assert window.current_screen() == "pages"
    pages = window.screens["pages"]
    assert pages.base is not None and pages.base.loose == {3: lay.UNRECOGNIZED}
    assert window.minimumSizeHint().width() <= 1280 and window.minimumSizeHint().height() <= 720
    desk.close()


def test_choosing_another_file_says_unapplied_changes_are_gone(office, tmp_path, qtbot):
    screen, desk, _ = office
    desk.import_files([make_pdf(tmp_path / "other.pdf", "other", pages=2)], "clerk")
    screen.refresh_files()
    select(screen, 3)
    screen.act_rotate.trigger()
    items = [screen.files.item(i) for i in range(screen.files.count())]
    other = next(item for item in items if "other.pdf" in item.text())
    screen.files.setCurrentItem(other)
    assert screen.base.file_name == "other.pdf" and not screen.layout_.changes
    assert "1 change to batch.pdf was not applied and is gone" in screen.message.current()


def test_choosing_another_file_clears_the_last_files_preview(office, tmp_path, qtbot):
    screen, desk, _ = office
    desk.import_files([make_pdf(tmp_path / "other.pdf", "other", pages=2)], "clerk")
    screen.refresh_files()
    select(screen, 3)
    qtbot.waitUntil(lambda: screen.preview.pixmap() is not None and not screen.preview.pixmap().isNull())
    items = [screen.files.item(i) for i in range(screen.files.count())]
    screen.files.setCurrentItem(next(item for item in items if "other.pdf" in item.text()))
    # batch.pdf's page 3, captioned as a page of this file, stayed up (seen under Xvfb)
    assert screen.preview.text() == "Choose a page to see it here" and screen.details.text() == ""
    assert screen.preview.pixmap() is None or screen.preview.pixmap().isNull()


def test_the_context_menu_offers_every_correction_and_move_to(office, qtbot):
    screen, desk, (a, b) = office
    view, model = strip(screen, None)
    menu = screen.menu_for(view, view.visualRect(model.index(0)).center())
    assert screen.selected_page == 5
    texts = [act.text() for act in menu.actions()]
    assert texts[:6] == ["Rotate", "Split here", "Merge with next", "Attachment", "Not a form", "Assign…"]
    move = next(act.menu() for act in menu.actions() if act.text() == "Move to")
    assert [act.text() for act in move.actions()] == [f"Record {a}", f"Record {b}"]
    move.actions()[1].trigger()  # record B has both its pages: refused, with the reason
    assert "already has all 2 of its pages" in screen.message.current() and not screen.layout_.changes
    view, model = strip(screen, 1)
    menu = screen.menu_for(view, view.visualRect(model.index(1)).center())
    assert screen.selected_page == 4
    opener = next(act for act in menu.actions() if act.text() == f"Open record {b} in Review")
    with qtbot.waitSignal(screen.ctx.events.open_record, timeout=2000) as opened:
        opener.trigger()
    assert opened.args == [b]


def test_a_page_of_200_inches_is_drawn_within_bounds(tmp_path):
    """A page as large as a PDF allows (14,400 points) at the preview's 60 dpi would be 12,000
    pixels a side, and at a scan's 200 dpi MuPDF refuses it: it is drawn smaller instead."""
    import pymupdf

    from cisr_desk.capture.pages import MAX_RENDER_PX
    from cisr_desk.ui.page_desk import render_pages

    doc = pymupdf.open()
    doc.new_page(width=612, height=792)  # Letter
    doc.new_page(width=14400, height=14400)
    doc.save(tmp_path / "poster.pdf")
    doc.close()
    images = render_pages(str(tmp_path / "poster.pdf"), 200)
    assert images[1].shape == (2200, 1700)  # a Letter page as asked
    assert max(images[2].shape) <= MAX_RENDER_PX
