"""Table models over the Desk, tested without widgets (Anki/Vorta style).

``RecordQueueModel`` holds only record ids and fetches the visible rows a page at a time, so a
queue of thousands opens at once. Column numbers are ``COL_*`` constants; custom roles carry
the id and the status for views and delegates.
"""
from __future__ import annotations

from dataclasses import fields as dc_fields, is_dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from cisr_desk.domain.fields import FieldType, display

RecordIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3

# How a status reads and looks in every list; unknown statuses fall back to their own name.
STATUS_LOOK: dict[str, tuple[str, str]] = {
    "imported": ("New", "#b45309"),
    "in_review": ("In review", "#b45309"),
    "review": ("In review", "#b45309"),
    "flagged": ("Flagged", "#b91c1c"),
    "submitted": ("Sampled for approval", "#7c3aed"),
    "approved": ("Approved", "#15803d"),
    "rejected": ("Rejected", "#6b7280"),
    "exported": ("Exported", "#0f766e"),
}


def status_value(status) -> str:
    """Statuses may arrive as the workflow's str-Enum or as plain text."""
    return str(getattr(status, "value", status) or "")


def status_label(status) -> str:
    status = status_value(status)
    return STATUS_LOOK.get(status, (status.replace("_", " ").capitalize(), ""))[0]


def status_colour(status) -> QColor | None:
    colour = STATUS_LOOK.get(status_value(status), ("", ""))[1]
    return QColor(colour) if colour else None


def count(value: Any) -> int:
    """Issues and doubtful fields arrive as a count or as a list of them."""
    if value is None:
        return 0
    return value if isinstance(value, int) else len(value)


def _role(role: int) -> Qt.ItemDataRole:
    return Qt.ItemDataRole(role) if isinstance(role, int) else role


class RecordQueueModel(QAbstractTableModel):
    COL_ID, COL_STATUS, COL_RECEIVED, COL_CUSTOMER, COL_DRP, COL_DOUBTFUL, COL_ISSUES, COL_SOURCE, COL_HOLDER = range(9)
    HEADERS = ("No.", "Status", "Received", "Customer", "DRP", "In doubt", "Issues", "Scan", "Held by")
    PAGE = 100

    def __init__(self, desk, parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.status: str | Sequence[str] | None = None  # one status, several, or None for all
        self.search = ""
        self._ids: list[int] = []
        self._rows: dict[int, Any] = {}  # id -> RecordRow, filled a page at a time
        self._pages_loaded: set[int] = set()

    # --- filtering -------------------------------------------------------------------------
    def set_filter(self, status: str | Sequence[str] | None = None, search: str = "") -> None:
        self.status, self.search = status, search
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._ids = self._fetch_ids()
        self._rows.clear()
        self._pages_loaded.clear()
        self.endResetModel()

    def _fetch_ids(self) -> list[int]:
        return list(self.desk.record_ids(status=self.status, search=self.search))

    def _load_page_of(self, row: int) -> None:
        page = row // self.PAGE
        if page in self._pages_loaded:
            return
        self._pages_loaded.add(page)
        for rec in self.desk.list_records(status=self.status, search=self.search,
                                          offset=page * self.PAGE, limit=self.PAGE):
            self._rows[rec.id] = rec

    # --- lookups ---------------------------------------------------------------------------
    def record_id(self, row: int) -> int:
        return self._ids[row]

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, record_id: int) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def row_data(self, row: int):
        rid = self._ids[row]
        if rid not in self._rows:
            self._load_page_of(row)
        return self._rows.get(rid)

    def update_record(self, record_id: int) -> None:
        """One record changed (edited, submitted): drop its cached row and repaint it."""
        row = self.row_of(record_id)
        if row < 0:
            return
        self._rows.pop(record_id, None)
        self._pages_loaded.discard(row // self.PAGE)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # --- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            # over its values: counts to the right, words to the left (centred, a header sat apart)
            right = section in (self.COL_ID, self.COL_DOUBTFUL, self.COL_ISSUES)
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        role = _role(role)
        rec = self.row_data(index.row())
        if rec is None:
            return None
        col = index.column()
        if role == RecordIdRole:
            return rec.id
        if role == StatusRole:
            return status_value(rec.status)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rec, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_STATUS:
                colour = status_colour(rec.status)
                return QBrush(colour) if colour else None
            if col in (self.COL_DOUBTFUL, self.COL_ISSUES):
                n = count(rec.doubtful if col == self.COL_DOUBTFUL else rec.issues)
                return QBrush(QColor("#b45309" if col == self.COL_DOUBTFUL else "#b91c1c")) if n else QBrush(QColor("#9ca3af"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_ID, self.COL_DOUBTFUL, self.COL_ISSUES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_SOURCE:
            return str(rec.source)
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_CUSTOMER, self.COL_DRP):
            return self.data(index)  # whole where the column cuts it ("PRIYA …" in the supervisor's list)
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_HOLDER, self.COL_STATUS) and self._holder(rec):
            since = getattr(rec, "held_since", None)
            when = f" since {since.astimezone():%Y-%m-%d %H:%M}" if hasattr(since, "astimezone") else ""
            return f"Held by {self._holder(rec)}{when}: others can look but not change it"
        return None

    @staticmethod
    def _holder(rec) -> str:
        return getattr(rec, "holder", "") or ""

    def _display(self, rec, col: int) -> str:
        if col == self.COL_ID:
            return str(rec.id)
        if col == self.COL_STATUS:
            return status_label(rec.status) + (" · held" if self._holder(rec) else "")
        if col == self.COL_RECEIVED:
            return display(FieldType.DATE, str(rec.received)) if rec.received else "—"
        if col == self.COL_CUSTOMER:
            return rec.customer or "—"
        if col == self.COL_DRP:
            return rec.drp or "—"
        if col == self.COL_DOUBTFUL:
            return str(count(rec.doubtful))
        if col == self.COL_ISSUES:
            return str(count(rec.issues))
        if col == self.COL_SOURCE:
            source = str(rec.source or "")
            return source.replace("\\", "/").rsplit("/", 1)[-1]
        if col == self.COL_HOLDER:
            return self._holder(rec)
        return ""


class ObjectTableModel(QAbstractTableModel):
    """A read-only table of plain objects (export rows, batches, history, registry changes):
    columns are (header, attribute or function) pairs, so each screen states what it shows."""

    def __init__(self, columns: Sequence[tuple[str, str | Callable[[Any], Any]]], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.colour: Callable[[Any], QColor | None] | None = None

    @classmethod
    def for_dataclass(cls, sample_type, parent=None) -> "ObjectTableModel":
        names = [f.name for f in dc_fields(sample_type)] if is_dataclass(sample_type) else []
        return cls([(n.replace("_", " ").capitalize(), n) for n in names], parent)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def item(self, row: int) -> Any:
        return self.rows[row]

    def value(self, row: int, col: int) -> Any:
        getter = self.columns[col][1]
        obj = self.rows[row]
        if callable(getter):
            return getter(obj)
        if isinstance(obj, dict):
            return obj.get(getter, "")
        return getattr(obj, getter, "")

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)  # over its values, not centred
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        role = _role(role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.value(index.row(), index.column())
            if value is None:
                return ""
            if isinstance(value, (list, tuple, set)):
                return ", ".join(str(v) for v in value)
            return str(value)
        if role == Qt.ItemDataRole.ForegroundRole and self.colour is not None:
            colour = self.colour(self.rows[index.row()])
            return QBrush(colour) if colour else None
        return None


class GroupFieldModel(QAbstractListModel):
    """One field across many records (group verification): ids only, values fetched lazily,
    crops filled in later by whoever renders them (``set_crop``)."""

    ValueRole = Qt.ItemDataRole.UserRole + 10
    DoubtRole = Qt.ItemDataRole.UserRole + 11
    CropRole = Qt.ItemDataRole.UserRole + 12

    def __init__(self, desk, parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.key = ""
        self._ids: list[int] = []
        self._fields: dict[int, Any] = {}
        self._crops: dict[int, Any] = {}

    def set_group(self, key: str, record_ids: Sequence[int]) -> None:
        self.beginResetModel()
        self.key, self._ids = key, list(record_ids)
        self._fields.clear()
        self._crops.clear()
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def record_id(self, row: int) -> int:
        return self._ids[row]

    def field(self, row: int):
        rid = self._ids[row]
        if rid not in self._fields:
            detail = self.desk.get_record(rid)
            self._fields[rid] = next((f for f in detail.fields if f.key == self.key), None)
        return self._fields[rid]

    def forget(self, record_id: int) -> None:
        self._fields.pop(record_id, None)
        if record_id in self._ids:
            row = self._ids.index(record_id)
            self.dataChanged.emit(self.index(row), self.index(row))

    def set_crop(self, record_id: int, image) -> None:
        self._crops[record_id] = image
        if record_id in self._ids:
            row = self._ids.index(record_id)
            self.dataChanged.emit(self.index(row), self.index(row), [self.CropRole])

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        role = _role(role)
        rid = self._ids[index.row()]
        if role == RecordIdRole:
            return rid
        if role == self.CropRole:
            return self._crops.get(rid)
        f = self.field(index.row())
        if f is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, self.ValueRole):
            return field_text(f)
        if role == self.DoubtRole:
            return bool(f.review)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Record {rid}: " + ("; ".join(f.reasons) if f.reasons else f"confidence {f.confidence:.0%}")
        return None


def field_type(f) -> FieldType:
    return f.type if isinstance(f.type, FieldType) else FieldType(str(f.type))


def field_text(f) -> str:
    """A field's value as the clerk reads it."""
    ftype = field_type(f)
    if ftype.is_mark:
        if ftype is FieldType.SIGNATURE:
            return "Signed" if f.value else "Not signed"
        return "☑" if f.value else "☐"
    return display(ftype, str(f.value or ""))
