"""Fields of one form that vouch for each other.

A customer usually prints the name they wrote at the top again under the signature, and
the first service address is usually the mailing address. When the two readers disagree on
one field and one of their readings is exactly what a *confident* related field says, that
reading is taken: two independent reads of two different pieces of ink agree. Nothing is
changed when no reading matches — the clerk still decides.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from cisr_desk.capture.read import Reading, squash

Compose = Callable[[dict[str, Reading]], list[str]]
RegistryCompose = Callable[[dict[str, Reading], object], list[str]]


def _v(readings: dict[str, Reading], key: str) -> str:
    r = readings.get(key)
    return str(r.value) if r is not None and r.value and not r.reasons else ""


def _address(readings: dict[str, Reading]) -> list[str]:
    street, city, zip_ = (_v(readings, k) for k in ("mailing_street", "mailing_city", "mailing_zip"))
    state = _v(readings, "mailing_state")
    if not street:
        return []
    out = [street]
    if city:
        out += [f"{street} {city}", f"{street} {city} {zip_}", f"{street} {city} {state} {zip_}"]
    return out


def _same(key: str) -> Compose:
    return lambda readings: [v] if (v := _v(readings, key)) else []


def _street_from_address(readings: dict[str, Reading]) -> list[str]:
    """The mailing street, as the start of a confidently read first service address."""
    address = _v(readings, "sa1_address")
    return [address.split(",")[0]] if address else []


def _term_end(readings: dict[str, Reading]) -> list[str]:
    """Terms run whole years from the start, ending on the eve of the anniversary or so."""
    start = _v(readings, "term_start")
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return []
    out = []
    for years in range(1, 6):
        try:
            anniversary = first.replace(year=first.year + years)
        except ValueError:  # 29 February
            anniversary = first.replace(year=first.year + years, day=28)
        out += [(anniversary - dt.timedelta(days=d)).isoformat() for d in (0, 1, 2)]
    return out


# field -> what related fields say it probably is
RELATED: dict[str, Compose] = {
    # The customer usually signs on the day the term starts.
    "customer_sign_date": _same("term_start"),
    "term_start": _same("customer_sign_date"),
    "term_end": _term_end,
    **{f"sa{i}_address": _address for i in range(1, 6)},
    "customer_print_name": _same("customer_name"),
    "customer_name": _same("customer_print_name"),
    "drp_print_name": _same("drp1_contact"),
    "drp1_contact": _same("drp_print_name"),
    "mailing_street": _street_from_address,
}


def _registered(attribute: str, digits_only: bool = False) -> RegistryCompose:
    """What the registry holds for the provider whose id was read with confidence."""
    def compose(readings: dict[str, Reading], registry) -> list[str]:
        drp_id = _v(readings, "drp1_id")
        drp = registry.get(drp_id) if registry is not None and drp_id else None
        value = str(getattr(drp, attribute, "") or "") if drp else ""
        if digits_only:
            value = "".join(ch for ch in value if ch.isdigit())
        return [value] if value else []
    return compose


# field -> what the DRP registry says it probably is (the provider's registered contact)
FROM_REGISTRY: dict[str, RegistryCompose] = {
    "drp1_contact": _registered("contact_name"),
    "drp1_phone": _registered("contact_phone", digits_only=True),
    "drp1_email": _registered("contact_email"),
}


def cross_check(readings: dict[str, Reading], registry=None) -> None:
    """Settle doubtful readings that a confident related field, or the registry entry of the
    provider read with confidence, confirms (in place)."""
    sources: list[tuple[str, Callable[[dict[str, Reading]], list[str]]]] = list(RELATED.items())
    sources += [(k, (lambda rd, f=f: f(rd, registry))) for k, f in FROM_REGISTRY.items()]
    for key, compose in sources:
        r = readings.get(key)
        if r is None or not r.alternatives or not r.reasons:
            continue
        candidates = {squash(c, True) for c in compose(readings) if c}
        for alternative in r.alternatives:
            if alternative and squash(alternative, True) in candidates:
                r.value = alternative
                r.reasons = []
                r.confidence = max(r.confidence, 0.9)
                r.evidence["support"] = True
                break
