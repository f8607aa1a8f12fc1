"""The words and fields capture's context rules share: street suffixes and unit words, the
fields that hold names, addresses and e-mails, and which words are known (a surname or first
name of the Census lists, a business word, a California town's word)."""
from __future__ import annotations

import re
from functools import lru_cache

from cisr_desk.domain import reference

ORDINAL = re.compile(r"^\d+(ST|ND|RD|TH)$", re.I)
UNIT_WORDS = {"APT", "STE", "SUITE", "UNIT", "BLDG", "RM", "SPC", "LOT", "FL", "#"}

# USPS Publication 28 street suffixes, as written most often (abbreviation and full word).
STREET_SUFFIXES = frozenset(
    "ST STREET AVE AVENUE BLVD BOULEVARD DR DRIVE RD ROAD LN LANE CT COURT PL PLACE WAY HWY HIGHWAY "
    "PKWY PARKWAY CIR CIRCLE TER TERRACE TRL TRAIL SQ SQUARE LOOP PATH PIKE ROW RUN WALK XING CRES "
    "ALY ALLEY PLZ PLAZA EXPY EXPRESSWAY FWY FREEWAY CYN CANYON".split())
NAME_KEYS = ("customer_name", "customer_print_name", "drp1_name", "drp2_name", "drp1_contact",
             "drp_print_name", "customer_title")
ADDRESS_KEYS = ("mailing_street",) + tuple(f"sa{i}_address" for i in range(1, 6))
EMAIL_KEYS = ("customer_email", "drp1_email")
PERSON_KEYS = ("customer_name", "customer_print_name", "drp1_contact", "drp_print_name")
# A print name or a contact is always a person's first name and surname.
SIGNER_KEYS = ("customer_print_name", "drp1_contact", "drp_print_name")
BUSINESS_WORDS = frozenset("INC LLC LP LLP LTD CO CORP CORPORATION COMPANY GROUP PARTNERS SERVICES "
                           "ASSOCIATES FARMS MARKET STORE CENTER CLINIC BAKERY AND THE OF".split())
RARE_SURNAME = 10000  # beyond this rank of the Census list (or not in it) a surname is unusual

# Words that stand before another in names and places ("DE LA CRUZ", "LA VERNE", "EL MONTE"):
# never joined to the word after them.
PARTICLES = frozenset("DE DEL DELA LA LAS LOS LE DA DI DU DOS VAN VON DER MC MAC ST SAN SANTA EL AL BIN O".split())


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """The words of California's USPS town names and the street suffixes."""
    return frozenset(w for city in reference.city_names("CA") for w in city.split()) | STREET_SUFFIXES


def usual_surname(word: str) -> bool:
    """A surname of the Census list at rank RARE_SURNAME or better."""
    rank = reference.surname_rank(word)
    return rank is not None and rank <= RARE_SURNAME


def known_word(word: str, places: bool) -> bool:
    upper = word.upper()
    return usual_surname(upper) or reference.is_first_name(upper) \
        or upper in BUSINESS_WORDS or (places and upper in _place_words())
