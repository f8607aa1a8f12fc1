"""One record under review: the page image beside its fields, issues on top, actions below.

Edits go straight to the Desk (short calls); page images and crops are rendered in the
background and arrive as they are ready, so the clerk can type while they load."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCompleter, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QListWidget, QListWidgetItem, QPushButton, QSplitter, QVBoxLayout, QWidget)

from cisr_desk.domain.errors import DeskError, HeldByOther, StaleRecord
from cisr_desk.domain.fields import FieldType
from cisr_desk.ui import imaging
from cisr_desk.ui.field_panel import CropLabel, FieldPanel
from cisr_desk.ui.models import status_label, status_value
from cisr_desk.ui.page_view import PageView
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import (ElidedLabel, MessageBar, action, ask_again, ask_reason, confirm, set_line_text,
                                  tool_button)

DRP_KEYS = ("drp1_id", "drp2_id", "drp1_name", "drp2_name")
InsertRole = Qt.ItemDataRole.UserRole + 1


RECEIVED_STAMP = "\0received"  # the stamp's crop travels with the field crops under this key
RECEIVED = "received"  # the received box's key among the boxes holding a value not stored


class IssueList(QListWidget):
    """The form's issues, each wrapped to the list's width, the list as tall as its first few
    need: at a fixed 20 px a row a long issue was cut off, and the horizontal scrollbar it
    brought covered the last row."""

    ROWS, LINES = 4, 6  # as tall as four issues, at most six lines of text; more scroll

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def fit_height(self) -> None:
        """As tall as the first ROWS issues at the present width (wrapping depends on it)."""
        shown = min(self.count(), self.ROWS)
        needed = self.rectForIndex(self.indexFromItem(self.item(shown - 1))).bottom() + 1 if shown else 0
        most = self.fontMetrics().lineSpacing() * self.LINES
        self.setFixedHeight(min(needed, most) + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_height()


class RecordEditor(QWidget):
    back_requested = Signal()
    move_requested = Signal(int)  # -1 previous record, +1 next
    record_done = Signal(int)  # submitted or flagged: the queue moves on

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = None
        self.page_index = 0
        self._current_key = ""
        self._token = None
        self._page_cache: dict[tuple[int, int], object] = {}
        self._policy = None
        self._live_key, self._live_text = "", ""
        self._invalid: dict[str, str] = {}  # key (or RECEIVED) -> why the value typed in its box cannot stand
        self.read_only = False  # someone else holds the record, or it is not ours to change
        self._release_at_version: int | None = None  # claimed on open: released on leaving if unchanged
        self._live_timer = QTimer(self, singleShot=True, interval=200)
        self._live_timer.timeout.connect(self._live_check)
        self._build()

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = ElidedLabel()  # a long customer or file name must not widen the window
        self.title.setObjectName("recordTitle")
        self.subtitle = ElidedLabel()
        self.subtitle.setObjectName("screenSub")
        self.page_buttons = QButtonGroup(self)
        self.page_buttons.idClicked.connect(self.show_page)
        self.page_bar = QHBoxLayout()
        self.page_bar.setSpacing(2)
        self.act_back = action(self, "Queue", self.back_requested.emit, "Esc", "back", "Back to the queue")
        self.act_prev = action(self, "Previous", lambda: self.move_requested.emit(-1), QKeySequence.StandardKey.MoveToPreviousPage, "up", "Previous record")
        self.act_next = action(self, "Next", lambda: self.move_requested.emit(1), QKeySequence.StandardKey.MoveToNextPage, "down", "Next record")
        self.act_flag = action(self, "Flag to supervisor…", self.flag, "Ctrl+F", "flag")
        self.act_submit = action(self, "Submit", self.submit, "Ctrl+Return", "submit", "Submit the record")
        self.act_zoom_in = action(self, "Zoom in", lambda: self.page_view.zoom(1.25), "Ctrl++", "zoom-in")
        self.act_zoom_out = action(self, "Zoom out", lambda: self.page_view.zoom(0.8), "Ctrl+-", "zoom-out")
        self.act_fit = action(self, "Fit width", lambda: self.page_view.fit_width(), "Ctrl+0", "fit")
        for act in (self.act_back, self.act_prev, self.act_next, self.act_flag, self.act_submit,
                    self.act_zoom_in, self.act_zoom_out, self.act_fit):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)

        top = QHBoxLayout()
        top.addWidget(tool_button(self.act_back))
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        top.addLayout(titles, 1)
        top.addLayout(self.page_bar)
        top.addSpacing(12)
        for act in (self.act_zoom_out, self.act_zoom_in, self.act_fit):
            top.addWidget(tool_button(act, text_beside=False))

        self.message = MessageBar()
        self.page_view = PageView()
        self.page_view.zone_clicked.connect(self._zone_clicked)
        self.issues = IssueList()
        self.issues.setObjectName("issueList")
        self.issues.itemActivated.connect(self._issue_activated)
        self.issues.itemClicked.connect(self._issue_activated)
        self.fields = FieldPanel()
        self.fields.commit_requested.connect(self.commit_field)
        self.fields.back_requested.connect(self.back_to_previous_doubt)
        self.fields.field_focused.connect(self._field_focused)
        self.fields.edited.connect(self._edited)
        self.fields.left.connect(self.save_typed)
        # The date of receipt: read off the mail room's stamp where capture could, typed where not.
        self.received = QLineEdit()
        self.received.setObjectName("fieldEditor")
        self.received.setPlaceholderText("MM/DD/YYYY")
        self.received.setMaximumWidth(self.received.fontMetrics().averageCharWidth() * 12 + 16)
        self.received.setToolTip("The date on the RECEIVED stamp; Enter saves it and the date rules run again")
        self.received.returnPressed.connect(self._received_entered)
        self.received.installEventFilter(self)  # Tab from it goes on to the fields (eventFilter)
        self.received.textEdited.connect(lambda _text: self._typed(RECEIVED))
        self.received_crop = CropLabel()
        self.received_crop.setObjectName("fieldCrop")
        self.received_crop.setToolTip("The RECEIVED stamp as scanned")
        self.received_note = QLabel()
        self.received_note.setObjectName("fieldReason")
        received_row = QHBoxLayout()
        received_label = QLabel("Received")
        received_label.setObjectName("fieldLabel")
        received_row.addWidget(received_label)
        received_row.addWidget(self.received_crop, 1)
        received_row.addWidget(self.received)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(4)
        rl.addLayout(received_row)
        rl.addWidget(self.received_note)
        self.issues_title = QLabel()
        self.issues_title.setObjectName("panelTitle")
        rl.addWidget(self.issues_title)
        rl.addWidget(self.issues)
        rl.addWidget(self.fields, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.page_view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([540, 760])  # the fields need the width: crop beside editor

        self.hint = ElidedLabel()
        self.hint.setObjectName("hint")
        bottom = QHBoxLayout()
        bottom.addWidget(tool_button(self.act_prev))
        bottom.addWidget(tool_button(self.act_next))
        bottom.addWidget(self.hint, 1)
        self.flag_button = QPushButton(self.act_flag.icon(), "Flag…")
        self.flag_button.setToolTip(self.act_flag.toolTip())
        self.flag_button.clicked.connect(self.flag)
        self.submit_button = QPushButton(self.act_submit.icon(), "Submit")
        self.submit_button.setObjectName("primary")
        self.submit_button.setToolTip(self.act_submit.toolTip())
        self.submit_button.clicked.connect(self.submit)
        bottom.addWidget(self.flag_button)
        bottom.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

    # --- opening ---------------------------------------------------------------------------
    def open(self, record_id: int) -> None:
        if self._token is not None:
            self._token.cancel()
        self.leave()
        self.message.hide()
        try:
            self.record = self.ctx.desk.get_record(record_id)
        except DeskError as exc:
            self.record = None
            self.message.show_error(exc)
            return
        self._claim()
        self._policy = None
        self._invalid.clear()
        self._show_record(rebuild=True)
        self._load_crops()
        self.show_page(0)
        first = self.fields.next_doubtful(None) or (self.fields.order[0] if self.fields.order else None)
        if first:
            QTimer.singleShot(0, lambda k=first: self.fields.focus_field(k))

    def _claim(self) -> None:
        """Opening a record claims it, so no other seat changes it meanwhile; held by someone
        else (or not this user's to change), it opens read-only."""
        rec, user = self.record, self.ctx.user_name
        self.read_only, self._release_at_version = False, None
        try:
            claimed = self.ctx.desk.claim(rec.id, user)
        except HeldByOther as exc:
            self.read_only = True
            self.message.show_message(f"{exc}. Opened read-only.", "warning")
            return
        except DeskError:  # approved, exported, or another role's: look, do not touch
            self.read_only = True
            return
        if rec.holder != user:  # taken now (not already ours): given back on leaving if left unchanged
            self._release_at_version = claimed.version
        self.record = claimed

    def discard(self) -> None:
        """Put the record away without saving or releasing anything: its user may no longer
        change anything (disabled), so nothing of theirs can be stored now."""
        if self._token is not None:
            self._token.cancel()
        self.record, self._release_at_version = None, None

    def leave(self) -> None:
        """The clerk moves on: a record claimed on open and left unchanged is free for others again."""
        rec, version = self.record, self._release_at_version
        self._release_at_version = None
        if rec is None or version is None:
            return
        try:
            if self.ctx.desk.get_record(rec.id).version == version:
                self.ctx.desk.release(rec.id, self.ctx.user_name)
                self.ctx.events.records_changed.emit()
        except DeskError:
            pass  # it moved on meanwhile (lapsed and taken, released by a supervisor)

    def _stale(self, exc: DeskError) -> None:
        """Another seat changed the record: say so and show it as it is now."""
        self.message.show_error(exc)
        try:
            self.record = self.ctx.desk.get_record(self.record.id)
        except DeskError:
            return
        self._invalid.clear()  # the boxes show the record as it is now
        self._show_record()

    def _show_record(self, rebuild: bool = False) -> None:
        rec = self.record
        values = {f.key: f.value for f in rec.fields}
        customer = values.get("customer_name") or "customer not read"
        self.title.setText(f"Record {rec.id} · {customer}")
        source = getattr(rec, "source_name", "") or str(rec.source_path).replace("\\", "/").rsplit("/", 1)[-1]
        pages = ", ".join(str(p) for p in rec.pages or [])
        holder = getattr(rec, "holder", "")
        held = f"  ·  held by {holder}" if holder and holder != self.ctx.user_name else ""
        self.subtitle.setText(f"{status_label(rec.status)}{held}  ·  {source}, page(s) {pages}  ·  {rec.template}"
                              + ("  ·  read-only" if self.read_only else ""))
        if rebuild:
            self.fields.show_fields(rec.fields, rec.issues)
            self._install_completers()
            self._build_page_buttons()
        else:
            self.fields.update_fields(rec.fields, rec.issues)
        self._show_received()
        self._show_issues()
        self.page_view.set_doubtful(set(self.fields.flagged_keys()))
        # Whether an action is allowed is the workflow's call; the buttons only hide what is done.
        finished = status_value(rec.status) in ("approved", "exported") or self.read_only
        self.submit_button.setEnabled(not finished)
        self.flag_button.setEnabled(not finished)
        self.act_submit.setEnabled(not finished)
        self.act_flag.setEnabled(not finished)
        for row in self.fields.rows.values():
            if hasattr(row.editor, "setReadOnly"):
                row.editor.setReadOnly(self.read_only)
            else:
                row.editor.setEnabled(not self.read_only)
        self._update_hint()

    def _show_received(self) -> None:
        day = self.record.received
        set_line_text(self.received, day.strftime("%m/%d/%Y") if day else "")
        state = "ok" if day else "doubt"
        for w in (self.received, self.received_crop):
            w.setProperty("state", state)
            w.style().unpolish(w)
            w.style().polish(w)
        self.received_note.setText("" if day else "The stamp could not be read: type the date it shows")
        self.received_note.setVisible(not day)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """Tab in the Received box goes on to the record's first field: by creation order it went
        to the page's buttons and Previous/Next, past every field (the panel's tab order is its
        own; QWidget.setTabOrder over it deactivated the window on Qt 6.12)."""
        if obj is self.received and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and self.fields.order:
            if self.save_received():
                self.fields.focus_field(self.fields.order[0])
            return True
        return super().eventFilter(obj, event)

    def _focus_what_is_left(self) -> None:
        """No doubt left: the Received date next when it is still empty (the record is not done
        without it), else the Submit button, so Enter goes on through what there is to do."""
        if self.record is not None and self.record.received is None and not self.read_only:
            self.received.setFocus()
        else:
            self.submit_button.setFocus()

    def _received_entered(self) -> None:
        """Enter in the received box: the date saved, on to the first field still in doubt (it
        stayed in the box)."""
        if not self.save_received() or self.record is None or self.record.received is None:
            return
        nxt = self.fields.next_doubtful(None)
        if nxt:
            self.fields.focus_field(nxt)
        else:
            self.submit_button.setFocus()

    def save_received(self) -> bool:
        """Enter in the received box: store the date (the date rules run again against it)."""
        if self.record is None:
            return True
        shown = self.record.received.strftime("%m/%d/%Y") if self.record.received else ""
        if self.received.text().strip() == shown:
            return True
        try:
            self.record = self.ctx.desk.set_field(self.record.id, RECEIVED, self.received.text(), self.ctx.user_name)
        except DeskError as exc:
            self._refused(RECEIVED, exc)
            return False
        self._invalid.pop(RECEIVED, None)
        self.message.hide()
        self._show_record()
        self.ctx.events.records_changed.emit()
        return True

    def _show_issues(self) -> None:
        self.issues.clear()
        for issue in self.record.issues or []:
            item = QListWidgetItem(("• " if issue.field else "▲ ") + issue.message)
            item.setData(Qt.ItemDataRole.UserRole, issue.field)
            self.issues.addItem(item)
        n = len(self.record.issues or [])
        self.issues.fit_height()
        self.issues_title.setText(f"{n} issue{'s' if n != 1 else ''} on this form" if n else "No issues on this form")
        self.issues.setVisible(bool(n))

    def _update_hint(self) -> None:
        """The footer says what is left to do, first things first; "all checked" only when
        nothing is (a value refused in its box, or no received date, left Ctrl+Enter doing nothing
        under a footer that said it submits)."""
        left = len(self.fields.doubtful_keys())
        broken = len(self.record.issues or []) if self.record else 0
        unsaved = self._unsaved_note()
        if unsaved:
            text = unsaved
        elif left:
            text = f"{left} field{'s' if left != 1 else ''} in doubt — Enter accepts and moves on"
        elif self.record is not None and self.record.received is None:
            text = "Type the Received date from the stamp"
        elif broken:
            text = f"All readings checked; {broken} issue{'s' if broken != 1 else ''} left — correct, or flag (Ctrl+F)"
        else:
            text = "All fields checked — Ctrl+Enter submits"
        self.hint.setText(text)
        self.hint.setProperty("state", "ok" if text.startswith("All fields checked") else "doubt")
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)

    def _unsaved_keys(self) -> list[str]:
        """Boxes holding something other than what is stored, top first (the received box is)."""
        if self.record is None or self.read_only:
            return []
        stored = self.record.received.strftime("%m/%d/%Y") if self.record.received else ""
        received = [RECEIVED] if self.received.text().strip() != stored else []
        return received + self.fields.changed_keys()

    def _unsaved_note(self) -> str:
        """The footer's word on a value typed and not stored: why it cannot stand, or that Enter saves it."""
        keys = self._unsaved_keys()
        invalid = [k for k in keys if k in self._invalid]
        if invalid:
            return f"{self._invalid[invalid[0]]} — correct it; Enter saves"
        if keys:
            label = "Received" if keys[0] == RECEIVED else self.fields.rows[keys[0]].label.text()
            return f"{label}: changed, not saved yet — Enter saves it"
        return ""

    def _refused(self, key: str, exc: DeskError) -> None:
        """The desk would not store what was typed: it stays in its box, and the footer names it
        until it is corrected."""
        self._invalid[key] = error_text(exc)
        self.message.show_error(exc)
        self._update_hint()

    def _typed(self, key: str) -> None:
        """A box's value changes under the clerk's hands: what was said about the old one no longer holds."""
        self._invalid.pop(key, None)
        self._update_hint()

    def _build_page_buttons(self) -> None:
        for btn in self.page_buttons.buttons():
            self.page_buttons.removeButton(btn)
            btn.deleteLater()
        template = imaging.template_of(self.record)
        for i in range(len(template.pages) if template else 1):
            btn = QPushButton(f"Page {i + 1}")
            btn.setCheckable(True)
            btn.setObjectName("pageButton")
            self.page_buttons.addButton(btn, i)
            self.page_bar.addWidget(btn)

    # --- page image and crops (background) -------------------------------------------------
    def show_page(self, index: int) -> None:
        if self.record is None:
            return
        self.page_index = index
        btn = self.page_buttons.button(index)
        if btn:
            btn.setChecked(True)
        rec = self.record
        key = (rec.id, index)
        if key in self._page_cache:
            self._paint_page(index, self._page_cache[key])
            return
        self.page_view.show_page(imaging.to_qimage(None), {}, set(), imaging.PAGE_DPI, "Loading page…")

        def render(ctx):
            return imaging.to_qimage(imaging.page_array(rec, index))

        def done(result=None, error=None):
            if error is not None:
                self.page_view.show_page(imaging.to_qimage(None), {}, set(), imaging.PAGE_DPI,
                                         f"The page image could not be shown: {error}")
                return
            self._page_cache[key] = result
            if self.record is not None and self.record.id == rec.id and self.page_index == index:
                self._paint_page(index, result)

        self.ctx.runner.run_task(render, done)

    def _paint_page(self, index: int, image) -> None:
        template = imaging.template_of(self.record)
        zones = {f.key: f.rect for f in template.fields_on(index)} if template else {}
        self.page_view.show_page(image, zones, set(self.fields.flagged_keys()), imaging.PAGE_DPI)
        if self._current_key:
            self.page_view.select(self._current_key)

    def _load_crops(self) -> None:
        rec = self.record
        keys = list(self.fields.order)

        def work(ctx):
            for key in [RECEIVED_STAMP] + keys:
                if ctx.cancelled():
                    return
                try:
                    array = imaging.stamp_array(rec) if key == RECEIVED_STAMP else imaging.crop_array(rec, key)
                    ctx.progress((rec.id, key, imaging.to_qimage(array)))
                except Exception:  # noqa: BLE001 - one unreadable crop must not stop the others
                    ctx.progress((rec.id, key, imaging.to_qimage(None)))

        def arrived(value):
            rid, key, image = value
            if self.record is not None and self.record.id == rid:
                if key == RECEIVED_STAMP:
                    self.received_crop.set_source(QPixmap.fromImage(image))
                else:
                    self.fields.set_crop(key, QPixmap.fromImage(image))

        self._token = self.ctx.runner.run_task(work, lambda result=None, error=None: None, progress=arrived)

    # --- fields ----------------------------------------------------------------------------
    def _field_focused(self, key: str) -> None:
        self._current_key = key
        template = imaging.template_of(self.record) if self.record else None
        if template and template.has(key) and template.field(key).page != self.page_index:
            self.show_page(template.field(key).page)
        self.page_view.select(key)

    def _zone_clicked(self, key: str) -> None:
        self.fields.focus_field(key)

    def _issue_activated(self, item) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if key:
            self.fields.focus_field(key)

    def back_to_previous_doubt(self, key: str) -> None:
        """Shift+Enter: keep what was typed, then go back to the doubtful field before this one."""
        if not self.save_typed(key):
            return
        prev = self.fields.previous_doubtful(key)
        if prev is not None:
            self.fields.focus_field(prev)

    def keyed_twice(self, key: str, value) -> bool:
        """Where the site keys account numbers twice: the clerk types it again, blind; the two
        entries must agree (digits only) before the value counts."""
        row = self.fields.rows[key]
        if row.type is not FieldType.ACCOUNT or not self.site_policy().double_key_accounts:
            return True
        again = ask_again(self, row.label.text())
        if again is None:
            return False
        if _digits(again) != _digits(value):
            self.message.show_message(f"{row.label.text()}: the two entries differ. Check the scan and type it "
                                      "again.", "warning")
            self.fields.focus_field(key)
            return False
        return True

    def site_policy(self):
        """The site policy as of this record's opening (read once per record)."""
        if self._policy is None:
            try:
                self._policy = self.ctx.desk.policy()
            except DeskError:
                from cisr_desk.domain.policy import SitePolicy

                return SitePolicy()
        return self._policy

    def commit_field(self, key: str) -> None:
        """Enter: save a typed correction, or accept the reading as it is; then the next doubt."""
        if self.record is None or self.read_only:
            return
        row, field = self.fields.rows[key], self.fields.field(key)
        desk, by, version = self.ctx.desk, self.ctx.user_name, self.record.version
        if (row.changed(field.value) or field.review) and not self.keyed_twice(key, row.value()):
            return
        try:
            if row.changed(field.value):
                self.record = desk.set_field(self.record.id, key, row.value(), by, expected_version=version)
            elif field.review:
                self.record = desk.accept_field(self.record.id, key, by, expected_version=version)
        except StaleRecord as exc:
            self._stale(exc)
            return
        except DeskError as exc:
            self._refused(key, exc)
            return
        self._invalid.pop(key, None)
        self.message.hide()
        self._show_record()
        self.ctx.events.records_changed.emit()
        nxt = self.fields.next_doubtful(key)
        if nxt:
            self.fields.focus_field(nxt)
        else:
            self._focus_what_is_left()

    def save_typed(self, key: str) -> bool:
        """Tab or a click away keeps what was typed (without accepting an untouched doubt)."""
        if self.record is None or self.read_only or key not in self.fields.rows:
            return True
        row, field = self.fields.rows[key], self.fields.field(key)
        if not row.changed(field.value):
            return True
        if not self.keyed_twice(key, row.value()):
            return False
        try:
            self.record = self.ctx.desk.set_field(self.record.id, key, row.value(), self.ctx.user_name,
                                                  expected_version=self.record.version)
        except StaleRecord as exc:
            self._stale(exc)
            return False
        except DeskError as exc:
            self._refused(key, exc)
            return False
        self._invalid.pop(key, None)
        self._show_record()
        self.ctx.events.records_changed.emit()
        return True

    def flush_edits(self) -> bool:
        """Save every typed change before the record is left, submitted or flagged."""
        if self.record is None or self.read_only:
            return True
        return all([self.save_received()] + [self.save_typed(key) for key in self.fields.changed_keys()])

    def _edited(self, key: str, text: str) -> None:
        self._live_key, self._live_text = key, text
        self._live_timer.start()
        self._typed(key)
        if key in DRP_KEYS:
            self._complete(key, text)

    def _live_check(self) -> None:
        """Re-run the form's rules on what is being typed, before it is saved."""
        from cisr_desk.domain.rules import validate

        rec, key = self.record, self._live_key
        template = imaging.template_of(rec) if rec else None
        if template is None or key not in self.fields.rows:
            return
        values = {f.key: f.value for f in rec.fields}
        values[key] = self._live_text
        try:
            issues = validate(template, values, registry=self._registry(), received=None, policy=self.site_policy())
        except Exception:  # noqa: BLE001 - the live check is a hint; saving runs the real check
            return
        found = [i.message for i in issues if i.field == key]
        self.fields.rows[key].set_reasons(found, live=True)
        if found and self.fields.rows[key].changed(self.fields.field(key).value):
            self._invalid[key] = found[0]  # rule messages name their field
            self._update_hint()

    # --- DRP completion --------------------------------------------------------------------
    def _registry(self):
        try:
            return self.ctx.desk.registry()
        except DeskError:
            return None

    def _install_completers(self) -> None:
        self._completion_models: dict[str, QStandardItemModel] = {}
        for key in DRP_KEYS:
            model = QStandardItemModel(self)
            completer = QCompleter(model, self)
            completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            completer.setCompletionRole(InsertRole)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self._completion_models[key] = model
            self.fields.set_completer(key, completer)

    def _complete(self, key: str, text: str) -> None:
        registry = self._registry()
        model = self._completion_models.get(key)
        if registry is None or model is None or len(text.strip()) < 2:
            return
        found = registry.complete(text, 8)
        model.clear()
        for i, (drp, score) in enumerate(found):
            margin = score - found[1][1] if i == 0 and len(found) > 1 else None
            note = f"{score:.0f}%" + (f", {margin:+.0f} over next" if margin is not None else "")
            state = "" if drp.is_active else f" — {drp.status.lower()}"
            item = QStandardItem(f"{drp.registration_no}  {drp.display_name}{state}   ({note})")
            item.setData(drp.registration_no if key.endswith("_id") else drp.legal_name, InsertRole)
            model.appendRow(item)
        editor = self.fields.rows[key].editor
        if found and editor.completer() is not None:
            editor.completer().complete()

    # --- actions ---------------------------------------------------------------------------
    def submit(self) -> None:
        if self.record is None or self.read_only or not self.flush_edits():
            return
        doubts = len(self.fields.doubtful_keys())
        if doubts and not confirm(self, "Submit with fields in doubt?",
                                  f"{doubts} field{'s are' if doubts != 1 else ' is'} still in doubt and not confirmed. "
                                  "Submitted like this, the record goes to a supervisor.\n\n"
                                  "Cancel (Esc) goes back to the record, where Enter accepts a field as read.",
                                  "Submit to a supervisor"):
            return
        self._send_on(lambda record: self.ctx.desk.submit(record.id, self.ctx.user_name,
                                                          expected_version=record.version),
                      "submitted")

    def flag(self) -> None:
        if self.record is None or self.read_only or not self.flush_edits():
            return
        answer = ask_reason(self, "Flag to a supervisor", "Why does a supervisor need to look at this record?",
                            self.ctx.desk.reason_codes("flag"))
        if not answer:
            return
        reason, note = answer
        self._send_on(lambda record: self.ctx.desk.flag(record.id, reason, self.ctx.user_name, note=note,
                                                        expected_version=record.version),
                      "flagged to a supervisor")

    def _send_on(self, action, done: str) -> None:
        """Pass the record on with ``action`` (submit, flag) and move to the next one; a record
        changed meanwhile at another seat, or refused, stays open with the reason shown."""
        try:
            action(self.record)
        except StaleRecord as exc:
            self._stale(exc)
            return
        except DeskError as exc:
            self.message.show_error(exc)
            return
        record_id = self.record.id
        self.ctx.events.records_changed.emit()
        self.ctx.events.status_message.emit(f"Record {record_id} {done}")
        self.record_done.emit(record_id)


def _digits(value) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())
