"""Write a PNG of each screen, on the demo data, offscreen: ``make screenshots``.

Builds a throw-away demo database (users, the sample registry, generated scans read by the
real capture engine), then walks the window through the day: inbox after the import, the
queue, a record under review, the group check, the page desk, the supervisor's desk, registry,
exports and settings."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from cisr_desk.domain.errors import DeskError  # noqa: E402
from cisr_desk.ui import demo  # noqa: E402
from cisr_desk.ui.app import make_app  # noqa: E402
from cisr_desk.ui.context import AppContext  # noqa: E402
from cisr_desk.ui.settings import UiSettings  # noqa: E402
from cisr_desk.ui.tasks import TaskRunner  # noqa: E402


def settle(runner: TaskRunner, seconds: float = 120.0) -> None:
    """Let background work finish and the window repaint."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        if runner.running == 0:
            break
        time.sleep(0.02)
    for _ in range(5):
        QApplication.processEvents()


def page_desk_shot(window, desk, shot) -> None:
    """The page desk on the batch that needs a look (else the one with most forms), a loose page selected."""
    files = desk.source_files()
    if not files:
        return
    target = next((f for f in files if f.needs_a_look), max(files, key=lambda f: (f.forms, f.page_count)))
    window.show_screen("pages")
    pages = window.screens["pages"]
    pages.open_file(target.id)
    settle(window.ctx.runner)
    layout = desk.page_layout(target.id)
    pages.select_page(min(layout.loose) if layout.loose else 1)
    shot("page-desk")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--forms", type=int, default=6, help="demo forms to generate")
    parser.add_argument("--work", type=Path, help="folder for the demo database (default: a temporary one)")
    parser.add_argument("--size", default="1440x900")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="cisr-shots-"))
    work.mkdir(parents=True, exist_ok=True)

    from cisr_desk.store.service import Desk
    from cisr_desk.ui.main_window import MainWindow

    app = make_app(["screenshots"])  # noqa: F841 (kept alive for the whole run)
    desk = Desk.open(f"sqlite:///{work / 'demo.sqlite'}", files_dir=work / "files")
    if demo.is_empty(desk):
        demo.create_users(desk, "clerk")
    users = {"clerk": desk.user("clerk"), "supervisor": desk.user("supervisor")}
    settings = UiSettings(QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat))
    runner = TaskRunner(QThreadPool())
    ctx = AppContext(desk, runner, settings, users["clerk"], work / "data")
    window = MainWindow(ctx, switch_user=lambda parent: users["supervisor"])
    window.resize(width, height)
    window.show()
    # Sized again once shown: on showing, the window is fitted to the screen, and Qt's offscreen
    # screen is 800 x 800 (the first shots came out 796 x 796, their content cut).
    for _ in range(5):
        QApplication.processEvents()
    window.resize(width, height)

    def shot(name: str) -> None:
        settle(runner)
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        print(f"{path}")

    print("preparing demo scans…", flush=True)
    scans = demo.prepare_scans(desk, work / "scans", "admin", n_forms=args.forms)
    ctx.events.registry_changed.emit()
    if desk.count_records() == 0:
        window.show_screen("inbox")
        window.screens["inbox"].import_paths(scans)
        settle(runner, 900)
    window.show_screen("inbox")
    shot("inbox")

    window.show_screen("review")
    shot("review-queue")
    review = window.screens["review"]
    rows = desk.list_records(status=("imported", "in_review"), limit=1000)
    if rows:
        target = max(rows, key=lambda r: (r.doubtful, r.issues))
        review.open_record(target.id)
        settle(runner)
        shot("review-record")
        # the smallest screen a back office has: the whole window at exactly 1280x720
        window.resize(1280, 720)
        settle(runner)
        shot("review-record-1280x720")
        window.resize(width, height)
        settle(runner)
        window.show_screen("group")
        shot("group-check")
        page_desk_shot(window, desk, shot)
        # a clerk's morning: the first records submitted or flagged, so the supervisor has work
        for i, row in enumerate(rows[:3]):
            try:
                name = desk.get_record(row.id).field("customer_name")
                if name.value:  # the clerk writes the name as printed: an OCR -> clerk change to show
                    desk.set_field(row.id, "customer_name", str(name.value).upper(), "clerk")
                desk.flag(row.id, "Customer signature looks different from the account's", "clerk") if i == 0 \
                    else desk.submit(row.id, "clerk")
            except DeskError:
                pass
        review.show_queue()
        ctx.events.records_changed.emit()

    window.switch_user()
    window.show_screen("supervisor")
    shot("supervisor")
    # the supervisor decides all but one, so the week has something to export
    for row in desk.list_records(status=("submitted", "flagged"), limit=100)[1:]:
        try:
            desk.approve(row.id, "supervisor")
        except DeskError as exc:
            print(f"record {row.id} not approved: {exc}")
    ctx.events.records_changed.emit()
    window.show_screen("dashboard")
    shot("dashboard")
    window.show_screen("registry")
    shot("registry")
    window.show_screen("exports")
    shot("exports")
    window.show_screen("settings")
    shot("settings")
    window.close()
    desk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
