"""Errors a user can act on. Every layer raises these; the CLI and the UI show their message."""


class DeskError(Exception):
    """Base class: the message is written for the clerk or supervisor, not for a programmer."""


class NotFound(DeskError):
    pass


class InvalidValue(DeskError):
    pass


class PermissionDenied(DeskError):
    pass


class FourEyesViolation(PermissionDenied):
    """A supervisor tried to approve or reject a record they entered or edited themselves."""


class InvalidTransition(DeskError):
    pass


class InputFileError(DeskError):
    """A file that cannot be read; the message names the file and the problem."""


class HeldByOther(DeskError):
    """Someone else holds the record: it is refused until they release it or their hold lapses."""


class StaleRecord(DeskError):
    """The record changed since the caller last read it; the change is refused, never merged."""


class DatabaseUnavailable(DeskError):
    """The database cannot be reached or refuses the user; the message names it (without its password)."""
