"""Small shared widgets and helpers: icons, actions with visible shortcuts, the message bar."""
from __future__ import annotations

import functools

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QTableView,
                               QToolButton, QWidget)

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
    """An inline message above a screen's content: errors stay until closed, notes fade."""

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
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "info", timeout_ms: int = 0) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.icon.setPixmap(icon({"error": "error", "warning": "warning"}.get(kind, "info")).pixmap(18, 18))
        self.text.setText(text)
        self.show()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def show_error(self, error: BaseException | str) -> None:
        self.show_message(error if isinstance(error, str) else error_text(error), "error")

    def current(self) -> str:
        return self.text.text() if self.isVisible() else ""


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


def ask_reason(parent, title: str, prompt: str) -> str | None:
    """Ask for a reason (flag, reject); None when the user cancels. Tests replace this function."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getMultiLineText(parent, title, prompt)
    text = text.strip()
    return text if ok and text else None


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

