"""Bad input on the command line, each in a real process: a clear line on stderr and a failing
status, never a traceback; and an export that fails marks nothing.

PostgreSQL: set CISR_DESK_TEST_PG to a server URL (postgresql+psycopg://user@host:port/postgres)
and the cases that only PostgreSQL refused (values longer than their column) run there too, each
in a database of its own.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cisr_desk.store import fakes
from cisr_desk.store.service import Desk
from users_support import PASSWORD, add_users

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W48"  # the fixed clock approves on 2026-11-25


def cisr(*args, cwd: Path, db: str, stdout=subprocess.PIPE, **popen) -> subprocess.Popen:
    """Start ``cisr-desk ARGS`` in its own process, its error log kept in ``cwd``.

    The one place that knows how the command line is started: signed in as the admin unless
    ``--as`` names another user (every test user has the same password)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), CISR_DESK_DB=db, XDG_STATE_HOME=str(cwd / "state"),
               HOME=str(cwd), CISR_DESK_USER="ada", CISR_DESK_PASSWORD=PASSWORD)
    return subprocess.Popen([sys.executable, "-m", "cisr_desk", *map(str, args)], cwd=cwd, env=env,
                            stdout=stdout, stderr=subprocess.PIPE, text=True, **popen)


def run(*args, cwd: Path, db: str, stdin: str | None = None) -> tuple[int, str, str]:
    p = cisr(*args, cwd=cwd, db=db, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    out, err = p.communicate(stdin, timeout=120)
    return p.returncode, out, err


def one_clear_line(err: str) -> str:
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("cisr-desk: "), err
    return err


def make_office(url: str, folder: Path, customer: str = "") -> list[int]:
    """ann and sue, the sample registry and two approved records (the first named ``customer``)."""
    extractor = fakes.FakeExtractor()
    desk = Desk.open(url, clock=fakes.FixedClock(), extractor=extractor, files_dir=folder / "files")
    try:
        add_users(desk, ("ann", "clerk"), ("sue", "supervisor"))
        desk.import_registry(fakes.write_registry_csv(folder / "registry.csv"), "sue")
        ids = []
        for n in (1, 2):
            values = fakes.clean_values(n)
            if customer and n == 1:
                values["customer_name"] = customer
            name = f"{n}.pdf"
            extractor.results[name] = [fakes.form(values)]
            (folder / name).write_bytes(b"%PDF " + name.encode())
            [rid] = desk.import_files([folder / name], "ann").record_ids
            assert desk.submit(rid, "ann").status == "approved"
            ids.append(rid)
        return ids
    finally:
        desk.close()


def statuses(url: str, ids) -> set[str]:
    with Desk.open(url) as desk:
        return {desk.get_record(i).status for i in ids}


@pytest.fixture
def office(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    ids = make_office(url, tmp_path)
    return url, tmp_path, ids


def test_a_record_id_no_row_can_have(office):
    url, cwd, _ = office
    status, _, err = run("show", "99999999999999999999", cwd=cwd, db=url)
    assert status == 1 and one_clear_line(err) == "cisr-desk: There is no record 99999999999999999999\n"
    status, _, err = run("export", "--batch", "99999999999999999999", cwd=cwd, db=url)
    assert status == 1 and "There is no export batch" in one_clear_line(err)
    status, _, err = run("show", "-3", cwd=cwd, db=url)
    assert status == 2 and "is not an id" in err and "Traceback" not in err
    status, out, err = run("records", "--limit", "99999999999999999999", cwd=cwd, db=url)
    assert status == 0 and "2 of 2 record(s)" in out and err == ""


def test_a_reader_that_goes_away_is_no_error(office):
    url, cwd, ids = office
    p = cisr("show", ids[0], cwd=cwd, db=url)
    p.stdout.close()  # nobody reads: the first write fails with EPIPE
    err = p.stderr.read()
    p.wait(timeout=120)
    assert err == "" and p.returncode == 1
    shell = subprocess.run(["bash", "-c", 'set -o pipefail; "$@" | head -1', "bash", sys.executable, "-m",
                            "cisr_desk", "show", str(ids[0])], cwd=cwd, capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(ROOT), CISR_DESK_DB=url, CISR_DESK_USER="ann",
                                    CISR_DESK_PASSWORD=PASSWORD), timeout=120)
    assert shell.stdout.startswith(f"record {ids[0]}:") and shell.stderr == ""


@pytest.mark.parametrize("out,message", [
    ("", "no output file given"),
    ("a-file.txt/week.xlsx", "a-file.txt is a file, not a folder"),
    ("a-file.txt", "a-file.txt already exists"),
    pytest.param("/proc/cisr-desk.xlsx", "cannot write to /proc/cisr-desk.xlsx",
                 marks=pytest.mark.skipif(not Path("/proc/self").exists(), reason="no /proc here")),
])
def test_an_export_that_cannot_write_marks_nothing(office, out, message):
    url, cwd, ids = office
    (cwd / "a-file.txt").write_text("mine")
    status, _, err = run("export", "--week", WEEK, "--out", out, cwd=cwd, db=url)
    assert status == 1 and message in one_clear_line(err)
    assert statuses(url, ids) == {"approved"} and (cwd / "a-file.txt").read_text() == "mine"
    assert not list(cwd.rglob("*.xlsx")) and not list(cwd.rglob("*.part"))


def test_export_into_a_folder_then_the_batch_again_beside_it(office):
    url, cwd, ids = office
    (cwd / "out").mkdir()
    status, out, err = run("export", "--week", WEEK, "--out", "out", cwd=cwd, db=url)
    first = cwd / "out" / "authorizations-2026-W48-batch-1.xlsx"
    assert status == 0 and err == "" and str(first) in out and first.is_file()
    assert statuses(url, ids) == {"exported"}
    status, out, _ = run("export", "--batch", "1", "--out", "out", cwd=cwd, db=url)
    again = cwd / "out" / "authorizations-2026-W48-batch-1 (2).xlsx"
    assert status == 0 and str(again) in out
    a, b = (list(load_workbook(p)["Authorizations"].iter_rows(values_only=True)) for p in (first, again))
    assert a == b and len(a) == 3


def test_unexpected_failures_are_one_line_with_a_log(tmp_path):
    (tmp_path / "not-a-database.sqlite3").write_text("just text, " * 200)
    status, _, err = run("records", cwd=tmp_path, db=f"sqlite:///{tmp_path / 'not-a-database.sqlite3'}")
    assert status == 1 and "file is not a database" in one_clear_line(err)
    status, _, err = run("records", cwd=tmp_path, db="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert status == 1 and one_clear_line(err).startswith("cisr-desk: Cannot open the database")
    # (a real bug's line and its logged traceback: test_a_bug_is_an_internal_error_line_...)
    (tmp_path / "not-a.pdf").write_text("no PDF")
    status, _, err = run("template", "derive", "not-a.pdf", "--id", "x", cwd=tmp_path, db="sqlite://")
    assert status == 2 and "not-a.pdf: not a readable PDF" in one_clear_line(err)


# -- values longer than their column: PostgreSQL refused them ---------------------------------------------
def _pg_server() -> str | None:
    return os.environ.get("CISR_DESK_TEST_PG")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.sqlite3'}"
        return
    server = _pg_server()
    if not server:
        pytest.skip("set CISR_DESK_TEST_PG to a PostgreSQL server URL to run this there too")
    import sqlalchemy as sa

    name = f"cisr_exports_{secrets.token_hex(4)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield str(sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_long_names_are_clear_errors_or_kept(database, tmp_path):
    long_customer = "Very Long Customer Name " * 13  # 312 characters
    make_office(database, tmp_path, customer=long_customer)
    status, out, err = run("users", "add", "u" * 70, "--role", "clerk", "--password-stdin", cwd=tmp_path,
                           db=database, stdin=PASSWORD + "\n")
    assert status == 0 and err == "" and "u" * 70 in out
    status, _, err = run("users", "add", "u" * 81, "--role", "clerk", "--password-stdin", cwd=tmp_path,
                         db=database, stdin=PASSWORD + "\n")
    assert status == 1 and "at most 80 characters" in one_clear_line(err)
    status, out, err = run("records", "--json", cwd=tmp_path, db=database)
    rows = json.loads(out)
    assert status == 0 and rows[0]["customer"] == long_customer[:255]
    extractor = fakes.FakeExtractor()
    with Desk.open(database, extractor=extractor, files_dir=tmp_path / "files") as desk:
        (tmp_path / "3.pdf").write_bytes(b"%PDF 3")
        [open_one] = desk.import_files([tmp_path / "3.pdf"], "ann").record_ids
    status, out, err = run("set", open_one, "customer_name", "N" * 300, "--as", "ann", cwd=tmp_path, db=database)
    assert status == 0 and err == "" and "N" * 300 in out
    status, out, err = run("show", open_one, "--json", cwd=tmp_path, db=database)
    assert {f["key"]: f["value"] for f in json.loads(out)["fields"]}["customer_name"] == "N" * 300
    status, out, err = run("export", "--week", WEEK, cwd=tmp_path, db=database)
    assert status == 0 and err == ""
    [book] = tmp_path.glob("authorizations-2026-W48-batch-*.xlsx")
    customers = [r[2] for r in load_workbook(book)["Authorizations"].iter_rows(min_row=2, values_only=True)]
    assert customers[0] == long_customer  # the workbook has every character


def test_a_bug_is_an_internal_error_line_with_its_traceback_logged(tmp_path, monkeypatch, capsys):
    from cisr_desk.cli import main as cli_main, workflow

    def broken(desk, args):
        raise KeyError("a bug\nover two lines")

    monkeypatch.setattr(workflow, "_users_list", broken)
    with Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}") as desk:
        add_users(desk)
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("CISR_DESK_USER", "ada")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert cli_main.main(["users", "list"]) == 1
    err = capsys.readouterr().err
    assert one_clear_line(err).startswith("cisr-desk: internal error: KeyError: ")
    from platformdirs import user_log_dir

    log = Path(user_log_dir("cisr-desk", appauthor=False)) / "errors.log"
    assert f"(details in {log})" in err and "a bug" in log.read_text() and "Traceback" in log.read_text()
