"""Every change to a clock. Each service is one transaction that locks the clock row, writes the clock's
event and the audit row, and queues side effects on commit. Timestamps decide, not races: a clock met after
its due time is a breach whether or not a sweep has run."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT, AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from safeguarding.deadlines.access import is_manager
from safeguarding.deadlines.dispatch import dispatch_outbox_after_commit
from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.models import (
    OPEN_STATUSES,
    Deadline,
    DeadlineEvent,
    DeadlineEventKind,
    DeadlineStatus,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.policies import POLICIES, PolicyCode, policy_for
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES

MAX_REASON_LENGTH = 2000


def _db_now() -> datetime:
    """The database clock: one clock for every web and worker process, whatever their hosts say."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now: datetime = cursor.fetchone()[0]
    return now


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DeadlineError(f"Give a reason to {action} this clock.")
    if len(reason) > MAX_REASON_LENGTH:
        raise DeadlineError(f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer.")
    return reason


def _event(
    deadline: Deadline,
    kind: DeadlineEventKind,
    occurred_at: datetime,
    *,
    actor: User | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DeadlineEvent:
    return DeadlineEvent.objects.create(
        deadline=deadline, kind=kind, occurred_at=occurred_at, actor=actor, reason=reason, data=data or {}
    )


def _audit(deadline: Deadline, actor: User | None, context: AuditContext, what: str, **changes: Any) -> None:
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE if what != "start" else AuditAction.CREATE,
        object_type="deadline",
        object_id=deadline.pk,
        person_ids=[deadline.person_id] if deadline.person_id else [],
        context=context,
        reason=changes.pop("reason", ""),
        changes={"what": what, **{k: str(v) for k, v in changes.items()}},
    )


def _outbox(deadline: Deadline, event: OutboxEvent, now: datetime, *, occurrence: int = 0) -> None:
    """Write the message once; a second attempt for the same (clock, event, occurrence) is a no-op by the
    unique key."""
    _, created = OutboxMessage.objects.get_or_create(
        deadline=deadline, event=event, occurrence=occurrence, defaults={"created_at": now}
    )
    if created:
        dispatch_outbox_after_commit()


def _lock(deadline_id: uuid.UUID) -> Deadline:
    return Deadline.objects.select_for_update().get(pk=deadline_id)


def _record_breach(deadline: Deadline, now: datetime, *, late_notification: bool = False) -> None:
    policy = policy_for(deadline.policy)
    deadline.breached_at = deadline.due_at
    deadline.detected_at = now
    deadline.escalation_level = 1
    deadline.second_escalation_at = deadline.due_at + policy.second_escalation_after
    deadline.notified_late = deadline.notified_late or late_notification
    _event(deadline, DeadlineEventKind.BREACHED, deadline.due_at, data={"detected_at": now.isoformat()})
    _outbox(deadline, OutboxEvent.BREACH, now)


@dataclass(frozen=True)
class DeadlineSubject:
    subject_type: str
    subject_id: uuid.UUID
    label: str
    local_authority_id: uuid.UUID
    person_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


# A start a few minutes ahead of the database clock is a host clock or a typist slightly out, not the future.
FUTURE_START_ALLOWANCE = timedelta(minutes=5)


@transaction.atomic
def deadline_start(
    *,
    policy: PolicyCode,
    subject: DeadlineSubject,
    started_at: datetime,
    owning_agency: Agency,
    owner: User | None = None,
    actor: User | None = None,
    due_at: datetime | None = None,
    context: AuditContext = SYSTEM_CONTEXT,
    now: datetime | None = None,
    announce: bool = False,
) -> Deadline:
    """Start a clock from the real-world event time. If that time is so long ago that the clock is already
    due, it is breached at once and flagged as notified late.

    `announce`: tell the owner (or, with none, the owning agency's managers) that the work has arrived, in
    the app and by email, once.

    `now`: the database clock (clock_timestamp()) as the caller already read it in its current transaction,
    which saves reading it again; by default it is read here."""
    now = _db_now() if now is None else now
    rules = policy_for(policy)
    if started_at > now + FUTURE_START_ALLOWANCE:
        raise DeadlineError("The start time is in the future. Enter when it actually happened.")
    computed_due = rules.due_at(started_at, due_at)
    if computed_due <= started_at:
        raise DeadlineError("The due time must be after the start time.")
    deadline = Deadline(
        policy=policy,
        local_authority_id=subject.local_authority_id,
        subject_type=subject.subject_type,
        subject_id=subject.subject_id,
        subject_label=subject.label[:200],
        person_id=subject.person_id,
        case_id=subject.case_id,
        owning_agency=owning_agency,
        owner=owner,
        started_at=started_at,
        due_at=computed_due,
        warn_at=rules.warn_at(started_at, computed_due),
    )
    # Field checks only: the relations come from the calling service, and the database's constraints
    # (due after start, status consistency) back the checks above. full_clean() would spend a query on
    # each foreign key of every clock started.
    deadline.clean_fields(exclude=["local_authority", "person", "case", "owning_agency", "owner"])
    deadline.save(force_insert=True)
    _event(
        deadline,
        DeadlineEventKind.STARTED,
        started_at,
        actor=actor,
        data={"due_at": computed_due.isoformat()},
    )
    if announce:
        _outbox(deadline, OutboxEvent.ASSIGNED, now)
    if deadline.due_at <= now:
        deadline.status = DeadlineStatus.BREACHED
        _record_breach(deadline, now, late_notification=True)
        deadline.save()
    _audit(deadline, actor, context, "start", policy=policy, due_at=computed_due)
    return deadline


@transaction.atomic
def deadline_meet(
    *,
    deadline_id: uuid.UUID,
    actor: User | None,
    met_at: datetime | None = None,
    note: str = "",
    context: AuditContext = SYSTEM_CONTEXT,
) -> Deadline:
    deadline = _lock(deadline_id)
    now = _db_now()
    met_at = met_at or now
    if deadline.status not in OPEN_STATUSES:
        raise DeadlineError(f"This clock is {deadline.get_status_display().lower()}; it cannot be met.")
    if met_at > now + timedelta(minutes=5):
        raise DeadlineError("The time it was met is in the future.")
    if met_at < deadline.started_at:
        raise DeadlineError("The time it was met is before the clock started.")
    effective_due = deadline.due_at
    if deadline.status == DeadlineStatus.PAUSED:
        assert deadline.remaining_while_paused is not None
        effective_due = now + deadline.remaining_while_paused
    if deadline.breached_at is None and met_at > effective_due:
        # Met late and no sweep noticed yet: the timestamps decide, so the breach is recorded now.
        deadline.due_at = effective_due
        _record_breach(deadline, now)
    deadline.status = DeadlineStatus.MET
    deadline.met_at = met_at
    deadline.outcome_note = note[:2000]
    deadline.paused_at = None
    deadline.remaining_while_paused = None
    deadline.save()
    _event(deadline, DeadlineEventKind.MET, met_at, actor=actor, reason=note)
    _audit(deadline, actor, context, "meet", met_at=met_at)
    return deadline


def _refuse_the_chased(deadline: Deadline, actor: User | None, action: str) -> None:
    """A clock that chases an agency (an information request) is never paused, extended or cancelled by the
    agency it chases, whatever the caller."""
    if (
        actor is not None
        and not policy_for(deadline.policy).owner_may_stop
        and actor.agency_id == deadline.owning_agency_id
    ):
        raise DeadlineError(
            f"Your agency is the one this clock is waiting for, so it cannot {action} it. Answer the request, "
            "or ask the MASH if more time is needed."
        )


def _tell_owner(deadline: Deadline, actor: User | None, event: OutboxEvent, cause: DeadlineEvent) -> None:
    """Tell whoever owns the clock (its owner, else its agency's duty inbox) that someone else stopped it."""
    if actor is not None and deadline.owner_id == actor.pk:
        return
    _outbox(deadline, event, cause.occurred_at, occurrence=cause.pk)


@transaction.atomic
def deadline_pause(
    *, deadline_id: uuid.UUID, actor: User, reason: str, context: AuditContext = SYSTEM_CONTEXT
) -> Deadline:
    reason = _require_reason(reason, "pause")
    deadline = _lock(deadline_id)
    _refuse_the_chased(deadline, actor, "pause")
    if deadline.status != DeadlineStatus.RUNNING:
        raise DeadlineError(
            f"Only a running clock can be paused; this one is {deadline.get_status_display().lower()}."
        )
    now = _db_now()
    if deadline.due_at <= now:
        # Past due already: the breach stands (the sweep records it); pausing cannot hide it.
        raise DeadlineError("This clock is already past due, so it cannot be paused.")
    deadline.status = DeadlineStatus.PAUSED
    deadline.paused_at = now
    deadline.remaining_while_paused = deadline.due_at - now
    deadline.save()
    paused = _event(deadline, DeadlineEventKind.PAUSED, now, actor=actor, reason=reason)
    _tell_owner(deadline, actor, OutboxEvent.PAUSED, paused)
    _audit(deadline, actor, context, "pause", reason=reason)
    return deadline


@transaction.atomic
def deadline_resume(
    *, deadline_id: uuid.UUID, actor: User, context: AuditContext = SYSTEM_CONTEXT
) -> Deadline:
    deadline = _lock(deadline_id)
    if deadline.status != DeadlineStatus.PAUSED:
        raise DeadlineError("Only a paused clock can be resumed.")
    assert deadline.remaining_while_paused is not None and deadline.paused_at is not None
    now = _db_now()
    warn_remaining = deadline.warn_at - deadline.paused_at
    deadline.due_at = now + deadline.remaining_while_paused
    deadline.warn_at = now + warn_remaining
    deadline.status = DeadlineStatus.RUNNING
    deadline.paused_at = None
    deadline.remaining_while_paused = None
    deadline.save()
    _event(
        deadline, DeadlineEventKind.RESUMED, now, actor=actor, data={"due_at": deadline.due_at.isoformat()}
    )
    _audit(deadline, actor, context, "resume", due_at=deadline.due_at)
    return deadline


@transaction.atomic
def deadline_cancel(
    *, deadline_id: uuid.UUID, actor: User, reason: str, context: AuditContext = SYSTEM_CONTEXT
) -> Deadline:
    reason = _require_reason(reason, "cancel")
    deadline = _lock(deadline_id)
    _refuse_the_chased(deadline, actor, "cancel")
    if deadline.status not in OPEN_STATUSES:
        raise DeadlineError(f"This clock is already {deadline.get_status_display().lower()}.")
    now = _db_now()
    deadline.status = DeadlineStatus.CANCELLED
    deadline.save()
    cancelled = _event(deadline, DeadlineEventKind.CANCELLED, now, actor=actor, reason=reason)
    _tell_owner(deadline, actor, OutboxEvent.CANCELLED, cancelled)
    _audit(deadline, actor, context, "cancel", reason=reason)
    return deadline


@transaction.atomic
def deadline_extend(
    *,
    deadline_id: uuid.UUID,
    actor: User,
    new_due_at: datetime,
    reason: str,
    context: AuditContext = SYSTEM_CONTEXT,
) -> Deadline:
    if not is_manager(actor):
        raise DeadlineError("Only a manager can extend a clock.")
    reason = _require_reason(reason, "extend")
    deadline = _lock(deadline_id)
    _refuse_the_chased(deadline, actor, "extend")
    if deadline.status != DeadlineStatus.RUNNING:
        raise DeadlineError(
            f"Only a running clock can be extended; this one is {deadline.get_status_display().lower()}."
        )
    now = _db_now()
    if deadline.due_at <= now:
        raise DeadlineError("This clock is already past due; a breach cannot be extended away.")
    if new_due_at <= deadline.started_at:
        raise DeadlineError("The new due time must be after the start time.")
    if new_due_at <= deadline.due_at:
        raise DeadlineError("The new due time must be later than the current one.")
    previous = deadline.due_at
    policy = policy_for(deadline.policy)
    deadline.due_at = new_due_at
    deadline.warn_at = policy.warn_at(deadline.started_at, new_due_at)
    if deadline.warned_at is not None and deadline.warn_at > now:
        deadline.warned_at = None  # a fresh warning before the new due time
    deadline.save()
    _event(
        deadline,
        DeadlineEventKind.EXTENDED,
        now,
        actor=actor,
        reason=reason,
        data={"from": previous.isoformat(), "to": new_due_at.isoformat()},
    )
    _audit(deadline, actor, context, "extend", reason=reason, due_at=new_due_at)
    return deadline


@transaction.atomic
def deadline_allocate(
    *, deadline_id: uuid.UUID, actor: User, owner: User, context: AuditContext = SYSTEM_CONTEXT
) -> Deadline:
    """Give an open clock to one person of its owning agency ("take" is allocating to yourself). They are told
    (in the app and by email), once per allocation."""
    deadline = _lock(deadline_id)
    if deadline.status not in OPEN_STATUSES:
        raise DeadlineError(f"This clock is already {deadline.get_status_display().lower()}.")
    if owner.agency_id != deadline.owning_agency_id or not owner.is_active:
        raise DeadlineError("Choose someone who works for the agency that owns this clock.")
    if not owner.has_any_role(*CASE_WORKER_ROLES):
        raise DeadlineError("Choose someone whose role lets them do this work.")
    if deadline.owner_id == owner.pk:
        return deadline
    now = _db_now()
    previous = deadline.owner
    deadline.owner = owner
    deadline.save(update_fields=["owner", "updated_at"])
    allocated = _event(
        deadline,
        DeadlineEventKind.ALLOCATED,
        now,
        actor=actor,
        data={
            "from": previous.get_full_name() if previous else "",
            "to": owner.get_full_name() or owner.username,
        },
    )
    if owner.pk != actor.pk:
        _outbox(deadline, OutboxEvent.ASSIGNED, now, occurrence=allocated.pk)
    _audit(deadline, actor, context, "allocate", owner=owner.username)
    return deadline


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    escalated: int = 0

    @property
    def total(self) -> int:
        return self.warned + self.breached + self.escalated


# The cut-off is `(SELECT clock_timestamp())`, not a bare `clock_timestamp()`: the function is volatile, so
# compared directly it cannot be an index condition and PostgreSQL filters every running clock on every tick.
# As a sub-select it is evaluated once per statement and probes the partial index (docs/benchmarks.md).
_CLAIM_BREACHES = """
WITH due AS (
    SELECT id FROM deadlines_deadline
    WHERE status = 'running' AND due_at <= (SELECT clock_timestamp())
    ORDER BY due_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE deadlines_deadline AS d
SET status = 'breached',
    breached_at = d.due_at,
    detected_at = clock_timestamp(),
    escalation_level = 1,
    second_escalation_at = d.due_at + (%(second)s::jsonb ->> d.policy)::interval,
    updated_at = clock_timestamp()
FROM due
WHERE d.id = due.id
RETURNING d.id, d.due_at, d.detected_at
"""

# A clock already past due gets its breach, not a late "due soon": without the due_at condition, a backlog
# bigger than one batch (beat down for a while) warned thousands of overdue clocks just before breaching them.
# One cut-off decides and is recorded as warned_at, so warned_at < due_at always holds (a separate
# clock_timestamp() in SET could land after the due time).
_CLAIM_WARNINGS = """
WITH cutoff AS MATERIALIZED (SELECT clock_timestamp() AS at),
due AS (
    SELECT id FROM deadlines_deadline
    WHERE status = 'running' AND warned_at IS NULL AND warn_at <= (SELECT at FROM cutoff)
      AND due_at > (SELECT at FROM cutoff)
    ORDER BY warn_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE deadlines_deadline AS d
SET warned_at = (SELECT at FROM cutoff), updated_at = clock_timestamp()
FROM due
WHERE d.id = due.id
RETURNING d.id, d.warn_at, d.warned_at
"""

_CLAIM_SECOND_ESCALATIONS = """
WITH due AS (
    SELECT id FROM deadlines_deadline
    WHERE status = 'breached' AND escalation_level = 1
      AND second_escalation_at <= (SELECT clock_timestamp())
    ORDER BY second_escalation_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE deadlines_deadline AS d
SET escalation_level = 2, updated_at = clock_timestamp()
FROM due
WHERE d.id = due.id
RETURNING d.id, d.second_escalation_at, clock_timestamp()
"""


def _second_escalation_intervals() -> str:
    return json.dumps(
        {
            code.value: f"{int(p.second_escalation_after.total_seconds())} seconds"
            for code, p in POLICIES.items()
        }
    )


_SECOND_ESCALATION_JSON = _second_escalation_intervals()


def _claim(sql: str, batch: int) -> list[tuple[uuid.UUID, datetime, datetime]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"batch": batch, "second": _SECOND_ESCALATION_JSON})
        return list(cursor.fetchall())


def _write_sweep_rows(
    rows: list[tuple[uuid.UUID, datetime, datetime]], kind: DeadlineEventKind, event: OutboxEvent
) -> None:
    if not rows:
        return
    DeadlineEvent.objects.bulk_create(
        [
            DeadlineEvent(
                deadline_id=deadline_id, kind=kind, occurred_at=at, data={"detected_at": detected.isoformat()}
            )
            for deadline_id, at, detected in rows
        ]
    )
    # ON CONFLICT DO NOTHING on the unique (clock, event, occurrence 0) key: an escalation is written once, ever.
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(deadline_id=deadline_id, event=event, created_at=detected)
            for deadline_id, _, detected in rows
        ],
        ignore_conflicts=True,
    )


def deadline_sweep_batch(*, batch_size: int = 1000, dispatch: bool = True) -> SweepResult:
    """Claim one batch of due breaches, warnings and second escalations, in one transaction. Safe to run
    from any number of processes at once (SKIP LOCKED) and as often as you like (idempotent). With dispatch
    False the outbox messages are written but left for the caller to dispatch."""
    with transaction.atomic():
        breaches = _claim(_CLAIM_BREACHES, batch_size)
        _write_sweep_rows(breaches, DeadlineEventKind.BREACHED, OutboxEvent.BREACH)
        warnings = _claim(_CLAIM_WARNINGS, batch_size)
        _write_sweep_rows(warnings, DeadlineEventKind.WARNED, OutboxEvent.WARNING)
        escalations = _claim(_CLAIM_SECOND_ESCALATIONS, batch_size)
        _write_sweep_rows(escalations, DeadlineEventKind.ESCALATED, OutboxEvent.SECOND_ESCALATION)
        result = SweepResult(len(warnings), len(breaches), len(escalations))
        if result.total and dispatch:
            dispatch_outbox_after_commit()
    return result


def deadline_sweep(*, batch_size: int = 1000, max_batches: int = 100) -> SweepResult:
    """Sweep until nothing is due (or max_batches, so one tick never runs unbounded). Delivery is dispatched
    once, after the last batch: dispatching after every batch (up to 500 task publishes, about half a second)
    held up recording the next thousand, and recording the breach is what must not wait. Messages a failed
    sweep wrote but never dispatched are picked up by the next tick's dispatch (dispatched_at is null)."""
    total = SweepResult()
    for _ in range(max_batches):
        result = deadline_sweep_batch(batch_size=batch_size, dispatch=False)
        total.warned += result.warned
        total.breached += result.breached
        total.escalated += result.escalated
        if result.total < batch_size:
            break
    if total.total:
        dispatch_outbox_after_commit()
    return total


def now_from_database() -> datetime:
    return _db_now()


def notifications_mark_all_read(*, user: User) -> int:
    """The user's own read marks: not case data, so no audit row."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
