"""Defects a tester found in the admin screens at 1280x720, each reproduced on a real Desk:
Disable asks first, naming the user; a banner coming or going moves nothing below it; the Add
user dialog keeps what was typed when something is refused; every policy row has its words, and
what a supervisor cannot change looks it."""
from __future__ import annotations

from dataclasses import fields

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QDialogButtonBox, QMessageBox, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from cisr_desk.domain.policy import SitePolicy
from cisr_desk.ui.users_screen import NewUserDialog, UsersScreen
from cisr_desk.ui.widgets import MessageBar
from ui_support import make_ctx, open_desk, show_office_size
from users_support import PASSWORD

JOSE = "josé o'brien"


@pytest.fixture
def users(tmp_path, qtbot):
    desk = open_desk(tmp_path)
    desk.add_user(JOSE, "clerk", PASSWORD, by="admin")
    screen = UsersScreen(make_ctx(desk, "admin", tmp_path))
    show_office_size(qtbot, screen)
    screen.activate()
    yield screen, desk
    desk.close()


# --- 2: Disable asks, naming the user -----------------------------------------------------------
def test_disable_asks_first_naming_the_user(users, qtbot, monkeypatch):
    screen, desk = users
    asked, answer = [], {"yes": False}
    monkeypatch.setattr("cisr_desk.ui.users_screen.confirm",
                        lambda parent, title, text, yes: asked.append(text) or answer["yes"])
    screen.select(JOSE)
    qtbot.mouseClick(screen.active_button, Qt.MouseButton.LeftButton)
    assert asked == [f"Disable {JOSE}? They can no longer sign in."]
    assert desk.user(JOSE).active  # cancelled: nothing changed
    answer["yes"] = True
    qtbot.mouseClick(screen.active_button, Qt.MouseButton.LeftButton)
    assert not desk.user(JOSE).active and screen.active_button.text() == "Enable"


def test_the_question_has_cancel_as_its_default(users, qtbot):
    screen, desk = users
    seen: dict = {}

    def answer():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.update(text=box.text(), default=box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel))
            qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default
        elif box is not None:
            box.close()

    screen.select(JOSE)
    QTimer.singleShot(0, answer)
    qtbot.mouseClick(screen.active_button, Qt.MouseButton.LeftButton)
    assert seen.get("default") and JOSE in seen.get("text", ""), seen
    assert desk.user(JOSE).active


# --- 3: a banner does not go by itself ---------------------------------------------------------
def settle() -> None:
    QApplication.processEvents()
    QApplication.processEvents()


def test_a_note_stays_until_closed_so_nothing_moves_by_itself(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    bar, table = MessageBar(), QTableView()
    layout.addWidget(bar)
    layout.addWidget(table, 1)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    settle()
    smallest = page.minimumSizeHint().height()
    bar.show_message("Password of pat reset; they choose a new one at their next sign-in.", "info", 50)
    settle()
    top = table.geometry().top()
    qtbot.wait(300)  # long past the note's time: it did not go, the table did not move
    settle()
    assert bar.isVisible() and table.geometry().top() == top
    assert page.minimumSizeHint().height() <= smallest + layout.spacing()  # it never makes the window taller
    qtbot.mouseClick(bar.findChild(QToolButton), Qt.MouseButton.LeftButton)  # closed by the user
    assert not bar.isVisible()


def test_the_users_table_stays_put_after_a_change(users, qtbot):
    screen, desk = users
    screen.select(JOSE)
    desk.disable_user(JOSE, "admin")
    screen.refresh()
    screen.toggle_active()  # enabled again: the screen says so
    assert "can sign in again" in screen.message.current()
    settle()
    top = screen.table.mapTo(screen, screen.table.rect().topLeft()).y()
    screen.message.show_message("a note with a short life", "info", 50)
    qtbot.wait(300)
    settle()
    assert screen.message.isVisible() and screen.table.mapTo(screen, screen.table.rect().topLeft()).y() == top


# --- 4: the Add user dialog -------------------------------------------------------------------
def test_add_user_starts_in_name_and_tabs_down_the_form(qtbot):
    dialog = NewUserDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert QApplication.focusWidget() is dialog.name
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.role
    qtbot.keyClick(dialog.role, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.password


def fill(dialog, name: str, role: str, password: str, again: str | None = None) -> None:
    dialog.name.setText(name)
    dialog.role.setCurrentText(role)
    dialog.password.setText(password)
    dialog.again.setText(password if again is None else again)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_refused_new_user_keeps_the_dialog_open_with_what_was_typed(users, qtbot):
    screen, desk = users
    seen: list[dict] = []

    def look(dialog):
        seen.append({"open": dialog.isVisible(), "name": dialog.name.text(), "role": dialog.role.currentText(),
                     "error": dialog.error.text(), "focus": dialog.focusWidget()})

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, NewUserDialog):
            if dialog is not None:
                dialog.close()
            return
        fill(dialog, "pat", "supervisor", "short")  # too short for the site
        look(dialog)
        if dialog.isVisible():
            seen[-1]["focus_is_password"] = seen[-1]["focus"] is dialog.password
            fill(dialog, JOSE, "supervisor", PASSWORD)  # a name already in use
            look(dialog)
            seen[-1]["focus_is_name"] = seen[-1]["focus"] is dialog.name
        if dialog.isVisible():
            fill(dialog, "pat", "supervisor", PASSWORD)
            look(dialog)
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(0, answer)
    screen.add_user()
    short, taken, good = (seen + [{}, {}, {}])[:3]
    assert short.get("open") and short["name"] == "pat" and short["role"] == "supervisor", seen
    assert "at least 8" in short["error"] and short["focus_is_password"]
    assert taken.get("open") and "already a user" in taken["error"] and taken["focus_is_name"], seen
    assert good.get("open") is False
    assert desk.user("pat").role == "supervisor" and "pat added as supervisor" in screen.message.current()


def test_reset_password_refuses_a_short_one_in_the_dialog(users, qtbot):
    from cisr_desk.ui.users_screen import PasswordDialog

    screen, desk = users
    desk.set_policy(SitePolicy(min_password_length=12), "admin")
    seen: list[dict] = []

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PasswordDialog):
            if dialog is not None:
                dialog.close()
            return
        for password in ("eleven char", "twelve chars"):
            dialog.password.setText(password)
            dialog.again.setText(password)
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            seen.append({"open": dialog.isVisible(), "error": dialog.error.text()})
            if not dialog.isVisible():
                return
        dialog.reject()

    screen.select(JOSE)
    QTimer.singleShot(0, answer)
    screen.reset_password()
    assert seen[0]["open"] and "at least 12" in seen[0]["error"], seen
    assert not seen[1]["open"] and desk.authenticate(JOSE, "twelve chars").must_change_password


# --- 5: settings ----------------------------------------------------------------------------------
@pytest.fixture
def settings_for(tmp_path, qtbot):
    from cisr_desk.ui.settings_screen import SettingsScreen

    desk = open_desk(tmp_path)

    def open_as(user: str) -> SettingsScreen:
        screen = SettingsScreen(make_ctx(desk, user, tmp_path))
        qtbot.addWidget(screen)
        screen.show()
        screen.activate()
        return screen

    yield open_as
    desk.close()


def test_every_policy_row_has_its_words(settings_for):
    screen = settings_for("admin")
    for f in fields(SitePolicy):
        label = screen.policy_form.labelForField(screen.policy_inputs[f.name]).text()
        assert label != f.name.replace("_", " "), f"{f.name} shows its raw name"
    label_of = {f: screen.policy_form.labelForField(screen.policy_inputs[f]).text() for f in screen.policy_inputs}
    assert "years" in screen.policy_inputs["date_max_years_away"].suffix() and "date" in label_of["date_max_years_away"]
    assert "hold" in label_of["hold_idle_minutes"]
    assert screen.policy_inputs["hold_idle_minutes"].specialValueText() == "never"  # 0: a hold never lapses


def test_a_supervisor_sees_the_sign_in_rules_read_only(settings_for):
    screen = settings_for("supervisor")
    for name, box in screen.policy_inputs.items():
        if name in SitePolicy.IDENTITY:
            assert box.isReadOnly() and not box.isEnabled(), name
            assert box.buttonSymbols() == QAbstractSpinBox.ButtonSymbols.NoButtons, name
            assert "admin" in box.toolTip()
        elif isinstance(box, QAbstractSpinBox):
            assert box.isEnabled() and not box.isReadOnly(), name
    assert "only an admin" in screen.identity_note.text()
    admin = settings_for("admin")
    for name in SitePolicy.IDENTITY:
        box = admin.policy_inputs[name]
        assert box.isEnabled() and not box.isReadOnly()
        assert box.buttonSymbols() == QAbstractSpinBox.ButtonSymbols.UpDownArrows
    assert "only an admin" not in admin.identity_note.text()
