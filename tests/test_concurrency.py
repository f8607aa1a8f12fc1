"""Several seats at once, as real processes on one database, on SQLite and on PostgreSQL.

Each test starts two to four processes (tests/seat_worker.py) that do the same thing in the same
rounds at the same instants, then counts the outcomes exactly: opening a fresh database, taking
the next record, claiming one, a change racing a submission, clean submissions counting, and the
same file imported twice."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cisr_desk.store import counters, fakes
from users_support import add_users

WORKER = Path(__file__).with_name("seat_worker.py")
ROOT = Path(__file__).resolve().parent.parent
GAP = 0.25  # seconds between rounds: far more than a round takes, so rounds never overlap


def race(tmp_path, url: str, jobs: list[dict], *, files_dir=None, timeout: float = 120) -> list[list]:
    """Run the seats; every seat's per-round outcomes, in the order of ``jobs``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    start = time.time() + 4.0  # time for every seat to start and open its Desk
    procs = []
    for n, job in enumerate(jobs):
        path = tmp_path / f"seat{n}-{time.monotonic_ns()}.json"
        path.write_text(json.dumps(dict(job, url=url, start=start, gap=GAP,
                                        files_dir=str(files_dir) if files_dir else None)))
        procs.append(subprocess.Popen([sys.executable, str(WORKER), str(path)], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=timeout)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout))
    for seat in out:
        crashed = [r for r in seat if r[0] == "crashed"]
        assert not crashed, crashed
    return out


def files_of(desk):
    return None if desk.url.startswith("sqlite") else desk.files_dir


def add_records(desk, tmp_path, extractor, n: int, first: int = 1) -> list[int]:
    ids = []
    for i in range(first, first + n):
        name = f"r{i}.pdf"
        extractor.results[name] = [fakes.form(fakes.clean_values(i))]
        (tmp_path / name).write_bytes(b"%PDF " + name.encode())
        ids += desk.import_files([tmp_path / name], "ann").record_ids
    return ids


@pytest.fixture
def seats(desk):
    add_users(desk, *((name, "clerk") for name in ("carl", "dora", "ed")))
    return desk


# -- opening ---------------------------------------------------------------------------------------------
def test_three_processes_open_a_fresh_database_at_once(engine_name, tmp_path, request):
    rounds = 4
    if engine_name == "sqlite":
        urls = [f"sqlite:///{tmp_path / f'fresh{k}.sqlite3'}" for k in range(rounds)]
    else:
        make = request.getfixturevalue("pg_database")
        urls = [make() for _ in range(rounds)]
    out = race(tmp_path, "", [{"action": "open", "rounds": urls}] * 3, files_dir=tmp_path / "files")
    assert Counter(r[0] for seat in out for r in seat) == {"ok": 3 * rounds}
    from cisr_desk.store import db

    for url in urls:
        engine = db.make_engine(url)
        assert db.current_revision(engine) == db.head_revision()
        engine.dispose()


# -- holds -----------------------------------------------------------------------------------------------
def test_three_seats_asking_for_the_next_record_never_get_the_same_one(seats, tmp_path, extractor):
    ids = add_records(seats, tmp_path, extractor, 12)
    users = ("carl", "dora", "ed")
    out = race(tmp_path, seats.url, [{"action": "next", "user": u, "rounds": [None] * 5} for u in users],
               files_dir=files_of(seats))
    got = {u: [r[1] for r in seat if r[1]] for u, seat in zip(users, out)}
    handed = [rid for u in users for rid in got[u]]
    assert sorted(handed) == ids  # 12 records to 15 requests: each once, then nothing
    assert Counter(r[0] for seat in out for r in seat) == {"ok": 15}
    assert sum(1 for seat in out for r in seat if r[1] is None) == 3
    for u in users:
        for rid in got[u]:
            assert seats.get_record(rid).holder == u


def test_three_seats_claiming_one_record_exactly_one_wins(seats, tmp_path, extractor):
    ids = add_records(seats, tmp_path, extractor, 6)
    users = ("carl", "dora", "ed")
    out = race(tmp_path, seats.url, [{"action": "claim", "user": u, "rounds": ids} for u in users],
               files_dir=files_of(seats))
    for k, rid in enumerate(ids):
        outcomes = [seat[k] for seat in out]
        winners = [u for u, o in zip(users, outcomes) if o[0] == "ok"]
        assert len(winners) == 1, outcomes
        assert all("HeldByOther" in o[1] and f"held by {winners[0]}" in o[1] for o in outcomes if o[0] != "ok")
        assert seats.get_record(rid).holder == winners[0]


# -- changes -----------------------------------------------------------------------------------------------
def test_a_change_racing_a_submission_on_the_same_view_one_is_refused(seats, tmp_path, extractor):
    ids = add_records(seats, tmp_path, extractor, 6)
    for rid in ids:
        seats.claim(rid, "ann")
    rounds = [[rid, 1] for rid in ids]  # both seats looked at version 1
    out = race(tmp_path, seats.url, [{"action": "set", "user": "ann", "rounds": rounds},
                                     {"action": "submit", "user": "ann", "rounds": rounds}],
               files_dir=files_of(seats))
    wins = Counter()
    for k, rid in enumerate(ids):
        set_o, submit_o = out[0][k], out[1][k]
        assert [set_o[0], submit_o[0]].count("ok") == 1, (set_o, submit_o)
        loser = submit_o if set_o[0] == "ok" else set_o
        assert "StaleRecord" in loser[1] and "reload" in loser[1]
        rec = seats.get_record(rid)
        if set_o[0] == "ok":
            wins["set"] += 1
            assert rec.status == "in_review" and rec.field("customer_title").value == "set by ann"
        else:
            wins["submit"] += 1  # approved exactly as it was seen: the late value never got in
            assert rec.status == "approved" and rec.field("customer_title").value == ""
    assert sum(wins.values()) == len(ids)


def test_another_clerks_change_racing_a_submission_never_slips_in_unseen(seats, tmp_path, extractor):
    ids = add_records(seats, tmp_path, extractor, 6)
    out = race(tmp_path, seats.url, [{"action": "set", "user": "carl", "rounds": [[rid, None] for rid in ids]},
                                     {"action": "submit", "user": "ann", "rounds": [[rid, None] for rid in ids]}],
               files_dir=files_of(seats))
    for k, rid in enumerate(ids):
        set_o, submit_o = out[0][k], out[1][k]
        assert [set_o[0], submit_o[0]].count("ok") == 1, (set_o, submit_o)
        rec = seats.get_record(rid)
        if set_o[0] == "ok":  # carl's change claimed it first: ann's submission is refused
            assert "HeldByOther" in submit_o[1] and rec.holder == "carl" and rec.status == "in_review"
        else:  # submitted first: carl may no longer change it
            assert "InvalidTransition" in set_o[1] and rec.status == "approved"
            assert rec.field("customer_title").value == ""


def test_four_clean_submissions_at_once_move_the_counter_by_four(seats, tmp_path, extractor):
    users = ("ann", "carl", "dora", "ed")
    rounds = 3
    ids = add_records(seats, tmp_path, extractor, 4 * rounds)
    jobs = [{"action": "submit", "user": u, "rounds": [[ids[k * 4 + n], None] for k in range(rounds)]}
            for n, u in enumerate(users)]
    out = race(tmp_path, seats.url, jobs, files_dir=files_of(seats))
    assert Counter(r[1] for seat in out for r in seat) == {"approved": 4 * rounds}
    with seats._read() as s:
        assert counters.value(s, "clean_submissions") == 4 * rounds


def test_the_same_file_imported_twice_at_once_is_stored_once(seats, tmp_path):
    paths = []
    for k in range(4):
        path = tmp_path / f"same{k}.pdf"
        path.write_bytes(b"%PDF same " + str(k).encode())
        paths.append(str(path))
    out = race(tmp_path, seats.url, [{"action": "import", "user": "ann", "rounds": paths}] * 2,
               files_dir=files_of(seats))
    for k in range(len(paths)):
        assert sorted(seat[k][1][0] for seat in out) == ["duplicate", "imported"], [seat[k] for seat in out]
    assert seats.count_records() == len(paths)


def test_three_seats_opening_at_once_expire_each_authorization_once(seats, tmp_path, extractor):
    from sqlalchemy import text

    for rid in add_records(seats, tmp_path, extractor, 5):
        seats.submit(rid, "ann")
    with seats._engine.begin() as conn:  # their terms ended long ago: the next opening expires them
        assert conn.execute(text("UPDATE authorizations SET term_end = '2001-01-01'")).rowcount == 5
    out = race(tmp_path, seats.url, [{"action": "open", "rounds": [seats.url]}] * 3, files_dir=files_of(seats))
    assert Counter(r[0] for seat in out for r in seat) == {"ok": 3}
    assert [a.state for a in seats.authorizations()] == ["expired"] * 5
    with seats._engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'authorization_expired'")
                            ).scalar() == 5
