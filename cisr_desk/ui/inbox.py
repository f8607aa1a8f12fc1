"""Inbox: drop files or folders (or pick them), optionally watch a folder; each import runs in
the background as a batch with its own progress bar, cancel button and per-file results."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from cisr_desk.domain import scanfiles
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import MessageBar, heading, icon

HISTORY_RUNS = 20  # import runs shown from before this window opened
STATUS_TEXT = {"imported": "Imported", "duplicate": "Already imported", "error": "Error",
               "cancelled": "Cancelled", "waiting": "Waiting", "reading": "Reading…"}


def expand_paths(paths) -> list[Path]:
    """Files as given (each gets a line, whatever its type), folders as the scans inside them."""
    files, missing = scanfiles.expand(paths)
    return files + missing


class BatchCard(QFrame):
    """One import batch: title, progress, cancel, and a row per file with its outcome."""

    def __init__(self, paths: list[Path], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.paths = paths
        self.token = None
        self.title = QLabel(f"Import · {len(paths)} file{'s' if len(paths) != 1 else ''}")
        self.title.setObjectName("panelTitle")
        self.progress = QProgressBar()
        self.progress.setRange(0, max(1, len(paths)) * 100)
        self.progress.setFormat("Waiting…")
        self.cancel = QPushButton(icon("cancel"), "Cancel")
        self.cancel.setToolTip("Stop after the current page; files already read stay imported")
        self.cancel.clicked.connect(self._cancel)
        self.summary = QLabel()
        self.summary.setObjectName("screenSub")
        self.table = QTableWidget(len(paths), 5)
        self.table.setHorizontalHeaderLabels(["File", "Result", "Forms", "Pages on no form", "Details"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 60)
        self.table.setColumnWidth(3, 160)
        for i, p in enumerate(paths):
            self._set(i, 0, p.name, str(p))
            self._set(i, 1, STATUS_TEXT["waiting"])
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setFixedHeight(min(8, len(paths)) * 26 + self.table.horizontalHeader().sizeHint().height() + 6)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.progress, 1)
        head.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)

    def _set(self, row: int, col: int, text: str, tip: str = "", kind: str = "") -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(tip or text)
        if kind:
            item.setForeground({"error": Qt.GlobalColor.darkRed, "ok": Qt.GlobalColor.darkGreen,
                                "warn": Qt.GlobalColor.darkYellow}[kind])
        self.table.setItem(row, col, item)

    def _cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()
        self.cancel.setEnabled(False)
        self.progress.setFormat("Cancelling…")

    def on_progress(self, p) -> None:
        done = p.file_index * 100 + (100 * p.pages_done // max(1, p.pages_total))
        self.progress.setValue(done)
        self.progress.setFormat(f"{Path(p.file).name}: page {p.pages_done} of {p.pages_total} "
                                f"(file {p.file_index + 1} of {p.files_total})")
        if 0 <= p.file_index < self.table.rowCount():
            self._set(p.file_index, 1, STATUS_TEXT["reading"])

    def on_done(self, report=None, error=None) -> None:
        self.cancel.setEnabled(False)
        self.cancel.hide()
        self.progress.setValue(self.progress.maximum())
        if error is not None:
            self.progress.setFormat("Stopped")
            self.summary.setText(f"⚠ {error_text(error)}")
            self.summary.setProperty("kind", "error")
            return
        if report.run_id is not None:  # the run's number, kept by the desk: it never starts again at 1
            when = f" · {report.at.astimezone():%m/%d %H:%M}" if report.at else ""
            who = f" by {report.by}" if report.by else ""
            self.title.setText(f"Import {report.run_id}{when}{who} · {len(self.paths)} "
                               f"file{'s' if len(self.paths) != 1 else ''}")
        by_path = {str(Path(o.path)): o for o in report.files}
        totals = {"imported": 0, "forms": 0, "unread": 0, "loose": 0}
        for i, p in enumerate(self.paths):
            o = by_path.get(str(p))
            if o is None:
                continue
            status = getattr(o.status, "value", o.status)
            kind = {"imported": "ok", "error": "error", "duplicate": "warn", "cancelled": "warn"}.get(status, "")
            self._set(i, 1, STATUS_TEXT.get(status, status), kind=kind)
            self._set(i, 2, str(o.forms or 0))
            loose = list(o.unrecognized_pages or [])
            # Page numbers, said as such beside the column of counts: "page 4", not a bare "4".
            pages = f"page{'s' if len(loose) > 1 else ''} {', '.join(map(str, loose))}" if loose else ""
            self._set(i, 3, pages or "—", kind="warn" if pages else "")
            self._set(i, 4, o.message or "", kind="error" if status == "error" else "")
            totals["imported"] += status == "imported"
            totals["forms"] += o.forms or 0
            totals["unread"] += status == "error"
            totals["loose"] += bool(pages)
        self.progress.setFormat("Done")
        self.summary.setText(import_summary(**totals))


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def import_summary(imported: int, forms: int, unread: int, loose: int) -> str:
    """What an import did, in words: the forms queued, the files that could not be read (their
    reasons are in the table above; the page desk has nothing of them to show) and the files
    with pages on no form, which the link opens on the page desk."""
    parts = [f"{_count(forms, 'form')} from {_count(imported, 'file')} added to the review queue"]
    if unread:
        parts.append(f"{_count(unread, 'file')} could not be read (the reason is beside each)")
    if loose:
        parts.append(f'<a href="pages">{_count(loose, "file")} with pages on no form</a>')
    return " · ".join(parts)


class InboxScreen(QWidget):
    title = "Inbox"
    import_finished = Signal(object)  # ImportReport (tests wait on it)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = 0
        self._history_loaded = False
        self.message = MessageBar()
        drop = QFrame()
        drop.setObjectName("dropZone")
        dl = QVBoxLayout(drop)
        art = QLabel()
        art.setPixmap(icon("inbox").pixmap(48, 48))
        art.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("Drop scans (PDF, TIFF, JPEG, PNG) or folders anywhere on this window")
        text.setObjectName("dropText")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        pick_files = QPushButton(icon("file"), "Add files…")
        pick_files.setToolTip("Import scans: PDF, TIFF, JPEG or PNG (Ctrl+O)")
        pick_files.clicked.connect(self.pick_files)
        pick_folder = QPushButton(icon("folder"), "Add folder…")
        pick_folder.setToolTip("Import every scan in a folder (Ctrl+Shift+O)")
        pick_folder.clicked.connect(self.pick_folder)
        buttons.addWidget(pick_files)
        buttons.addWidget(pick_folder)
        buttons.addStretch(1)
        dl.addWidget(art)
        dl.addWidget(text)
        dl.addLayout(buttons)

        self.watch_enabled = QCheckBox("Watch folder")
        self.watch_enabled.setToolTip("Import new scans that appear in this folder")
        self.watch_path = QLineEdit(ctx.settings.get("watch_folder"))
        self.watch_path.setPlaceholderText("A folder the scanner saves to")
        watch_pick = QPushButton("Choose…")
        watch_pick.clicked.connect(self._choose_watch)
        self.watch_enabled.toggled.connect(self._toggle_watch)
        watch = QHBoxLayout()
        watch.addWidget(self.watch_enabled)
        watch.addWidget(self.watch_path, 1)
        watch.addWidget(watch_pick)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _: self._watch_timer.start())
        self._watch_timer = QTimer(self, singleShot=True, interval=1500)  # let the scanner finish writing
        self._watch_timer.timeout.connect(self._scan_watched)
        self._seen: set[Path] = set()

        self.batch_box = QVBoxLayout()
        self.batch_box.setSpacing(10)
        self.batch_box.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.batch_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        self.empty_note = QLabel("Earlier imports appear here…")
        self.empty_note.setObjectName("hint")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addWidget(heading("Inbox", "Import scans into the review queue"))
        layout.addWidget(self.message)
        layout.addWidget(drop)
        layout.addLayout(watch)
        layout.addWidget(self.empty_note)
        layout.addWidget(scroll, 1)

    def activate(self) -> None:
        if not self._history_loaded:
            self._history_loaded = True
            self.load_history()

    # --- picking ---------------------------------------------------------------------------
    def _last_folder(self) -> str:
        return self.ctx.settings.get("last_folder") or str(Path.home())

    def pick_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import scans", self._last_folder(), scanfiles.DIALOG_FILTER)
        if files:
            self.ctx.settings.set("last_folder", str(Path(files[0]).parent))
            self.import_paths(files)

    def pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of scans", self._last_folder())
        if folder:
            self.ctx.settings.set("last_folder", folder)
            self.import_paths([folder])

    def _choose_watch(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder to watch", self.watch_path.text() or self._last_folder())
        if folder:
            self.watch_path.setText(folder)
            self.watch_enabled.setChecked(True)
            self._toggle_watch(True)

    def _toggle_watch(self, on: bool) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        folder = Path(self.watch_path.text().strip())
        if on and folder.is_dir():
            self.ctx.settings.set("watch_folder", str(folder))
            self._seen = set(expand_paths([folder]))  # what is already there was imported or ignored before
            self._watcher.addPath(str(folder))
            self.message.show_message(f"Watching {folder} for new scans.", "info", 4000)
        elif on:
            self.watch_enabled.setChecked(False)
            self.message.show_message(f"{folder} is not a folder.", "warning")

    def _scan_watched(self) -> None:
        folder = Path(self.watch_path.text().strip())
        new = [p for p in expand_paths([folder]) if p not in self._seen]
        self._seen.update(new)
        if new:
            self.import_paths(new)

    # --- history ---------------------------------------------------------------------------
    def _add_card(self, files: list[Path], at_top: bool = True) -> BatchCard:
        card = BatchCard(files)
        card.summary.linkActivated.connect(lambda _link: self.ctx.events.show_pages.emit(0))  # the page desk
        self.batch_box.insertWidget(0 if at_top else self.batch_box.count() - 1, card)
        self.empty_note.hide()
        return card

    def load_history(self) -> None:
        """The desk's latest import runs (every seat's), as they ended: the inbox outlives a restart."""
        def shown(result=None, error=None) -> None:
            if error is not None:
                self.message.show_error(error)
                return
            for report in result:  # newest first, below anything imported since the window opened
                card = self._add_card([Path(o.path) for o in report.files], at_top=False)
                card.on_done(report)
            if not result:
                self.empty_note.setText("No imports yet.")

        desk = self.ctx.desk
        self.ctx.runner.run_task(lambda _ctx: desk.import_history(HISTORY_RUNS), shown)

    # --- importing -------------------------------------------------------------------------
    def import_paths(self, paths) -> BatchCard | None:
        files = expand_paths(paths)
        if not files:
            self.message.show_message("No scans (PDF, TIFF, JPEG, PNG) there to import.", "warning", 5000)
            return None
        card = self._add_card(files)
        desk, by = self.ctx.desk, self.ctx.user_name
        self.running += 1

        def work(ctx):
            return desk.import_files(files, by, progress=ctx.progress, cancel=ctx.cancelled)

        def done(result=None, error=None):
            self.running -= 1
            card.on_done(result, error)
            self.ctx.events.records_changed.emit()
            if result is not None:
                n = sum(o.forms or 0 for o in result.files)
                self.ctx.events.status_message.emit(f"Import finished: {n} form(s) ready for review")
            self.import_finished.emit(result)

        card.token = self.ctx.runner.run_task(work, done, progress=card.on_progress)
        return card
