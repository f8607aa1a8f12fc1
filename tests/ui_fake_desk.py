"""A small in-memory Desk with the facade's names, so UI tests run without database or OCR.

It follows the real Desk's contract closely enough for the widgets: same method names, the
same kinds of rows and errors. Business rules here are deliberately trivial.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from cisr_desk.domain.catalog import LABELS, section_of, FIELD_TYPES
from cisr_desk.domain.errors import (AccountDisabled, AccountLocked, FourEyesViolation, HeldByOther,
                                     InvalidTransition, InvalidValue, NotFound, PermissionDenied, SignInFailed,
                                     StaleRecord)
from cisr_desk.domain.fields import FieldType, format_error, normalise
from cisr_desk.domain.model import Issue
from cisr_desk.domain.policy import SitePolicy

TEMPLATE = "14-941-rev-2026-03"
PASSWORD = "fake pass 1"  # every fake user's password
LOCK_AFTER = 3  # wrong passwords in a row
LOCKED_UNTIL = dt.datetime(2026, 11, 29, 10, 15, tzinfo=dt.timezone.utc)


@dataclass
class UserInfo:
    name: str
    role: str
    active: bool = True
    must_change_password: bool = False
    locked_until: dt.datetime | None = None


@dataclass
class FileOutcome:
    path: str
    status: str
    forms: int = 0
    unrecognized_pages: list = field(default_factory=list)
    message: str = ""


@dataclass
class ImportReport:
    files: list


@dataclass
class RecordRow:
    id: int
    status: str
    template: str
    received: str
    customer: str
    drp: str
    doubtful: int
    issues: int
    source: str
    pages: list
    holder: str = ""
    request_type: str = ""
    held_since: dt.datetime | None = None
    version: int = 1


@dataclass
class FieldDetail:
    key: str
    type: FieldType
    label: str
    section: str
    ocr_value: object
    value: object
    confidence: float
    review: bool
    reasons: list
    changed_by: str = ""


@dataclass
class AuditEvent:
    at: str
    user: str
    action: str
    field: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""


@dataclass
class RecordDetail:
    id: int
    status: str
    template: str
    source_path: str
    pages: list
    placements: list
    fields: list
    issues: list
    history: list
    entered_by: str = ""
    edited_by: list = field(default_factory=list)
    flag_reason: str = ""
    reject_reason: str = ""
    holder: str = ""
    held_since: dt.datetime | None = None
    version: int = 1
    updated_by: str = ""


@dataclass
class ExportRow:
    record_id: int
    customer: str
    drp: str
    received: str


@dataclass
class ExportBatchInfo:
    id: int
    start: str
    end: str
    path: str
    records: int
    created_by: str
    created_at: str


@dataclass
class RegistryPreview:
    added: list
    changed: list
    removed: list
    affected_records: list


def _fields(i: int) -> list[FieldDetail]:
    values = {"customer_name": f"Customer {i}", "customer_account": "2123456789", "drp1_id": "DRP1791",
              "drp1_name": "Coastal Energy Partners", "mailing_zip": "9170", "request_authorize": True,
              "customer_signature": True, "customer_sign_date": "2026-11-02"}
    out = []
    for key, ftype in FIELD_TYPES.items():
        value = values.get(key, False if ftype.is_mark else "")
        doubtful = key in ("mailing_zip", "customer_name")
        out.append(FieldDetail(key, ftype, LABELS[key], section_of(key), value, value,
                               0.55 if doubtful else 0.97, doubtful,
                               ["low confidence"] if doubtful else []))
    return out


class FakeDesk:
    url = "memory://fake"

    def __init__(self, n_records: int = 3, source: str = "") -> None:
        self._users = {"clerk": UserInfo("clerk", "clerk"), "supervisor": UserInfo("supervisor", "supervisor"),
                       "admin": UserInfo("admin", "admin")}
        self._passwords = {name: PASSWORD for name in self._users}
        self._failures: dict[str, int] = {}
        self.demo: dict[str, str] = {}
        self._policy = SitePolicy()
        self._records: dict[int, RecordDetail] = {}
        self.source = source
        self.batches: list[ExportBatchInfo] = []
        for _ in range(n_records):
            self._add_record()

    def _add_record(self) -> int:
        rid = len(self._records) + 1
        self._records[rid] = RecordDetail(rid, "in_review", TEMPLATE, self.source, [1, 2], [], _fields(rid),
                                          [Issue("mailing_zip", "format", "'9170' is not a 5-digit ZIP code")],
                                          [], entered_by="")
        return rid

    @classmethod
    def open(cls, url=None):
        return cls()

    def close(self):
        pass

    # users and signing in
    def authenticate(self, name, password, *, via="", quiet_minutes=0):
        user = self._users.get(name.strip())
        if user is None:
            raise SignInFailed(name)
        if user.locked_until is not None:
            raise AccountLocked(user.name, user.locked_until)
        if self._passwords[user.name] != password:
            self._failures[user.name] = self._failures.get(user.name, 0) + 1
            if self._failures[user.name] >= LOCK_AFTER:
                self._users[user.name] = replace(user, locked_until=LOCKED_UNTIL)
                raise AccountLocked(user.name, LOCKED_UNTIL)
            raise SignInFailed(user.name)
        self._failures[user.name] = 0
        if not user.active:
            raise AccountDisabled(user.name)
        return user

    def change_password(self, name, old, new):
        self.authenticate(name, old)
        if len(new) < 8:
            raise InvalidValue("A password needs at least 8 characters")
        self._passwords[name] = new
        self._users[name] = replace(self._users[name], must_change_password=False)
        return self._users[name]

    def _admin(self, by):
        if by not in self._users or self._users[by].role != "admin":
            raise PermissionDenied(f"{by} is not an admin; only an admin may do that")

    def add_user(self, name, role, password="", by=None):
        if self._users:
            self._admin(by)
        if name in self._users:
            raise InvalidValue(f"There is already a user called {name!r}")
        self._users[name] = UserInfo(name, role)
        self._passwords[name] = password
        return self._users[name]

    def set_role(self, name, role, by):
        self._admin(by)
        self._users[name] = replace(self.user(name), role=role)
        return self._users[name]

    def disable_user(self, name, by):
        self._admin(by)
        if name == by:
            raise PermissionDenied("An admin cannot disable themselves; another admin can")
        self._users[name] = replace(self.user(name), active=False)
        for r in self._records.values():  # as the Desk does: their holds go back to the queue
            if r.holder == name:
                r.holder, r.held_since = "", None
        return self._users[name]

    def enable_user(self, name, by):
        self._admin(by)
        self._users[name] = replace(self.user(name), active=True)
        return self._users[name]

    def reset_password(self, name, password, by):
        self._admin(by)
        self._passwords[name] = password
        self._failures[name] = 0
        self._users[name] = replace(self.user(name), must_change_password=True, locked_until=None)
        return self._users[name]

    def first_admin_needed(self):
        return not self._users

    def demo_users(self):
        return dict(self.demo)

    def users(self):
        return list(self._users.values())

    def user(self, name):
        if name not in self._users:
            raise NotFound(f"No user called {name}")
        return self._users[name]

    # import
    def import_history(self, limit=20):
        return []

    def import_files(self, paths, by, *, received=None, progress=None, cancel=None, workers=None):
        outcomes = []
        paths = list(paths)
        for i, path in enumerate(paths):
            if cancel and cancel():
                outcomes.append(FileOutcome(str(path), "cancelled"))
                continue
            if progress:
                from types import SimpleNamespace
                progress(SimpleNamespace(file=str(path), file_index=i, files_total=len(paths), pages_done=1, pages_total=1))
            if not Path(path).exists():
                outcomes.append(FileOutcome(str(path), "error", message=f"{path}: no such file"))
                continue
            self._add_record()
            outcomes.append(FileOutcome(str(path), "imported", forms=1, unrecognized_pages=[3]))
        return ImportReport(outcomes)

    # queue
    def _select(self, status, search):
        out = []
        for r in self._records.values():
            if status and r.status not in ((status,) if isinstance(status, str) else tuple(status)):
                continue
            row = self._row(r)
            if search and search.lower() not in f"{row.customer} {row.drp} {row.id}".lower():
                continue
            out.append(row)
        return out

    def _row(self, r):
        vals = {f.key: f.value for f in r.fields}
        return RecordRow(r.id, r.status, r.template, "2026-11-20", vals["customer_name"], vals["drp1_id"],
                         sum(1 for f in r.fields if f.review), len(r.issues), Path(r.source_path).name, r.pages,
                         r.holder, "", r.held_since, r.version)

    def count_records(self, status=None, search=""):
        return len(self._select(status, search))

    def list_records(self, status=None, search="", offset=0, limit=100, order="id"):
        return self._select(status, search)[offset:offset + limit]

    def record_ids(self, status=None, search=""):
        return [r.id for r in self._select(status, search)]

    def get_record(self, record_id):
        if record_id not in self._records:
            raise NotFound(f"No record {record_id}")
        return self._records[record_id]

    # several seats: the same rules as the Desk, simply (no lapse)
    def _change(self, r, by, expected_version, claim=False):
        if expected_version is not None and expected_version != r.version:
            raise StaleRecord(f"Record {r.id} was changed by {r.updated_by} — reload")
        if r.holder and r.holder != by:
            raise HeldByOther(f"Record {r.id} is held by {r.holder} since 2026-11-29 10:00 UTC")
        if claim and not r.holder:
            r.holder, r.held_since = by, dt.datetime(2026, 11, 29, 10, tzinfo=dt.timezone.utc)
        r.version += 1
        r.updated_by = by

    def claim(self, record_id, by):
        r = self.get_record(record_id)
        if r.status in ("approved", "exported"):
            raise InvalidTransition(f"Record {record_id} is {r.status}")
        if r.holder and r.holder != by:
            raise HeldByOther(f"Record {r.id} is held by {r.holder} since 2026-11-29 10:00 UTC")
        r.holder, r.held_since = by, dt.datetime(2026, 11, 29, 10, tzinfo=dt.timezone.utc)
        return r

    def release(self, record_id, by, *, force=False):
        r = self.get_record(record_id)
        if r.holder and r.holder != by and not force:
            raise HeldByOther(f"Record {r.id} is held by {r.holder}; only they may release it")
        r.holder, r.held_since = "", None
        return r

    def next_record(self, by):
        for r in self._records.values():
            if r.status == "in_review" and not r.holder:
                return self.claim(r.id, by)
        return None

    def set_field(self, record_id, key, value, by, *, expected_version=None, hold=True):
        r = self.get_record(record_id)
        self._change(r, by, expected_version, claim=hold)
        for i, f in enumerate(r.fields):
            if f.key == key:
                if not f.type.is_mark:
                    value = normalise(f.type, value)
                    err = format_error(f.type, value, key)
                else:
                    err = None
                r.fields[i] = replace(f, value=value, review=bool(err), reasons=[err] if err else [], changed_by=by)
                r.history.append(AuditEvent("2026-11-29 10:00", by, "edit", key, str(f.value), str(value)))
        r.issues = [i for i in r.issues if i.field != key] if not any(f.review for f in r.fields if f.key == key) else r.issues
        if by not in r.edited_by:
            r.edited_by.append(by)
        return r

    def accept_field(self, record_id, key, by, *, expected_version=None, hold=True):
        r = self.get_record(record_id)
        self._change(r, by, expected_version, claim=hold)
        for i, f in enumerate(r.fields):
            if f.key == key:
                r.fields[i] = replace(f, review=False, reasons=[], changed_by=by)
        return r

    def submit(self, record_id, by, *, expected_version=None):
        r = self.get_record(record_id)
        if any(f.review for f in r.fields):
            raise InvalidTransition("Some fields are still in doubt")
        self._change(r, by, expected_version)
        r.status, r.holder, r.held_since = "submitted", "", None
        if by not in r.edited_by:
            r.edited_by.append(by)

    def flag(self, record_id, reason, by, *, expected_version=None):
        r = self.get_record(record_id)
        self._change(r, by, expected_version)
        r.status, r.flag_reason, r.holder, r.held_since = "flagged", reason, "", None

    def approve(self, record_id, by):
        r = self.get_record(record_id)
        if self._users[by].role not in ("supervisor", "admin"):
            raise PermissionDenied("Only a supervisor may approve")
        if by in r.edited_by:
            raise FourEyesViolation(f"{by} edited this record, so another supervisor must approve it")
        r.status = "approved"

    def reject(self, record_id, reason, by):
        r = self.get_record(record_id)
        r.status, r.reject_reason = "rejected", reason

    def return_to_clerk(self, record_id, by):
        self.get_record(record_id).status = "in_review"

    def history(self, record_id):
        return list(self.get_record(record_id).history)

    # registry
    def preview_registry(self, path):
        return RegistryPreview(["DRP9999"], [], [], [])

    def import_registry(self, path, by):
        return self.preview_registry(path)

    def registry(self):
        return None

    # export
    def preview_export(self, start, end):
        return [ExportRow(r.id, self._row(r).customer, self._row(r).drp, "2026-11-20")
                for r in self._records.values() if r.status == "approved"]

    def export_period(self, start, end, by, out):
        rows = self.preview_export(start, end)
        if not rows:
            return None
        path = Path(out) / f"authorizations-batch-{len(self.batches) + 1}.xlsx"  # out: the folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("fake workbook")
        info = ExportBatchInfo(len(self.batches) + 1, str(start), str(end), str(path), len(rows), by, "now")
        self.batches.append(info)
        for r in self._records.values():
            if r.status == "approved":
                r.status = "exported"
        return info

    def export_batches(self):
        return list(self.batches)

    def reexport(self, batch_id, by, out):
        return self.batches[batch_id - 1]

    def policy(self):
        return self._policy

    def set_policy(self, policy, by):
        self._policy = policy


def today() -> dt.date:
    return dt.date(2026, 11, 29)
