"""Registry: the registered DRPs with their status in colour, a search, and import from
CSV/XLSX with a preview of what changes and which open records it affects."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.models import ObjectTableModel
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import MessageBar, heading, icon

STATUS_COLOURS = {"ACTIVE": "#15803d", "SUSPENDED": "#b45309", "WITHDRAWN": "#b91c1c"}


def drp_colour(drp) -> QColor | None:
    colour = STATUS_COLOURS.get(str(getattr(drp, "status", "")).upper())
    return QColor(colour) if colour else None


class RegistryModel(ObjectTableModel):
    COL_ID, COL_NAME, COL_DBA, COL_STATUS, COL_AGREEMENT, COL_CONTACT, COL_PHONE = range(7)

    def __init__(self, parent=None) -> None:
        super().__init__([
            ("Registration no.", "registration_no"), ("Legal name", "legal_name"), ("DBA", "dba_name"),
            ("Status", lambda d: str(d.status).capitalize()),
            ("Service agreement", lambda d: "Yes" if d.sce_service_agreement else "No"),
            ("Contact", "contact_name"), ("Phone", "contact_phone"),
        ], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # The status speaks in colour; a provider that is not active is greyed out as a whole.
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            drp = self.rows[index.row()]
            if index.column() == self.COL_STATUS:
                return drp_colour(drp)
            return None if getattr(drp, "is_active", True) else QColor("#9ca3af")
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == self.COL_STATUS:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class PreviewDialog(QDialog):
    """What an import would change, before it is applied."""

    def __init__(self, path: Path, preview, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import registry")
        self.resize(560, 380)
        layout = QVBoxLayout(self)
        title = QLabel(f"Importing {path.name}")
        title.setObjectName("panelTitle")
        layout.addWidget(title)
        if getattr(preview, "unchanged", False):
            layout.addWidget(QLabel("This file is the same as the current registry: nothing would change."))
        lines = [("Added", preview.added), ("Changed", preview.changed), ("Removed", preview.removed)]
        for label, items in lines:
            text = QLabel(f"<b>{label}:</b> {len(items)}" + (f" — {', '.join(map(str, items[:12]))}"
                                                            + (" …" if len(items) > 12 else "") if items else ""))
            text.setWordWrap(True)
            layout.addWidget(text)
        affected = list(preview.affected_records or [])
        note = QLabel(f"<b>Open records affected:</b> {len(affected)}"
                      + (f" — re-checked after the import: {', '.join(map(str, affected[:20]))}" if affected else ""))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def confirm_import(parent, path: Path, preview) -> bool:
    """Show the preview and ask; tests replace this function."""
    return PreviewDialog(path, preview, parent).exec() == QDialog.DialogCode.Accepted


class RegistryScreen(QWidget):
    title = "Registry"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = RegistryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search registration no., name, DBA, contact…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.import_button = QPushButton(icon("import"), "Import CSV/XLSX…")
        self.import_button.setToolTip("Replace the registry with a new list, after a preview")
        self.import_button.clicked.connect(self.pick_file)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel()
        self.count.setObjectName("screenSub")
        self.message = MessageBar()
        bar = QHBoxLayout()
        bar.addWidget(heading("DRP registry"))
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        ctx.events.registry_changed.connect(self.refresh)

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        try:
            registry = self.ctx.desk.registry()
        except DeskError as exc:
            self.message.show_error(exc)
            return
        drps = list(registry) if registry is not None else []
        self.model.set_rows(drps)
        active = sum(1 for d in drps if getattr(d, "is_active", False))
        self.count.setText(f"{len(drps)} providers · {active} active" if drps else "No registry imported yet")

    def pick_file(self) -> None:
        start = self.ctx.settings.get("last_folder") or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Import DRP registry", start,
                                              "Registry files (*.csv *.xlsx);;All files (*)")
        if path:
            self.ctx.settings.set("last_folder", str(Path(path).parent))
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Preview in the background, ask, then import in the background."""
        desk, by = self.ctx.desk, self.ctx.user_name
        self.import_button.setEnabled(False)
        self.message.show_message(f"Reading {path.name}…", "info")

        def previewed(result=None, error=None):
            if error is not None:
                self.import_button.setEnabled(True)
                self.message.show_error(error)
                return
            self.message.hide()
            if not confirm_import(self, path, result):
                self.import_button.setEnabled(True)
                return
            self.ctx.runner.run_task(lambda ctx: desk.import_registry(path, by), imported)

        def imported(result=None, error=None):
            self.import_button.setEnabled(True)
            if error is not None:
                self.message.show_message(f"The registry was not changed: {error_text(error)}", "error")
                return
            n = len(result.affected_records or [])
            self.message.show_message(f"Registry imported from {path.name}. {n} open record(s) re-checked.",
                                      "info", 8000)
            self.ctx.events.registry_changed.emit()
            self.ctx.events.records_changed.emit()

        self.ctx.runner.run_task(lambda ctx: desk.preview_registry(path), previewed)
