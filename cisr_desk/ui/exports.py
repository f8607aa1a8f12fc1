"""Exports: pick a week, see what will go out, export it, open the folder; past batches can
be exported again (byte-for-byte the same rows)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDateEdit, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.models import ObjectTableModel
from cisr_desk.ui.widgets import MessageBar, heading, icon, read_only_table


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return str(value or "")


class ExportsScreen(QWidget):
    title = "Exports"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.last_file: Path | None = None
        self.week = QDateEdit(QDate.currentDate())
        self.week.setCalendarPopup(True)
        self.week.setDisplayFormat("MM/dd/yyyy")
        self.week.setToolTip("Any day of the week to export (Monday to Sunday, by approval date)")
        self.week.dateChanged.connect(self.refresh_preview)
        self.period = QLabel()
        self.period.setObjectName("panelTitle")
        self.export_button = QPushButton(icon("export"), "Export week")
        self.export_button.setObjectName("primary")
        self.export_button.clicked.connect(self.export)
        self.open_button = QPushButton(icon("folder"), "Open folder")
        self.open_button.setToolTip("Show the folder the workbooks are written to")
        self.open_button.clicked.connect(self.open_folder)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("screenSub")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QPushButton("Change folder…")
        self.folder_button.setToolTip("Choose where the weekly workbooks are written (kept for next time)")
        self.folder_button.clicked.connect(self.choose_folder)
        self.preview = ObjectTableModel([
            ("Form", "record_id"), ("Request", "request_type"), ("Customer", "customer"),
            ("Service account", "service_account"), ("DRP", "drp"), ("Data", "data_categories"),
            ("Start", lambda r: _date(r.term_start)),
            ("End", lambda r: "until revoked" if r.until_revoked else _date(r.term_end)),
            ("Approved by", "approver")], self)
        self.batches = ObjectTableModel([
            ("Batch", "id"), ("Week", lambda b: f"{_date(b.start)} – {_date(b.end)}"), ("Records", "records"),
            ("Rows", lambda b: getattr(b, "rows", "")), ("By", "created_by"), ("When", lambda b: _date(b.created_at)),
            ("File", "path")], self)
        self.batch_table = read_only_table(self.batches)
        self.reexport_button = QPushButton(icon("export"), "Export again…")
        self.reexport_button.setToolTip("Write the selected batch again, with exactly the rows it had")
        self.reexport_button.clicked.connect(self.reexport)
        self.summary = QLabel()
        self.summary.setObjectName("screenSub")
        self.message = MessageBar()

        bar = QHBoxLayout()
        bar.addWidget(heading("Weekly export"))
        bar.addStretch(1)
        bar.addWidget(QLabel("Week of"))
        bar.addWidget(self.week)
        bar.addWidget(self.export_button)
        bar.addWidget(self.open_button)
        past = QHBoxLayout()
        t = QLabel("Past batches")
        t.setObjectName("panelTitle")
        past.addWidget(t)
        past.addStretch(1)
        past.addWidget(self.reexport_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(bar)
        where = QHBoxLayout()
        where.addWidget(self.folder_label, 1)
        where.addWidget(self.folder_button)
        layout.addWidget(self.message)
        layout.addLayout(where)
        layout.addWidget(self.period)
        layout.addWidget(read_only_table(self.preview), 3)
        layout.addWidget(self.summary)
        layout.addLayout(past)
        layout.addWidget(self.batch_table, 2)

    def activate(self) -> None:
        self.folder_label.setText(f"Workbooks are written to {self.export_dir()}")
        self.refresh_preview()
        self.refresh_batches()

    def period_dates(self) -> tuple[dt.date, dt.date]:
        return week_of(self.week.date().toPython())

    def refresh_preview(self) -> None:
        start, end = self.period_dates()
        self.period.setText(f"Week {start.isocalendar()[1]}: {_date(start)} – {_date(end)}")
        try:
            rows = self.ctx.desk.preview_export(start, end)
        except DeskError as exc:
            self.message.show_error(exc)
            rows = []
        self.preview.set_rows(rows)
        forms = len({r.record_id for r in rows})
        self.summary.setText(f"{len(rows)} row(s) from {forms} approved form(s) will go out" if rows
                             else "Nothing approved and not yet exported in this week.")
        self.export_button.setEnabled(bool(rows))

    def refresh_batches(self) -> None:
        try:
            self.batches.set_rows(sorted(self.ctx.desk.export_batches(), key=lambda b: b.id, reverse=True))
        except DeskError as exc:
            self.message.show_error(exc)

    def export_dir(self) -> Path:
        """The folder chosen for workbooks, else exports in the data folder."""
        chosen = self.ctx.settings.get("export_folder")
        return Path(chosen) if chosen else self.ctx.data_dir / "exports"

    def _folder(self) -> str:
        """Where workbooks go; each takes its batch's own name there (never replacing another file).
        The trailing separator says "a folder", created when missing, not a file named exports."""
        return os.path.join(self.export_dir(), "")

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Write weekly workbooks to", str(self.export_dir()))
        if chosen:
            self.ctx.settings.set("export_folder", chosen)
            self.folder_label.setText(f"Workbooks are written to {self.export_dir()}")

    def export(self) -> None:
        start, end = self.period_dates()
        out = self._folder()
        desk, by = self.ctx.desk, self.ctx.user_name
        self.export_button.setEnabled(False)
        self.ctx.runner.run_task(lambda ctx: desk.export_period(start, end, by, out), self._exported)

    def reexport(self) -> None:
        rows = self.batch_table.selectionModel().selectedRows()
        if not rows:
            self.message.show_message("Select a past batch first.", "info", 4000)
            return
        batch = self.batches.item(rows[0].row())
        out = self._folder()
        desk, by = self.ctx.desk, self.ctx.user_name
        self.ctx.runner.run_task(lambda ctx: desk.reexport(batch.id, by, out), self._exported)

    def _exported(self, result=None, error=None) -> None:
        if error is not None:
            self.message.show_error(error)
            self.refresh_preview()
            return
        if result is None:
            self.message.show_message("Nothing to export for this week.", "info", 5000)
        else:
            self.last_file = Path(result.path)
            self.message.show_message(f"Exported {result.records} form(s) to {self.last_file}", "info")
            self.ctx.events.records_changed.emit()
        self.refresh_preview()
        self.refresh_batches()

    def open_folder(self) -> None:
        """The folder of the last workbook written, else the export folder, in the file manager;
        where none can be started (a bare session), the message says where the files are."""
        folder = self.last_file.parent if self.last_file is not None else self.export_dir()
        if not folder.is_dir():
            self.message.show_message(f"No workbook has been written to {folder} yet.", "info", 6000)
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.message.show_message(f"No file manager could be opened: the workbooks are in {folder}", "warning")
