"""Who is working: pick a name at start (the OS user by default) or when switching users."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout

from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.widgets import icon


class LoginDialog(QDialog):
    def __init__(self, desk, default: str = "", parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.user = None
        self._roles = {u.name: str(getattr(u.role, "value", u.role)) for u in desk.users()}
        self.setWindowTitle("CISR-DRP Desk")
        self.setMinimumWidth(400)
        art = QLabel()
        art.setPixmap(icon("app").pixmap(40, 40))
        title = QLabel("Who is working?")
        title.setObjectName("screenTitle")
        head = QHBoxLayout()
        head.addWidget(art)
        head.addWidget(title, 1)
        self.names = QComboBox()
        self.names.setEditable(True)
        self.names.addItems(sorted(self._roles))
        self.names.setCurrentText(default)
        self.names.currentTextChanged.connect(self._show_role)
        self.role = QLabel()
        self.role.setObjectName("screenSub")
        self.error = QLabel()
        self.error.setProperty("kind", "error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(QLabel("Your name"))
        layout.addWidget(self.names)
        layout.addWidget(self.role)
        layout.addWidget(self.error)
        layout.addWidget(buttons, alignment=Qt.AlignmentFlag.AlignRight)
        self._show_role(default)

    def _show_role(self, name: str) -> None:
        role = self._roles.get(name.strip())
        self.role.setText(f"Signs in as {role}" if role else "")
        self.error.clear()

    def accept(self) -> None:
        name = self.names.currentText().strip()
        try:
            self.user = self.desk.user(name)
        except DeskError:
            self.error.setText(f"{name or 'That name'} is not a user of this desk. Ask an administrator to add you.")
            return
        super().accept()


def choose_user(desk, settings, parent=None, default: str = ""):
    """The chosen UserInfo, or None when cancelled."""
    dialog = LoginDialog(desk, default or settings.get("last_user"), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    settings.set("last_user", dialog.user.name)
    return dialog.user
