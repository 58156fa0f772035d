"""Minutes: drafted live (optimistic locking, so two people typing never overwrite each other), approved by a
chair and then locked; a later change is an amendment with its author and reason, never a silent edit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from panels.models import Meeting, MeetingStatus, MinutesAmendment
from panels.services._common import ITEM_SUBJECT, audit, require_running, require_unlocked, subject
from panels.services.attendance_alerts import core_absence_alerts_raise
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_start
from safeguarding.organisations.models import User


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("panel__coordinator").get(pk=meeting.pk)


@transaction.atomic(durable=True)
def minutes_save(
    *, actor: User, context: AuditContext, meeting: Meeting, minutes: str, expected_version: int
) -> Meeting:
    locked = _lock(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "Someone else saved these minutes after you opened them. Your text has not been saved: copy it, "
            "reload the page, and add it to the latest version.",
            extra={"current_version": locked.version},
        )
    locked.minutes = minutes
    locked.version += 1
    locked.save(update_fields=["minutes", "version", "updated_at"])
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], minutes_version=locked.version)
    return locked


@transaction.atomic(durable=True)
def minutes_approve(*, actor: User, context: AuditContext, meeting: Meeting) -> Meeting:
    """A chair approves the minutes, which locks them. Each item with a decision gets its plan clock: sent to
    the members within two working days of the meeting."""
    locked = _lock(meeting)
    if not locked.panel.chairs.filter(pk=actor.pk).exists():
        raise PermissionRefused("Only a chair of the panel can approve the minutes.")
    require_unlocked(locked)
    if not locked.minutes.strip():
        raise ApplicationError("Write the minutes before approving them.")
    now = timezone.now()
    locked.status = MeetingStatus.MINUTES_LOCKED
    locked.minutes_approved_by = actor
    locked.minutes_approved_at = now
    locked.save(update_fields=["status", "minutes_approved_by", "minutes_approved_at", "updated_at"])
    coordinator = locked.panel.coordinator
    assert coordinator.agency is not None
    for item in locked.items.select_related("referral__person", "referral__context").filter(
        plan_sent_at__isnull=True
    ):
        deadline_start(
            policy=PolicyCode.PANEL_PLAN,
            subject=subject(item.referral, ITEM_SUBJECT, item.pk),
            started_at=min(locked.scheduled_for, now),
            owning_agency=coordinator.agency,
            owner=coordinator,
            actor=actor,
            context=context,
        )
    # The meeting's attendance is final now: a core agency absent again is followed up by the panel's manager.
    core_absence_alerts_raise(meeting=locked, actor=actor, context=context)
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], minutes="approved and locked")
    return locked


@transaction.atomic(durable=True)
def minutes_amend(
    *, actor: User, context: AuditContext, meeting: Meeting, minutes: str, reason: str
) -> MinutesAmendment:
    locked = _lock(meeting)
    require_running(actor, locked.panel)
    if not locked.is_locked:
        raise ApplicationError("These minutes are not locked yet: edit them directly.")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter the reason for the amendment"
    if minutes == locked.minutes:
        errors["minutes"] = "Change the minutes, or cancel the amendment"
    if errors:
        raise ValidationError(errors)
    amendment = MinutesAmendment.objects.create(
        meeting=locked,
        author=actor,
        reason=reason.strip(),
        minutes_before=locked.minutes,
        minutes_after=minutes,
    )
    locked.minutes = minutes
    locked.version += 1
    locked.save(update_fields=["minutes", "version", "updated_at"])
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "panel_meeting",
        locked.pk,
        [],
        reason=reason.strip(),
        amendment=str(amendment.pk),
    )
    return amendment
