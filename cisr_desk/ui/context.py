"""What every screen is given: the Desk, the background runner, the UI settings, the signed-in
user and a few application-wide notifications. Passed explicitly, never reached as a global."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from cisr_desk.domain.errors import UserDisabled
from cisr_desk.ui.settings import UiSettings
from cisr_desk.ui.tasks import TaskRunner


class Events(QObject):
    records_changed = Signal()  # imports, submissions, approvals: lists should refresh
    registry_changed = Signal()
    user_changed = Signal(object)  # UserInfo
    open_record = Signal(int)  # show a record in Review
    show_pages = Signal(int)  # show a file on the page desk (0: the most recent that needs a look)
    status_message = Signal(str)
    session_ended = Signal(str, str)  # the Desk refused a user (disabled by an admin): their name, the reason


class SessionDesk:
    """The Desk as the screens use it: the same calls, and one of them refused because an
    administrator disabled the signed-in user (``UserDisabled``, from any screen or background
    task) also ends the session (``Events.session_ended``). The error still reaches the caller,
    which shows it like any other."""

    def __init__(self, desk, events: Events) -> None:
        object.__setattr__(self, "desk", desk)
        object.__setattr__(self, "_events", events)

    def __getattr__(self, name: str):
        value = getattr(self.desk, name)
        if not callable(value) or name.startswith("_"):
            return value

        @functools.wraps(value)
        def call(*args, **kwargs):
            try:
                return value(*args, **kwargs)
            except UserDisabled as exc:
                self._events.session_ended.emit(exc.name, str(exc))
                raise

        return call

    def __setattr__(self, name: str, value) -> None:
        setattr(self.desk, name, value)


@dataclass
class AppContext:
    desk: object  # cisr_desk.store.service.Desk (or a test double with the same names), as a SessionDesk
    runner: TaskRunner
    settings: UiSettings
    user: object  # UserInfo: .name, .role
    data_dir: Path = field(default_factory=lambda: Path.home() / "cisr-desk")
    events: Events = field(default_factory=Events)

    def __post_init__(self) -> None:
        if not isinstance(self.desk, SessionDesk):
            self.desk = SessionDesk(self.desk, self.events)

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
