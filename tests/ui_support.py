"""Shared set-up of the UI tests: a real Desk on a fresh temporary database (capture replaced by
the store's FakeExtractor, so no OCR runs), a context, and a main window."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from cisr_desk.paths import demo_registry
from cisr_desk.ui.context import AppContext
from cisr_desk.ui.settings import UiSettings
from cisr_desk.ui.tasks import FakeThreadPool, TaskRunner
from users_support import add_users


def make_pdf(path: Path, text: str, pages: int = 2) -> Path:
    """A small distinct PDF (the fake extractor does not look inside; the store hashes it)."""
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        doc.new_page().insert_text((72, 72), f"{text} page {i + 1}")
    doc.save(path)
    return path


def open_desk(tmp_path: Path, extractor=None):
    from cisr_desk.store.service import Desk

    desk = Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite'}", files_dir=tmp_path / "files", extractor=extractor)
    add_users(desk, ("admin", "admin"), ("clerk", "clerk"), ("supervisor", "supervisor"), ("boss", "supervisor"),
              admin="admin")
    desk.import_registry(demo_registry(), "admin")
    return desk


def make_ctx(desk, user: str, tmp_path: Path, pool=None) -> AppContext:
    settings = UiSettings(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    runner = TaskRunner(pool if pool is not None else FakeThreadPool())
    return AppContext(desk, runner, settings, desk.user(user), tmp_path / "data")


@pytest.fixture
def no_dialogs(monkeypatch):
    """Reasons and confirmations answered without modal dialogs."""
    answers = {"reason": ("OTHER", "Signature looks different from the one on file"), "confirm": True}
    monkeypatch.setattr("cisr_desk.ui.widgets.ask_reason", lambda *a, **k: answers["reason"])
    monkeypatch.setattr("cisr_desk.ui.record_editor.ask_reason", lambda *a, **k: answers["reason"])
    monkeypatch.setattr("cisr_desk.ui.supervisor.ask_reason", lambda *a, **k: answers["reason"])
    monkeypatch.setattr("cisr_desk.ui.record_editor.confirm", lambda *a, **k: answers["confirm"])
    monkeypatch.setattr("cisr_desk.ui.registry_screen.confirm_import", lambda *a, **k: True)
    return answers


def today() -> dt.date:
    return dt.date.today()


def show_office_size(qtbot, widget):
    """``widget`` shown in a window of 1280x720, the smallest office screen, once it is exposed."""
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
