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
