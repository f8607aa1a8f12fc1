"""The learned acceptance model: the shipped file loads, its decision only grows with the
readers' confidence and agreement, and no model can accept a value that breaks a rule."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from cisr_desk.capture import acceptance
from cisr_desk.capture.acceptance import FEATURES, MONOTONE, AcceptanceModel, choose_threshold, fit
from cisr_desk.capture.confidence import score_fields
from cisr_desk.capture.read import Reading
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.rules import validate
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import forms_dir


@pytest.fixture(scope="module")
def shipped() -> AcceptanceModel:
    assert acceptance.MODEL_PATH.exists(), "resources/acceptance.json is missing (tools/fit_acceptance.py)"
    return AcceptanceModel.load(acceptance.MODEL_PATH)


def test_shipped_model_loads(shipped):
    assert set(shipped.weights) == set(FEATURES)
    assert 0.5 <= shipped.threshold <= 1.0
    assert shipped.meta.get("held_out_writers")


def _reading(**changes) -> dict[str, float]:
    f = {name: 0.0 for name in FEATURES}
    f.update(conf=0.6, tess=0.6, has_tess=1.0, neural=0.6, has_neural=1.0, format_ok=1.0, dpi=1.0, t_text=1.0,
             length=0.5)
    f.update(changes)
    return f


@pytest.mark.parametrize("name", ["conf", "tess", "neural", "neural_char", "agree"])
def test_decision_is_monotone_in_confidence_and_agreement(shipped, name):
    assert shipped.weights[name] >= 0
    for base in (_reading(), _reading(agree=1.0), _reading(conf=0.9, t_zip=1.0, t_text=0.0)):
        steps = [shipped.probability({**base, name: v}) for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
        assert steps == sorted(steps)
        # so the decision too: once accepted, a surer reading stays accepted
        decisions = [p >= shipped.threshold for p in steps]
        assert decisions == sorted(decisions)


def test_fit_keeps_monotone_weights_and_learns():
    rng = random.Random(4)
    rows, right = [], []
    for _ in range(600):
        agree = float(rng.random() < 0.6)
        conf = rng.random()
        p_right = 0.3 + 0.4 * agree + 0.29 * conf
        rows.append(_reading(conf=conf, agree=agree, tess=conf))
        right.append(rng.random() < p_right)
    model = fit(rows, right, steps=800)
    assert all(model.weights[n] >= 0 for n in MONOTONE)
    assert model.probability(_reading(conf=0.9, agree=1.0, tess=0.9)) > model.probability(_reading(conf=0.2, tess=0.2))


def test_threshold_keeps_silent_errors_within_budget():
    probs = [0.99, 0.98, 0.97, 0.96, 0.95, 0.9, 0.8]
    right = [True, True, False, True, True, False, True]
    assert choose_threshold(probs, right, total_fields=1000, max_silent=0.001) == 0.95  # one wrong allowed
    assert choose_threshold(probs, right, total_fields=100, max_silent=0.001) == 0.98  # none allowed


def test_no_model_accepts_a_value_that_breaks_a_rule():
    template = load_templates(forms_dir())["14-941-rev-2026-03"]
    accept_all = AcceptanceModel({n: 0.0 for n in FEATURES}, 30.0, 0.5)
    values = {"request_authorize": True, "customer_name": "MARIA LOPEZ", "customer_account": "2123456789",
              "mailing_street": "12 OAK ST", "mailing_city": "PASADENA", "mailing_state": "CA",
              "mailing_zip": "13550", "customer_phone": "6265550101", "customer_sign_date": "3036-10-20",
              "customer_email": "maria@gmail", "term_start": "2026-10-20"}
    readings = {k: Reading(v, str(v), 1.0, evidence={"tess": 1.0, "neural": 1.0}) for k, v in values.items()}
    issues = validate(template, values, registry=None, received=dt.date(2026, 11, 2), policy=SitePolicy())
    fields = score_fields(template, readings, issues, None, SitePolicy(), 300.0, model=accept_all)
    for key in ("mailing_zip", "customer_sign_date", "customer_email"):
        assert fields[key].review and fields[key].confidence <= 0.5, key
    assert not fields["customer_name"].review  # the model does decide the rest
    assert fields["customer_name"].features["conf"] == 1.0


def test_a_provider_name_the_registry_ties_to_its_id_needs_no_clerk():
    from cisr_desk.capture.confidence import registry_tied
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP1998", "Big Bear Energy Response L.P."), DRP("DRP1957", "Big Bear Energy Response LLC"),
                         DRP("DRP1063", "Coastal Grid Services Inc.")])
    template = load_templates(forms_dir())["14-941-rev-2026-03"]
    reject_all = AcceptanceModel({n: 0.0 for n in FEATURES}, -30.0, 0.5)

    def scored(name_raw, name, drp_id):
        readings = {"drp1_id": Reading(drp_id, drp_id, 0.97, evidence={"tess": 1.0}),
                    "drp1_name": Reading(name, name_raw, 0.4, evidence={"tess": 0.4, "neural": 0.5})}
        return registry_tied(readings, registry), score_fields(template, readings, [], registry, SitePolicy(),
                                                                      300.0, model=reject_all)["drp1_name"]

    tied, name = scored("COASTAL GRID SERVICFS INC", "COASTAL GRID SERVICES INC.", "DRP1063")
    assert tied == {"drp1_name"} and not name.review and name.confidence >= 0.97
    # Written "... LLC" beside the id of "... L.P.": the registered name of the id is not what was seen.
    tied, name = scored("BIG BEAR ENERGY RESPONSE LLC", "BIG BEAR ENERGY RESPONSE L.P.", "DRP1998")
    assert tied == set() and name.review
    tied, name = scored("COASTAL GRID SERVICES INC", "COASTAL GRID SERVICES INC.", "DRP1998")  # another id
    assert tied == set() and name.review



def test_a_provider_name_read_only_near_its_ids_is_offered_as_registered_and_both_go_to_the_clerk():
    from cisr_desk.capture.confidence import registry_tied, settle_drp_names
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP0520", "Crestline Power Aggregation Corporation"),
                         DRP("DRP0459", "Desert Sun Grid Services Inc."), DRP("DRP1563", "Desert Sun Curtailment Services Corp."),
                         DRP("DRP0933", "Big Bear Grid Services L.P."), DRP("DRP0101", "Sierra Energy Networks Inc.")])

    def settled(name, drp_id):
        readings = {"drp1_id": Reading(drp_id, drp_id, 0.97), "drp1_name": Reading(name, name, 0.4)}
        settle_drp_names(readings, registry, SitePolicy())
        return readings

    r = settled("CKESTLIVEFOWEK AGGKEGA TION COKFOKATION", "DRP0520")  # a hand read half right
    assert r["drp1_name"].value == "CRESTLINE POWER AGGREGATION CORPORATION"
    assert r["drp1_name"].must_check and r["drp1_name"].reasons == [
        "read as 'CKESTLIVEFOWEK AGGKEGA TION COKFOKATION': only near the registered name of DRP0520"]
    assert r["drp1_id"].must_check and registry_tied(r, registry) == set()  # neither vouches for the other
    # As near to two providers: the id read decides.
    assert settled("DESERS SUN DRS SERVSCES SNC", "DRP0459")["drp1_name"].value == "DESERT SUN GRID SERVICES INC."
    # Another provider's name, written or read, beside the id: left as read, for the rule to catch.
    for other in ("SIERRA ENERGY NETWORKS INC.", "BIG BEAR ENERGY NETWORKS INC."):
        r = settled(other, "DRP0933")
        assert r["drp1_name"].value == other and not r["drp1_id"].must_check
    # A near miss is the registered name, as before, with no doubt added.
    r = settled("BIG BEAR GRID SERVICFS L.P.", "DRP0933")
    assert r["drp1_name"].value == "BIG BEAR GRID SERVICES L.P." and not r["drp1_name"].must_check


def test_a_provider_name_a_letter_from_another_providers_is_spelled_as_registered_for_the_clerk():
    from cisr_desk.capture.confidence import registry_tied, settle_drp_names
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP1872", "Mission Flex Power Co."), DRP("DRP0782", "Sierra Energy Networks Inc."),
                         DRP("DRP1306", "Ventura Energy Response Corporation"),
                         DRP("DRP0459", "Desert Sun Grid Services Inc."), DRP("DRP0460", "Desert Sun Grid Services LLC")])

    def settled(name, drp_id):
        readings = {"drp1_id": Reading(drp_id, drp_id, 0.97), "drp1_name": Reading(name, name, 0.4)}
        settle_drp_names(readings, registry, SitePolicy())
        return readings

    # The customer wrote another provider's id than the name's: the name as registered, the
    # mismatch left for the rules, the name to the clerk and tied to nothing.
    r = settled("MISSION FLEX PONER CO.", "DRP0782")
    assert r["drp1_name"].value == "MISSION FLEX POWER CO." and r["drp1_name"].must_check
    assert "the registered name of DRP1872, not of DRP0782" in r["drp1_name"].reasons[0]
    assert registry_tied(r, registry) == set()
    assert settled("VENTURA ENERGYRESPONSE CORPORATION", "")["drp1_name"].value == \
        "VENTURA ENERGY RESPONSE CORPORATION"  # a space lost, no id read
    # Far from every registered name, or as near two providers: left as read.
    for name in ("EVERGREEN DEMAND FARTNERS LLC", "DESERT SUN GRID SERVICES L.P."):
        r = settled(name, "DRP0782")
        assert r["drp1_name"].value == name and not r["drp1_name"].must_check


def test_the_contact_of_a_provider_tied_by_the_registry_is_accepted_when_read_as_registered():
    from cisr_desk.capture.confidence import registry_tied
    from cisr_desk.domain.registry import DRP, Registry

    registry = Registry([DRP("DRP1063", "Coastal Grid Services Inc.", contact_name="Robert Nguyen",
                             contact_phone="(241) 555-0147", contact_email="robert@coastal.example")])
    readings = {"drp1_id": Reading("DRP1063", "DRP1063", 0.97), "drp1_name": Reading("COASTAL GRID SERVICES INC.", "", 0.5),
                "drp1_contact": Reading("ROBERT NGUYEN", "", 0.5), "drp1_phone": Reading("2415550147", "", 0.5),
                "drp1_email": Reading("robert@coastal.example", "", 0.5)}
    assert registry_tied(readings, registry) == {"drp1_name", "drp1_contact", "drp1_phone", "drp1_email"}
    readings["drp1_email"].evidence["repaired"] = True  # put in from the registry, not read so: the clerk looks
    readings["drp1_phone"].value = "2415550141"  # another number
    assert registry_tied(readings, registry) == {"drp1_name", "drp1_contact"}
    readings["drp1_name"].value = "COASTAL GRID SERVICES"  # not a registered name: nothing is tied
    assert registry_tied(readings, registry) == set()
