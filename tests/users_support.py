"""Users for tests: one password for all, cheap argon2 parameters, an admin created first."""
from __future__ import annotations

from argon2 import PasswordHasher, Type

PASSWORD = "correct horse 7"  # every test user's password
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


def add_users(desk, *users: tuple[str, str], admin: str = "ada") -> None:
    """``users`` as (name, role); the admin that adds them is created first unless it is listed."""
    listed = dict(users)
    if listed.get(admin) != "admin" and desk.first_admin_needed():
        desk.add_user(admin, "admin", PASSWORD)
    for name, role in users:
        if desk.first_admin_needed():
            desk.add_user(name, role, PASSWORD)
        else:
            desk.add_user(name, role, PASSWORD, by=admin)


def cli_runner(monkeypatch, capsys):
    """``run(*args, stdin="") -> (status, out, err)``: the command line in this process, with
    what it reads on standard input given and what it prints captured."""
    import io

    from cisr_desk.cli.main import main

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main([str(a) for a in args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run
