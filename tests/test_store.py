"""The store: migrations, users, idempotent import, the queue, records and their fields, the audit log."""
from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from cisr_desk.domain.errors import InvalidValue, NotFound
from cisr_desk.store import db, fakes
from cisr_desk.store.models import Base
from cisr_desk.store.service import Desk
from users_support import PASSWORD

RECEIVED = dt.date(2026, 11, 20)


def pdf(folder: Path, name: str, body: str = "") -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n" + (body or name).encode())
    return path


# -- database ------------------------------------------------------------------------------------
def test_migrations_build_the_models_schema_from_an_empty_database(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert db.migrate(engine) is None  # nothing to back up in a new file
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert {"records", "field_values", "audit_events", "authorizations", "export_batches"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(desk, engine_name):
    if engine_name != "sqlite":
        pytest.skip("a SQLite setting")
    with desk._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_an_old_sqlite_file_is_copied_before_it_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE legacy (x INTEGER)")
    con.commit()
    con.close()
    d = Desk.open(f"sqlite:///{path}")
    assert d.backup is not None and d.backup.exists()
    assert "legacy" in sqlite3.connect(d.backup).execute("SELECT name FROM sqlite_master").fetchone()
    d.close()
    again = Desk.open(f"sqlite:///{path}")
    assert again.backup is None  # up to date: no copy
    again.close()


def test_a_database_a_newer_version_upgraded_is_refused_and_left_alone(tmp_path):
    from cisr_desk.domain.errors import DeskError

    path = tmp_path / "newer.sqlite3"
    Desk.open(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    with pytest.raises(DeskError, match="newer cisr-desk .*0099_from_the_future"):
        Desk.open(f"sqlite:///{path}")
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone() == ("0099_from_the_future",)
    assert not list(tmp_path.glob("*.bak"))  # nothing to undo: no copy made either


def test_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    assert db.resolve_url(None).endswith("env.sqlite3")
    assert db.resolve_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_audit_log_is_append_only(desk):
    statements = ["UPDATE audit_events SET \"user\" = 'mallory'", "DELETE FROM audit_events"]
    if desk._engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_events")  # skips row triggers; a statement trigger refuses it
    for sql in statements:
        with desk._engine.connect() as conn:
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text(sql))
    with desk._engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() > 0


# -- users ---------------------------------------------------------------------------------------------
def test_users_have_roles(desk):
    assert [(u.name, u.role) for u in desk.users()] == [("ada", "admin"), ("ann", "clerk"), ("sue", "supervisor")]
    assert desk.user("sue").role == "supervisor"
    with pytest.raises(NotFound):
        desk.user("zed")
    with pytest.raises(InvalidValue, match="not a role"):
        desk.add_user("zed", "boss", PASSWORD, by="ada")
    with pytest.raises(InvalidValue, match="already"):
        desk.add_user("ann", "clerk", PASSWORD, by="ada")


# -- import --------------------------------------------------------------------------------------------
def test_import_stores_forms_and_an_immutable_copy(desk, tmp_path, extractor):
    extractor.results["two.pdf"] = fakes.document(tmp_path / "two.pdf", [
        fakes.form(fakes.clean_values(1), pages=[1, 2]),
        fakes.form(fakes.clean_values(2), pages=[4, 5], doubtful=["customer_name"]),
    ], pages=5, unrecognized=[3])
    report = desk.import_files([pdf(tmp_path, "two.pdf")], "ann", received=RECEIVED)
    [outcome] = report.files
    assert (outcome.status, outcome.forms, outcome.unrecognized_pages) == ("imported", 2, [3])
    rec = desk.get_record(outcome.record_ids[1])
    assert rec.status == "imported" and rec.pages == [4, 5] and rec.received == RECEIVED
    assert rec.source_path.read_bytes() == (tmp_path / "two.pdf").read_bytes()
    assert rec.source_path.parent.parent == desk.files_dir
    assert [p.source_page for p in rec.placements] == [4, 5]
    assert rec.field("customer_name").review and rec.field("customer_name").reasons == ["hard to read"]
    assert rec.history[0].action == "import"


def test_importing_the_same_file_again_creates_nothing(desk, tmp_path):
    first = desk.import_files([pdf(tmp_path, "a.pdf")], "ann")
    copy = tmp_path / "sub"
    copy.mkdir()
    (copy / "renamed.pdf").write_bytes((tmp_path / "a.pdf").read_bytes())
    again = desk.import_files([tmp_path / "a.pdf", copy / "renamed.pdf"], "ann")
    assert [f.status for f in again.files] == ["duplicate", "duplicate"]
    assert "already imported" in again.files[0].message and str(first.record_ids[0]) in again.files[0].message
    assert desk.count_records() == 1


def test_a_file_that_cannot_be_read_loses_nothing_else(desk, tmp_path, extractor):
    extractor.results["bad.pdf"] = fakes.document(tmp_path / "bad.pdf", [], pages=0, errors=["bad.pdf: not a PDF"])
    files = [pdf(tmp_path, "a.pdf"), pdf(tmp_path, "bad.pdf"), pdf(tmp_path, "c.pdf"), tmp_path / "gone.pdf"]
    report = desk.import_files(files, "ann")
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {"a.pdf": "imported", "bad.pdf": "error", "c.pdf": "imported", "gone.pdf": "error"}
    assert desk.count_records() == 2
    # the unreadable file was not stored, so it can be imported once it is fixed
    extractor.results.pop("bad.pdf")
    assert desk.import_files([tmp_path / "bad.pdf"], "ann").files[0].status == "imported"


def test_a_capture_crash_on_one_file_keeps_the_others(desk, tmp_path, extractor):
    extractor.results["boom.pdf"] = RuntimeError("decoder exploded")
    report = desk.import_files([pdf(tmp_path, "a.pdf"), pdf(tmp_path, "boom.pdf"), pdf(tmp_path, "c.pdf")], "ann")
    assert [f.status for f in report.files] == ["imported", "error", "imported"]
    assert "decoder exploded" in report.files[1].message


def test_import_reports_progress_and_can_be_cancelled(desk, tmp_path):
    seen = []
    files = [pdf(tmp_path, f"{i}.pdf") for i in range(3)]
    report = desk.import_files(files, "ann", progress=seen.append, cancel=lambda: len(seen) >= 1)
    assert [f.status for f in report.files] == ["imported", "cancelled", "cancelled"]
    assert seen[0].files_total == 3


def test_folders_are_searched_for_pdfs(desk, tmp_path):
    folder = tmp_path / "scans"
    (folder / "deep").mkdir(parents=True)
    pdf(folder, "x.pdf")
    pdf(folder / "deep", "y.PDF")
    (folder / "notes.txt").write_text("not a scan")
    assert desk.import_files([folder], "ann").count("imported") == 2


# -- queue and records -------------------------------------------------------------------------------------
def test_queue_lists_filters_searches_and_pages(desk, tmp_path, extractor):
    for i in range(1, 6):
        extractor.results[f"{i}.pdf"] = [fakes.form(fakes.clean_values(i), doubtful=["mailing_zip"] if i % 2 else [])]
    desk.import_files([pdf(tmp_path, f"{i}.pdf") for i in range(1, 6)], "ann")
    desk.flag(2, "torn page", "ann")
    assert desk.count_records() == 5
    assert desk.count_records(["flagged"]) == 1 and desk.count_records("imported") == 4
    rows = desk.list_records(status=["imported"], offset=1, limit=2)
    assert [r.id for r in rows] == [3, 4]
    assert rows[0].doubtful == 1 and rows[0].customer == "Customer 000003" and rows[0].source == "3.pdf"
    assert [r.id for r in desk.list_records(search="customer 000004")] == [4]
    assert [r.id for r in desk.list_records(search="4.PDF")] == [4]
    assert desk.record_ids(order="-id") == [5, 4, 3, 2, 1]
    assert [r.id for r in desk.list_records(order="-doubtful", limit=3)] == [5, 3, 1]
    with pytest.raises(InvalidValue):
        desk.list_records(status="lost")
    with pytest.raises(NotFound):
        desk.get_record(99)


def test_set_field_normalises_checks_and_logs(desk, tmp_path, extractor):
    values = fakes.clean_values(1)
    values["mailing_zip"] = "9177"
    extractor.results["a.pdf"] = [fakes.form(values, doubtful=["mailing_zip"])]
    desk.import_files([pdf(tmp_path, "a.pdf")], "ann", received=RECEIVED)
    rec = desk.get_record(1)
    assert [i.code for i in rec.issues] == ["invalid_format"]
    rec = desk.set_field(1, "mailing_zip", " 91770 ", "ann")
    f = rec.field("mailing_zip")
    assert (f.value, f.ocr_value, f.review, f.changed_by) == ("91770", "9177", False, "ann")
    assert rec.issues == [] and rec.status == "in_review" and rec.holder == "ann"
    assert rec.edited_by == {"ann"}
    events = [(e.action, e.field, e.old, e.new) for e in rec.history]
    assert ("set_field", "mailing_zip", "9177", "91770") in events
    assert ("start_review", "status", "imported", "in_review") in events
    with pytest.raises(InvalidValue, match="ZIP"):
        desk.set_field(1, "mailing_zip", "12", "ann")
    with pytest.raises(InvalidValue, match="no field"):
        desk.set_field(1, "favourite_colour", "blue", "ann")
    assert desk.set_field(1, "data_account", "yes", "ann").field("data_account").value is True
    assert desk.list_records()[0].issues == 0


def test_accept_field_clears_the_doubt(desk, tmp_path, extractor):
    extractor.results["a.pdf"] = [fakes.form(fakes.clean_values(1), doubtful=["customer_name"])]
    desk.import_files([pdf(tmp_path, "a.pdf")], "ann")
    rec = desk.accept_field(1, "customer_name", "ann")
    assert not rec.field("customer_name").review and rec.field("customer_name").value == "Customer 000001"
    assert [e.action for e in rec.history[-2:]] == ["start_review", "accept_field"]
    assert desk.list_records()[0].doubtful == 0


def test_each_call_uses_its_own_session_from_threads(desk, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    desk.import_files([pdf(tmp_path, f"{i}.pdf") for i in range(4)], "ann")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: desk.set_field(i, "customer_title", f"T{i}", "ann"), range(1, 5)))
    assert [r.field("customer_title").value for r in results] == ["T1", "T2", "T3", "T4"]


def test_upgrading_a_database_with_records_keeps_them(tmp_path):
    """A file made by revision 0001 (before records kept their values in one column) is copied,
    upgraded, and its records read as before."""
    from alembic import command

    path = tmp_path / "v1.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.upgrade(db._alembic_config(conn), "0001")
        conn.commit()
    old = Desk(f"sqlite:///{path}", extractor=fakes.FakeExtractor())  # no migration: still at 0001
    with old._write() as s:
        s.execute(text("INSERT INTO import_batches (id, created_at, created_by) VALUES (1, '2026-11-01', 'x')"))
        s.execute(text("INSERT INTO source_files (id, batch_id, sha256, original_path, name, size, page_count, "
                       "stored_name, unrecognized_pages, imported_at) VALUES (1, 1, 'ab', '/a.pdf', 'a.pdf', 1, 2, "
                       "'ab/ab.pdf', '[]', '2026-11-01')"))
        s.execute(text("INSERT INTO records (id, source_file_id, template, pages, attachment_pages, missing_pages, "
                       "digital, status, holder, customer, customer_account, drp, request_type, doubtful, issue_count, "
                       "source_name, search, entered_by, flag_reason, reject_reason, created_at, updated_at, "
                       "approved_by) VALUES (1, 1, '14-941-rev-2026-03', '[1, 2]', '[]', '[]', 0, 'imported', '', "
                       "'Jo', '', '', '', 0, 0, 'a.pdf', 'jo', '', '', '', '2026-11-01', '2026-11-01', '')"))
        s.execute(text("INSERT INTO field_values (record_id, key, ocr_value, value, confidence, review, reasons, raw, "
                       "changed_by) VALUES (1, 'customer_name', '\"Jo\"', '\"Jo\"', 0.9, 0, '[]', 'Jo', ''), "
                       "(1, 'request_authorize', 'true', 'true', 0.9, 0, '[]', '', '')"))
    old.close()
    engine.dispose()
    desk = Desk.open(f"sqlite:///{path}")
    assert desk.backup is not None and "before-" in desk.backup.name
    assert db.current_revision(desk._engine) == db.head_revision()
    with desk._read() as s:
        from cisr_desk.store.models import Record

        assert s.get(Record, 1).current_values == {"customer_name": "Jo", "request_authorize": True}
    assert desk.list_records()[0].customer == "Jo"
    desk.close()


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    """A SQLite file of another program ("table users already exists" on migrating) is named for
    what it is, and nothing is added to it (CLI audit)."""
    from cisr_desk.domain.errors import DeskError

    path = tmp_path / "theirs.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT)")
    con.commit()
    con.close()
    with pytest.raises(DeskError, match="is not a cisr-desk database: it already holds a table of another program's"):
        Desk.open(f"sqlite:///{path}")
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"users"}  # the migration rolled back whole: nothing of ours added


def test_migrations_render_for_postgresql():
    """The office server's engine: the whole schema renders as PostgreSQL DDL (offline, no server)."""
    import io

    from alembic import command

    cfg = db._alembic_config()
    cfg.set_main_option("sqlalchemy.url", "postgresql://desk@localhost/desk")
    cfg.output_buffer = io.StringIO()
    command.upgrade(cfg, "head", sql=True)
    script = cfg.output_buffer.getvalue()
    assert "CREATE TABLE records" in script and '"user" VARCHAR(80)' in script
    assert "EXECUTE FUNCTION audit_events_append_only()" in script
    assert f"UPDATE alembic_version SET version_num='{db.head_revision()}'" in script


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are how Linux names them")
def test_the_default_is_a_sqlite_file_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CISR_DESK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    desk = Desk.open()
    try:
        assert desk.url == f"sqlite:///{tmp_path / 'data' / 'cisr-desk' / 'cisr-desk.sqlite3'}"
        assert desk.files_dir == tmp_path / "data" / "cisr-desk" / "cisr-desk-files"
        assert desk.users() == []
    finally:
        desk.close()
    (tmp_path / "config" / "cisr-desk").mkdir(parents=True)
    (tmp_path / "config" / "cisr-desk" / "settings.json").write_text('{"db_url": "sqlite:///%s"}' % (tmp_path / "s.db"))
    assert db.resolve_url() == f"sqlite:///{tmp_path / 's.db'}"
