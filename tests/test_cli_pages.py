"""``cisr-desk pages``: a file's layout on the command line, and the clerk's corrections (fake capture)."""
from __future__ import annotations

import json

import pytest

from cisr_desk.store import fakes, service
from users_support import PASSWORD, cli_runner


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    extractor = fakes.FakeExtractor({"batch.pdf": fakes.document("batch.pdf", [
        fakes.form(fakes.clean_values(1), pages=(1, 2)), fakes.form(fakes.clean_values(3), pages=(3, 4))],
        unrecognized=[5])})
    monkeypatch.setattr(service, "default_extractor", extractor)
    monkeypatch.setattr(service.Desk, "form_reader", fakes.FakeFormReader())
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)

    run = cli_runner(monkeypatch, capsys)

    assert run("users", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    assert run("users", "add", "ann", "--role", "clerk", "--password-stdin", "--as", "ada", stdin=PASSWORD)[0] == 0
    monkeypatch.setenv("CISR_DESK_USER", "ann")
    (tmp_path / "batch.pdf").write_bytes(b"%PDF batch")
    assert run("import", "batch.pdf")[0] == 0
    return run


def test_list_files_and_show_a_layout(cli):
    status, out, _ = cli("pages")
    assert status == 0 and "batch.pdf" in out and "needs a look: page 5" in out
    status, out, _ = cli("pages", "1")
    assert status == 0
    assert "record 1" in out and "1: page 1; 2: page 2" in out and "page 5     unrecognized" in out
    data = json.loads(cli("pages", "1", "--json")[1])
    assert data["forms"][1] == {"record": 2, "status": "imported", "template": fakes.TEMPLATE,
                                "pages": {"1": 3, "2": 4}, "attachments": []}
    assert data["loose"] == {"5": "unrecognized"}


def test_each_operation(cli):
    status, out, _ = cli("pages", "1", "--not-form", "4", "--as", "ann")
    assert status == 0 and "record 2 read again" in out and "2: missing" in out
    status, out, _ = cli("pages", "1", "--move", "4", "--to", "2:2", "--as", "ann")
    assert status == 0 and "2: page 4" in out
    status, out, _ = cli("pages", "1", "--split", "2", "--as", "ann")
    assert status == 0 and "new record 3" in out
    status, out, _ = cli("pages", "1", "--merge", "1", "--as", "ann")
    assert status == 0 and "record 3 retired" in out
    status, out, _ = cli("pages", "1", "--rotate", "3", "--as", "ann")
    assert status == 0 and "page 3 (turned)" in out
    status, out, _ = cli("pages", "1", "--attach", "5", "--to", "1", "--as", "ann")
    assert status == 0 and "attachment: page 5" in out
    status, out, _ = cli("pages", "1", "--not-form", "5", "--as", "ann")
    status, out, _ = cli("pages", "1", "--assign", "5", "--template", "14-941-rev-2019-07", "--page-index", "1",
                         "--as", "ann")
    assert status == 0 and "new record 4" in out and "14-941-rev-2019-07" in out
    history = json.loads(cli("show", "4", "--json")[1])["history"]
    assert "page_assigned" in [h["action"] for h in history]


def test_refusals_are_one_clear_line(cli):
    status, _, err = cli("pages", "1", "--move", "5", "--to", "1:1", "--as", "ann")
    assert status == 1 and "already file page 1" in err and "Traceback" not in err
    status, _, err = cli("pages", "1", "--rotate", "1", "--as", "nobody")
    assert status == 1 and "Traceback" not in err and not json.loads(cli("pages", "1", "--json")[1])["turned"]
    status, _, err = cli("pages", "1", "--merge", "2", "--as", "ann")
    assert status == 2 and "last form" in err
    status, _, err = cli("pages", "1", "--attach", "5", "--to", "9", "--as", "ann")
    assert status == 1 and "Record 9 is not a form of batch.pdf" in err


def test_a_form_another_seat_holds_is_refused_naming_the_holder(cli):
    assert cli("users", "add", "bob", "--role", "clerk", "--password-stdin", "--as", "ada", stdin=PASSWORD)[0] == 0
    assert cli("claim", "2", "--as", "bob")[0] == 0
    status, _, err = cli("pages", "1", "--not-form", "4", "--as", "ann")
    assert status == 1 and "Record 2 is held by bob since" in err and "Traceback" not in err
    assert json.loads(cli("pages", "1", "--json")[1])["forms"][1]["pages"] == {"1": 3, "2": 4}
