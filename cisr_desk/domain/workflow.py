"""The review workflow: who may move a form record from which state to which, and why.

A record is captured (``imported``), a clerk works on it (``in_review``) and submits it. A
clean submission is approved by policy, unless site policy samples it for a supervisor
(``submitted``); a record with open issues or doubtful fields, or one the clerk flags, waits
for a supervisor (``flagged``). A supervisor approves or rejects (with a reason), and may
return a record to the clerk. Approved records leave the office in a weekly export.

Every function here is pure: it takes the facts about a record and the acting user and
returns the :class:`Change` to apply (the new state and the audit event), or raises a
:mod:`cisr_desk.domain.errors` error written for the user. The store applies changes; it has
no other way to change a state.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Mapping

from cisr_desk.domain.errors import (FourEyesViolation, HeldByOther, InvalidTransition, InvalidValue,
                                     NeedsOverride, PermissionDenied, RuleBlocksApproval, StaleRecord)
from cisr_desk.domain.model import Issue, Value


class Status(str, Enum):
    IMPORTED = "imported"
    IN_REVIEW = "in_review"
    SUBMITTED = "submitted"
    FLAGGED = "flagged"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPORTED = "exported"


class Role(str, Enum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STATUSES = tuple(s.value for s in Status)
ROLES = tuple(r.value for r in Role)
OPEN_STATUSES = (Status.IMPORTED, Status.IN_REVIEW, Status.SUBMITTED, Status.FLAGGED, Status.REJECTED)
"""Not yet approved: these are re-checked when the registry changes."""
WAITING_STATUSES = (Status.IMPORTED, Status.IN_REVIEW, Status.SUBMITTED, Status.FLAGGED)
"""Waiting for someone's work, in a queue: the backlog. A rejected form is decided (a supervisor
may still return it to the clerk, but no queue holds it)."""

POLICY_USER = "policy"
"""The approver recorded when a clean record is approved by site policy without a supervisor."""

_WORKERS = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)  # may key and submit
_DECIDERS = (Role.SUPERVISOR, Role.ADMIN)  # may approve, reject, return, edit a record in their hands


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role


@dataclass(frozen=True)
class RecordFacts:
    """What the workflow needs to know about a record."""

    id: int
    status: Status
    entered_by: str = ""
    edited_by: frozenset[str] = frozenset()
    issues: int = 0  # open validation issues
    doubtful: int = 0  # fields still marked for review
    issue_codes: tuple[str, ...] = ()  # the codes of the open issues (what an override must answer)
    holder: str = ""  # the user working on it ("" nobody)
    held_since: dt.datetime | None = None
    version: int = 1  # bumped by every change
    updated_by: str = ""
    updated_at: dt.datetime | None = None  # the last change (a hold's idle time counts from here or the claim)
    received_known: bool = True  # the date on the RECEIVED stamp is recorded (the date rules ran against it)

    @property
    def clean(self) -> bool:
        """Nothing left for a supervisor: no open issue, no doubtful field, and the date of
        receipt known (without it the signature-age and start-date rules could not run)."""
        return not (self.issues or self.doubtful) and self.received_known


@dataclass(frozen=True)
class AuditEvent:
    """One line of the append-only audit log: who did what, when, to what, old -> new, why."""

    at: dt.datetime
    user: str
    action: str
    field: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""
    record_id: int | None = None


@dataclass(frozen=True)
class Change:
    """A transition decided by the workflow: the state to set and the event to log."""

    action: str
    old: Status
    new: Status
    user: str
    reason: str = ""
    holder: str | None = None  # None: leave the holder as it is; "" clears it
    entered_by: str | None = None

    def event(self, at: dt.datetime, record_id: int) -> AuditEvent:
        return AuditEvent(at, self.user, self.action, "status", self.old.value, self.new.value, self.reason, record_id)


def parse_role(text: str) -> Role:
    try:
        return Role(str(text).strip().lower())
    except ValueError:
        raise InvalidValue(f"{text!r} is not a role (one of {', '.join(ROLES)})") from None


def _require(actor: Actor, roles: tuple[Role, ...], doing: str) -> None:
    if actor.role not in roles:
        names = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"{actor.name} is a {actor.role.value}; only a {names} may {doing}")


def _from(record: RecordFacts, allowed: tuple[Status, ...], doing: str) -> None:
    if record.status not in allowed:
        raise InvalidTransition(
            f"Record {record.id} is {record.status.value.replace('_', ' ')}; it cannot be {doing} "
            f"(only when {' or '.join(s.value.replace('_', ' ') for s in allowed)})"
        )


def four_eyes_refusal(record: RecordFacts, actor: Actor, doing: str) -> str:
    """Why the four-eyes rule refuses ``actor`` to ``doing`` the record ("" when it does not):
    the screens ask it beforehand, to offer only the decisions that can count."""
    if actor.name == record.entered_by or actor.name in record.edited_by:
        return f"{actor.name} entered or edited record {record.id}, so another supervisor must {doing} it"
    return ""


def _four_eyes(record: RecordFacts, actor: Actor, doing: str) -> None:
    refusal = four_eyes_refusal(record, actor, doing)
    if refusal:
        raise FourEyesViolation(refusal)


def _reason(reason: str, doing: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidValue(f"A reason is required to {doing} a record")
    return text


# -- editing ------------------------------------------------------------------------------------
def may_edit(record: RecordFacts, actor: Actor) -> None:
    """Clerks key records before submission; a supervisor may also correct one in their hands."""
    if record.status in (Status.IMPORTED, Status.IN_REVIEW):
        _require(actor, _WORKERS, "edit a record")
        return
    if record.status in (Status.SUBMITTED, Status.FLAGGED):
        _require(actor, _DECIDERS, f"edit a {record.status.value} record")
        return
    raise InvalidTransition(f"Record {record.id} is {record.status.value}; its fields can no longer be changed")


def start_review(record: RecordFacts, actor: Actor) -> Change | None:
    """The first edit of an imported record puts it in review, held by the editor."""
    if record.status is not Status.IMPORTED:
        return None
    _require(actor, _WORKERS, "review a record")
    return Change("start_review", record.status, Status.IN_REVIEW, actor.name, holder=actor.name)


# -- holds and versions: several seats ----------------------------------------------------------------
@dataclass(frozen=True)
class Hold:
    """Who holds a record from when (the decision of :func:`claim`); ``taken_from`` names a lapsed holder."""

    holder: str
    since: dt.datetime
    taken_from: str = ""


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at is not None else "an unknown time"


def active_holder(record: RecordFacts, now: dt.datetime, idle_minutes: int) -> str:
    """The user whose hold is in force ("" when nobody holds it or the hold lapsed).

    A hold lapses ``idle_minutes`` after the later of the claim and the record's last change
    (0: never)."""
    return hold_in_force(record.holder, record.held_since, record.updated_at, now, idle_minutes)


def hold_in_force(holder: str, held_since: dt.datetime | None, updated_at: dt.datetime | None, now: dt.datetime,
                  idle_minutes: int) -> str:
    if not holder or idle_minutes <= 0:
        return holder or ""
    if held_since is None:  # a hold from before holds had times: in force only until someone wants it
        return ""
    last = max(t for t in (held_since, updated_at) if t is not None)
    return holder if now - last < dt.timedelta(minutes=idle_minutes) else ""


def held_by_other(record: RecordFacts, actor: Actor, now: dt.datetime, idle_minutes: int, doing: str) -> None:
    """Refuse a change to a record someone else holds."""
    holder = active_holder(record, now, idle_minutes)
    if holder and holder != actor.name:
        raise HeldByOther(f"Record {record.id} is held by {holder} since {_when(record.held_since)}; "
                          f"{actor.name} cannot {doing} it until they release it")


def check_version(record: RecordFacts, expected: int | None) -> None:
    """A change made on a view older than the record is refused: the user reloads and decides again."""
    if expected is not None and expected != record.version:
        who = record.updated_by or "someone"
        raise StaleRecord(f"Record {record.id} was changed by {who} at {_when(record.updated_at)} "
                          f"(version {record.version}, you had {expected}) — reload")


def claim(record: RecordFacts, actor: Actor, now: dt.datetime, idle_minutes: int) -> Hold:
    """Take a record to work on: only one the actor may edit, and not while another's hold is in force."""
    may_edit(record, actor)
    held_by_other(record, actor, now, idle_minutes, "claim")
    if record.holder == actor.name:
        return Hold(actor.name, now)
    return Hold(actor.name, now, taken_from=record.holder)


def release(record: RecordFacts, actor: Actor, now: dt.datetime, idle_minutes: int, *, force: bool = False) -> str:
    """Give a record back; returns the holder released ("" when nobody held it).

    Anyone may release their own hold or one that lapsed; a supervisor or admin may force
    another's."""
    holder = active_holder(record, now, idle_minutes)
    if holder and holder != actor.name:
        if not force:
            raise HeldByOther(f"Record {record.id} is held by {holder} since {_when(record.held_since)}; "
                              f"only they may release it (or a supervisor, with --force)")
        _require(actor, _DECIDERS, "release another user's hold")
    return record.holder


def next_candidate_statuses(actor: Actor) -> tuple[Status, ...]:
    """What ``next`` hands out: records a clerk keys (the review queue)."""
    _require(actor, _WORKERS, "take records from the queue")
    return (Status.IMPORTED, Status.IN_REVIEW)


# -- clerk ----------------------------------------------------------------------------------------
def submit(record: RecordFacts, actor: Actor, *, sample_due: bool) -> Change:
    """A clean record is approved by policy (or sampled for a supervisor); one with open
    issues or doubtful fields, or with no date of receipt, goes to a supervisor, flagged with
    the reason why."""
    _require(actor, _WORKERS, "submit a record")
    _from(record, (Status.IMPORTED, Status.IN_REVIEW), "submitted")
    if not record.clean:
        parts = []
        if record.issues:
            parts.append(f"{record.issues} open issue{'s' if record.issues != 1 else ''}")
        if record.doubtful:
            parts.append(f"{record.doubtful} field{'s' if record.doubtful != 1 else ''} not confirmed")
        if not record.received_known:
            parts.append("no received date (the date rules did not run)")
        return Change("submit", record.status, Status.FLAGGED, actor.name, " and ".join(parts),
                      holder="", entered_by=actor.name)
    if sample_due:
        return Change("submit", record.status, Status.SUBMITTED, actor.name, "sampled for supervisor review",
                      holder="", entered_by=actor.name)
    return Change("submit", record.status, Status.SUBMITTED, actor.name, holder="", entered_by=actor.name)


def approve_by_policy(record: RecordFacts) -> Change:
    """The automatic approval that follows a clean, unsampled submission."""
    _from(record, (Status.SUBMITTED,), "approved by policy")
    return Change("approve", record.status, Status.APPROVED, POLICY_USER, "clean record, approved by site policy")


def flag(record: RecordFacts, actor: Actor, reason: str) -> Change:
    _require(actor, _WORKERS, "flag a record")
    _from(record, (Status.IMPORTED, Status.IN_REVIEW), "flagged")
    return Change("flag", record.status, Status.FLAGGED, actor.name, _reason(reason, "flag"),
                  holder="", entered_by=actor.name)


# -- supervisor -------------------------------------------------------------------------------------
# Rules no supervisor may wave through: without a customer's signature, a clear request and a
# registered, active provider there is no authorization to release data under Rule 24.
NEVER_OVERRIDDEN = {
    "signature_missing": "the customer's signature is missing",
    "request_none": "the form does not say whether to authorize or revoke",
    "request_both_marked": "the form asks to authorize and revoke at once",
    "drp_unregistered": "the provider is not in the DRP registry",
    "drp_not_active": "the provider is not active in the DRP registry",
}
OVERRIDE_PREFIX = "override: "  # how an approval's audit reason says it passed a failing rule
# Issues that send a record to a supervisor for judgement; approving it is that judgement.
JUDGED_BY_APPROVAL = frozenset({"duplicate_authorization", "nothing_to_revoke"})


def blocking_rules(codes) -> list[str]:
    """Why no override can approve a record with these issue codes (each reason once), or []."""
    return [NEVER_OVERRIDDEN[c] for c in dict.fromkeys(codes) if c in NEVER_OVERRIDDEN]


def needs_override(code: str) -> bool:
    """Whether an issue is a failing rule an approval must override (not one approval judges)."""
    return code not in JUDGED_BY_APPROVAL


def approve(record: RecordFacts, actor: Actor, *, override: str = "", registry_loaded: bool = True) -> Change:
    """A supervisor's approval. A record that still fails a rule needs an explicit override
    with a reason; some rules block approval outright; nothing is approved before the desk has
    a DRP registry to check providers against."""
    _require(actor, _DECIDERS, "approve a record")
    _from(record, (Status.SUBMITTED, Status.FLAGGED), "approved")
    _four_eyes(record, actor, "approve")
    if not registry_loaded:
        raise InvalidTransition("No DRP registry has been imported yet, so providers cannot be checked: "
                                "import the registry (Registry screen) before approving")
    blocking = blocking_rules(record.issue_codes)
    if blocking:
        raise RuleBlocksApproval(f"Record {record.id} cannot be approved: {'; '.join(blocking)}. "
                                 "Reject it, or return it to the clerk if the scan was read wrongly")
    override = " ".join((override or "").split())
    failing = ([c for c in record.issue_codes if needs_override(c)] if record.issue_codes
               else [""] * record.issues)
    if failing and not override:
        raise NeedsOverride(f"Record {record.id} still fails {len(failing)} rule{'s' if len(failing) != 1 else ''}; "
                            "approve it only with an override and its reason")
    if failing:
        return Change("approve", record.status, Status.APPROVED, actor.name, OVERRIDE_PREFIX + override)
    # Nothing fails, so nothing is overridden; what the supervisor wrote is kept with the approval
    # (it was dropped without a word).
    return Change("approve", record.status, Status.APPROVED, actor.name, override)


def reject(record: RecordFacts, actor: Actor, reason: str) -> Change:
    _require(actor, _DECIDERS, "reject a record")
    _from(record, (Status.SUBMITTED, Status.FLAGGED), "rejected")
    _four_eyes(record, actor, "reject")
    return Change("reject", record.status, Status.REJECTED, actor.name, _reason(reason, "reject"))


def return_to_clerk(record: RecordFacts, actor: Actor, reason: str = "") -> Change:
    _require(actor, _DECIDERS, "return a record to the clerk")
    _from(record, (Status.REJECTED, Status.FLAGGED, Status.SUBMITTED), "returned to the clerk")
    return Change("return", record.status, Status.IN_REVIEW, actor.name, " ".join(reason.split()),
                  holder=record.entered_by)


def export(record: RecordFacts, user: str, batch_id: int) -> Change:
    _from(record, (Status.APPROVED,), "exported")
    return Change("export", record.status, Status.EXPORTED, user, f"export batch {batch_id}")


# -- what an approved form does to the authorizations -------------------------------------------------
SERVICE_ROWS = 5
DRP_SLOTS = 2


@dataclass(frozen=True)
class Pair:
    """One service account released to one DRP: the unit of an authorization."""

    service_account: str
    service_address: str
    drp_id: str
    row: int = 1  # the service-account row of the form (1-based)


@dataclass(frozen=True)
class ActiveAuthorization:
    id: int
    service_account: str
    drp_id: str
    record_id: int


def request_type(values: Mapping[str, Value]) -> str:
    """"authorize", "revoke", or "" when neither or both boxes are marked (a rule reports that)."""
    auth, revoke = values.get("request_authorize") is True, values.get("request_revoke") is True
    if auth == revoke:
        return ""
    return "authorize" if auth else "revoke"


def pairs(values: Mapping[str, Value]) -> list[Pair]:
    """Every service account x DRP the form names, in form order, without repeats."""
    accounts = []
    for i in range(1, SERVICE_ROWS + 1):
        number = values.get(f"sa{i}_number") or ""
        if isinstance(number, str) and number and number not in [a[0] for a in accounts]:
            accounts.append((number, str(values.get(f"sa{i}_address") or ""), i))
    drps = []
    for i in range(1, DRP_SLOTS + 1):
        drp = values.get(f"drp{i}_id") or ""
        if isinstance(drp, str) and drp and drp not in drps:
            drps.append(drp)
    return [Pair(a, addr, d, row) for a, addr, row in accounts for d in drps]


def authorization_issues(values: Mapping[str, Value], active: list[ActiveAuthorization],
                         record_id: int | None = None) -> list[Issue]:
    """Issues that depend on the authorizations already in force.

    An authorize form for a pair already active is a duplicate for the supervisor to judge;
    a revoke form that matches nothing active revokes nothing, which a supervisor should see.
    ``active`` holds the active authorizations of the form's service accounts.
    """
    kind = request_type(values)
    in_force = {(a.service_account, a.drp_id): a for a in active if a.record_id != record_id}
    issues = []
    if kind == "authorize":
        for p in pairs(values):
            hit = in_force.get((p.service_account, p.drp_id))
            if hit:
                issues.append(Issue(
                    f"sa{p.row}_number", "duplicate_authorization",
                    f"Service account {p.service_account} is already authorized for {p.drp_id} "
                    f"(form {hit.record_id}); approving replaces that authorization",
                ))
    elif kind == "revoke":
        found = [p for p in pairs(values) if (p.service_account, p.drp_id) in in_force]
        if pairs(values) and not found:
            issues.append(Issue(None, "nothing_to_revoke",
                                "No active authorization matches the service accounts and DRPs on this revoke form"))
    return issues


@dataclass(frozen=True)
class Term:
    start: dt.date | None
    end: dt.date | None  # None: until revoked


def term(values: Mapping[str, Value]) -> Term:
    def date(key: str) -> dt.date | None:
        text = values.get(key)
        try:
            return dt.date.fromisoformat(text) if isinstance(text, str) and text else None
        except ValueError:
            return None

    end = None if values.get("term_until_revoked") is True else date("term_end")
    return Term(date("term_start"), end)


DATA_CATEGORIES = (
    ("data_account", "account information"),
    ("data_interval", "interval usage data"),
    ("data_billing", "billing data"),
    ("data_programs", "DR program enrollment"),
)


def data_categories(values: Mapping[str, Value]) -> list[str]:
    cats = [name for key, name in DATA_CATEGORIES if values.get(key) is True]
    for months in (12, 24, 36):
        if values.get(f"history_{months}") is True:
            cats.append(f"{months} months history")
    return cats


def sample_due(clean_submissions: int, every: int) -> bool:
    """Whether the ``clean_submissions``-th clean record (1-based) is sampled for a supervisor:
    every Nth one, N from site policy (0: never)."""
    return every > 0 and clean_submissions % every == 0
