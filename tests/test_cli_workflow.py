"""The workflow command line, in process: fake capture, a fresh database per test."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from openpyxl import load_workbook

from cisr_desk.store import fakes, service
from users_support import PASSWORD, cli_runner


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(service, "default_extractor", fakes.FakeExtractor())
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)  # every test user's; --as or CISR_DESK_USER names them
    monkeypatch.chdir(tmp_path)

    run = cli_runner(monkeypatch, capsys)

    return run


@pytest.fixture
def office(cli, tmp_path, monkeypatch):
    assert cli("users", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    assert cli("users", "add", "ann", "--role", "clerk", "--password-stdin", "--as", "ada", stdin=PASSWORD)[0] == 0
    assert cli("users", "add", "sue", "--role", "supervisor", "--password-stdin", "--as", "ada", stdin=PASSWORD)[0] == 0
    monkeypatch.setenv("CISR_DESK_USER", "sue")  # who works when a command has no --as
    fakes.write_registry_csv(tmp_path / "registry.csv")
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF " + name.encode())
    status, out, _ = cli("import", "--registry", "registry.csv", "a.pdf", "b.pdf")
    assert status == 0 and "2 file(s) imported with 2 form(s)" in out
    return cli


def test_import_twice_says_duplicate(office, tmp_path):
    status, out, _ = office("import", "a.pdf")
    assert status == 0 and "duplicate" in out and "nothing new created" in out


def test_records_and_show_as_json(office):
    status, out, _ = office("records", "--json")
    rows = json.loads(out)
    assert status == 0 and [r["id"] for r in rows] == [1, 2] and rows[0]["status"] == "imported"
    status, out, _ = office("records", "--status", "approved", "--json")
    assert json.loads(out) == []
    status, out, _ = office("show", "1", "--json")
    rec = json.loads(out)
    assert rec["id"] == 1 and any(f["key"] == "customer_name" for f in rec["fields"])
    assert rec["history"][0]["action"] == "import"
    status, out, _ = office("show", "1")
    assert "customer_name" in out and "history:" in out


def test_the_review_commands(office):
    assert office("set", "1", "customer_title", "Owner", "--as", "ann")[:2] == (0, "record 1: customer_title = 'Owner'\n")
    assert office("set", "1", "received", "11/20/2026", "--as", "ann")[:2] == (0, "record 1: received = 2026-11-20\n")
    assert office("flag", "1", "--reason", "check signature", "--as", "ann")[1] == "record 1: flagged (check signature)\n"
    assert office("reject", "1", "--reason", "unsigned", "--as", "sue")[1] == "record 1: rejected\n"
    assert office("return", "1", "--as", "sue")[1] == "record 1: in review\n"
    assert office("submit", "1", "--as", "ann")[1] == "record 1: approved\n"
    assert office("flag", "2", "--reason", "odd", "--as", "ann")[0] == 0
    assert office("approve", "2", "--as", "sue")[1] == "record 2: approved\n"


@pytest.mark.parametrize("args,message", [
    (("show", "42"), "There is no record 42"),
    (("approve", "1", "--as", "ann"), "only a supervisor or admin may approve"),
    (("set", "1", "mailing_zip", "12", "--as", "ann"), "ZIP: '12' is not a 5-digit ZIP code"),
    (("submit", "1", "--as", "zed"), "There is no user called 'zed'"),
    (("approve", "1", "--as", "sue"), "it cannot be approved"),
])
def test_errors_are_one_clear_line_and_a_failing_status(office, capsys, args, message):
    status, out, err = office(*args)
    assert status != 0 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_four_eyes_on_the_command_line(office):
    office("set", "1", "customer_title", "Owner", "--as", "sue")
    office("release", "1", "--as", "sue")
    office("flag", "1", "--reason", "check", "--as", "ann")
    status, _, err = office("approve", "1", "--as", "sue")
    assert status == 1 and "another supervisor" in err


def test_export_a_week_then_nothing_then_the_same_batch_again(office, tmp_path):
    office("submit", "1", "--as", "ann")
    year, week, _ = dt.date.today().isocalendar()
    label = f"{year}-W{week:02d}"
    status, out, _ = office("export", "--week", label, "--out", "w.xlsx")
    assert status == 0 and "batch 1" in out and (tmp_path / "w.xlsx").exists()
    status, out, _ = office("export", "--week", label, "--out", "w2.xlsx")
    assert status == 0 and "nothing to export" in out and not (tmp_path / "w2.xlsx").exists()
    status, out, _ = office("export", "--batch", "1", "--out", "again.xlsx")
    a = list(load_workbook(tmp_path / "w.xlsx")["Authorizations"].iter_rows(values_only=True))
    b = list(load_workbook(tmp_path / "again.xlsx")["Authorizations"].iter_rows(values_only=True))
    assert status == 0 and a == b and len(a) == 2
    today = dt.date.today().isoformat()
    assert office("export", "--from", today, "--to", today)[1].startswith("nothing to export")
    assert "batch 1" in office("export", "--list")[1]
    assert office("export")[0] == 2


def test_registry_import_and_preview(office, tmp_path):
    rows = fakes.demo_registry_rows()
    rows[1]["status"] = "WITHDRAWN"
    fakes.write_registry_csv(tmp_path / "new.csv", rows)
    status, out, _ = office("registry", "import", "new.csv", "--preview")
    assert status == 0 and "preview" in out and "changed: DRP0933" in out
    status, out, _ = office("registry", "import", "new.csv")
    assert status == 0 and "registry version 2 stored" in out
    assert "nothing stored" in office("registry", "import", "new.csv")[1]
    status, _, err = office("registry", "import", "missing.csv")
    assert status == 1 and "no such file" in err


def test_users_list_and_bad_role(office):
    assert office("users", "list")[1] == "ada\tadmin\nann\tclerk\nsue\tsupervisor\n"
    with pytest.raises(SystemExit):
        office("users", "add", "x", "--role", "boss", "--as", "ada")


def test_claim_next_release_and_versions_on_the_command_line(office):
    assert office("users", "add", "carl", "--role", "clerk", "--password-stdin", "--as", "ada",
                  stdin=PASSWORD)[0] == 0
    status, out, _ = office("claim", "1", "--as", "ann")
    assert status == 0 and out.startswith("record 1 (imported, version 1): held by ann since ")
    status, _, err = office("claim", "1", "--as", "carl")
    assert status == 1 and re.search(r"held by ann since \d{4}-\d\d-\d\d \d\d:\d\d UTC", err)
    status, _, err = office("set", "1", "customer_title", "Boss", "--as", "carl")
    assert status == 1 and "held by ann" in err
    status, out, _ = office("next", "--json", "--as", "carl")
    assert status == 0 and json.loads(out)["id"] == 2 and json.loads(out)["holder"] == "carl"
    assert office("next", "--as", "carl")[0] == 3  # nothing left nobody holds
    assert office("set", "1", "customer_title", "Owner", "--version", "1", "--as", "ann")[0] == 0
    status, _, err = office("submit", "1", "--version", "1", "--as", "ann")
    assert status == 1 and re.search(r"Record 1 was changed by ann at \d{4}-.* UTC .* — reload", err)
    status, _, err = office("release", "1", "--as", "carl")
    assert status == 1 and "only they may release it" in err
    assert office("release", "1", "--force", "--as", "carl")[0] == 1  # a clerk cannot force
    assert office("release", "1", "--force", "--as", "sue")[1] == "record 1: released\n"
    assert office("submit", "1", "--version", "2", "--as", "carl")[1] == "record 1: approved\n"
    history = json.loads(office("show", "1", "--json")[1])["history"]
    assert [(e["user"], e["action"], e["old"], e["new"]) for e in history if e["field"] == "holder"] == [
        ("ann", "claim", "", "ann"), ("sue", "release", "ann", "")]
