"""The demo database of a first start: three users, the sample registry and a handful of
generated scans in the queue, so a newcomer sees the whole flow in a minute.

The demo users' passwords are known (``demo_password``) and the database is marked as the demo,
so its sign-in screen, and no other, says them.

Plain Python over the Desk (no Qt): the app runs ``prepare_scans`` in the background and then
imports the scans like any other batch, with its progress shown in the Inbox."""
from __future__ import annotations

import getpass
from pathlib import Path

from cisr_desk.paths import demo_registry

DEMO_FORMS = 8
DEMO_SEED = 2026


def os_user() -> str:
    try:
        return getpass.getuser() or "clerk"
    except (OSError, KeyError):
        return "clerk"


def is_empty(desk) -> bool:
    return not desk.users() and desk.count_records() == 0


def demo_password(role: str) -> str:
    return f"demo-{role}"


def create_users(desk, clerk: str | None = None) -> dict[str, str]:
    """The clerk is whoever runs the demo; a supervisor and an admin to switch to. The admin
    comes first: it is the one user a new database lets in without anybody's permission."""
    clerk = clerk or os_user()
    wanted = {clerk: "clerk", "supervisor": "supervisor", "admin": "admin"}
    if clerk in ("supervisor", "admin"):
        wanted = {"clerk": "clerk", "supervisor": "supervisor", "admin": "admin"}
    existing = {u.name for u in desk.users()}
    for name, role in sorted(wanted.items(), key=lambda item: item[1] != "admin"):
        if name not in existing:
            desk.add_user(name, role, demo_password(role), by=None if desk.first_admin_needed() else "admin")
    desk.mark_demo(wanted, "admin")
    return wanted


def prepare_scans(desk, scans_dir: Path, by: str = "admin", n_forms: int = DEMO_FORMS, seed: int = DEMO_SEED,
                  progress=None) -> list[Path]:
    """Import the sample registry and write the demo scans; returns the PDFs to import."""
    if progress:
        progress("Importing the sample DRP registry…")
    desk.import_registry(demo_registry(), by)
    scans_dir = Path(scans_dir)
    scans_dir.mkdir(parents=True, exist_ok=True)
    existing = sorted(scans_dir.glob("*.pdf"))
    if not existing:
        if progress:
            progress(f"Generating {n_forms} sample scans…")
        from cisr_desk.synth import generate_set

        generate_set(scans_dir, n_forms, seed)
        existing = sorted(scans_dir.glob("*.pdf"))
    return existing
