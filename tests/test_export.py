"""The weekly Excel export, read back with openpyxl: sheets, types, never twice, identical re-export."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from cisr_desk.domain.errors import InvalidValue, NotFound
from cisr_desk.export.rows import ExportRow, rows_hash, week_period
from cisr_desk.export.workbook import HEADERS
from cisr_desk.store import fakes

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
    again = desk.reexport(info.id, tmp_path / "again.xlsx")
    assert again.rows_hash == info.rows_hash
    for sheet in ("Authorizations", "Summary", "Manifest"):
        assert sheet_rows(tmp_path / "first.xlsx", sheet)[1] == sheet_rows(tmp_path / "again.xlsx", sheet)[1]
    with pytest.raises(NotFound):
        desk.reexport(99, tmp_path / "x.xlsx")


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
