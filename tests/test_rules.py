"""The validation rules: every issue code triggered, and a clean form of each revision passing."""
from __future__ import annotations

import datetime as dt

import pytest

from cisr_desk.domain.fields import FieldType
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import DRP, Registry
from cisr_desk.domain.rules import ISSUE_CODES, field_issues, validate
from cisr_desk.domain.template import FieldSpec, FormTemplate, PageSpec, load_templates
from cisr_desk.paths import forms_dir

REV26 = "14-941-rev-2026-03"
REV19 = "14-941-rev-2019-07"
RECEIVED = dt.date(2026, 11, 2)
POLICY = SitePolicy()


@pytest.fixture(scope="module")
def templates() -> dict[str, FormTemplate]:
    return load_templates(forms_dir())


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry([
        DRP("DRP0370", "Redwood Load Management LLC", "LoadNow", "ACTIVE", dt.date(2018, 4, 8)),
        DRP("DRP0933", "Big Bear Grid Services L.P.", "GridNow", "ACTIVE", dt.date(2016, 2, 8)),
        DRP("DRP0417", "Owens Valley Demand Response Co.", "", "SUSPENDED", dt.date(2015, 9, 21),
            dt.date(2026, 10, 2)),
        DRP("DRP1454", "Desert Sun Grid Services Co.", "DesertFlex", "WITHDRAWN", dt.date(2023, 6, 7),
            dt.date(2026, 1, 26), sce_service_agreement=False),
        DRP("DRP1500", "Catalina Grid Services Co.", "CatalinaFlex", "ACTIVE", sce_service_agreement=False),
    ])


def clean(template_id: str) -> dict[str, str | bool]:
    """A complete, correct authorization in normal form for the given revision."""
    values: dict[str, str | bool] = {
        "request_authorize": True, "request_revoke": False,
        "customer_name": "Maria Lopez", "customer_account": "2123456789",
        "mailing_street": "12 Oak St", "mailing_city": "Pasadena", "mailing_state": "CA", "mailing_zip": "91101",
        "customer_phone": "6265550101",
        "sa1_number": "3123456701", "sa1_address": "12 Oak St, Pasadena",
        "sa2_number": "3123456702", "sa2_address": "14 Oak St, Pasadena",
        "more_accounts_attached": False,
        "drp1_name": "Redwood Load Management", "drp1_id": "DRP0370", "drp1_contact": "Priya Kim",
        "drp1_phone": "2205550108",
        "data_interval": True, "data_billing": False,
        "term_start": "2026-11-15", "term_end": "",
        "customer_signature": True, "customer_sign_date": "2026-10-20",
        "customer_print_name": "Maria Lopez", "customer_title": "",
    }
    if template_id == REV26:
        values.update({
            "customer_email": "maria@example.com", "drp1_email": "priya@redwood.example",
            "drp2_name": "GridNow", "drp2_id": "DRP0933",
            "data_account": True, "data_programs": False,
            "history_12": False, "history_24": True, "history_36": False,
            "term_until_revoked": True,
            "drp_signature": True, "drp_sign_date": "2026-10-25", "drp_print_name": "Priya Kim",
        })
    return values


def run(templates, registry, template_id=REV26, received=RECEIVED, policy=POLICY, **changes):
    extra = {k: changes.pop(k) for k in ("attachment_present", "missing_pages", "today") if k in changes}
    values = clean(template_id)
    values.update(changes)
    return validate(templates[template_id], values, registry=registry, received=received, policy=policy, **extra)


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def only(issues, code: str):
    found = [i for i in issues if i.code == code]
    assert found, f"{code} not raised; got {codes(issues)}"
    return found[0]


@pytest.mark.parametrize("template_id", [REV26, REV19])
def test_clean_form_has_no_issue(templates, registry, template_id):
    assert run(templates, registry, template_id) == []


@pytest.mark.parametrize("template_id", [REV26, REV19])
def test_clean_revoke_needs_no_category_nor_term(templates, registry, template_id):
    blanks = {k: False for k in ("data_interval", "data_billing", "data_account", "data_programs",
                                 "history_24", "term_until_revoked")}
    issues = run(templates, registry, template_id, request_authorize=False, request_revoke=True,
                 term_start="", **blanks)
    assert issues == []


def test_revoke_still_needs_customer_drp_and_signature(templates, registry):
    issues = run(templates, registry, request_authorize=False, request_revoke=True,
                 customer_account="", drp1_id="", customer_signature=False, sa1_number="", sa1_address="",
                 sa2_number="", sa2_address="")
    assert {(i.field, i.code) for i in issues} >= {
        ("customer_account", "missing_required"), ("drp1_id", "missing_required"),
        ("customer_signature", "signature_missing"), ("sa1_number", "missing_required")}


def test_revoke_of_suspended_provider_is_fine(templates, registry):
    issues = run(templates, registry, request_authorize=False, request_revoke=True,
                 drp1_id="DRP0417", drp1_name="Owens Valley Demand Response", drp2_name="", drp2_id="")
    assert issues == []


def test_request_none_and_both(templates, registry):
    assert codes(run(templates, registry, request_authorize=False)) == ["request_none"]
    assert codes(run(templates, registry, request_revoke=True)) == ["request_both_marked"]


@pytest.mark.parametrize("template_id", [REV26, REV19])
def test_missing_required(templates, registry, template_id):
    issues = run(templates, registry, template_id, customer_name="", mailing_zip="", term_start="",
                 customer_print_name="  ")
    assert sorted(i.field for i in issues if i.code == "missing_required") == [
        "customer_name", "customer_print_name", "mailing_zip", "term_start"]
    assert only(issues, "missing_required").message.endswith("is blank")


def test_invalid_format_names_value(templates, registry):
    issues = run(templates, registry, customer_account="3123456789", mailing_state="XX", customer_email="maria@",
                 customer_sign_date="13/45/2026", drp1_phone="555")
    bad = {i.field: i.message for i in issues if i.code == "invalid_format"}
    assert set(bad) == {"customer_account", "mailing_state", "customer_email", "customer_sign_date", "drp1_phone"}
    assert "3123456789" in bad["customer_account"] and "customer account" in bad["customer_account"]


def test_optional_field_blank_is_fine_but_checked_when_present(templates, registry):
    assert run(templates, registry, customer_email="", drp1_phone="", drp1_email="") == []
    assert codes(run(templates, registry, drp1_email="not an email")) == ["invalid_format"]


def test_raw_values_are_normalised_before_checking(templates, registry):
    assert run(templates, registry, customer_account="2-12-345-6789", term_start="11/15/2026",
               drp1_id="drp-0370", customer_phone="(626) 555-0101") == []


def test_a_customer_phone_no_one_has_is_flagged_but_not_a_providers(templates, registry):
    issue = only(run(templates, registry, customer_phone="3705993409"), "phone_not_in_service")
    assert issue.field == "customer_phone" and "(370) 599-3409 is not a number in use" in issue.message
    assert run(templates, registry, customer_phone="(310) 599-3409") == []
    # A provider's phone is the registry's business (the sample registry's are fictional).
    assert "phone_not_in_service" not in codes(run(templates, registry, drp1_phone="3705550108"))


def test_service_account_rules(templates, registry):
    issues = run(templates, registry, sa2_number="3123456701", sa3_number="3123456703")
    dup = only(issues, "sa_duplicate")
    assert dup.field == "sa2_number" and "3-123-4567-01" in dup.message
    addr = only(issues, "sa_address_missing")
    assert addr.field == "sa3_address" and "3-123-4567-03" in addr.message

    issues = run(templates, registry, sa4_address="9 Elm St")
    assert [(i.field, i.code) for i in issues] == [("sa4_number", "missing_required")]

    issues = run(templates, registry, REV19, sa1_number="", sa1_address="", sa2_number="", sa2_address="")
    assert [(i.field, i.code) for i in issues] == [("sa1_number", "missing_required")]


def test_drp_unregistered_suggests_close_ids(templates, registry):
    issue = only(run(templates, registry, drp1_id="DRP0371"), "drp_unregistered")
    assert issue.field == "drp1_id" and "DRP0371" in issue.message and "DRP0370" in issue.message


def test_drp_not_active_and_no_agreement(templates, registry):
    issue = only(run(templates, registry, drp1_id="DRP0417", drp1_name="Owens Valley Demand Response Co"),
                 "drp_not_active")
    assert issue.message == "DRP0417 is SUSPENDED since 2026-10-02"
    issue = only(run(templates, registry, received=dt.date(2026, 9, 30), customer_sign_date="2026-09-01",
                     drp_sign_date="2026-09-02", drp1_id="DRP0417", drp1_name="Owens Valley Demand Response"),
                 "drp_not_active")
    assert issue.message == "DRP0417 is SUSPENDED since 2026-10-02, after the form was received (09/30/2026)"
    issues = run(templates, registry, drp2_id="DRP1454", drp2_name="DesertFlex")
    assert {(i.field, i.code) for i in issues} == {("drp2_id", "drp_not_active"), ("drp2_id", "drp_no_agreement")}
    issue = only(run(templates, registry, REV19, drp1_id="DRP1500", drp1_name="CatalinaFlex"), "drp_no_agreement")
    assert "no SCE service agreement" in issue.message


def test_drp_name_mismatch(templates, registry):
    issue = only(run(templates, registry, drp1_name="Big Bear Grid Services"), "drp_name_mismatch")
    assert issue.field == "drp1_name" and "Redwood Load Management LLC" in issue.message
    assert "DRP0933" in issue.message  # it points at the provider the name does describe
    # DBA name, case, suffix and an OCR slip all still match
    for written in ("LOADNOW", "Redwood Load Management, L.L.C.", "Redwood Load Managment Inc", "loadnow llc"):
        assert run(templates, registry, drp1_name=written) == [], written
    strict = SitePolicy(fuzzy_name_min_score=99.5)
    assert codes(run(templates, registry, policy=strict, drp1_name="Redwood Load Managment")) == ["drp_name_mismatch"]


def test_drp_same_twice_and_drp2_pair(templates, registry):
    issue = only(run(templates, registry, drp2_id="DRP0370", drp2_name="LoadNow"), "drp_same_twice")
    assert issue.field == "drp2_id"
    issues = run(templates, registry, drp2_id="")
    assert [(i.field, i.code) for i in issues] == [("drp2_id", "missing_required")]
    issues = run(templates, registry, drp2_name="")
    assert [(i.field, i.code) for i in issues] == [("drp2_name", "missing_required")]
    assert run(templates, registry, drp2_name="", drp2_id="") == []


def test_no_registry_skips_registry_checks(templates):
    issues = run(templates, None, drp1_id="DRP9999", drp1_name="Nobody")
    assert issues == []


@pytest.mark.parametrize("template_id", [REV26, REV19])
def test_no_data_category(templates, registry, template_id):
    off = {k: False for k in ("data_interval", "data_billing", "data_account", "data_programs")}
    issues = run(templates, registry, template_id, **off)
    assert codes(issues) == ["no_data_category"]


def test_history_multiple(templates, registry):
    issue = only(run(templates, registry, history_12=True, history_36=True), "history_multiple")
    assert "12, 24, 36" in issue.message


def test_term_rules(templates, registry):
    assert codes(run(templates, registry, term_end="2027-11-15")) == ["term_both"]
    issue = only(run(templates, registry, term_until_revoked=False, term_end="2026-11-15"), "term_end_before_start")
    assert "11/15/2026" in issue.message
    assert codes(run(templates, registry, REV19, term_end="2026-01-01")) == ["term_end_before_start"]
    assert run(templates, registry, REV19, term_end="2027-11-15") == []
    assert run(templates, registry, REV19, term_end="") == []  # rev 2019: blank end = until revoked
    issue = only(run(templates, registry, term_start="2028-01-01"), "start_too_far_ahead")
    assert issue.field == "term_start" and "365" in issue.message


def test_signature_rules(templates, registry):
    issue = only(run(templates, registry, customer_signature=False), "signature_missing")
    assert issue.field == "customer_signature"
    assert run(templates, registry, drp_signature=False, drp_sign_date="", drp_print_name="") == []
    issue = only(run(templates, registry, customer_sign_date="2026-11-03"), "sign_date_after_received")
    assert "11/03/2026" in issue.message and "11/02/2026" in issue.message
    issue = only(run(templates, registry, drp_sign_date="2026-12-01"), "sign_date_after_received")
    assert issue.field == "drp_sign_date"
    issue = only(run(templates, registry, customer_sign_date="2026-07-01"), "signature_stale")
    assert "124 days" in issue.message
    assert run(templates, registry, customer_sign_date="2026-07-01", policy=SitePolicy(signature_max_age_days=200)) == []
    assert run(templates, registry, received=None, customer_sign_date="2026-11-20", today=dt.date(2026, 12, 1)) == []


def test_attachment_missing(templates, registry):
    assert codes(run(templates, registry, more_accounts_attached=True, attachment_present=False)) == [
        "attachment_missing"]
    assert run(templates, registry, more_accounts_attached=True, attachment_present=True) == []
    assert run(templates, registry, more_accounts_attached=True) == []  # unknown: not checked


def test_page_missing_silences_the_blanks_of_that_page(templates, registry):
    page2 = [k for k in templates[REV26].keys if templates[REV26].field(k).page == 1]
    blanks = {k: (False if templates[REV26].field(k).type.is_mark else "") for k in page2}
    issues = run(templates, registry, missing_pages=[1], **blanks)
    assert [(i.field, i.code, i.message) for i in issues] == [(None, "page_missing", "Page 2 of 2 is missing from the scan")]


def test_every_code_is_named_in_a_test():
    import inspect
    import sys
    source = inspect.getsource(sys.modules[__name__])
    for code in ISSUE_CODES:
        assert f'"{code}"' in source, f"no test for {code}"


def test_field_issues_groups_by_field(templates, registry):
    issues = run(templates, registry, request_authorize=False, customer_name="", customer_phone="",
                 missing_pages=[1], customer_signature=False)
    grouped = field_issues(issues)
    assert [i.code for i in grouped[None]] == ["page_missing"]
    assert set(grouped) == {None, "request_authorize", "customer_name", "customer_phone"}


def test_new_revision_with_known_keys_needs_no_code(registry):
    """A made-up revision with a sixth service-account row and a third DRP is validated by pattern."""
    keys = {"request_authorize": FieldType.CHECK, "request_revoke": FieldType.CHECK,
            "sa6_number": FieldType.ACCOUNT, "sa6_address": FieldType.TEXT,
            "drp3_name": FieldType.TEXT, "drp3_id": FieldType.DRP_ID, "data_new": FieldType.CHECK}
    template = FormTemplate("x", "x", "x.pdf", (PageSpec(0, 612, 792),),
                            tuple(FieldSpec(k, t, 0, (0, 0, 1, 1)) for k, t in keys.items()))
    issues = validate(template, {"request_authorize": True, "sa6_number": "3123456789", "drp3_id": "DRP0417",
                                 "drp3_name": "Owens Valley Demand Response"},
                      registry=registry, received=RECEIVED, policy=POLICY)
    assert {(i.field, i.code) for i in issues} == {
        ("sa6_address", "sa_address_missing"), ("drp3_id", "drp_not_active"), ("data_new", "no_data_category")}


def test_place_rules_zip_city_state(templates, registry):
    # A ZIP that does not exist, beside a California city.
    issue = only(run(templates, registry, mailing_zip="13550"), "zip_unknown")
    assert issue.field == "mailing_zip" and "13550" in issue.message
    # "LA" read for "CA": the city sides with the ZIP, so the state is the odd one out.
    issues = run(templates, registry, mailing_city="Santa Barbara", mailing_zip="93101", mailing_state="LA")
    assert [(i.field, i.code) for i in issues] == [("mailing_state", "place_mismatch")]
    # A city the ZIP does not serve.
    issues = run(templates, registry, mailing_city="P0M0NA", mailing_zip="91766")
    assert [(i.field, i.code) for i in issues] == [("mailing_city", "place_mismatch")]
    # A real city of the state with another city's ZIP: either may be the misread one.
    issues = run(templates, registry, mailing_city="Pomona", mailing_zip="91101")
    assert {i.field for i in issues if i.code == "place_mismatch"} == {"mailing_city", "mailing_zip"}
    # USPS acceptable names count (91320 is Newbury Park, also Thousand Oaks).
    assert run(templates, registry, mailing_city="Thousand Oaks", mailing_zip="91320", sa1_address="12 Oak St, Thousand Oaks 91320") == []


def test_service_address_place(templates, registry):
    issue = only(run(templates, registry, sa1_address="12 Oak St, Pasadena 93101"), "address_place_mismatch")
    assert issue.field == "sa1_address" and "93101" in issue.message
    only(run(templates, registry, sa2_address="14 Oak St, Pasadena 13550"), "address_place_mismatch")
    only(run(templates, registry, sa2_address="14 Oak St, Pasadcna"), "address_place_mismatch")
    assert run(templates, registry, sa2_address="14 Oak St Pasadena 91101") == []


def test_implausible_dates(templates, registry):
    issue = only(run(templates, registry, customer_sign_date="3036-10-20"), "date_implausible")
    assert issue.field == "customer_sign_date"
    only(run(templates, registry, received=None, term_end="2099-01-01"), "date_implausible")
    # Without receipt, a sign date after today cannot be right.
    only(run(templates, registry, received=None, customer_sign_date="2026-11-20", today=dt.date(2026, 11, 10)),
         "date_implausible")
    # A start two years after the signature: one of them is misread.
    issues = run(templates, registry, term_start="2028-11-15")
    assert {i.field for i in issues if i.code == "dates_apart"} == {"term_start", "customer_sign_date"}


def test_drp_contact_against_the_registry(templates):
    reg = Registry([DRP("DRP0370", "Redwood Load Management LLC", "LoadNow", "ACTIVE", dt.date(2018, 4, 8),
                        contact_phone="(220) 555-0108", contact_email="priya@redwood.example")])
    assert run(templates, reg, drp2_name="", drp2_id="") == []
    issues = run(templates, reg, drp2_name="", drp2_id="", drp1_phone="2205550109", drp1_email="priya@redw00d.example")
    assert [(i.field, i.code) for i in issues] == [("drp1_phone", "drp_contact_differs"),
                                                   ("drp1_email", "drp_contact_differs")]
