"""Supervisor: flagged and sampled records with their issues and field history (OCR value →
clerk value); approve, reject with a reason, or return to the clerk. The Desk enforces the
four-eyes rule; when it blocks, this screen says why and what to do instead."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError, FourEyesViolation
from cisr_desk.ui.models import ObjectTableModel, RecordQueueModel, field_text, status_label
from cisr_desk.ui.review import make_queue_table
from cisr_desk.ui.widgets import MessageBar, action, ask_reason, heading, read_only_table

SUPERVISOR_STATUSES = ("flagged", "submitted")


class SupervisorScreen(QWidget):
    title = "Supervisor"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = None
        self.model = RecordQueueModel(ctx.desk, self)
        self.table = make_queue_table(self.model)
        for col in (RecordQueueModel.COL_RECEIVED, RecordQueueModel.COL_DRP, RecordQueueModel.COL_SOURCE,
                    RecordQueueModel.COL_DOUBTFUL):
            self.table.setColumnHidden(col, True)  # the detail pane shows these
        self.table.setColumnWidth(RecordQueueModel.COL_STATUS, 120)
        self.table.setColumnWidth(RecordQueueModel.COL_CUSTOMER, 200)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_row(cur.row()))
        self.message = MessageBar()
        self.count = QLabel()
        self.count.setObjectName("screenSub")

        self.title_label = QLabel("Nothing waiting for a supervisor")
        self.title_label.setObjectName("recordTitle")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setObjectName("flagReason")
        self.issues = QLabel()
        self.issues.setWordWrap(True)
        self.issues.setObjectName("issueText")
        self.changes = ObjectTableModel([("Field", lambda c: c[0]), ("OCR read", lambda c: c[1]),
                                         ("Clerk's value", lambda c: c[2]), ("By", lambda c: c[3])], self)
        self.events = ObjectTableModel([("When", lambda e: str(e.at)[:16]), ("Who", "user"), ("What", "action"),
                                        ("Field", "field"), ("Old", "old"), ("New", "new"), ("Reason", "reason")], self)
        self.act_approve = action(self, "Approve", self.approve, "Ctrl+Shift+A", "approve")
        self.act_reject = action(self, "Reject…", self.reject, "Ctrl+Shift+R", "reject")
        self.act_return = action(self, "Return to clerk", self.return_to_clerk, "Ctrl+Shift+B", "back")
        self.act_open = action(self, "Open in Review", self.open_in_review, "Ctrl+Shift+E", "review")
        buttons = QHBoxLayout()
        for act, primary in ((self.act_open, False), (self.act_return, False), (self.act_reject, False),
                             (self.act_approve, True)):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
            btn = QPushButton(act.icon(), act.text())
            btn.setToolTip(act.toolTip())
            btn.clicked.connect(act.trigger)
            if primary:
                btn.setObjectName("primary")
            buttons.addWidget(btn)
            setattr(self, f"btn_{act.text().split()[0].lower().strip('…')}", btn)
        buttons.insertStretch(0, 1)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.title_label)
        dl.addWidget(self.reason)
        dl.addWidget(self.issues)
        t1 = QLabel("Field changes (OCR → clerk)")
        t1.setObjectName("panelTitle")
        dl.addWidget(t1)
        dl.addWidget(read_only_table(self.changes), 2)
        t2 = QLabel("History")
        t2.setObjectName("panelTitle")
        dl.addWidget(t2)
        dl.addWidget(read_only_table(self.events), 2)
        dl.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setSizes([440, 760])
        head = QHBoxLayout()
        head.addWidget(heading("Supervisor", "Flagged and sampled records"))
        head.addStretch(1)
        head.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        ctx.events.records_changed.connect(self._maybe_refresh)

    def activate(self) -> None:
        self.refresh()

    def _maybe_refresh(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        current = self.record.id if self.record else None
        try:
            self.model.set_filter(SUPERVISOR_STATUSES)
        except DeskError as exc:
            self.message.show_error(exc)
            return
        n = self.model.rowCount()
        self.count.setText(f"{n} waiting")
        row = self.model.row_of(current) if current is not None else -1
        if n:
            self.table.selectRow(max(row, 0))
            self.show_row(max(row, 0))
        else:
            self.show_record(None)

    def show_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            try:
                self.show_record(self.ctx.desk.get_record(self.model.record_id(row)))
            except DeskError as exc:
                self.message.show_error(exc)

    def show_record(self, rec) -> None:
        self.record = rec
        for btn in (self.btn_approve, self.btn_reject, self.btn_return, self.btn_open):
            btn.setEnabled(rec is not None)
        if rec is None:
            self.title_label.setText("Nothing waiting for a supervisor")
            self.reason.clear()
            self.issues.clear()
            self.changes.set_rows([])
            self.events.set_rows([])
            return
        customer = next((f.value for f in rec.fields if f.key == "customer_name"), "") or "customer not read"
        self.title_label.setText(f"Record {rec.id} · {customer} · {status_label(rec.status)}")
        entered = f"Entered by {rec.entered_by}" if rec.entered_by else "Not yet entered"
        edited = ", ".join(sorted(rec.edited_by or []))
        reason = f"Flagged: {rec.flag_reason}" if rec.flag_reason else "Sampled by site policy"
        self.reason.setText(f"{reason}   ·   {entered}" + (f"; edited by {edited}" if edited else ""))
        issues = rec.issues or []
        self.issues.setText("\n".join(f"• {i.message}" for i in issues) if issues else "No open issues.")
        self.issues.setProperty("kind", "error" if issues else "ok")
        self.issues.style().unpolish(self.issues)
        self.issues.style().polish(self.issues)
        self.changes.set_rows([(f.label, _ocr_text(f), field_text(f), f.changed_by or "")
                               for f in rec.fields if f.changed_by or f.value != f.ocr_value])
        try:
            self.events.set_rows(self.ctx.desk.history(rec.id))
        except DeskError as exc:
            self.message.show_error(exc)

    # --- decisions -------------------------------------------------------------------------
    def _decide(self, fn, done_text: str) -> None:
        if self.record is None:
            return
        rid = self.record.id
        try:
            fn(rid)
        except FourEyesViolation as exc:
            self.message.show_message(
                f"{exc}\n\nThe four-eyes rule: a supervisor may not approve or reject a record they entered "
                "or edited. Leave it for another supervisor, or return it to the clerk.", "warning")
            return
        except DeskError as exc:
            self.message.show_error(exc)
            return
        self.message.hide()
        self.ctx.events.status_message.emit(done_text.format(id=rid))
        self.ctx.events.records_changed.emit()
        self.refresh()

    def approve(self) -> None:
        self._decide(lambda rid: self.ctx.desk.approve(rid, self.ctx.user_name), "Record {id} approved")

    def reject(self) -> None:
        if self.record is None:
            return
        reason = ask_reason(self, "Reject record", "Why is this authorization rejected? (kept in the audit log)")
        if reason:
            self._decide(lambda rid: self.ctx.desk.reject(rid, reason, self.ctx.user_name), "Record {id} rejected")

    def return_to_clerk(self) -> None:
        self._decide(lambda rid: self.ctx.desk.return_to_clerk(rid, self.ctx.user_name),
                     "Record {id} returned to the clerk")

    def open_in_review(self) -> None:
        if self.record is not None:
            self.ctx.events.open_record.emit(self.record.id)


def _ocr_text(f) -> str:
    from dataclasses import replace

    try:
        return field_text(replace(f, value=f.ocr_value))
    except TypeError:
        return str(f.ocr_value)
