"""The form's fields grouped by section: each with its image crop beside its editor, its
confidence, and why it is in doubt. Keyboard-first: Enter accepts the field (or the typed
correction) and jumps to the next doubtful one; Tab moves on; typing overrides."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QCheckBox, QCompleter, QFrame, QGridLayout, QLabel, QLineEdit,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from cisr_desk.domain.catalog import SECTIONS
from cisr_desk.domain.fields import FieldType
from cisr_desk.ui.models import field_text, field_type
from cisr_desk.ui.widgets import select_from_start, set_line_text

CROP_MIN_W, CROP_H = 180, 38
# How many characters of its type's longest usual value an editor shows without scrolling
# (names, addresses and e-mails run long; a state is two letters).
EDITOR_CHARS = {FieldType.TEXT: 26, FieldType.EMAIL: 28, FieldType.ACCOUNT: 12, FieldType.PHONE: 14,
                FieldType.STATE: 4, FieldType.ZIP: 10, FieldType.DATE: 10, FieldType.DRP_ID: 8}


class CropLabel(QLabel):
    """The field as scanned, scaled to whatever width the panel gives it (crops are wide)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._source = QPixmap()
        self.setMinimumSize(CROP_MIN_W, CROP_H)
        self.setMaximumHeight(CROP_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def sizeHint(self):  # noqa: N802 - Qt's name
        # Never the pixmap's size: the pixmap is scaled to the label, so a hint that followed it
        # would have the layout and the label chase each other on every resize.
        return self.minimumSize()

    def set_source(self, pixmap: QPixmap) -> None:
        self._source = pixmap
        self._rescale()

    def source(self) -> QPixmap:
        return self._source

    def _rescale(self) -> None:
        if self._source.isNull():
            return
        size = self.contentsRect().size()
        self.setPixmap(self._source.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rescale()


def confidence_text(conf: float) -> str:
    return f"{conf * 100:.0f}%" if conf is not None else ""


class FieldRow(QObject):
    """The widgets of one field in the panel's grid (not a widget itself: the grid aligns columns)."""

    def __init__(self, field, panel: "FieldPanel", host: QWidget, issues: list[str] = ()) -> None:
        # Widgets are born inside ``host``: a parentless label shown early becomes a window.
        # The row itself belongs to ``host`` too, so it goes when the next record replaces it.
        super().__init__(host)
        self.key = field.key
        self.type = field_type(field)
        self.panel = panel
        self.label = QLabel(field.label or field.key, host)
        self.label.setObjectName("fieldLabel")
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(140)
        self.crop = CropLabel(host)
        self.crop.setObjectName("fieldCrop")
        self.crop.setToolTip("The field as scanned")
        if self.type.is_mark:
            self.editor: QWidget = QCheckBox("Signed" if self.type is FieldType.SIGNATURE else "Marked", host)
        else:
            self.editor = QLineEdit(host)
            self.editor.textEdited.connect(lambda text: panel.edited.emit(self.key, text))
        self.editor.setObjectName("fieldEditor")
        self.editor.installEventFilter(self)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        chars = EDITOR_CHARS.get(self.type, 12)
        self.editor.setMinimumWidth(max(90, self.editor.fontMetrics().averageCharWidth() * chars + 16))
        self.conf = QLabel(host)
        self.conf.setObjectName("fieldConfidence")
        self.conf.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.conf.setMinimumWidth(40)
        self.reason = QLabel(host)
        self.reason.setObjectName("fieldReason")
        self.reason.setWordWrap(True)
        self.reason.hide()
        self.shown_value = ""
        self.review = False
        self.has_issue = False
        self.update(field, issues)

    # --- state -----------------------------------------------------------------------------
    def update(self, field, issues: list[str] = ()) -> None:
        """Show a field's reading; ``issues`` are the rules it breaks, beside its own doubts."""
        self.review = bool(field.review)
        if isinstance(self.editor, QCheckBox):
            self.editor.setChecked(bool(field.value))
        else:
            self.shown_value = field_text(field)
            set_line_text(self.editor, self.shown_value)
        self.conf.setText(confidence_text(field.confidence))
        tip = f"Read by OCR: {field.ocr_value!s}" if field.ocr_value not in (None, "") else "OCR read nothing"
        if self.shown_value and not isinstance(self.editor, QCheckBox):
            tip = f"{self.shown_value}\n{tip}"  # the whole value, wherever the box is too narrow for it
        if field.changed_by:
            tip += f"\nChanged by {field.changed_by}"
        self.editor.setToolTip(tip)
        # why OCR doubted it matters only while it is in doubt; broken rules always show
        reasons = list(field.reasons or []) if self.review else []
        self.set_reasons(reasons + [m for m in issues if m not in reasons])

    def set_reasons(self, reasons: list[str], live: bool = False) -> None:
        doubtful = self.review or bool(reasons)
        self.has_issue = bool(reasons)
        state = "doubt" if doubtful else "ok"
        for w in (self.label, self.editor, self.conf, self.crop):
            w.setProperty("state", state)
            w.style().unpolish(w)
            w.style().polish(w)
        self.reason.setText(("⚠ " if reasons else "") + "; ".join(reasons) if reasons else
                            ("In doubt: please check" if self.review else ""))
        self.reason.setVisible(bool(self.reason.text()))
        self.reason.setProperty("live", live)

    def value(self):
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked()
        return self.editor.text()

    def changed(self, original) -> bool:
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked() != bool(original)
        return self.editor.text().strip() != self.shown_value.strip()

    def set_crop(self, pixmap: QPixmap) -> None:
        if pixmap.isNull():
            self.crop.setText("no image")
            return
        self.crop.set_source(pixmap)

    def focus(self) -> None:
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(self.editor, QLineEdit):
            select_from_start(self.editor)

    # --- keys ------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn:
            self.panel.field_focused.emit(self.key)
            if isinstance(self.editor, QLineEdit):
                select_from_start(self.editor)
        elif event.type() == QEvent.Type.FocusOut:
            popup = getattr(self.editor, "completer", lambda: None)()
            if popup is None or not popup.popup().isVisible():
                self.panel.left.emit(self.key)
        elif event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            completer = getattr(self.editor, "completer", lambda: None)()
            if completer is not None and completer.popup().isVisible():
                return False
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.panel.back_requested.emit(self.key)
            else:
                self.panel.commit_requested.emit(self.key)
            return True
        return False


class FieldPanel(QScrollArea):
    """All fields of one record. Emits requests; the record editor talks to the Desk."""

    commit_requested = Signal(str)  # Enter on a field: accept it or save what was typed
    back_requested = Signal(str)  # Shift+Enter: back to the previous doubtful field
    left = Signal(str)  # focus left a field (Tab, click): save what was typed, accept nothing
    field_focused = Signal(str)
    edited = Signal(str, str)  # key, text as typed (for the live rule check and completion)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.rows: dict[str, FieldRow] = {}
        self.order: list[str] = []
        self._fields: dict[str, object] = {}
        self._headers: list[tuple[QLabel, str, list[str]]] = []  # label, section name, its keys
        self.setWidget(QWidget())

    def show_fields(self, fields, issues=()) -> None:
        """Rebuild for a record: fields grouped by section, in the catalogue's order."""
        for row in self.rows.values():  # the old editors lose focus as they go: nothing to save then
            row.editor.removeEventFilter(row)
        self.rows.clear()
        self.order.clear()
        self._headers.clear()
        self._fields = {f.key: f for f in fields}
        by_field = _messages_by_field(issues)
        body = QWidget()
        body.setObjectName("fieldBody")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(10, 6, 10, 10)
        outer.setSpacing(4)
        by_key = {f.key: f for f in fields}
        sections = [(name, [by_key[k] for k in keys if k in by_key]) for name, keys in SECTIONS]
        known = {k for _, keys in SECTIONS for k in keys}
        extra = [f for f in fields if f.key not in known]
        if extra:
            sections.append(("Other", extra))
        for name, group in sections:
            if not group:
                continue
            header = QLabel()
            header.setObjectName("sectionHeader")
            self._headers.append((header, name, [f.key for f in group]))
            outer.addWidget(header)
            grid = QGridLayout()
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(3)
            grid.setColumnMinimumWidth(0, 120)
            grid.setColumnStretch(1, 3)  # the crop gets most of the width: wide fields stay legible
            grid.setColumnStretch(2, 2)
            line = 0
            for f in group:
                row = FieldRow(f, self, body, by_field.get(f.key, []))
                self.rows[f.key] = row
                self.order.append(f.key)
                grid.addWidget(row.label, line, 0)
                grid.addWidget(row.crop, line, 1)
                grid.addWidget(row.editor, line, 2)
                grid.addWidget(row.conf, line, 3)
                grid.addWidget(row.reason, line + 1, 1, 1, 3)
                line += 2
            outer.addLayout(grid)
        outer.addStretch(1)
        self._count_doubts()
        # Tab order is creation order, which is reading order. (QWidget.setTabOrder over the
        # freshly built body deactivated the window on Qt 6.12, so it is not used.)
        self.setWidget(body)

    def update_fields(self, fields, issues=()) -> None:
        by_field = _messages_by_field(issues)
        for f in fields:
            self._fields[f.key] = f
            row = self.rows.get(f.key)
            if row is not None:
                row.update(f, by_field.get(f.key, []))
        self._count_doubts()

    def _count_doubts(self) -> None:
        """Each section's header says how many of its fields are still in doubt."""
        for header, name, keys in self._headers:
            doubts = sum(1 for k in keys if self.rows[k].review or self.rows[k].has_issue)
            header.setText(name + (f"  ·  {doubts} in doubt" if doubts else ""))
            header.setProperty("state", "doubt" if doubts else "ok")
            header.style().unpolish(header)
            header.style().polish(header)

    def changed_keys(self) -> list[str]:
        """Fields whose editor holds something not yet saved."""
        return [k for k in self.order if self.rows[k].changed(self._fields[k].value)]

    def field(self, key: str):
        return self._fields.get(key)

    def doubtful_keys(self) -> list[str]:
        """Fields still marked for review (Enter walks through these)."""
        return [k for k in self.order if self.rows[k].review]

    def flagged_keys(self) -> list[str]:
        """Fields in doubt or breaking a rule (highlighted on the page)."""
        return [k for k in self.order if self.rows[k].review or self.rows[k].has_issue]

    def previous_doubtful(self, before: str) -> str | None:
        """The doubtful field before ``before`` in reading order, wrapping round; None if none."""
        doubtful = self.flagged_keys()
        if before not in self.order:
            return doubtful[-1] if doubtful else None
        start = self.order.index(before)
        for key in reversed(self.order[start + 1:] + self.order[:start]):
            if key in doubtful:
                return key
        return None

    def next_doubtful(self, after: str | None) -> str | None:
        """The next doubtful field after ``after`` in reading order, wrapping round; None if none."""
        doubtful = self.flagged_keys()
        if not doubtful:
            return None
        if after in self.order:
            start = self.order.index(after)
            for key in self.order[start + 1:] + self.order[:start]:
                if key in doubtful:
                    return key
            return None
        return doubtful[0]

    def focus_field(self, key: str) -> None:
        row = self.rows.get(key)
        if row is None:
            return
        row.focus()
        self.ensureWidgetVisible(row.editor, 40, 60)

    def set_crop(self, key: str, pixmap: QPixmap) -> None:
        row = self.rows.get(key)
        if row is not None:
            row.set_crop(pixmap)

    def set_completer(self, key: str, completer: QCompleter) -> None:
        row = self.rows.get(key)
        if row is not None and isinstance(row.editor, QLineEdit):
            row.editor.setCompleter(completer)


def _messages_by_field(issues) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for issue in issues or ():
        if issue.field:
            out.setdefault(issue.field, []).append(issue.message)
    return out
