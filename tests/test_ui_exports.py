"""The weekly export's folder: chosen once and kept, and shown; "Open folder" says where the
workbooks are when no file manager can be started (it did nothing at all, seen under Xvfb)."""
from __future__ import annotations

from cisr_desk.store import fakes
from ui_support import make_ctx, make_pdf, open_desk


def test_workbooks_go_to_the_folder_chosen_and_open_folder_says_where_they_are(tmp_path, qtbot, monkeypatch):
    from cisr_desk.ui.exports import ExportsScreen

    extractor = fakes.FakeExtractor({"a.pdf": [fakes.form(fakes.clean_values(1))]})
    desk = open_desk(tmp_path, extractor)
    [rid] = desk.import_files([make_pdf(tmp_path / "a.pdf", "a")], "clerk").record_ids
    desk.submit(rid, "clerk")
    if desk.get_record(rid).status != "approved":
        desk.approve(rid, "supervisor")
    ctx = make_ctx(desk, "supervisor", tmp_path)
    screen = ExportsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.activate()
    assert screen.open_button.isEnabled()  # before any export this session, too
    opened = []
    monkeypatch.setattr("cisr_desk.ui.exports.QDesktopServices.openUrl", lambda url: opened.append(url) and False)
    screen.open_folder()
    assert "No workbook has been written to" in screen.message.current() and not opened

    chosen = tmp_path / "to send on"
    chosen.mkdir()
    monkeypatch.setattr("cisr_desk.ui.exports.QFileDialog.getExistingDirectory", lambda *a, **k: str(chosen))
    screen.choose_folder()
    assert str(chosen) in screen.folder_label.text() and ctx.settings.get("export_folder") == str(chosen)
    screen.export_button.click()
    assert screen.last_file is not None and screen.last_file.parent == chosen and screen.last_file.exists()
    screen.open_folder()  # no file manager here: the message says where the workbook is
    assert len(opened) == 1 and f"the workbooks are in {chosen}" in screen.message.current()
    desk.close()
