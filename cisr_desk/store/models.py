"""The tables of the desk's database (SQLAlchemy 2 declarative models).

Only portable types (JSON, Date, DateTime without time zone, holding UTC) so the same schema
runs on SQLite and PostgreSQL. The list columns of ``records`` (customer, DRP, counts) are
kept up to date on every change so the review queue never has to read field rows.
Changes to these models need a new migration in ``migrations/versions``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest id an Integer primary key can hold on every database (32 bits on PostgreSQL): a
# larger number names no row, and asking the database for it would raise, not find nothing.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    password_hash: Mapped[str] = mapped_column(String(255), default="")  # argon2id; "" = cannot sign in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # in a row; reset by a good sign-in
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)  # after an admin's reset
    sign_in_logged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the last sign-in in the audit log
    sign_in_logged_from: Mapped[str] = mapped_column(String(255), default="")  # ... and the seat it came from


class Setting(Base):
    """Site settings shared by every seat (site policy, the clean-submission counter, ...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class Counter(Base):
    """A number several seats increment at once (``UPDATE ... SET value = value + 1``)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class RegistryVersion(Base):
    """One import of the DRP registry; every version is kept."""

    __tablename__ = "registry_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(80))
    source_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)


class RegistryEntry(Base):
    __tablename__ = "registry_entries"
    __table_args__ = (UniqueConstraint("version_id", "registration_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("registry_versions.id"))
    registration_no: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON)  # DRP.to_row()


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    registry_version_id: Mapped[int | None] = mapped_column(ForeignKey("registry_versions.id"))


class ImportRun(Base):
    """One import as the clerk saw it: each file named, with what became of it (the inbox's history)."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(80))
    outcomes: Mapped[list] = mapped_column(JSON)  # FileOutcome fields, in the order of the selection


class SourceFile(Base):
    """A scanned or digital PDF as received; the stored copy is named by its SHA-256."""

    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(255))  # relative to the files folder
    unrecognized_pages: Mapped[list] = mapped_column(JSON)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Record(Base):
    """One form found in a source file, and where it stands in the workflow."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_status_id", "status", "id"),
        Index("ix_records_approved_on_status", "approved_on", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    template: Mapped[str] = mapped_column(String(80))
    pages: Mapped[list] = mapped_column(JSON)  # 1-based source pages, form-page order
    attachment_pages: Mapped[list] = mapped_column(JSON)
    missing_pages: Mapped[list] = mapped_column(JSON)
    digital: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    holder: Mapped[str] = mapped_column(String(80), default="")
    held_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # bumped by every change; a change made on an older version is refused ("changed by X at T")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    received: Mapped[dt.date | None] = mapped_column(Date)
    # list columns, kept in step with the field values
    customer: Mapped[str] = mapped_column(String(255), default="")
    customer_account: Mapped[str] = mapped_column(String(32), default="")
    drp: Mapped[str] = mapped_column(String(32), default="")
    request_type: Mapped[str] = mapped_column(String(16), default="")
    doubtful: Mapped[int] = mapped_column(Integer, default=0)
    issue_count: Mapped[int] = mapped_column(Integer, default=0)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    search: Mapped[str] = mapped_column(Text, default="")  # lower-case text the queue search looks in
    # every current value by key, in one column: exports and registry re-checks of thousands of
    # records read these instead of tens of field rows each (field_values stays the full story)
    current_values: Mapped[dict | None] = mapped_column(JSON)
    # workflow
    entered_by: Mapped[str] = mapped_column(String(80), default="")
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    registry_version_id: Mapped[int | None] = mapped_column(ForeignKey("registry_versions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    approved_by: Mapped[str] = mapped_column(String(80), default="")
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)  # local date, for the weekly export
    export_batch_id: Mapped[int | None] = mapped_column(ForeignKey("export_batches.id"), index=True)


class RecordPage(Base):
    """Where a form page sits in the stored source file, so the UI can re-render it and crop fields."""

    __tablename__ = "record_pages"
    __table_args__ = (UniqueConstraint("record_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    position: Mapped[int] = mapped_column(Integer)
    source_page: Mapped[int] = mapped_column(Integer)
    rotated: Mapped[bool] = mapped_column(Boolean)
    dpi: Mapped[float] = mapped_column(Float)
    matrix: Mapped[list] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)


class FieldValue(Base):
    __tablename__ = "field_values"
    __table_args__ = (UniqueConstraint("record_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    key: Mapped[str] = mapped_column(String(64))
    ocr_value: Mapped[object] = mapped_column(JSON)  # str or bool, as capture read it
    value: Mapped[object] = mapped_column(JSON)  # current value
    confidence: Mapped[float] = mapped_column(Float)
    review: Mapped[bool] = mapped_column(Boolean)
    ocr_review: Mapped[bool] = mapped_column(Boolean, default=False)  # as capture left it: the review rate
    reasons: Mapped[list] = mapped_column(JSON)
    raw: Mapped[str] = mapped_column(Text, default="")
    # The acceptance model's features of the OCR reading (capture/acceptance.py), for refitting
    # it from reviewed records (cisr-desk calibrate); None when there were none.
    features: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=None)
    changed_by: Mapped[str] = mapped_column(String(80), default="")
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RecordIssue(Base):
    __tablename__ = "issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    field: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class Authorization(Base):
    """One service account released to one DRP by an approved authorize form."""

    __tablename__ = "authorizations"
    __table_args__ = (Index("ix_authorizations_pair", "service_account", "drp_id", "state"),
                      Index("ix_authorizations_state_term_end", "state", "term_end"))
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    service_account: Mapped[str] = mapped_column(String(16))
    service_address: Mapped[str] = mapped_column(Text, default="")
    drp_id: Mapped[str] = mapped_column(String(16))
    customer_account: Mapped[str] = mapped_column(String(16), default="")
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)  # None: until revoked
    state: Mapped[str] = mapped_column(String(16))  # active | revoked | expired
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    ended_reason: Mapped[str] = mapped_column(Text, default="")


class ExportBatch(Base):
    __tablename__ = "export_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    record_count: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(Integer)
    rows_hash: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text, default="")


class ExportBatchRow(Base):
    """The rows of an export batch exactly as written, so a re-export reproduces them."""

    __tablename__ = "export_rows"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("export_batches.id"))
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class AuditRecord(Base):
    """The append-only audit log (the migration adds triggers that refuse updates and deletes)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    entity: Mapped[str] = mapped_column(String(40), default="record")
    field: Mapped[str] = mapped_column(String(64), default="")
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
