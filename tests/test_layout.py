"""The page layout of a file and the clerk's corrections to it (pure domain, no store, no capture)."""
from __future__ import annotations

import pytest

from cisr_desk.domain import layout as lay
from cisr_desk.domain.errors import InvalidValue

REV26, REV19 = "14-941-rev-2026-03", "14-941-rev-2019-07"


def batch() -> lay.PageLayout:
    """Six pages: form A (record 1, pages 1-2), form B (record 2, pages 3-4), an unrecognized page 5,
    and a one-page 2019 form (record 3) on page 6."""
    return lay.PageLayout(7, "batch.pdf", 6, {REV26: 2, REV19: 1}, [
        lay.FormLayout(REV26, {0: 1, 1: 2}, [], 1, "imported"),
        lay.FormLayout(REV26, {0: 3, 1: 4}, [], 2, "in_review"),
        lay.FormLayout(REV19, {0: 6}, [], 3, "flagged"),
    ], {5: lay.UNRECOGNIZED})


def test_describe_and_validate_a_layout():
    b = batch()
    lay.validate(b)
    assert b.describe(2) == f"page 2 of record 1 ({REV26})"
    assert b.describe(5) == "unrecognized"
    assert b.needs_a_look
    assert b.form_of_record(2) == 1
    with pytest.raises(InvalidValue, match="has no page 9"):
        b.where(9)


@pytest.mark.parametrize("spoil, message", [
    (lambda b: b.forms[1].pages.update({1: 2}), "cannot be both"),
    (lambda b: b.forms[2].pages.update({1: 5}), "has no page 2"),
    (lambda b: b.forms[0].pages.clear(), "at least one page"),
    (lambda b: b.loose.pop(5), "nowhere"),
    (lambda b: setattr(b.forms[0], "template_id", "14-941-rev-1999"), "no form revision"),
])
def test_validation_refuses_impossible_layouts(spoil, message):
    b = batch()
    spoil(b)
    with pytest.raises(InvalidValue, match=message):
        lay.validate(b)


def test_move_a_page_to_another_form_at_a_free_index():
    b = lay.mark_not_form(batch(), 4)  # B now lacks its page 2
    moved = lay.move_page(b, 5, 1)
    assert moved.forms[1].pages == {0: 3, 1: 5}
    assert 5 not in moved.loose
    assert moved.changes[-1] == lay.Change("page_moved", 5, "unrecognized", f"page 2 of record 2 ({REV26})", 2)
    assert b.forms[1].pages == {0: 3}  # the original is untouched


def test_move_refuses_an_occupied_index_a_full_form_and_emptying_a_form():
    with pytest.raises(InvalidValue, match="already file page 3"):
        lay.move_page(batch(), 5, 1, 0)
    with pytest.raises(InvalidValue, match="already has all 2"):
        lay.move_page(batch(), 5, 0)
    with pytest.raises(InvalidValue, match="only page of record 3"):
        lay.move_page(lay.mark_not_form(batch(), 2), 6, 0)  # a 2019 page on a 2026 form's free slot: index ok, emptying not
    with pytest.raises(InvalidValue, match="has no page 3"):
        lay.move_page(batch(), 5, 0, 2)


def test_split_a_form_and_merge_it_back():
    merged = lay.PageLayout(1, "f.pdf", 2, {REV26: 2}, [lay.FormLayout(REV26, {0: 1, 1: 2}, [], 9)])
    split = lay.split_form(merged, 2)
    assert [f.pages for f in split.forms] == [{0: 1}, {1: 2}]
    assert [f.record_id for f in split.forms] == [9, None]
    assert split.changes[-1].action == "form_split"
    back = lay.merge_forms(split, 0, 1)
    assert [f.pages for f in back.forms] == [{0: 1, 1: 2}]
    assert back.changes[-1].action == "forms_merged"
    assert lay.same_place(back, merged)
    with pytest.raises(InvalidValue, match="first page"):
        lay.split_form(merged, 1)
    with pytest.raises(InvalidValue, match="not a form page"):
        lay.split_form(batch(), 5)


def test_merge_refuses_other_revisions_and_clashing_pages():
    with pytest.raises(InvalidValue, match="same revision"):
        lay.merge_forms(batch(), 1, 2)
    with pytest.raises(InvalidValue, match="have a page 1"):
        lay.merge_forms(batch(), 0, 1)
    with pytest.raises(InvalidValue, match="itself"):
        lay.merge_forms(batch(), 0, 0)


def test_rotate_marks_and_attachments():
    b = lay.rotate_page(batch(), 3)
    assert b.turned[3] is True and b.changes[-1].new == "turned 180°"
    assert lay.rotate_page(b, 3).turned[3] is False
    att = lay.mark_attachment(batch(), 5, 0)
    assert att.forms[0].attachments == [5] and att.describe(5) == "attachment of record 1"
    assert not att.needs_a_look
    gone = lay.mark_not_form(batch(), 6)  # the only page of record 3: the form goes with it
    assert [f.record_id for f in gone.forms] == [1, 2]
    assert gone.loose == {5: lay.UNRECOGNIZED, 6: lay.NOT_FORM}
    assert gone.changes[-1] == lay.Change("page_marked", 6, f"page 1 of record 3 ({REV19})", "not a form page", 3)


def test_assign_a_loose_page_and_reassign_a_single_page_form():
    b = lay.assign_page(batch(), 5, REV19, 0)
    assert [f.file_pages for f in b.forms] == [[1, 2], [3, 4], [5], [6]]
    assert b.forms[2].record_id is None and b.forms[2].template_id == REV19
    again = lay.assign_page(batch(), 6, REV26, 1)  # alone on its form: the form changes revision
    assert again.forms[2].record_id == 3 and again.forms[2].pages == {1: 6} and again.forms[2].template_id == REV26
    with pytest.raises(InvalidValue, match="has no page 2"):
        lay.assign_page(batch(), 5, REV19, 1)


def test_a_digital_file_cannot_be_rearranged():
    b = batch()
    b.digital = True
    with pytest.raises(InvalidValue, match="digital PDF"):
        lay.rotate_page(b, 1)
