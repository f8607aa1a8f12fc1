"""Who may use the desk: user names, sign-in with lockout, and what admins do to users.

Functions over an open session; the Desk wraps each in its own transaction. Every change to a
user writes an audit event (entity ``user``): ``user`` is who did it, ``field`` what changed
(role, active, password, sign-in), ``old``/``new`` the values (never a password or a hash)
and ``reason`` the name of the user it concerns (the one column wide enough for every name).
A good sign-in is logged too (``sign_in``, ``new`` the seat it came from).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import InvalidValue, NotFound, PermissionDenied, UserDisabled
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.store import audit, dto, passwords
from cisr_desk.store.models import User
from cisr_desk.store.times import from_db, to_db

MAX_NAME = 80  # the users.name column
MAX_SEAT = 255  # the users.sign_in_logged_from column
SYSTEM = "system"  # work no person did (expiry, re-checks); never a user
RESERVED = (SYSTEM, wf.POLICY_USER)


def clean_name(text: str) -> str:
    """A user name as stored: inner spaces collapsed, ends trimmed. No checks."""
    return " ".join(str(text or "").split())


def valid_name(text: str) -> str:
    """A name a new user may have, or InvalidValue saying why not."""
    name = clean_name(text)
    if not name:
        raise InvalidValue("A user needs a name")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"A user name has at most {MAX_NAME} characters ({len(name)} given)")
    if not name.isprintable():
        raise InvalidValue("A user name can only have printable characters")
    if name.lower() in RESERVED:
        raise InvalidValue(f"{name!r} cannot be a user name")
    return name


def shown(name: str) -> str:
    """An untrusted name as it may appear in a message or the audit log: cut to the column."""
    name = clean_name(name)
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def find(s: Session, name: str) -> User | None:
    name = clean_name(name)
    if not name or len(name) > MAX_NAME:
        return None
    return s.scalars(select(User).where(User.name == name)).first()


def get(s: Session, name: str) -> User:
    user = find(s, name)
    if user is None:
        raise NotFound(f"There is no user called {shown(name)!r}")
    return user


def info(user: User, now: dt.datetime | None = None) -> dto.UserInfo:
    locked = from_db(user.locked_until)
    if locked is not None and now is not None and locked <= now:
        locked = None
    return dto.UserInfo(user.name, user.role, bool(user.active), bool(user.must_change_password), locked)


def first_admin_needed(s: Session) -> bool:
    """Nobody can sign in yet: a new database, or one whose users are from before passwords."""
    return not s.scalar(select(func.count()).select_from(User).where(User.password_hash != ""))


def _active_admins(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User).where(User.role == wf.Role.ADMIN.value,
                                                                 User.active.is_(True))) or 0


def require_admin(s: Session, by: str, doing: str) -> User:
    actor = find(s, by)
    if actor is None:
        raise PermissionDenied(f"Only a signed-in administrator may {doing}")
    if not actor.active:
        raise UserDisabled(actor.name)
    if actor.role != wf.Role.ADMIN.value:
        raise PermissionDenied(f"{actor.name} is a {actor.role}; only an admin may {doing}")
    return actor


def _log(s: Session, at: dt.datetime, by: str, action: str, subject: str, field: str = "", old="", new="") -> None:
    audit.log(s, at, shown(by), action, entity="user", field=field, old=old, new=new, reason=shown(subject))


# -- adding and changing users ------------------------------------------------------------------------
def add(s: Session, name: str, role: str, password: str, by: str | None, at: dt.datetime,
        policy: SitePolicy) -> dto.UserInfo:
    """While nobody can sign in, the first admin needs nobody's permission: a new user, or an
    admin of a database from before passwords, who sets their own. After that only admins add."""
    name = valid_name(name)
    r = wf.parse_role(role)
    passwords.check_new(password, policy.min_password_length)
    if first_admin_needed(s):
        if r is not wf.Role.ADMIN:
            raise PermissionDenied("The first user of a database must be an admin (--role admin)")
        existing = find(s, name)
        if existing is not None and existing.role == wf.Role.ADMIN.value:
            existing.password_hash = passwords.hash_password(password)
            existing.password_changed_at = to_db(at)
            existing.active, existing.must_change_password = True, False
            _log(s, at, existing.name, "password_set", existing.name, "password", new="(first admin)")
            return info(existing, at)
        by = name
    else:
        by = require_admin(s, by or "", "add users").name
    if find(s, name) is not None:
        raise InvalidValue(f"There is already a user called {name!r}")
    s.add(User(name=name, role=r.value, created_at=to_db(at), password_hash=passwords.hash_password(password),
               active=True, failed_logins=0, password_changed_at=to_db(at), must_change_password=False))
    _log(s, at, by, "user_added", name, "role", new=r.value)
    return dto.UserInfo(name, r.value)


def set_role(s: Session, name: str, role: str, by: str, at: dt.datetime) -> dto.UserInfo:
    admin = require_admin(s, by, "change roles")
    user = get(s, name)
    r = wf.parse_role(role)
    if user.role == r.value:
        return info(user, at)
    if user.role == wf.Role.ADMIN.value and user.active and _active_admins(s) <= 1:
        raise PermissionDenied(f"{user.name} is the last active admin; make someone else an admin first")
    _log(s, at, admin.name, "user_role_changed", user.name, "role", user.role, r.value)
    user.role = r.value
    return info(user, at)


def set_active(s: Session, name: str, active: bool, by: str, at: dt.datetime) -> dto.UserInfo:
    admin = require_admin(s, by, "disable or enable users")
    user = get(s, name)
    if bool(user.active) == active:
        return info(user, at)
    if not active and user.role == wf.Role.ADMIN.value and _active_admins(s) <= 1:
        raise PermissionDenied(f"{user.name} is the last active admin and cannot be disabled")
    if not active and user.id == admin.id:
        raise PermissionDenied("An admin cannot disable themselves; another admin can")
    user.active = active
    if active:  # a fresh start: no lockout carried over from before
        user.failed_logins, user.locked_until = 0, None
    _log(s, at, admin.name, "user_enabled" if active else "user_disabled", user.name, "active",
         not active, active)
    return info(user, at)


def reset_password(s: Session, name: str, password: str, by: str, at: dt.datetime,
                   policy: SitePolicy) -> dto.UserInfo:
    """An admin sets a temporary password; the user chooses a new one at the next sign-in."""
    admin = require_admin(s, by, "reset passwords")
    user = get(s, name)
    passwords.check_new(password, policy.min_password_length)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = to_db(at)
    user.must_change_password = user.name != admin.name
    user.failed_logins, user.locked_until = 0, None
    _log(s, at, admin.name, "password_reset", user.name, "password", new="(reset)")
    return info(user, at)


def change_password(s: Session, user: User, new: str, at: dt.datetime, policy: SitePolicy) -> dto.UserInfo:
    """The user's own change, after the old password was checked."""
    passwords.check_new(new, policy.min_password_length)
    if passwords.verify(user.password_hash, new):
        raise InvalidValue("The new password must differ from the old one")
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = to_db(at)
    user.must_change_password = False
    _log(s, at, user.name, "password_changed", user.name, "password", new="(changed)")
    return info(user, at)


# -- signing in ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    """What a sign-in found before the (slow) password check, read outside any write lock."""

    user_id: int | None
    stored_hash: str
    locked_until: dt.datetime | None
    failed: int = 0
    active: bool = True
    logged_at: dt.datetime | None = None  # the user's last sign-in in the audit log
    logged_from: str = ""  # ... and its seat

    def logs(self, seat: str, at: dt.datetime, quiet_minutes: int) -> bool:
        """Whether a good sign-in from ``seat`` goes into the audit log: always, unless
        ``quiet_minutes`` (the command line, which signs in for every command) ask for at most one
        per seat in that time. A disabled user's is refused, not logged."""
        if not self.active:
            return False
        if quiet_minutes <= 0 or self.logged_at is None or self.logged_from != seat:
            return True
        return not self.logged_at <= at < self.logged_at + dt.timedelta(minutes=quiet_minutes)

    def needs_write(self, log: bool) -> bool:
        """Whether a good sign-in has anything to write (a count, a lockout, an old hash, the log)."""
        return log or bool(self.failed) or self.locked_until is not None or passwords.needs_rehash(self.stored_hash)


def seat(via: str, host: str) -> str:
    """Where a sign-in comes from, as the audit log says it: "command line on desk-07"."""
    return " on ".join(p for p in (clean_name(via), clean_name(host)) if p)[:MAX_SEAT]


def look_up(s: Session, name: str, at: dt.datetime) -> Attempt:
    user = find(s, name)
    if user is None:
        return Attempt(None, "", None)
    locked = from_db(user.locked_until)
    return Attempt(user.id, user.password_hash or "", locked if locked is not None and locked > at else None,
                   user.failed_logins or 0, bool(user.active), from_db(user.sign_in_logged_at),
                   user.sign_in_logged_from or "")


def record_failure(s: Session, attempt: Attempt, name: str, at: dt.datetime, policy: SitePolicy,
                   why: str = "") -> dt.datetime | None:
    """Count a failed sign-in; returns the end of the lockout it starts, if it starts one."""
    user = s.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None:
        _log(s, at, name, "sign_in_failed", name, "sign-in", new=why)
        return None
    user.failed_logins = (user.failed_logins or 0) + 1
    _log(s, at, user.name, "sign_in_failed", user.name, "failed sign-ins", user.failed_logins - 1,
         user.failed_logins)
    if 0 < policy.max_failed_sign_ins <= user.failed_logins:
        until = at + dt.timedelta(minutes=max(1, policy.lockout_minutes))
        user.locked_until = to_db(until)
        user.failed_logins = 0
        _log(s, at, user.name, "user_locked", user.name, "locked until", "", until.isoformat(timespec="minutes"))
        return until
    return None


def record_success(s: Session, attempt: Attempt, password: str, at: dt.datetime, *, seat: str = "",
                   log: bool = False) -> User:
    """Clear the failure count (and renew an outdated hash); ``log``: write the sign-in from ``seat``
    into the audit log (``Attempt.logs``). Never the password, nor its hash."""
    user = s.get(User, attempt.user_id)
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if log and user.active:
        _log(s, at, user.name, "sign_in", user.name, "sign-in", new=seat)
        user.sign_in_logged_at, user.sign_in_logged_from = to_db(at), seat
    return user
