"""The DRP registry in the database: every import kept as a version, records point at the one
they were checked against."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cisr_desk.domain.registry import Registry, RegistryDiff
from cisr_desk.store.times import to_db
from cisr_desk.store.models import RegistryEntry, RegistryVersion


def current(session: Session) -> RegistryVersion | None:
    newest = session.scalar(select(func.max(RegistryVersion.id)))
    return session.get(RegistryVersion, newest) if newest is not None else None


def load(session: Session, version_id: int) -> Registry:
    rows = session.scalars(select(RegistryEntry.data).where(RegistryEntry.version_id == version_id)
                           .order_by(RegistryEntry.id))
    return Registry.from_rows(rows)


def store(session: Session, registry: Registry, *, source_name: str, sha256: str, by: str,
          at: dt.datetime) -> RegistryVersion:
    version = RegistryVersion(imported_at=to_db(at), imported_by=by,
                              source_name=source_name, sha256=sha256, row_count=len(registry))
    session.add(version)
    session.flush()
    session.add_all(RegistryEntry(version_id=version.id, registration_no=row["registration_no"], data=row)
                    for row in registry.to_rows())
    session.flush()
    return version


def diff_ids(diff: RegistryDiff) -> tuple[list[str], list[str], list[str]]:
    return ([d.registration_no for d in diff.added], [new.registration_no for _, new in diff.changed],
            [d.registration_no for d in diff.removed])
