"""Identity in the store: argon2id hashes, sign-in with lockout, the first admin, what only admins
may do, the last admin kept, and every change audited without a password in sight."""
from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from cisr_desk.domain.errors import (AccountDisabled, AccountLocked, InvalidValue, NotFound, PermissionDenied,
                                     SignInFailed)
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import fakes, passwords
from cisr_desk.store.service import Desk
from users_support import PASSWORD

NEW = "a new secret 42"


def rows(desk, sql: str) -> list[tuple]:
    with desk._engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def everything_stored(desk) -> str:
    """Every user and audit row as text: a password must never be in it."""
    return repr(rows(desk, "SELECT * FROM users")) + repr(rows(desk, "SELECT * FROM audit_events"))


@pytest.fixture
def empty(tmp_path, clock):
    d = Desk.open(f"sqlite:///{tmp_path / 'empty.sqlite3'}", clock=clock)
    yield d
    d.close()


# -- hashing -------------------------------------------------------------------------------------------
def test_passwords_are_argon2id_hashes_never_clear_text(desk):
    [(stored,)] = rows(desk, "SELECT password_hash FROM users WHERE name = 'ann'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    desk.reset_password("ann", "temporary pass 1", "ada")
    desk.change_password("ann", "temporary pass 1", NEW)
    dump = everything_stored(desk)
    assert PASSWORD not in dump and "temporary pass 1" not in dump and NEW not in dump


def test_the_product_hasher_is_argon2id_with_sane_parameters(monkeypatch):
    monkeypatch.undo()  # the suite's cheap hasher off: look at what the product uses
    product = passwords.HASHER
    assert product.type.name == "ID" and product.memory_cost >= 19 * 1024 and product.time_cost >= 2


def test_an_outdated_hash_is_renewed_at_the_next_good_sign_in(desk, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    desk.authenticate("ann", PASSWORD)
    [(stored,)] = rows(desk, "SELECT password_hash FROM users WHERE name = 'ann'")
    assert "m=16,t=2,p=1" in stored
    assert desk.authenticate("ann", PASSWORD).name == "ann"


def test_new_passwords_and_names_are_checked(desk):
    with pytest.raises(InvalidValue, match="at least 8"):
        desk.add_user("bob", "clerk", "short", by="ada")
    with pytest.raises(InvalidValue, match="at most 80"):
        desk.add_user("x" * 81, "clerk", PASSWORD, by="ada")
    with pytest.raises(InvalidValue, match="printable"):
        desk.add_user("bob\x00", "clerk", PASSWORD, by="ada")
    with pytest.raises(InvalidValue, match="cannot be a user name"):
        desk.add_user("System", "clerk", PASSWORD, by="ada")
    long_name = "Maria-Guadalupe " + "x" * 54  # 70 characters: allowed, and works everywhere
    assert desk.add_user(long_name, "clerk", PASSWORD, by="ada").name == long_name
    assert desk.authenticate(long_name, PASSWORD).name == long_name
    with pytest.raises(SignInFailed):
        desk.authenticate("y" * 500, PASSWORD)


# -- signing in ----------------------------------------------------------------------------------------
def test_wrong_name_and_wrong_password_say_the_same(desk):
    with pytest.raises(SignInFailed) as wrong_password:
        desk.authenticate("ann", "not it")
    with pytest.raises(SignInFailed) as no_user:
        desk.authenticate("zed", "not it")
    assert str(wrong_password.value).replace("'ann'", "X") == str(no_user.value).replace("'zed'", "X")
    assert desk.authenticate(" ann ", PASSWORD).name == "ann"


def test_lockout_after_failures_in_a_row_and_unlock_after_the_time(desk, clock):
    with pytest.raises(SignInFailed):
        desk.authenticate("ann", "wrong")
    desk_policy = desk.policy()
    assert (desk_policy.max_failed_sign_ins, desk_policy.lockout_minutes) == (5, 15)
    assert desk.authenticate("ann", PASSWORD).name == "ann"  # a good sign-in resets the count
    for _ in range(4):
        with pytest.raises(SignInFailed) as exc:
            desk.authenticate("ann", "wrong")
        assert not isinstance(exc.value, AccountLocked)
    with pytest.raises(AccountLocked) as exc:
        desk.authenticate("ann", "wrong")
    assert exc.value.until == clock.at + dt.timedelta(minutes=15) and "locked until" in str(exc.value)
    with pytest.raises(AccountLocked):  # even the right password, for now
        desk.authenticate("ann", PASSWORD)
    assert desk.user("ann").locked_until == clock.at + dt.timedelta(minutes=15)
    clock.advance(minutes=15, seconds=1)
    assert desk.authenticate("ann", PASSWORD).name == "ann"
    assert desk.user("ann").locked_until is None
    actions = [a for (a,) in rows(desk, "SELECT action FROM audit_events WHERE entity = 'user' AND reason = 'ann'")]
    assert actions.count("sign_in_failed") == 7 and actions.count("user_locked") == 1  # 6 wrong, 1 while locked


def sign_ins(desk) -> list[tuple]:
    return rows(desk, "SELECT at, \"user\", field, old, new, reason FROM audit_events WHERE action = 'sign_in' "
                      "ORDER BY id")


def test_a_good_sign_in_is_audited_with_when_and_where_and_never_the_password(desk, clock):
    desk.host = "desk-07"
    with pytest.raises(SignInFailed):
        desk.authenticate("ann", "wrong")
    assert sign_ins(desk) == []
    assert desk.authenticate("ann", PASSWORD, via="application").name == "ann"
    [(at, user, field, old, new, reason)] = sign_ins(desk)
    assert (user, field, old, new, reason) == ("ann", "sign-in", "", "application on desk-07", "ann")
    assert str(at).startswith("2026-11-25 12:00") and clock.at.hour == 12  # the fixed clock's time (UTC)
    assert desk.authenticate("ann", PASSWORD, via="application").name == "ann"  # every sign-in of the application
    assert len(sign_ins(desk)) == 2
    desk.disable_user("ann", "ada")
    with pytest.raises(AccountDisabled):  # refused, not signed in
        desk.authenticate("ann", PASSWORD, via="application")
    assert len(sign_ins(desk)) == 2
    [(stored,)] = rows(desk, "SELECT password_hash FROM users WHERE name = 'ann'")
    audit = repr(rows(desk, "SELECT * FROM audit_events"))
    assert PASSWORD not in everything_stored(desk) and stored not in audit and "$argon2" not in audit


def test_the_command_lines_sign_ins_are_audited_once_in_a_while_per_seat(desk, clock):
    desk.host = "desk-07"
    for _ in range(3):  # a script: a command after another, each signing in
        desk.authenticate("ann", PASSWORD, via="command line", quiet_minutes=15)
        clock.advance(minutes=4)
    assert [new for (_, _, _, _, new, _) in sign_ins(desk)] == ["command line on desk-07"]
    desk.authenticate("ann", PASSWORD, via="application", quiet_minutes=15)  # another seat: logged
    desk.authenticate("sue", PASSWORD, via="command line", quiet_minutes=15)  # another user: logged
    clock.advance(minutes=3)  # 15 minutes after the first logged one
    desk.authenticate("ann", PASSWORD, via="command line", quiet_minutes=15)
    assert [(user, new) for (_, user, _, _, new, _) in sign_ins(desk)] == [
        ("ann", "command line on desk-07"), ("ann", "application on desk-07"), ("sue", "command line on desk-07"),
        ("ann", "command line on desk-07")]
    desk.change_password("ann", PASSWORD, NEW)  # checks the password, but is no sign-in of its own
    assert len(sign_ins(desk)) == 4


def test_lockout_limits_are_site_policy(desk, clock):
    desk.set_policy(SitePolicy(max_failed_sign_ins=2, lockout_minutes=1), "ada")
    with pytest.raises(SignInFailed):
        desk.authenticate("ann", "wrong")
    with pytest.raises(AccountLocked):
        desk.authenticate("ann", "wrong")
    clock.advance(minutes=1, seconds=1)
    assert desk.authenticate("ann", PASSWORD).name == "ann"


def test_an_admin_reset_unlocks_and_asks_for_a_new_password(desk):
    for _ in range(5):
        with pytest.raises(SignInFailed):
            desk.authenticate("ann", "wrong")
    desk.reset_password("ann", "temporary pass 1", "ada")
    ann = desk.authenticate("ann", "temporary pass 1")
    assert ann.must_change_password and ann.locked_until is None
    with pytest.raises(InvalidValue, match="differ"):
        desk.change_password("ann", "temporary pass 1", "temporary pass 1")
    with pytest.raises(SignInFailed):
        desk.change_password("ann", "wrong", NEW)
    assert not desk.change_password("ann", "temporary pass 1", NEW).must_change_password
    assert not desk.authenticate("ann", NEW).must_change_password
    with pytest.raises(SignInFailed):
        desk.authenticate("ann", "temporary pass 1")


def test_a_disabled_user_cannot_sign_in_or_act(desk, tmp_path):
    desk.disable_user("ann", "ada")
    with pytest.raises(AccountDisabled, match="disabled"):
        desk.authenticate("ann", PASSWORD)
    with pytest.raises(SignInFailed) as exc:  # a wrong password says nothing about the account
        desk.authenticate("ann", "wrong")
    assert "disabled" not in str(exc.value)
    (tmp_path / "a.pdf").write_bytes(b"%PDF a")
    with pytest.raises(PermissionDenied, match="disabled"):
        desk.import_files([tmp_path / "a.pdf"], "ann")
    assert desk.count_records() == 0
    assert desk.enable_user("ann", "ada").active
    assert desk.authenticate("ann", PASSWORD).active


# -- the first admin and what only admins may do -------------------------------------------------------
def test_the_first_user_needs_no_sign_in_and_must_be_an_admin(empty):
    assert empty.first_admin_needed()
    with pytest.raises(PermissionDenied, match="must be an admin"):
        empty.add_user("ann", "clerk", PASSWORD)
    assert empty.add_user("ada", "admin", PASSWORD).role == "admin"
    with pytest.raises(PermissionDenied, match="administrator"):
        empty.add_user("eve", "admin", PASSWORD)  # nobody's permission is over now
    with pytest.raises(PermissionDenied):
        empty.add_user("eve", "admin", PASSWORD, by="nobody")
    assert [u.name for u in empty.users()] == ["ada"]
    [(user, action, reason)] = rows(empty, "SELECT user, action, reason FROM audit_events")
    assert (user, action, reason) == ("ada", "user_added", "ada")
    assert not empty.first_admin_needed()


def test_users_from_before_passwords_get_an_admin_first(empty):
    with empty._engine.begin() as conn:  # what migration 0004 leaves of a database from before sign-in
        conn.exec_driver_sql("INSERT INTO users (name, role, created_at) VALUES ('boss', 'admin', '2026-01-01'), "
                             "('ann', 'clerk', '2026-01-01')")
    assert empty.first_admin_needed()
    with pytest.raises(SignInFailed):
        empty.authenticate("ann", "")
    with pytest.raises(PermissionDenied, match="must be an admin"):
        empty.add_user("ann", "clerk", PASSWORD)
    assert empty.add_user("boss", "admin", PASSWORD).name == "boss"  # boss sets their own password
    assert not empty.first_admin_needed() and empty.authenticate("boss", PASSWORD).role == "admin"
    with pytest.raises(PermissionDenied):
        empty.add_user("boss", "admin", "taken over 1")
    with pytest.raises(SignInFailed):
        empty.authenticate("ann", "")
    empty.reset_password("ann", "temporary 12", "boss")
    assert empty.authenticate("ann", "temporary 12").must_change_password


def test_only_admins_manage_users(desk):
    for attempt in (lambda: desk.add_user("eve", "admin", PASSWORD, by="sue"),
                    lambda: desk.set_role("ann", "supervisor", "ann"),
                    lambda: desk.set_role("sue", "admin", "sue"),
                    lambda: desk.disable_user("ann", "sue"),
                    lambda: desk.reset_password("ada", "taken over 1", "sue"),
                    lambda: desk.mark_demo({"ann": "clerk"}, "sue")):
        with pytest.raises(PermissionDenied, match="only an admin"):
            attempt()
    assert [(u.name, u.role, u.active) for u in desk.users()] == [
        ("ada", "admin", True), ("ann", "clerk", True), ("sue", "supervisor", True)]
    with pytest.raises(NotFound):
        desk.set_role("zed", "clerk", "ada")


def test_the_last_active_admin_is_kept(desk):
    with pytest.raises(PermissionDenied, match="last active admin"):
        desk.disable_user("ada", "ada")
    with pytest.raises(PermissionDenied, match="last active admin"):
        desk.set_role("ada", "clerk", "ada")
    desk.set_role("sue", "admin", "ada")
    assert desk.set_role("ada", "supervisor", "sue").role == "supervisor"
    with pytest.raises(PermissionDenied, match="last active admin"):
        desk.disable_user("sue", "sue")


def test_user_changes_are_audited_with_who_did_them(desk):
    desk.add_user("bob", "clerk", PASSWORD, by="ada")
    desk.set_role("bob", "supervisor", "ada")
    desk.disable_user("bob", "ada")
    desk.enable_user("bob", "ada")
    desk.reset_password("bob", "temporary pass 1", "ada")
    got = rows(desk, "SELECT \"user\", action, field, old, new FROM audit_events WHERE entity = 'user' "
                     "AND reason = 'bob' ORDER BY id")
    assert got == [("ada", "user_added", "role", "", "clerk"),
                   ("ada", "user_role_changed", "role", "clerk", "supervisor"),
                   ("ada", "user_disabled", "active", "true", "false"),
                   ("ada", "user_enabled", "active", "false", "true"),
                   ("ada", "password_reset", "password", "", "(reset)")]
    assert "temporary pass 1" not in everything_stored(desk)


def test_no_user_means_no_registry_import_or_export(desk, tmp_path):
    registry = fakes.write_registry_csv(tmp_path / "r.csv", fakes.demo_registry_rows()[:1])
    for by in ("system", "", "zed"):
        with pytest.raises((NotFound, PermissionDenied)):
            desk.import_registry(registry, by)
        with pytest.raises((NotFound, PermissionDenied)):
            desk.export_period(dt.date(2026, 11, 23), dt.date(2026, 11, 29), by, tmp_path / "x.xlsx")
    with pytest.raises(PermissionDenied, match="only a supervisor or admin"):
        desk.import_registry(registry, "ann")
    assert len(desk.registry_versions()) == 1 and not (tmp_path / "x.xlsx").exists()


def test_the_demo_mark(desk):
    assert desk.demo_users() == {}
    desk.mark_demo({"ann": "clerk", "sue": "supervisor"}, "ada")
    assert desk.demo_users() == {"ann": "clerk", "sue": "supervisor"}


def test_only_admins_change_the_sign_in_rules(desk):
    with pytest.raises(PermissionDenied, match="only an admin"):
        desk.set_policy(SitePolicy(max_failed_sign_ins=100), "sue")
    desk.set_policy(SitePolicy(supervisor_sample_every=3), "sue")  # the rest of the policy stays theirs
    desk.set_policy(SitePolicy(supervisor_sample_every=3, lockout_minutes=30), "ada")
    assert (desk.policy().supervisor_sample_every, desk.policy().lockout_minutes) == (3, 30)
