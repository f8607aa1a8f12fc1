"""Writing the append-only audit log: one line per change, who, when, what, old -> new, why."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cisr_desk.domain.workflow import AuditEvent
from cisr_desk.store.times import to_db
from cisr_desk.store.models import AuditRecord


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def log(session: Session, at: dt.datetime, user: str, action: str, *, record_id: int | None = None,
        entity: str = "record", field: str = "", old: object = "", new: object = "", reason: str = "") -> None:
    session.add(AuditRecord(at=to_db(at), user=user, action=action, record_id=record_id, entity=entity,
                            field=field or "", old=_text(old), new=_text(new), reason=reason or ""))


def log_event(session: Session, event: AuditEvent, entity: str = "record") -> None:
    log(session, event.at, event.user, event.action, record_id=event.record_id, entity=entity, field=event.field,
        old=event.old, new=event.new, reason=event.reason)


def log_many(session: Session, events: list[AuditEvent], entity: str = "record") -> None:
    """Many events in one statement (an export marks thousands of records)."""
    if events:
        session.execute(insert(AuditRecord), [
            {"at": to_db(e.at), "user": e.user, "action": e.action, "record_id": e.record_id, "entity": entity,
             "field": e.field or "", "old": _text(e.old), "new": _text(e.new), "reason": e.reason or ""}
            for e in events])
