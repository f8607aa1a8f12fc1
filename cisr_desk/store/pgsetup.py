"""Setting up a PostgreSQL database for several seats: an owner role and an application role.

The owner owns the schema and runs the migrations; the seats connect as the application role,
which may read and write the records but can never rewrite history: on ``audit_events`` it has
SELECT and INSERT only (no UPDATE, DELETE or TRUNCATE), it has no TRUNCATE anywhere, cannot
create or alter tables, and only reads ``alembic_version``. (The audit table's triggers refuse
updates, deletes and truncation from anyone; the grants make sure the application's user cannot
even drop them.) Running it again is safe: it brings the schema up to date and grants again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from cisr_desk.domain.errors import InvalidValue
from cisr_desk.store import db

APPEND_ONLY = ("audit_events",)
READ_ONLY = ("alembic_version",)
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class PostgresSetup:
    owner_url: str  # migrations, upgrades (keep it with the administrator)
    app_url: str  # what every seat uses: CISR_DESK_DB or --db


def _ident(name: str, what: str) -> str:
    if not _NAME.match(name or ""):
        raise InvalidValue(f"{what} {name!r}: use lower-case letters, digits and _ (a PostgreSQL name)")
    return f'"{name}"'


def _role(conn, name: str, password: str | None) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(text(f"{verb} ROLE {_ident(name, 'role')} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    if password is not None:
        # a literal: PASSWORD takes no bind parameter; quote by doubling as SQL does
        conn.execute(text(f"ALTER ROLE {_ident(name, 'role')} PASSWORD " + "'" + password.replace("'", "''") + "'"))


def init_postgres(admin_url: str, database: str, owner: str, app_user: str, *, owner_password: str | None = None,
                  app_password: str | None = None) -> PostgresSetup:
    """Create (or bring up to date) ``database`` owned by ``owner``, migrated, with ``app_user``'s grants.

    ``admin_url`` is a superuser's (or a role with CREATEROLE and CREATEDB) on the server."""
    url = make_url(admin_url)
    if url.get_backend_name() != "postgresql":
        raise InvalidValue(f"{url.render_as_string()} is not a PostgreSQL URL")
    if owner == app_user:
        raise InvalidValue("the owner and the application user must be two roles")
    db_q, owner_q, app_q = _ident(database, "database"), _ident(owner, "owner"), _ident(app_user, "application user")

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            _role(conn, owner, owner_password)
            _role(conn, app_user, app_password)
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).first():
                conn.execute(text(f"CREATE DATABASE {db_q} OWNER {owner_q} ENCODING 'UTF8'"))
            conn.execute(text(f"ALTER DATABASE {db_q} OWNER TO {owner_q}"))
            conn.execute(text(f"REVOKE ALL ON DATABASE {db_q} FROM PUBLIC"))
            conn.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {db_q} TO {app_q}"))
        in_db = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
        try:
            with in_db.connect() as conn:
                conn.execute(text(f"ALTER SCHEMA public OWNER TO {owner_q}"))
                conn.execute(text("REVOKE ALL ON SCHEMA public FROM PUBLIC"))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {app_q}"))
        finally:
            in_db.dispose()
    finally:
        admin.dispose()

    owner_url = _as(url, owner, owner_password, database)
    app_url = _as(url, app_user, app_password, database)
    engine = db.make_engine(owner_url.render_as_string(hide_password=False))
    try:
        db.migrate(engine)
        with engine.begin() as conn:
            _grant(conn, app_q, owner_q)
    finally:
        engine.dispose()
    return PostgresSetup(owner_url.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False))


def _as(url: URL, user: str, password: str | None, database: str) -> URL:
    return url.set(username=user, password=password if password is not None else url.password
                   if url.username == user else None, database=database)


def _grant(conn, app_q: str, owner_q: str) -> None:
    """The application role's rights, table by table (run as the owner, after every migration)."""
    tables = [r[0] for r in conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))]
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app_q}"))
    for table in tables:
        if table in APPEND_ONLY:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        conn.execute(text(f'GRANT {rights} ON TABLE public."{table}" TO {app_q}'))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_q}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {app_q}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {app_q}"))
