"""The Users screen: admins only; add, change role, disable and enable, reset a password — all
through a real Desk, so the rules (admins only, the last admin kept) and the audit are real."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cisr_desk.ui.main_window import MainWindow
from cisr_desk.ui.users_screen import UsersModel, UsersScreen
from ui_support import make_ctx, open_desk
from users_support import PASSWORD


@pytest.fixture
def screen(tmp_path, qtbot):
    desk = open_desk(tmp_path)
    ctx = make_ctx(desk, "admin", tmp_path)
    s = UsersScreen(ctx)
    qtbot.addWidget(s)
    s.show()
    s.activate()
    yield s, desk
    desk.close()


def names(s) -> list[tuple[str, str, str]]:
    m = s.model
    return [tuple(m.data(m.index(r, c)) for c in range(3)) for r in range(m.rowCount())]


def test_it_lists_users_with_role_and_state(screen):
    s, desk = screen
    desk.disable_user("boss", "admin")
    s.refresh()
    assert names(s) == [("admin", "Admin", "Active"), ("boss", "Supervisor", "Disabled"),
                        ("clerk", "Clerk", "Active"), ("supervisor", "Supervisor", "Active")]
    assert s.model.data(s.model.index(1, UsersModel.COL_STATE), Qt.ItemDataRole.ForegroundRole) is not None


def test_add_change_role_disable_enable_and_reset(screen, monkeypatch):
    s, desk = screen
    monkeypatch.setattr("cisr_desk.ui.users_screen.ask_new_user", lambda parent: ("pat", "clerk", "pat's pass 1"))
    s.add_user()
    assert "pat added as clerk" in s.message.current()
    assert desk.authenticate("pat", "pat's pass 1").role == "clerk"
    assert s.selected().name == "pat"

    monkeypatch.setattr("cisr_desk.ui.users_screen.ask_role", lambda parent, user: "supervisor")
    s.change_role()
    assert desk.user("pat").role == "supervisor"

    assert s.active_button.text() == "Disable"
    s.toggle_active()
    assert not desk.user("pat").active and s.active_button.text() == "Enable"
    s.toggle_active()
    assert desk.user("pat").active

    monkeypatch.setattr("cisr_desk.ui.users_screen.ask_temporary_password", lambda parent, user: "temporary 12")
    s.reset_password()
    assert desk.authenticate("pat", "temporary 12").must_change_password
    assert ("pat", "Supervisor", "Must choose a new password") in names(s)
    actions = [e for e in ("user_added", "user_role_changed", "user_disabled", "user_enabled", "password_reset")]
    with desk._engine.connect() as conn:
        logged = [a for (a,) in conn.exec_driver_sql(
            "SELECT action FROM audit_events WHERE entity = 'user' AND reason = 'pat' AND user = 'admin'")]
    assert logged == actions


def test_refusals_are_shown_not_raised(screen, monkeypatch):
    s, desk = screen
    s.select("admin")
    s.toggle_active()
    assert "last active admin" in s.message.current() and desk.user("admin").active
    monkeypatch.setattr("cisr_desk.ui.users_screen.ask_new_user", lambda parent: ("x" * 90, "clerk", PASSWORD))
    s.add_user()
    assert "at most 80" in s.message.current()
    monkeypatch.setattr("cisr_desk.ui.users_screen.ask_new_user", lambda parent: ("pat", "clerk", "short"))
    s.add_user()
    assert "at least 8" in s.message.current()


def test_only_admins_see_the_screen(tmp_path, qtbot):
    desk = open_desk(tmp_path)
    try:
        ctx = make_ctx(desk, "supervisor", tmp_path)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        assert window._items["users"].isHidden() and not window.go_actions["users"].isEnabled()
        ctx.user = desk.user("admin")
        ctx.events.user_changed.emit(ctx.user)
        assert not window._items["users"].isHidden()
        window.show_screen("users")
        assert window.current_screen() == "users"
    finally:
        desk.close()
