"""Every file of a mixed selection gets a line in the inbox saying what became of it: scans as
TIFF, JPEG and PNG are imported like PDFs, anything else is named as not a scan."""
from __future__ import annotations

from PIL import Image

from ui_support import make_ctx, make_pdf, open_desk


def test_a_mixed_selection_accounts_for_every_file(qtbot, tmp_path):
    from cisr_desk.ui.inbox import InboxScreen

    desk = open_desk(tmp_path)  # the real capture engine: it decides what a file is
    ctx = make_ctx(desk, "clerk", tmp_path)
    inbox = InboxScreen(ctx)
    qtbot.addWidget(inbox)
    sel = tmp_path / "selection"
    sel.mkdir()
    Image.new("L", (1700, 2200), 255).save(sel / "blank-fax.tif")  # no resolution tag
    (sel / "cover-note.txt").write_text("Please find enclosed the forms.")
    pdf = make_pdf(sel / "letter.pdf", "a cover letter", pages=1)
    card = inbox.import_paths([sel / "blank-fax.tif", sel / "cover-note.txt", pdf])
    rows = {card.table.item(i, 0).text(): (card.table.item(i, 1).text(), card.table.item(i, 4))
            for i in range(card.table.rowCount())}
    assert set(rows) == {"blank-fax.tif", "cover-note.txt", "letter.pdf"}
    assert rows["blank-fax.tif"][0] == "Imported"
    assert rows["letter.pdf"][0] == "Imported"
    status, details = rows["cover-note.txt"]
    assert status == "Error" and "not a scan" in details.text()
    desk.close()


def test_the_summary_tells_files_not_read_from_files_with_pages_on_no_form():
    """Files that could not be read were counted among those that "need a look" on the page
    desk, which has nothing of them to show (seen using the app as a clerk)."""
    from cisr_desk.ui.inbox import import_summary

    text = import_summary(imported=1, forms=0, unread=3, loose=1)
    assert text == ('0 forms from 1 file added to the review queue · 3 files could not be read (the reason is '
                    'beside each) · <a href="pages">1 file with pages on no form</a>')
    assert import_summary(imported=2, forms=3, unread=0, loose=0) == "3 forms from 2 files added to the review queue"
