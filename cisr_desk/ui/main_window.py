"""The main window: navigation on the left, one screen at a time, user and role in the status
bar, drag and drop of scans anywhere, layout remembered between sessions."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMessageBox, QProgressBar, QStackedWidget, QVBoxLayout, QWidget)

from cisr_desk import __version__
from cisr_desk.domain.errors import DeskError
from cisr_desk.ui.tasks import error_text
from cisr_desk.ui.widgets import MessageBar, action, icon

log = logging.getLogger(__name__)

# Screens in navigation order: key, module, class, icon, who sees it.
SCREENS = (
    ("inbox", "cisr_desk.ui.inbox", "InboxScreen", "inbox", "all"),
    ("review", "cisr_desk.ui.review", "ReviewScreen", "review", "all"),
    ("group", "cisr_desk.ui.group_verify", "GroupScreen", "grid", "all"),
    ("pages", "cisr_desk.ui.page_desk", "PageDeskScreen", "pages", "all"),
    ("supervisor", "cisr_desk.ui.supervisor", "SupervisorScreen", "supervisor", "supervisor"),
    ("dashboard", "cisr_desk.ui.dashboard", "DashboardScreen", "dashboard", "supervisor"),
    ("registry", "cisr_desk.ui.registry_screen", "RegistryScreen", "registry", "all"),
    ("exports", "cisr_desk.ui.exports", "ExportsScreen", "export", "supervisor"),
    ("settings", "cisr_desk.ui.settings_screen", "SettingsScreen", "settings", "all"),
    ("users", "cisr_desk.ui.users_screen", "UsersScreen", "user", "admin"),
)
# What needs attention, counted beside the screen's name: key -> statuses.
BADGES = {"review": ("imported", "in_review"), "supervisor": ("flagged", "submitted")}
TITLES = {"inbox": "Inbox", "review": "Review", "group": "Group check", "supervisor": "Supervisor",
          "pages": "Pages",
          "dashboard": "Dashboard", "registry": "Registry", "exports": "Exports", "settings": "Settings",
          "users": "Users"}

SESSION_CHECK_MS = 30_000  # how often the window asks whether its user may still work
BADGE_REFRESH_MS = 30_000  # how often the sidebar's counts are read again (other seats change them too)


class MainWindow(QMainWindow):
    def __init__(self, ctx, switch_user=None, parent=None) -> None:
        super().__init__(parent)
        import importlib

        self.ctx = ctx
        self._switch_user = switch_user
        self.setWindowTitle("CISR-DRP Desk")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(168)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        self.screens: dict[str, QWidget] = {}
        self._items: dict[str, QListWidgetItem] = {}
        for key, module, cls, icon_name, who in SCREENS:
            screen = getattr(importlib.import_module(module), cls)(ctx)
            self.screens[key] = screen
            self.stack.addWidget(screen)
            item = QListWidgetItem(icon(icon_name), TITLES[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setData(Qt.ItemDataRole.UserRole + 1, who)
            item.setSizeHint(QSize(150, 38))
            self.nav.addItem(item)
            self._items[key] = item
        self.nav.currentItemChanged.connect(self._nav_changed)
        # Until a registry is imported no provider is checked and nothing can be approved: say so
        # on every screen, with the way out.
        self.no_registry = MessageBar()
        self.no_registry.setObjectName("messageBar")
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.no_registry)
        column.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_menus()
        ctx.events.status_message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        ctx.events.open_record.connect(lambda _id: self.show_screen("review"))
        ctx.events.show_pages.connect(lambda _id: self.show_screen("pages"))
        ctx.runner.busy_changed.connect(self._busy)
        ctx.events.records_changed.connect(self.update_badges)
        # The records this window's user may hold because they opened them here: given back when
        # the user changes or the window closes (see release_holds).
        self._opened: set[int] = set()
        ctx.events.records_changed.connect(self._note_open_record)
        self.screens["review"].editor.record_done.connect(self._opened.discard)  # submitted or flagged: not held
        ctx.events.registry_changed.connect(self.check_registry)
        ctx.events.user_changed.connect(lambda _user: self.apply_user())  # e.g. an admin changed their own role
        # queued: the screen whose call was refused finishes (and shows the reason) before the window signs out
        ctx.events.session_ended.connect(self.end_session, Qt.ConnectionType.QueuedConnection)
        self._ending = self._signed_out = self._closed = False
        # Reading asks the Desk nothing about who reads: a user an administrator disables at
        # another seat is noticed here, within the interval, even if they change nothing.
        self._session_check = QTimer(self, interval=SESSION_CHECK_MS)
        self._session_check.timeout.connect(self.check_session)
        self._session_check.start()
        # The counts beside the screens' names change at every seat: read again now and then, and
        # whenever the window comes back to the front, so they are never a day's work out of date.
        self._badge_error = ""  # the last failure logged, so a database that stays away is logged once
        self._badge_timer = QTimer(self, interval=BADGE_REFRESH_MS)
        self._badge_timer.timeout.connect(self.update_badges)
        self._badge_timer.start()
        self.apply_user()
        self.update_badges()
        self.check_registry()
        self._restore()

    def check_registry(self) -> None:
        try:
            missing = self.ctx.desk.registry() is None
        except Exception:  # noqa: BLE001 - a banner is not worth a failed start; the screens report errors
            return
        if missing:
            keys = self.go_actions["registry"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            self.no_registry.show_message(
                "No DRP registry has been imported: providers are not checked, and no record can be approved "
                f"until there is one. Import it in Registry ({keys}).", "warning")
        else:
            self.no_registry.hide()

    # --- chrome ----------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setToolTip("Working in the background; the window stays usable")
        self.busy.hide()
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.db_label = QLabel()
        self.db_label.setObjectName("hint")
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.db_label)
        bar.addPermanentWidget(self.user_label)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        inbox = self.screens["inbox"]
        file_menu.addAction(action(self, "&Import files…", lambda: (self.show_screen("inbox"), inbox.pick_files()),
                                   QKeySequence.StandardKey.Open, "file"))
        file_menu.addAction(action(self, "Import &folder…", lambda: (self.show_screen("inbox"), inbox.pick_folder()),
                                   "Ctrl+Shift+O", "folder"))
        file_menu.addSeparator()
        file_menu.addAction(action(self, "&Switch user…", self.switch_user, "Ctrl+Shift+U", "user"))
        file_menu.addSeparator()
        file_menu.addAction(action(self, "&Quit", self.close, QKeySequence.StandardKey.Quit))
        go = menu.addMenu("&Go")
        self.go_actions = {}
        for n, (key, *_rest) in enumerate(SCREENS, start=1):
            act = action(self, TITLES[key], lambda _=False, k=key: self.show_screen(k), screen_key(n))
            go.addAction(act)
            self.go_actions[key] = act
        go.addSeparator()
        go.addAction(action(self, "Search the queue", lambda: (self.show_screen("review"),
                                                               self.screens["review"].focus_search()), "Ctrl+K"))
        record = menu.addMenu("&Record")
        editor = self.screens["review"].editor
        for act in (editor.act_prev, editor.act_next, editor.act_flag, editor.act_submit, editor.act_back):
            record.addAction(act)
        record.addSeparator()
        for act in (editor.act_zoom_in, editor.act_zoom_out, editor.act_fit):
            record.addAction(act)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(action(self, "&Keyboard shortcuts", self._shortcuts, "F1"))
        help_menu.addAction(action(self, "&About", self._about))

    def update_badges(self) -> None:
        """What needs attention, counted beside the screens' names: two counts, called by a timer
        and on every change, so it never raises (a database out of reach leaves the last counts
        and a line in the log, not a traceback) and touches an item only when its text changes."""
        try:
            counts = {key: self.ctx.desk.count_records(status=statuses) for key, statuses in BADGES.items()}
        except Exception as exc:  # noqa: BLE001 - a count is a courtesy; never let it break the window
            reason = error_text(exc)
            if reason != self._badge_error:  # once per failure, not every interval while it lasts
                _log_failure("The sidebar's counts could not be read", exc)
                self._badge_error = reason
            return
        self._badge_error = ""
        for key, n in counts.items():
            text = f"{TITLES[key]}  ·  {n}" if n else TITLES[key]
            if self._items[key].text() != text:
                self._items[key].setText(text)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self.update_badges()  # back from another window: other seats may have changed the counts
        return super().event(event)

    def _busy(self, running: int) -> None:
        self.busy.setVisible(running > 0)

    # --- users and roles -------------------------------------------------------------------
    def apply_user(self) -> None:
        """Show the screens this role works with; the Desk still checks every action."""
        ctx = self.ctx
        self.user_label.setText(f"  {ctx.user_name} · {ctx.role}  ")
        self.db_label.setText(_short_url(getattr(ctx.desk, "url", "")))
        for key, item in self._items.items():
            who = item.data(Qt.ItemDataRole.UserRole + 1)
            hidden = (who == "supervisor" and not ctx.is_supervisor()) or (who == "admin" and not ctx.is_admin())
            item.setHidden(hidden)
            self.go_actions[key].setEnabled(not hidden)
        current = self.nav.currentItem()
        if current is None or current.isHidden():
            self.show_screen(self.ctx.settings.get("window/screen") or "inbox")

    def check_session(self) -> None:
        """End the session of a signed-in user who has been disabled since they signed in."""
        name = self.ctx.user_name
        try:
            active = getattr(self.ctx.desk.user(name), "active", True)
        except Exception:  # noqa: BLE001 - the database out of reach: the next call the user makes says so
            return
        if not active:
            self.end_session(name, f"Your account ({name}) was disabled by an administrator. "
                                   "Ask an administrator to enable it again.")

    def switch_user(self) -> None:
        """Someone else signs in at this seat: what the last user held is given back and their
        open record put away, so the next user starts at the queue, not inside their work."""
        if self._switch_user is None:
            return
        user = self._switch_user(self)
        if user is None:
            return
        if user.name != self.ctx.user_name:  # signing in again as oneself changes nothing
            self.release_holds()
            self._close_records()
        self._signed_in(user)

    def _signed_in(self, user) -> None:
        self.ctx.user = user
        self.ctx.events.user_changed.emit(user)
        self._clear_messages()
        self.apply_user()
        self.statusBar().showMessage(f"Signed in as {user.name}", 4000)
        screen = self.stack.currentWidget()
        if hasattr(screen, "activate"):
            screen.activate()

    def end_session(self, name: str, reason: str) -> None:
        """``name`` may do nothing more (an administrator disabled them): if they are the one signed
        in, their background work is cancelled, the screens are hidden and the sign-in dialog says
        why. Whoever signs in goes on in this window; cancelling closes it."""
        if self._ending or self._closed or name != self.ctx.user_name:
            return  # several refusals at once: one sign-in; a late one of a user already gone, or of a
            #         window closed meanwhile (a release refused on quitting): nothing
        self._ending = True
        self.ctx.runner.cancel_all()
        self._opened.clear()  # nothing can be released on their behalf any more: their holds lapse
        self._close_records()
        self.centralWidget().hide()
        try:
            user = self._switch_user(None, message=reason) if self._switch_user is not None else None
        finally:
            self._ending = False
        if user is None:
            self._signed_out = True
            self.close()
            return
        self.centralWidget().show()
        self._signed_in(user)

    def _close_records(self) -> None:
        """The records open on screens put away unsaved: the next user starts at the queue."""
        for screen in self.screens.values():
            if hasattr(screen, "close_record"):
                screen.close_record()

    def _clear_messages(self) -> None:
        """A banner an earlier user was shown (an error, a warning, a done note) is not for the
        next one. A screen that knows better clears its own (``clear_message``); the others'
        message bar, which every screen has as ``message``, is hidden."""
        for screen in self.screens.values():
            if hasattr(screen, "clear_message"):
                screen.clear_message()
            elif isinstance(getattr(screen, "message", None), MessageBar):
                screen.message.hide()

    # --- holds -----------------------------------------------------------------------------
    def _note_open_record(self) -> None:
        """Remember the record open in Review whenever something changes: opened here, it may be
        held by this user after they leave it (a record worked on stays held)."""
        review = self.screens["review"]
        rid = review.current_record_id()
        if rid is not None and not review.editor.read_only:
            self._opened.add(rid)

    def release_holds(self) -> None:
        """Give back what this window's user holds of the records they opened here, so that the
        next user (or another seat) finds them free, not held by someone who has gone. Only
        records opened here: the same user may be working at another seat. Never raises: a
        hold that cannot be given back lapses in time, and switching or quitting must not wait
        on it."""
        user, review = self.ctx.user_name, self.screens["review"]
        ids = self._opened | ({review.current_record_id()} - {None})
        self._opened.clear()
        for rid in sorted(ids):
            try:
                if self.ctx.desk.get_record(rid).holder == user:  # not one given back, decided or taken since
                    self.ctx.desk.release(rid, user)
            except Exception as exc:  # noqa: BLE001 - logged; the hold lapses on its own
                _log_failure(f"Record {rid} could not be released for {user}", exc)

    # --- navigation ------------------------------------------------------------------------
    def show_screen(self, key: str) -> None:
        item = self._items.get(key)
        if item is None or item.isHidden():
            item = self._items["inbox"]
        self.nav.setCurrentItem(item)

    def current_screen(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _nav_changed(self, item, _previous) -> None:
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        screen = self.screens[key]
        self.stack.setCurrentWidget(screen)
        self.ctx.settings.set("window/screen", key)
        if hasattr(screen, "activate"):
            screen.activate()
        self._focus_into(screen)

    @staticmethod
    def _focus_into(screen) -> None:
        """Keyboard first: the screen just chosen (in the sidebar, which never takes the keyboard,
        or from the Go menu) takes it, so that Enter and the arrows act on it at once, and not on
        a widget of the screen left behind."""
        focused = QApplication.focusWidget()
        target = screen.focus_target() if hasattr(screen, "focus_target") else None
        if focused is not None and (focused is target or (target or screen).isAncestorOf(focused)):
            return  # (Qt hands the keyboard on along its chain when the screen left is hidden: the
            #          screen's own target is taken over wherever that put it)
        widget = screen.nextInFocusChain()
        while target is None and widget is not screen and screen.isAncestorOf(widget):
            if widget.isVisibleTo(screen) and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                target = widget
            widget = widget.nextInFocusChain()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- drag and drop ---------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.show_screen("inbox")
            self.screens["inbox"].import_paths(paths)
            event.acceptProposedAction()

    # --- layout memory ---------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.ctx.settings.get("window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(self._first_size())
        state = self.ctx.settings.get("window/state")
        if not state.isEmpty():
            self.restoreState(state)
        splitter = self.ctx.settings.get("review/splitter")
        if not splitter.isEmpty():
            self.screens["review"].editor.splitter.restoreState(splitter)

    FIRST_SIZE = QSize(1360, 860)

    def _first_size(self) -> QSize:
        """The size of the first window: roomy where the screen allows, and never larger than
        the screen (a 1280x720 office PC got a window cut off at the right and the bottom)."""
        screen = self.screen()
        if screen is None:
            return self.FIRST_SIZE
        available = screen.availableGeometry().size()
        if available.width() >= self.FIRST_SIZE.width() and available.height() >= self.FIRST_SIZE.height():
            return self.FIRST_SIZE
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        frame = self.frameGeometry().size() - self.geometry().size()  # a title bar, where there is one
        return QSize(max(self.minimumWidth(), available.width() - frame.width()),
                     max(self.minimumHeight(), available.height() - frame.height()))

    def save_layout(self) -> None:
        s = self.ctx.settings
        s.set("window/geometry", self.saveGeometry())
        s.set("window/state", self.saveState())
        s.set("review/splitter", self.screens["review"].editor.splitter.saveState())
        s.sync()

    def closeEvent(self, event) -> None:  # noqa: N802
        running = self.ctx.runner.running
        if running and not self._signed_out and QMessageBox.question(
                self, "Work in progress",
                f"{running} background job(s) are still running. Quit anyway? Files already imported stay imported.",
        ) != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        self.save_layout()
        self.ctx.runner.cancel_all()
        if not self._signed_out:  # a user who was signed out (disabled) can release nothing
            self.release_holds()
        self._closed = True
        event.accept()

    # --- help ------------------------------------------------------------------------------
    def _shortcuts(self) -> None:
        groups = (
            ("Review a record", (
                ("Enter", "accept the field (or your correction), next doubtful field"),
                ("Shift+Enter", "back to the previous doubtful field"),
                ("Tab / Shift+Tab", "next / previous field"),
                ("Ctrl+F", "flag to a supervisor"),
                ("Ctrl+Enter", "submit the record"),
                ("PgUp / PgDn", "previous / next record"),
                ("Esc", "back to the queue"),
                ("Ctrl + / Ctrl − / Ctrl 0", "zoom the page"))),
            ("Supervisor", (
                ("Ctrl+Shift+A", "approve (asks for an override reason when a rule fails)"),
                ("Ctrl+Shift+R", "reject, with a reason"),
                ("Ctrl+Shift+B", "return to the clerk"),
                ("Ctrl+Shift+E", "open in Review"))),
            ("Group check", (
                ("Ctrl+Shift+Enter", "accept every field still in doubt on the screen"),)),
            ("Pages", (
                ("R / S / M", "rotate / split here / merge with the next form"),
                ("A / N / T", "attachment / not a form / assign to a revision and page"),
                ("Ctrl+Z", "undo the last change not applied"),
                ("Ctrl+Enter", "apply the changes"))),
            ("Dialogs", (
                ("Ctrl+Enter", "confirm"),
                ("Tab", "next box"),
                ("Esc", "cancel"))),
            ("Everywhere", (
                ("Ctrl+1 … Ctrl+9", "the screens, in the sidebar's order"),
                ("Ctrl+K", "search the queue (Down goes to the results)"),
                ("Ctrl+O", "import files"),
                ("Ctrl+Shift+U", "switch user"))),
        )
        rows = []
        for title, keys in groups:
            rows.append(f"<tr><td colspan=2 style='padding-top:8px'><b>{title}</b></td></tr>")
            rows += [f"<tr><td style='padding-right:18px'><code>{k}</code></td><td>{what}</td></tr>"
                     for k, what in keys]
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", "", QMessageBox.StandardButton.Close, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellspacing=0>{''.join(rows)}</table>")
        box.exec()

    def _about(self) -> None:
        QMessageBox.about(self, "About CISR-DRP Desk",
                          f"CISR-DRP Desk {__version__}\nCapture, review, approval and export of "
                          "SCE Form 14-941 authorizations.")


def screen_key(n: int) -> str:
    """The key of the n-th screen (1-based): Ctrl+1 to Ctrl+9. The tenth has none ("Ctrl+10", as
    the help said, is no key anyone can press, and Ctrl+0 fits the page in Review)."""
    return f"Ctrl+{n}" if n <= 9 else ""


def _log_failure(what: str, exc: BaseException) -> None:
    """A failure the user need not see, in the log: a DeskError's message says it all; anything
    else (a driver's error) keeps its traceback for whoever reads the log."""
    log.warning("%s: %s", what, error_text(exc), exc_info=not isinstance(exc, DeskError))


def _short_url(url: str) -> str:
    url = str(url or "")
    return url if len(url) < 48 else "…" + url[-46:]
