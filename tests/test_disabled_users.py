"""A user an administrator disables while they are signed in (their window still open, a script
still running): every change the Desk would make on their behalf is refused with one clear error
and changes nothing; an import or a page rearrangement under way stops at its next write."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from cisr_desk.domain import layout as lay
from cisr_desk.domain.errors import DeskError, UserDisabled
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.export.rows import week_period
from cisr_desk.store import fakes
from users_support import PASSWORD, add_users

WEEK = week_period("2026-W48")  # the fixed clock's week
TABLES = ("users", "records", "field_values", "record_pages", "audit_events", "settings", "source_files",
          "import_batches", "import_runs", "export_batches", "registry_versions")


def pdf(folder, name: str):
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n" + name.encode())
    return path


def everything(desk) -> dict[str, list[tuple]]:
    with desk._engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


@pytest.fixture
def office(desk, extractor, tmp_path):
    """ann keys record a of batch.pdf and flagged record b; sue exported a batch; then an admin
    disables ann, sue and adam (another admin)."""
    add_users(desk, ("adam", "admin"), ("bob", "clerk"))
    extractor.results["batch.pdf"] = fakes.document("batch.pdf", [
        fakes.form(fakes.clean_values(1), pages=(1, 2)), fakes.form(fakes.clean_values(3), pages=(3, 4))],
        unrecognized=[5])
    a, b = desk.import_files([pdf(tmp_path, "batch.pdf")], "ann", received=dt.date(2026, 11, 20)).record_ids
    desk.form_reader = fakes.FakeFormReader()
    [clean] = desk.import_files([pdf(tmp_path, "clean.pdf")], "ann", received=dt.date(2026, 11, 20)).record_ids
    assert desk.submit(clean, "ann").status == "approved"
    batch = desk.export_period(*WEEK, "sue", tmp_path / "first.xlsx")
    desk.set_field(a, "customer_name", "MARIA LOPEZ", "ann")
    desk.flag(b, "Signature looks different", "ann")
    for name in ("ann", "sue", "adam"):
        desk.disable_user(name, "ada")
    return a, b, desk.source_files()[-1].id, batch.id


def test_every_change_on_behalf_of_a_disabled_user_is_refused_and_changes_nothing(desk, office, tmp_path):
    a, b, source_id, batch_id = office
    registry = fakes.write_registry_csv(tmp_path / "r2.csv", fakes.demo_registry_rows()[1:])
    changes = {
        "ann": {
            "set": lambda: desk.set_field(a, "customer_name", "MARIA L", "ann"),
            "received": lambda: desk.set_field(a, "received", "2026-11-21", "ann"),
            "accept": lambda: desk.accept_field(a, "mailing_city", "ann"),
            "submit": lambda: desk.submit(a, "ann"),
            "flag": lambda: desk.flag(a, "unclear", "ann"),
            "claim": lambda: desk.claim(b, "ann"),
            "next": lambda: desk.next_record("ann"),
            "release": lambda: desk.release(a, "ann"),
            "import": lambda: desk.import_files([pdf(tmp_path, "new.pdf")], "ann"),
            "rearrange": lambda: desk.rearrange(source_id, lay.mark_not_form(desk.page_layout(source_id), 5), "ann"),
        },
        "sue": {
            "approve": lambda: desk.approve(b, "sue", override="checked"),
            "reject": lambda: desk.reject(b, "unreadable", "sue"),
            "return": lambda: desk.return_to_clerk(b, "sue", "look again"),
            "policy": lambda: desk.set_policy(SitePolicy(supervisor_sample_every=1), "sue"),
            "reasons": lambda: desk.set_reason_codes(desk.reason_codes()[1:], "sue"),
            "registry": lambda: desk.import_registry(registry, "sue"),
            "export": lambda: desk.export_period(*WEEK, "sue", tmp_path / "second.xlsx"),
            "reexport": lambda: desk.reexport(batch_id, "sue", tmp_path / "again.xlsx"),
        },
        "adam": {
            "add user": lambda: desk.add_user("zoe", "clerk", PASSWORD, by="adam"),
            "role": lambda: desk.set_role("bob", "supervisor", "adam"),
            "disable": lambda: desk.disable_user("bob", "adam"),
            "enable": lambda: desk.enable_user("ann", "adam"),
            "reset": lambda: desk.reset_password("bob", "temporary 12", "adam"),
            "demo": lambda: desk.mark_demo({"bob": "clerk"}, "adam"),
        },
    }
    before = everything(desk)
    got, expected = {}, {}
    for user, ops in changes.items():
        for what, op in ops.items():
            expected[what] = f"Your account ({user}) was disabled by an administrator: nothing was changed. " \
                             "Ask an administrator to enable it again."
            try:
                op()
                got[what] = "done"
            except UserDisabled as exc:
                got[what] = str(exc) if exc.name == user else f"{exc} (for {exc.name})"
            except DeskError as exc:
                got[what] = f"{type(exc).__name__}: {exc}"
    assert got == expected
    assert everything(desk) == before
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["first.xlsx"]
    assert desk.enable_user("ann", "ada").active  # enabled again, ann goes on where she was
    assert desk.set_field(a, "customer_name", "MARIA L", "ann").field("customer_name").value == "MARIA L"


def test_an_import_under_way_stops_at_the_next_file_once_its_user_is_disabled(desk, extractor, tmp_path):
    files = [pdf(tmp_path, f"{n}.pdf") for n in ("one", "two", "three")]

    def progress(p):
        if p.file_index == 1:  # the first file is stored: now an admin disables ann
            desk.disable_user("ann", "ada")

    with pytest.raises(UserDisabled, match=r"Your account \(ann\) was disabled"):
        desk.import_files(files, "ann", progress=progress)
    assert [f.name for f in desk.source_files()] == ["one.pdf"] and desk.count_records() == 1
    assert extractor.calls == [["one.pdf", "two.pdf", "three.pdf"]]  # the others were not read one by one


def test_a_rearrangement_is_refused_when_its_user_is_disabled_while_the_forms_are_read(desk, extractor, tmp_path):
    extractor.results["batch.pdf"] = fakes.document("batch.pdf", [fakes.form(fakes.clean_values(1), pages=(1, 2))])
    desk.import_files([pdf(tmp_path, "batch.pdf")], "ann")
    source_id = desk.source_files()[0].id
    reader = fakes.FakeFormReader()

    def read_then_disable(*args, **kwargs):
        results = reader(*args, **kwargs)
        desk.disable_user("ann", "ada")
        return results

    desk.form_reader = read_then_disable
    layout = desk.page_layout(source_id)
    with pytest.raises(UserDisabled):
        desk.rearrange(source_id, lay.rotate_page(layout, 1), "ann")
    assert len(reader.calls) == 1 and lay.same_place(desk.page_layout(source_id), layout)


def test_disabling_a_user_gives_their_held_records_back_to_the_queue(desk, extractor, tmp_path):
    add_users(desk, ("bob", "clerk"))
    extractor.results["batch.pdf"] = fakes.document("batch.pdf", [
        fakes.form(fakes.clean_values(1), pages=(1, 2)), fakes.form(fakes.clean_values(3), pages=(3, 4))])
    a, b = desk.import_files([pdf(tmp_path, "batch.pdf")], "ann").record_ids
    desk.set_field(a, "customer_name", "MARIA LOPEZ", "ann")  # ann holds a
    desk.claim(b, "bob")  # and bob holds b
    desk.disable_user("ann", "ada")
    assert desk.get_record(a).holder == "" and desk.get_record(b).holder == "bob"
    [event] = [e for e in desk.history(a) if e.action == "release"]
    assert (event.user, event.old, event.reason) == ("ada", "ann", "released by ada: ann was disabled")
    assert desk.next_record("bob").id == a  # another clerk takes it over at once
    assert desk.get_record(a).field("customer_name").value == "MARIA LOPEZ"  # nothing ann keyed is lost
