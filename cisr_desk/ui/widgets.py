"""Small shared widgets and helpers: icons, actions with visible shortcuts, the message bar."""
from __future__ import annotations

import functools

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QSizePolicy, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from cisr_desk.paths import resources_dir
from cisr_desk.ui.tasks import error_text


@functools.lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons (scales crisply on high-DPI screens)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def action(parent, text: str, slot=None, shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
           icon_name: str = "", tip: str = "") -> QAction:
    """An action whose shortcut also shows in its tooltip, so buttons teach the keyboard."""
    act = QAction(text, parent)
    if icon_name:
        act.setIcon(icon(icon_name))
    if shortcut is not None:
        seq = shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut)
        act.setShortcut(seq)
    keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    label = tip or text.replace("&", "").rstrip(".…")
    act.setToolTip(f"{label} ({keys})" if keys else label)
    if slot is not None:
        act.triggered.connect(slot)
    return act


def tool_button(act: QAction, text_beside: bool = True) -> QToolButton:
    btn = QToolButton()
    btn.setDefaultAction(act)
    btn.setIconSize(QSize(18, 18))
    if text_beside:
        btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return btn


class MessageBar(QFrame):
    """An inline message above a screen's content. It stays until it is closed (✕) or the screen's
    next action replaces or clears it: a note that hid itself after a few seconds moved the table
    below it, and a click aimed at one row landed on another. (A slot kept for the bar would cost
    every screen its height, which a 1280x720 screen at 150 % has not got to spare.)"""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.hide()

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        # a message never makes the window taller than the screen: where there is no room, the
        # bar gives way (a 1280x720 screen at 150 % has 480 pixels for everything)
        return QSize(super().minimumSizeHint().width(), 0)

    def show_message(self, text: str, kind: str = "info", timeout_ms: int = 0) -> None:
        """``timeout_ms`` is how long a note matters; it no longer hides by itself (see above)."""
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.icon.setPixmap(icon({"error": "error", "warning": "warning"}.get(kind, "info")).pixmap(18, 18))
        self.text.setText(text)
        self.show()

    def show_error(self, error: BaseException | str) -> None:
        self.show_message(error if isinstance(error, str) else error_text(error), "error")

    def current(self) -> str:
        return self.text.text() if self.isVisible() else ""


class ElidedLabel(QLabel):
    """A one-line label that never sets its layout's minimum width: on a narrow window it ends
    in "…" and its tooltip holds the whole text. (A word-wrapped label in a row of a resizable
    layout can make Qt's layout chase itself; this cannot.)"""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        return QSize(40, super().minimumSizeHint().height())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment()), shown)


def error_label(hidden: bool = False) -> QLabel:
    """The line under a dialog's boxes that says why its input was refused (red, wrapped)."""
    label = QLabel()
    label.setProperty("kind", "error")
    label.setWordWrap(True)
    if hidden:  # (setHidden(False) on a label with no parent yet would show it as a window of its own)
        label.hide()
    return label


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """A dialog's OK and Cancel buttons, wired to its accept and reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def set_line_text(edit: QLineEdit, text: str) -> None:
    """A value put in a line edit (not typed), shown from its start: Qt leaves the cursor at the end,
    so a long value ("150 Orange St Alhambra 91801") showed only its tail, the house number hidden."""
    edit.setText(text)
    edit.setCursorPosition(0)


def select_from_start(edit: QLineEdit) -> None:
    """All of a line edit's value selected (typing replaces it) with the cursor at its start, so a
    long value still shows its beginning, not its end."""
    length = len(edit.text())
    edit.setSelection(length, -length)


def heading(text: str, sub: str = "") -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    title = QLabel(text)
    title.setObjectName("screenTitle")
    layout.addWidget(title)
    if sub:
        note = QLabel(sub)
        note.setObjectName("screenSub")
        layout.addWidget(note)
    layout.addStretch(1)
    return box


class ReasonDialog(QDialog):
    """A reason from the site's list, with free text beside it; keyboard first: the list has
    the focus, Tab moves to the note and on, Ctrl+Enter confirms, Esc cancels."""

    def __init__(self, parent, title: str, prompt: str, codes, *, note_required: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.codes = QComboBox()
        for c in codes:
            self.codes.addItem(f"{c.label}  [{c.code}]", c.code)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab moves on, as everywhere else
        self.note.setPlaceholderText("Note (required for Other)")
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        self.note_required = note_required
        self.error = error_label(hidden=True)  # red, as every dialog's refusal
        buttons = ok_cancel_buttons(self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Ctrl+Enter")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.codes)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.codes.setFocus()

    def value(self) -> tuple[str, str]:
        return str(self.codes.currentData()), " ".join(self.note.toPlainText().split())

    def accept(self) -> None:
        code, note = self.value()
        if not note and (code == "OTHER" or self.note_required):
            self.error.setText("Please write the reason in the note.")
            self.error.show()
            self.note.setFocus()
            return
        super().accept()


def ask_reason(parent, title: str, prompt: str, codes=None) -> tuple[str, str] | None:
    """(reason code, note) for a flag, reject or override; None when the user cancels. Tests
    replace this function."""
    if not codes:
        from cisr_desk.domain.reasons import DEFAULT_REASONS as codes
    dialog = ReasonDialog(parent, title, prompt, codes)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_again(parent, label: str) -> str | None:
    """The second keying of a value, typed blind (the first is not shown). Tests replace it."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, "Key it again", f"{label}: type it once more, from the scan",
                                    QLineEdit.EchoMode.Normal, "")
    return text if ok else None


def confirm(parent, title: str, text: str, yes: str) -> bool:
    """A question with the safe answer as default (Esc and Enter both say no). Tests replace it.
    The text is plain: a name in it is shown as typed, never read as markup."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


def read_only_table(model) -> QTableView:
    """A plain list of rows to pick one from: no grid, alternating rows, columns fit to content."""
    table = QTableView()
    table.setModel(model)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table

