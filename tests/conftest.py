import os
from pathlib import Path

import pytest

from cisr_desk.store import fakes, passwords
from cisr_desk.store.service import Desk
from users_support import CHEAP_HASHER, add_users

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not (SAMPLES / "truth.json").is_file():
        pytest.skip("../shared/samples is not here (a user's clone has none)")
    return SAMPLES


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """argon2id with tiny parameters: the product's cost is for attackers, not for the test suite."""
    monkeypatch.setattr(passwords, "HASHER", CHEAP_HASHER)


# -- a fresh desk per test: SQLite in tmp_path, a fixed clock, capture faked ------------------
@pytest.fixture
def clock():
    return fakes.FixedClock()


@pytest.fixture
def extractor():
    return fakes.FakeExtractor()


@pytest.fixture
def desk(tmp_path, clock, extractor):
    """An admin (ada), a clerk (ann), a supervisor (sue), all with users_support.PASSWORD, and the
    sample registry; tests may override it."""
    d = Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}", clock=clock, extractor=extractor)
    add_users(d, ("ann", "clerk"), ("sue", "supervisor"))
    d.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv"), "sue")
    yield d
    d.close()
