"""Group check: one field across every form of a batch, as a grid of crops with their values,
to confirm a whole column at once (ABBYY-style). Enter accepts the selected cells, F2 or a
double click corrects one, Ctrl+Shift+Enter accepts every doubtful cell shown."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPen, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QLabel,
                               QLineEdit, QListView, QPushButton, QSizePolicy, QStyle, QStyledItemDelegate, QVBoxLayout, QWidget)

from cisr_desk.domain.catalog import LABELS, SECTIONS
from cisr_desk.domain.errors import DeskError
from cisr_desk.ui import imaging
from cisr_desk.ui.models import GroupFieldModel, RecordIdRole
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import ElidedLabel, MessageBar, action, error_label, heading, ok_cancel_buttons, select_from_start

CELL = QSize(260, 78)
OPEN_STATUSES = ("imported", "in_review")


class CropDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt's name
        return CELL

    def paint(self, painter, option, index) -> None:
        painter.save()
        r = option.rect.adjusted(3, 3, -3, -3)
        doubt = bool(index.data(GroupFieldModel.DoubtRole))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(r, QColor("#fff7ed") if doubt else QColor("#ffffff"))
        pen = QPen(QColor("#2563eb") if selected else QColor("#f59e0b") if doubt else QColor("#d1d5db"))
        pen.setWidth(2 if selected or doubt else 1)
        painter.setPen(pen)
        painter.drawRect(r)
        crop = index.data(GroupFieldModel.CropRole)
        img_rect = QRect(r.left() + 6, r.top() + 6, r.width() - 12, 40)
        if isinstance(crop, QPixmap) and not crop.isNull():
            scaled = crop.scaled(img_rect.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
            painter.drawPixmap(img_rect.topLeft(), scaled)
        else:
            painter.setPen(QColor("#9ca3af"))
            painter.drawText(img_rect, Qt.AlignmentFlag.AlignCenter, "…")
        painter.setPen(QColor("#111827"))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        text_rect = QRect(r.left() + 6, r.bottom() - 24, r.width() - 50, 20)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(index.data(Qt.ItemDataRole.DisplayRole) or "(blank)"))
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor("#6b7280"))
        painter.drawText(QRect(r.right() - 48, r.bottom() - 24, 42, 20),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"#{index.data(RecordIdRole)}")
        painter.restore()


class CorrectionDialog(QDialog):
    """One cell's corrected value. OK hands it to ``save``, which says why it was refused (or ""):
    refused, the dialog stays open with the text as typed and the reason under it, so a slip is
    put right where it was made (it closed, the typing was lost and the grid moved on)."""

    def __init__(self, parent, prompt: str, text: str, save) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct value")
        self.setMinimumWidth(420)
        self._save = save
        self.value = QLineEdit(text)
        select_from_start(self.value)
        self.error = error_label(hidden=True)
        buttons = ok_cancel_buttons(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.value)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.value.textEdited.connect(lambda _text: self.error.hide())
        self.value.setFocus()

    def accept(self) -> None:
        refused = self._save(self.value.text())
        if refused:
            self.error.setText(refused)
            self.error.show()
            self.value.setFocus()
            return
        super().accept()


def ask_correction(parent, prompt: str, text: str, save) -> bool:
    """True once ``save`` took a corrected value; False when the clerk cancelled. Tests replace it."""
    dialog = CorrectionDialog(parent, prompt, text, save)
    saved = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return saved


class GroupScreen(QWidget):
    title = "Group check"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = GroupFieldModel(ctx.desk, self)
        self._token = None
        self.field_box = QComboBox()
        for section, keys in SECTIONS:
            for key in keys:
                self.field_box.addItem(f"{section} › {LABELS[key]}", key)
        self.field_box.setCurrentIndex(max(0, self.field_box.findData("customer_account")))
        # the longest "Section › Field" names would set the screen's minimum width: show what
        # fits, the whole name in the open list
        self.field_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field_box.setMinimumContentsLength(16)
        self.batch_box = QComboBox()
        self.batch_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.batch_box.setMinimumContentsLength(12)
        self.field_box.currentIndexChanged.connect(self.reload)
        self.batch_box.currentIndexChanged.connect(self.reload)
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(4)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setItemDelegate(CropDelegate(self.view))
        self.view.setModel(self.model)
        self.view.doubleClicked.connect(lambda index: self.correct(index.row()))
        self.message = MessageBar()
        self.summary = QLabel()
        self.summary.setObjectName("screenSub")
        self.act_accept = action(self, "Accept selected", self.accept_selected, "Return", "approve",
                                 "Accept the selected readings")
        self.act_accept_all = action(self, "Accept all in doubt", self.accept_all, "Ctrl+Shift+Return", "approve")
        self.act_edit = action(self, "Correct…", lambda: self.correct(self.view.currentIndex().row()), "F2", "edit")
        for act in (self.act_accept, self.act_accept_all, self.act_edit):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
        bar = QHBoxLayout()
        bar.addWidget(heading("Group check"))
        bar.addStretch(1)
        bar.addWidget(QLabel("Field"))
        bar.addWidget(self.field_box, 3)
        bar.addWidget(QLabel("Batch"))
        bar.addWidget(self.batch_box, 2)
        for box in (self.field_box, self.batch_box):  # wider where the window has room ("Customer acc…")
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # on a narrow screen the hint ends in "…" (whole in its tooltip) instead of widening the window
        hint = ElidedLabel("Enter accepts the selected readings · F2 corrects one · Ctrl+Shift+Enter accepts all in doubt")
        hint.setObjectName("hint")
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary)
        buttons.addSpacing(16)
        buttons.addWidget(hint, 1)
        for act in (self.act_edit, self.act_accept, self.act_accept_all):
            btn = QPushButton(act.icon(), act.text())
            btn.setToolTip(act.toolTip())
            btn.clicked.connect(act.trigger)
            buttons.addWidget(btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._records: dict[int, object] = {}

    def activate(self) -> None:
        self._fill_batches()
        self.reload()

    def _fill_batches(self) -> None:
        current = self.batch_box.currentData()
        self.batch_box.blockSignals(True)
        self.batch_box.clear()
        self.batch_box.addItem("Everything to review", "")
        sources: list[str] = []
        try:
            for status in OPEN_STATUSES:
                for row in self.ctx.desk.list_records(status=status, limit=10000):
                    if row.source and row.source not in sources:
                        sources.append(row.source)
        except DeskError as exc:
            self.message.show_error(exc)
        for source in sources:
            self.batch_box.addItem(str(source).replace("\\", "/").rsplit("/", 1)[-1], source)
        found = self.batch_box.findData(current)
        self.batch_box.setCurrentIndex(max(found, 0))
        self.batch_box.blockSignals(False)

    def reload(self) -> None:
        if self._token is not None:
            self._token.cancel()
        key, source = self.field_box.currentData(), self.batch_box.currentData()
        try:
            ids = []
            for status in OPEN_STATUSES:
                ids += [r.id for r in self.ctx.desk.list_records(status=status, limit=10000)
                        if not source or r.source == source]
            self._records = {rid: self.ctx.desk.get_record(rid) for rid in sorted(ids)}
        except DeskError as exc:
            self.message.show_error(exc)
            return
        # doubtful readings first: they are what the clerk is here for
        def doubt(rid):
            f = next((f for f in self._records[rid].fields if f.key == key), None)
            return 0 if f is not None and f.review else 1
        ordered = sorted(self._records, key=lambda rid: (doubt(rid), rid))
        ordered = [rid for rid in ordered if any(f.key == key for f in self._records[rid].fields)]
        self.model.set_group(key, ordered)
        self._update_summary()
        self._load_crops(key, [self._records[rid] for rid in ordered])
        if ordered:
            self.view.setCurrentIndex(self.model.index(0))

    def _update_summary(self) -> None:
        n = self.model.rowCount()
        doubtful = sum(1 for row in range(n) if self.model.data(self.model.index(row), GroupFieldModel.DoubtRole))
        self.summary.setText(f"{n} form(s) · {doubtful} in doubt" if n else "No forms to check in this batch.")

    def _load_crops(self, key: str, records: list) -> None:
        def work(ctx):
            for rec in records:
                if ctx.cancelled():
                    return
                try:
                    ctx.progress((rec.id, imaging.to_qimage(imaging.crop_array(rec, key))))
                except Exception:  # noqa: BLE001 - a missing crop leaves a placeholder
                    continue

        def arrived(value):
            rid, image = value
            if self.model.key == key:
                self.model.set_crop(rid, QPixmap.fromImage(image))

        self._token = self.ctx.runner.run_task(work, lambda result=None, error=None: None, progress=arrived)

    # --- actions ---------------------------------------------------------------------------
    def _apply(self, rid: int, fn) -> bool:
        """One record's change; a group correction does not take the records (hold=False) and
        leaves out those another clerk holds, saying so."""
        try:
            fn(rid)
        except DeskError as exc:
            self.message.show_error(f"Record {rid}: {exc}")
            return False
        self.model.forget(rid)
        return True

    def accept_selected(self) -> None:
        key, by = self.model.key, self.ctx.user_name
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        for row in rows:
            if self.model.data(self.model.index(row), GroupFieldModel.DoubtRole):
                self._apply(self.model.record_id(row), lambda rid: self.ctx.desk.accept_field(rid, key, by, hold=False))
        self._after_change(rows[-1] + 1 if rows else 0)

    def accept_all(self) -> None:
        key, by = self.model.key, self.ctx.user_name
        for row in range(self.model.rowCount()):
            if self.model.data(self.model.index(row), GroupFieldModel.DoubtRole):
                self._apply(self.model.record_id(row), lambda rid: self.ctx.desk.accept_field(rid, key, by, hold=False))
        self._after_change(0)

    def correct(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        key, rid = self.model.key, self.model.record_id(row)

        def save(text: str) -> str:
            try:
                self.ctx.desk.set_field(rid, key, text, self.ctx.user_name, hold=False)
            except DeskError as exc:
                return error_text(exc)
            self.model.forget(rid)
            return ""

        if ask_correction(self, f"{LABELS.get(key, key)} on record {rid}:",
                          str(self.model.data(self.model.index(row)) or ""), save):
            self._after_change(row + 1)

    def _after_change(self, next_row: int) -> None:
        self._update_summary()
        self.ctx.events.records_changed.emit()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(next_row, self.model.rowCount() - 1)))
