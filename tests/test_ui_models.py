"""Item models without widgets: ids only, rows fetched a page at a time, COL_* columns, roles."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from cisr_desk.ui.models import (GroupFieldModel, ObjectTableModel, RecordIdRole, RecordQueueModel, StatusRole,
                                 field_text, status_label)
from ui_fake_desk import FakeDesk, RecordRow


class CountingDesk(FakeDesk):
    def __init__(self, n):
        super().__init__(0)
        self.calls = []
        self.n = n

    def record_ids(self, status=None, search=""):
        return list(range(1, self.n + 1))

    def list_records(self, status=None, search="", offset=0, limit=100, order="id"):
        self.calls.append((offset, limit))
        return [RecordRow(i, "in_review", "t", "2026-11-20", f"Customer {i}", "DRP1791", i % 3, 0, f"/scans/b{i}.pdf", [1, 2])
                for i in range(offset + 1, min(self.n, offset + limit) + 1)]


def test_queue_model_holds_ids_and_fetches_pages_lazily(qapp):
    desk = CountingDesk(250)
    model = RecordQueueModel(desk)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.refresh()
    desk.calls.clear()
    assert model.rowCount() == 250
    assert desk.calls == []  # counting rows reads ids only
    assert model.data(model.index(0, RecordQueueModel.COL_CUSTOMER)) == "Customer 1"
    assert model.data(model.index(99, RecordQueueModel.COL_ID)) == "100"
    assert desk.calls == [(0, 100)]
    assert model.data(model.index(240, RecordQueueModel.COL_SOURCE)) == "b241.pdf"
    assert desk.calls == [(0, 100), (200, 100)]


def test_queue_model_columns_and_roles(qapp):
    desk = FakeDesk(3)
    model = RecordQueueModel(desk)
    model.set_filter(("imported", "in_review"))
    assert model.rowCount() == 3 and model.columnCount() == len(RecordQueueModel.HEADERS)
    idx = model.index(1, RecordQueueModel.COL_STATUS)
    assert model.data(idx) == "In review"
    assert model.data(idx, RecordIdRole) == 2
    assert model.data(idx, StatusRole) == "in_review"
    assert model.data(model.index(0, RecordQueueModel.COL_DOUBTFUL)) == "2"
    assert model.data(model.index(0, RecordQueueModel.COL_RECEIVED)) == "11/20/2026"
    assert model.headerData(RecordQueueModel.COL_DRP, Qt.Orientation.Horizontal) == "DRP"
    assert model.data(model.index(0, RecordQueueModel.COL_STATUS), Qt.ItemDataRole.ForegroundRole) is not None


def test_queue_model_filters_and_updates(qapp):
    desk = FakeDesk(3)
    model = RecordQueueModel(desk)
    model.set_filter(None, "customer 2")
    assert model.ids() == [2]
    model.set_filter("flagged")
    assert model.rowCount() == 0
    desk.flag(3, "why", "clerk")
    model.refresh()
    assert model.ids() == [3] and model.row_of(3) == 0 and model.row_of(1) == -1
    changed = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    model.update_record(3)
    assert changed == [(0, 0)]


def test_object_table_model(qapp):
    model = ObjectTableModel([("Id", "id"), ("Twice", lambda r: r.id * 2), ("Accounts", "pages")])
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows([RecordRow(7, "approved", "t", "", "C", "D", 0, 0, "s", [1, 2])])
    assert model.data(model.index(0, 1)) == "14"
    assert model.data(model.index(0, 2)) == "1, 2"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Id"


def test_group_field_model_one_field_across_records(qapp):
    desk = FakeDesk(3)
    model = GroupFieldModel(desk)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_group("mailing_zip", [1, 2, 3])
    assert model.rowCount() == 3
    assert model.data(model.index(0)) == "9170"
    assert model.data(model.index(0), GroupFieldModel.DoubtRole) is True
    desk.accept_field(1, "mailing_zip", "clerk")
    model.forget(1)
    assert model.data(model.index(0), GroupFieldModel.DoubtRole) is False
    model.set_crop(2, "pixmap")
    assert model.data(model.index(1), GroupFieldModel.CropRole) == "pixmap"


def test_display_helpers():
    desk = FakeDesk(1)
    fields = {f.key: f for f in desk.get_record(1).fields}
    assert field_text(fields["customer_account"]) == "2-12-345-6789"
    assert field_text(fields["request_authorize"]) == "☑"
    assert field_text(fields["customer_signature"]) == "Signed"
    assert status_label("submitted") == "Sampled for approval"
    assert status_label("something_new") == "Something new"


def test_registry_model_colours_status_and_greys_inactive(qapp):
    from PySide6.QtGui import QColor

    from cisr_desk.domain.registry import Registry
    from cisr_desk.paths import demo_registry
    from cisr_desk.ui.registry_screen import RegistryModel

    model = RegistryModel()
    drps = list(Registry.load(demo_registry()))
    model.set_rows(drps)
    active = next(i for i, d in enumerate(drps) if d.is_active)
    withdrawn = next(i for i, d in enumerate(drps) if d.status == "WITHDRAWN")
    fg = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(active, RegistryModel.COL_STATUS), fg) == QColor("#15803d")
    assert model.data(model.index(active, RegistryModel.COL_NAME), fg) is None
    assert model.data(model.index(withdrawn, RegistryModel.COL_NAME), fg) == QColor("#9ca3af")
    assert model.data(model.index(withdrawn, RegistryModel.COL_STATUS)) == "Withdrawn"
