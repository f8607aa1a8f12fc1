"""What the Desk hands out: plain frozen dataclasses, never ORM objects, safe across threads."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cisr_desk.domain.fields import FieldType
from cisr_desk.domain.model import Issue, PagePlacement, Value
from cisr_desk.domain.workflow import AuditEvent
from cisr_desk.export.rows import ExportRow

__all__ = [
    "AuditEvent", "AuthorizationInfo", "ExportBatchInfo", "ExportRow", "FieldDetail", "FileOutcome",
    "ImportReport", "RecordDetail", "RecordRow", "RegistryPreview", "UserInfo",
]


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    active: bool = True
    must_change_password: bool = False  # an admin reset it: choose a new one before anything else
    locked_until: dt.datetime | None = None  # after too many failed sign-ins (aware, UTC)


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str  # imported | duplicate | error | cancelled
    forms: int = 0
    unrecognized_pages: list[int] = field(default_factory=list)
    message: str = ""
    record_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    files: list[FileOutcome]
    batch_id: int | None = None
    run_id: int | None = None  # the import run's number, the same on every seat (the inbox's history)
    at: dt.datetime | None = None
    by: str = ""

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def forms(self) -> int:
        return sum(f.forms for f in self.files)

    @property
    def record_ids(self) -> list[int]:
        return [i for f in self.files for i in f.record_ids]


@dataclass(frozen=True)
class RecordRow:
    """One line of the review queue, read without touching the field values."""

    id: int
    status: str
    template: str
    received: dt.date | None
    customer: str
    drp: str
    doubtful: int  # fields marked for review
    issues: int
    source: str  # file name
    pages: list[int]
    holder: str = ""  # whose hold is in force ("" nobody, or it lapsed)
    request_type: str = ""
    held_since: dt.datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class FieldDetail:
    key: str
    type: FieldType
    label: str
    section: str
    ocr_value: Value
    value: Value
    confidence: float
    review: bool
    reasons: list[str]
    changed_by: str = ""


@dataclass(frozen=True)
class RecordDetail:
    id: int
    status: str
    template: str
    source_path: Path  # the stored copy
    pages: list[int]
    placements: list[PagePlacement]
    fields: list[FieldDetail]
    issues: list[Issue]
    history: list[AuditEvent]
    entered_by: str = ""
    edited_by: frozenset[str] = frozenset()
    flag_reason: str = ""
    reject_reason: str = ""
    holder: str = ""
    received: dt.date | None = None
    source_name: str = ""
    attachment_pages: list[int] = field(default_factory=list)
    missing_pages: list[int] = field(default_factory=list)
    registry_version: int | None = None  # the registry import it was last checked against
    approved_by: str = ""
    approved_at: dt.datetime | None = None
    export_batch: int | None = None
    request_type: str = ""
    held_since: dt.datetime | None = None  # holder: whose hold is in force ("" nobody, or it lapsed)
    version: int = 1  # pass it back as expected_version: a change on an older view is refused
    updated_by: str = ""
    updated_at: dt.datetime | None = None

    def field(self, key: str) -> FieldDetail:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def values(self) -> dict[str, Value]:
        return {f.key: f.value for f in self.fields}


@dataclass(frozen=True)
class RegistryPreview:
    added: list[str]  # registration numbers
    changed: list[str]
    removed: list[str]
    affected_records: list[int]  # open records naming one of those DRPs (or whose issues changed)
    version: int | None = None  # the stored version (import) or None (preview)
    unchanged: bool = False  # the file is the same as the current registry
    rows: int = 0
    source: str = ""


@dataclass(frozen=True)
class ExportBatchInfo:
    id: int
    start: dt.date
    end: dt.date
    path: str
    records: int
    rows: int
    created_by: str
    created_at: dt.datetime
    rows_hash: str = ""


@dataclass(frozen=True)
class AuthorizationInfo:
    id: int
    record_id: int
    service_account: str
    drp_id: str
    customer_account: str
    term_start: dt.date | None
    term_end: dt.date | None
    state: str  # active | revoked | expired
    ended_reason: str = ""


@dataclass(frozen=True)
class DayCounts:
    """What happened to forms on one (local) day."""

    day: dt.date
    received: int = 0
    submitted: int = 0
    flagged: int = 0
    approved: int = 0
    rejected: int = 0
    exported: int = 0


@dataclass(frozen=True)
class ClerkFigures:
    name: str
    forms: int  # submitted or flagged by this clerk in the period
    hours: float  # hours in which the clerk worked on the desk (each hour with any change counts once)
    corrections: int  # field values the clerk changed

    @property
    def forms_per_hour(self) -> float:
        return self.forms / self.hours if self.hours else 0.0

    @property
    def corrections_per_form(self) -> float:
        return self.corrections / self.forms if self.forms else 0.0


@dataclass(frozen=True)
class CaptureDay:
    """How capture did on the forms imported on one day, as the clerks' review settled it."""

    day: dt.date
    fields: int
    sent_to_review: int
    auto_accepted: int  # fields capture did not send to review, among forms reviewed since
    auto_accepted_right: int  # ... of those, kept as read

    @property
    def review_rate(self) -> float:
        return self.sent_to_review / self.fields if self.fields else 0.0

    @property
    def auto_accept_accuracy(self) -> float | None:
        return self.auto_accepted_right / self.auto_accepted if self.auto_accepted else None


@dataclass(frozen=True)
class Dashboard:
    start: dt.date
    end: dt.date
    days: list[DayCounts]
    open_by_status: dict[str, int]
    oldest_open_id: int | None
    oldest_open_since: dt.datetime | None
    backlog_target_days: int
    clerks: list[ClerkFigures]
    capture: list[CaptureDay]

    def backlog_days(self, now: dt.datetime) -> float:
        if self.oldest_open_since is None:
            return 0.0
        return max(0.0, (now - self.oldest_open_since).total_seconds() / 86400)
