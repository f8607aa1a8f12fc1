"""Signing in: a typed name and a password; wrong ones, lockouts and disabled users explained;
a reset password replaced before work starts; the first administrator of an empty database; the
demo passwords said on the demo database only."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit

from cisr_desk.ui.login import FirstAdminDialog, LoginDialog
from ui_fake_desk import PASSWORD, FakeDesk


def sign_in(dialog, name: str, password: str) -> None:
    dialog.name.setText(name)
    dialog.password.setText(password)
    dialog.accept()


@pytest.fixture
def dialog(qtbot):
    d = LoginDialog(FakeDesk(0), "supervisor")
    qtbot.addWidget(d)
    return d


def test_the_name_is_typed_and_the_password_hidden(dialog):
    assert isinstance(dialog.name, QLineEdit) and dialog.name.text() == "supervisor"
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.hint.isVisible() and dialog.hint.text() == ""  # not the demo database


def test_a_good_password_signs_in_and_a_bad_one_is_refused(dialog):
    sign_in(dialog, "supervisor", "wrong")
    assert dialog.user is None and dialog.result() != LoginDialog.DialogCode.Accepted
    assert "with that password" in dialog.error.text() and dialog.password.text() == ""
    sign_in(dialog, "pat", PASSWORD)
    assert dialog.user is None and "no user called 'pat' with that password" in dialog.error.text()
    sign_in(dialog, "", PASSWORD)
    assert "Type your user name" in dialog.error.text()
    sign_in(dialog, "clerk", PASSWORD)
    assert dialog.user.name == "clerk" and dialog.result() == LoginDialog.DialogCode.Accepted


def test_a_lockout_says_until_when(dialog):
    for _ in range(3):
        sign_in(dialog, "clerk", "wrong")
    assert "locked until" in dialog.error.text()
    sign_in(dialog, "clerk", PASSWORD)
    assert dialog.user is None and "locked until" in dialog.error.text()


def test_a_disabled_user_is_told(qtbot):
    desk = FakeDesk(0)
    desk.disable_user("clerk", "admin")
    d = LoginDialog(desk)
    qtbot.addWidget(d)
    sign_in(d, "clerk", PASSWORD)
    assert d.user is None and "disabled" in d.error.text()


def test_a_reset_password_is_replaced_before_signing_in(qtbot):
    desk = FakeDesk(0)
    desk.reset_password("clerk", "temporary 1", "admin")
    d = LoginDialog(desk)
    qtbot.addWidget(d)
    sign_in(d, "clerk", "temporary 1")
    assert d.user is None and d.change.isVisibleTo(d) and not d.password.isEnabled()
    d.new_password.setText("my own pass 2")
    d.new_again.setText("my own pass 3")
    d.accept()
    assert d.user is None and "differ" in d.error.text()
    d.new_again.setText("my own pass 2")
    d.accept()
    assert d.user.name == "clerk" and not d.user.must_change_password
    assert desk.authenticate("clerk", "my own pass 2").name == "clerk"


def test_the_demo_database_says_its_passwords(qtbot):
    desk = FakeDesk(0)
    desk.demo = {"pat": "clerk", "supervisor": "supervisor", "admin": "admin"}
    d = LoginDialog(desk)
    qtbot.addWidget(d)
    assert "demo database" in d.hint.text() and "pat" in d.hint.text() and "demo-clerk" in d.hint.text()
    assert not d.hint.isHidden()


def test_the_demo_passwords_sign_in_to_the_demo_database(tmp_path):
    from cisr_desk.store.service import Desk
    from cisr_desk.ui import demo

    with Desk.open(f"sqlite:///{tmp_path / 'demo.sqlite'}", files_dir=tmp_path / "files") as desk:
        roles = demo.create_users(desk, "pat")
        assert roles == {"pat": "clerk", "supervisor": "supervisor", "admin": "admin"}
        assert desk.demo_users() == roles
        for name, role in roles.items():
            assert desk.authenticate(name, demo.demo_password(role)).role == role


def test_the_first_administrator_of_an_empty_database(qtbot):
    desk = FakeDesk(0)
    desk._users.clear()
    d = FirstAdminDialog(desk, "pat")
    qtbot.addWidget(d)
    d.password.setText("pat's pass 1")
    d.again.setText("pat's pass 2")
    d.accept()
    assert d.user is None and "differ" in d.error.text()
    d.again.setText("pat's pass 1")
    d.accept()
    assert d.user.name == "pat" and d.user.role == "admin"
    assert desk.authenticate("pat", "pat's pass 1").role == "admin"
