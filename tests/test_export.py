"""The weekly Excel export, read back with openpyxl: sheets, types, never twice, identical re-export."""
from __future__ import annotations

import datetime as dt
import errno
import os
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.orm import Session

from cisr_desk.domain.errors import InvalidValue, NotFound, OutputFileError
from cisr_desk.export.rows import ExportRow, rows_hash, week_period
from cisr_desk.export.workbook import HEADERS
from cisr_desk.store import fakes
from cisr_desk.store.service import Desk
from users_support import add_users

WEEK = week_period("2026-W48")  # the fixed clock approves on 2026-11-25


def approved(desk, tmp_path, extractor, n, **kw) -> int:
    name = f"{n}-{len(extractor.calls)}.pdf"
    extractor.results[name] = [fakes.form(fakes.clean_values(n, **kw))]
    (tmp_path / name).write_bytes(b"%PDF " + name.encode())
    [rid] = desk.import_files([tmp_path / name], "ann", received=dt.date(2026, 11, 20)).record_ids
    assert desk.submit(rid, "ann").status == "approved"
    return rid


def sheet_rows(path, name):
    book = load_workbook(path)
    return book, list(book[name].iter_rows(values_only=True))


def test_week_parsing():
    assert WEEK == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    with pytest.raises(InvalidValue):
        week_period("2026-48")
    with pytest.raises(InvalidValue):
        week_period("2026-W54")


def test_the_workbook_has_typed_rows_a_summary_and_a_manifest(desk, tmp_path, extractor):
    first = approved(desk, tmp_path, extractor, 1, accounts=2)
    second = approved(desk, tmp_path, extractor, 2, drp="DRP0933", drp_name="GridNow")
    out = tmp_path / "week.xlsx"
    info = desk.export_period(*WEEK, "sue", out)
    assert (info.records, info.rows, info.created_by) == (2, 3, "sue")
    book, rows = sheet_rows(out, "Authorizations")
    assert book.sheetnames == ["Authorizations", "Summary", "Manifest"]
    assert rows[0] == HEADERS and len(rows) == 4
    ws = book["Authorizations"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:Q4"
    assert ws.column_dimensions["C"].width >= 20
    row = dict(zip(HEADERS, rows[1]))
    values = fakes.clean_values(1, accounts=2)
    assert row["Form ID"] == first and row["Request type"] == "authorize"
    assert row["Customer account"] == values["customer_account"] and isinstance(row["Service account"], str)
    assert ws["D2"].number_format == "@" and ws["E2"].data_type == "s"
    assert row["DRP legal name"] == "Coastal Energy Partners Corporation"
    assert row["Term start"] == dt.datetime(2026, 11, 12) and ws["J2"].is_date
    assert row["Signature date"] == dt.datetime(2026, 11, 2) and row["Received date"] == dt.datetime(2026, 11, 20)
    assert row["Until revoked"] == "yes" and row["Term end"] is None
    assert row["Clerk"] == "ann" and row["Approver"] == "policy" and isinstance(row["Approval time"], dt.datetime)
    assert "interval usage data" in row["Data categories"]
    assert [r[0] for r in rows[1:]] == [first, first, second]
    _, summary = sheet_rows(out, "Summary")
    assert ("DRP0933", "Big Bear Grid Services L.P.", 1, 0, 1) in summary
    assert ("DRP1791", "Coastal Energy Partners Corporation", 2, 0, 2) in summary
    assert ("authorize", None, 3, 2) == summary[-2][:4]
    _, manifest = sheet_rows(out, "Manifest")
    items = dict(manifest[1:])
    assert items["Batch ID"] == info.id and items["Period"] == "2026-W48" and items["Row count"] == 3
    assert items["Created by"] == "sue" and items["Rows SHA-256"] == info.rows_hash
    assert items["Period start"] == dt.datetime(2026, 11, 23)


def test_records_are_marked_exported_and_never_exported_twice(desk, tmp_path, extractor):
    rid = approved(desk, tmp_path, extractor, 1)
    info = desk.export_period(*WEEK, "sue", tmp_path / "a.xlsx")
    rec = desk.get_record(rid)
    assert rec.status == "exported" and rec.export_batch == info.id
    assert rec.history[-1].action == "export" and f"batch {info.id}" in rec.history[-1].reason
    assert desk.preview_export(*WEEK) == []
    assert desk.export_period(*WEEK, "sue", tmp_path / "b.xlsx") is None
    assert not (tmp_path / "b.xlsx").exists()
    later = approved(desk, tmp_path, extractor, 2)
    info2 = desk.export_period(*WEEK, "sue", tmp_path / "c.xlsx")
    assert info2.id != info.id and info2.records == 1
    _, rows = sheet_rows(tmp_path / "c.xlsx", "Authorizations")
    assert [r[0] for r in rows[1:]] == [later]
    assert [b.id for b in desk.export_batches()] == [info.id, info2.id]


def test_only_the_period_and_only_approved_records(desk, tmp_path, extractor, clock):
    approved(desk, tmp_path, extractor, 1)
    clock.advance(days=7)  # next week
    nxt = approved(desk, tmp_path, extractor, 2)
    assert [r.record_id for r in desk.preview_export(*week_period("2026-W49"))] == [nxt]
    assert len(desk.preview_export(*WEEK)) == 1


def test_an_empty_week_writes_nothing(desk, tmp_path):
    assert desk.export_period(*WEEK, "sue", tmp_path / "empty.xlsx") is None
    assert not (tmp_path / "empty.xlsx").exists() and desk.export_batches() == []


def test_reexport_reproduces_the_same_rows(desk, tmp_path, extractor, clock):
    approved(desk, tmp_path, extractor, 1, accounts=3)
    approved(desk, tmp_path, extractor, 2, revoke=False)
    info = desk.export_period(*WEEK, "sue", tmp_path / "first.xlsx")
    clock.advance(days=30)
    desk.import_registry(fakes.write_registry_csv(tmp_path / "r2.csv", fakes.demo_registry_rows()[1:]), "sue")
    again = desk.reexport(info.id, "sue", tmp_path / "again.xlsx")
    assert again.rows_hash == info.rows_hash
    for sheet in ("Authorizations", "Summary", "Manifest"):
        assert sheet_rows(tmp_path / "first.xlsx", sheet)[1] == sheet_rows(tmp_path / "again.xlsx", sheet)[1]
    with pytest.raises(NotFound):
        desk.reexport(99, "sue", tmp_path / "x.xlsx")


def test_revoke_forms_are_exported_as_revocations(desk, tmp_path, extractor):
    approved(desk, tmp_path, extractor, 1)
    rid = approved(desk, tmp_path, extractor, 1, revoke=True)
    rows = [r for r in desk.preview_export(*WEEK) if r.record_id == rid]
    assert [r.request_type for r in rows] == ["revoke"] and not rows[0].until_revoked


def test_row_hash_is_stable_and_rows_round_trip():
    row = ExportRow(1, "authorize", "C", "2000000001", "3000000001", "1 Rd", "DRP1791", "X", "billing data",
                    dt.date(2026, 1, 1), None, True, dt.date(2025, 12, 1), None, "ann", "sue",
                    dt.datetime(2026, 1, 2, 3, 4, 5))
    assert ExportRow.from_json(row.to_json()) == row
    assert rows_hash([row]) == rows_hash([ExportRow.from_json(row.to_json())])


# -- exports that cannot lose or corrupt -------------------------------------------------------------
def statuses(desk, ids) -> set[str]:
    return {desk.get_record(rid).status for rid in ids}


def test_a_folder_gets_the_batch_named_workbook_and_a_second_batch_never_replaces_the_first(desk, tmp_path, extractor):
    folder = tmp_path / "out"
    folder.mkdir()
    first = approved(desk, tmp_path, extractor, 1)
    info = desk.export_period(*WEEK, "sue", folder)
    assert Path(info.path) == folder / f"authorizations-2026-W48-batch-{info.id}.xlsx"
    before = Path(info.path).read_bytes()
    second = approved(desk, tmp_path, extractor, 2)
    info2 = desk.export_period(*WEEK, "sue", folder)
    assert Path(info2.path) == folder / f"authorizations-2026-W48-batch-{info2.id}.xlsx" != Path(info.path)
    assert Path(info.path).read_bytes() == before
    assert [r[0] for r in sheet_rows(info.path, "Authorizations")[1][1:]] == [first]
    assert [r[0] for r in sheet_rows(info2.path, "Authorizations")[1][1:]] == [second]
    assert [b.path for b in desk.export_batches()] == [info.path, info2.path]
    assert sorted(p.name for p in folder.iterdir()) == sorted([Path(info.path).name, Path(info2.path).name])


def test_a_new_name_without_a_suffix_is_a_folder(desk, tmp_path, extractor, monkeypatch):
    monkeypatch.chdir(tmp_path)
    approved(desk, tmp_path, extractor, 1)
    info = desk.export_period(*WEEK, "sue", "weekly")
    assert Path(info.path) == tmp_path / "weekly" / f"authorizations-2026-W48-batch-{info.id}.xlsx"
    assert Path(info.path).is_file()


def test_a_taken_default_name_gets_a_free_variant(desk, tmp_path, extractor):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "authorizations-2026-W48-batch-1.xlsx").write_text("a stray workbook, or the user's own file")
    approved(desk, tmp_path, extractor, 1)
    info = desk.export_period(*WEEK, "sue", f"{folder}/")
    assert Path(info.path).name == "authorizations-2026-W48-batch-1 (2).xlsx"
    assert (folder / "authorizations-2026-W48-batch-1.xlsx").read_text().startswith("a stray")


def test_an_existing_file_is_refused_and_nothing_is_marked(desk, tmp_path, extractor):
    rid = approved(desk, tmp_path, extractor, 1)
    out = tmp_path / "week.xlsx"
    out.write_text("last week's workbook")
    with pytest.raises(OutputFileError, match="already exists"):
        desk.export_period(*WEEK, "sue", out)
    assert out.read_text() == "last week's workbook"
    assert statuses(desk, [rid]) == {"approved"} and desk.export_batches() == []


@pytest.mark.parametrize("out", ["", "  ", "a-file.txt/week.xlsx", "week.csv"])
def test_an_unusable_out_is_a_clear_error_and_nothing_is_marked(desk, tmp_path, extractor, out, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("x")
    rid = approved(desk, tmp_path, extractor, 1)
    with pytest.raises(OutputFileError):
        desk.export_period(*WEEK, "sue", out)
    assert statuses(desk, [rid]) == {"approved"} and desk.export_batches() == []
    assert not list(tmp_path.rglob("*.xlsx")) and not list(tmp_path.rglob("*.part"))


def test_a_workbook_that_cannot_be_written_marks_nothing_and_leaves_no_file(desk, tmp_path, extractor, monkeypatch):
    from cisr_desk.store import exporting

    def full_disk(path, rows, manifest):
        Path(path).write_bytes(b"PK half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exporting, "write_workbook", full_disk)
    rid = approved(desk, tmp_path, extractor, 1)
    folder = tmp_path / "out"
    with pytest.raises(OutputFileError, match="No space left"):
        desk.export_period(*WEEK, "sue", f"{folder}/")
    assert statuses(desk, [rid]) == {"approved"} and desk.export_batches() == []
    assert list(folder.iterdir()) == []


def test_a_failed_commit_removes_the_workbook_and_marks_nothing(desk, tmp_path, extractor):
    rid = approved(desk, tmp_path, extractor, 1)
    folder = tmp_path / "out"
    folder.mkdir()
    seen = []

    def refuse(session):
        seen.extend(folder.iterdir())  # the workbook is already in place when the commit starts
        raise RuntimeError("the database went away")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            desk.export_period(*WEEK, "sue", folder)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert [p.name for p in seen] == ["authorizations-2026-W48-batch-1.xlsx"]
    assert list(folder.iterdir()) == []
    assert statuses(desk, [rid]) == {"approved"} and desk.export_batches() == []
    info = desk.export_period(*WEEK, "sue", folder)  # and the next export takes them
    assert info.records == 1 and Path(info.path).exists()


def test_reexport_never_replaces_a_file(desk, tmp_path, extractor):
    approved(desk, tmp_path, extractor, 1)
    folder = tmp_path / "out"
    folder.mkdir()
    info = desk.export_period(*WEEK, "sue", folder)
    again = desk.reexport(info.id, "sue", folder)
    assert Path(again.path).name == f"authorizations-2026-W48-batch-{info.id} (2).xlsx"
    with pytest.raises(OutputFileError, match="already exists"):
        desk.reexport(info.id, "sue", info.path)
    for sheet in ("Authorizations", "Summary", "Manifest"):
        assert sheet_rows(info.path, sheet)[1] == sheet_rows(again.path, sheet)[1]


DANGEROUS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1+1", "=cmd|' /C calc'!A0"]


def test_an_export_removes_the_temporary_files_killed_exports_left_and_nothing_else(desk, tmp_path, extractor):
    approved(desk, tmp_path, extractor, 1)
    approved(desk, tmp_path, extractor, 2)
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere.txt").write_text("a link's target")
    old = time.time() - 2 * 60 * 60  # two hours ago: a process that died
    left = [".authorizations.0123456789ab.part", ".week 48.xlsx.0123456789ab.part", ".W48.XLSX.abcdef012345.part"]
    kept = [".authorizations.fedcba987654.part",  # written a minute ago: another seat's export under way
            "notes.part", ".authorizations.part", "authorizations.0123456789ab.part", ".memo.docx.0123456789ab.part",
            ".authorizations.0123456789ab.part.bak", "authorizations-2026-W47-batch-1.xlsx",
            ".authorizations.aaaaaaaaaaaa.part",  # a folder named like one
            ".authorizations.bbbbbbbbbbbb.part",  # a link named like one
            "sub/.authorizations.0123456789ab.part"]  # not in the export's folder
    for name in left + kept[:-3]:
        (folder / name).write_bytes(b"PK partial")
    (folder / ".authorizations.aaaaaaaaaaaa.part").mkdir()
    (folder / ".authorizations.bbbbbbbbbbbb.part").symlink_to(tmp_path / "elsewhere.txt")
    (folder / "sub/.authorizations.0123456789ab.part").write_bytes(b"PK partial")
    for name in left + kept[1:]:
        os.utime(folder / name, (old, old), follow_symlinks=False)
    os.utime(folder / kept[0], (time.time() - 60, time.time() - 60))

    first = desk.export_period(*WEEK, "sue", folder)
    assert first.records == 2
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*")} - {"sub"}
    assert on_disk == set(kept) | {Path(first.path).name}
    assert (tmp_path / "elsewhere.txt").read_text() == "a link's target"
    os.utime(folder / kept[0], (old, old))  # an hour on, that one was left too: a re-export cleans it up
    again = desk.reexport(first.id, "sue", folder)
    assert not (folder / kept[0]).exists() and Path(again.path).exists() and (folder / kept[1]).exists()


def test_no_text_is_ever_written_as_a_formula(tmp_path, extractor, clock):
    desk = Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}", clock=clock, extractor=extractor)
    add_users(desk, ("=HYPERLINK(\"http://x\",\"clerk\")", "clerk"), ("@boss", "supervisor"), ("-2", "supervisor"))
    registry = fakes.demo_registry_rows()
    registry[0]["legal_name"] = "@SUM(A1)"
    desk.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv", registry), "@boss")
    for n, name in enumerate(DANGEROUS + ["\rcarriage", "Plain Name"], start=1):
        values = fakes.clean_values(n)
        values["customer_name"] = name
        values["sa1_address"] = "-5 Minus Street"
        file = tmp_path / f"{n}.pdf"
        extractor.results[file.name] = [fakes.form(values)]
        file.write_bytes(b"%PDF " + file.name.encode())
        [rid] = desk.import_files([file], "=HYPERLINK(\"http://x\",\"clerk\")", received=dt.date(2026, 11, 20)).record_ids
        desk.submit(rid, "=HYPERLINK(\"http://x\",\"clerk\")")
        if desk.get_record(rid).status != "approved":  # the registry's odd name does not match the form's
            desk.approve(rid, "@boss", override="DRP_CONFIRMED", note="=HYPERLINK(\"http://x\",\"why\")")
    info = desk.export_period(*WEEK, "-2", tmp_path / "week.xlsx")
    desk.close()

    with zipfile.ZipFile(tmp_path / "week.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 3
        for name in sheets:
            assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()
    book = load_workbook(tmp_path / "week.xlsx")
    ws = book["Authorizations"]
    by_header = [dict(zip(HEADERS, (c for c in row))) for row in ws.iter_rows(min_row=2)]
    customers = [r["Customer"].value for r in by_header]
    assert customers[:len(DANGEROUS)] == DANGEROUS  # exact, tab included
    assert customers[-2] == "\ncarriage"  # XML turns a carriage return into a line feed; still text
    for r in by_header:
        for header in ("Customer", "Service address", "DRP legal name", "Clerk"):
            cell = r[header]
            assert cell.data_type == "s"
            assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
        assert r["DRP legal name"].value in ("@SUM(A1)", "Big Bear Grid Services L.P.")
        assert r["Clerk"].value == "=HYPERLINK(\"http://x\",\"clerk\")"
        assert isinstance(r["Form ID"].value, int) and r["Term start"].is_date
        assert isinstance(r["Approval time"].value, dt.datetime)
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert ("DRP1791", "@SUM(A1)", len(DANGEROUS) + 2, 0, len(DANGEROUS) + 2) in summary
    manifest = dict(list(book["Manifest"].iter_rows(values_only=True))[1:])
    assert manifest["Created by"] == "-2" and manifest["Batch ID"] == info.id
    assert isinstance(manifest["Row count"], int) and isinstance(manifest["Period start"], dt.datetime)
    assert book["Manifest"]["B6"].quotePrefix


def test_control_characters_a_workbook_cannot_hold_do_not_stop_the_export(desk, tmp_path, extractor):
    rid = approved(desk, tmp_path, extractor, 1)
    values = fakes.clean_values(2)
    values["customer_name"] = "Bell\x07 Company"
    extractor.results["bell.pdf"] = [fakes.form(values)]
    (tmp_path / "bell.pdf").write_bytes(b"%PDF bell")
    [bell] = desk.import_files([tmp_path / "bell.pdf"], "ann").record_ids
    desk.submit(bell, "ann")
    info = desk.export_period(*WEEK, "sue", tmp_path / "w.xlsx")
    rows = sheet_rows(info.path, "Authorizations")[1][1:]
    assert [(r[0], r[2]) for r in rows] == [(rid, "Customer 000001"), (bell, "Bell\ufffd Company")]


def test_a_commit_whose_answer_was_lost_keeps_the_workbook_of_its_batch(desk, tmp_path, extractor):
    rid = approved(desk, tmp_path, extractor, 1)
    folder = tmp_path / "out"

    def lost_answer(session):  # the batch did commit; only the answer did not arrive
        raise ConnectionError("server closed the connection unexpectedly")

    event.listen(Session, "after_commit", lost_answer)
    try:
        with pytest.raises(ConnectionError):
            desk.export_period(*WEEK, "sue", f"{folder}/")
    finally:
        event.remove(Session, "after_commit", lost_answer)
    [batch] = desk.export_batches()
    assert Path(batch.path).is_file() and desk.get_record(rid).status == "exported"
