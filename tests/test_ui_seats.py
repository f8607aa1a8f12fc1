"""Several seats in the review screen: opening a record claims it; one someone else holds opens
read-only, saying who has it; a change made on a stale view is refused and the record reloaded;
the queue shows who holds what."""
from __future__ import annotations

import pytest

from cisr_desk.ui.models import RecordQueueModel
from cisr_desk.ui.review import ReviewScreen
from ui_support import make_ctx, make_pdf, open_desk
from users_support import add_users


@pytest.fixture
def seats(tmp_path, qtbot):
    from cisr_desk.store.fakes import FakeExtractor, clean_values, form

    extractor = FakeExtractor({"a.pdf": [form(clean_values(1), doubtful=["customer_name"])],
                               "b.pdf": [form(clean_values(2))]})
    desk = open_desk(tmp_path, extractor)
    add_users(desk, ("carl", "clerk"), admin="admin")
    desk.import_files([make_pdf(tmp_path / "a.pdf", "a"), make_pdf(tmp_path / "b.pdf", "b")], "clerk")
    screen = ReviewScreen(make_ctx(desk, "clerk", tmp_path))
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    yield screen, desk
    desk.close()


def test_opening_a_record_claims_it_and_leaving_it_unchanged_gives_it_back(seats):
    screen, desk = seats
    screen.open_record(2)
    assert desk.get_record(2).holder == "clerk" and not screen.editor.read_only
    screen.open_record(1)  # PgUp past an untouched record
    assert desk.get_record(2).holder == "" and desk.get_record(1).holder == "clerk"
    screen.editor.commit_field("customer_name")  # worked on: stays held
    screen.show_queue()
    assert desk.get_record(1).holder == "clerk"


def test_a_record_someone_else_holds_opens_read_only(seats):
    screen, desk = seats
    desk.claim(1, "carl")
    screen.open_record(1)
    editor = screen.editor
    assert editor.read_only and "held by carl" in editor.message.current() and "read-only" in editor.message.current()
    assert not editor.submit_button.isEnabled() and editor.fields.rows["customer_name"].editor.isReadOnly()
    editor.commit_field("customer_name")
    editor.submit()
    rec = desk.get_record(1)
    assert rec.version == 1 and rec.field("customer_name").review and rec.holder == "carl"


def test_a_change_on_a_stale_view_is_refused_and_the_record_reloaded(seats):
    screen, desk = seats
    screen.open_record(1)
    editor = screen.editor
    desk.set_field(1, "customer_title", "Owner", "clerk")  # the same clerk, in another window
    row = editor.fields.rows["customer_name"]
    row.editor.setText("Someone Else")
    editor.commit_field("customer_name")
    assert "was changed by clerk" in editor.message.current() and "reload" in editor.message.current()
    assert desk.get_record(1).field("customer_name").value != "Someone Else"
    assert editor.record.version == desk.get_record(1).version == 2
    editor.commit_field("customer_name")  # on the fresh view it goes through
    assert desk.get_record(1).version == 3


def test_the_queue_shows_who_holds_a_record(seats, qtbot):
    _, desk = seats
    desk.claim(2, "carl")
    model = RecordQueueModel(desk)
    model.refresh()
    holder = model.index(model.row_of(2), RecordQueueModel.COL_HOLDER)
    status = model.index(model.row_of(2), RecordQueueModel.COL_STATUS)
    assert model.data(holder) == "carl" and model.data(status).endswith("· held")
    assert "Held by carl since" in model.data(holder, 3)  # ToolTipRole
    assert model.data(model.index(model.row_of(1), RecordQueueModel.COL_HOLDER)) == ""
