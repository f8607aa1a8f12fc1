"""Who is working: pick a name at start (the OS user by default) or when switching users."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from cisr_desk.domain.errors import DeskError


class LoginDialog(QDialog):
    def __init__(self, desk, default: str = "", parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.user = None
        self.setWindowTitle("Who is working?")
        self.names = QComboBox()
        self.names.setEditable(True)
        for u in sorted(desk.users(), key=lambda u: u.name):
            self.names.addItem(f"{u.name}", u.name)
            self.names.setItemData(self.names.count() - 1, f"{u.name} — {u.role}", 3)  # tooltip
        self.names.setCurrentText(default)
        self.error = QLabel()
        self.error.setProperty("kind", "error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Your name"))
        layout.addWidget(self.names)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

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
