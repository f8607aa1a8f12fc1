"""Users (admins only): who may sign in, in which role; add, change role, disable or enable,
and reset a password. Every change goes through the Desk, which checks that the signed-in user
is an admin, keeps the last admin, and writes it to the audit log."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError
from cisr_desk.domain.workflow import ROLES
from cisr_desk.ui.login import password_edit
from cisr_desk.ui.models import ObjectTableModel
from cisr_desk.ui.widgets import MessageBar, confirm, error_label, heading, icon, ok_cancel_buttons, read_only_table


def user_state(user) -> str:
    """How a user stands, in words: the one column that says who cannot sign in and why."""
    if not getattr(user, "active", True):
        return "Disabled"
    locked = getattr(user, "locked_until", None)
    if locked is not None:
        return f"Locked until {locked.astimezone():%H:%M}"
    if getattr(user, "must_change_password", False):
        return "Must choose a new password"
    return "Active"


class UsersModel(ObjectTableModel):
    COL_NAME, COL_ROLE, COL_STATE = range(3)

    def __init__(self, parent=None) -> None:
        super().__init__([("Name", "name"), ("Role", lambda u: str(u.role).capitalize()), ("State", user_state)],
                         parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            state = user_state(self.rows[index.row()])
            if state != "Active":
                return QColor("#9ca3af") if state == "Disabled" else QColor("#b45309")
        return super().data(index, role)


class PasswordDialog(QDialog):
    """A new password, typed twice; ``note`` (if any) says whose and why. Subclasses add rows above.

    What the desk would refuse (the two differ, shorter than the site's ``min_length``) is said
    here and the dialog stays open with what was typed: closed on it, everything typed was lost.
    The desk checks again when it stores the password."""

    def __init__(self, title: str, note: str = "", parent=None, *, min_length: int = 8) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)  # room for the error on a line of its own
        self.min_length = min_length
        self.password = password_edit(f"At least {min_length} characters")
        self.again = password_edit()
        self.error = error_label()
        self.buttons = ok_cancel_buttons(self)
        self.form = QFormLayout(self)
        if note:
            text = QLabel(note)
            text.setWordWrap(True)
            self.form.addRow(text)
        self.form.addRow("Password", self.password)
        self.form.addRow("The same again", self.again)
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)

    def problem(self) -> tuple[QLineEdit, str] | None:
        """The box to correct and why, or None when the desk should take it."""
        password = self.password.text()
        if len(password) < self.min_length:
            return self.password, f"A password needs at least {self.min_length} characters."
        if password != password.strip():
            return self.password, "A password cannot begin or end with a space."
        if password != self.again.text():
            return self.again, "The two passwords differ."
        return None

    def accept(self) -> None:
        found = self.problem()
        if found is None:
            super().accept()
            return
        box, text = found
        self.error.setText(text)
        box.setFocus()
        box.selectAll()


class NewUserDialog(PasswordDialog):
    """Name, role and password of a new user; the keyboard starts in Name and goes down the form."""

    def __init__(self, parent=None, *, min_length: int = 8, taken=()) -> None:
        super().__init__("Add a user", parent=parent, min_length=min_length)
        self.taken = set(taken)
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.role = QComboBox()
        self.role.addItems(ROLES)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.form.insertRow(0, "Name", self.name)
        self.form.insertRow(1, "Role", self.role)
        # the name and role came after the password boxes: focus and Tab began at Password
        QWidget.setTabOrder(self.name, self.role)
        QWidget.setTabOrder(self.role, self.password)
        self.name.setFocus()

    def problem(self) -> tuple[QLineEdit, str] | None:
        name = " ".join(self.name.text().split())
        if not name:
            return self.name, "Type the new user's name."
        if name in self.taken:
            return self.name, f"There is already a user called {name}."
        return super().problem()


def site_rules(parent) -> tuple[int, list[str]]:
    """The site's shortest password and the names in use, from the desk of ``parent`` (the Users
    screen), so a dialog can say what would be refused before it closes; defaults without one."""
    desk = getattr(getattr(parent, "ctx", None), "desk", None)
    try:
        return desk.policy().min_password_length, [u.name for u in desk.users()]
    except (DeskError, AttributeError):
        return 8, []


# What an admin is asked; tests replace these functions.
def ask_new_user(parent) -> tuple[str, str, str] | None:
    """(name, role, password) of a new user, or None when cancelled."""
    min_length, taken = site_rules(parent)
    dialog = NewUserDialog(parent, min_length=min_length, taken=taken)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.name.text(), dialog.role.currentText(), dialog.password.text()


def ask_role(parent, user) -> str | None:
    role, ok = QInputDialog.getItem(parent, f"Change the role of {user.name}", f"New role of {user.name}:",
                                    list(ROLES), list(ROLES).index(user.role) if user.role in ROLES else 0, False)
    return role if ok else None


def ask_temporary_password(parent, user) -> str | None:
    dialog = PasswordDialog(f"Reset the password of {user.name}",
                            f"A temporary password for {user.name}. Tell it to them; they choose their own at "
                            "their next sign-in.", parent, min_length=site_rules(parent)[0])
    return dialog.password.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_disable(parent, user) -> bool:
    """Disabling locks someone out at once: the question names them, and Cancel is the default, so
    a click that landed on the wrong row (the table had moved) disables nobody."""
    return confirm(parent, "Disable user", f"Disable {user.name}? They can no longer sign in.", "Disable")


class UsersScreen(QWidget):
    title = "Users"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = UsersModel(self)
        self.table = read_only_table(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.message = MessageBar()
        self.add_button = QPushButton(icon("user"), "Add user…")
        self.add_button.clicked.connect(self.add_user)
        self.role_button = QPushButton("Change role…")
        self.role_button.clicked.connect(self.change_role)
        self.active_button = QPushButton("Disable")
        self.active_button.clicked.connect(self.ask_toggle_active)
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.clicked.connect(self.reset_password)
        buttons = QHBoxLayout()  # below the heading: the row fits a 1280x720 screen at 150 %
        for button in (self.add_button, self.role_button, self.active_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addWidget(heading("Users", "who may sign in, and as what"))
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        current = self.selected()
        try:
            users = self.ctx.desk.users()
        except DeskError as exc:
            self.message.show_error(exc)
            return
        self.model.set_rows(users)
        if current is not None:
            self.select(current.name)
        self._update_buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.item(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        for row, user in enumerate(self.model.rows):
            if user.name == name:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.role_button, self.active_button, self.reset_button):
            button.setEnabled(user is not None)
        self.active_button.setText("Enable" if user is not None and not getattr(user, "active", True) else "Disable")

    # --- changes, each in the background, then the list again ------------------------------
    def _change(self, work, done_text: str, name: str) -> None:
        by = self.ctx.user_name

        def done(result=None, error=None):
            if error is not None:
                self.message.show_error(error)
                return
            self.message.show_message(done_text, "info", 6000)
            if name == self.ctx.user_name:  # their own role: the window follows
                self.ctx.user = result
                self.ctx.events.user_changed.emit(result)
            self.refresh()
            self.select(name)

        self.ctx.runner.run_task(lambda _ctx: work(by), done)

    def add_user(self) -> None:
        answer = ask_new_user(self)
        if answer is None:
            return
        name, role, password = answer
        desk = self.ctx.desk
        self._change(lambda by: desk.add_user(name, role, password, by=by), f"{name.strip()} added as {role}.",
                     name.strip())

    def change_role(self) -> None:
        user = self.selected()
        role = ask_role(self, user) if user is not None else None
        if role is None or role == user.role:
            return
        desk = self.ctx.desk
        self._change(lambda by: desk.set_role(user.name, role, by), f"{user.name} is now {role}.", user.name)

    def ask_toggle_active(self) -> None:
        """The Disable/Enable button: disabling asks first, naming the user it is about."""
        user = self.selected()
        if user is None or (getattr(user, "active", True) and not ask_disable(self, user)):
            return
        self.toggle_active(user)

    def toggle_active(self, user=None) -> None:
        """Disable ``user`` (the selected one by default) or enable them again, without asking."""
        user = user if user is not None else self.selected()
        if user is None:
            return
        desk = self.ctx.desk
        if getattr(user, "active", True):
            self._change(lambda by: desk.disable_user(user.name, by),
                         f"{user.name} is disabled and can no longer sign in.", user.name)
        else:
            self._change(lambda by: desk.enable_user(user.name, by), f"{user.name} can sign in again.", user.name)

    def reset_password(self) -> None:
        user = self.selected()
        password = ask_temporary_password(self, user) if user is not None else None
        if password is None:
            return
        desk = self.ctx.desk
        self._change(lambda by: desk.reset_password(user.name, password, by),
                     f"Password of {user.name} reset; they choose a new one at their next sign-in.", user.name)
