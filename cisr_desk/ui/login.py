"""Who is working: a name and a password at start and when switching users, a new password
when an administrator reset it, and on a database without users the first administrator.

The name is typed, never picked from a list (a list would tell anyone at the screen who may
sign in); the Desk checks the password and says the same for a wrong name or a wrong password.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import error_label, icon, ok_cancel_buttons


def password_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def _head(text: str) -> QHBoxLayout:
    art = QLabel()
    art.setPixmap(icon("app").pixmap(40, 40))
    title = QLabel(text)
    title.setObjectName("screenTitle")
    head = QHBoxLayout()
    head.addWidget(art)
    head.addWidget(title, 1)
    return head


def demo_hint(desk) -> str:
    """The demo users and their passwords, on the demo database only."""
    try:
        users = desk.demo_users()
    except (DeskError, AttributeError):
        return ""
    if not users:
        return ""
    from cisr_desk.ui.demo import demo_password

    lines = [f"<b>{escape(name)}</b> / <code>{escape(demo_password(role))}</code> ({escape(role)})"
             for name, role in users.items()]
    return "This is the demo database. Sign in as:<br>" + "<br>".join(lines)


class LoginDialog(QDialog):
    """Name and password; then, for a password an admin reset, a new one chosen twice."""

    def __init__(self, desk, default: str = "", parent=None, *, title: str = "Sign in") -> None:
        super().__init__(parent)
        self.desk = desk
        self.user = None
        self._old_password: str | None = None  # set once signed in with a password that must change
        self.setWindowTitle("CISR-DRP Desk")
        self.setMinimumWidth(420)
        self.name = QLineEdit(default)
        self.name.setPlaceholderText("Your user name")
        self.name.setMaxLength(200)
        self.password = password_edit()
        self.name.textEdited.connect(lambda _t: self.error.clear())
        self.password.textEdited.connect(lambda _t: self.error.clear())
        self.hint = QLabel(demo_hint(desk))
        self.hint.setObjectName("hint")
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setVisible(bool(self.hint.text()))
        self.error = error_label()

        self.change = QWidget()  # shown after a reset password was accepted
        self.change_note = QLabel("An administrator reset your password. Choose a new one to go on.")
        self.change_note.setWordWrap(True)
        self.new_password = password_edit("At least 8 characters")
        self.new_again = password_edit()
        change_form = QFormLayout(self.change)
        change_form.setContentsMargins(0, 0, 0, 0)
        change_form.addRow(self.change_note)
        change_form.addRow("New password", self.new_password)
        change_form.addRow("The same again", self.new_again)
        self.change.hide()

        self.buttons = ok_cancel_buttons(self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Sign in")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Password", self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(_head(title))
        layout.addLayout(form)
        layout.addWidget(self.change)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons, alignment=Qt.AlignmentFlag.AlignRight)
        (self.password if default else self.name).setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def accept(self) -> None:
        if self._old_password is not None:
            self._choose_new_password()
            return
        name = self.name.text().strip()
        if not name:
            self.show_error("Type your user name.")
            return
        try:
            user = self.desk.authenticate(name, self.password.text(), via="application")
        except DeskError as exc:  # wrong name or password, locked until …, disabled
            self.password.clear()
            self.password.setFocus()
            self.show_error(error_text(exc))
            return
        if getattr(user, "must_change_password", False):
            self._old_password = self.password.text()
            self.name.setEnabled(False)
            self.password.setEnabled(False)
            self.change.show()
            self.ok.setText("Change password and sign in")
            self.error.clear()
            self.new_password.setFocus()
            return
        self.user = user
        super().accept()

    def _choose_new_password(self) -> None:
        new = self.new_password.text()
        if new != self.new_again.text():
            self.show_error("The two new passwords differ.")
            return
        try:
            self.user = self.desk.change_password(self.name.text().strip(), self._old_password, new)
        except DeskError as exc:
            self.show_error(error_text(exc))
            return
        self._old_password = None
        super().accept()


class FirstAdminDialog(QDialog):
    """A database without users: whoever opens it first creates its administrator."""

    def __init__(self, desk, default: str = "", parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.user = None
        self.setWindowTitle("CISR-DRP Desk")
        self.setMinimumWidth(440)
        note = QLabel("Nobody can sign in to this database yet. Create its first administrator (or, on a "
                      "database from before passwords, give an administrator's name to set its password); "
                      "the clerks and supervisors are added in the Users screen.")
        note.setWordWrap(True)
        self.name = QLineEdit(default)
        self.name.setMaxLength(80)
        self.password = password_edit("At least 8 characters")
        self.again = password_edit()
        self.error = error_label()
        buttons = ok_cancel_buttons(self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create and sign in")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Password", self.password)
        form.addRow("The same again", self.again)
        layout = QVBoxLayout(self)
        layout.addLayout(_head("First administrator"))
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons, alignment=Qt.AlignmentFlag.AlignRight)
        self.password.setFocus()

    def accept(self) -> None:
        if self.password.text() != self.again.text():
            self.error.setText("The two passwords differ.")
            return
        try:
            self.user = self.desk.add_user(self.name.text(), "admin", self.password.text())
        except DeskError as exc:
            self.error.setText(error_text(exc))
            return
        super().accept()


def choose_user(desk, settings, parent=None, default: str = "", message: str = ""):
    """The signed-in UserInfo, or None when cancelled; ``message`` says why signing in is asked
    again (the session ended)."""
    if desk.first_admin_needed():
        dialog = FirstAdminDialog(desk, default, parent)
    else:
        dialog = LoginDialog(desk, default or settings.get("last_user"), parent,
                             title="Sign in" if parent is None else "Switch user")
        if message:
            dialog.show_error(message)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    settings.set("last_user", dialog.user.name)
    return dialog.user
