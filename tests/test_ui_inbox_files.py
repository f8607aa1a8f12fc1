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
