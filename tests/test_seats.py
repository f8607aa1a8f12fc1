"""Several seats: holds (claim, next, release, lapse), versions, and the atomic counter, on SQLite
and PostgreSQL. The races between real processes are in test_concurrency.py."""
from __future__ import annotations

import datetime as dt

import pytest

from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import HeldByOther, InvalidTransition, PermissionDenied, StaleRecord
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import fakes
from users_support import add_users

T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
ANN = wf.Actor("ann", wf.Role.CLERK)
CARL = wf.Actor("carl", wf.Role.CLERK)
SUE = wf.Actor("sue", wf.Role.SUPERVISOR)


# -- the pure rules ----------------------------------------------------------------------------------
def held(holder="ann", since=T0, updated=None, status="in_review", version=1, updated_by=""):
    return wf.RecordFacts(7, wf.Status(status), holder=holder, held_since=since, updated_at=updated or since,
                          version=version, updated_by=updated_by)


def test_a_hold_is_in_force_until_it_has_been_idle_for_the_policys_minutes():
    rec = held()
    assert wf.active_holder(rec, T0 + dt.timedelta(minutes=29), 30) == "ann"
    assert wf.active_holder(rec, T0 + dt.timedelta(minutes=30), 30) == ""
    assert wf.active_holder(held(updated=T0 + dt.timedelta(minutes=20)), T0 + dt.timedelta(minutes=45), 30) == "ann"
    assert wf.active_holder(rec, T0 + dt.timedelta(days=9), 0) == "ann"  # 0: never lapses
    assert wf.active_holder(held(holder=""), T0, 30) == ""


def test_another_users_hold_refuses_changes_and_claims_naming_holder_and_time():
    with pytest.raises(HeldByOther, match=r"Record 7 is held by ann since 2026-11-25 12:00 UTC; carl cannot submit"):
        wf.held_by_other(held(), CARL, T0, 30, "submit")
    wf.held_by_other(held(), ANN, T0, 30, "submit")
    with pytest.raises(HeldByOther):
        wf.claim(held(), CARL, T0, 30)
    assert wf.claim(held(), CARL, T0 + dt.timedelta(hours=1), 30) == wf.Hold("carl", T0 + dt.timedelta(hours=1), "ann")
    with pytest.raises(InvalidTransition):
        wf.claim(held(holder="", status="approved"), ANN, T0, 30)
    with pytest.raises(PermissionDenied):
        wf.claim(held(holder="", status="flagged"), CARL, T0, 30)  # a flagged record is a supervisor's


def test_release_is_the_holders_or_a_supervisors_by_force():
    assert wf.release(held(), ANN, T0, 30) == "ann"
    with pytest.raises(HeldByOther, match="only they may release it"):
        wf.release(held(), CARL, T0, 30)
    with pytest.raises(PermissionDenied):
        wf.release(held(), CARL, T0, 30, force=True)
    assert wf.release(held(), SUE, T0, 30, force=True) == "ann"
    assert wf.release(held(), CARL, T0 + dt.timedelta(hours=2), 30) == "ann"  # lapsed: anyone


def test_a_change_on_a_stale_view_is_refused():
    wf.check_version(held(version=4), 4)
    wf.check_version(held(version=4), None)
    with pytest.raises(StaleRecord, match=r"Record 7 was changed by carl at 2026-11-25 12:00 UTC .* — reload"):
        wf.check_version(held(version=5, updated_by="carl"), 4)


# -- through the Desk, on both engines ------------------------------------------------------------------
@pytest.fixture
def office(desk, tmp_path, extractor):
    add_users(desk, ("carl", "clerk"), ("sam", "supervisor"))
    ids = []
    for n in range(1, 4):
        name = f"s{n}.pdf"
        extractor.results[name] = [fakes.form(fakes.clean_values(n))]
        (tmp_path / name).write_bytes(b"%PDF " + name.encode())
        ids += desk.import_files([tmp_path / name], "ann").record_ids
    assert ids == [1, 2, 3]
    return desk


def test_claim_holds_a_record_and_refuses_the_others(office):
    rec = office.claim(1, "ann")
    assert (rec.holder, rec.held_since, rec.version) == ("ann", T0, 1)  # a claim is no change of the record
    with pytest.raises(HeldByOther, match="held by ann since 2026-11-25 12:00 UTC"):
        office.claim(1, "carl")
    for change in (lambda: office.set_field(1, "customer_title", "x", "carl"),
                   lambda: office.accept_field(1, "customer_name", "carl"),
                   lambda: office.submit(1, "carl"), lambda: office.flag(1, "odd", "carl")):
        with pytest.raises(HeldByOther):
            change()
    assert office.get_record(1).version == 1 and office.get_record(1).status == "imported"
    assert [r.holder for r in office.list_records()] == ["ann", "", ""]


def test_the_first_change_claims_a_record_nobody_holds_and_every_change_bumps_the_version(office, clock):
    rec = office.set_field(2, "customer_title", "Owner", "carl")
    assert (rec.holder, rec.version, rec.updated_by, rec.status) == ("carl", 2, "carl", "in_review")
    clock.advance(minutes=5)
    rec = office.accept_field(2, "customer_name", "carl", expected_version=2)
    assert rec.version == 3 and rec.updated_at == T0 + dt.timedelta(minutes=5)
    with pytest.raises(StaleRecord, match="Record 2 was changed by carl at 2026-11-25 12:05 UTC"):
        office.set_field(2, "customer_title", "Boss", "carl", expected_version=2)
    assert office.get_record(2).field("customer_title").value == "Owner"
    rec = office.submit(2, "carl", expected_version=3)
    assert rec.status == "approved" and rec.holder == "" and rec.version == 4


def test_a_hold_lapses_after_the_idle_time_and_another_may_take_it(office, clock):
    office.set_policy(SitePolicy(hold_idle_minutes=10), "sue")
    office.claim(1, "ann")
    clock.advance(minutes=9)
    with pytest.raises(HeldByOther):
        office.set_field(1, "customer_title", "x", "carl")
    clock.advance(minutes=1)
    assert office.get_record(1).holder == ""  # lapsed: the queue shows it free
    rec = office.set_field(1, "customer_title", "x", "carl")
    assert rec.holder == "carl" and rec.held_since == clock.at
    claims = [(e.user, e.old, e.new, e.reason) for e in office.history(1) if e.action == "claim"]
    assert claims == [("ann", "", "ann", "claim"), ("carl", "ann", "carl", "the hold of ann lapsed")]


def test_next_hands_out_the_oldest_record_nobody_holds(office, clock):
    office.claim(1, "ann")
    assert office.next_record("carl").id == 2
    assert office.next_record("carl").id == 3
    assert office.next_record("carl") is None
    assert office.next_record("ann") is None  # 2 and 3 are carl's, 1 already hers
    clock.advance(minutes=31)
    assert office.next_record("ann").id == 2  # carl's holds lapsed
    assert office.release(3, "ann").holder == ""  # a lapsed hold: anyone may clear it


def test_a_group_correction_leaves_the_records_free_but_respects_holds(office):
    rec = office.accept_field(1, "customer_name", "carl", hold=False)
    assert rec.holder == "" and rec.status == "in_review" and rec.version == 2
    office.claim(2, "ann")
    with pytest.raises(HeldByOther):
        office.set_field(2, "customer_title", "x", "carl", hold=False)


def test_release_and_force(office):
    office.claim(1, "ann")
    with pytest.raises(HeldByOther):
        office.release(1, "carl")
    with pytest.raises(PermissionDenied):
        office.release(1, "carl", force=True)
    assert office.release(1, "sue", force=True).holder == ""
    assert office.claim(1, "carl").holder == "carl"
    assert office.release(1, "carl").holder == ""
    assert office.release(1, "carl").holder == ""  # nobody holds it: nothing to do


def test_a_supervisor_decides_as_before_and_the_decision_clears_the_hold(office):
    office.flag(1, "check", "ann")
    office.set_field(1, "customer_title", "Owner", "sue")  # sue corrects it: she holds it now
    assert office.get_record(1).holder == "sue"
    rec = office.approve(1, "sam")
    assert rec.status == "approved" and rec.holder == "" and rec.approved_by == "sam"
    with pytest.raises(StaleRecord):
        office.reject(2, "no", "sam", expected_version=0)


def test_clean_submissions_count_in_an_atomic_counter(office):
    office.set_policy(SitePolicy(supervisor_sample_every=2), "sue")
    assert [office.submit(i, "ann").status for i in (1, 2, 3)] == ["approved", "submitted", "approved"]
    from cisr_desk.store import counters

    with office._read() as s:
        assert counters.value(s, "clean_submissions") == 3
