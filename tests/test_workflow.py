"""The review workflow: every transition and its audit event, four eyes, sampling, duplicates,
revocations and re-checking against a new registry."""
from __future__ import annotations

import datetime as dt

import pytest

from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import FourEyesViolation, InvalidTransition, InvalidValue, NotFound, PermissionDenied
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import fakes
from users_support import add_users

RECEIVED = dt.date(2026, 11, 20)
CLERK = wf.Actor("ann", wf.Role.CLERK)
SUPER = wf.Actor("sue", wf.Role.SUPERVISOR)


# -- the pure rules -------------------------------------------------------------------------------
def facts(status, **kw):
    return wf.RecordFacts(1, wf.Status(status), **kw)


@pytest.mark.parametrize("issues,doubtful,due,expected", [
    (0, 0, False, "submitted"), (0, 0, True, "submitted"), (2, 0, False, "flagged"), (0, 1, False, "flagged"),
])
def test_submit_routes_by_cleanliness(issues, doubtful, due, expected):
    change = wf.submit(facts("in_review", issues=issues, doubtful=doubtful), CLERK, sample_due=due)
    assert change.new.value == expected and change.entered_by == "ann" and change.holder == ""
    event = change.event(dt.datetime(2026, 1, 1), 1)
    assert (event.user, event.action, event.old, event.new) == ("ann", "submit", "in_review", expected)


def test_a_record_with_no_received_date_goes_to_a_supervisor_with_the_reason():
    """Without the stamp's date the signature-age and start-date rules never ran: a record is
    not clean until it is known (a clerk once submitted one with the date left blank and it
    was approved by policy and exported)."""
    change = wf.submit(facts("in_review", received_known=False), CLERK, sample_due=False)
    assert change.new is wf.Status.FLAGGED and change.reason == "no received date (the date rules did not run)"
    both = wf.submit(facts("in_review", doubtful=1, received_known=False), CLERK, sample_due=False)
    assert both.reason == "1 field not confirmed and no received date (the date rules did not run)"


def test_transitions_refuse_wrong_states_and_roles():
    with pytest.raises(InvalidTransition):
        wf.submit(facts("approved"), CLERK, sample_due=False)
    with pytest.raises(PermissionDenied):
        wf.approve(facts("flagged"), CLERK)
    with pytest.raises(InvalidTransition):
        wf.approve(facts("in_review"), SUPER)
    with pytest.raises(InvalidValue):
        wf.reject(facts("flagged"), SUPER, "   ")
    with pytest.raises(FourEyesViolation):
        wf.approve(facts("flagged", entered_by="sue"), SUPER)
    with pytest.raises(FourEyesViolation):
        wf.reject(facts("flagged", edited_by=frozenset({"sue"})), SUPER, "no")
    with pytest.raises(InvalidTransition):
        wf.may_edit(facts("exported"), SUPER)
    with pytest.raises(PermissionDenied):
        wf.may_edit(facts("flagged"), CLERK)
    assert wf.sample_due(3, 3) and not wf.sample_due(2, 3) and not wf.sample_due(3, 0)


def test_pairs_are_service_accounts_times_drps_without_repeats():
    values = fakes.clean_values(1, accounts=2)
    values["sa3_number"] = values["sa1_number"]
    values["drp2_id"] = "DRP0933"
    got = [(p.service_account, p.drp_id, p.row) for p in wf.pairs(values)]
    a, b = values["sa1_number"], values["sa2_number"]
    assert got == [(a, "DRP1791", 1), (a, "DRP0933", 1), (b, "DRP1791", 2), (b, "DRP0933", 2)]


# -- through the Desk --------------------------------------------------------------------------------
@pytest.fixture
def desk(open_desk, tmp_path):
    d = open_desk()
    add_users(d, ("ada", "admin"), ("ann", "clerk"), ("carl", "clerk"), ("sue", "supervisor"), ("sam", "supervisor"))
    d.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv"), "sue")
    yield d
    d.close()


def add(desk, tmp_path, extractor, values=None, *, doubtful=(), name=None) -> int:
    name = name or f"f{len(extractor.calls)}.pdf"
    extractor.results[name] = [fakes.form(values or fakes.clean_values(len(extractor.calls) + 1), doubtful=doubtful)]
    (tmp_path / name).write_bytes(b"%PDF " + name.encode())
    [rid] = desk.import_files([tmp_path / name], "ann", received=RECEIVED).record_ids
    return rid


def actions(desk, rid):
    return [(e.user, e.action, e.old, e.new) for e in desk.history(rid) if e.field == "status"]


def test_a_clean_submission_is_approved_by_policy(desk, tmp_path, extractor):
    rid = add(desk, tmp_path, extractor)
    rec = desk.submit(rid, "ann")
    assert rec.status == "approved" and rec.approved_by == wf.POLICY_USER and rec.entered_by == "ann"
    assert actions(desk, rid) == [("ann", "import", "", "imported"), ("ann", "submit", "imported", "submitted"),
                                  ("policy", "approve", "submitted", "approved")]
    assert [a.state for a in desk.authorizations(record_id=rid)] == ["active"]


def test_supervisor_sampling_holds_every_nth_clean_record(desk, tmp_path, extractor):
    desk.set_policy(SitePolicy(supervisor_sample_every=2), "sue")
    ids = [add(desk, tmp_path, extractor) for _ in range(4)]
    assert [desk.submit(i, "ann").status for i in ids] == ["approved", "submitted", "approved", "submitted"]
    assert desk.approve(ids[1], "sue").approved_by == "sue"
    with pytest.raises(PermissionDenied):
        desk.set_policy(SitePolicy(), "ann")
    assert [e.action for e in desk.history(ids[1])][-3:] == ["submit", "authorization_created", "approve"]


def test_quality_sampling_is_on_by_default_every_20th_clean_record(desk, tmp_path, extractor):
    assert desk.policy().supervisor_sample_every == 20
    ids = [add(desk, tmp_path, extractor) for _ in range(20)]
    statuses = [desk.submit(i, "ann").status for i in ids]
    assert statuses == ["approved"] * 19 + ["submitted"]


def test_open_issues_or_doubt_send_a_record_to_the_supervisor(desk, tmp_path, extractor):
    values = fakes.clean_values(5)
    values["drp1_id"] = "DRP9999"  # not registered
    rid = add(desk, tmp_path, extractor, values)
    rec = desk.submit(rid, "ann")
    assert rec.status == "flagged" and "1 open issue" in rec.flag_reason
    doubtful = add(desk, tmp_path, extractor, doubtful=["customer_name", "mailing_city"])
    assert desk.submit(doubtful, "ann").flag_reason == "2 fields not confirmed"


def test_flag_reject_return_and_resubmit(desk, tmp_path, extractor):
    rid = add(desk, tmp_path, extractor)
    with pytest.raises(InvalidValue):
        desk.flag(rid, "", "ann")
    assert desk.flag(rid, "signature looks photocopied", "ann").flag_reason == "signature looks photocopied"
    with pytest.raises(InvalidTransition):
        desk.submit(rid, "ann")
    rec = desk.reject(rid, "ask the customer to sign again", "sue")
    assert rec.status == "rejected" and rec.reject_reason == "ask the customer to sign again"
    with pytest.raises(InvalidTransition):
        desk.set_field(rid, "customer_title", "x", "ann")
    rec = desk.return_to_clerk(rid, "sue")
    assert rec.status == "in_review" and rec.holder == "ann"
    assert desk.submit(rid, "ann").status == "approved"
    assert actions(desk, rid)[1:] == [
        ("ann", "flag", "imported", "flagged"), ("sue", "reject", "flagged", "rejected"),
        ("sue", "return", "rejected", "in_review"), ("ann", "submit", "in_review", "submitted"),
        ("policy", "approve", "submitted", "approved")]
    reasons = [e.reason for e in desk.history(rid) if e.action in ("flag", "reject")]
    assert reasons == ["signature looks photocopied", "ask the customer to sign again"]


def test_four_eyes_a_supervisor_never_decides_on_their_own_work(desk, tmp_path, extractor):
    rid = add(desk, tmp_path, extractor, doubtful=["customer_name", "mailing_city"])
    desk.set_field(rid, "customer_name", "Jo Bloggs", "sue")  # sue keyed a value (and holds the record)
    desk.release(rid, "sue")
    assert desk.submit(rid, "ann").status == "flagged"
    with pytest.raises(FourEyesViolation, match="another supervisor"):
        desk.approve(rid, "sue")
    with pytest.raises(FourEyesViolation):
        desk.reject(rid, "nope", "sue")
    own = add(desk, tmp_path, extractor)
    desk.flag(own, "odd", "sam")  # sam entered this one
    with pytest.raises(FourEyesViolation):
        desk.approve(own, "sam")
    assert desk.approve(rid, "sam").status == "approved"
    assert desk.approve(own, "ada").approved_by == "ada"
    with pytest.raises(PermissionDenied):
        desk.approve(add(desk, tmp_path, extractor), "carl")
    with pytest.raises(NotFound):
        desk.approve(rid, "nobody")
    with pytest.raises(NotFound):
        desk.approve(12345, "sam")


def test_a_supervisor_may_correct_a_flagged_record_but_then_not_approve_it(desk, tmp_path, extractor):
    rid = add(desk, tmp_path, extractor)
    desk.flag(rid, "check the zip", "ann")
    with pytest.raises(PermissionDenied):
        desk.set_field(rid, "mailing_zip", "91771", "carl")
    desk.set_field(rid, "mailing_zip", "91771", "sue")
    assert desk.get_record(rid).edited_by == {"sue"}
    with pytest.raises(FourEyesViolation):
        desk.approve(rid, "sue")


def test_duplicate_authorization_goes_to_the_supervisor_and_replaces_the_old(desk, tmp_path, extractor):
    values = fakes.clean_values(7)
    first = add(desk, tmp_path, extractor, values)
    desk.submit(first, "ann")
    again = add(desk, tmp_path, extractor, dict(values, customer_title="again"))
    rec = desk.get_record(again)
    assert [i.code for i in rec.issues] == ["duplicate_authorization"]
    assert rec.issues[0].field == "sa1_number" and f"form {first}" in rec.issues[0].message
    assert desk.submit(again, "ann").status == "flagged"
    desk.approve(again, "sue")
    states = {a.record_id: (a.state, a.ended_reason) for a in desk.authorizations(service_account=values["sa1_number"])}
    assert states == {first: ("revoked", f"replaced by form {again}"), again: ("active", "")}


def test_a_revoke_form_ends_the_matching_authorizations(desk, tmp_path, extractor):
    values = fakes.clean_values(8, accounts=2)
    auth = add(desk, tmp_path, extractor, values)
    desk.submit(auth, "ann")
    revoke_values = fakes.clean_values(8, accounts=1, revoke=True)
    revoke = add(desk, tmp_path, extractor, revoke_values)
    assert desk.get_record(revoke).issues == []
    assert desk.submit(revoke, "ann").status == "approved"
    got = {a.service_account: a.state for a in desk.authorizations(record_id=auth)}
    assert got == {values["sa1_number"]: "revoked", values["sa2_number"]: "active"}
    assert any(e.action == "authorization_ended" for e in desk.history(revoke))
    # revoking what is not in force is shown to the supervisor
    stray = add(desk, tmp_path, extractor, fakes.clean_values(99, revoke=True))
    assert [i.code for i in desk.get_record(stray).issues] == ["nothing_to_revoke"]


def test_authorizations_expire_when_their_term_ends(desk, tmp_path, extractor, clock):
    values = fakes.clean_values(3)
    values.update(term_until_revoked=False, term_end="2026-12-31")
    desk.submit(add(desk, tmp_path, extractor, values), "ann")
    clock.at = dt.datetime(2027, 1, 2, 12, tzinfo=dt.timezone.utc)
    assert desk.expire_authorizations() == 1
    assert [a.state for a in desk.authorizations()] == ["expired"]


def test_a_new_registry_rechecks_records_not_yet_approved(desk, tmp_path, extractor):
    open_rid = add(desk, tmp_path, extractor, fakes.clean_values(1))
    done = add(desk, tmp_path, extractor, fakes.clean_values(2))
    desk.submit(done, "ann")
    rows = fakes.demo_registry_rows()
    rows[0]["status"] = "SUSPENDED"
    rows[0]["status_changed_on"] = "2026-11-01"
    new = fakes.write_registry_csv(tmp_path / "new.csv", rows)
    preview = desk.preview_registry(new)
    assert preview.changed == ["DRP1791"] and preview.affected_records == [open_rid] and preview.version is None
    result = desk.import_registry(new, "sue")
    assert result.version == 2 and result.affected_records == [open_rid]
    rec = desk.get_record(open_rid)
    assert [i.code for i in rec.issues] == ["drp_not_active"] and rec.registry_version == 2
    assert desk.get_record(done).issues == [] and desk.get_record(done).registry_version == 1
    assert any(e.action == "revalidate" for e in desk.history(open_rid))
    assert desk.import_registry(new, "sue").unchanged
    with pytest.raises(PermissionDenied):
        desk.import_registry(fakes.write_registry_csv(tmp_path / "x.csv", rows[:1]), "ann")
    assert len(desk.registry()) == 2


def test_approving_needs_a_clear_request(desk, tmp_path, extractor):
    values = fakes.clean_values(4)
    values["request_revoke"] = True  # both boxes marked
    rid = add(desk, tmp_path, extractor, values)
    desk.submit(rid, "ann")
    with pytest.raises(InvalidTransition, match="authorize and revoke"):
        desk.approve(rid, "sue")
    desk.set_field(rid, "request_revoke", "false", "sam")
    assert desk.approve(rid, "sue").status == "approved"
