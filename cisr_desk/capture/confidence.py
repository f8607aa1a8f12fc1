"""From raw readings to field values a clerk can trust or must look at.

A reading's confidence starts from its reader (Tesseract's least sure character, the ink
margin of a checkbox) and is then confirmed or lowered by what is known about the value: its
format, the registry (an id that names a registered provider whose name was also read), the
agreement of the name and the id, and the form's rules. A field is marked for review when the
result is below the site's threshold, or when a rule about it is broken, so that a wrong value
is (almost) never accepted silently.
"""
from __future__ import annotations

from cisr_desk.capture.acceptance import AcceptanceModel, default_model, features
from cisr_desk.capture.crosscheck import CONTACT_FIELDS, registered_value
from cisr_desk.capture.read import Reading
from cisr_desk.domain.fields import FieldType, format_error, fold_space
from cisr_desk.domain.model import FieldReading, Issue
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.registry import Registry
from cisr_desk.domain.template import FormTemplate

# Rule codes that say the value itself is doubtful (as opposed to a form that is complete and
# legible but breaks a business rule — a suspended DRP is read right, so it is not "in doubt").
READING_CODES = {"invalid_format", "drp_unregistered", "drp_name_mismatch", "missing_required",
                 "sa_address_missing", "request_none", "request_both_marked", "history_multiple",
                 "term_end_before_start", "term_both", "sign_date_after_received", "sa_duplicate",
                 # A signature months older than the form's receipt is most often a month misread
                 # (07 read 04, by both readers): the clerk checks the date before the rule stands.
                 "signature_stale",
                 # Reference data and plausibility (domain/reference.py, rules._places/_plausible_dates):
                 # a value that contradicts USPS data or the form's other dates is never accepted silently.
                 "zip_unknown", "place_mismatch", "address_place_mismatch", "date_implausible", "dates_apart",
                 "drp_contact_differs",
                 # A customer's phone whose area code no one has (libphonenumber's data).
                 "phone_not_in_service"}


NAME_SUGGEST_SCORE = 65.0  # below the policy's match: a name this near its id's is offered, in doubt


def snap_drp_name(text: str, drp_id: str, registry: Registry | None, policy: SitePolicy) -> tuple[str, float]:
    """When the name read is a near miss of the registered name of the id read, take the
    registered spelling: the registry is a second reader that agrees with the first.

    A name read so badly that it only half matches ("CKESTLIVEFOWEK AGGKEGA TION") is offered
    as the id's registered name too, when no other provider's name fits it better: the id is
    an independent reading. The score returned then stays below the policy's match, and the
    caller sends the field to the clerk."""
    if registry is None or not text or registry.get(drp_id) is None:
        return text, 0.0
    drp = registry.get(drp_id)
    score = registry.name_matches(drp_id, text)
    if score < policy.fuzzy_name_min_score:
        match = registry.match_name(text)
        if score < NAME_SUGGEST_SCORE or match is None or match.score > score:
            return text, score
        best = _nearest_name(drp, text)
        return (best.upper() if text.isupper() else best), score
    best = _nearest_name(drp, text)
    if _similar(text, best) >= 0.85 and fold_space(text).casefold() != best.casefold():
        return (best.upper() if text.isupper() else best), score
    return text, score


def settle_drp_names(readings: dict[str, Reading], registry: Registry | None, policy: SitePolicy) -> None:
    """Each provider's name as registered for the id read beside it, where the name read is a
    near miss of it (``snap_drp_name``). A name only offered by the id goes to the clerk, and
    so does the id: neither vouches for the other any more."""
    for slot in ("drp1", "drp2"):
        name, rid = readings.get(f"{slot}_name"), readings.get(f"{slot}_id")
        if not name or not rid or not name.value:
            continue
        snapped, score = snap_drp_name(str(name.value), str(rid.value), registry, policy)
        if snapped != name.value and score < policy.fuzzy_name_min_score:
            name.doubt(f"read as {name.value!r}: only near the registered name of {rid.value}", at_most=0.5)
            name.evidence["offered"] = True  # the registry's word, not the readers': ties nothing
            rid.doubt(f"the provider's name beside it was read only near {rid.value}'s registered name")
        elif snapped == name.value:
            other = registered_spelling(snapped, str(rid.value), registry)
            if other is not None:
                name.doubt(f"read as {name.value!r}: the registered name of {other[1]}, "
                           f"not of {rid.value or 'the id'} beside it")
                name.evidence["offered"] = True
                snapped = other[0]
        name.value = snapped


OTHER_NAME_NEAR = 0.9  # a name read this near one provider's registered name (and no other's) is it
OTHER_NAME_MARGIN = 10.0


def registered_spelling(text: str, drp_id: str, registry: Registry | None) -> tuple[str, str] | None:
    """A provider's name read a letter or a space from the registered name of a provider other
    than the id beside it ("MISSION FLEX PONER CO." beside DRP0782): that name, as registered,
    and its id; the mismatch of name and id stays the customer's, for the rules to report.
    None where the name is registered as read, or near no one provider's name."""
    if registry is None or not text:
        return None
    match = registry.match_name(text)
    if match is None or match.drp.registration_no == drp_id or match.margin < OTHER_NAME_MARGIN:
        return None
    best = _nearest_name(match.drp, text)
    if _similar(text, best) < OTHER_NAME_NEAR or fold_space(text).casefold() == best.casefold():
        return None
    return (best.upper() if text.isupper() else best), match.drp.registration_no


def registry_tied(readings: dict[str, Reading], registry: Registry | None) -> set[str]:
    """The fields that the registry ties to the provider id read on the form.

    A provider name: one of the registered names of the id read beside it, and what the
    readers saw of it nearer that provider than any other (so a name snapped across two
    look-alike providers, "... L.P." for "... LLC", is not). Then that provider's contact,
    phone and e-mail, read as registered (not put in by registered_contact). Independent
    readings of different fields agreeing through the registry: like the id, they need no
    clerk."""
    tied: set[str] = set()
    if registry is None:
        return tied
    for slot in ("drp1", "drp2"):
        name, rid = readings.get(f"{slot}_name"), readings.get(f"{slot}_id")
        if not name or not rid or not name.value or not rid.value:
            continue
        drp = registry.get(str(rid.value))
        if drp is None or rid.evidence.get("repaired") or name.evidence.get("offered") \
                or fold_space(str(name.value)).casefold() not in {n.casefold() for n in drp.names}:
            continue  # (an id put in from the name does not vouch for the name, nor a name offered by the id)
        seen = registry.match_name(name.raw or str(name.value))
        if seen is None or seen.drp.registration_no != drp.registration_no or seen.margin <= 0:
            continue
        tied.add(f"{slot}_name")
        if slot != "drp1":
            continue
        for key, attribute in CONTACT_FIELDS:
            r, registered = readings.get(key), registered_value(drp, key, attribute)
            if r is None or not isinstance(r.value, str) or not r.value or not registered \
                    or r.evidence.get("repaired"):
                continue
            if fold_space(r.value).casefold() == fold_space(registered).casefold():
                tied.add(key)
    return tied


def _nearest_name(drp, text: str) -> str:
    """The provider's registered name (or other name) nearest the name read."""
    return max(drp.names, key=lambda n: _similar(text, n))


def _similar(a: str, b: str) -> float:
    from rapidfuzz.fuzz import ratio

    return ratio(a.casefold(), b.casefold()) / 100.0


_DEFAULT = object()


def score_fields(template: FormTemplate, readings: dict[str, Reading], issues: list[Issue],
                 registry: Registry | None, policy: SitePolicy, dpi: float | None = None,
                 model: AcceptanceModel | None | object = _DEFAULT) -> dict[str, FieldReading]:
    """Confidence and review decision of every field. Where the acceptance model is present
    (``resources/acceptance.json``) it decides OCR'd text fields: its probability is the
    confidence and its threshold the review line; a value that breaks a rule or its format is
    reviewed whatever it says. Marks, digital values and a missing model keep the hand-set
    line (policy.review_below_confidence)."""
    if model is _DEFAULT:
        model = default_model()
    values = {k: r.value for k, r in readings.items()}
    tess = sorted(float(r.evidence["tess"]) for r in readings.values() if "tess" in r.evidence)
    form_conf = tess[len(tess) // 2] if tess else 0.0
    by_field: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.field:
            by_field.setdefault(issue.field, []).append(issue)
    out: dict[str, FieldReading] = {}
    tied = registry_tied(readings, registry)
    for spec in template.fields:
        r = readings.get(spec.key)
        if r is None:
            # Its page is missing: nothing was written that a clerk could key from this scan.
            # The form's page_missing issue sends it to a supervisor; a dozen fields marked
            # for review would only bury that one fact.
            out[spec.key] = FieldReading(False if spec.type.is_mark else "", 0.9, False,
                                         ["its page is missing from the scan"], "")
            continue
        conf = r.confidence
        reasons = list(r.reasons)
        value = r.value
        if not spec.type.is_mark and value:
            err = format_error(spec.type, str(value), spec.key)
            if err:
                conf = min(conf, 0.3)
                reasons.append(err)
        if spec.type is FieldType.DRP_ID and value and registry is not None:
            if registry.get(str(value)) is not None:
                name_key = spec.key.replace("_id", "_name")
                name = readings.get(name_key)
                if name and name.value and registry.name_matches(str(value), str(name.value)) >= policy.fuzzy_name_min_score:
                    conf = max(conf, 0.97)  # id and name read independently and the registry ties them
        broken = False
        for issue in by_field.get(spec.key, []):
            if issue.code in READING_CODES:
                conf = min(conf, 0.5)
                reasons.append(issue.message)
                broken = True
        feats: dict = {}
        if r.evidence and not spec.type.is_mark:
            evidence = dict(r.evidence, disagree=bool(r.alternatives), alternatives=list(r.alternatives),
                            form_conf=form_conf)
            feats = features(spec.type, spec.key, value, conf, reasons, evidence, values, dpi, broken)
        if model is not None and feats:
            p = model.probability(feats)
            format_bad = bool(value) and format_error(spec.type, str(value), spec.key) is not None
            review = broken or format_bad or r.must_check or (p < model.threshold and spec.key not in tied)
            conf = min(p, 0.5) if broken or format_bad else min(p, 0.6) if r.must_check else p
            if spec.key in tied and not review:
                conf = max(conf, 0.97)
        else:
            review = conf < policy.review_below_confidence or bool(reasons) or r.must_check
        out[spec.key] = FieldReading(value, round(conf, 3), review, reasons, r.raw, feats)
    return out
