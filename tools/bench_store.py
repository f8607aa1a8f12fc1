"""Store benchmark: with N generated records, time a queue page, opening a record and a weekly export.

    python tools/bench_store.py                 # 100,000 records, 10,000 export rows (make bench)
    python tools/bench_store.py --smoke         # 3,000 records, 1,000 rows: seconds, for CI
    python tools/bench_store.py --db URL        # another database (e.g. PostgreSQL); default: a temp SQLite file

Records are written straight into the tables (capture is not what is measured here), each with
every field of the 2026 form, so reads touch realistic amounts of data. Prints the figures and
exits non-zero when a target is missed (queue page and record < 300 ms, export < 3 s).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cisr_desk.domain.workflow import request_type  # noqa: E402
from cisr_desk.export.rows import week_period  # noqa: E402
from cisr_desk.store import fakes  # noqa: E402
from cisr_desk.store.models import (AuditRecord, FieldValue, ImportBatch, Record, RecordIssue, RecordPage,  # noqa: E402
                                    SourceFile)
from cisr_desk.store.service import Desk  # noqa: E402

PAGE_MS, RECORD_MS, EXPORT_S = 300.0, 300.0, 3.0
STATUSES = ("imported", "in_review", "flagged", "submitted", "rejected", "exported")
WEEK = "2026-W48"


def generate(desk: Desk, n: int, approved: int, chunk: int = 2000) -> None:
    """n records; the first ``approved`` of them approved in WEEK with two accounts each."""
    rng = random.Random(7)
    start, _ = week_period(WEEK)
    now = dt.datetime(2026, 11, 25, 12, 0)
    identity = [list(r) for r in fakes.IDENTITY]
    with desk._engine.begin() as conn:
        conn.execute(ImportBatch.__table__.insert(), [{"id": 1, "created_at": now, "created_by": "bench",
                                                      "registry_version_id": 1}])
        for first in range(1, n + 1, chunk):
            ids = range(first, min(n, first + chunk - 1) + 1)
            sources, recs, fields, pages, issues, events = [], [], [], [], [], []
            for rid in ids:
                is_approved = rid <= approved
                values = fakes.clean_values(rid, accounts=2 if is_approved else 1 + rid % 3)
                status = "approved" if is_approved else rng.choice(STATUSES)
                name = f"scan-{rid // 20:05d}.pdf"
                if rid % 20 == 0 or rid == first:
                    sources.append({"id": rid, "batch_id": 1, "sha256": f"{rid:064x}", "original_path": f"/in/{name}",
                                    "name": name, "size": 100_000, "page_count": 40, "stored_name": f"x/{rid:064x}.pdf",
                                    "unrecognized_pages": [], "imported_at": now})
                source_id = rid if (rid % 20 == 0 or rid == first) else max(first, rid - rid % 20)
                doubtful = {"customer_name", "mailing_zip"} if rid % 7 == 0 else set()
                drp = values["drp1_id"]
                recs.append({
                    "id": rid, "source_file_id": source_id, "template": fakes.TEMPLATE, "pages": [1, 2],
                    "attachment_pages": [], "missing_pages": [], "digital": False, "status": status,
                    "holder": "ann" if status == "in_review" else "", "received": dt.date(2026, 11, 20),
                    "customer": values["customer_name"], "customer_account": values["customer_account"], "drp": drp,
                    "request_type": request_type(values), "doubtful": len(doubtful), "issue_count": rid % 5 == 0,
                    "source_name": name, "entered_by": "ann", "flag_reason": "", "reject_reason": "",
                    "registry_version_id": 1, "created_at": now, "updated_at": now,
                    "approved_by": "sue" if is_approved else "", "approved_at": now if is_approved else None,
                    "approved_on": start + dt.timedelta(days=2) if is_approved else None, "export_batch_id": None,
                    "current_values": values,
                    "search": f"{values['customer_name']} {values['customer_account']} {drp} {name}".lower(),
                })
                for key, value in values.items():
                    fields.append({"record_id": rid, "key": key, "ocr_value": value, "value": value,
                                   "confidence": 0.5 if key in doubtful else 0.97, "review": key in doubtful,
                                   "reasons": ["hard to read"] if key in doubtful else [], "raw": str(value),
                                   "changed_by": "", "changed_at": None})
                for pos in range(2):
                    pages.append({"record_id": rid, "position": pos, "source_page": pos + 1, "rotated": False,
                                  "dpi": 200.0, "matrix": identity, "score": 0.9})
                if rid % 5 == 0:
                    issues.append({"record_id": rid, "field": "mailing_zip", "code": "invalid_format",
                                   "message": "ZIP: '9177' is not a 5-digit ZIP code"})
                events.append({"at": now, "user": "bench", "action": "import", "record_id": rid, "entity": "record",
                               "field": "status", "old": "", "new": "imported", "reason": name})
            conn.execute(SourceFile.__table__.insert(), sources)
            conn.execute(Record.__table__.insert(), recs)
            conn.execute(FieldValue.__table__.insert(), fields)
            conn.execute(RecordPage.__table__.insert(), pages)
            if issues:
                conn.execute(RecordIssue.__table__.insert(), issues)
            conn.execute(AuditRecord.__table__.insert(), events)
    if desk._engine.dialect.name == "sqlite":
        with desk._engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(median ms, worst ms, last result) over ``repeat`` runs after one warm-up run."""
    fn()
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--export-rows", type=int, default=10_000)
    ap.add_argument("--smoke", action="store_true", help="3,000 records and 1,000 export rows")
    ap.add_argument("--db", help="database URL (default: a SQLite file in a temporary folder)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.records, args.export_rows = 3_000, 1_000
    approved = args.export_rows // 2  # two service accounts each
    with tempfile.TemporaryDirectory(prefix="cisr-bench-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        desk = Desk.open(url, files_dir=Path(tmp) / "files", clock=lambda: dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc))
        desk.add_user("ada", "admin", "bench admin 1")
        desk.add_user("ann", "clerk", "bench clerk 1", by="ada")
        desk.add_user("sue", "supervisor", "bench supervisor 1", by="ada")
        desk.import_registry(fakes.write_registry_csv(Path(tmp) / "registry.csv"), "sue")
        t0 = time.perf_counter()
        generate(desk, args.records, approved)
        print(f"generated {args.records:,} records ({approved:,} approved) in {time.perf_counter() - t0:.1f} s  [{url.split(':')[0]}]")

        mid = args.records // 4
        figures = []

        def page(status=("imported", "in_review", "flagged"), search="", offset=0, order="id"):
            return lambda: (desk.count_records(status, search),
                            desk.list_records(status, search, offset=offset, limit=100, order=order))

        for label, fn in (("queue page 1 (open records, count + 100 rows)", page()),
                          (f"queue page at row {mid:,}", page(offset=mid)),
                          ("queue page sorted by customer", page(order="customer")),
                          ("queue search 'customer 0004'", page(status=None, search="customer 0004")),
                          ("all record ids (PgUp/PgDn list)", lambda: desk.record_ids(("imported", "in_review")))):
            med, worst, _ = timed(fn, 5)
            figures.append((label, med, worst, PAGE_MS))
        ids = random.Random(1).sample(range(1, args.records + 1), 20)
        it = iter(ids * 2)
        med, worst, rec = timed(lambda: desk.get_record(next(it)), 15)
        figures.append(("open a record (fields, issues, history)", med, worst, RECORD_MS))

        start, end = week_period(WEEK)
        out = Path(tmp) / "week.xlsx"
        import cisr_desk.store.exporting  # noqa: F401  (openpyxl's import, once per process, is not the export)
        t0 = time.perf_counter()
        info = desk.export_period(start, end, "sue", out)
        export_s = time.perf_counter() - t0
        desk.close()

    failed = False
    for label, med, worst, limit in figures:
        ok = worst < limit
        failed |= not ok
        print(f"{label:48} median {med:7.1f} ms  worst {worst:7.1f} ms  (< {limit:.0f} ms) {'ok' if ok else 'TOO SLOW'}")
    ok = export_s < EXPORT_S
    failed |= not ok
    print(f"{'export ' + format(info.rows, ',') + ' rows (' + format(info.records, ',') + ' forms)':48} "
          f"{export_s * 1000:7.0f} ms  (< {EXPORT_S * 1000:.0f} ms) {'ok' if ok else 'TOO SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
