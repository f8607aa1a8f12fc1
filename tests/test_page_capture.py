"""Reading again the forms a clerk grouped by hand, with the real capture engine on a generated scan."""
from __future__ import annotations

import json

import pytest

from cisr_desk.capture.pipeline import FormPlan, extract_file, read_forms
from cisr_desk.domain.layout import PageDoesNotFit
from cisr_desk.domain.registry import Registry
from cisr_desk.paths import demo_registry
from cisr_desk.synth import generate_set
from users_support import add_users


@pytest.fixture(scope="module")
def two_forms(tmp_path_factory):
    """One typed batch scan holding two forms back to back, and what capture made of it."""
    out = tmp_path_factory.mktemp("pagedesk")
    truth = json.loads(generate_set(out, 2, seed=21, styles=("typed",), dpis=(200,), batch_size=(2, 2),
                                    faults=False).read_text())
    entry = truth["files"][0]
    path = out / entry["file"]
    return path, entry, extract_file(path, registry=Registry.load(demo_registry()))


def _plan(form) -> FormPlan:
    return FormPlan(form.template, {i: p.source_page for i, p in enumerate(form.placements)})


def test_a_forced_grouping_reads_as_capture_did(two_forms):
    path, entry, doc = two_forms
    assert len(doc.forms) == 2
    again = read_forms(path, [_plan(f) for f in doc.forms], registry=Registry.load(demo_registry()))
    for before, after in zip(doc.forms, again):
        assert after.pages == before.pages and after.template == before.template
        assert after.values() == before.values()


def test_a_page_given_to_the_wrong_blank_page_is_refused_not_invented(two_forms):
    path, entry, doc = two_forms
    first = doc.forms[0]
    wrong = FormPlan(first.template, {0: first.pages[-1]})  # the last page said to be the first page
    one_page = len(first.placements) == 1
    if one_page:  # a one-page revision: say it is upside down instead
        wrong = FormPlan(first.template, {0: first.pages[0]}, turned={first.pages[0]: True})
    with pytest.raises(PageDoesNotFit, match=f"page {wrong.pages[0]} does not fit page 1 of {first.template}"):
        read_forms(path, [wrong])


def test_the_desk_marks_a_page_not_a_form_and_assigns_it_back_with_the_real_engine(two_forms, tmp_path):
    from cisr_desk.domain import layout as lay
    from cisr_desk.store.service import Desk

    path, entry, doc = two_forms
    desk = Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}", files_dir=tmp_path / "files")
    try:
        add_users(desk, ("ann", "clerk"))
        desk.import_registry(demo_registry(), "ada")
        report = desk.import_files([path], "ann", workers=1)
        ids = report.files[0].record_ids
        source_id = desk.source_files()[0].id
        layout = desk.page_layout(source_id)
        last = layout.forms[-1]
        index = max(last.pages)
        page = last.pages[index]
        before = desk.get_record(last.record_id)
        first_values = {f.key: f.value for f in before.fields}

        desk.rearrange(source_id, lay.mark_not_form(layout, page), "ann")
        after = desk.page_layout(source_id)
        assert after.loose[page] == lay.NOT_FORM
        alone = len(last.pages) == 1
        if alone:  # a one-page form goes with its page
            assert desk.get_record(last.record_id).status == "rejected"
            back = lay.assign_page(after, page, last.template_id, index)
        else:
            assert page not in desk.get_record(last.record_id).pages
            back = lay.move_page(after, page, len(after.forms) - 1, index)
        report = desk.rearrange(source_id, back, "ann")
        record_id = report.created[0] if alone else last.record_id
        again = desk.get_record(record_id)
        assert again.pages == before.pages and again.template == before.template
        assert {f.key: f.value for f in again.fields} == first_values
        assert len(ids) == 2
    finally:
        desk.close()
