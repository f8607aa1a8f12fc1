"""Signing in on the command line: the contract scripts depend on.

The first test runs the real ``cisr-desk`` program (product argon2 parameters, no test doubles);
the others run ``main()`` in process with cheap hashing."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cisr_desk.cli.main import main
from cisr_desk.store import fakes, service
from cisr_desk.store.service import Desk
from users_support import PASSWORD

ADMIN_PASSWORD = "the admin's own 1"
ROOT = Path(__file__).resolve().parent.parent


def test_the_command_line_contract_end_to_end(tmp_path):
    db = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CISR_DESK_")}
    env["CISR_DESK_DB"] = db
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # this checkout
    fakes.write_registry_csv(tmp_path / "registry.csv")
    (tmp_path / "a.pdf").write_bytes(b"%PDF a")

    def run(*args, stdin="", **extra):
        proc = subprocess.run([sys.executable, "-m", "cisr_desk", *args], input=stdin, capture_output=True,
                              text=True, cwd=tmp_path, env={**env, **extra}, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    # the first user of an empty database: no sign-in, but an admin; after that a signed-in admin
    assert run("users", "add", "ada", "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")[:2] == (
        0, "user ada added as admin\n")
    assert run("users", "add", "ann", "--role", "clerk", "--password-stdin", "--as", "ada",
               stdin="ann's own pw 1\n", CISR_DESK_PASSWORD=ADMIN_PASSWORD)[0] == 0
    # a wrong password: one line, a failing status, nothing changed
    status, out, err = run("import", "--registry", "registry.csv", "a.pdf", CISR_DESK_USER="ada",
                           CISR_DESK_PASSWORD="nope")
    assert status != 0 and out == "" and err == "cisr-desk: There is no user called 'ada' with that password\n"
    with Desk.open(db) as desk:
        assert desk.count_records() == 0 and desk.registry_versions() == []
        assert [(u.name, u.role) for u in desk.users()] == [("ada", "admin"), ("ann", "clerk")]
        with desk._engine.connect() as conn:
            [(stored,)] = conn.exec_driver_sql("SELECT password_hash FROM users WHERE name = 'ada'")
        assert stored.startswith("$argon2id$") and ADMIN_PASSWORD not in stored
    # the right one works
    status, out, _ = run("records", "--json", CISR_DESK_USER="ann", CISR_DESK_PASSWORD="ann's own pw 1")
    assert status == 0 and json.loads(out) == []


# -- in process ----------------------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(service, "default_extractor", fakes.FakeExtractor())
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    for name in ("CISR_DESK_USER", "CISR_DESK_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def run(*args: str, stdin: str = "", password: str | None = PASSWORD) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        if password is None:
            monkeypatch.delenv("CISR_DESK_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("CISR_DESK_PASSWORD", password)
        status = main([str(a) for a in args])
        out = capsys.readouterr()
        return status, out.out, out.err

    assert run("users", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD)[0] == 0
    for name, role in (("ann", "clerk"), ("sue", "supervisor")):
        assert run("users", "add", name, "--role", role, "--password-stdin", "--as", "ada", stdin=PASSWORD)[0] == 0
    return run


def test_the_first_user_must_be_an_admin_and_then_nobody_adds_users_unsigned(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.delenv("CISR_DESK_USER", raising=False)
    monkeypatch.delenv("CISR_DESK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD))
    assert main(["users", "add", "ann", "--role", "clerk", "--password-stdin"]) == 1
    assert "must be an admin" in capsys.readouterr().err
    assert main(["users", "add", "ada", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD))
    assert main(["users", "add", "eve", "--role", "admin", "--password-stdin"]) == 1
    assert "--as NAME" in capsys.readouterr().err


@pytest.mark.parametrize("args", [("records",), ("show", "1"), ("export", "--week", "2026-W48"),
                                  ("import", "a.pdf"), ("registry", "import", "registry.csv"), ("users", "list"),
                                  ("submit", "1")])
def test_every_database_command_refuses_without_sign_in(cli, tmp_path, args):
    fakes.write_registry_csv(tmp_path / "registry.csv")
    (tmp_path / "a.pdf").write_bytes(b"%PDF a")
    for who, password in ((None, PASSWORD), ("ann", "wrong"), ("zed", PASSWORD), ("ann", None)):
        status, out, err = cli(*args, *(("--as", who) if who else ()), password=password)
        assert status == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err, (who, err)
    with Desk.open(None) as desk:
        assert desk.count_records() == 0 and desk.registry_versions() == [] and desk.export_batches() == []


def test_admins_manage_users_on_the_command_line(cli):
    assert cli("users", "role", "ann", "supervisor", "--as", "ada")[1] == "user ann is now supervisor\n"
    assert cli("users", "disable", "sue", "--as", "ada")[1] == "user sue disabled\n"
    status, _, err = cli("records", "--as", "sue")
    assert status == 1 and "'sue' is disabled" in err
    assert cli("users", "list", "--as", "ann")[1] == "ada\tadmin\nann\tsupervisor\nsue\tsupervisor\tdisabled\n"
    assert cli("users", "enable", "sue", "--as", "ada")[1] == "user sue enabled\n"
    status, _, err = cli("users", "disable", "ada", "--as", "ada")
    assert status == 1 and "last active admin" in err
    status, _, err = cli("users", "role", "sue", "admin", "--as", "ann")
    assert status == 1 and "only an admin" in err
    status, _, err = cli("users", "add", "eve", "--role", "admin", "--password-stdin", "--as", "sue",
                         stdin="eve's own pw 1")
    assert status == 1 and "only an admin" in err
    assert "eve" not in cli("users", "list", "--as", "ada")[1]


def test_reset_password_then_the_user_chooses_a_new_one(cli):
    status, out, _ = cli("users", "reset-password", "ann", "--password-stdin", "--as", "ada", stdin="temporary pw 1\n")
    assert status == 0 and "choose a new one" in out
    status, _, err = cli("records", "--as", "ann", password="temporary pw 1")
    assert status == 1 and "users passwd" in err
    assert "must change password" in cli("users", "list", "--as", "ada")[1]
    status, _, err = cli("users", "passwd", "--password-stdin", "--as", "ann", password="temporary pw 1", stdin="short")
    assert status == 1 and "at least 8" in err
    status, out, _ = cli("users", "passwd", "--password-stdin", "--as", "ann", password="temporary pw 1",
                         stdin="ann's own pw 2\n")
    assert (status, out) == (0, "password of ann changed\n")
    assert cli("records", "--as", "ann", password="ann's own pw 2")[0] == 0
    assert cli("records", "--as", "ann", password="temporary pw 1")[0] == 1


def test_lockout_on_the_command_line(cli):
    for _ in range(4):
        assert "with that password" in cli("records", "--as", "ann", password="wrong")[2]
    status, _, err = cli("records", "--as", "ann", password="wrong")
    assert status == 1 and "locked until" in err
    assert "locked until" in cli("records", "--as", "ann")[2]
    assert "locked until" in cli("users", "list", "--as", "ada")[1]


def test_no_password_and_no_terminal_is_a_clear_error(cli):
    status, _, err = cli("records", "--as", "ann", password=None)
    assert status == 1 and "CISR_DESK_PASSWORD" in err
    status, _, err = cli("users", "reset-password", "ann", "--as", "ada")
    assert status == 1 and "--password-stdin" in err
    status, _, err = cli("users", "add", "x" * 70, "--role", "clerk", "--password-stdin", "--as", "ada", stdin=PASSWORD)
    assert status == 0
    status, _, err = cli("users", "add", "y" * 90, "--role", "clerk", "--password-stdin", "--as", "ada", stdin=PASSWORD)
    assert status == 1 and "at most 80" in err and "Traceback" not in err
    assert cli("records", "--as", "x" * 70)[0] == 0


def test_a_scripts_sign_ins_are_audited_once_not_once_per_command(cli, tmp_path):
    for args in (("records",), ("records", "--json"), ("reasons",)):
        assert cli(*args, "--as", "ann")[0] == 0
    with Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}") as desk, desk._engine.connect() as conn:
        got = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT \"user\", new FROM audit_events WHERE action = 'sign_in' AND \"user\" = 'ann'")]
        assert got == [("ann", f"command line on {desk.host}")]


def test_db_and_as_given_before_the_action_are_kept(cli, tmp_path):
    """``users --db URL list`` used to run against the default database (the action's own --db,
    absent, overwrote the command's): here that is another, empty file, where nobody can sign in."""
    other = tmp_path / "other.sqlite3"
    assert cli("users", "add", "eve", "--role", "admin", "--password-stdin", "--db", other, stdin=PASSWORD)[0] == 0
    for args in (("users", "--db", other, "list", "--as", "eve"), ("users", "list", "--db", other, "--as", "eve")):
        status, out, err = cli(*args)
        assert (status, out) == (0, "eve\tadmin\n"), err
    status, out, _ = cli("reasons", "--as", "sue", "add", "late", "Arrived after the deadline")
    assert status == 0, out
