"""End to end through the command line with the real capture engine: import the sample scans,
correct a field, submit, approve as another user, export the week and read the workbook back."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cisr_desk.cli.main import main
from users_support import PASSWORD

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SAMPLES = SHARED / "samples"
REGISTRY = SHARED / "data" / "registered-drps.csv"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    if not SAMPLES.is_dir() or not REGISTRY.is_file():
        pytest.skip("../shared/samples is not here")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CISR_DESK_DB", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)  # every user's here; --as or CISR_DESK_USER names them
    monkeypatch.setenv("CISR_DESK_USER", "sue")

    def run(*args) -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD))  # a new user's password (--password-stdin)
        status = main([str(a) for a in args])
        out = capsys.readouterr()
        assert status == 0, out.err
        return out.out

    return run


def test_samples_from_scan_to_workbook(cli, tmp_path):
    cli("users", "add", "ada", "--role", "admin", "--password-stdin")
    cli("users", "add", "ann", "--role", "clerk", "--password-stdin", "--as", "ada")
    cli("users", "add", "sue", "--role", "supervisor", "--password-stdin", "--as", "ada")
    out = cli("import", "--registry", REGISTRY, SAMPLES)
    assert "6 file(s) imported" in out and "0 error(s)" in out
    assert "6 duplicate(s)" in cli("import", SAMPLES)

    rows = json.loads(cli("records", "--json"))
    assert len(rows) >= 10 and all(r["status"] == "imported" for r in rows)
    # a form the clerk can finish: an authorization with a doubtful field to correct
    from cisr_desk.domain.workflow import NEVER_OVERRIDDEN

    candidates = [json.loads(cli("show", r["id"], "--json")) for r in rows
                  if r["request_type"] == "authorize" and r["doubtful"] >= 1]
    # one no override can approve (a missing signature) is no use here
    candidates = [c for c in candidates if not {i["code"] for i in c["issues"]} & set(NEVER_OVERRIDDEN)]
    assert candidates
    rec = candidates[0]
    rid = rec["id"]
    doubtful = next(f for f in rec["fields"] if f["review"] and f["type"] not in ("check", "signature"))
    cli("set", rid, doubtful["key"], doubtful["value"] or "x", "--as", "ann")
    corrected = json.loads(cli("show", rid, "--json"))
    field = next(f for f in corrected["fields"] if f["key"] == doubtful["key"])
    assert not field["review"] and field["changed_by"] == "ann"

    status = cli("submit", rid, "--as", "ann")
    if "approved" not in status:  # issues or doubt left: the supervisor decides
        assert "flagged" in status
        cli("approve", rid, "--as", "sue", "--override", "CUSTOMER_CONFIRMED", "--note", "called the customer")
    rec = json.loads(cli("show", rid, "--json"))
    assert rec["status"] == "approved"

    year, week, _ = dt.date.today().isocalendar()
    out = cli("export", "--week", f"{year}-W{week:02d}", "--out", "week.xlsx", "--as", "sue")
    assert "batch 1" in out
    book = load_workbook(tmp_path / "week.xlsx")
    sheet = list(book["Authorizations"].iter_rows(values_only=True))
    mine = [r for r in sheet[1:] if r[0] == rid]
    assert mine and all(r[1] == "authorize" for r in mine)
    values = {f["key"]: f["value"] for f in rec["fields"]}
    assert {r[4] for r in mine} <= {v for k, v in values.items() if k.endswith("_number") and v}
    assert all(r[2] == values["customer_name"] and r[14] == "ann" for r in mine)
    assert dict(list(book["Manifest"].iter_rows(values_only=True))[1:])["Row count"] == len(sheet) - 1
    assert json.loads(cli("show", rid, "--json"))["status"] == "exported"
