"""Start the desktop application: open the database, sign in, show the window, and on a first
start with ``--demo-if-empty`` fill a demo database in the background."""
from __future__ import annotations

import gc
import logging
import sys
import threading
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from cisr_desk.ui.context import AppContext
from cisr_desk.ui.settings import UiSettings
from cisr_desk.ui.settings_screen import apply_tesseract_setting
from cisr_desk.ui.style import apply_style
from cisr_desk.ui.tasks import TaskRunner, error_text
from cisr_desk.ui.widgets import icon

log = logging.getLogger(__name__)


def data_dir() -> Path:
    try:
        from cisr_desk.store.db import data_dir as store_data_dir

        return store_data_dir()
    except ImportError:
        from platformdirs import user_data_dir

        return Path(user_data_dir("cisr-desk", appauthor=False))


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("cisr-desk")
    app.setOrganizationName("cisr-desk")
    app.setApplicationDisplayName("CISR-DRP Desk")
    app.setWindowIcon(icon("app"))
    apply_style(app)
    return app


def start_demo(ctx, window) -> None:
    """Registry and scans for a first look: prepared in the background, then imported as a batch."""
    from cisr_desk.ui import demo

    desk = ctx.desk
    scans = ctx.data_dir / "demo-scans"
    bar = window.statusBar()

    def prepared(result=None, error=None):
        if error is not None:
            window.screens["inbox"].message.show_message(f"The demo could not be prepared: {error_text(error)}", "error")
            return
        ctx.events.registry_changed.emit()
        window.screens["inbox"].import_paths(result)

    n_forms = demo.DEMO_FORMS
    ctx.runner.run_task(lambda tctx: demo.prepare_scans(desk, scans, "admin", n_forms, progress=tctx.progress),
                        prepared, progress=lambda text: bar.showMessage(str(text), 10000))


def load_references() -> threading.Thread:
    """The ZIP and name tables, loaded in the background while the clerk signs in: the first
    load holds Python's lock for a moment (0.4 s), which would otherwise freeze the window in
    the middle of the session's first import. Then everything alive is set aside from garbage
    collection (``gc.freeze``): the tables live as long as the app, and a full collection would
    otherwise walk their 110,000 objects with Python's lock held, a pause of 0.1-0.8 s in the
    window whichever thread set it off."""
    from cisr_desk.domain import reference

    def load() -> None:
        reference.load()
        gc.freeze()

    loader = threading.Thread(target=load, name="reference-tables", daemon=True)
    loader.start()
    return loader


def install_excepthook(window) -> None:
    """A bug in a slot is logged and reported in the status bar, never as a traceback dialog."""
    def hook(kind, value, tb):
        log.error("unexpected error", exc_info=(kind, value, tb))
        try:
            window.statusBar().showMessage(f"Something went wrong: {error_text(value)}", 15000)
        except RuntimeError:  # the window is already gone
            pass

    sys.excepthook = hook


def run(argv: list[str] | None = None, *, db_url: str | None = None, demo_if_empty: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("cisr_desk").setLevel(logging.INFO)
    app = make_app(argv)
    settings = UiSettings()
    apply_tesseract_setting(settings.get("tesseract_path"))
    try:
        from cisr_desk.store.service import Desk

        desk = Desk.open(db_url or settings.get("database_url") or None)
    except Exception as exc:  # noqa: BLE001 - shown to the user as one message, then exit
        log.exception("cannot open the database")
        QMessageBox.critical(None, "CISR-DRP Desk", f"The database could not be opened.\n\n{error_text(exc)}")
        return 1
    load_references()
    from cisr_desk.ui import demo
    from cisr_desk.ui.login import choose_user
    from cisr_desk.ui.main_window import MainWindow

    fresh = demo_if_empty and demo.is_empty(desk)
    default = ""
    if fresh:
        default = next(name for name, role in demo.create_users(desk).items() if role == "clerk")
    # a database without users asks for its first administrator (the first person to open it)
    user = choose_user(desk, settings, default=default or settings.get("last_user") or demo.os_user())
    if user is None:
        desk.close()
        return 0
    ctx = AppContext(desk, TaskRunner(), settings, user, data_dir())
    window = MainWindow(ctx, switch_user=lambda parent, message="": choose_user(desk, settings, parent,
                                                                                message=message))
    install_excepthook(window)
    window.show()
    if fresh:
        window.show_screen("inbox")
        start_demo(ctx, window)
    code = app.exec()
    ctx.runner.wait(10000)
    desk.close()
    return code
