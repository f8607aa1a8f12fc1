"""Decisions with reasons: site reason codes with free text, overrides that need a reason and
are audited, rules no override can pass, and no approval before there is a registry."""
from __future__ import annotations

import datetime as dt

import pytest

from cisr_desk.domain import reasons
from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import InvalidTransition, InvalidValue, NeedsOverride, PermissionDenied, RuleBlocksApproval
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import fakes
from cisr_desk.store.service import Desk
from users_support import add_users

SUE = wf.Actor("sue", wf.Role.SUPERVISOR)


def facts(codes=(), status="flagged"):
    return wf.RecordFacts(7, wf.Status(status), "ann", frozenset({"ann"}), len(codes), 0, tuple(codes))


def test_reason_codes_and_free_text():
    codes = reasons.DEFAULT_REASONS
    assert reasons.reason_text(codes, "reject", "signature", "looks photocopied") == \
        "Signature differs from the one on file or looks copied [SIGNATURE]: looks photocopied"
    assert reasons.reason_text(codes, "flag", "customer asked us to wait") == "customer asked us to wait"
    with pytest.raises(InvalidValue, match="not a reason for a flag"):
        reasons.reason_text(codes, "flag", "CUSTOMER_CONFIRMED")  # an override reason
    with pytest.raises(InvalidValue, match="reason is required"):
        reasons.reason_text(codes, "reject", "  ")
    with pytest.raises(InvalidValue, match="note"):
        reasons.reason_text(codes, "reject", "OTHER")
    with pytest.raises(InvalidValue, match="listed twice"):
        reasons.validate([reasons.ReasonCode("A", "a"), reasons.ReasonCode("A", "b")])
    stored = reasons.parse([{"code": "late mail", "label": "Arrived  after the deadline", "kinds": ["reject"]}])
    assert [c.code for c in stored] == ["LATE_MAIL", "OTHER"] and stored[0].label == "Arrived after the deadline"


def test_an_approval_that_passes_a_failing_rule_needs_an_override():
    with pytest.raises(NeedsOverride, match="still fails 2 rules"):
        wf.approve(facts(["sign_date_after_received", "drp_name_mismatch"]), SUE)
    change = wf.approve(facts(["sign_date_after_received"]), SUE, override="Confirmed by phone [CUSTOMER_CONFIRMED]")
    assert change.new is wf.Status.APPROVED and change.reason.startswith("override: Confirmed by phone")
    assert wf.approve(facts(["duplicate_authorization"]), SUE).reason == ""  # the supervisor's judgement itself
    # Nothing fails: nothing is overridden, and what the supervisor wrote stays with the approval.
    assert wf.approve(facts(), SUE, override="Checked the account by phone").reason == "Checked the account by phone"


@pytest.mark.parametrize("code", sorted(wf.NEVER_OVERRIDDEN))
def test_some_rules_block_approval_whatever_the_reason(code):
    with pytest.raises(RuleBlocksApproval, match="cannot be approved"):
        wf.approve(facts([code, "drp_name_mismatch"]), SUE, override="I am sure")


def test_nothing_is_approved_without_a_registry():
    with pytest.raises(InvalidTransition, match="No DRP registry"):
        wf.approve(facts(), SUE, registry_loaded=False)


def _add(desk, tmp_path, extractor, values, name, **form):
    extractor.results[name] = [fakes.form(values, **form)]
    (tmp_path / name).write_bytes(b"%PDF " + name.encode())
    [rid] = desk.import_files([tmp_path / name], "ann").record_ids
    return rid


def test_overrides_are_audited_and_signatures_never_overridden(desk, tmp_path, extractor):
    late = fakes.clean_values(1)
    late["drp1_name"] = "Some Other Name Entirely"  # a name that does not match the registry
    rid = _add(desk, tmp_path, extractor, late, "late.pdf")
    assert desk.submit(rid, "ann").status == "flagged"
    with pytest.raises(NeedsOverride):
        desk.approve(rid, "sue")
    rec = desk.approve(rid, "sue", override="DRP_CONFIRMED", note="DBA name on file")
    assert rec.status == "approved"
    [event] = [e for e in desk.history(rid) if e.action == "approve"]
    assert event.reason == "override: Confirmed with the provider [DRP_CONFIRMED]: DBA name on file"

    unsigned = fakes.clean_values(2)
    unsigned["customer_signature"] = False
    rid = _add(desk, tmp_path, extractor, unsigned, "unsigned.pdf")
    desk.submit(rid, "ann")
    with pytest.raises(RuleBlocksApproval, match="signature is missing"):
        desk.approve(rid, "sue", override="OTHER", note="customer will sign later")
    assert desk.reject(rid, "INCOMPLETE", "sue", note="unsigned").reject_reason == \
        "Required parts of the form are missing [INCOMPLETE]: unsigned"


def test_the_site_edits_its_reasons_and_clerks_cannot(desk):
    codes = desk.reason_codes()
    desk.set_reason_codes(codes + [reasons.ReasonCode("LATE", "Arrived after the deadline", ("reject",))], "sue")
    assert "LATE" in {c.code for c in desk.reason_codes("reject")}
    assert "LATE" not in {c.code for c in desk.reason_codes("flag")}
    with pytest.raises(PermissionDenied):
        desk.set_reason_codes(codes, "ann")


def test_without_a_registry_a_clean_record_waits_and_cannot_be_approved(tmp_path, extractor):
    desk = Desk.open(f"sqlite:///{tmp_path / 'bare.sqlite3'}", extractor=extractor)
    add_users(desk, ("ann", "clerk"), ("sue", "supervisor"))
    desk.set_policy(SitePolicy(supervisor_sample_every=0), "sue")
    rid = _add(desk, tmp_path, extractor, fakes.clean_values(3), "clean.pdf")
    assert desk.submit(rid, "ann").status == "submitted"  # not approved by policy
    with pytest.raises(InvalidTransition, match="No DRP registry"):
        desk.approve(rid, "sue")
    desk.import_registry(fakes.write_registry_csv(tmp_path / "registry.csv"), "sue")
    assert desk.approve(rid, "sue").status == "approved"
    desk.close()


def test_overrides_are_listed_in_the_workbook_manifest(desk, tmp_path, extractor):
    from openpyxl import load_workbook

    odd = fakes.clean_values(5)
    odd["drp1_name"] = "Some Other Name Entirely"
    rid = _add(desk, tmp_path, extractor, odd, "odd.pdf")
    desk.submit(rid, "ann")
    desk.approve(rid, "sue", override="DRP_CONFIRMED", note="trade name")
    clean = _add(desk, tmp_path, extractor, fakes.clean_values(6), "clean.pdf")
    desk.submit(clean, "ann")
    today = desk.today()
    info = desk.export_period(today, today, "sue", tmp_path / "out")
    rows = list(load_workbook(info.path)["Manifest"].iter_rows(values_only=True))
    assert ("Overrides", 1) in rows
    assert (f"Form {rid}", "sue: Confirmed with the provider [DRP_CONFIRMED]: trade name") in rows
    again = desk.reexport(info.id, "sue", tmp_path / "again")
    assert list(load_workbook(again.path)["Manifest"].iter_rows(values_only=True)) == rows


def test_a_clean_record_without_a_received_date_is_not_approved_by_policy(desk, tmp_path, extractor):
    rid = _add(desk, tmp_path, extractor, fakes.clean_values(8), "stampless.pdf", received="")
    rec = desk.submit(rid, "ann")
    assert rec.status == "flagged" and "no received date" in rec.flag_reason
    stamped = _add(desk, tmp_path, extractor, fakes.clean_values(9), "stamped.pdf")
    assert desk.get_record(stamped).received is not None and desk.submit(stamped, "ann").status != "flagged"


def test_a_received_date_to_come_or_years_back_is_refused(desk, tmp_path, extractor):
    rid = _add(desk, tmp_path, extractor, fakes.clean_values(10), "stampless.pdf", received="")
    today = desk.today()
    with pytest.raises(InvalidValue, match="after today"):
        desk.set_field(rid, "received", (today + dt.timedelta(days=1)).isoformat(), "ann")
    with pytest.raises(InvalidValue, match="years before today"):
        desk.set_field(rid, "received", today.replace(year=today.year - 30).isoformat(), "ann")
    assert desk.get_record(rid).received is None and desk.set_field(rid, "received", today, "ann").received == today


def test_the_received_date_is_set_by_the_clerk_and_the_date_rules_run_against_it(desk, tmp_path, extractor):
    values = fakes.clean_values(7)
    rid = _add(desk, tmp_path, extractor, values, "stampless.pdf", received="")
    assert desk.get_record(rid).received is None
    signed = dt.date.fromisoformat(values["customer_sign_date"])
    rec = desk.set_field(rid, "received", (signed - dt.timedelta(days=3)).strftime("%m/%d/%Y"), "ann")
    assert rec.received == signed - dt.timedelta(days=3)
    assert "sign_date_after_received" in {i.code for i in rec.issues}
    rec = desk.set_field(rid, "received", (signed + dt.timedelta(days=2)).isoformat(), "ann")
    assert "sign_date_after_received" not in {i.code for i in rec.issues} and rec.status == "in_review"
    [*_, last] = [e for e in desk.history(rid) if e.field == "received"]
    assert (last.user, last.action, last.new) == ("ann", "set_field", (signed + dt.timedelta(days=2)).isoformat())
    assert "ann" in rec.edited_by  # a supervisor who sets it may not approve it either
    with pytest.raises(InvalidValue, match="not a date"):
        desk.set_field(rid, "received", "13/45/2026", "ann")
