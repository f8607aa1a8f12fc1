"""What every screen is given: the Desk, the background runner, the UI settings, the signed-in
user and a few application-wide notifications. Passed explicitly, never reached as a global."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from cisr_desk.ui.settings import UiSettings
from cisr_desk.ui.tasks import TaskRunner


class Events(QObject):
    records_changed = Signal()  # imports, submissions, approvals: lists should refresh
    registry_changed = Signal()
    user_changed = Signal(object)  # UserInfo
    open_record = Signal(int)  # show a record in Review
    show_pages = Signal(int)  # show a file on the page desk (0: the most recent that needs a look)
    status_message = Signal(str)


@dataclass
class AppContext:
    desk: object  # cisr_desk.store.service.Desk (or a test double with the same names)
    runner: TaskRunner
    settings: UiSettings
    user: object  # UserInfo: .name, .role
    data_dir: Path = field(default_factory=lambda: Path.home() / "cisr-desk")
    events: Events = field(default_factory=Events)

    @property
    def user_name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return str(getattr(self.user, "role", "clerk")).lower().rsplit(".", 1)[-1]

    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")

    def is_admin(self) -> bool:
        return self.role == "admin"
