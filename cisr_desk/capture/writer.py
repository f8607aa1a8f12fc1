"""What one writer's hand shows across the whole form, beyond any one field.

A keying operator who meets a hand that crosses its sevens learns, after a field or two, that
its "9"s may be sevens. Both our readers read such a seven as a 9, each with full confidence
(the bar across the stem closes a loop), so no single field shows the doubt. The form as a whole
does: a form's account numbers, phones, ZIP and dates hold 40 to 100 digits, and among so many
a 7 is all but certain (none in 60 random digits: 0.2 %). No 7 anywhere, and more 9s than
their share, is that writer: every field with a 9 goes to the clerk.
"""
from __future__ import annotations

import re

from cisr_desk.capture.read import Reading
from cisr_desk.domain.fields import FieldType

NUMERIC = (FieldType.ACCOUNT, FieldType.PHONE, FieldType.ZIP, FieldType.DATE)
MIN_DIGITS = 40  # fewer, and a form without a 7 is not remarkable (a second page, a short form)
SEVENS_READ_AS_NINES = "no 7 among the {n} digits of this form but {nines} nines: a crossed 7 may have been read as 9"


def sevens_read_as_nines(readings: dict[str, Reading], types: dict[str, FieldType]) -> list[str]:
    """Mark for the clerk every numeric field holding a 9 when the form's digits have no 7 and
    more 9s than a tenth of them; returns the keys marked."""
    numeric = {k: r for k, r in readings.items()
               if types.get(k) in NUMERIC and isinstance(r.value, str) and r.value}
    digits = "".join(re.sub(r"\D", "", r.value) for r in numeric.values())
    nines = digits.count("9")
    if len(digits) < MIN_DIGITS or "7" in digits or nines * 10 <= len(digits):
        return []
    reason = SEVENS_READ_AS_NINES.format(n=len(digits), nines=nines)
    marked = []
    for key, r in numeric.items():
        if "9" in r.value:
            r.doubt(reason, at_most=0.6)
            marked.append(key)
    return marked
