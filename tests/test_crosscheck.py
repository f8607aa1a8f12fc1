"""Fields of one form vouching for each other (capture/crosscheck.py)."""
from __future__ import annotations

import pytest

from cisr_desk.capture.crosscheck import names_from_email
from cisr_desk.capture.read import Reading
@pytest.mark.parametrize("name,email,right", [
    ("MET YOUNG", "meiy@yahoo.com", "MEI YOUNG"),  # a letter off, {f}{li}
    ("WE/OKAFOR", "wei.okafor@gonzalezco.com", "WEI OKAFOR"),  # and the space read as a stroke
    ("DANIEL LEWS", "daniel.lewis@aol.com", "DANIEL LEWIS"),  # the surname, {f}.{l}
    ("KEN JI WRIGHT", "kenjiw@icloud.com", "KENJI WRIGHT"),  # broken in two at a wide gap
    ("Met Young", "meiy77@aol.com", "Mei Young"),  # in its case, the digits after it
    # Left as read: known names both (SMYTH is one), an address of another form, spaces it cannot show.
    ("JOHN SMYTH", "john.smith@aol.com", "JOHN SMYTH"),
    ("MEI YOUNG", "mety@yahoo.com", "MEI YOUNG"),
    ("MARK JOHNSON", "mjohnson@aol.com", "MARK JOHNSON"),
    ("ROSE MARY KING", "rosemaryk@aol.com", "ROSE MARY KING"),
])
def test_a_name_a_letter_off_is_read_as_the_email_address_spells_it(name, email, right):
    readings = {"customer_print_name": Reading(name, name, 0.95), "customer_email": Reading(email, email, 0.95)}
    names_from_email(readings)
    r = readings["customer_print_name"]
    assert r.value == right
    if right != name:  # never silently: the clerk confirms it
        assert r.must_check and r.confidence <= 0.75 and email in r.reasons[-1]


def test_an_email_address_in_doubt_still_spells_a_name_for_the_clerk():
    readings = {"customer_print_name": Reading("MET YOUNG", "MET YOUNG", 0.95),
                "customer_email": Reading("meiy@yahoo.com", "meiy@yahoo.com", 0.6, ["the two readers disagree"])}
    names_from_email(readings)
    assert readings["customer_print_name"].value == "MEI YOUNG" and readings["customer_print_name"].must_check
