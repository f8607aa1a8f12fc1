"""Review: the queue as a table with filters; Enter opens a record in the editor, PgUp/PgDn
move between records of the filtered queue, Esc goes back to the list."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.models import RecordQueueModel
from cisr_desk.ui.record_editor import RecordEditor
from cisr_desk.ui.widgets import MessageBar, heading

# The queue filters a clerk chooses from: label -> statuses (None: every record).
QUEUE_FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("To review", ("imported", "in_review")),
    ("Flagged", ("flagged",)),
    ("Awaiting approval", ("submitted",)),
    ("Approved", ("approved",)),
    ("Rejected", ("rejected",)),
    ("Exported", ("exported",)),
    ("All records", None),
]


def make_queue_table(model) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in ((0, 56), (1, 150), (2, 96), (3, 230), (4, 90), (5, 84), (6, 64), (7, 150)):  # whole at 1280x720
        table.setColumnWidth(col, width)
    return table


class ReviewScreen(QWidget):
    title = "Review"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = RecordQueueModel(ctx.desk, self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_queue())
        self.editor = RecordEditor(ctx)
        self.editor.back_requested.connect(self.show_queue)
        self.editor.move_requested.connect(self.move)
        self.editor.record_done.connect(self._record_done)
        self.stack.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addWidget(self.stack)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.refresh)
        ctx.events.open_record.connect(self.open_record)
        ctx.events.records_changed.connect(self._records_changed)

    def _build_queue(self) -> QWidget:
        page = QWidget()
        self.filter = QComboBox()
        for label, statuses in QUEUE_FILTERS:
            self.filter.addItem(label, statuses)
        self.filter.setToolTip("Which records to list")
        self.filter.currentIndexChanged.connect(self.refresh)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search customer, account, DRP…  (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.installEventFilter(self)  # Down goes from the search box to the results
        self.count = QLabel()
        self.count.setObjectName("screenSub")
        self.table = make_queue_table(self.model)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.message = MessageBar()
        bar = QHBoxLayout()
        bar.addWidget(heading("Review queue"))
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.filter)
        bar.addWidget(self.search, 1)
        hint = QLabel("Enter opens a record · PgUp/PgDn move between records · Esc returns here")
        hint.setObjectName("hint")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        return page

    # --- queue -----------------------------------------------------------------------------
    def activate(self) -> None:
        if self.stack.currentIndex() == 0:
            self.refresh()

    def focus_target(self):
        """Where the keyboard goes when this screen is chosen: the queue, so Enter opens a record."""
        return self.table if self.stack.currentIndex() == 0 else None

    def _records_changed(self) -> None:
        """An import or a decision elsewhere: a visible queue shows it at once."""
        if self.isVisible() and self.stack.currentIndex() == 0:
            self.refresh()

    def refresh(self) -> None:
        current = self._selected_id()
        try:
            self.model.set_filter(self.filter.currentData(), self.search.text().strip())
        except DeskError as exc:
            self.message.show_error(exc)
            return
        n = self.model.rowCount()
        words = self.search.text().strip()
        # An empty table said nothing: say that the search found nothing, not that the queue is empty.
        self.count.setText(f"no record matches “{words}”" if words and not n else f"{n} record{'s' if n != 1 else ''}")
        row = self.model.row_of(current) if current is not None else -1
        if n:
            self.table.selectRow(row if row >= 0 else 0)

    def _selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.record_id(rows[0].row()) if rows else None

    def focus_search(self) -> None:
        self.show_queue()
        self.search.setFocus()
        self.search.selectAll()

    def show_queue(self) -> None:
        if self.stack.currentIndex() == 1:
            if not self.editor.flush_edits():
                return
            self.editor.leave()
        self.stack.setCurrentIndex(0)
        self.refresh()
        self.table.setFocus()

    def close_record(self) -> None:
        """The user signed in is gone (an administrator disabled them): the record they had open
        is put away unsaved, and whoever signs in next starts at the queue, not inside it."""
        self.editor.discard()
        self.stack.setCurrentIndex(0)

    # --- records ---------------------------------------------------------------------------
    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_record(self.model.record_id(row))

    def open_record(self, record_id: int) -> None:
        row = self.model.row_of(record_id)
        if row >= 0:
            self.table.selectRow(row)
        self.stack.setCurrentIndex(1)
        self.editor.open(record_id)

    def current_record_id(self) -> int | None:
        return self.editor.record.id if self.stack.currentIndex() == 1 and self.editor.record else None

    def move(self, delta: int) -> None:
        ids = self.model.ids()
        current = self.current_record_id()
        if not ids or current is None or not self.editor.flush_edits():
            return
        pos = ids.index(current) if current in ids else -1
        target = pos + delta
        if 0 <= target < len(ids):
            self.open_record(ids[target])
        else:
            self.editor.message.show_message("No more records in this queue.", "info", 2500)

    def _record_done(self, record_id: int) -> None:
        """After submit or flag: on to the next record of the queue as it was, else the list."""
        before = self.model.ids()
        pos = before.index(record_id) if record_id in before else -1
        self.model.refresh()
        after = set(self.model.ids())
        for rid in before[pos + 1:] + before[:max(pos, 0)]:
            if rid in after and rid != record_id:
                self.open_record(rid)
                return
        self.show_queue()
        words = self.search.text().strip()
        if words and self.ctx.desk.count_records(self.filter.currentData()):
            self.ctx.events.status_message.emit(f"Nothing else matches “{words}” — clear the search for the rest "
                                                "of the queue")
        else:
            self.ctx.events.status_message.emit("Queue done — nothing left to review")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.search and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down \
                and self.model.rowCount():
            self.table.setFocus()
            if not self.table.selectionModel().selectedRows():
                self.table.selectRow(0)
            return True
        return super().eventFilter(obj, event)
