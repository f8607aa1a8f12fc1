"""The Desk: the one facade over the store that the command line and the GUI use.

Every call opens its own session (the GUI calls from worker threads) and returns plain frozen
dataclasses (``dto``); writes are serialised through one lock per Desk (and, on SQLite, an
immediate transaction, so several processes queue rather than fail). State changes go through
``cisr_desk.domain.workflow`` and each writes its audit event in the same transaction.

Several seats: a record being worked on is held by its clerk (``claim``, ``next_record``,
``release``; a hold lapses after ``SitePolicy.hold_idle_minutes`` idle). Every change takes the
record's row lock, refuses a record someone else holds, bumps its ``version``, and, given the
``expected_version`` the caller's view was read at, refuses a change made on a stale view.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Collection, Iterator

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cisr_desk.domain import reasons
from cisr_desk.domain import workflow as wf
from cisr_desk.domain.errors import (AccountDisabled, AccountLocked, DatabaseUnavailable, InvalidValue, NotFound,
                                     PermissionDenied, SignInFailed, UserDisabled)
from cisr_desk.domain.policy import SitePolicy
from cisr_desk.domain.rules import received_problem
from cisr_desk.domain.registry import Registry
from cisr_desk.store import (audit, authorizations, counters, db, dto, identity, passwords, records,
                             registry_store)
from cisr_desk.store.identity import SYSTEM
from cisr_desk.store.importing import Extractor, ImportContext, default_extractor, run_import, sha256_of
from cisr_desk.store.models import Record, Setting, User
from cisr_desk.store.times import from_db, to_db

Clock = Callable[[], dt.datetime]
POLICY_KEY = "site_policy"
REASONS_KEY = "reason_codes"
RECEIVED = "received"  # set_field's name for the record's date of receipt
CLEAN_COUNT_KEY = "clean_submissions"
DEMO_KEY = "demo"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Desk:
    """Records, review workflow, registry and exports over one database."""

    def __init__(self, url: str, *, files_dir: Path | str | None = None, clock: Clock | None = None,
                 extractor: Extractor | None = None) -> None:
        self.url = url
        self.files_dir = db.resolve_files_dir(url, files_dir)
        self._engine = db.make_engine(url)
        self._writer = self._engine.execution_options(writer=True)
        self._lock = threading.RLock()
        self._clock = clock or _utc_now
        self._extractor = extractor or default_extractor
        self._registry_cache: tuple[int, Registry] | None = None
        self.backup: Path | None = None
        self.host = socket.gethostname()  # this seat's machine, named in the sign-ins the audit log keeps

    @classmethod
    def open(cls, url: str | None = None, *, files_dir: Path | str | None = None, clock: Clock | None = None,
             extractor: Extractor | None = None) -> "Desk":
        """Open (and create or upgrade) the database; None means ``CISR_DESK_DB``, settings, or the default."""
        desk = cls(db.resolve_url(url), files_dir=files_dir, clock=clock, extractor=extractor)
        try:
            with desk._lock:
                desk.backup = db.migrate(desk._engine)
            desk.expire_authorizations()
        except OperationalError as exc:  # no server, refused, wrong password: one line for the user
            desk.close()
            where = make_url(desk.url).render_as_string(hide_password=True)
            raise DatabaseUnavailable(f"Cannot open the database {where}: {str(exc.orig).strip().splitlines()[-1]}"
                                      ) from exc
        return desk

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "Desk":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        at = self._clock()
        return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)

    def today(self) -> dt.date:
        return self.now().astimezone().date()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as s:
            yield s

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._lock, Session(self._writer, expire_on_commit=False) as s, s.begin():
            yield s

    def reviewed_readings(self) -> tuple[list[dict], int]:
        """The OCR'd fields of reviewed records with the features capture judged them by (for
        ``cisr-desk calibrate``), and how many reviewed fields have no stored features."""
        from cisr_desk.store import calibration

        with self._read() as s:
            rows = calibration.reviewed_readings(s)
            total, with_features = calibration.counts(s)
        return rows, total - with_features

    def _user(self, s: Session, name: str) -> User:
        user = identity.find(s, name)
        if user is None:
            name = identity.shown(name)
            raise NotFound(f"There is no user called {name!r} (an admin adds one with: "
                           f"cisr-desk users add {name} --role clerk)")
        return user

    def _actor(self, s: Session, name: str) -> wf.Actor:
        """The user acting, who must exist and be active: every change on a user's behalf asks, so a
        user disabled while their window is open can do nothing more (UserDisabled)."""
        user = self._user(s, name)
        if not user.active:
            raise UserDisabled(user.name)
        return wf.Actor(user.name, wf.Role(user.role))

    @contextmanager
    def _acting(self, by: str) -> Iterator[Session]:
        """A write transaction on ``by``'s behalf, refused once they are disabled (a long import
        asks again for every file it stores)."""
        with self._write() as s:
            self._actor(s, by)
            yield s

    def _setting(self, s: Session, key: str, default=None):
        row = s.get(Setting, key)
        return row.value if row is not None else default

    def _put_setting(self, s: Session, key: str, value) -> None:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value

    # -- users and signing in ---------------------------------------------------------------------
    def authenticate(self, name: str, password: str, *, via: str = "", quiet_minutes: int = 0) -> dto.UserInfo:
        """The user with this name and password, or SignInFailed (AccountLocked, AccountDisabled).

        The password is checked outside the write lock (argon2 is slow on purpose); failures are
        counted and audited, and enough of them in a row lock the user out for a while. A good
        sign-in is audited with its seat: ``via`` (the application, the command line) on this
        machine; with ``quiet_minutes`` (the command line signs in for every command) at most once
        in that time per user and seat.
        """
        return self._sign_in(name, password, identity.seat(via, self.host), quiet_minutes)

    def _sign_in(self, name: str, password: str, seat: str | None, quiet_minutes: int = 0) -> dto.UserInfo:
        """``authenticate``; ``seat`` None: only the password is checked (before changing it), no sign-in logged."""
        now = self.now()
        with self._read() as s:
            attempt = identity.look_up(s, name, now)
            policy = self._policy(s)
        shown = identity.shown(name)
        if attempt.user_id is None or not attempt.stored_hash:
            passwords.spend_time(password)
            with self._write() as s:
                identity.record_failure(s, attempt, shown, now, policy,
                                        "no such user" if attempt.user_id is None else "no password set")
            raise SignInFailed(shown)
        if attempt.locked_until is not None:  # refused without counting, and without a look at the password
            passwords.spend_time(password)
            with self._write() as s:
                identity.record_failure(s, identity.Attempt(None, "", None), shown, now, policy, "locked")
            raise AccountLocked(shown, attempt.locked_until)
        if not passwords.verify(attempt.stored_hash, password):
            with self._write() as s:
                until = identity.record_failure(s, attempt, shown, now, policy)
            if until is not None:
                raise AccountLocked(shown, until)
            raise SignInFailed(shown)
        log = seat is not None and attempt.logs(seat, now, quiet_minutes)
        if attempt.needs_write(log):
            with self._write() as s:
                identity.record_success(s, attempt, password, now, seat=seat or "", log=log)
        with self._read() as s:
            user = s.get(User, attempt.user_id)
            if not user.active:
                raise AccountDisabled(user.name)
            return identity.info(user, now)

    def add_user(self, name: str, role: str, password: str, by: str | None = None) -> dto.UserInfo:
        """The first user of a database must be an admin and needs no ``by`` (an admin from
        before passwords sets theirs this way); after that ``by`` must be an active admin."""
        with self._write() as s:
            return identity.add(s, name, role, password, by, self.now(), self._policy(s))

    def set_role(self, name: str, role: str, by: str) -> dto.UserInfo:
        with self._write() as s:
            return identity.set_role(s, name, role, by, self.now())

    def disable_user(self, name: str, by: str) -> dto.UserInfo:
        """The user can sign in and change nothing more, and the records they hold go back to
        the queue at once (they could never finish them; a supervisor saw "held" for an hour)."""
        with self._write() as s:
            user = identity.set_active(s, name, False, by, self.now())
            admin = identity.get(s, by).name
            held = s.scalars(select(Record).where(Record.holder == user.name).order_by(Record.id).with_for_update())
            for rec in held:
                self._give_back(s, rec, admin, f"released by {admin}: {user.name} was disabled")
            return user

    def enable_user(self, name: str, by: str) -> dto.UserInfo:
        with self._write() as s:
            return identity.set_active(s, name, True, by, self.now())

    def reset_password(self, name: str, password: str, by: str) -> dto.UserInfo:
        """A temporary password from an admin; the user must choose a new one at the next sign-in."""
        with self._write() as s:
            return identity.reset_password(s, name, password, by, self.now(), self._policy(s))

    def change_password(self, name: str, old: str, new: str) -> dto.UserInfo:
        """A user's own new password, given the current one (checked like a sign-in, which it follows)."""
        self._sign_in(name, old, None)
        with self._write() as s:
            return identity.change_password(s, identity.get(s, name), new, self.now(), self._policy(s))

    def users(self) -> list[dto.UserInfo]:
        now = self.now()
        with self._read() as s:
            return [identity.info(u, now) for u in s.scalars(select(User).order_by(User.name))]

    def first_admin_needed(self) -> bool:
        """Nobody can sign in yet (a new database, or users from before passwords): the next
        ``add_user`` of an admin needs no ``by``."""
        with self._read() as s:
            return identity.first_admin_needed(s)

    def user(self, name: str) -> dto.UserInfo:
        with self._read() as s:
            return identity.info(self._user(s, name), self.now())

    def mark_demo(self, users: dict[str, str], by: str) -> None:
        """This database is the demo: its sign-in screen may say the demo users' passwords."""
        with self._write() as s:
            identity.require_admin(s, by, "mark the demo database")
            self._put_setting(s, DEMO_KEY, {"users": dict(users)})

    def demo_users(self) -> dict[str, str]:
        """Name -> role of the demo users, on the demo database only (else empty)."""
        with self._read() as s:
            value = self._setting(s, DEMO_KEY) or {}
            return dict(value.get("users") or {}) if isinstance(value, dict) else {}

    # -- site policy -------------------------------------------------------------------------------
    def _policy(self, s: Session) -> SitePolicy:
        return SitePolicy.from_dict(self._setting(s, POLICY_KEY, {}))

    def policy(self) -> SitePolicy:
        with self._read() as s:
            return self._policy(s)

    def set_policy(self, policy: SitePolicy, by: str) -> None:
        with self._write() as s:
            actor = self._actor(s, by)
            if actor.role not in (wf.Role.SUPERVISOR, wf.Role.ADMIN):
                raise PermissionDenied(f"{by} is a {actor.role.value}; only a supervisor or admin may change site policy")
            old = self._policy(s).to_dict()
            new = policy.to_dict()
            if actor.role is not wf.Role.ADMIN and any(old.get(k) != new[k] for k in SitePolicy.IDENTITY):
                raise PermissionDenied(f"{by} is a {actor.role.value}; only an admin may change sign-in and "
                                       "password rules")
            self._put_setting(s, POLICY_KEY, new)
            for key in new:
                if old.get(key) != new[key]:
                    audit.log(s, self.now(), by, "policy_changed", entity="policy", field=key, old=old.get(key),
                              new=new[key])

    # -- reason codes --------------------------------------------------------------------------------
    def _reasons(self, s: Session) -> tuple[reasons.ReasonCode, ...]:
        return reasons.parse(self._setting(s, REASONS_KEY))

    def reason_codes(self, kind: str | None = None) -> list[reasons.ReasonCode]:
        with self._read() as s:
            codes = self._reasons(s)
        return reasons.for_kind(codes, kind) if kind else list(codes)

    def set_reason_codes(self, codes: list[reasons.ReasonCode], by: str) -> None:
        """The site's list of reasons (supervisors and admins); every change is audited."""
        codes = reasons.validate(codes)
        with self._write() as s:
            actor = self._actor(s, by)
            if actor.role not in (wf.Role.SUPERVISOR, wf.Role.ADMIN):
                raise PermissionDenied(f"{by} is a {actor.role.value}; only a supervisor or admin may change reasons")
            old = {c.code: c for c in self._reasons(s)}
            self._put_setting(s, REASONS_KEY, [c.to_dict() for c in codes])
            new = {c.code: c for c in codes}
            for code in sorted(old.keys() | new.keys()):
                if old.get(code) != new.get(code):
                    audit.log(s, self.now(), by, "reason_code_changed", entity="reasons", field=code,
                              old=old[code].label if code in old else "", new=new[code].label if code in new else "")

    # -- registry ----------------------------------------------------------------------------------
    def _current_registry(self, s: Session) -> tuple[int | None, Registry | None]:
        version = registry_store.current(s)
        if version is None:
            return None, None
        cached = self._registry_cache
        if cached is None or cached[0] != version.id:
            cached = (version.id, registry_store.load(s, version.id))
            self._registry_cache = cached
        return cached

    def registry(self, version: int | None = None) -> Registry | None:
        """The current registry, or an earlier version (the one a record was checked against)."""
        with self._read() as s:
            if version is None:
                return self._current_registry(s)[1]
            from cisr_desk.store.models import RegistryVersion

            if s.get(RegistryVersion, version) is None:
                raise NotFound(f"There is no registry version {version}")
            return registry_store.load(s, version)

    def registry_versions(self) -> list[tuple[int, str, dt.datetime, int]]:
        """(version, source file name, imported at, providers), oldest first."""
        from cisr_desk.store.models import RegistryVersion

        with self._read() as s:
            return [(v.id, v.source_name, from_db(v.imported_at), v.row_count)
                    for v in s.scalars(select(RegistryVersion).order_by(RegistryVersion.id))]

    def _affected(self, s: Session, drp_ids: list[str]) -> list[int]:
        if not drp_ids:
            return []
        open_ = [st.value for st in wf.OPEN_STATUSES]
        found: set[int] = set()
        for drp in drp_ids:
            found.update(s.scalars(select(Record.id).where(Record.status.in_(open_),
                                                           Record.drp.contains(drp, autoescape=True))))
        return sorted(found)

    def preview_registry(self, path: Path) -> dto.RegistryPreview:
        new = Registry.load(path)
        with self._read() as s:
            _, old = self._current_registry(s)
            added, changed, removed = registry_store.diff_ids((old or Registry()).diff(new))
            unchanged = old is not None and old == new
            return dto.RegistryPreview(added, changed, removed, self._affected(s, added + changed + removed),
                                       None, unchanged, len(new), Path(path).name)

    def import_registry(self, path: Path, by: str) -> dto.RegistryPreview:
        """Store a new registry version and re-check every record not yet approved against it."""
        path = Path(path)
        new = Registry.load(path)
        sha = sha256_of(path)
        with self._write() as s:
            actor = self._actor(s, by)
            if actor.role not in (wf.Role.SUPERVISOR, wf.Role.ADMIN):
                raise PermissionDenied(f"{by} is a {actor.role.value}; only a supervisor or admin may import the registry")
            current_id, old = self._current_registry(s)
            added, changed, removed = registry_store.diff_ids((old or Registry()).diff(new))
            if old is not None and old == new:
                return dto.RegistryPreview([], [], [], [], current_id, True, len(new), path.name)
            version = registry_store.store(s, new, source_name=path.name, sha256=sha, by=by, at=self.now())
            audit.log(s, self.now(), by, "registry_import", entity="registry", field=f"version {version.id}",
                      old=f"version {current_id}" if current_id else "", new=path.name,
                      reason=f"{len(added)} added, {len(changed)} changed, {len(removed)} removed")
            affected = set(self._affected(s, added + changed + removed))
            affected |= self._revalidate_open(s, new, version.id)
            return dto.RegistryPreview(added, changed, removed, sorted(affected), version.id, False, len(new),
                                       path.name)

    def _revalidate_open(self, s: Session, registry: Registry, version_id: int) -> set[int]:
        policy = self._policy(s)
        changed: set[int] = set()
        open_ = [st.value for st in wf.OPEN_STATUSES]
        ids = list(s.scalars(select(Record.id).where(Record.status.in_(open_)).order_by(Record.id)))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for rec in s.scalars(select(Record).where(Record.id.in_(chunk))):
                if records.revalidate(s, rec, registry=registry, registry_version_id=version_id, policy=policy,
                                      values=rec.current_values or {}):
                    changed.add(rec.id)
                    audit.log(s, self.now(), SYSTEM, "revalidate", record_id=rec.id, field="issues",
                              new=str(rec.issue_count), reason=f"registry version {version_id}")
        return changed

    # -- import --------------------------------------------------------------------------------------
    def import_files(self, paths: list[Path], by: str, *, received: dt.date | None = None, progress=None,
                     cancel=None, workers: int | None = None) -> dto.ImportReport:
        with self._read() as s:
            by = self._actor(s, by).name
            version_id, registry = self._current_registry(s)
            policy = self._policy(s)
        ctx = ImportContext(lambda: self._acting(by), self.files_dir, self._extractor, registry, version_id, policy,
                            self.now)
        return run_import(ctx, paths, by, received=received, progress=progress, cancel=cancel, workers=workers)

    def import_history(self, limit: int = 20) -> list[dto.ImportReport]:
        """The latest import runs as the inbox showed them, newest first (every seat's)."""
        from cisr_desk.store import importing

        with self._read() as s:
            return importing.history(s, limit)

    # -- queue -----------------------------------------------------------------------------------------
    def count_records(self, status: Collection[str] | str | None = None, search: str = "") -> int:
        with self._read() as s:
            return records.count(s, status, search)

    def list_records(self, status: Collection[str] | str | None = None, search: str = "", offset: int = 0,
                     limit: int = 100, order: str = "id") -> list[dto.RecordRow]:
        with self._read() as s:
            return records.rows(s, status, search, offset, limit, order, holder_of=self._holder_of(s))

    def record_ids(self, status: Collection[str] | str | None = None, search: str = "",
                   order: str = "id") -> list[int]:
        with self._read() as s:
            return records.ids(s, status, search, order)

    def get_record(self, record_id: int) -> dto.RecordDetail:
        with self._read() as s:
            rec = records.get(s, record_id)
            return records.detail(s, rec, self.files_dir, holder=self._holder_of(s)(
                rec.holder or "", from_db(rec.held_since), from_db(rec.updated_at)))

    def history(self, record_id: int) -> list[wf.AuditEvent]:
        with self._read() as s:
            records.get(s, record_id)
            return records.history(s, record_id)

    # -- review ---------------------------------------------------------------------------------------
    def _apply(self, s: Session, rec: Record, change: wf.Change | None) -> None:
        if change is None:
            return
        rec.status = change.new.value
        if change.holder is not None:
            self._hold(rec, change.holder)
        if change.entered_by is not None:
            rec.entered_by = change.entered_by
        rec.updated_at = to_db(self.now())
        audit.log_event(s, change.event(self.now(), rec.id))

    def _change(self, record_id: int, by: str, change, expected_version: int | None,
                hold: bool = True) -> dto.RecordDetail:
        """A clerk's change to a record, under its row lock: version checked, the hold taken (or
        refused when another's), review started, ``change(s, rec, actor)`` applied, re-checked."""
        with self._write() as s:
            rec = records.get(s, record_id, lock=True)
            actor = self._actor(s, by)
            facts = records.facts(s, rec)
            wf.check_version(facts, expected_version)
            wf.may_edit(facts, actor)
            taking = wf.claim(facts, actor, self.now(), self._idle(s))  # refused when someone else holds it
            if hold:
                self._take(s, rec, taking, "first change")
            started = wf.start_review(facts, actor)
            self._apply(s, rec, started if hold or started is None else replace(started, holder=None))
            self._touch(rec, actor.name)
            change(s, rec, actor)
            s.flush()
            version_id, registry = self._current_registry(s)
            records.revalidate(s, rec, registry=registry, registry_version_id=version_id, policy=self._policy(s))
        return self.get_record(record_id)

    def _edit(self, record_id: int, key: str, by: str, change_field, expected_version: int | None,
              hold: bool = True) -> dto.RecordDetail:
        def change(s: Session, rec: Record, actor: wf.Actor) -> None:
            row = records.field_row(s, rec.id, key, rec.template)
            change_field(s, rec, row, actor)
            row.review = False
            row.reasons = []  # the doubt is settled; the audit log keeps the story
            row.changed_by = actor.name
            row.changed_at = to_db(self.now())

        return self._change(record_id, by, change, expected_version, hold)

    def set_field(self, record_id: int, key: str, value, by: str, *, expected_version: int | None = None,
                  hold: bool = True) -> dto.RecordDetail:
        """Change a value (normalised to its type; InvalidValue when it is not one), re-check, log.

        The first change to a record nobody holds claims it, unless ``hold`` is False (a group
        correction across many records leaves them free). ``received`` is the record's date of
        receipt (the mail room's stamp), not a form field."""
        if key == RECEIVED:
            return self.set_received(record_id, value, by, expected_version=expected_version)

        def change(s: Session, rec: Record, row, actor: wf.Actor) -> None:
            new = records.coerce(records.template_of(rec.template), key, value)
            old = row.value
            row.value = new
            audit.log(s, self.now(), actor.name, "set_field", record_id=rec.id, field=key, old=old, new=new)

        return self._edit(record_id, key, by, change, expected_version, hold)

    def set_received(self, record_id: int, value, by: str, *, expected_version: int | None = None
                     ) -> dto.RecordDetail:
        """The date the form was received, as the clerk reads it off the stamp (None/"" clears it);
        the date rules run again against it."""
        day = records.coerce_date(value, "Received")
        if day is not None:
            with self._read() as s:
                problem = received_problem(day, self.today(), self._policy(s))
            if problem:
                raise InvalidValue(problem)

        def change(s: Session, rec: Record, actor: wf.Actor) -> None:
            old, rec.received = rec.received, day
            audit.log(s, self.now(), actor.name, "set_field", record_id=rec.id, field=RECEIVED,
                      old=old.isoformat() if old else "", new=day.isoformat() if day else "")

        return self._change(record_id, by, change, expected_version)

    def accept_field(self, record_id: int, key: str, by: str, *, expected_version: int | None = None,
                     hold: bool = True) -> dto.RecordDetail:
        """The clerk confirms a doubtful value as read: it is no longer marked for review."""
        def change(s: Session, rec: Record, row, actor: wf.Actor) -> None:
            audit.log(s, self.now(), actor.name, "accept_field", record_id=rec.id, field=key,
                      old=row.value, new=row.value, reason="confirmed as read")

        return self._edit(record_id, key, by, change, expected_version, hold)

    def _transition(self, record_id: int, by: str, decide, expected_version: int | None = None, *,
                    doing: str = "") -> dto.RecordDetail:
        """One workflow step under the record's row lock; ``doing`` names a clerk's step, which
        another's hold refuses (a supervisor's decisions work on submitted and flagged records)."""
        with self._write() as s:
            rec = records.get(s, record_id, lock=True)
            actor = self._actor(s, by)
            facts = records.facts(s, rec)
            wf.check_version(facts, expected_version)
            if doing:
                wf.held_by_other(facts, actor, self.now(), self._idle(s), doing)
            decide(s, rec, facts, actor)
            self._touch(rec, actor.name)
        return self.get_record(record_id)

    def submit(self, record_id: int, by: str, *, expected_version: int | None = None) -> dto.RecordDetail:
        def decide(s, rec, facts, actor):
            wf.submit(facts, actor, sample_due=False)  # refused before the counter moves
            clean = facts.clean
            count = counters.increment(s, CLEAN_COUNT_KEY) if clean else 0
            # without a registry no provider was checked: nothing is approved by policy then
            no_registry = self._current_registry(s)[0] is None
            due = clean and (no_registry or wf.sample_due(count, self._policy(s).supervisor_sample_every))
            change = wf.submit(facts, actor, sample_due=due)
            self._apply(s, rec, change)
            if change.new is wf.Status.FLAGGED:
                rec.flag_reason = change.reason
            elif change.new is wf.Status.SUBMITTED and not due:
                after = wf.RecordFacts(rec.id, wf.Status.SUBMITTED, actor.name, facts.edited_by)
                self._approve(s, rec, wf.approve_by_policy(after))

        return self._transition(record_id, by, decide, expected_version, doing="submit")

    def flag(self, record_id: int, reason: str, by: str, *, note: str = "",
             expected_version: int | None = None) -> dto.RecordDetail:
        """Send a record to a supervisor: ``reason`` is a site reason code or free text."""
        def decide(s, rec, facts, actor):
            change = wf.flag(facts, actor, reasons.reason_text(self._reasons(s), "flag", reason, note))
            self._apply(s, rec, change)
            rec.flag_reason = change.reason

        return self._transition(record_id, by, decide, expected_version, doing="flag")

    def _approve(self, s: Session, rec: Record, change: wf.Change) -> None:
        values = rec.current_values or {}
        now = self.now()
        authorizations.expire(s, self.today(), now)
        authorizations.apply_approval(s, rec, values, change.user, now)
        self._apply(s, rec, change)
        rec.approved_by = change.user
        rec.approved_at = to_db(now)
        rec.approved_on = now.astimezone().date()
        self._hold(rec, "")

    def approve(self, record_id: int, by: str, *, override: str = "", note: str = "",
                expected_version: int | None = None) -> dto.RecordDetail:
        """A supervisor's approval; a record that still fails a rule needs ``override`` (a site
        reason code or free text) and may be blocked outright (``wf.NEVER_OVERRIDDEN``)."""
        def decide(s, rec, facts, actor):
            why = reasons.reason_text(self._reasons(s), "override", override, note) if override or note else ""
            self._approve(s, rec, wf.approve(facts, actor, override=why,
                                             registry_loaded=self._current_registry(s)[0] is not None))

        return self._transition(record_id, by, decide, expected_version)

    def reject(self, record_id: int, reason: str, by: str, *, note: str = "",
               expected_version: int | None = None) -> dto.RecordDetail:
        def decide(s, rec, facts, actor):
            change = wf.reject(facts, actor, reasons.reason_text(self._reasons(s), "reject", reason, note))
            self._apply(s, rec, change)
            rec.reject_reason = change.reason
            self._hold(rec, "")

        return self._transition(record_id, by, decide, expected_version)

    def return_to_clerk(self, record_id: int, by: str, reason: str = "", *,
                        expected_version: int | None = None) -> dto.RecordDetail:
        return self._transition(record_id, by, lambda s, rec, facts, actor:
                                self._apply(s, rec, wf.return_to_clerk(facts, actor, reason)), expected_version)

    # -- several seats: holds ------------------------------------------------------------------------------
    def _idle(self, s: Session) -> int:
        return self._policy(s).hold_idle_minutes

    def _holder_of(self, s: Session) -> Callable[[str, dt.datetime | None, dt.datetime | None], str]:
        idle, now = self._idle(s), self.now()
        return lambda holder, since, updated: wf.hold_in_force(holder, since, updated, now, idle)

    def _hold(self, rec: Record, holder: str) -> None:
        if holder != (rec.holder or "") or not holder:
            rec.held_since = to_db(self.now()) if holder else None
        rec.holder = holder

    def _touch(self, rec: Record, by: str) -> None:
        """Every change: a new version, and who made it when (what a stale view is told)."""
        rec.version = (rec.version or 1) + 1
        rec.updated_by = by
        rec.updated_at = to_db(self.now())

    def _take(self, s: Session, rec: Record, hold: wf.Hold, how: str) -> None:
        if hold.holder == (rec.holder or "") and not hold.taken_from:
            return  # already theirs
        reason = f"the hold of {hold.taken_from} lapsed" if hold.taken_from else how
        audit.log(s, self.now(), hold.holder, "claim", record_id=rec.id, field="holder", old=rec.holder or "",
                  new=hold.holder, reason=reason)
        rec.holder = hold.holder
        rec.held_since = to_db(self.now())

    def claim(self, record_id: int, by: str) -> dto.RecordDetail:
        """Take a record to work on; HeldByOther (naming the holder and since when) if someone has it."""
        with self._write() as s:
            rec = records.get(s, record_id, lock=True)
            actor = self._actor(s, by)
            hold = wf.claim(records.facts(s, rec), actor, self.now(), self._idle(s))
            if rec.holder == actor.name and not hold.taken_from:
                rec.held_since = to_db(self.now())  # claimed again: the idle time starts over
            self._take(s, rec, hold, "claim")
        return self.get_record(record_id)

    def next_record(self, by: str) -> dto.RecordDetail | None:
        """Claim the oldest record of the review queue nobody holds (or whose hold lapsed); None when
        there is none. Two seats asking at once never get the same one: on PostgreSQL the row is
        picked ``FOR UPDATE SKIP LOCKED``, on SQLite the immediate write transaction serialises."""
        with self._write() as s:
            actor = self._actor(s, by)
            statuses = [st.value for st in wf.next_candidate_statuses(actor)]
            idle, now = self._idle(s), self.now()
            lapsed_before = to_db(now - dt.timedelta(minutes=idle)) if idle > 0 else None
            rec = records.next_free(s, statuses, actor.name, lapsed_before)
            if rec is None:
                return None
            self._take(s, rec, wf.claim(records.facts(s, rec), actor, now, idle), "next in the queue")
            record_id = rec.id
        return self.get_record(record_id)

    def release(self, record_id: int, by: str, *, force: bool = False) -> dto.RecordDetail:
        """Give a record back; a supervisor or admin may ``force`` another's hold."""
        with self._write() as s:
            rec = records.get(s, record_id, lock=True)
            actor = self._actor(s, by)
            held = wf.release(records.facts(s, rec), actor, self.now(), self._idle(s), force=force)
            if held:
                self._give_back(s, rec, actor.name,
                                "" if held == actor.name else f"released by {actor.name}" + (" (forced)" if force else ""))
        return self.get_record(record_id)

    def _give_back(self, s: Session, rec: Record, by: str, reason: str) -> None:
        """A record's hold ended by ``by``, in the audit log."""
        audit.log(s, self.now(), by, "release", record_id=rec.id, field="holder", old=rec.holder or "", new="",
                  reason=reason)
        self._hold(rec, "")

    # -- dashboard -------------------------------------------------------------------------------------
    def dashboard(self, days: int = 28) -> dto.Dashboard:
        """The last ``days`` local days (today included): daily flow, backlog, clerks, capture."""
        from cisr_desk.store import stats

        end = self.today()
        with self._read() as s:
            return stats.dashboard(s, end - dt.timedelta(days=max(1, days) - 1), end,
                                   self._policy(s).backlog_target_days)

    # -- authorizations ----------------------------------------------------------------------------------
    def authorizations(self, *, service_account: str = "", drp_id: str = "", state: str = "",
                       record_id: int | None = None) -> list[dto.AuthorizationInfo]:
        with self._read() as s:
            return authorizations.listing(s, service_account=service_account, drp_id=drp_id, state=state,
                                          record_id=record_id)

    def expire_authorizations(self) -> int:
        """Authorizations whose term ended become expired; several seats opening at once expire each once."""
        with self._write() as s:
            return authorizations.expire(s, self.today(), self.now())

    # -- export ---------------------------------------------------------------------------------------------
    def preview_export(self, start: dt.date, end: dt.date) -> list[dto.ExportRow]:
        from cisr_desk.store import exporting

        with self._read() as s:
            return exporting.pending_rows(s, start, end, self._registry_for(s))

    def export_period(self, start: dt.date, end: dt.date, by: str,
                      out: str | os.PathLike | None = None) -> dto.ExportBatchInfo | None:
        """Export the period's approved records as a new batch and return it (None: nothing to export).

        ``out`` is a folder to write into under the batch's own name
        (``authorizations-2026-W48-batch-12.xlsx``; the current folder when None) or a new file;
        an existing file is refused, never replaced (``export.files``).

        The order is what makes an export impossible to lose: the workbook is written to a
        temporary file, given its name, and only then is the batch committed; if the commit
        fails the workbook is removed. So a record is marked exported only once its workbook
        exists. Should the process die between naming the workbook and the commit, the database
        has no batch and the records are still approved and waiting: the next export takes them
        again, and a stray workbook is harmless, its name never taken over (on SQLite the next
        batch may reuse the id; its workbook then gets a free variant of the name, and
        ``export --list`` shows which file belongs to which batch). Anything failing before the
        workbook is named rolls the whole batch back and leaves no file (only a ``.part`` file
        if the process is killed meanwhile).
        """
        from cisr_desk.export.files import Destination
        from cisr_desk.store import exporting

        destination = Destination.of(out)
        with destination.temporary() as tmp:  # a folder that cannot be written fails here, before any marking
            placed: Path | None = None
            try:
                with self._write() as s:
                    self._actor(s, by)
                    info = exporting.export_period(s, start, end, by, destination, tmp, self.now(),
                                                   self._registry_for(s))
                    placed = Path(info.path) if info is not None else None
                    # leaving this block commits
            except BaseException:
                # named, but the commit failed: no workbook without its batch. Unless the commit's
                # answer was what got lost (a connection dropping during COMMIT): then the batch is
                # there and keeps its workbook; when that cannot be asked, a stray file is harmless.
                if placed is not None and self._batch_absent(info):
                    placed.unlink(missing_ok=True)
                raise
            return info

    def _batch_absent(self, info: dto.ExportBatchInfo) -> bool:
        from cisr_desk.store.models import ExportBatch

        try:
            with self._read() as s:
                batch = s.get(ExportBatch, info.id)
                return batch is None or batch.rows_hash != info.rows_hash
        except Exception:
            return False

    def export_batches(self) -> list[dto.ExportBatchInfo]:
        from cisr_desk.store import exporting

        with self._read() as s:
            return exporting.batches(s)

    def reexport(self, batch_id: int, by: str, out: str | os.PathLike | None = None) -> dto.ExportBatchInfo:
        """Write a past batch again, row for row, for ``by``; ``out`` as for ``export_period`` (never
        replacing a file)."""
        from cisr_desk.export.files import Destination
        from cisr_desk.store import exporting

        destination = Destination.of(out)
        with self._read() as s:
            self._actor(s, by)
            return exporting.reexport(s, batch_id, destination)

    def _registry_for(self, s: Session) -> Callable[[int | None], Registry | None]:
        cache: dict[int | None, Registry | None] = {None: None}

        def get(version_id: int | None) -> Registry | None:
            if version_id not in cache:
                cache[version_id] = registry_store.load(s, version_id)
            return cache[version_id]

        return get

    # -- page desk: a file's pages put right by hand ------------------------------------------------
    form_reader = None  # reads forms grouped by hand (capture's read_forms); tests set a fake one

    def source_files(self, limit: int = 500) -> list:
        """Imported files, most recent first (``SourceFileRow``: forms, unrecognized pages)."""
        from cisr_desk.store import pages

        with self._read() as s:
            return pages.source_files(s, limit)

    def page_layout(self, source_file_id: int):
        """The file's pages as capture (and clerks since) grouped them: a ``domain.layout.PageLayout``."""
        from cisr_desk.store import pages

        with self._read() as s:
            return pages.layout_of(s, source_file_id, self.files_dir)

    def _may_rearrange(self, s: Session, plan, actor: wf.Actor, *, lock: bool) -> None:
        """Every record a rearrangement changes is refused like any other change: HeldByOther when
        someone else holds it, StaleRecord when it changed since the caller's layout was read (the
        versions ``page_layout`` read travel in the layout, as ``expected_version`` does elsewhere)."""
        now, idle = self.now(), self._idle(s)
        for rid in plan.affected_records():  # sorted: row locks always taken in the same order
            facts = records.facts(s, records.get(s, rid, lock=lock))
            wf.check_version(facts, plan.new.versions.get(rid))
            wf.held_by_other(facts, actor, now, idle, "rearrange")

    def rearrange(self, source_file_id: int, new_layout, by: str, *, progress=None, cancel=None):
        """Store a layout made from ``page_layout`` by the clerk's corrections: the forms whose pages
        changed are read again (slow: run it in the background), records updated in place, made or
        retired, every change audited. Returns a ``store.pages.RearrangeReport``.

        Refused before anything is read, and again under the records' row locks before anything is
        written, when another seat holds a record it changes or one changed since ``new_layout``
        was loaded."""
        from cisr_desk.store import pages

        with self._read() as s:
            actor = self._actor(s, by)
            base = pages.layout_of(s, source_file_id, self.files_dir)
            plan = pages.plan(base, new_layout)
            self._may_rearrange(s, plan, actor, lock=False)
            received = {f.record_id: records.get(s, f.record_id).received for f in base.forms}
            received[None] = next((d for d in received.values() if d), None)
            version_id, registry = self._current_registry(s)
            policy = self._policy(s)
        plans = plan.plans(received)
        reader = self.form_reader or pages.default_form_reader
        results = reader(Path(base.source_path), plans, registry=registry, policy=policy, progress=progress,
                         cancel=cancel) if plans else []
        with self._write() as s:
            self._may_rearrange(s, plan, self._actor(s, by), lock=True)

            def revalidate(rec: Record) -> None:
                records.revalidate(s, rec, registry=registry, registry_version_id=version_id, policy=policy)

            return pages.apply(s, plan, results, by=by, now=self.now(), files_dir=self.files_dir,
                               revalidate=revalidate, registry=registry, registry_version_id=version_id,
                               policy=policy)
