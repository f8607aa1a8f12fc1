"""Supervisor: flagged and sampled records with their issues and field history (OCR value →
clerk value); approve, reject with a reason, or return to the clerk. The Desk enforces the
four-eyes rule; when it blocks, this screen says why and what to do instead."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import DeskError, FourEyesViolation
from cisr_desk.domain.workflow import blocking_rules, needs_override
from cisr_desk.ui import imaging
from cisr_desk.ui.field_panel import CROP_H, CROP_MIN_W, CropLabel
from cisr_desk.ui.models import ObjectTableModel, RecordQueueModel, field_text, status_label, status_value
from cisr_desk.ui.review import make_queue_table
from cisr_desk.ui.widgets import MessageBar, action, ask_reason, heading, read_only_table

SUPERVISOR_STATUSES = ("flagged", "submitted")


PREVIEW_H = 64  # the chosen change's scan, under the table
NOT_CONFIRMED = "not confirmed"  # a field the clerk left in doubt, in the change table's By column
FOUR_EYES = ("The four-eyes rule: a supervisor may not approve or reject a record they entered or edited. "
             "Leave it for another supervisor, or return it to the clerk.")


class ChangeTable(QTableWidget):
    """Each field the clerk changed, left in doubt or that breaks a rule: the scan beside what
    OCR read and what the clerk made of it, so the supervisor decides on the evidence, not on
    two strings."""

    COLUMNS = ("Field", "Scan", "OCR read", "Clerk's value", "By")

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(CROP_H + 6)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        head = self.horizontalHeader()
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 130), (2, 150), (3, 150), (4, 80)):
            self.setColumnWidth(col, width)
        self.keys: list[str] = []
        self.crops: dict[str, QPixmap] = {}
        # The chosen change's scan, the table's full width: in its cell a service address is a
        # strip a dozen pixels high, too small to judge a digit by.
        self.preview = CropLabel()
        self.preview.setObjectName("fieldCrop")
        self.preview.setMinimumSize(CROP_MIN_W, PREVIEW_H)
        self.preview.setMaximumHeight(PREVIEW_H)
        self.currentCellChanged.connect(lambda row, *_: self._show_preview(row))

    def show_changes(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        """rows: (key, label, OCR text, clerk text, by, why) — crops arrive later by key."""
        self.setRowCount(0)
        self.keys = [r[0] for r in rows]
        self.crops = {}
        self.setRowCount(len(rows))
        for i, (key, label, ocr, clerk, by, why) in enumerate(rows):
            for col, text in ((0, label), (2, ocr), (3, clerk), (4, by)):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{text}\n{why}" if why and col == 0 else text)
                self.setItem(i, col, item)
            crop = CropLabel()
            crop.setObjectName("fieldCrop")
            crop.setText("…")
            # The cell decides the size: a crop's usual minimum width, wider than the Scan column
            # at 1280x720, would paint over the start of the OCR column. The preview is full width.
            crop.setMinimumSize(0, 0)
            self.setCellWidget(i, 1, crop)
        self._show_preview(self.currentRow())

    def set_crop(self, key: str, pixmap: QPixmap) -> None:
        if key in self.keys:
            crop = self.cellWidget(self.keys.index(key), 1)
            if pixmap.isNull():
                crop.setText("no image")
            else:
                crop.set_source(pixmap)
                self.crops[key] = pixmap
            self._show_preview(self.currentRow())

    def _show_preview(self, row: int) -> None:
        """The scan of the chosen change (the first one until one is chosen) in the preview."""
        row = row if 0 <= row < len(self.keys) else 0
        pixmap = self.crops.get(self.keys[row]) if self.keys else None
        if pixmap is None:
            self.preview.set_source(QPixmap())
            self.preview.clear()
            self.preview.setText("" if not self.keys else "…")
        else:
            self.preview.set_source(pixmap)


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
        # The list shares the screen with the record: its columns fit in it at 1280x720, the
        # customer's name taking what is left (no sideways scrolling to see who holds a record).
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(RecordQueueModel.COL_CUSTOMER, QHeaderView.ResizeMode.Stretch)
        for col, width in ((RecordQueueModel.COL_ID, 44), (RecordQueueModel.COL_STATUS, 84),
                           (RecordQueueModel.COL_ISSUES, 56), (RecordQueueModel.COL_HOLDER, 84)):
            self.table.setColumnWidth(col, width)
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
        self.changes = ChangeTable()
        self._crops = None  # the running crop job
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
        t1 = QLabel("Changed fields, fields not confirmed and broken rules: the scan, what OCR read, "
                    "what the clerk made of it")
        t1.setObjectName("panelTitle")
        t1.setWordWrap(True)
        dl.addWidget(t1)
        dl.addWidget(self.changes, 3)
        dl.addWidget(self.changes.preview)
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
        ctx.events.user_changed.connect(lambda _user: self.message.hide())  # a warning was for the last user

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
        for btn in (self.btn_return, self.btn_open):
            btn.setEnabled(rec is not None)
        self._offer_decisions(rec)
        if rec is None:
            self.title_label.setText("Nothing waiting for a supervisor")
            self.reason.clear()
            self.issues.clear()
            self.changes.show_changes([])
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
        shown = _fields_to_check(rec)
        self.changes.show_changes(shown)
        self._load_crops(rec, [row[0] for row in shown])
        try:
            self.events.set_rows(self.ctx.desk.history(rec.id))
        except DeskError as exc:
            self.message.show_error(exc)

    def _load_crops(self, rec, keys: list[str]) -> None:
        if self._crops is not None:
            self._crops.cancel()
        if not keys:
            return

        def work(ctx):
            for key in keys:
                if ctx.cancelled():
                    return
                try:
                    ctx.progress((rec.id, key, imaging.to_qimage(imaging.crop_array(rec, key))))
                except Exception:  # noqa: BLE001 - one unreadable crop must not stop the others
                    ctx.progress((rec.id, key, imaging.to_qimage(None)))

        def arrived(value):
            rid, key, image = value
            if self.record is not None and self.record.id == rid:
                self.changes.set_crop(key, QPixmap.fromImage(image))

        self._crops = self.ctx.runner.run_task(work, lambda result=None, error=None: None, progress=arrived)

    # --- decisions -------------------------------------------------------------------------
    def _offer_decisions(self, rec) -> None:
        """Approve and Reject only where this user may decide: on a record they entered or
        edited the four-eyes rule refuses both, so the buttons (and their shortcuts) say so
        instead of inviting a decision, or asking for an override reason, that cannot count."""
        for act, btn, doing in ((self.act_approve, self.btn_approve, "approve"),
                                (self.act_reject, self.btn_reject, "reject")):
            refusal = four_eyes_refusal(rec, self.ctx.user_name, self.ctx.role, doing) if rec is not None else ""
            act.setEnabled(rec is not None and not refusal)
            btn.setEnabled(rec is not None and not refusal)
            btn.setToolTip(f"Four eyes: {refusal}. You may return it to the clerk." if refusal else act.toolTip())

    def _refused_by_four_eyes(self, doing: str) -> bool:
        """Say so, before any question, when the four-eyes rule refuses this user the decision."""
        refusal = four_eyes_refusal(self.record, self.ctx.user_name, self.ctx.role, doing)
        if refusal:
            self.message.show_message(f"{refusal}.\n\n{FOUR_EYES}", "warning")
        return bool(refusal)

    def _decide(self, fn, done_text: str) -> None:
        if self.record is None:
            return
        rid = self.record.id
        try:
            fn(rid)
        except FourEyesViolation as exc:
            self.message.show_message(f"{exc}\n\n{FOUR_EYES}", "warning")
            return
        except DeskError as exc:
            self.message.show_error(exc)
            return
        self.message.hide()
        self.ctx.events.status_message.emit(done_text.format(id=rid))
        self.ctx.events.records_changed.emit()
        self.refresh()

    def approve(self) -> None:
        if self.record is None or self._refused_by_four_eyes("approve"):
            return
        desk, by = self.ctx.desk, self.ctx.user_name
        failing = [i for i in self.record.issues if needs_override(i.code)]
        blocking = blocking_rules(i.code for i in failing)
        if blocking:
            self.message.show_message(f"This record cannot be approved: {'; '.join(blocking)}. "
                                      "Reject it, or return it to the clerk if the scan was read wrongly.", "warning")
            return
        if not failing:
            self._decide(lambda rid: desk.approve(rid, by), "Record {id} approved")
            return
        rules = "\n".join(f"• {i.message}" for i in failing)
        answer = ask_reason(self, "Approve with an override",
                            f"This record still fails {len(failing)} rule{'s' if len(failing) != 1 else ''}:\n{rules}\n\n"
                            "Approve it anyway only for a reason you can stand behind; it is audited and listed "
                            "in the export's Manifest.", desk.reason_codes("override"))
        if answer:
            override, note = answer
            self._decide(lambda rid: desk.approve(rid, by, override=override, note=note),
                         "Record {id} approved with an override")

    def reject(self) -> None:
        if self.record is None or self._refused_by_four_eyes("reject"):
            return
        answer = ask_reason(self, "Reject record", "Why is this authorization rejected? (kept in the audit log)",
                            self.ctx.desk.reason_codes("reject"))
        if answer:
            reason, note = answer
            self._decide(lambda rid: self.ctx.desk.reject(rid, reason, self.ctx.user_name, note=note),
                         "Record {id} rejected")

    def return_to_clerk(self) -> None:
        self._decide(lambda rid: self.ctx.desk.return_to_clerk(rid, self.ctx.user_name),
                     "Record {id} returned to the clerk")

    def open_in_review(self) -> None:
        if self.record is not None:
            self.ctx.events.open_record.emit(self.record.id)


def four_eyes_refusal(rec, user: str, role: str, doing: str) -> str:
    """Why the four-eyes rule refuses ``user`` to ``doing`` ("approve" or "reject") ``rec``, ""
    when it does not: the workflow's rule, asked on the facts the record shows (who entered and
    edited it). Any other refusal is left for the Desk to explain when the supervisor acts."""
    try:
        facts = wf.RecordFacts(rec.id, wf.Status(status_value(rec.status)), rec.entered_by or "",
                               frozenset(rec.edited_by or ()))
        return wf.four_eyes_refusal(facts, wf.Actor(user, wf.parse_role(role)), doing)
    except (DeskError, ValueError):  # a status or role the workflow does not know: the Desk will say
        return ""


def _fields_to_check(rec) -> list[tuple[str, str, str, str, str, str]]:
    """The change table's rows: each field the clerk changed, left in doubt (submitted with it
    not confirmed: the reason a record is flagged "1 field not confirmed") or that breaks a rule,
    as (key, label, OCR text, clerk text, by, why)."""
    broken = {}
    for i in rec.issues or []:
        if i.field:
            broken.setdefault(i.field, []).append(i.message)
    rows = []
    for f in rec.fields:
        doubtful = bool(f.review)
        if not (f.changed_by or f.value != f.ocr_value or f.key in broken or doubtful):
            continue
        by = ", ".join(x for x in (f.changed_by or "", NOT_CONFIRMED if doubtful else "") if x)
        why = list(broken.get(f.key, []))
        if doubtful:  # why capture doubted it, which the clerk neither corrected nor accepted
            why.append(f"{NOT_CONFIRMED}: {'; '.join(f.reasons)}" if f.reasons else NOT_CONFIRMED)
        rows.append((f.key, f.label, _ocr_text(f), field_text(f), by, "; ".join(why)))
    return rows


def _ocr_text(f) -> str:
    from dataclasses import replace

    try:
        return field_text(replace(f, value=f.ocr_value))
    except TypeError:
        return str(f.ocr_value)
