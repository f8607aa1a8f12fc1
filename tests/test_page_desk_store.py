"""The page desk in the store: a file's layout, rearranged by a clerk, forms read again (fake capture)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cisr_desk.domain import layout as lay
from cisr_desk.domain.errors import HeldByOther, InvalidValue, StaleRecord
from cisr_desk.store import fakes
from users_support import add_users

REV19 = "14-941-rev-2019-07"


def pdf(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n" + name.encode())
    return path


@pytest.fixture
def batch(desk, extractor, tmp_path):
    """batch.pdf: record A (pages 1-2), record B (pages 3-4), an unrecognized page 5."""
    extractor.results["batch.pdf"] = fakes.document("batch.pdf", [
        fakes.form(fakes.clean_values(1), pages=(1, 2)), fakes.form(fakes.clean_values(3), pages=(3, 4))],
        unrecognized=[5])
    report = desk.import_files([pdf(tmp_path, "batch.pdf")], "ann")
    desk.form_reader = fakes.FakeFormReader()
    source_id = desk.source_files()[0].id
    return source_id, report.files[0].record_ids


def actions(desk, record_id):
    return [e.action for e in desk.history(record_id)]


def test_the_layout_of_an_imported_file(desk, batch):
    source_id, (a, b) = batch
    files = desk.source_files()
    assert [(f.name, f.forms, f.unrecognized, f.needs_a_look) for f in files] == [("batch.pdf", 2, [5], True)]
    layout = desk.page_layout(source_id)
    assert [(f.record_id, f.pages, f.status) for f in layout.forms] == [(a, {0: 1, 1: 2}, "imported"),
                                                                        (b, {0: 3, 1: 4}, "imported")]
    assert layout.loose == {5: lay.UNRECOGNIZED} and layout.needs_a_look
    assert layout.source_path.endswith(".pdf")


def test_marking_a_loose_page_not_a_form_reads_nothing_and_settles_the_file(desk, batch):
    source_id, (a, b) = batch
    report = desk.rearrange(source_id, lay.mark_not_form(desk.page_layout(source_id), 5), "ann")
    assert desk.form_reader.calls == [] and report.updated == report.created == []
    assert desk.page_layout(source_id).loose == {5: lay.NOT_FORM}
    assert not desk.source_files()[0].needs_a_look
    assert "no form had to be read again" in report.message


def test_a_page_moved_back_keeps_the_clerks_value_and_renews_the_rest(desk, batch):
    source_id, (a, b) = batch
    desk.set_field(b, "customer_name", "MARIA LOPEZ", "ann")
    desk.form_reader.values[3] = dict(fakes.clean_values(3), customer_name="Maria L0pez", mailing_city="Ontario")
    layout = lay.mark_not_form(desk.page_layout(source_id), 4)
    report = desk.rearrange(source_id, layout, "ann")
    assert report.updated == [b]
    rec = desk.get_record(b)
    assert rec.pages == [3] and rec.missing_pages == [1]
    assert rec.field("customer_name").value == "MARIA LOPEZ"  # the clerk's
    assert rec.field("customer_name").ocr_value == "Maria L0pez"  # what capture read now
    assert rec.field("mailing_city").value == "Ontario"  # not touched by a clerk: the new reading
    assert report.kept_values == {b: ["customer_name"]}
    assert any(i.code for i in rec.issues)  # its page 2 is missing now: checked again
    back = lay.move_page(desk.page_layout(source_id), 4, 1, 1)
    desk.rearrange(source_id, back, "ann")
    assert desk.get_record(b).pages == [3, 4] and desk.get_record(b).missing_pages == []
    history = desk.history(b)
    assert [e.action for e in history].count("form_reread") == 2
    moved = [e for e in history if e.action == "page_moved"][0]
    assert (moved.field, moved.old, moved.new) == ("page 4", "not a form page", f"page 2 of record {b} ({fakes.TEMPLATE})")


def test_split_makes_a_record_and_merge_retires_it(desk, batch):
    source_id, (a, b) = batch
    report = desk.rearrange(source_id, lay.split_form(desk.page_layout(source_id), 2), "ann")
    (new,) = report.created
    assert report.updated == [a]
    assert desk.get_record(new).pages == [2] and desk.get_record(new).missing_pages == [0]
    assert desk.get_record(a).pages == [1]
    assert "form_split" in actions(desk, a) and "form_created" in actions(desk, new)
    layout = desk.page_layout(source_id)
    report = desk.rearrange(source_id, lay.merge_forms(layout, 0, 1), "ann")
    assert report.retired == [new] and report.updated == [a]
    gone = desk.get_record(new)
    assert gone.status == "rejected" and gone.reject_reason == f"merged into record {a} on the page desk"
    assert gone.pages == []
    assert desk.get_record(a).pages == [1, 2]
    assert [f.record_id for f in desk.page_layout(source_id).forms] == [a, b]
    assert desk.source_files()[0].forms == 2


def test_rotate_reads_the_page_turned_and_assign_makes_a_form_of_a_loose_page(desk, batch):
    source_id, (a, b) = batch
    desk.rearrange(source_id, lay.rotate_page(desk.page_layout(source_id), 3), "ann")
    plan = desk.form_reader.calls[-1][0]
    assert plan.turned == {3: True}
    assert desk.get_record(b).placements[0].rotated is True
    assert desk.page_layout(source_id).turned == {3: True}
    report = desk.rearrange(source_id, lay.assign_page(desk.page_layout(source_id), 5, REV19, 0), "ann")
    (new,) = report.created
    rec = desk.get_record(new)
    assert rec.template == REV19 and rec.pages == [5] and rec.status == "imported"
    assert "page_assigned" in actions(desk, new)
    assert not desk.source_files()[0].needs_a_look


def test_attachment_marking_checks_again_without_reading(desk, batch):
    source_id, (a, b) = batch
    report = desk.rearrange(source_id, lay.mark_attachment(desk.page_layout(source_id), 5, 0), "ann")
    assert desk.form_reader.calls == [] and report.updated == [a]
    rec = desk.get_record(a)
    assert rec.attachment_pages == [5] and rec.pages == [1, 2, 5]
    assert "attachments_changed" in actions(desk, a) and "page_marked" in actions(desk, a)


def test_refusals_leave_everything_as_it_was(desk, batch):
    source_id, (a, b) = batch
    base = desk.page_layout(source_id)
    desk.form_reader.refuse = {4}
    with pytest.raises(lay.PageDoesNotFit, match="page 4 does not fit"):
        desk.rearrange(source_id, lay.rotate_page(base, 4), "ann")
    assert lay.same_place(desk.page_layout(source_id), base)
    desk.form_reader.refuse = set()
    desk.rearrange(source_id, lay.mark_not_form(base, 5), "ann")
    with pytest.raises(InvalidValue, match="rearranged by someone else meanwhile"):
        desk.rearrange(source_id, lay.rotate_page(base, 1), "ann")
    desk.submit(a, "ann")
    assert desk.get_record(a).status in ("submitted", "approved")
    with pytest.raises(InvalidValue, match=f"Record {a} is .*only forms not yet submitted"):
        desk.rearrange(source_id, lay.split_form(desk.page_layout(source_id), 2), "ann")
    # a form past review that is not touched does not stop the others
    desk.rearrange(source_id, lay.rotate_page(desk.page_layout(source_id), 3), "ann")


def test_a_record_another_seat_holds_is_not_rearranged(desk, batch):
    source_id, (_, b) = batch
    add_users(desk, ("bob", "clerk"))
    desk.claim(b, "bob")
    base = desk.page_layout(source_id)
    with pytest.raises(HeldByOther, match=f"Record {b} is held by bob since .*; ann cannot rearrange it"):
        desk.rearrange(source_id, lay.mark_not_form(base, 4), "ann")
    assert desk.form_reader.calls == []  # refused before any page is read
    assert lay.same_place(desk.page_layout(source_id), base)
    assert desk.get_record(b).version == base.versions[b] and desk.get_record(b).pages == [3, 4]
    desk.rearrange(source_id, lay.rotate_page(base, 1), "ann")  # a form nobody else holds is rearranged
    desk.release(b, "bob")
    desk.rearrange(source_id, lay.mark_not_form(desk.page_layout(source_id), 4), "ann")
    assert desk.get_record(b).pages == [3]


def test_a_record_changed_since_the_layout_was_read_is_not_rearranged(desk, batch):
    source_id, (_, b) = batch
    add_users(desk, ("bob", "clerk"))
    base = desk.page_layout(source_id)
    desk.set_field(b, "customer_name", "MARIA LOPEZ", "bob")
    desk.release(b, "bob")
    with pytest.raises(StaleRecord, match=rf"Record {b} was changed by bob at .*you had {base.versions[b]}\) — reload"):
        desk.rearrange(source_id, lay.mark_not_form(base, 4), "ann")
    assert desk.form_reader.calls == [] and desk.get_record(b).status == "in_review"
    assert lay.same_place(desk.page_layout(source_id), base)
    fresh = desk.page_layout(source_id)
    report = desk.rearrange(source_id, lay.mark_not_form(lay.mark_not_form(fresh, 4), 3), "ann")
    assert report.retired == [b]
    assert desk.get_record(b).version == fresh.versions[b] + 1  # retired is a change: older views are stale


@pytest.mark.parametrize("meanwhile, refusal", [
    (lambda desk, rid: desk.claim(rid, "bob"), HeldByOther),
    (lambda desk, rid: desk.set_field(rid, "customer_name", "MARIA LOPEZ", "ann"), StaleRecord)])
def test_a_hold_or_a_change_made_while_the_forms_are_read_refuses_the_rearrangement(desk, batch, meanwhile,
                                                                                     refusal):
    source_id, (_, b) = batch
    add_users(desk, ("bob", "clerk"))
    reader = desk.form_reader

    def read_while_another_seat_works(*args, **kwargs):
        meanwhile(desk, b)
        return reader(*args, **kwargs)

    desk.form_reader = read_while_another_seat_works
    version = desk.get_record(b).version
    with pytest.raises(refusal, match=f"Record {b} "):
        desk.rearrange(source_id, lay.mark_not_form(desk.page_layout(source_id), 4), "ann")
    assert len(reader.calls) == 1  # read, then refused under the row locks before anything was written
    rec = desk.get_record(b)
    assert rec.pages == [3, 4] and "form_reread" not in actions(desk, b)
    assert rec.version == version + (1 if refusal is StaleRecord else 0)


def test_a_digital_file_shows_its_pages_but_cannot_be_rearranged(desk, extractor, tmp_path):
    form = fakes.form(fakes.clean_values(7))
    form.digital = True
    extractor.results["typed.pdf"] = [form]
    desk.import_files([pdf(tmp_path, "typed.pdf")], "ann")
    layout = desk.page_layout(desk.source_files()[0].id)
    assert layout.digital
    with pytest.raises(InvalidValue, match="digital PDF"):
        lay.rotate_page(layout, 1)
