"""The window keeps processing events while an import runs, shows its progress, and a cancel
stops it between files."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QElapsedTimer, QThreadPool, QTimer

from cisr_desk.ui.inbox import InboxScreen
from ui_support import make_ctx, make_pdf, open_desk

pytest.importorskip("cisr_desk.store.service")


class SlowExtractor:
    """Stands in for capture: each page takes a while, like OCR does."""

    def __init__(self, seconds_per_page: float = 0.15) -> None:
        self.delay = seconds_per_page

    def __call__(self, paths, *, progress=None, cancel=None, **_):
        from cisr_desk.store.fakes import clean_values, document, form

        paths = list(paths)
        for index, path in enumerate(paths):
            for page in (1, 2):
                if cancel is not None and cancel():
                    return
                time.sleep(self.delay)
                if progress:
                    progress(SimpleNamespace(file=str(path), file_index=index, files_total=len(paths),
                                             pages_done=page, pages_total=2))
            yield document(path, [form(clean_values(index + 1))])


@pytest.fixture
def slow_inbox(tmp_path, qtbot):
    from cisr_desk.ui.app import load_references

    load_references().join()  # as the app does while the clerk signs in
    desk = open_desk(tmp_path, SlowExtractor())
    pool = QThreadPool()
    ctx = make_ctx(desk, "clerk", tmp_path, pool)
    screen = InboxScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    files = [make_pdf(tmp_path / f"scan-{i}.pdf", f"scan {i}") for i in range(4)]
    yield screen, desk, files
    pool.waitForDone(10000)
    desk.close()


def test_event_loop_keeps_running_during_import(slow_inbox, qtbot):
    screen, desk, files = slow_inbox
    ticks, gaps = [], []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: (gaps.append(clock.restart()), ticks.append(1)))
    timer.start()
    with qtbot.waitSignal(screen.import_finished, timeout=20000) as done:
        card = screen.import_paths(files)
        assert card.progress.format() == "Waiting…"  # returned at once: the work is elsewhere
        qtbot.waitUntil(lambda: "page" in card.progress.format(), timeout=5000)
    timer.stop()
    # 4 files x 2 pages x 0.15 s ≈ 1.2 s of work; the loop ticked throughout, never stalled long
    assert len(ticks) >= 25
    assert max(gaps[1:]) < 300
    assert done.args[0].count("imported") == 4
    assert card.progress.format() == "Done"
    assert desk.count_records() == 4


def test_cancel_stops_the_batch(slow_inbox, qtbot):
    screen, desk, files = slow_inbox
    with qtbot.waitSignal(screen.import_finished, timeout=20000):
        card = screen.import_paths(files)
        qtbot.waitUntil(lambda: "file 1 of" in card.progress.format(), timeout=5000)
        card.cancel.click()
    assert desk.count_records() < 4
    assert not card.cancel.isEnabled()
