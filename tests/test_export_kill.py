"""``kill -9`` during a real export, at moments spread over its whole run: afterwards the database
is consistent, nothing is marked exported without its workbook, and no process is left.

Each run starts from a copy of one database holding a few thousand approved records (written
straight into the tables: capture is not what is tested), so the export takes long enough to
be killed while it reads, marks, writes the workbook and names it.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cisr_desk.export.rows import week_period
from cisr_desk.store import fakes
from cisr_desk.store.models import AuditRecord, ImportBatch, Record, SourceFile
from cisr_desk.store.service import Desk
from users_support import add_users

from test_cli_errors import cisr

pytestmark = pytest.mark.skipif(not Path("/proc/self").exists() or not hasattr(signal, "SIGKILL"),
                                reason="needs kill -9 and /proc")

WEEK = "2026-W48"
RECORDS = 1200


def make_database(url: str, folder: Path, n: int) -> None:
    desk = Desk.open(url, clock=fakes.FixedClock(), files_dir=folder / "files")
    add_users(desk, ("ann", "clerk"), ("sue", "supervisor"))
    desk.import_registry(fakes.write_registry_csv(folder / "registry.csv"), "sue")
    now = dt.datetime(2026, 11, 25, 12, 0)
    approved_on = week_period(WEEK)[0] + dt.timedelta(days=2)
    with desk._engine.begin() as conn:
        conn.execute(ImportBatch.__table__.insert(), [{"id": 1, "created_at": now, "created_by": "ann"}])
        conn.execute(SourceFile.__table__.insert(), [{
            "id": 1, "batch_id": 1, "sha256": "0" * 64, "original_path": "/in/scan.pdf", "name": "scan.pdf",
            "size": 1, "page_count": 2 * n, "stored_name": "x/scan.pdf", "unrecognized_pages": [],
            "imported_at": now}])
        rows = []
        for rid in range(1, n + 1):
            values = fakes.clean_values(rid, accounts=2)
            rows.append({"id": rid, "source_file_id": 1, "template": fakes.TEMPLATE, "pages": [1, 2],
                         "attachment_pages": [], "missing_pages": [], "digital": False, "status": "approved",
                         "received": dt.date(2026, 11, 20), "customer": values["customer_name"],
                         "customer_account": values["customer_account"], "drp": values["drp1_id"],
                         "request_type": "authorize", "source_name": "scan.pdf", "entered_by": "ann",
                         "registry_version_id": 1, "created_at": now, "updated_at": now, "approved_by": "sue",
                         "approved_at": now, "approved_on": approved_on, "current_values": values})
        conn.execute(Record.__table__.insert(), rows)
    desk.close()


def copy_database(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def check_consistent(url: str, out: Path, n: int) -> str:
    """The invariants after any kill; returns which state was found."""
    with Desk.open(url) as desk:
        batches = desk.export_batches()
        with desk._engine.connect() as conn:
            by_status = dict(conn.execute(select(Record.status, func.count()).group_by(Record.status)).all())
            unbatched_exported = conn.scalar(select(func.count()).select_from(Record).where(
                Record.status == "exported", Record.export_batch_id.is_(None)))
            exports_logged = conn.scalar(select(func.count()).select_from(AuditRecord).where(
                AuditRecord.action == "export"))
    assert unbatched_exported == 0
    workbooks = sorted(out.glob("*.xlsx")) if out.exists() else []
    if not batches:
        assert by_status == {"approved": n} and exports_logged == 0
        for book in workbooks:  # only a workbook named in the instant before the commit: whole, harmless
            load_workbook(book, read_only=True).close()
        return "nothing marked" + (" (a stray workbook)" if workbooks else "")
    [batch] = batches
    assert by_status == {"exported": n} and batch.records == n and exports_logged == n
    path = Path(batch.path)
    assert path in workbooks, (path, workbooks)
    book = load_workbook(path, read_only=True)
    rows = sum(1 for _ in book["Authorizations"].iter_rows(min_row=2, values_only=True))
    manifest = dict(list(book["Manifest"].iter_rows(min_row=2, values_only=True)))
    book.close()
    assert rows == batch.rows == 2 * n and manifest["Rows SHA-256"] == batch.rows_hash
    assert manifest["Batch ID"] == batch.id
    return "batch committed"


def test_kill_9_at_any_moment_loses_nothing(tmp_path):
    template = tmp_path / "template" / "desk.sqlite3"
    template.parent.mkdir()
    make_database(f"sqlite:///{template}", template.parent, RECORDS)

    def start(run: Path):
        copy_database(template, run / "desk.sqlite3")
        return cisr("export", "--week", WEEK, "--out", f"{run / 'out'}/", cwd=run,
                    db=f"sqlite:///{run / 'desk.sqlite3'}", stdout=subprocess.DEVNULL)

    # one run to the end: how long it takes, and when the workbook's temporary file appears
    run = tmp_path / "whole"
    run.mkdir()
    t0 = time.monotonic()
    p = start(run)
    begun = None
    while p.poll() is None:
        if begun is None and any((run / "out").glob(".*.part")):
            begun = time.monotonic() - t0
        time.sleep(0.01)
    whole = time.monotonic() - t0
    assert p.returncode == 0, p.stderr.read()
    assert check_consistent(f"sqlite:///{run / 'desk.sqlite3'}", run / "out", RECORDS) == "batch committed"
    begun = begun if begun is not None else whole / 2

    # then kill -9 at moments spread over start-up, the transaction, writing and naming the workbook
    moments = [begun * 0.5] + [begun + (whole - begun) * f for f in (0.05, 0.25, 0.5, 0.75, 0.9, 0.98)]
    seen = []
    for i, delay in enumerate(moments):
        run = tmp_path / f"kill-{i}"
        run.mkdir()
        p = start(run)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        p.stderr.close()
        assert not processes_mentioning(str(run)), f"a process of run {i} is still there"
        url = f"sqlite:///{run / 'desk.sqlite3'}"
        state = check_consistent(url, run / "out", RECORDS)
        seen.append((round(delay, 2), p.returncode, state, run))
    print("kill moments (s, status, found):", [x[:3] for x in seen], "whole run", round(whole, 2))
    interrupted = [run for _, _, state, run in seen if state.startswith("nothing marked")]
    assert interrupted  # some kills did land mid-export
    # and the next export takes every record, under a name no stray workbook holds
    run = interrupted[-1]
    url = f"sqlite:///{run / 'desk.sqlite3'}"
    p = cisr("export", "--week", WEEK, "--out", f"{run / 'out'}/", cwd=run, db=url)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert check_consistent(url, run / "out", RECORDS) == "batch committed"
