"""Context after reading: look-alikes by token class, USPS place, e-mail domains, and the rule
that a value which breaks a consistency rule is never accepted, however sure its reader."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from cisr_desk.capture.confidence import score_fields
from cisr_desk.capture.crosscheck import cross_check, term_ends
from cisr_desk.capture.context import (apply_context, fix_address, fix_city, fix_email, fix_service_address,
                                       fix_words_in, mailing_place_from_service, place_from_mailing,
                                       snap_address_city, snap_city, street_by_ink, zip_by_ink,
                                       directionals_by_ink, house_number_by_ink, house_numbers_as_written, sign_dates_by_ink,
                                       SIGNED_WITHIN_DAYS,
                                       term_dates_by_ink)
from cisr_desk.capture.ppocr import Trace
from cisr_desk.capture.read import Reading
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.rules import validate
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import forms_dir

REV26 = "14-941-rev-2026-03"


def test_letters_in_words_digits_in_numbers():
    assert fix_words_in("P0M0NA") == "POMONA"
    assert fix_words_in("Sm1th") == "Smith"
    assert fix_address("P.O. B0X 3741") == "P.O. BOX 3741"
    assert fix_address("P.O. BOX4817") == "P.O. BOX 4817"
    assert fix_address("2093I MAIN ST") == "20931 MAIN ST"
    assert fix_address("g88 CENTRAL AVE, MURRIETA 92563") == "988 CENTRAL AVE, MURRIETA 92563"
    assert fix_address("4953 S VENTURA BLVD, SANTA ANA 927O3") == "4953 S VENTURA BLVD, SANTA ANA 92703"
    # What may really be written stays: a unit suffix, an ordinal, a street called Pine.
    assert fix_address("12B OAK ST") == "12B OAK ST"
    assert fix_address("12930 SIERRA HWY #I27") == "12930 SIERRA HWY #127"  # a unit with its sign
    assert fix_address("12 OAK ST #B") == "12 OAK ST #B" and fix_address("12 OAK ST #12B") == "12 OAK ST #12B"
    assert fix_address("100 W 21ST ST") == "100 W 21ST ST"
    assert fix_address("123 PINE") == "123 PINE"


def test_street_suffix_and_split_zip():
    assert fix_address("5117 SEPULVEDA BLMD, SANTA ANA 9270 3") == "5117 SEPULVEDA BLVD, SANTA ANA 92703"
    assert fix_address("12 OAK AVE") == "12 OAK AVE"


def test_email_repairs_only_when_unambiguous():
    assert fix_email("sarah4i@gmail.com") == "sarah41@gmail.com"
    assert fix_email("david.scott80@hotmail.com.") == "david.scott80@hotmail.com"
    assert fix_email("x@gmial.com") == "x@gmail.com"
    assert fix_email("x@yahoo.con") == "x@yahoo.com"
    assert fix_email("x@gmail") == "x@gmail.com"
    assert fix_email("x@ymail.com") == "x@ymail.com"  # a real domain of its own
    assert fix_email("x@redwood.example") == "x@redwood.example"
    assert fix_email("xgmail.com") == "xgmail.com"  # no @: what was written, for the rule to report
    assert fix_email("tdelgado@robinson.cqm") == "tdelgado@robinson.com"  # an ending one letter off
    assert fix_email("ana@bigbear.exanple") == "ana@bigbear.example"
    assert fix_email("x@acme.co") == "x@acme.co"  # a real ending of its own
    assert fix_email("x@acme.cm") == "x@acme.cm"  # com? cm? not a substitution: left


@pytest.mark.parametrize("read, signer, fixed", [
    ("tdeldado@robinson.com", "THOMAS DELGADO", "tdelgado@robinson.com"),  # first initial, last name
    ("mflissa.davis43@carterco.com", "MELISSA DAVIS", "melissa.davis43@carterco.com"),  # digits kept
    ("wiliam.kim@yahoo.com", "William Kim", "william.kim@yahoo.com"),
    ("laurayammoto5@gmail.com", "LAURA YAMAMOTO", "laurayamamoto5@gmail.com"),  # no dot read: none added
    ("stevenj@icloud.com", "STEVEN M. JOHNSON", None),  # already a form of the name
    ("steveni@icloud.com", "STEVEN M. JOHNSON", None),  # stevenj or steven1: as near, so left
    ("robert.murrayi3@hotmail.com", "ROBERT MURRAY", "robert.murray13@hotmail.com"),  # i for 1, not an i too many
    ("alope.z@robinsongonzalez.net", "AMANDA LOPEZ", "alopez@robinsongonzalez.net"),  # a speck read as a dot
    ("a.lopez@robinsongonzalez.net", "AMANDA LOPEZ", None),  # a dot where names part: a form of the name
    ("bigdog@aol.com", "BRIAN RAMIREZ", None),  # nothing like the name
    ("tdeldado@robinson.com", "ROBINSON MARKET COMPANY INC.", None),  # no person's name (four words)
    ("mrobinson@aol.com", "BARBARA ROBINSON", None),  # read without doubt: left (below)
    ("omarcarter2t@gmail.com", "OMAR CARTER", None),  # "2t" is no digits: not dropped
    ("priya.okafor34@gmail.com", "PRTYA OKAFOR", None),  # the name in doubt (below): not spread
])
def test_an_email_a_letter_from_the_signers_name_is_that_name(read, signer, fixed):
    from cisr_desk.capture.crosscheck import email_from_names

    doubt = [] if read.startswith("mrobinson") else ["the two readers disagree"]
    name_doubt = ["the two readers disagree"] if signer.startswith("PRTYA") else []
    readings = {"customer_email": Reading(read, read, 0.6, doubt),
                "customer_print_name": Reading(signer, signer, 0.9, name_doubt)}
    assert email_from_names(readings) == fixed
    assert readings["customer_email"].value == (fixed or read)


def test_city_snaps_to_its_zip_only_with_a_margin():
    assert snap_city("WEST COVN", "91790") == ("WEST COVINA", 90.0)
    # USPS's short form of the ZIP's town ("Huntingtn Bch") is no other town to be unsure of.
    assert snap_city("HNTINGTON BEACH", "92649")[0] == "HUNTINGTON BEACH"
    assert snap_address_city("12 OAK ST, HUNTINGTONBEACH CA 92649") == "12 OAK ST, HUNTINGTON BEACH CA 92649"
    assert snap_city("RIVERSIDE", "91766")[1] == 0.0  # not close to Pomona: left for the rule


def test_a_zip_with_one_town_vouches_for_a_mailing_city_further_off_that_is_no_town():
    assert snap_city("RACTO", "92376")[0] == "RIALTO"  # 92376's one town, an I lost and an L read C
    assert snap_city("PRINE", "92604")[0] == "IRVINE"
    assert snap_city("PASADENA", "92376")[1] == 0.0  # a town of its own: the ZIP or the city is wrong
    assert snap_city("PMONO", "91766")[1] == 0.0  # 73 to Pomona, but a ZIP of two towns says nothing so far off


def _r(value, conf=0.6, alternatives=(), reasons=("the two readers disagree",)):
    return Reading(value, value, conf, list(reasons), list(alternatives))


@pytest.mark.parametrize("city,zip_code,services,right", [
    # Both misread, under a service address at the same house: its town and ZIP, both in doubt.
    ("TUCARE", "93271", ["4492 ORANGE ST, TULARE 93274"], ("TULARE", "93274")),
    ("DOWNEY", "90211", ["4492 ORANGE ST, DOWNEY, CA 90241"], ("DOWNEY", "90241")),  # its state written
    ("DOWKEY", "90212", ["4492 ORANGE ST DOWNEY 90242"], ("DOWNEY", "90242")),  # no comma after the street
    ("ONTARD", "91761", ["4492 ORANGE ST, ONTARIO"], ("ONTARIO", "91761")),  # no ZIP there: the town only
    # Left as read: a city and ZIP that go together, another house, two places, a city far off.
    ("DOWNEY", "90242", ["4492 ORANGE ST, TULARE 93274"], ("DOWNEY", "90242")),
    ("TUCARE", "93271", ["4498 ORANGE ST, TULARE 93274"], ("TULARE", "93274")),  # a house number misread
    ("TUCARE", "93271", ["4420 ORANGE ST, TULARE 93274"], ("TUCARE", "93271")),  # another house
    ("TUCARE", "93271", ["4492 ORANGE ST, TULARE 93274", "4492 ORANGE ST, DOWNEY 90242"], ("TUCARE", "93271")),
    ("PASADENA", "93271", ["4492 ORANGE ST, TULARE 93274"], ("PASADENA", "93271")),
])
def test_a_mailing_city_and_zip_that_disagree_are_read_off_a_service_address_at_the_same_house(
        city, zip_code, services, right):
    readings = {"mailing_street": _r("4492 ORANGE ST", 0.95, reasons=()), "mailing_city": _r(city),
                "mailing_zip": _r(zip_code)}
    readings.update({f"sa{i}_address": _r(a, 0.9, reasons=()) for i, a in enumerate(services, start=1)})
    mailing_place_from_service(readings)
    assert (readings["mailing_city"].value, readings["mailing_zip"].value) == right
    for key, was in (("mailing_city", city), ("mailing_zip", zip_code)):
        r = readings[key]
        if r.value != was:  # taken from the other line, never silently
            assert r.must_check and r.confidence <= 0.75 and "service address" in r.reasons[-1]


@pytest.mark.parametrize("read,right", [
    ("16608 RANCHO VISTA BLVD, OXWARD 93035", "16608 RANCHO VISTA BLVD, OXNARD 93035"),  # a letter
    ("763 WALNUT AVE SIMIVALLEY 93065", "763 WALNUT AVE SIMI VALLEY 93065"),  # a space lost
    ("280 VALLEY BLVD #213, BAN BERNARDINO 92405", "280 VALLEY BLVD #213, SAN BERNARDINO 92405"),
    ("1644 E Central Ave Lancastre 93534", "1644 E Central Ave Lancaster 93534"),  # typed, in its case
    ("298 SYCAMORE DR, IRUNE 92602", "298 SYCAMORE DR, IRVINE 92602"),  # the ZIP's one town, further off
    ("298 SYCAMORE DR, TUSTIN 92602", "298 SYCAMORE DR, TUSTIN 92602"),  # a town all the same: the rules'
    ("12 OAK ST, POMONA 91766", "12 OAK ST, POMONA 91766"),  # right already
    ("246 HARBOR BLVD PALM SPRINGS 62264", "246 HARBOR BLVD PALM SPRINGS 62264"),  # not the ZIP's city
    ("12 PALM DR PALM SPRINGS 92262", "12 PALM DR PALM SPRINGS 92262"),  # the street's words stay
    ("5 MAIN ST 93035", "5 MAIN ST 93035"),  # no city written: none added
    ("5 MAIN ST, OXNARD", "5 MAIN ST, OXNARD"),  # no ZIP: nothing to go by
])
def test_a_service_address_city_is_read_off_its_zip(read, right):
    assert snap_address_city(read) == right


@pytest.mark.parametrize("read,right", [
    # A 9 written with a hook, read as a letter no digit is taken for: the town names the ZIP.
    ("14901 HAVEN AVE, LAKEFOREST J2630", "14901 HAVEN AVE, LAKE FOREST 92630"),
    ("26152 SYCAMORE DR SANTABARBARA S3YO5", "26152 SYCAMORE DR SANTA BARBARA 93105"),
    # ... or as a G, and a speck after it read as a full stop.
    ("382 PALM CANYON DR. MISSION VIEJO G2692.", "382 PALM CANYON DR. MISSION VIEJO 92692"),
    # Two of the town's ZIPs fit what was read (91006 and 91007), or no town is near: left alone.
    ("822 PINE ST ARCADIA 9100N", "822 PINE ST ARCADIA 9100N"),
    ("5 MAIN ST, KRZYWX J2879", "5 MAIN ST, KRZYWX J2879"),
    ("5 MAIN ST, CORONA 928Y9X", "5 MAIN ST, CORONA 928Y9X"),
])
def test_a_service_address_zip_with_letters_is_read_off_its_town(read, right):
    assert fix_service_address(read) == right


@pytest.mark.parametrize("read,right", [
    # No comma ends the street: the ZIP's town does, and the word before it is the suffix.
    ("24772 S VICTORIA AME SIMI VALLEY 93065", "24772 S VICTORIA AVE SIMI VALLEY 93065"),
    ("6112 S Sepulveda BIvd Ventura 93003", "6112 S Sepulveda Blvd Ventura 93003"),
    ("12 OAK ST RIVERSIDE 92506", "12 OAK ST RIVERSIDE 92506"),
    ("9 BROADWAY RIVERSIDE 92506", "9 BROADWAY RIVERSIDE 92506"),  # a name, no suffix: as read
    ("12 PALM ROWE CORONA 92879", "12 PALM ROWE CORONA 92879"),  # ROW? ROWE is a name: as read
])
def test_a_service_address_suffix_is_found_before_its_town(read, right):
    assert fix_service_address(read) == right


@pytest.mark.parametrize("read,right", [
    # The space between the suffix and the ZIP's town lost; the suffix read twice, once in the town.
    ("1598 ALESSANDRO BLVDCHINO 91710", "1598 ALESSANDRO BLVD CHINO 91710"),
    ("14409 FOOTHILL BLVDSOMI VALLEY 93063", "14409 FOOTHILL BLVD SIMI VALLEY 93063"),
    ("776 JACARANDA LN LNCAMARILLO 93010", "776 JACARANDA LN CAMARILLO 93010"),
    # A town that starts as a suffix does is the town (STOCKTON, STANTON, AVENAL).
    ("123 MAIN STOCKTON 95202", "123 MAIN STOCKTON 95202"),
    ("5 OAK AVE STANTON 90680", "5 OAK AVE STANTON 90680"),
    ("9 ELM AVENAL 93204", "9 ELM AVENAL 93204"),
    ("77 BLVDCHINO 91710", "77 BLVDCHINO 91710"),  # no street name before it: nothing to split from
])
def test_a_suffix_run_into_the_town_is_split_off(read, right):
    assert fix_service_address(read) == right


@pytest.mark.parametrize("read,right", [
    # The state written after the town stays where it was written, and the town and ZIP are
    # still read off each other around it.
    ("21877 S Holt Ave, Oxnard, CA 93030", "21877 S Holt Ave, Oxnard, CA 93030"),
    ("12 OAK ST, OXWARD, CA 93035", "12 OAK ST, OXNARD, CA 93035"),
    ("12 OAK ST, MISSION VIEJO, CA G2692", "12 OAK ST, MISSION VIEJO, CA 92692"),
    ("12 OAK ST, PALM SPRINGS, CA 62264", "12 OAK ST, PALM SPRINGS, CA 92264"),
    ("3584 ARROW HWY, HESPERUA, CA", "3584 ARROW HWY, HESPERIA, CA"),
])
def test_a_service_address_keeps_its_state(read, right):
    from cisr_desk.domain.reference import check_address_line

    assert fix_service_address(read) == right
    assert check_address_line(right) is None  # no place the rules question


@pytest.mark.parametrize("read, put", [
    ("ELIZABETHORTIZ", "ELIZABETH ORTIZ"), ("RICHARDNGUYEN", "RICHARD NGUYEN"),
    ("KENJIJOHNSON", "KENJIJOHNSON"),  # no known first name: it may be a business's name
    ("SUNPOWER", "SUNPOWER"),
])
def test_a_customer_name_read_as_one_word_is_split_only_after_a_known_first_name(read, put):
    from cisr_desk.capture.names import glued_names

    readings = {"customer_name": Reading(read, read, 0.95)}
    glued_names(readings)
    assert readings["customer_name"].value == put
    assert readings["customer_name"].must_check == (read != put)


@pytest.mark.parametrize("read,right", [
    ("7539 MISSION BLVDUNIT 76 LONG BEACH 90804", "7539 MISSION BLVD UNIT 76 LONG BEACH 90804"),
    ("7531 HOLT AVEUNIT 129, REDLANDS, CA 92374", "7531 HOLT AVE UNIT 129, REDLANDS, CA 92374"),
    ("12 OAK STAPT 4", "12 OAK ST APT 4"),
    ("12 STUNITED AVE", "12 STUNITED AVE"),  # no number after it: a word, not a unit
])
def test_a_suffix_run_into_the_unit_word_after_it_is_split_off(read, right):
    assert fix_service_address(read) == right


@pytest.mark.parametrize("name, printed, printed_doubt, put_name, put_printed", [
    # The customer who signs: the field read with its word break shows where it goes, read in
    # doubt or not.
    ("HIROSHILOPEZ", "HIROSHI LOPEZ", True, "HIROSHI LOPEZ", "HIROSHI LOPEZ"),
    ("HIROSHI LOPEZ", "HIROSHILOPEZ", False, "HIROSHI LOPEZ", "HIROSHI LOPEZ"),
    ("KENJIWRICHT", "KENJI WRIGHT", True, "KENJIWRICHT", "KENJI WRIGHT"),  # not the same letters
    ("SUNPOWERINC", "SUNPOWER INC", True, "SUNPOWERINC", "SUNPOWER INC"),  # a business: not a person
])
def test_the_customer_and_the_signer_spelled_alike_take_the_word_breaks_one_of_them_shows(
        name, printed, printed_doubt, put_name, put_printed):
    from cisr_desk.capture.crosscheck import twin_spacing

    readings = {"customer_name": Reading(name, name, 0.95),
                "customer_print_name": Reading(printed, printed, 0.95,
                                               ["the two readers disagree"] if printed_doubt else [])}
    twin_spacing(readings)
    assert (readings["customer_name"].value, readings["customer_print_name"].value) == (put_name, put_printed)
    for key, was in (("customer_name", name), ("customer_print_name", printed)):
        assert readings[key].must_check == (readings[key].value != was)  # a mended field goes to the clerk


@pytest.mark.parametrize("read,right", [
    ("218 ORANGEST", "218 ORANGE ST"), ("942 OLIVEST, POMONA 91766", "942 OLIVE ST, POMONA 91766"),
    ("12 ROSEST APT 4", "12 ROSE ST APT 4"),
    # Words that end in ST, LN or CT themselves, or no known street name before it: left whole.
    ("12 WEST ST", "12 WEST ST"), ("12 FOREST", "12 FOREST"), ("12 DISTRICT", "12 DISTRICT"),
    ("12 LINCOLN AVE", "12 LINCOLN AVE"), ("425 ZQRMST", "425 ZQRMST"),
    ("425 ELMST", "425 ELM ST"),  # a common English word before it, run together into none
    ("12 ALMOST", "12 ALMOST"), ("12 MODEST", "12 MODEST"),  # words in themselves
])
def test_st_run_into_a_known_street_name_is_split_off(read, right):
    assert fix_address(read) == right


@pytest.mark.parametrize("key,read,right", [
    ("customer_print_name", "MURRAY - ANDERSON", "MURRAY-ANDERSON"),  # a hyphen stood apart
    ("customer_name", "ROBINSON- TRAN", "ROBINSON-TRAN"),
    ("customer_name", "TORRES-NEL SON", "TORRES-NELSON"),  # a word broken after the hyphen
    ("customer_name", "NAKAMURA-SANCHE Z", "NAKAMURA-SANCHEZ"),
    ("customer_name", "GARCIA-DE LEON", "GARCIA-DE LEON"),  # a particle
    ("customer_name", "MARY-JO ANN SMITH", "MARY-JO ANN SMITH"),
])
def test_a_double_surname_is_read_as_one(key, read, right):
    readings = {key: _r(read)}
    apply_context(readings)
    assert readings[key].value == right


@pytest.mark.parametrize("key,read,right", [
    ("drp_print_name", "LINH PA TEL", "LINH PATEL"),  # a common surname
    ("customer_print_name", "DWA YNE KING", "DWAYNE KING"),  # a first name
    ("customer_name", "MELISSA D. ROBERT S", "MELISSA D. ROBERTS"),
    ("drp1_name", "REDWOOD LOAD MANAGEMENT CORPORA TION", "REDWOOD LOAD MANAGEMENT CORPORATION"),
    ("sa1_address", "2026 BEACH BLVD, MO NROVIA", "2026 BEACH BLVD, MONROVIA"),  # a town's word
    ("sa5_address", "25656 OAK ST, SANTA MON ICA", "25656 OAK ST, SANTA MONICA"),
    ("mailing_street", "1771 SIERRA H WY APT 80", "1771 SIERRA HWY APT 80"),  # a street suffix
    ("customer_title", "OFFICE MA NAGER", "OFFICE MANAGER"),  # a title: common English words
    ("customer_title", "CON TROLLER", "CONTROLLER"),  # one piece a word (CON), the other none
    ("customer_title", "MANAGINGMEMBER", "MANAGING MEMBER"),  # two common words run together
    ("customer_title", "VICE PRESIDENT", "VICE PRESIDENT"),
    # Two words that are words by themselves, a particle, a middle initial: left apart.
    ("customer_name", "ROSE MARY SMITH", "ROSE MARY SMITH"),
    ("customer_name", "MARIA DE LA CRUZ", "MARIA DE LA CRUZ"),
    ("sa1_address", "12 MAIN ST, LA VERNE 91750", "12 MAIN ST, LA VERNE 91750"),
    ("customer_name", "JOHN A SMITH", "JOHN A SMITH"),
    ("mailing_street", "123 E ST", "123 E ST"),
])
def test_a_word_broken_at_a_wide_gap_is_joined_where_it_is_a_known_one(key, read, right):
    readings = {key: _r(read)}
    apply_context(readings)
    assert readings[key].value == right
    assert readings[key].evidence.get("repaired", False) == (read != right)


@pytest.mark.parametrize("read,right", [
    ("elizabethd@rive.ranet", "elizabethd@rivera.net"),  # the last dot read a letter early
    ("hiroshid@lope.zscottorg", "hiroshid@lopezscott.org"),
    ("hiroshid@lopezscottorg", "hiroshid@lopezscott.org"),  # ... or lost
    ("lisa@sawtaclarariverexample", "lisa@sawtaclarariver.example"),
    # A usual ending after its dot, or an ending this list does not know: left as read.
    ("daniel.ortiz@re.dwoodco.com", "daniel.ortiz@re.dwoodco.com"), ("ana@site.io", "ana@site.io"),
    ("ana@mail.co", "ana@mail.co"),
])
def test_an_email_domain_whose_last_dot_was_lost_or_moved_ends_in_its_ending(read, right):
    assert fix_email(read) == right


@pytest.mark.parametrize("read,right", [
    ("849 PALM CANYON OR, HESPERIA", "849 PALM CANYON DR, HESPERIA"),  # a D read as O
    ("849 Palm Canyon Or", "849 Palm Canyon Dr"),
    ("12 MAIN SI, POMONA", "12 MAIN ST, POMONA"),  # a T read as I
    ("12 OAK RO APT 4", "12 OAK RD APT 4"),
    # A suffix already, or no look-alike that makes one: left as read.
    ("12 OAK ST", "12 OAK ST"), ("123 CAMINO LA, OXNARD", "123 CAMINO LA, OXNARD"),
    ("7 PASEO DE LA PAZ", "7 PASEO DE LA PAZ"),
])
def test_a_two_letter_suffix_read_with_a_look_alike_letter_is_the_suffix(read, right):
    assert fix_address(read) == right


@pytest.mark.parametrize("read,right", [
    ("2086ALESSANDRO BLVD", "2086 ALESSANDRO BLVD"), ("23352SEPULVEDA BLVD, HESPERIA 92345",
                                                      "23352 SEPULVEDA BLVD, HESPERIA 92345"),
    ("12B OAK ST", "12B OAK ST"), ("1O2 OAK ST", "102 OAK ST"), ("12 OAK ST", "12 OAK ST"),
])
def test_a_house_number_glued_to_the_street_is_split_off(read, right):
    assert fix_address(read) == right


@pytest.mark.parametrize("read,right", [
    ("2709N MISSION BLVD", "2709 N MISSION BLVD"), ("5072E OCEAN BLVD, HEMET 92545", "5072 E OCEAN BLVD, HEMET 92545"),
    ("12B OAK ST", "12B OAK ST"),  # a unit letter
])
def test_a_house_number_glued_to_its_direction_is_split_off(read, right):
    assert fix_address(read) == right



def test_a_city_loses_a_stray_mark_at_its_ends():
    assert [fix_city(c) for c in ("OXNARD)", "(Pomona", "SAN LUIS OBISPO,", "La Cañada Flintridge", "ST. HELENA")] == [
        "OXNARD", "Pomona", "SAN LUIS OBISPO", "La Cañada Flintridge", "ST. HELENA"]


def test_zip_and_city_chosen_together():
    readings = {"mailing_zip": _r("91788", alternatives=["91788", "91766"]),
                "mailing_city": _r("POMONA", 0.95, reasons=()),
                "mailing_state": _r("CA", alternatives=["CA", "GA"])}
    apply_context(readings)
    assert readings["mailing_zip"].value == "91766" and not readings["mailing_zip"].reasons
    assert readings["mailing_state"].value == "CA" and not readings["mailing_state"].reasons
    # Two ZIPs of the same city: nothing to choose by, the clerk decides.
    readings = {"mailing_zip": _r("91766", alternatives=["91766", "91768"]),
                "mailing_city": _r("POMONA", 0.95, reasons=())}
    apply_context(readings)
    assert readings["mailing_zip"].reasons


@pytest.fixture(scope="module")
def template():
    return load_templates(forms_dir())[REV26]


@pytest.mark.parametrize("changes", [
    {"mailing_zip": "13550"},  # no such ZIP, beside a California city
    {"mailing_state": "LA"},  # "LA" read for "CA"
    {"customer_sign_date": "3036-10-20"},
    {"customer_sign_date": "2026-07-20"},  # 105 days before receipt: a stale signature, or 10 read 07
    {"mailing_city": "PASADENA", "mailing_zip": "91766"},
    {"sa1_address": "12 OAK ST, PASADENA 93101"},
])
def test_rule_breaking_value_is_never_accepted(template, changes):
    values = {"request_authorize": True, "request_revoke": False, "customer_name": "MARIA LOPEZ",
              "customer_account": "2123456789", "mailing_street": "12 OAK ST", "mailing_city": "PASADENA",
              "mailing_state": "CA", "mailing_zip": "91101", "customer_phone": "6265550101",
              "sa1_number": "3123456701", "sa1_address": "12 OAK ST, PASADENA 91101",
              "drp1_name": "X", "drp1_id": "DRP0370", "data_interval": True,
              "term_start": "2026-10-20", "term_until_revoked": True, "customer_signature": True,
              "customer_sign_date": "2026-10-20", "customer_print_name": "MARIA LOPEZ"}
    values.update(changes)
    readings = {k: Reading(v, str(v), 1.0) for k, v in values.items()}
    issues = validate(template, values, registry=None, received=dt.date(2026, 11, 2), policy=SitePolicy())
    fields = score_fields(template, readings, issues, None, SitePolicy())
    for key in changes:
        assert fields[key].review and fields[key].confidence <= 0.5 and fields[key].reasons, key


def test_oddities_a_reader_produces_are_doubted():
    from cisr_desk.capture.context import oddity

    assert oddity("mailing_street", "786Elm St")
    assert oddity("sa2_address", "17906 S Main StApt 211 Hemet 92543")
    assert oddity("mailing_street", "12 Oak St..")
    assert oddity("drp2_name", "e")
    for fine in ("100 W 21ST ST", "12 McKinley Ave", "12 MacArthur Blvd"):
        assert oddity("mailing_street", fine) is None
    assert oddity("customer_name", "DeLuca Inc") is None


def test_po_box_and_house_numbers_across_fields():
    assert fix_address("P.U. BOX 4489") == "P.O. BOX 4489"
    assert fix_address("P.0 BOX 4580") == "P.O. BOX 4580"
    assert fix_address("P.0. D0X6676") == "P.O. BOX 6676"  # the B of BOX read as D (or 8)
    assert fix_address("P.O. 80X 12") == "P.O. BOX 12"
    readings = {"mailing_street": Reading("44095 ORANGE ST", "", 0.94),
                "sa1_address": Reading("14095 ORANGE ST, IRVINE 92618", "", 0.95),
                "sa2_address": Reading("14 ELM ST, IRVINE 92618", "", 0.95)}
    apply_context(readings)
    assert readings["mailing_street"].reasons and readings["sa1_address"].reasons
    assert not readings["sa2_address"].reasons
    # two fields that contradict each other go to the clerk, however sure their readers were
    assert readings["mailing_street"].must_check and readings["sa1_address"].must_check


def test_state_from_a_sure_zip_and_stray_marks_in_empty_rows():
    readings = {"mailing_zip": Reading("91790", "", 0.95), "mailing_city": _r("WEST COVN", alternatives=["WEST COVN", "WEST C"]),
                "mailing_state": _r("CA", alternatives=["CA", "C"]),
                "sa2_address": Reading("1", "1", 0.6), "sa2_number": Reading("", "", 0.97),
                "sa3_address": Reading("4", "4", 0.6), "sa3_number": Reading("3123456701", "", 0.97)}
    apply_context(readings)
    assert readings["mailing_city"].value == "WEST COVINA"
    assert readings["mailing_state"].value == "CA" and not readings["mailing_state"].reasons
    assert readings["sa2_address"].value == ""
    assert readings["sa3_address"].value == "4"  # a row with a number: the clerk looks


@pytest.mark.parametrize("read, right", [
    ("4087 BEAR VALLEYRD, MAMMOTH LAKES", "4087 BEAR VALLEY RD, MAMMOTH LAKES"),
    ("26623 E PACIFIC COASTHWY", "26623 E PACIFIC COAST HWY"),
    ("559 FOOTHILLBLVD COVINA", "559 FOOTHILL BLVD COVINA"),
    ("19792 HOLTAVE", "19792 HOLT AVE"),
    ("123 HOWARD", "123 HOWARD"),  # a name before RD ending in a vowel is a name: HOWARD, ORCHARD
    ("12 OXFORD", "12 OXFORD"),
    ("12 FOREST ST", "12 FOREST ST"),  # a suffix standing alone: nothing is run together
    ("17 BROADWAY", "17 BROADWAY"),  # WAY, ST, LN are not split off: BROADWAY, WEST, LINCOLN
    ("183 MAPLE AVE, SANTA ANA92704", "183 MAPLE AVE, SANTA ANA 92704"),  # a ZIP run into the city
    ("183 MAPLE AVE, SANTA ANA 92704 .", "183 MAPLE AVE, SANTA ANA 92704"),  # a speck after the ZIP
    ("183 MAPLE AVE, ANA00000", "183 MAPLE AVE, ANA00000"),  # no such ZIP: left
])
def test_words_a_reader_ran_together_in_an_address_are_split(read, right):
    assert fix_address(read) == right


def test_an_unusual_surname_a_letter_from_a_common_one_goes_to_the_clerk_as_the_common_one():
    from cisr_desk.capture.names import common_surnames

    readings = {k: Reading(v, v, 0.99) for k, v in {
        "customer_name": "OMAR LEWS", "customer_print_name": "OMAR LEWS",  # both readers lost the I, twice
        "drp1_contact": "Nadia Wlson", "drp_print_name": "KENJI OKAFOR",  # a rare surname near no common one
    }.items()}
    assert common_surnames(readings) == ["customer_name", "customer_print_name", "drp1_contact"]
    assert [readings[k].value for k in ("customer_name", "customer_print_name", "drp1_contact")] == \
        ["OMAR LEWIS", "OMAR LEWIS", "Nadia Wilson"]
    assert readings["customer_name"].must_check and readings["customer_name"].reasons == [
        "read as 'LEWS': an unusual surname, one letter from the common 'LEWIS'"]
    assert readings["drp_print_name"].value == "KENJI OKAFOR" and not readings["drp_print_name"].must_check
    # A common surname, a business, or a customer who is not the signer: as read.
    others = {"customer_print_name": Reading("SARAH JONES", "", 0.99),
              "customer_name": Reading("MITCHELL AUTO BODY", "", 0.99),
              "drp1_contact": Reading("ANNA SMYTH", "", 0.99)}
    assert common_surnames(others) == []
    assert [r.value for r in others.values()] == ["SARAH JONES", "MITCHELL AUTO BODY", "ANNA SMYTH"]


def test_a_first_name_read_in_doubt_a_letter_from_one_common_first_name_is_put_in():
    from cisr_desk.capture.names import common_first_names

    def doubted(value):
        return Reading(value, value, 0.6, reasons=["the two readers disagree"], must_check=True)

    readings = {"customer_print_name": doubted("BANDRA LEE"), "customer_name": doubted("BANDRA LEE"),
                "drp1_contact": doubted("Rachard Kim"), "drp_print_name": doubted("TONN NGUYEN")}
    assert common_first_names(readings) == ["customer_name", "customer_print_name", "drp1_contact"]
    assert [readings[k].value for k in ("customer_name", "customer_print_name", "drp1_contact")] == \
        ["SANDRA LEE", "SANDRA LEE", "Richard Kim"]
    assert readings["drp1_contact"].reasons[-1] == "read as 'Rachard': no usual first name, one letter from 'Richard'"
    # TONN is a letter from TONY and from TONI, neither far commoner: left to the clerk as read.
    assert readings["drp_print_name"].value == "TONN NGUYEN"
    # A sure reading is left as read, as the 1990 lists lack names given since ("ZOEY" a letter from
    # JOEY), but the clerk looks at it: both readers can be sure of "SONATHAN" for JONATHAN.
    sure = {"customer_print_name": Reading("ZOEY PARKER", "", 0.99), "drp1_contact": doubted("KENJI MORI"),
            "drp_print_name": Reading("EMILY RUIZ", "", 0.99)}
    assert common_first_names(sure) == ["customer_print_name"]
    assert sure["customer_print_name"].value == "ZOEY PARKER" and sure["customer_print_name"].must_check
    assert not sure["drp_print_name"].must_check  # a name the lists hold
    misread = {"customer_name": Reading("SONATHAN PETERSON", "", 0.99),
               "customer_print_name": Reading("SONATHAN PETERSON", "", 0.99)}
    assert common_first_names(misread) == ["customer_name", "customer_print_name"]
    assert all(r.value == "SONATHAN PETERSON" and r.must_check for r in misread.values())


def test_a_word_a_letter_from_one_common_english_word_is_that_word_and_the_clerk_checks_it():
    from cisr_desk.capture.names import common_words

    def doubted(value):
        return Reading(value, value, 0.6, reasons=["the two readers disagree"])

    readings = {"customer_name": doubted("ROBINSON MARXET CO."), "customer_title": doubted("FACILITIES MANACER"),
                "mailing_street": doubted("15424 VINEYAKD AVE"),
                "sa1_address": doubted("15424 VINEYAKD AVE, IRMNE 92618")}  # the town is USPS's to settle
    assert common_words(readings) == ["customer_name", "customer_title", "mailing_street", "sa1_address"]
    assert [r.value for r in readings.values()] == [
        "ROBINSON MARKET CO.", "FACILITIES MANAGER", "15424 VINEYARD AVE", "15424 VINEYARD AVE, IRMNE 92618"]
    assert readings["customer_title"].reasons[-1] == "read 'MANACER' for 'MANAGER': a letter from a common word"
    assert not readings["customer_title"].must_check  # doubted already: the acceptance model decides
    # Both readers sure of a word that is none ("SYCMMORE"): typed as the word, and the clerk checks it.
    sure = {"mailing_street": Reading("8269 SYCMMORE DR", "", 0.983)}
    assert common_words(sure) == ["mailing_street"]
    assert sure["mailing_street"].value == "8269 SYCAMORE DR" and sure["mailing_street"].must_check
    # Left as read: a person's name, a surname, a word two common words are as near, a sure real word.
    left = {"customer_title": Reading("OFFICE MANAGER", "", 0.99),
            "customer_name": doubted("PATRICU DAVS"),  # a person: the name lists' business, not PATRICK DAYS
            "mailing_street": doubted("12 OKAFOR ST"),
            "sa1_address": doubted("9 EDAR ST, ONTARIO")}  # EDGAR or CEDAR (EAR: a letter read in excess)
    assert common_words(left) == []
    assert left["customer_title"].value == "OFFICE MANAGER" and left["customer_name"].value == "PATRICU DAVS"
    assert not left["customer_title"].must_check


def test_a_business_name_read_in_doubt_ends_in_the_legal_form_a_letter_from_what_was_read():
    from cisr_desk.capture.names import legal_forms

    def doubted(value):
        return Reading(value, value, 0.6, reasons=["the two readers disagree"])

    readings = {"customer_name": doubted("TRAN CAR WASH UC"),  # LL run into one stroke
                "drp1_name": doubted("ROBERTS PRINTING WC"),  # IN run into one
                "drp2_name": doubted("Valley Bakery Ic.")}
    assert legal_forms(readings) == ["customer_name", "drp1_name", "drp2_name"]
    assert [r.value for r in readings.values()] == ["TRAN CAR WASH LLC", "ROBERTS PRINTING INC", "Valley Bakery Inc."]
    assert readings["customer_name"].reasons[-1] == "read 'UC' for 'LLC': a business's name ends in its legal form"
    assert readings["customer_name"].evidence.get("repaired")
    # Left as read: a sure reading, a name's own English word, a person's surname, a word two
    # legal forms are as near (LC: LLC or LP), a person's name.
    left = {"customer_name": Reading("TRAN CAR WASH UC", "", 0.99), "drp1_name": doubted("MISSION INN"),
            "drp2_name": doubted("ABC PLUMBING LC")}
    assert legal_forms(left) == []
    assert legal_forms({"customer_name": doubted("JOSE LUIS LI")}) == []
    assert [r.value for r in left.values()] == ["TRAN CAR WASH UC", "MISSION INN", "ABC PLUMBING LC"]
    # The initials of a legal form a reader broke apart are joined as written.
    split = {"customer_name": doubted("MESA BAKERY L. P."), "drp1_name": doubted("HARBORLINE GRID SOLUTIONS L p")}
    assert legal_forms(split) == ["customer_name", "drp1_name"]
    assert [r.value for r in split.values()] == ["MESA BAKERY L.P.", "HARBORLINE GRID SOLUTIONS L.P."]
    assert legal_forms({"customer_print_name": doubted("PAUL L. KIM"), "customer_name": doubted("BIG BEAR L.P.")}) == []


def test_a_mark_standing_alone_at_the_end_of_a_name_is_a_speck():
    from cisr_desk.capture.context import fix_name

    assert fix_name("AMANDA WILSON .") == "AMANDA WILSON"
    assert fix_name("ROBERT KING JR.") == "ROBERT KING JR."
    assert fix_name("ROBINSON MARKET CO. .") == "ROBINSON MARKET CO."
    assert fix_name("KEVIN BROWN.") == "KEVIN BROWN"  # a speck beside the N
    assert fix_name("Valley Bakery Inc.") == "Valley Bakery Inc." and fix_name("BIG BEAR L.P.") == "BIG BEAR L.P."
    assert fix_name("'LUIS TRAN") == "LUIS TRAN" and fix_name(". CARLOS BROWN") == "CARLOS BROWN"
    assert fix_name("DAVID RIVERA'") == "DAVID RIVERA"  # no name ends in a quote


def test_a_full_stop_read_for_a_space_leaves_a_persons_name_and_a_town():
    from cisr_desk.capture.context import fix_city, fix_person

    assert fix_person("GRACE. JOHNSON") == "GRACE JOHNSON" and fix_person("Arjun. Johnson") == "Arjun Johnson"
    assert fix_person("BARBARA K. TAYLOR") == "BARBARA K. TAYLOR"  # an initial keeps its full stop
    assert fix_person("MARY ST. JOHN") == "MARY ST. JOHN" and fix_person("ROBERT KING JR.") == "ROBERT KING JR."
    assert [fix_city(c) for c in ("Palmdale.", "MISSION VIEJO .", "'HUNTINGTON BEACH", "RANCHO. CUCAMONGA")] == \
        ["Palmdale", "MISSION VIEJO", "HUNTINGTON BEACH", "RANCHO CUCAMONGA"]
    assert fix_city("ST. HELENA") == "ST. HELENA" and fix_city("MT. SHASTA") == "MT. SHASTA"
    assert fix_address("621 Chapman Ave'") == "621 Chapman Ave"
    # An address begins with its number and ends in a word or number: specks around it are dropped,
    # a street's suffix keeps its full stop.
    assert [fix_address(a) for a in ("'12587 HARBOR BLVD", "948 N ALESSANDRO BLVD, REDLANDS .", "P.O. BOX 1355 .",
                                     "22506 WILSHIRE BLVD, RIALTO.", "690 AVENUE J STE 70.", "579 MAIN ST.")] == \
        ["12587 HARBOR BLVD", "948 N ALESSANDRO BLVD, REDLANDS", "P.O. BOX 1355", "22506 WILSHIRE BLVD, RIALTO",
         "690 AVENUE J STE 70", "579 MAIN ST."]
    # A business's name is not a person's: "PATEL. ALLEN AND FISCHER" (a comma misread) is left as read.
    readings = {"customer_name": Reading("PATEL. ALLEN AND FISCHER", "", 0.6, ["x"]),
                "customer_print_name": Reading("GRACE. JOHNSON", "", 0.6, ["x"])}
    apply_context(readings)
    assert readings["customer_name"].value == "PATEL. ALLEN AND FISCHER"
    assert readings["customer_print_name"].value == "GRACE JOHNSON"


def test_an_address_read_surely_as_first_and_last_name_run_together_asks_for_a_dot():
    from cisr_desk.capture.crosscheck import email_from_names

    for read, asked in (("michaelduncan@summit.com", True), ("sarahmitchell99@king.net", False),
                        ("michael.duncan@summit.com", False), ("mduncan@summit.com", False)):
        readings = {"customer_email": Reading(read, read, 0.99),
                    "customer_print_name": Reading("MICHAEL E. DUNCAN", "", 0.6, ["unsure of a letter"])}
        assert email_from_names(readings) is None  # nothing is changed
        email = readings["customer_email"]
        assert (email.must_check, email.value) == (asked, read)
        if asked:
            assert email.reasons == ["no dot read between michael and duncan: check for one"]


def test_a_house_number_in_two_pieces_is_a_doubt():
    from cisr_desk.capture.context import oddity

    assert oddity("mailing_street", "154 37 HARBOR BLVD") == "a space inside the house number?"
    assert oddity("sa1_address", "15437 HARBOR BLVD, OXNARD 93030") is None
    assert oddity("mailing_street", "1 10TH ST") is None


@pytest.mark.parametrize("read, right", [
    ("246 HARBOR BLVD PALM SPRINGS 62264", "246 HARBOR BLVD PALM SPRINGS 92264"),  # another state's ZIP
    ("14215 PINE ST, BISHOP 935144", "14215 PINE ST, BISHOP 93514"),  # a digit too many
    ("8139 OAK ST, RANCHO CUCAMONGA 9737", "8139 OAK ST, RANCHO CUCAMONGA 91737"),  # one lost
    ("12 OAK ST, TUSTIN 92780", "12 OAK ST, TUSTIN 92780"),  # the town's own: as read
    ("1280 BEAR VALLEY RD, PALMDALE 9355", "1280 BEAR VALLEY RD, PALMDALE 9355"),  # 93550, 93551, 93552?
    ("12 OAK ST, ORANGE 90210", "12 OAK ST, ORANGE 90210"),  # another town's ZIP, far from Orange's
])
def test_a_service_address_zip_one_digit_from_its_towns_only_one_is_it(read, right):
    from cisr_desk.capture.context import snap_address_zip

    assert snap_address_zip(read) == right


@pytest.mark.parametrize("read, put", [
    ("KENJIJOHNSON", "KENJI JOHNSON"),  # a first name the Census list lacks, a common surname
    ("YOLANDALEE", "YOLANDA LEE"),
    ("CARLOSNGUYEN", "CARLOS NGUYEN"),
    ("MACDONALD", "MACDONALD"),  # a surname in itself
    ("ROSEMARY", "ROSEMARY"),  # a first name in itself
    ("OKAFORX", "OKAFORX"),  # no common surname ends it
    ("Kenjijohnson", "Kenjijohnson"),  # not hand-printed capitals: left as read
    ("KENJI JOHNSON", "KENJI JOHNSON"),
])
def test_a_print_name_read_as_one_word_is_split_before_its_surname(read, put):
    from cisr_desk.capture.names import glued_names

    readings = {"drp_print_name": Reading(read, read, 0.95)}
    glued_names(readings)
    r = readings["drp_print_name"]
    assert r.value == put
    assert r.must_check == (read != put) and (read == put or r.confidence <= 0.7)


@pytest.mark.parametrize("key,read,right", [
    ("drp_print_name", "LINH PA TEL", "LINH PATEL"),
    ("customer_print_name", "MAT THEW YAMAMOTO", "MATTHEW YAMAMOTO"),  # held-out hand, both readers sure
    ("sa4_address", "19411 WGARVEY AVE APT 146, BISHOP", "19411 W GARVEY AVE APT 146, BISHOP"),
])
def test_a_sure_reading_with_a_broken_or_run_together_word_is_mended_for_the_clerk(key, read, right):
    readings = {key: _r(read, 0.99, reasons=())}
    apply_context(readings)
    r = readings[key]
    assert r.value == right
    assert r.must_check and r.confidence <= 0.7
    assert any(read in reason for reason in r.reasons)  # the clerk sees what was read


@pytest.mark.parametrize("key,read", [
    ("customer_print_name", "ROSE MARY SMITH"), ("mailing_street", "12 WESTON AVE"),
    ("customer_name", "MARIA DE LA CRUZ"),
])
def test_a_sure_reading_whose_words_are_words_is_left_alone(key, read):
    readings = {key: _r(read, 0.99, reasons=())}
    apply_context(readings)
    assert readings[key].value == read and not readings[key].reasons and not readings[key].must_check


def test_a_sure_town_keeps_its_word_breaks_here():
    """A town read without doubt is held against its ZIP by place_context, not mended here."""
    readings = {"mailing_city": _r("MO NROVIA", 0.99, reasons=())}
    apply_context(readings)
    assert readings["mailing_city"].value == "MO NROVIA"


@pytest.mark.parametrize("mailing,service,want_mailing,want_service", [
    # The service address takes the mailing street's sense ...
    ("2086 ALESSANDRO BLVD", "2086 ALESSANDRO BLVy Temecula 92592",
     "2086 ALESSANDRO BLVD", "2086 ALESSANDRO BLVD Temecula 92592"),
    ("8059 W ELM ST", "QA59 W ELM ST, RIVERSIDE 92501", "8059 W ELM ST", "8059 W ELM ST, RIVERSIDE 92501"),
    # ... and the mailing street the service address's.
    ("2454 SYCAMORE LRAPT.97", "24541 SYCAMORE DR APT 97, SANTA MONICA",
     "24541 SYCAMORE DR APT 97", "24541 SYCAMORE DR APT 97, SANTA MONICA"),
    # As much sense either way (a digit), or another street: the clerk decides.
    ("28122 PACIFIC COAST HWY", "28129 PACIFIC COAST HWY, MONROVIA 91016",
     "28122 PACIFIC COAST HWY", "28129 PACIFIC COAST HWY, MONROVIA 91016"),
    ("123 OAK ST APT 4", "123 OAK ST, POMONA 91766", "123 OAK ST APT 4", "123 OAK ST, POMONA 91766"),
])
def test_the_same_street_written_twice_is_read_once(mailing, service, want_mailing, want_service):
    readings = {"mailing_street": _r(mailing), "sa1_address": _r(service)}
    cross_check(readings)
    assert (readings["mailing_street"].value, readings["sa1_address"].value) == (want_mailing, want_service)
    for r, was in ((readings["mailing_street"], mailing), (readings["sa1_address"], service)):
        assert (r.value != was) == bool(r.evidence.get("repaired")) and (r.value == was or r.confidence <= 0.75)


def test_a_sure_street_is_not_rewritten_from_another_field():
    readings = {"mailing_street": _r("2086 ALESSANDRO BLVD"),
                "sa1_address": _r("2086 ALESSANDRO BLVy Temecula 92592", 0.95, reasons=())}
    cross_check(readings)
    assert readings["sa1_address"].value == "2086 ALESSANDRO BLVy Temecula 92592"


@pytest.mark.parametrize("key,read,right", [
    ("mailing_street", "8612 NGARVEY AVE STE 32", "8612 N GARVEY AVE STE 32"),  # a direction
    ("sa1_address", "6598 WOAK ST, SAN BERNARDINO", "6598 W OAK ST, SAN BERNARDINO"),
    ("mailing_street", "4477EROSE AVE", "4477 E ROSE AVE"),  # the number run into it too
    ("mailing_street", "895 WBASELINE RD", "895 W BASELINE RD"),  # a common English word
    ("sa3_address", "588 EEUCLID AVE, REDLANDS 92374", "588 E EUCLID AVE, REDLANDS 92374"),
    ("sa1_address", "362 EMISSION BLVD, PALM DESERT", "362 E MISSION BLVD, PALM DESERT"),  # a town's word
    ("mailing_street", "633 AVENUEJ", "633 AVENUE J"),  # a lettered avenue
    ("customer_print_name", "KIMBERLYP. HALL", "KIMBERLY P. HALL"),  # a middle initial
    ("customer_name", "TRAN COLD STORAGEINC.", "TRAN COLD STORAGE INC."),  # a business suffix
    # Words that are words (or names) in themselves stay whole.
    ("mailing_street", "12 SHERMAN WAY", "12 SHERMAN WAY"),
    ("mailing_street", "12 WESTON AVE", "12 WESTON AVE"),
    ("mailing_street", "12 WESTERN AVE", "12 WESTERN AVE"), ("mailing_street", "12 EASTERLY PL", "12 EASTERLY PL"),
    ("customer_print_name", "JOHNA SMITH", "JOHNA SMITH"),
])
def test_words_run_together_are_split_where_one_is_short_and_the_other_known(key, read, right):
    readings = {key: _r(read)}
    apply_context(readings)
    assert readings[key].value == right


@pytest.mark.parametrize("email,name,right", [
    ("laura.hal199@hotmail.com", "LAURA HALL", "laura.hall99@hotmail.com"),  # both readers sure of it
    ("joshua.lopezl@johnson.org", "JOSHUA LOPEZ", "joshua.lopez1@johnson.org"),
    ("l1nda.5mith@x.com", "Linda Smith", "linda.smith@x.com"),
    ("linhl@aol.com", "LINH LEE", "linhl@aol.com"),  # his initial, not a 1
    ("brianlo@x.com", "BRIAN LO", "brianlo@x.com"),
    ("stevenj@icloud.com", "STEVEN JONES", "stevenj@icloud.com"),
    ("ericvelasquez@yahoo.com", "BETHANY BROWN", "ericvelasquez@yahoo.com"),  # someone else's
])
def test_an_email_made_of_the_signers_name_is_spelled_as_the_name(email, name, right):
    from cisr_desk.capture.crosscheck import email_from_names

    readings = {"customer_email": _r(email, 0.99, reasons=()), "customer_print_name": _r(name, 0.95, reasons=())}
    email_from_names(readings)
    assert readings["customer_email"].value == right
    assert readings["customer_email"].evidence.get("repaired", False) == (email != right)


@pytest.mark.parametrize("start,end,signed,doubted", [
    ("2026-09-03", "2027-09-01", "2026-08-20", set()),  # a whole year, less two days
    ("2026-04-03", "2027-09-01", "2026-08-20", {"term_start", "term_end"}),  # 09 read 04 (mended)
    ("2026-09-15", "2028-07-14", "2026-07-15", {"term_start", "term_end"}),  # 07 read 09
    ("2026-07-15", "2028-07-14", "2026-09-15", {"term_start", "customer_sign_date"}),
    ("2026-07-15", "", "2026-07-10", set()),  # until revoked
])
def test_term_dates_that_disagree_go_to_the_clerk_however_sure(start, end, signed, doubted):
    from cisr_desk.capture.crosscheck import term_dates

    readings = {k: _r(v, 0.999, reasons=()) for k, v in
                (("term_start", start), ("term_end", end), ("customer_sign_date", signed))}
    assert set(term_dates(readings)) == doubted
    for key, r in readings.items():
        assert r.must_check == (key in doubted) and bool(r.reasons) == (key in doubted)


@pytest.mark.parametrize("start,end,signed,put_start,put_end", [
    ("2026-04-03", "2027-09-01", "2026-08-20", "2026-09-03", "2027-09-01"),  # 09 read 04
    ("2026-07-13", "2028-01-12", "2026-07-13", "2026-07-13", "2028-07-12"),  # 07 read 01: not the start,
    ("2026-01-05", "2027-11-03", "2026-10-31", "2026-11-05", "2027-11-03"),  # before the signature
    ("2026-09-10", "2029-04-09", "2026-04-05", "2026-04-10", "2029-04-09"),  # the start nearer signing
    ("2026-09-10", "2029-04-09", "", "2026-09-10", "2029-04-09"),  # no signature: either may be wrong
    ("2026-03-10", "2029-08-02", "2026-03-08", "2026-03-10", "2029-08-02"),  # no one-digit month fits
])
def test_a_term_month_misread_is_taken_as_the_month_that_makes_it_whole_years(start, end, signed, put_start,
                                                                             put_end):
    from cisr_desk.capture.crosscheck import term_dates

    readings = {k: _r(v, 0.999, reasons=()) for k, v in
                (("term_start", start), ("term_end", end), ("customer_sign_date", signed))}
    term_dates(readings)
    assert (readings["term_start"].value, readings["term_end"].value) == (put_start, put_end)
    assert readings["term_start"].must_check and readings["term_end"].must_check  # always to the clerk



@pytest.mark.parametrize("read,right", [
    ("3584 ARROW HWY, HESPERUA", "3584 ARROW HWY, HESPERIA"),
    ("24952 LINCOLN AVE CHNO.", "24952 LINCOLN AVE CHINO"),  # no comma: after the street's suffix
    ("9 ELM ST, San Bernadino", "9 ELM ST, San Bernardino"),
    # USPS's short form of the town ("HUNTINGTN BEACH") is the town, not a second name as near.
    ("89 CACTUS AVE APT 159, HUNTINGTON REACH", "89 CACTUS AVE APT 159, HUNTINGTON BEACH"),
    ("12 OAK ST, POMONA", "12 OAK ST, POMONA"),  # a town already
    ("12 OAK ST, SUITE B", "12 OAK ST, SUITE B"),  # nothing near enough
    ("991 Ocean Blvd, Hcmet", "991 Ocean Blvd, Hcmet"),  # HEMET or another five-letter town: left
    ("12 OAK ST, OXWARD 93035", "12 OAK ST, OXWARD 93035"),  # a ZIP: snap_address_city's to read
])
def test_a_service_address_town_without_a_zip_is_snapped_to_the_one_it_nearly_is(read, right):
    from cisr_desk.capture.context import snap_town

    assert snap_town(read) == right


def test_where_the_readers_disagree_each_word_comes_from_the_one_that_read_a_word():
    from cisr_desk.capture.names import words_from_either_reader

    def disagreed(value, other):
        return Reading(value, value, 0.5, reasons=["the two readers disagree"], alternatives=[value, other])

    readings = {"mailing_street": disagreed("677 MACNOLA AVE", "C77 MAGNOLIA AVE"),
                "customer_title": disagreed("GEIJERAL MANAGER", "GENERAL MANACER"),
                "customer_name": disagreed("LINDA TROR", "LINDA Fries"),  # another word, not a misreading
                "sa1_address": disagreed("P.O. BOX 4191", "PO. BOX 4191"),  # an abbreviation: as read
                "sa2_address": disagreed("964 AvenueJ", "964 Avenue"),  # a word run in, not misread: as read
                "mailing_city": disagreed("SANTA MOMCA", "SAMTA MOM A")}  # words apart: as read
    assert words_from_either_reader(readings) == ["customer_title", "mailing_street"]
    assert readings["mailing_street"].value == "677 MAGNOLIA AVE"  # the number from one, the name from the other
    assert readings["customer_title"].value == "GENERAL MANAGER"
    assert readings["mailing_street"].reasons[-1] == "the other reader's 'MAGNOLIA' for 'MACNOLA'"
    assert [readings[k].value for k in ("customer_name", "sa1_address", "sa2_address", "mailing_city")] == [
        "LINDA TROR", "P.O. BOX 4191", "964 AvenueJ", "SANTA MOMCA"]


@pytest.mark.parametrize("read,city,right", [
    ("94722", "COVINA", "91722"),  # no such ZIP: a 1 read as 4
    ("91101", "ALHAMBRA", "91801"),  # Pasadena's ZIP, read doubtfully beside Alhambra: an 8 read as 1
    ("91990", "ROSEMEAD", "91770"),  # the same slip twice: this hand's 7s read as 9s
])
def test_a_doubtful_mailing_zip_is_read_off_a_sure_city_and_still_checked(read, city, right):
    readings = {"mailing_zip": _r(read, 0.4, alternatives=[read]), "mailing_city": _r(city, 0.95, reasons=()),
                "mailing_state": _r("CA", 0.95, reasons=())}
    apply_context(readings)
    zr = readings["mailing_zip"]
    assert zr.value == right
    assert zr.must_check and zr.confidence <= 0.7 and any(read in why for why in zr.reasons)


@pytest.mark.parametrize("zip_reading,city_reading,why", [
    (_r("93511", 0.4), _r("BISHOP", 0.95, reasons=()), "one digit from both 93514 and 93515"),
    (_r("94722", 0.4), _r("COVINA", 0.5), "the city itself is doubtful"),
    (Reading("91101", "91101", 0.97), _r("ALHAMBRA", 0.95, reasons=()), "a sure, real ZIP: the rules' to judge"),
    (_r("91561", 0.4), _r("COVINA", 0.95, reasons=()), "two digits off, not the same slip"),
])
def test_a_mailing_zip_is_not_taken_off_the_city_without_one_clear_slip(zip_reading, city_reading, why):
    read = zip_reading.value
    readings = {"mailing_zip": zip_reading, "mailing_city": city_reading}
    apply_context(readings)
    assert readings["mailing_zip"].value == read, why


@pytest.mark.parametrize("read,right", [
    ("431 ORANGE ST, COVINA 921A22", "431 ORANGE ST, COVINA 91722"),  # a 7 read as A, a 2 too many
    ("3493 PINE ST COVINA9L422", "3493 PINE ST COVINA 91722"),  # the ZIP run into the town
    ("21682 CHAPMAN AVE, COVINA CA 92A22", "21682 CHAPMAN AVE, COVINA CA 91722"),  # the state kept
    ("12 Oak St, Covina 9172", "12 Oak St, Covina 91722"),  # a digit lost: one from three of Covina's ZIPs
    ("5893 E VICTORIA AVE, ROSEMEAD 91990", "5893 E VICTORIA AVE, ROSEMEAD 91770"),  # the same slip as the mailing ZIP
])
def test_a_service_address_town_and_zip_nearly_the_mailing_ones_are_read_as_them(read, right):
    mailing = {"COVINA": "91722", "ROSEMEAD": "91770"}
    city = next(c for c in mailing if c in read.upper())
    readings = {"mailing_city": _r(city, 0.95, reasons=()), "mailing_zip": _r(mailing[city], 0.95, reasons=()),
                "sa1_address": _r(read, 0.9, reasons=())}
    apply_context(readings)
    r = readings["sa1_address"]
    assert r.value == right
    assert r.must_check and any(read in why for why in r.reasons)  # a guess, for the clerk to confirm


@pytest.mark.parametrize("read,city,zip_code,right", [
    ("3466 HOLT AVEPAAM DESERT 922M1", "PALM DESERT", "92211", "3466 HOLT AVE PALM DESERT 92211"),
    ("9233 OLIVE ST STE 230, PAAM DESERT G22M1", "PALM DESERT", "92211", "9233 OLIVE ST STE 230, PALM DESERT 92211"),
    ("12 HOLT AVESTANTON 9O680", "STANTON", "90680", "12 HOLT AVE STANTON 90680"),
    ("12 OAK ST STANTON 9O680", "STANTON", "90680", "12 OAK ST STANTON 90680"),  # ST before STANTON is the street's
    # The last digits written over the box's rule and wiped with it, one more misread.
    ("3696 LAKEVIEW AVE, PALM DESERT 922", "PALM DESERT", "92211", "3696 LAKEVIEW AVE, PALM DESERT 92211"),
    ("7889 BEAR VALLEY RD PALM DESERT 927", "PALM DESERT", "92211", "7889 BEAR VALLEY RD PALM DESERT 92211"),
    # Digits read as the letters they look like (0 as C), a speck read as a sign between them.
    ("409 OCEAN BLVD, LONG BEACH 9C#C5", "LONG BEACH", "90805", "409 OCEAN BLVD, LONG BEACH 90805"),
    ("463 BASELINE RD, LONG BEACH 9CC5", "LONG BEACH", "90805", "463 BASELINE RD, LONG BEACH 90805"),
])
def test_a_misread_town_beside_the_mailing_zip_misread_is_the_mailing_town(read, city, zip_code, right):
    assert place_from_mailing(read, city, zip_code) == right


@pytest.mark.parametrize("read,why", [
    ("12 OAK ST, WEST COVINA 91790", "a town and ZIP of their own"),
    ("12 OAK ST, WEST COVINA 91796", "another town, one word longer, its ZIP misread"),
    ("12 OAK ST, COVINA 91724", "another ZIP of the same town"),
    ("12 OAK ST, POMONA 9I766", "another town"),
    ("12 OAK ST, COVINA 96482", "a ZIP far from the mailing one"),
    ("12 OAK ST, COVINA", "no ZIP"),
    ("12 OAK ST, COVINA 94", "two digits are no ZIP to tell by"),
    ("12 OAK ST, COVINA 938", "the start of another ZIP"),
    ("12 STANTON AVE, COVINA 91722", "nothing misread"),
    ("12 OAK ST, COVINA CCLL", "letters, not one digit among them"),
    ("12 OAK ST, COVINA 9C#", "too little of a ZIP"),
])
def test_a_service_address_is_not_taken_for_the_mailing_one_without_both_town_and_zip(read, why):
    assert place_from_mailing(read, "COVINA", "91722") == read, why


def test_the_zips_a_form_shows_beside_its_town_are_read_together():
    """The mailing ZIP none of its city's, and the service addresses' ZIPs beside the same town
    each misread another way: the town's ZIP they all nearly are (a hand whose 1s and 7s are
    read as 4s, As and Ls), for every one of them, each still for the clerk to confirm."""
    readings = {"mailing_city": _r("COVINA", 0.6), "mailing_zip": _r("94722", 0.5),
                "sa1_address": _r("21682 CHAPMAN AVE, COVINA CA 92A22", 0.5),
                "sa2_address": _r("3493 PINE ST COVINA9L422", 0.5),
                "sa3_address": _r("431 ORANGE ST, COVINA 921A22", 0.5),
                "sa4_address": _r("151 E VENTURA BLVD, IRVINE 92602", 0.9, reasons=())}
    apply_context(readings)
    assert readings["mailing_zip"].value == "91722" and readings["mailing_zip"].must_check
    assert [readings[f"sa{i}_address"].value for i in (1, 2, 3, 4)] == [
        "21682 CHAPMAN AVE, COVINA CA 91722", "3493 PINE ST COVINA 91722", "431 ORANGE ST, COVINA 91722",
        "151 E VENTURA BLVD, IRVINE 92602"]  # another town's address is its own


def test_one_zip_beside_the_town_is_not_enough_to_read_the_others_by():
    readings = {"mailing_city": _r("COVINA", 0.6), "mailing_zip": _r("94722", 0.5),
                "sa1_address": _r("12 OAK ST, IRVINE 92602", 0.9, reasons=())}
    apply_context(readings)
    assert readings["mailing_zip"].value == "94722"


def test_a_speck_before_a_service_address_zip_goes_with_the_zips_slip():
    assert fix_service_address("1164 E JACARANDA LN, HUNTINGTON BEACH .2648") == \
        "1164 E JACARANDA LN, HUNTINGTON BEACH 92648"


@pytest.mark.parametrize("read,right", [
    ("P.C. BOX 3573", "P.O. BOX 3573"),  # an O left open
    ("P.O. BOX 471O", "P.O. BOX 4710"),  # a box's number is a number
    ("24828 OLIVE ST#73", "24828 OLIVE ST #73"),  # a unit's sign run into the suffix
])
def test_post_office_boxes_and_unit_signs(read, right):
    assert fix_address(read) == right


@pytest.mark.parametrize("printed, customer, fixed", [
    ("SUSAN NGUYEN", "NGUYEN FARMS", "susan.nguyen@gmail.com"),  # a known first name and surname
    ("SUSAN NGUYEM", "SUSAN NGUYEM", None),  # no known surname: the name's own misreading
    ("", "SUSAN NGUYEN", "susan.nguyen@gmail.com"),  # no printed name: the customer's, a person's
    ("", "NGUYEN FARMS", None),  # a business
    (None, "SUSAN NGUYEN", "susan.nguyen@gmail.com"),  # the page with the printed name not read
])
def test_a_signers_name_in_doubt_that_is_a_known_name_vouches_for_the_email(printed, customer, fixed):
    from cisr_desk.capture.crosscheck import email_from_names

    readings = {"customer_email": _r("susan.nwuyen@gmail.com", 0.75),
                "customer_print_name": _r(printed, 0.5, reasons=("unsure",) if printed else ()),
                "customer_name": _r(customer, 0.55)}
    if printed is None:
        del readings["customer_print_name"]
    assert email_from_names(readings) == fixed


@pytest.mark.parametrize("name, printed, expected", [
    ("GRACE HANTINEZ", "GRACE JARTIEZ", "GRACE MARTINEZ"),  # two misreadings of one surname
    ("DWAYNE YAHANOTO", "DWAYNE YANAKOTO", "DWAYNE YAMAMOTO"),
    ("GRACE HANTINEZ", "MARY JARTIEZ", None),  # another first name: another person
    ("GRACE MARTINES", "GRACE MARTINEZ", None),  # a usual surname read: maybe just what was written
    ("GRACE QWXYZZY", "GRACE QWXYZZB", None),  # no common surname near both
])
def test_a_surname_written_twice_and_misread_differently_is_the_common_one_near_both(name, printed, expected):
    from cisr_desk.capture.names import twin_surnames

    readings = {"customer_name": _r(name), "customer_print_name": _r(printed)}
    changed = twin_surnames(readings)
    assert changed == (["customer_name", "customer_print_name"] if expected else [])
    if expected:
        assert readings["customer_name"].value == readings["customer_print_name"].value == expected
        assert all("written twice" in readings[k].reasons[-1] for k in changed)
    else:
        assert (readings["customer_name"].value, readings["customer_print_name"].value) == (name, printed)


@pytest.mark.parametrize("read, doubted", [
    ("fmller@romero.com", True),  # fmiller with a letter lost, both readers sure of it
    ("fmiller@romero.com", False),  # a usual form of the name
    ("fatima.miller@romero.com", False),
    ("fmiler22@romero.com", True),
    ("bigdog@aol.com", False),  # nothing like the name
])
def test_an_address_read_without_doubt_a_letter_from_the_signers_name_goes_to_the_clerk(read, doubted):
    from cisr_desk.capture.crosscheck import email_from_names

    readings = {"customer_email": Reading(read, read, 0.99),
                "customer_print_name": Reading("FATIMA MILLER", "", 0.99)}
    assert email_from_names(readings) is None  # never changed: which letter was lost, the ink says
    assert readings["customer_email"].value == read
    assert bool(readings["customer_email"].reasons) == doubted


@pytest.mark.parametrize("name, doubted", [
    ("WET DUNCAN", True),  # WEI with its I read as T, both readers sure
    ("MET YOUNG", True),
    ("KENJI DUNCAN", False),  # no Census first name, but no common word either
    ("GRACE DUNCAN", False),  # a word, and a first name
])
def test_a_first_name_read_surely_as_a_common_word_goes_to_the_clerk(name, doubted):
    from cisr_desk.capture.names import common_first_names

    readings = {"customer_print_name": Reading(name, name, 0.99)}
    common_first_names(readings)
    r = readings["customer_print_name"]
    assert r.value == name and bool(r.reasons) == doubted


@pytest.mark.parametrize("name,name_doubted,email,fixed", [
    ("SUMMIT CO", False, "mei.ramirez15@summico.com", "mei.ramirez15@summitco.com"),
    ("MESA MEDICAL OFFICES L.P.", True, "williamw@mebaco.com", "williamw@mesaco.com"),  # MESA: a town's word
    ("MOORE-FLORES", True, "ehernandez@m0orefloresco.com", "ehernandez@moorefloresco.com"),
    ("MOORE, HERNANDEZ AND KIM", True, "ashley.clark@hoore.org", "ashley.clark@moore.org"),
    # A name in doubt lends only its known words; a domain read as a known word stays.
    ("BAYMEW CO", True, "matthewf@bayviewco.com", None),
    ("WILLSON ELECTRIC", True, "brendan@wilson.net", None),
    ("SUMMIT CO", False, "mei@summitco.com", None),  # the name as read
    # The name's first words and more: the business wrote more of its name, nothing was misread.
    ("HERNANDEZ AUTO BODY SHOP", False, "accounting@hernandezautobodys.com", None),
    ("SUMMIT CO", False, "mei@gmail.com", None),
])
def test_an_email_in_doubt_at_a_domain_a_letter_from_the_customer_s_name_is_at_that_name(
        name, name_doubted, email, fixed):
    from cisr_desk.capture.crosscheck import email_domain_from_business

    readings = {"customer_name": _r(name, 0.95, reasons=("unsure",) if name_doubted else ()),
                "customer_email": _r(email)}
    assert email_domain_from_business(readings) == fixed
    assert readings["customer_email"].value == (fixed or email)
    sure = {"customer_name": _r(name, 0.95, reasons=()), "customer_email": _r(email, 0.99, reasons=())}
    assert email_domain_from_business(sure) is None  # an address read without doubt is somebody's


LINE = " ,#0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _seen(text: str, close: dict[int, tuple[str, float]] | None = None, alphabet: str = LINE) -> Trace:
    """What the neural reader saw of a line read as ``text``: each character sure in a step of its
    own, a blank between; ``close`` gives, at a character's place (i + 0.5: the blank after it,
    -0.5 the one before the first), another character this many nats less likely."""
    probs = np.full((2 * len(text) + 1, len(alphabet) + 1), 1e-7, np.float32)
    probs[0::2, 0] = 0.98
    for i, c in enumerate(text):
        probs[2 * i + 1, alphabet.index(c) + 1] = 0.98
    for i, (other, nats) in (close or {}).items():
        probs[int(2 * i + 1), alphabet.index(other) + 1] = 0.98 * math.exp(-nats)
    return Trace(probs, alphabet)


def _traced(text: str, close=None, alphabet: str = LINE) -> Reading:
    r = _r(text)
    r.trace = _seen(text, close, alphabet)
    return r


def test_a_service_zip_none_of_its_town_s_is_read_as_the_one_the_ink_bears_out():
    """TULARE 93794: Tulare's ZIPs are 93274 and 93275; the ink allows a 2 for the 7 and a 7 for
    the 9 at two nats each, and a 5 for the 4 at none: 93274, for the clerk to confirm."""
    line = "253 ALESSANDRO BLVD, TULARE 93794"
    at = line.index("93794")
    readings = {"sa1_address": _traced(line, {at + 2: ("2", 2.0), at + 3: ("7", 2.0)})}
    zip_by_ink(readings)
    r = readings["sa1_address"]
    assert r.value == "253 ALESSANDRO BLVD, TULARE 93274"
    assert r.must_check and r.confidence <= 0.75 and "93794 is no ZIP of TULARE" in r.reasons[-1]


@pytest.mark.parametrize("line,close", [
    # Mission Viejo's 92691 and 92675 are each one likely slip from 92671: the clerk decides.
    ("270 N TELEGRAPH RD, MISSION VIEJO 92671", {-2: ("9", 1.0), -1: ("5", 1.0)}),
    # The ink says 95555 plainly: no ZIP of Tulare comes near it (the customer's own mistake).
    ("253 ALESSANDRO BLVD, TULARE 95555", {}),
    ("253 ALESSANDRO BLVD, TULARE 93274", {}),  # a ZIP of the town already
    ("795 SEPULVEDA BLVD, WEST COVINA 90", {}),  # too little of a ZIP to go by
    ("12 OAK ST, LOS ANGELES 90099", {-1: ("1", 0.5)}),  # a city of many ZIPs: no guide
])
def test_a_service_zip_is_left_for_the_clerk_where_the_ink_does_not_single_out_one(line, close):
    readings = {"sa1_address": _traced(line, {len(line) + i: c for i, c in close.items()})}
    zip_by_ink(readings)
    assert readings["sa1_address"].value == line


def test_a_mailing_zip_none_of_its_city_s_is_read_as_the_one_the_ink_bears_out():
    readings = {"mailing_city": _r("ROSEMEAD", 0.95, reasons=()),
                "mailing_zip": _traced("91970", {2: ("7", 1.5)}, "0123456789")}
    zip_by_ink(readings)
    zr = readings["mailing_zip"]
    assert zr.value == "91770" and zr.must_check and "none of ROSEMEAD's" in zr.reasons[-1]


@pytest.mark.parametrize("city,city_reasons,zip_read", [
    ("TORRANCE", (), "9050"),  # four digits written: the customer's, for the rules to report
    ("ROSEMEAD", ("the two readers disagree",), "91990"),  # a ZIP of its own (Potrero) under a doubtful city
])
def test_a_mailing_zip_is_left_as_read_where_it_may_be_what_was_written(city, city_reasons, zip_read):
    readings = {"mailing_city": _r(city, 0.7, reasons=city_reasons),
                "mailing_zip": _traced(zip_read, {2: ("7", 1.0)}, "0123456789")}
    zip_by_ink(readings)
    assert readings["mailing_zip"].value == zip_read


@pytest.mark.parametrize("mailing,service,close,right", [
    # The service line's 0 might be a 4, the mailing line's 4 is no 0: 15748 in both.
    ("15748 CITRUS AVE", "15708 CITRUS AVE, DOWNEY 90240", (None, {3: ("4", 1.0)}),
     ("15748 CITRUS AVE", "15748 CITRUS AVE, DOWNEY 90240")),
    # A digit lost at the start of the service line's number, seen faintly there (-0.5: the step
    # before its first character).
    ("4989 S PACIFIC COAST HWY", "989 S PACIFIC COAST HWY, COMPTON 90220", (None, {-0.5: ("4", 3.0)}),
     ("4989 S PACIFIC COAST HWY", "4989 S PACIFIC COAST HWY, COMPTON 90220")),
    # Each line's ink says its own number as plainly: the clerk decides.
    ("569 SEPULVEDA BLVD", "564 SEPULVEDA BLVD, SIMI VALLEY", ({2: ("4", 1.0)}, {2: ("9", 1.0)}),
     ("569 SEPULVEDA BLVD", "564 SEPULVEDA BLVD, SIMI VALLEY")),
    # Another house on the same street, and a house on another street: not one number misread.
    ("120 OAK ST", "148 OAK ST, TULARE 93274", (None, {1: ("2", 1.0)}), ("120 OAK ST", "148 OAK ST, TULARE 93274")),
    ("15748 CITRUS AVE", "15708 ELM ST, DOWNEY 90240", (None, {3: ("4", 1.0)}),
     ("15748 CITRUS AVE", "15708 ELM ST, DOWNEY 90240")),
])
def test_a_house_number_the_two_lines_disagree_on_is_the_one_their_ink_fits_best(mailing, service, close, right):
    readings = {"mailing_street": _traced(mailing, close[0]), "sa1_address": _traced(service, close[1])}
    house_number_by_ink(readings)
    assert (readings["mailing_street"].value, readings["sa1_address"].value) == right
    for key, was in (("mailing_street", mailing), ("sa1_address", service)):
        r = readings[key]
        if r.value != was:
            assert r.must_check and r.confidence <= 0.7 and "fits the ink" in r.reasons[-1]


def test_a_house_number_not_the_neural_reader_s_own_is_left_alone():
    """A number Tesseract read, or the hand's 7s read again (capture/writer.py): the trace no
    longer says what the value holds, so it is no evidence for it."""
    readings = {"mailing_street": _traced("8091 BEAR VALLEY RD", {1: ("7", 1.0)}),
                "sa1_address": _traced("8091 BEAR VALLEY RD, CAMARILLO 93012", {2: ("7", 1.0)})}
    readings["sa1_address"].value = "8071 BEAR VALLEY RD, CAMARILLO 93012"
    house_number_by_ink(readings)
    assert readings["sa1_address"].value == "8071 BEAR VALLEY RD, CAMARILLO 93012"
    assert readings["mailing_street"].value == "8091 BEAR VALLEY RD"


@pytest.mark.parametrize("mailing,service,close,right", [
    # The mailing line's I is faint, the service line's is plain: MAIN in both.
    ("7290 S MAN ST", "7290 S MAIN ST, BISHOP 93514", ({8.5: ("I", 2.0)}, {}), ("7290 S MAIN ST", None)),
    # The service line's unit 30 might be 50; the mailing line's 5 is no 3.
    ("339 ALESSANDRO BLVD UNIT 50", "339 ALESSANDRO BLVD UNIT 30, CORONA, CA 92879", ({}, {25: ("5", 1.0)}),
     (None, "339 ALESSANDRO BLVD UNIT 50, CORONA, CA 92879")),
    # Each plain in its own line, and two different houses: the clerk decides.
    ("12745 FINE ST", "12745 PINE ST, ONTARIO 91762", ({6: ("P", 2.0)}, {6: ("F", 2.0)}), (None, None)),
    ("634 MAGNOLIA AVE", "540 MAGNOLIA AVE, ORANGE 92869", ({}, {}), (None, None)),
])
def test_a_street_the_two_lines_disagree_on_is_the_one_their_ink_fits_best(mailing, service, close, right):
    readings = {"mailing_street": _traced(mailing, close[0]), "sa1_address": _traced(service, close[1])}
    street_by_ink(readings)
    assert readings["mailing_street"].value == (right[0] or mailing)
    assert readings["sa1_address"].value == (right[1] or service)
    for key, was in (("mailing_street", mailing), ("sa1_address", service)):
        r = readings[key]
        if r.value != was:
            assert r.must_check and r.confidence <= 0.7 and "fits the ink" in r.reasons[-1]


DATE_LINE = "/0123456789"


def _date(iso: str, written: str, close=None) -> Reading:
    r = _r(iso, reasons=())
    r.trace = _seen(written, close, DATE_LINE)
    return r


def test_a_sign_date_after_the_form_was_received_is_the_day_before_it_the_ink_bears_out():
    """09/21 on a form received on 07/25, its 9 a crossed 7 the model saw nearly as likely: the
    day of the two months before the stamp that the ink fits best, for the clerk."""
    received = dt.date(2026, 7, 25)
    readings = {"drp_sign_date": _date("2026-09-21", "09/21/2026", {1: ("7", 2.0)}),
                "customer_sign_date": _date("2026-07-20", "07/20/2026")}  # in the window: as read
    sign_dates_by_ink(readings, received)
    r = readings["drp_sign_date"]
    assert r.value == "2026-07-21" and r.must_check and "received (2026-07-25)" in r.reasons[-1]
    assert readings["customer_sign_date"].value == "2026-07-20" and not readings["customer_sign_date"].reasons


def test_a_sign_date_written_plainly_outside_the_window_or_without_a_stamp_stays():
    received = dt.date(2026, 7, 25)
    plain = {"customer_sign_date": _date("2026-09-21", "09/21/2026")}  # signed after it was received
    sign_dates_by_ink(plain, received)
    assert plain["customer_sign_date"].value == "2026-09-21" and not plain["customer_sign_date"].reasons
    unstamped = {"customer_sign_date": _date("2026-09-21", "09/21/2026", {1: ("7", 2.0)})}
    sign_dates_by_ink(unstamped, None)
    assert unstamped["customer_sign_date"].value == "2026-09-21"
    # Two days of the window the ink fits about as well (07/21 or 07/27): the clerk decides.
    torn = {"customer_sign_date": _date("2026-09-21", "09/21/2026", {1: ("7", 2.0), 4: ("7", 0.5)})}
    sign_dates_by_ink(torn, dt.date(2026, 7, 30))
    assert torn["customer_sign_date"].value == "2026-09-21"
    assert SIGNED_WITHIN_DAYS == 60


def test_a_term_ends_on_an_anniversary_of_its_start_or_a_few_days_before():
    ends = term_ends(dt.date(2026, 9, 29))
    assert dt.date(2027, 9, 29) in ends and dt.date(2027, 9, 26) in ends and dt.date(2031, 9, 28) in ends
    assert dt.date(2027, 9, 30) not in ends and dt.date(2027, 9, 25) not in ends and dt.date(2032, 9, 29) not in ends
    assert dt.date(2029, 2, 28) in term_ends(dt.date(2028, 2, 29))  # a leap day's anniversary


def test_a_term_whose_months_were_both_misread_is_read_again_together_off_the_signature():
    """A start of 01/14 on a form signed 08/08, and an end of 01/13 a year on: both 8s read as 1s,
    an 8 the ink allows at two nats in each. The start alone is torn between 08/14 and 08/24 (its
    1 might be a 2); the end's 13 settles it: 08/14 and 08/13 a year on, for the clerk."""
    readings = {"customer_sign_date": _date("2026-08-08", "08/08/2026"),
                "term_start": _date("2026-01-14", "01/14/2026", {1: ("8", 2.0), 3: ("2", 2.5)}),
                "term_end": _date("2027-01-13", "01/13/2027", {1: ("8", 2.0)})}
    term_dates_by_ink(readings)
    start, end = readings["term_start"], readings["term_end"]
    assert (start.value, end.value) == ("2026-08-14", "2027-08-13")
    assert start.must_check and end.must_check and start.confidence <= 0.7 and end.confidence <= 0.7
    assert "signed on 2026-08-08" in start.reasons[-1] and "(2026-08-14)" in end.reasons[-1]


def test_a_term_end_that_is_no_anniversary_is_the_one_the_ink_bears_out():
    """09/28/2027 for a term from 09/29/2026: its 8 a 7 the model saw nearly as likely."""
    readings = {"customer_sign_date": _date("2026-09-29", "09/29/2026"),
                "term_start": _date("2026-09-29", "09/29/2026"),
                "term_end": _date("2027-09-30", "09/30/2027", {3: ("2", 1.0), 4: ("8", 1.5)})}
    term_dates_by_ink(readings)
    assert readings["term_start"].value == "2026-09-29" and not readings["term_start"].reasons
    assert readings["term_end"].value == "2027-09-28" and readings["term_end"].must_check


@pytest.mark.parametrize("start,end,close", [
    ("2026-09-29", "2027-12-31", None),  # a term to the end of a year, written plainly
    ("2026-09-29", "2027-09-28", {4: ("7", 0.5)}),  # the eve of the anniversary: as read
    ("2026-09-29", "2027-09-30", {3: ("2", 1.0)}),  # 09/20 is a digit away, but no anniversary's eve
])
def test_term_dates_that_go_together_or_are_written_plainly_stay(start, end, close):
    readings = {"customer_sign_date": _date("2026-09-29", "09/29/2026"),
                "term_start": _date(start, f"{start[5:7]}/{start[8:]}/{start[:4]}"),
                "term_end": _date(end, f"{end[5:7]}/{end[8:]}/{end[:4]}", close)}
    term_dates_by_ink(readings)
    assert (readings["term_start"].value, readings["term_end"].value) == (start, end)
    assert not readings["term_end"].reasons


def test_a_start_written_plainly_long_after_the_signature_stays():
    readings = {"customer_sign_date": _date("2026-03-02", "03/02/2026"),
                "term_start": _date("2026-07-01", "07/01/2026"), "term_end": _date("2027-06-30", "06/30/2027")}
    term_dates_by_ink(readings)
    assert (readings["term_start"].value, readings["term_end"].value) == ("2026-07-01", "2027-06-30")


@pytest.mark.parametrize("line,close,right", [
    # A 9 whose tail the reader lost, a 9 it allows at two nats: 9587.
    ("0587 TELEGRAPH RD UNIT 65, LAKE FOREST", {0: ("9", 2.0)}, "9587 TELEGRAPH RD UNIT 65, LAKE FOREST"),
    # The ink allows a 6 and an 8 about as well: the clerk decides, told why.
    ("053 W PACIFIC COAST HWY", {0: ("6", 2.0)}, None),
])
def test_a_house_number_read_with_a_zero_first_is_the_digit_the_ink_bears_out(line, close, right):
    r = _traced(line, close)
    if right is None:
        r.trace.probs[1, LINE.index("8") + 1] = r.trace.probs[1, LINE.index("6") + 1]
    readings = {"sa3_address": r}
    house_numbers_as_written(readings)
    assert r.value == (right or line) and r.must_check and r.confidence <= 0.7
    assert "as no one writes it (a 0 first)" in r.reasons[-1]


@pytest.mark.parametrize("line,close,right", [
    ("9/8 VENTURA BLVD, TORRANCE 90505", {1: ("7", 1.5)}, "978 VENTURA BLVD, TORRANCE 90505"),  # a 7's stem
    # A stroke between two digits that the model allows as nothing at two nats.
    ("3/17 ORANGE ST WHITTIER 90603", None, "317 ORANGE ST WHITTIER 90603"),
])
def test_a_house_number_read_with_a_slash_in_it_is_the_number_the_ink_bears_out(line, close, right):
    r = _traced(line, close, LINE + "/")
    if close is None:
        r.trace.probs[3, 0] = 0.98 * math.exp(-2.0)
    fraction = _traced("123 1/2 MAIN ST", None, LINE + "/")  # a half after the number: as written
    house_numbers_as_written({"sa1_address": r, "sa2_address": fraction})
    assert r.value == right and r.must_check and "a slash in it" in r.reasons[-1]
    assert fraction.value == "123 1/2 MAIN ST" and not fraction.must_check


def test_house_numbers_as_written_or_read_by_tesseract():
    plain = _traced("9587 TELEGRAPH RD, LAKE FOREST", {0: ("0", 1.0)})
    unit = _traced("958 TELEGRAPH RD UNIT 05, LAKE FOREST")
    house_numbers_as_written({"sa1_address": plain, "sa2_address": unit})
    assert plain.value == "9587 TELEGRAPH RD, LAKE FOREST" and not plain.must_check
    assert unit.value == "958 TELEGRAPH RD UNIT 05, LAKE FOREST" and not unit.must_check
    tesseract = _r("0587 TELEGRAPH RD", reasons=())  # no ink to ask: to the clerk as read
    house_numbers_as_written({"mailing_street": tesseract})
    assert tesseract.value == "0587 TELEGRAPH RD" and tesseract.must_check


def test_a_signature_read_as_the_misread_start_is_read_again_with_it():
    """Start and signature both read 09/14, the end 09/15 a year on: the 4s were 7s (a closed 7, at
    two nats in each line). The start is 09/17, and the signature, read as the start was, too."""
    readings = {"customer_sign_date": _date("2026-09-14", "09/14/2026", {4: ("7", 2.0)}),
                "term_start": _date("2026-09-14", "09/14/2026", {4: ("7", 2.0)}),
                "term_end": _date("2027-09-15", "09/15/2027"),
                "drp_sign_date": _date("2026-09-12", "09/12/2026")}
    term_dates_by_ink(readings)
    assert readings["term_start"].value == "2026-09-17"
    signed = readings["customer_sign_date"]
    assert signed.value == "2026-09-17" and signed.must_check and "as the term's start was" in signed.reasons[-1]
    assert readings["drp_sign_date"].value == "2026-09-12" and not readings["drp_sign_date"].reasons


@pytest.mark.parametrize("line,close,right", [
    # An E whose bars ran together, read as & (the ink allows an E at two nats, an F at four).
    ("7433 & BEACH BLVD, BISHOP, CA 93514", {5: ("E", 2.0)}, "7433 E BEACH BLVD, BISHOP, CA 93514"),
    ("378 F OLIVE ST, MORENO VALLEY 92555", {4: ("E", 1.0)}, "378 E OLIVE ST, MORENO VALLEY 92555"),
    # No directional the ink allows: as read.
    ("378 F OLIVE ST, MORENO VALLEY 92555", None, None),
    # Lettered streets, and a directional read as one.
    ("123 F ST WHITTIER 90603", {4: ("E", 1.0)}, None),
    ("123 F ST, WHITTIER", {4: ("E", 1.0)}, None),
    ("7433 E BEACH BLVD", {5: ("F", 1.0)}, None),
])
def test_an_odd_mark_after_the_house_number_is_the_directional_the_ink_bears_out(line, close, right):
    r = _traced(line, close, LINE + "&")
    directionals_by_ink({"sa1_address": r})
    assert r.value == (right or line)
    assert r.must_check == (right is not None)
