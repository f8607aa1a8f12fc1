"""``cisr-desk db init-postgres`` on the test PostgreSQL server: the seats' role works the whole
workflow but cannot change, delete or truncate the audit log, nor the schema."""
from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cisr_desk.cli.main import main
from cisr_desk.store import fakes
from cisr_desk.store.service import Desk
from users_support import add_users


@pytest.fixture
def names(pg_admin):
    tag = uuid.uuid4().hex[:8]
    made = {"database": f"cisr_setup_{tag}", "owner": f"cisr_owner_{tag}", "app": f"cisr_app_{tag}"}
    yield made
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{made["database"]}" WITH (FORCE)'))
        for role in (made["app"], made["owner"]):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def init(pg_admin, names, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("owner-secret\napp-secret\n"))
    status = main(["db", "init-postgres", "--url", pg_admin.url.render_as_string(hide_password=False),
                   "--database", names["database"], "--owner", names["owner"], "--app-user", names["app"],
                   "--password-stdin"])
    out = capsys.readouterr()
    assert status == 0, out.err
    return out.out


def test_the_application_role_works_but_never_rewrites_the_audit_log(pg_admin, names, tmp_path, monkeypatch,
                                                                      capsys):
    assert "up to date" in init(pg_admin, names, monkeypatch, capsys)
    assert "up to date" in init(pg_admin, names, monkeypatch, capsys)  # again: nothing breaks
    app_url = make_url(pg_admin.url).set(username=names["app"], password="app-secret", database=names["database"])
    url = app_url.render_as_string(hide_password=False)

    extractor = fakes.FakeExtractor()
    desk = Desk.open(url, files_dir=tmp_path / "files", extractor=extractor)
    try:
        add_users(desk, ("ann", "clerk"), ("sue", "supervisor"))
        desk.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv"), "sue")
        (tmp_path / "a.pdf").write_bytes(b"%PDF a")
        [rid] = desk.import_files([tmp_path / "a.pdf"], "ann").record_ids
        desk.claim(rid, "ann")
        desk.set_field(rid, "customer_title", "Owner", "ann")
        assert desk.submit(rid, "ann").status == "approved"
        assert desk.expire_authorizations() == 0
    finally:
        desk.close()

    engine = create_engine(url)
    try:
        for sql in ('UPDATE audit_events SET "user" = \'mallory\'', "DELETE FROM audit_events",
                    "TRUNCATE audit_events", "TRUNCATE records CASCADE", "DROP TRIGGER audit_events_append_only "
                    "ON audit_events", "CREATE TABLE sneaky (x int)", "UPDATE alembic_version SET version_num = 'x'"):
            with engine.connect() as conn:
                with pytest.raises(Exception, match="permission denied|must be owner"):
                    conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() >= 5
            assert not conn.execute(text("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles "
                                         "WHERE rolname = current_user")).scalar()
    finally:
        engine.dispose()
