"""The supervisor's screen at 1280x720: Approve and Reject are not offered on a record the
supervisor entered or edited (four eyes), a field's scan stays in its own cell, and a field the
clerk left in doubt is listed beside the changes."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from cisr_desk.store import fakes
from cisr_desk.ui.main_window import MainWindow
from ui_support import make_ctx, make_pdf, open_desk, show_office_size

NAMES = ("mine", "edited", "doubt", "valley")


@pytest.fixture
def office(tmp_path):
    """Four flagged records: one the supervisor entered (a provider's name that needs an
    override), one they corrected, one the clerk submitted with a field in doubt, one the
    clerk corrected to a long name."""
    mismatch = fakes.clean_values(1)
    mismatch["drp1_name"] = "Some Other Name Entirely"
    extractor = fakes.FakeExtractor({
        "mine.pdf": [fakes.form(mismatch)],
        "edited.pdf": [fakes.form(fakes.clean_values(2), doubtful=["customer_title"])],
        "doubt.pdf": [fakes.form(fakes.clean_values(3), doubtful=["customer_name"])],
        "valley.pdf": [fakes.form(fakes.clean_values(4), doubtful=["mailing_zip"])],
    })
    desk = open_desk(tmp_path, extractor)
    desk.import_files([make_pdf(tmp_path / f"{n}.pdf", n) for n in NAMES], "admin")
    ids = dict(zip(NAMES, desk.record_ids()))
    desk.submit(ids["mine"], "supervisor")
    desk.submit(ids["edited"], "clerk")
    desk.set_field(ids["edited"], "customer_title", "Owner", "supervisor")
    desk.submit(ids["doubt"], "clerk")
    desk.set_field(ids["valley"], "customer_name", "Valley Bakery Inc.", "clerk")
    desk.submit(ids["valley"], "clerk")
    assert {desk.get_record(rid).status for rid in ids.values()} == {"flagged"}
    yield desk, ids, tmp_path
    desk.close()


@pytest.fixture
def screen(office, qtbot, monkeypatch):
    """The supervisor's screen in a 1280x720 window; ``asked`` collects every reason dialog."""
    desk, ids, tmp_path = office
    asked = []
    monkeypatch.setattr("cisr_desk.ui.supervisor.ask_reason", lambda *a, **k: asked.append(a) or None)

    def open_as(user: str):
        window = MainWindow(make_ctx(desk, user, tmp_path))
        show_office_size(qtbot, window)
        window.show_screen("supervisor")
        return window.screens["supervisor"]

    return open_as, desk, ids, asked


def choose(sup, rid: int) -> None:
    sup.table.selectRow(sup.model.row_of(rid))
    assert sup.record.id == rid


def change_rows(sup) -> dict[str, int]:
    return {sup.changes.keys[row]: row for row in range(sup.changes.rowCount())}


@pytest.mark.parametrize("which", ["mine", "edited"])
def test_approve_and_reject_are_not_offered_on_a_record_of_ones_own(screen, which):
    open_as, desk, ids, asked = screen
    sup = open_as("supervisor")
    choose(sup, ids[which])
    for btn, act in ((sup.btn_approve, sup.act_approve), (sup.btn_reject, sup.act_reject)):
        assert not btn.isEnabled() and not act.isEnabled()  # the shortcut does nothing either
        tip = btn.toolTip()
        assert tip.startswith("Four eyes:") and "another supervisor must" in tip and "return it to the clerk" in tip
    assert sup.btn_return.isEnabled() and sup.btn_open.isEnabled()  # what they may still do
    sup.approve()  # (as a stray call would): no override reason asked, nothing decided
    sup.reject()
    assert asked == [] and desk.get_record(ids[which]).status == "flagged"
    assert "four-eyes" in sup.message.current()


def test_another_supervisor_is_offered_both(screen):
    open_as, _, ids, asked = screen
    sup = open_as("boss")
    choose(sup, ids["mine"])
    assert sup.btn_approve.isEnabled() and sup.act_approve.isEnabled() and sup.btn_reject.isEnabled()
    assert "Four eyes" not in sup.btn_approve.toolTip()
    sup.approve()
    assert len(asked) == 1  # the override reason (the provider's name does not match)


def test_leaving_ones_own_record_offers_the_buttons_again(screen):
    open_as, _, ids, _ = screen
    sup = open_as("supervisor")
    choose(sup, ids["mine"])
    choose(sup, ids["doubt"])
    assert sup.btn_approve.isEnabled() and sup.act_approve.isEnabled() and sup.btn_reject.isEnabled()
    assert not sup.btn_approve.toolTip().startswith("Four eyes")


def test_a_scan_stays_inside_its_cell_at_1280x720(screen, qtbot):
    open_as, _, ids, _ = screen
    sup = open_as("supervisor")
    choose(sup, ids["valley"])
    table = sup.changes
    row = change_rows(sup)["customer_name"]
    assert table.item(row, 3).text() == "Valley Bakery Inc."
    crop = table.cellWidget(row, 1)
    qtbot.waitUntil(lambda: not crop.source().isNull())
    QApplication.processEvents()
    left, right = table.columnViewportPosition(1), table.columnViewportPosition(2)
    assert table.columnWidth(1) > 0
    for r in range(table.rowCount()):
        geometry = table.cellWidget(r, 1).geometry()
        assert geometry.width() > 0 and left <= geometry.left() and geometry.right() < right, (r, geometry)
        assert table.cellWidget(r, 1).pixmap().width() <= table.columnWidth(1)


def test_a_field_left_in_doubt_is_listed_with_its_scan(screen, qtbot):
    open_as, desk, ids, _ = screen
    sup = open_as("supervisor")
    choose(sup, ids["doubt"])
    assert "1 field not confirmed" in sup.reason.text()
    rows = change_rows(sup)
    assert list(rows) == ["customer_name"]
    row, table = rows["customer_name"], sup.changes
    assert table.item(row, 0).text() == desk.get_record(ids["doubt"]).field("customer_name").label
    assert table.item(row, 2).text() == table.item(row, 3).text() == "Customer 000003"
    assert table.item(row, 4).text() == "not confirmed"
    assert "not confirmed: hard to read" in table.item(row, 0).toolTip()  # why capture doubted it
    qtbot.waitUntil(lambda: not table.cellWidget(row, 1).source().isNull())
    assert sup.changes.preview.source().cacheKey() == table.cellWidget(row, 1).source().cacheKey()


def test_a_changed_field_still_says_who_changed_it(screen):
    open_as, _, ids, _ = screen
    sup = open_as("boss")
    choose(sup, ids["edited"])
    rows = change_rows(sup)
    assert sup.changes.item(rows["customer_title"], 4).text() == "supervisor"
    assert sup.changes.item(rows["customer_title"], 3).text() == "Owner"
