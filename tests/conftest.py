import os
import uuid
from pathlib import Path

import pytest

from cisr_desk.store import fakes, passwords
from cisr_desk.store.service import Desk
from users_support import CHEAP_HASHER, add_users

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
PG_ENV = "CISR_DESK_TEST_PG"  # a superuser URL, e.g. postgresql+psycopg://cisr_test@127.0.0.1:5432/postgres
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "truth.json").is_file():
        pytest.skip("../shared/samples is not here (a user's clone has none)")
    return SAMPLES


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """argon2id with tiny parameters: the product's cost is for attackers, not for the test suite."""
    monkeypatch.setattr(passwords, "HASHER", CHEAP_HASHER)


# -- databases: SQLite in tmp_path, or a fresh database on the test PostgreSQL server -----------
@pytest.fixture(scope="session")
def pg_admin():
    """An AUTOCOMMIT engine on the server named by CISR_DESK_TEST_PG (``make test`` starts one)."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server for the tests ({PG_ENV} is not set; make test starts one)")
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # configured but unreachable is a failure, not a skip
        conn.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


@pytest.fixture
def pg_database(pg_admin):
    """A factory of fresh, empty databases on the test server (each dropped after the test)."""
    from sqlalchemy import text

    made: list[str] = []

    def make() -> str:
        name = f"cisr_test_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return pg_admin.url.set(database=name).render_as_string(hide_password=False)

    yield make
    with pg_admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def db_url(engine_name, tmp_path, request) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the test PostgreSQL server."""
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    return request.getfixturevalue("pg_database")()


@pytest.fixture
def open_desk(db_url, tmp_path, clock, extractor):
    """Opens the Desk of the test's database (stored files in tmp_path on either engine)."""
    def open_(**kwargs) -> Desk:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("extractor", extractor)
        if not db_url.startswith("sqlite"):
            kwargs.setdefault("files_dir", tmp_path / "files")
        return Desk.open(db_url, **kwargs)

    return open_


# -- a fresh desk per test: a fixed clock, capture faked, on SQLite and on PostgreSQL ----------------
@pytest.fixture
def clock():
    return fakes.FixedClock()


@pytest.fixture
def extractor():
    return fakes.FakeExtractor()


@pytest.fixture
def desk(open_desk, tmp_path):
    """An admin (ada), a clerk (ann), a supervisor (sue), all with users_support.PASSWORD, and the
    sample registry; on SQLite and on PostgreSQL; tests may override it."""
    d = open_desk()
    add_users(d, ("ann", "clerk"), ("sue", "supervisor"))
    d.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv"), "sue")
    yield d
    d.close()
