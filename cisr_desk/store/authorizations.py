"""What approving a form does to the authorizations in force, and their expiry."""
from __future__ import annotations

import datetime as dt
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from cisr_desk.domain.errors import InvalidTransition
from cisr_desk.domain.model import Value
from cisr_desk.domain.workflow import pairs, request_type, term
from cisr_desk.store.times import to_db
from cisr_desk.store import audit, dto
from cisr_desk.store.models import Authorization, Record


def _end(session: Session, auth: Authorization, rec: Record, by: str, at: dt.datetime, why: str) -> None:
    auth.state = "revoked"
    auth.ended_at = to_db(at)
    auth.ended_by_record_id = rec.id
    auth.ended_reason = why
    audit.log(session, at, by, "authorization_ended", record_id=rec.id, entity="authorization",
              field=f"{auth.service_account} x {auth.drp_id}", old="active", new="revoked", reason=why)


def _fits(rec: Record, found, customer_account: str) -> None:
    """Refuse a number longer than any real one (a misread a supervisor approved anyway): an
    authorization keeps it whole or not at all, and PostgreSQL would refuse the write."""
    checks = [("customer account", customer_account, Authorization.customer_account)]
    checks += [("service account", p.service_account, Authorization.service_account) for p in found]
    checks += [("DRP ID", p.drp_id, Authorization.drp_id) for p in found]
    for label, value, column in checks:
        if len(value) > column.type.length:
            shown = value if len(value) <= 24 else value[:24] + "…"
            raise InvalidTransition(f"Record {rec.id}: the {label} {shown!r} is longer than any real one "
                                    f"({column.type.length} characters at most); correct it before approving")


def apply_approval(session: Session, rec: Record, values: Mapping[str, Value], by: str, at: dt.datetime) -> None:
    """An authorize form creates one authorization per service account x DRP (replacing one
    already active for the same pair); a revoke form ends the matching active ones."""
    kind = request_type(values)
    if not kind:
        raise InvalidTransition(f"Record {rec.id} marks neither or both of authorize and revoke; "
                                "correct the request before approving it")
    found = pairs(values)
    _fits(rec, found, str(values.get("customer_account") or ""))
    active = {(a.service_account, a.drp_id): a for a in session.scalars(
        select(Authorization).where(Authorization.service_account.in_([p.service_account for p in found]),
                                    Authorization.state == "active"))}
    t = term(values)
    for p in found:
        existing = active.get((p.service_account, p.drp_id))
        if kind == "revoke":
            if existing is not None:
                _end(session, existing, rec, by, at, f"revoked by form {rec.id}")
            continue
        if existing is not None:
            _end(session, existing, rec, by, at, f"replaced by form {rec.id}")
        session.add(Authorization(record_id=rec.id, service_account=p.service_account,
                                  service_address=p.service_address, drp_id=p.drp_id,
                                  customer_account=str(values.get("customer_account") or ""),
                                  term_start=t.start, term_end=t.end, state="active", created_at=to_db(at),
                                  ended_reason=""))
        audit.log(session, at, by, "authorization_created", record_id=rec.id, entity="authorization",
                  field=f"{p.service_account} x {p.drp_id}", old="", new="active")


def expire(session: Session, today: dt.date, at: dt.datetime) -> int:
    """Authorizations whose term has ended become expired (a state, logged, never a deletion)."""
    ended = list(session.scalars(select(Authorization).where(
        Authorization.state == "active", Authorization.term_end.is_not(None), Authorization.term_end < today)))
    for auth in ended:
        auth.state = "expired"
        auth.ended_at = to_db(at)
        auth.ended_reason = "term ended"
        audit.log(session, at, "system", "authorization_expired", record_id=auth.record_id, entity="authorization",
                  field=f"{auth.service_account} x {auth.drp_id}", old="active", new="expired",
                  reason=f"term ended {auth.term_end.isoformat()}")
    return len(ended)


def listing(session: Session, *, service_account: str = "", drp_id: str = "", state: str = "",
            record_id: int | None = None) -> list[dto.AuthorizationInfo]:
    query = select(Authorization).order_by(Authorization.id)
    if service_account:
        query = query.where(Authorization.service_account == service_account)
    if drp_id:
        query = query.where(Authorization.drp_id == drp_id)
    if state:
        query = query.where(Authorization.state == state)
    if record_id is not None:
        query = query.where(Authorization.record_id == record_id)
    return [dto.AuthorizationInfo(a.id, a.record_id, a.service_account, a.drp_id, a.customer_account, a.term_start,
                                  a.term_end, a.state, a.ended_reason or "") for a in session.scalars(query)]
