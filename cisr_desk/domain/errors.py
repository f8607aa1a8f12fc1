"""Errors a user can act on. Every layer raises these; the CLI and the UI show their message."""


class DeskError(Exception):
    """Base class: the message is written for the clerk or supervisor, not for a programmer."""


class NotFound(DeskError):
    pass


class InvalidValue(DeskError):
    pass


class PermissionDenied(DeskError):
    pass


class UserDisabled(PermissionDenied):
    """The user an action is done for was disabled by an administrator (while signed in, say):
    nothing more is done on their behalf, and the application ends their session."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Your account ({name}) was disabled by an administrator: nothing was changed. "
                         "Ask an administrator to enable it again.")
        self.name = name


class FourEyesViolation(PermissionDenied):
    """A supervisor tried to approve or reject a record they entered or edited themselves."""


class InvalidTransition(DeskError):
    pass


class NeedsOverride(InvalidTransition):
    """Approving a record that still fails a rule needs an override with a reason."""


class RuleBlocksApproval(InvalidTransition):
    """The record fails a rule that no override can wave through."""


class InputFileError(DeskError):
    """A file that cannot be read; the message names the file and the problem."""


class SignInFailed(DeskError):
    """Wrong name or password (one message for both, so names cannot be probed)."""

    MESSAGE = "There is no user called {name!r} with that password"

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or self.MESSAGE.format(name=name))
        self.name = name


class AccountLocked(SignInFailed):
    """Too many failed sign-ins in a row: refused until ``until`` (an aware datetime)."""

    def __init__(self, name: str, until) -> None:
        local = until.astimezone()
        super().__init__(name, f"Too many failed sign-ins: {name!r} is locked until {local:%Y-%m-%d %H:%M} "
                               f"(or until an administrator resets the password)")
        self.until = until


class AccountDisabled(SignInFailed):
    def __init__(self, name: str) -> None:
        super().__init__(name, f"{name!r} is disabled; ask an administrator")


class OutputFileError(DeskError):
    """A file or folder that cannot be written (or would replace another); the message names it."""


class HeldByOther(DeskError):
    """Someone else holds the record: it is refused until they release it or their hold lapses."""


class StaleRecord(DeskError):
    """The record changed since the caller last read it; the change is refused, never merged."""


class DatabaseUnavailable(DeskError):
    """The database cannot be reached or refuses the user; the message names it (without its password)."""
