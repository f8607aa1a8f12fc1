"""Write the weekly batch as an Excel workbook: Authorizations, Summary and Manifest sheets.

Dates are real Excel dates, account numbers text (so Excel neither rounds nor drops a leading
digit), the header frozen with an autofilter. No text is ever a formula: a value that a
spreadsheet would take for one (``=HYPERLINK(...)`` as a customer name) is written as a text
cell with Excel's quote prefix, in every sheet (``text_cell``). Written in openpyxl's write-only mode, which
streams rows and keeps a 10,000-row batch well under the time a clerk waits for.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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
    # approvals that passed a failing rule: (form, approved by, reason), from the audit log
    overrides: tuple[tuple[int, str, str], ...] = ()


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


# What makes a spreadsheet read a typed value as a formula ("CSV injection"): = + - @ and a
# leading tab or carriage return, which some programs strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(ws, value):
    """``value`` as a cell value that is never a formula: plain when it is harmless (styled cells
    cost several times more), else a text cell with the quote prefix Excel itself sets for text
    typed with a leading apostrophe, so editing the cell keeps it text. The value stays exact,
    but for control characters a workbook cannot hold at all (openpyxl would refuse the whole
    export): they become U+FFFD."""
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # openpyxl would make a str starting with "=" a formula
    cell.quotePrefix = True
    return cell


def _append(ws, values) -> None:
    """Append a row, every text made safe (numbers, dates and prepared cells pass as they are)."""
    ws.append([text_cell(ws, v) for v in values])


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
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value or "")))
            cell.data_type = "s"
            cell.number_format = TEXT_FORMAT
            if cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
            return cell
        return account
    if kind in ("date", "datetime"):  # openpyxl gives dates and times a date format of their own
        return lambda value: value
    if kind == "bool":
        return lambda value: "yes" if value else ""
    if kind == "text":
        return lambda value: text_cell(ws, value)
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
        _append(ws, [drp, names[drp], counts["authorize"], counts["revoke"], sum(counts.values())])
    ws.append([])
    ws.append(_header(ws, ("Request type", "", "rows", "forms")))
    kinds = Counter(r.request_type for r in rows)
    forms = {k: len({r.record_id for r in rows if r.request_type == k}) for k in kinds}
    for kind in sorted(kinds):
        _append(ws, [kind, "", kinds[kind], forms[kind]])
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
        cell = text_cell(ws, value)
        if fmt:
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = fmt
        _append(ws, [label, cell])
    _append(ws, ["Overrides", len(m.overrides)])
    for record_id, user, reason in m.overrides:  # each approval that passed a failing rule, and why
        _append(ws, [f"Form {record_id}", f"{user}: {reason}"])


def write_workbook(path: Path, rows: list[ExportRow], manifest: Manifest) -> Path:
    """Write the batch to ``path``, a temporary file the caller names (``export.files``) once it is whole."""
    book = Workbook(write_only=True)
    _authorizations(book, rows)
    _summary(book, rows)
    _manifest(book, manifest)
    book.save(path)
    return Path(path)
