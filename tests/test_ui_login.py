"""Picking who works: a known name signs in with its role, an unknown one is explained."""
from __future__ import annotations

from cisr_desk.ui.login import LoginDialog
from ui_fake_desk import FakeDesk


def test_login_shows_role_and_refuses_strangers(qtbot):
    dialog = LoginDialog(FakeDesk(0), "supervisor")
    qtbot.addWidget(dialog)
    assert dialog.role.text() == "Signs in as supervisor"
    dialog.names.setCurrentText("pat")
    dialog.accept()
    assert dialog.user is None and "not a user" in dialog.error.text()
    dialog.names.setCurrentText("clerk")
    dialog.accept()
    assert dialog.user.name == "clerk" and dialog.result() == LoginDialog.DialogCode.Accepted
