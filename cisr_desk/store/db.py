"""Where the database is, how to connect to it, and bringing its schema up to date.

The URL comes from, in order: the caller (``--db URL``), the ``CISR_DESK_DB`` environment
variable, ``db_url`` in the user's ``settings.json`` (platformdirs config folder), and last the
embedded default, a SQLite file in the user's data folder. The stored copies of source files
go beside a SQLite file, or for a server database to ``CISR_DESK_FILES`` / ``files_dir`` in
settings / the data folder.

A URL that names no database cisr-desk can use — malformed, or of another kind (MySQL, Oracle)
or of a driver that is not installed — is a DeskError saying so, not SQLAlchemy's parse or import
failure.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from cisr_desk.domain.errors import DeskError

APP_NAME = "cisr-desk"
ENV_DB = "CISR_DESK_DB"
ENV_FILES = "CISR_DESK_FILES"
BACKENDS = ("sqlite", "postgresql")  # what the schema and its migrations are written for
URL_FORMS = "a SQLite file, or postgresql://USER@HOST/DATABASE"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _settings() -> dict:
    from platformdirs import user_config_dir

    path = Path(user_config_dir(APP_NAME, appauthor=False)) / "settings.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def resolve_url(url: str | None = None) -> str:
    url = url or os.environ.get(ENV_DB) or _settings().get("db_url")
    if url:
        if "://" not in url:  # a bare file name means a SQLite file
            url = f"sqlite:///{Path(url).expanduser().resolve()}"
        return url
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'cisr-desk.sqlite3'}"


def parse_url(url: str) -> URL:
    """The URL parsed, or DeskError when it is malformed or names a kind of database cisr-desk
    does not work with."""
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):  # not echoed: it may hold a password
        raise DeskError(f"malformed database URL: give {URL_FORMS}") from None
    if u.get_backend_name() not in BACKENDS:
        raise DeskError(f"unsupported database URL {u.render_as_string(hide_password=True)}: "
                        f"cisr-desk works with {URL_FORMS}")
    return u


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for an in-memory database or another engine)."""
    u = parse_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def resolve_files_dir(url: str, files_dir: Path | str | None = None) -> Path:
    if files_dir:
        return Path(files_dir)
    if os.environ.get(ENV_FILES):
        return Path(os.environ[ENV_FILES])
    db_file = sqlite_path(url)
    if db_file is not None:
        return db_file.with_name(db_file.stem + "-files")
    configured = _settings().get("files_dir")
    return Path(configured) if configured else data_dir() / "files"


def make_engine(url: str) -> Engine:
    u = parse_url(url)
    if u.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ImportError as exc:  # e.g. postgresql+psycopg2:// where only psycopg (3) is installed
            raise DeskError(f"unsupported database URL {u.render_as_string(hide_password=True)}: its driver "
                            f"{exc.name or u.get_driver_name()} is not installed; cisr-desk works with "
                            f"{URL_FORMS}") from None
    db_file = sqlite_path(url)
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if db_file is not None:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock at once, so two processes never deadlock upgrading a
        # read lock; readers stay deferred and never block.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")

    return engine


def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether this version's migrations include ``revision``."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(engine: Engine, db_file: Path, label: str) -> Path:
    """A consistent copy of a SQLite file (through SQLite's backup API, safe with WAL)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db_file.with_name(f"{db_file.name}.{label}-{stamp}.bak")
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()
    return target


MIGRATION_LOCK_KEY = 0x43495352  # "CISR": the advisory lock every seat takes to create or upgrade the schema


def migrate(engine: Engine) -> Path | None:
    """Upgrade the schema to the newest revision; returns the backup made first, if any.

    Safe with several processes at once: the upgrade runs under a migration lock (a
    transaction-scoped advisory lock on PostgreSQL, an immediate transaction on SQLite, which
    waits out the busy timeout), and the revision is read again once the lock is held, so only
    the first process migrates and the others find the schema up to date.

    A SQLite file that already holds data is copied before it is migrated, so a failed or
    unwanted upgrade can be undone by putting the copy back.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    if current_revision(engine) == head:
        return None
    backup = None
    db_file = sqlite_path(str(engine.url))
    with engine.execution_options(writer=True).connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        else:
            conn.exec_driver_sql("SELECT 1")  # a writer: the BEGIN IMMEDIATE holds SQLite's write lock
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            conn.rollback()
            return None
        if current is not None and not known_revision(current):
            conn.rollback()
            raise DeskError(f"This database was upgraded by a newer cisr-desk (schema revision {current}; this "
                            f"version knows revisions up to {head}). Install the newer cisr-desk on this seat; "
                            "the database was not changed.")
        if db_file is not None and db_file.exists() and (current or inspect(conn).get_table_names()):
            backup = backup_sqlite(engine, db_file, f"before-{head}")
        try:
            command.upgrade(_alembic_config(conn), "head")
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", "") == "42501":  # insufficient privilege: an application role
                raise DeskError(f"The database needs upgrading to schema revision {head} (it has {current}); "
                                "its owner does that: cisr-desk db init-postgres (see the README)") from exc
            if current is None and "already exists" in str(exc.orig):
                # a table of another program's of the same name as one of ours ("table users already
                # exists"): the migration is rolled back whole, and the user told what the file is
                conn.rollback()
                where = db_file or make_url(str(engine.url)).render_as_string(hide_password=True)
                raise DeskError(f"{where} is not a cisr-desk database: it already holds a table of another "
                                f"program's ({str(exc.orig).strip()}). Give a new file or cisr-desk's own; "
                                "nothing was changed.") from exc
            raise
        conn.commit()
    return backup
