"""The page desk: a file's pages as thumbnails, one strip per form capture found and one for the
pages on no form; the clerk drags pages between strips, turns, splits, merges, marks and
assigns them, sees each change listed, and applies them: the forms touched are read again in
the background and the records updated (values a clerk changed keep the clerk's value)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap, QTransform
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QMenu,
                               QProgressBar, QPushButton, QScrollArea, QSplitter, QToolBar, QVBoxLayout, QWidget)

from cisr_desk.domain import layout as lay
from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.imaging import to_qimage
from cisr_desk.ui.page_strips import THUMB_DPI, PageRole, StripModel, StripView, Thumbnails, slots_of
from cisr_desk.ui.widgets import MessageBar, action, heading, icon

PREVIEW_DPI = 60


def render_pages(path: str, dpi: float, pages=None, cancelled=lambda: False, each=None) -> dict[int, np.ndarray]:
    """Grey images of a file's pages (1-based), rendered straight from the stored file."""
    import pymupdf

    from cisr_desk.capture.pages import capped_dpi

    out = {}
    with pymupdf.open(path) as doc:
        for number in pages or range(1, doc.page_count + 1):
            if cancelled():
                break
            page = doc[number - 1]
            pix = page.get_pixmap(dpi=max(1, int(capped_dpi(page, dpi))), colorspace=pymupdf.csGRAY, annots=False)
            image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
            out[number] = image
            if each is not None:
                each(number, image)
    return out


def _blank_icon(size) -> QIcon:
    pix = QPixmap(size)
    pix.fill(Qt.GlobalColor.transparent)
    return QIcon(pix)


def ask_assignment(parent, layout: lay.PageLayout, page: int) -> tuple[str, int] | None:
    """Which revision and page of the form a page is; None when the clerk cancels. Tests replace it."""
    choices = [(t, i) for t in sorted(layout.template_pages, reverse=True) for i in range(layout.template_pages[t])]
    labels = [f"{t}, page {i + 1} of {layout.template_pages[t]}" for t, i in choices]
    text, ok = QInputDialog.getItem(parent, "Assign page", f"File page {page} is:", labels, 0, False)
    return choices[labels.index(text)] if ok and text in labels else None


PREVIEW_HINT = "Choose a page to see it here"


class PageDeskScreen(QWidget):
    title = "Pages"
    applied = Signal(object)  # RearrangeReport (tests wait on it)
    failed = Signal(str)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.base: lay.PageLayout | None = None
        self.layout_: lay.PageLayout | None = None
        self.undo_stack: list[lay.PageLayout] = []
        self.selected_page = 0
        self.thumbs = Thumbnails(self)
        self.strips: list[tuple[int | None, StripView, StripModel]] = []
        self._thumb_token = None
        self._preview_images: dict[int, object] = {}
        self.busy = False
        self.message = MessageBar()

        self.files = QListWidget()
        self.files.setObjectName("fileList")
        self.files.setMinimumWidth(200)
        self.files.setWordWrap(True)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.setSpacing(3)  # one file's lines apart from the next one's
        self.files.currentItemChanged.connect(self._file_chosen)

        self.strip_box = QVBoxLayout()
        self.strip_box.setSpacing(6)
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 0, 4, 0)
        outer.addLayout(self.strip_box)
        outer.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(holder)
        self.file_title = QLabel("Choose a file on the left")
        self.file_title.setObjectName("panelTitle")

        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(240, 300)
        self.preview.setObjectName("pagePreview")
        self.preview.setText(PREVIEW_HINT)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.pending = QLabel()
        self.pending.setWordWrap(True)
        self.pending.setObjectName("hint")
        self.progress = QProgressBar()
        self.progress.hide()

        self._build_actions()
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.act_rotate, self.act_split, self.act_merge, self.act_attach, self.act_not_form,
                    self.act_assign):
            bar.addAction(act)
        self.apply_button = QPushButton(icon("submit"), "Apply")
        self.apply_button.setToolTip(self.act_apply.toolTip())
        self.apply_button.clicked.connect(self.apply)
        self.undo_button = QPushButton(icon("back"), "Undo")
        self.undo_button.setToolTip(self.act_undo.toolTip())
        self.undo_button.clicked.connect(self.undo)

        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.file_title)
        ml.addWidget(bar)
        ml.addWidget(self.scroll, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.preview, 1)
        rl.addWidget(self.details)
        rl.addWidget(self.pending)
        rl.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        rl.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.files)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([220, 560, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addWidget(heading("Pages", "Put a file's pages right: drag pages between forms, turn, split, "
                                          "merge, mark"))
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        ctx.events.records_changed.connect(self._records_changed)
        show = getattr(ctx.events, "show_pages", None)
        if show is not None:
            show.connect(self.open_file)
        self._update_actions()

    def _build_actions(self) -> None:
        def act(text, slot, key, icon_name="", tip=""):
            a = action(self, text, slot, key, icon_name, tip)
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
            return a

        self.act_rotate = act("Rotate", self.rotate, "R", "rotate", "Turn the page 180°")
        self.act_split = act("Split here", self.split, "S", "", "This page and the form's pages after it become a form")
        self.act_merge = act("Merge with next", self.merge_next, "M", "", "The next form's pages join this form")
        self.act_attach = act("Attachment", self.mark_attachment, "A", "", "The page lists more accounts of the form")
        self.act_not_form = act("Not a form", self.mark_not_form, "N", "", "A cover letter, a separator: no form page")
        self.act_assign = act("Assign…", self.assign, "T", "", "Say which revision and page of the form this is")
        self.act_undo = act("Undo", self.undo, "Ctrl+Z", "back", "Undo the last change not applied yet")
        self.act_apply = act("Apply", self.apply, "Ctrl+Return", "submit",
                             "Read the changed forms again and store them")

    # --- files -------------------------------------------------------------------------------
    def activate(self) -> None:
        self.refresh_files()

    def refresh_files(self) -> None:
        current = self.base.file_id if self.base else None
        try:
            rows = self.ctx.desk.source_files()
        except DeskError as exc:
            self.message.show_error(exc)
            return
        self.files.blockSignals(True)
        self.files.clear()
        for row in rows:
            look = f"\n⚠ needs a look: page{'s' if len(row.unrecognized) > 1 else ''} " \
                   f"{', '.join(map(str, row.unrecognized))}" if row.needs_a_look else ""
            item = QListWidgetItem(f"{row.name}\n{row.imported_at.astimezone():%d %b %H:%M} · "
                                   f"{row.page_count} page{'s' if row.page_count != 1 else ''} · "
                                   f"{row.forms} form{'s' if row.forms != 1 else ''}{look}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, row.needs_a_look)
            item.setToolTip(row.name)
            # Every name in one column: a file with nothing to look at keeps the warning's room.
            item.setIcon(icon("warning") if row.needs_a_look else _blank_icon(self.files.iconSize()))
            self.files.addItem(item)
            if row.id == current:
                self.files.setCurrentItem(item)
        self.files.blockSignals(False)

    def open_file(self, file_id: int = 0) -> None:
        """Show a file (0: the most recent one that needs a look)."""
        self.refresh_files()
        for i in range(self.files.count()):
            item = self.files.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) == file_id
            if wanted or (not file_id and item.data(Qt.ItemDataRole.UserRole + 1)):
                self.files.setCurrentItem(item)
                return

    def _file_chosen(self, item, _previous=None) -> None:
        if item is not None:
            self.load(item.data(Qt.ItemDataRole.UserRole))

    def load(self, file_id: int) -> None:
        try:
            base = self.ctx.desk.page_layout(file_id)
        except DeskError as exc:
            self.message.show_error(exc)
            return
        new_file = self.base is None or self.base.file_id != file_id
        dropped = len(self.layout_.changes) if new_file and self.layout_ is not None else 0
        if dropped:
            many = dropped > 1
            self.message.show_message(f"{dropped} change{'s' if many else ''} to {self.layout_.file_name} "
                                      f"{'were' if many else 'was'} not applied and {'are' if many else 'is'} gone",
                                      "warning", 8000)
        self.base, self.layout_, self.undo_stack = base, base, []
        if new_file:
            self.selected_page = 0
            self._preview_images.clear()
            self.thumbs.clear()
            self._render_thumbnails(base)
            # The last file's page is not this file's: the preview and its caption start over.
            self._show_preview(0)
            self.details.setText("")
        self.rebuild()

    def _records_changed(self) -> None:
        if self.isVisible() and not self.undo_stack and not self.busy:
            self.refresh_files()

    # --- thumbnails and preview ----------------------------------------------------------------
    def _render_thumbnails(self, layout: lay.PageLayout) -> None:
        if self._thumb_token is not None:
            self._thumb_token.cancel()
        path, file_id = layout.source_path, layout.file_id

        def work(t):
            render_pages(path, THUMB_DPI, cancelled=t.cancelled, each=lambda n, img: t.progress((file_id, n, img)))

        def arrived(value) -> None:
            fid, number, image = value
            if self.base is not None and fid == self.base.file_id:
                self.thumbs.put(number, to_qimage(image))

        def done(result=None, error=None) -> None:
            if error is not None:
                self.message.show_message(f"The pages of {layout.file_name} cannot be shown: {error}", "warning")

        self._thumb_token = self.ctx.runner.run_task(work, done, progress=arrived)

    def _show_preview(self, page: int) -> None:
        if not page or self.base is None:
            self.preview.setText(PREVIEW_HINT)
            return
        cached = self._preview_images.get(page)
        if cached is not None:
            self._paint_preview(page, cached)
            return
        path, file_id = self.base.source_path, self.base.file_id

        def done(result=None, error=None) -> None:
            if error is not None or self.base is None or self.base.file_id != file_id:
                return
            image = to_qimage(result.get(page))
            self._preview_images[page] = image
            if self.selected_page == page:
                self._paint_preview(page, image)

        self.ctx.runner.run_task(lambda t: render_pages(path, PREVIEW_DPI, [page]), done)

    def _paint_preview(self, page: int, image) -> None:
        if self.layout_ is not None and self.layout_.turned.get(page):
            image = image.transformed(QTransform().rotate(180))
        pix = QPixmap.fromImage(image)
        if not pix.isNull():
            pix = pix.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pix)

    # --- strips ---------------------------------------------------------------------------------
    def rebuild(self) -> None:
        while self.strip_box.count():
            w = self.strip_box.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.strips = []
        layout = self.layout_
        if layout is None:
            return
        self.thumbs.set_turned(layout.turned)
        self.file_title.setText(f"{layout.file_name} · {layout.page_count} page{'s' if layout.page_count != 1 else ''}"
                                + (" · a digital PDF: its pages cannot be rearranged" if layout.digital else ""))
        keys: list[int | None] = [None] + list(range(len(layout.forms)))  # loose pages first: they need a look
        for key in keys:
            if key is None:
                title = f"Not on a form · {len(layout.loose)} page{'s' if len(layout.loose) != 1 else ''}"
                if layout.needs_a_look:
                    title += " · ⚠ some need a look: drag them onto a form, assign or mark them"
            else:
                form = layout.forms[key]
                title = (f"{layout.form_name(key).capitalize()} · {form.status or 'new: made here'} · "
                         f"{form.template_id}"
                         + (f" · {form.label}" if form.label else ""))
            label = QLabel(title)
            label.setObjectName("stripTitle")
            label.setWordWrap(True)  # a long title wraps at 1280x720 rather than widening the strips
            model = StripModel(key, self.thumbs, self)
            model.set_slots(slots_of(layout, key))
            view = StripView()
            view.setModel(model)
            view.setAccessibleName(title)
            model.dropped.connect(self._dropped)
            view.selectionModel().currentChanged.connect(lambda cur, _prev, v=view: self._selected(v, cur))
            view.customContextMenuRequested.connect(lambda pos, v=view: self._menu(v, pos))
            box = QFrame()
            box.setObjectName("card")
            bl = QVBoxLayout(box)
            bl.setContentsMargins(8, 4, 8, 4)
            bl.addWidget(label)
            bl.addWidget(view)
            self.strip_box.addWidget(box)
            self.strips.append((key, view, model))
        if self.selected_page:
            self.select_page(self.selected_page)
        self._update_pending()
        self._update_actions()

    def select_page(self, page: int) -> None:
        for _, view, model in self.strips:
            for row, slot in enumerate(model.slots):
                if slot.page == page:
                    view.setCurrentIndex(model.index(row))
                    view.setFocus()
                    return

    def _selected(self, view: StripView, current) -> None:
        page = current.data(PageRole) if current.isValid() else 0
        if not page:
            return
        for _, other, _m in self.strips:
            if other is not view:
                other.selectionModel().clearSelection()
        self.selected_page = page
        self.details.setText(f"File page {page}: {self.layout_.describe(page)}"
                             + (" · turned 180°" if self.layout_.turned.get(page) else ""))
        self._show_preview(page)
        self._update_actions()

    def _menu(self, view: StripView, pos) -> None:
        menu = self.menu_for(view, pos)
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))

    def menu_for(self, view: StripView, pos) -> QMenu | None:
        """The right-click menu of the page at ``pos`` (which it selects)."""
        index = view.indexAt(pos)
        if index.isValid() and index.data(PageRole):
            view.setCurrentIndex(index)
        if not self.selected_page:
            return None
        menu = QMenu(self)
        for act in (self.act_rotate, self.act_split, self.act_merge, self.act_attach, self.act_not_form,
                    self.act_assign):
            menu.addAction(act)
        move = menu.addMenu("Move to")
        for n in range(len(self.layout_.forms)):
            move.addAction(self.layout_.form_name(n).capitalize(), lambda n=n: self.move_to(n))
        _, n, _ = self.layout_.where(self.selected_page)
        record_id = self.layout_.forms[n].record_id if n is not None else None
        if record_id is not None:
            menu.addSeparator()
            menu.addAction(icon("review"), f"Open record {record_id} in Review",
                           lambda: self.ctx.events.open_record.emit(record_id))
        return menu

    # --- changes ----------------------------------------------------------------------------------
    def _change(self, op, *args) -> bool:
        if self.layout_ is None or self.busy:
            return False
        try:
            new = op(self.layout_, *args)
        except DeskError as exc:
            self.message.show_error(exc)
            return False
        self.message.hide()
        self.undo_stack.append(self.layout_)
        self.layout_ = new
        self.rebuild()
        return True

    def _where(self):
        if not self.selected_page or self.layout_ is None:
            self.message.show_message("Select a page first (click its thumbnail)", "warning", 4000)
            return None
        return self.layout_.where(self.selected_page)

    def rotate(self) -> None:
        if self._where():
            self._change(lay.rotate_page, self.selected_page)

    def split(self) -> None:
        if self._where():
            self._change(lay.split_form, self.selected_page)

    def merge_next(self) -> None:
        where = self._where()
        if not where:
            return
        kind, n, _ = where
        if n is None:
            self.message.show_error("This page is on no form: select a page of the form to merge")
        elif n + 1 >= len(self.layout_.forms):
            self.message.show_error(f"{self.layout_.form_name(n).capitalize()} is the last form of the file: "
                                    "there is no next form to merge")
        else:
            self._change(lay.merge_forms, n, n + 1)

    def mark_attachment(self) -> None:
        where = self._where()
        if not where:
            return
        kind, n, _ = where
        if n is None:  # a loose page lists the accounts of the form before it
            before = [i for i, f in enumerate(self.layout_.forms) if min(f.file_pages) < self.selected_page]
            if not before:
                self.message.show_error("There is no form before this page: drag it onto the form it belongs to")
                return
            n = before[-1]
        self._change(lay.mark_attachment, self.selected_page, n)

    def mark_not_form(self) -> None:
        if self._where():
            self._change(lay.mark_not_form, self.selected_page)

    def assign(self) -> None:
        if not self._where():
            return
        choice = ask_assignment(self, self.layout_, self.selected_page)
        if choice is not None:
            self._change(lay.assign_page, self.selected_page, choice[0], choice[1])

    def move_to(self, form_no: int, index: int | None = None) -> None:
        if self._where():
            self._change(lay.move_page, self.selected_page, form_no, index)

    def _dropped(self, page: int, key, index) -> None:
        # after the drag has finished: the strips are rebuilt, which must not happen inside the drop
        QTimer.singleShot(0, lambda: self.drop_page(page, key, index))

    def drop_page(self, page: int, key: int | None, index: int | None = None) -> None:
        if self.layout_ is None:
            return
        self.selected_page = page
        kind, n, at = self.layout_.where(page)
        if key is None:
            if kind != "loose":
                self._change(lay.mark_not_form, page)
        elif n == key and (index is None or index == at):
            return  # dropped where it was
        else:
            self._change(lay.move_page, page, key, index)

    def undo(self) -> None:
        if self.undo_stack and not self.busy:
            self.layout_ = self.undo_stack.pop()
            self.rebuild()

    def _update_pending(self) -> None:
        changes = self.layout_.changes if self.layout_ else []
        if not changes:
            self.pending.setText("No changes yet. Drag a page onto another form, or select one and use the "
                                 "buttons above (R, S, M, A, N, T).")
            return
        lines = [f"• page {c.page}: {c.old} → {c.new}" for c in changes[-6:]]
        more = f"… and {len(changes) - 6} more\n" if len(changes) > 6 else ""
        self.pending.setText(f"{len(changes)} change{'s' if len(changes) > 1 else ''} not applied yet:\n{more}"
                             + "\n".join(lines))

    def _update_actions(self) -> None:
        editable = self.layout_ is not None and not self.layout_.digital and not self.busy
        for act in (self.act_rotate, self.act_split, self.act_merge, self.act_attach, self.act_not_form,
                    self.act_assign):
            act.setEnabled(editable and bool(self.selected_page))
        has_changes = bool(self.layout_ and self.layout_.changes) and not self.busy
        self.act_apply.setEnabled(has_changes)
        self.apply_button.setEnabled(has_changes)
        self.act_undo.setEnabled(bool(self.undo_stack) and not self.busy)
        self.undo_button.setEnabled(bool(self.undo_stack) and not self.busy)

    # --- applying ---------------------------------------------------------------------------------
    def apply(self) -> None:
        if self.layout_ is None or not self.layout_.changes or self.busy:
            return
        layout, file_id, user = self.layout_, self.layout_.file_id, self.ctx.user_name
        self.busy = True
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading the changed forms again…")
        self.progress.show()
        self._update_actions()

        def progressed(p) -> None:
            self.progress.setRange(0, max(1, p.pages_total))
            self.progress.setValue(p.pages_done)
            self.progress.setFormat(f"Reading page {p.pages_done} of {p.pages_total}…")

        def done(result=None, error=None) -> None:
            self.busy = False
            self.progress.hide()
            if error is not None:
                self.message.show_error(error)  # the changes stay, to be corrected or undone
                self._update_actions()
                self.failed.emit(str(error))
                return
            self.message.show_message(result.message, "info")
            self.ctx.events.records_changed.emit()
            self.load(file_id)
            self.refresh_files()
            self.applied.emit(result)

        self.ctx.runner.run_task(lambda t: self.ctx.desk.rearrange(file_id, layout, user, progress=t.progress,
                                                                   cancel=t.cancelled), done, progress=progressed)
