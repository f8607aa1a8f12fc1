"""The dashboard's figures, counted from the audit log and the field rows of a small office day."""
from __future__ import annotations

import datetime as dt

from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import fakes


def _add(desk, tmp_path, extractor, n, *, doubtful=()):
    name = f"f{n}.pdf"
    extractor.results[name] = [fakes.form(fakes.clean_values(n), doubtful=list(doubtful))]
    (tmp_path / name).write_bytes(b"%PDF " + name.encode())
    [rid] = desk.import_files([tmp_path / name], "ann").record_ids
    return rid


def test_a_day_of_work_is_counted(desk, tmp_path, extractor, clock):
    desk.set_policy(SitePolicy(supervisor_sample_every=0, backlog_target_days=2), "sue")
    clean = _add(desk, tmp_path, extractor, 1)
    doubtful = _add(desk, tmp_path, extractor, 2, doubtful=["customer_name", "mailing_city"])
    waiting = _add(desk, tmp_path, extractor, 3)
    desk.submit(clean, "ann")  # approved by policy
    desk.set_field(doubtful, "customer_name", "Corrected Name", "ann")  # a doubt settled by a correction
    desk.accept_field(doubtful, "mailing_city", "ann")
    desk.set_field(doubtful, "mailing_zip", "90001", "ann")  # capture was sure, and wrong
    desk.flag(doubtful, "signature differs", "ann")
    desk.reject(doubtful, "not the customer's signature", "sue")

    board = desk.dashboard(days=7)
    today = desk.today()
    assert [d.day for d in board.days][-1] == today and len(board.days) == 7
    day = board.days[-1]
    assert (day.received, day.submitted, day.flagged, day.approved, day.rejected) == (3, 1, 1, 1, 1)
    assert sum(d.received for d in board.days[:-1]) == 0
    # the rejected form is decided: no queue holds it, so it is no backlog
    assert board.open_by_status == {"imported": 1}
    assert board.oldest_open_id == waiting and board.backlog_target_days == 2
    assert board.backlog_days(desk.now()) == 0.0  # all of it came in just now (the fixed clock)

    [ann] = [c for c in board.clerks if c.name == "ann"]
    assert ann.forms == 2 and ann.corrections == 2 and ann.hours == 1.0
    assert ann.forms_per_hour == 2.0 and ann.corrections_per_form == 1.0
    assert "sue" not in {c.name for c in board.clerks}  # a supervisor's decision is not a clerk's form

    [cap] = board.capture
    per_form = len(fakes.clean_values(1))
    assert cap.fields == 3 * per_form and cap.sent_to_review == 2
    # two forms got past the clerk; of their fields capture accepted, one (the ZIP) was wrong
    assert cap.auto_accepted_right == cap.auto_accepted - 1
    assert 0.0 < cap.review_rate < 0.1 and cap.auto_accept_accuracy < 1.0
    assert waiting


def test_an_empty_desk_has_an_empty_board(desk):
    board = desk.dashboard()
    assert len(board.days) == 28 and not any(d.received for d in board.days)
    assert board.oldest_open_id is None and board.backlog_days(dt.datetime.now(dt.timezone.utc)) == 0.0
    assert board.clerks == [] and board.capture == []
