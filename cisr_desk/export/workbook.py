"""Write the weekly batch as an Excel workbook: Authorizations, Summary and Manifest sheets.

Dates are real Excel dates, account numbers text (so Excel neither rounds nor drops a leading
digit), the header frozen with an autofilter. Written in openpyxl's write-only mode, which
streams rows and keeps a 10,000-row batch well under the time a clerk waits for.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from cisr_desk.export.rows import ExportRow, period_label

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"

# (header, attribute, width, kind); the order is the column order of the Authorizations sheet.
COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("Form ID", "record_id", 9, "int"),
    ("Request type", "request_type", 12, "text"),
    ("Customer", "customer", 30, "text"),
    ("Customer account", "customer_account", 16, "account"),
    ("Service account", "service_account", 16, "account"),
    ("Service address", "service_address", 34, "text"),
    ("DRP ID", "drp", 10, "text"),
    ("DRP legal name", "drp_legal_name", 36, "text"),
    ("Data categories", "data_categories", 44, "text"),
    ("Term start", "term_start", 12, "date"),
    ("Term end", "term_end", 12, "date"),
    ("Until revoked", "until_revoked", 13, "bool"),
    ("Signature date", "signature_date", 14, "date"),
    ("Received date", "received", 14, "date"),
    ("Clerk", "clerk", 14, "text"),
    ("Approver", "approver", 14, "text"),
    ("Approval time", "approved_at", 17, "datetime"),
)
HEADERS = tuple(c[0] for c in COLUMNS)


@dataclass(frozen=True)
class Manifest:
    batch_id: int
    period_start: dt.date
    period_end: dt.date
    created_by: str
    created_at: dt.datetime  # local time
    records: int
    rows: int
    rows_hash: str


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


def _header(ws, titles) -> list:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    return cells


def _converter(ws, kind: str):
    """How a column's value becomes a cell value. Plain values wherever openpyxl does the right
    thing by itself (a date gets a date format), a styled cell only where it does not: styled
    cells cost several times more, and a batch has 170,000 cells."""
    if kind == "account":
        def account(value):
            cell = WriteOnlyCell(ws, value=str(value or ""))
            cell.number_format = TEXT_FORMAT
            return cell
        return account
    if kind in ("date", "datetime"):  # openpyxl gives dates and times a date format of their own
        return lambda value: value
    if kind == "bool":
        return lambda value: "yes" if value else ""
    return lambda value: value


def _widths(ws, widths) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _authorizations(book: Workbook, rows: list[ExportRow]) -> None:
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet("Authorizations")
    _widths(ws, [c[2] for c in COLUMNS])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
    ws.append(_header(ws, HEADERS))
    columns = [(attr, _converter(ws, kind)) for _, attr, _, kind in COLUMNS]
    for row in rows:
        ws.append([convert(getattr(row, attr)) for attr, convert in columns])


def _summary(book: Workbook, rows: list[ExportRow]) -> None:
    ws = book.create_sheet("Summary")
    _widths(ws, (14, 40, 12, 12, 10))
    ws.freeze_panes = "A2"
    ws.append(_header(ws, ("DRP ID", "DRP legal name", "authorize", "revoke", "total")))
    by_drp: dict[str, Counter] = {}
    names: dict[str, str] = {}
    for row in rows:
        by_drp.setdefault(row.drp, Counter())[row.request_type] += 1
        names.setdefault(row.drp, row.drp_legal_name)
    for drp in sorted(by_drp):
        counts = by_drp[drp]
        ws.append([drp, names[drp], counts["authorize"], counts["revoke"], sum(counts.values())])
    ws.append([])
    ws.append(_header(ws, ("Request type", "", "rows", "forms")))
    kinds = Counter(r.request_type for r in rows)
    forms = {k: len({r.record_id for r in rows if r.request_type == k}) for k in kinds}
    for kind in sorted(kinds):
        ws.append([kind, "", kinds[kind], forms[kind]])
    ws.append(["total", "", len(rows), len({r.record_id for r in rows})])


def _manifest(book: Workbook, m: Manifest) -> None:
    ws = book.create_sheet("Manifest")
    _widths(ws, (16, 70))
    ws.append(_header(ws, ("Item", "Value")))
    items = (
        ("Batch ID", m.batch_id, None),
        ("Period", period_label(m.period_start, m.period_end), None),
        ("Period start", m.period_start, DATE_FORMAT),
        ("Period end", m.period_end, DATE_FORMAT),
        ("Created by", m.created_by, None),
        ("Created at", m.created_at.replace(tzinfo=None), DATETIME_FORMAT),
        ("Forms", m.records, None),
        ("Row count", m.rows, None),
        ("Rows SHA-256", m.rows_hash, None),
    )
    for label, value, fmt in items:
        cell = WriteOnlyCell(ws, value=value)
        if fmt:
            cell.number_format = fmt
        ws.append([label, cell])


def write_workbook(path: Path, rows: list[ExportRow], manifest: Manifest) -> Path:
    """Write the batch to ``path`` (through a temporary file, so a failure leaves no half workbook)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    _authorizations(book, rows)
    _summary(book, rows)
    _manifest(book, manifest)
    tmp = path.with_name(f".{path.name}.part")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
