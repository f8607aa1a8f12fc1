"""The inbox's history is the desk's: every import run, errors and duplicates included, numbered
once for the whole desk, and shown again after a restart."""
from __future__ import annotations

from cisr_desk.store import fakes

from ui_support import make_ctx, make_pdf, open_desk


def test_import_runs_are_kept_with_every_files_outcome(desk, tmp_path, extractor):
    extractor.results["a.pdf"] = [fakes.form(fakes.clean_values(1))]
    (tmp_path / "a.pdf").write_bytes(b"%PDF a")
    first = desk.import_files([tmp_path / "a.pdf", tmp_path / "missing.pdf"], "ann")
    second = desk.import_files([tmp_path / "a.pdf"], "ann")
    assert second.run_id == first.run_id + 1
    [newest, older] = desk.import_history(2)
    assert (newest.run_id, older.run_id) == (second.run_id, first.run_id)
    assert [f.status for f in older.files] == ["error", "imported"]  # the missing file is named too
    assert older.files[1].record_ids == first.record_ids and older.by == "ann" and older.at is not None
    assert [f.status for f in newest.files] == ["duplicate"]


def test_a_new_window_shows_the_earlier_imports(qtbot, tmp_path):
    from cisr_desk.ui.inbox import InboxScreen

    extractor = fakes.FakeExtractor({"scan.pdf": [fakes.form(fakes.clean_values(1))]})
    desk = open_desk(tmp_path, extractor)
    first = InboxScreen(make_ctx(desk, "clerk", tmp_path))
    qtbot.addWidget(first)
    first.activate()
    card = first.import_paths([make_pdf(tmp_path / "scan.pdf", "scan"), tmp_path / "note.txt"])
    assert card.title.text().startswith("Import 1 ")

    again = InboxScreen(make_ctx(desk, "clerk", tmp_path))  # the application started again
    qtbot.addWidget(again)
    again.activate()
    cards = [again.batch_box.itemAt(i).widget() for i in range(again.batch_box.count() - 1)]
    assert len(cards) == 1 and cards[0].title.text().startswith("Import 1 ") and "by clerk" in cards[0].title.text()
    rows = {cards[0].table.item(r, 0).text(): cards[0].table.item(r, 1).text() for r in range(cards[0].table.rowCount())}
    assert rows == {"scan.pdf": "Imported", "note.txt": "Error"}
    assert again.empty_note.isHidden()
    card = again.import_paths([make_pdf(tmp_path / "other.pdf", "other")])
    assert card.title.text().startswith("Import 2 ")  # numbered on from the desk, not from 1
    desk.close()
