"""Actions agreed at a panel: each with an owning agency (and, if named, a person), a due date and a clock.
An action is closed only as done, "circumstances changed" or "agency did not act", and each way is counted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from panels.access import is_running
from panels.models import ActionStatus, AgendaItem, Meeting, PanelAction
from panels.services._common import (
    ACTION_SUBJECT,
    audit,
    open_clock,
    require_running,
    require_unlocked,
    subject,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.calendars import end_of_working_day
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from safeguarding.organisations.models import Agency, User


@transaction.atomic(durable=True)
def panel_action_agree(
    *,
    actor: User,
    context: AuditContext,
    item: AgendaItem,
    description: str,
    owner_agency: Agency | None,
    owner: User | None,
    due_date: date | None,
) -> PanelAction:
    locked = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__panel", "referral__person", "referral__context")
        .get(pk=item.pk)
    )
    require_running(actor, locked.meeting.panel)
    require_unlocked(locked.meeting)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter the action"
    if owner is not None and owner_agency is None:
        owner_agency = owner.agency
    if owner_agency is None:
        errors["owner_agency"] = "Select the agency that owns the action"
    elif owner is not None and owner.agency_id != owner_agency.pk:
        errors["owner"] = "The named owner must work for the owning agency"
    meeting_day = timezone.localtime(locked.meeting.scheduled_for).date()
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date <= meeting_day:
        errors["due_date"] = "The due date must be after the meeting"
    if errors:
        raise ValidationError(errors)
    assert owner_agency is not None and due_date is not None
    if owner_agency.local_authority_id != locked.meeting.local_authority_id:
        raise ApplicationError("The owning agency must belong to this local authority.")
    action = PanelAction.objects.create(
        referral=locked.referral,
        agreed_at=locked,
        local_authority_id=locked.meeting.local_authority_id,
        description=description.strip(),
        owner_agency=owner_agency,
        owner=owner,
        due_date=due_date,
    )
    deadline_start(
        policy=PolicyCode.PANEL_ACTION,
        subject=subject(locked.referral, ACTION_SUBJECT, action.pk),
        started_at=locked.meeting.scheduled_for
        if locked.meeting.scheduled_for <= timezone.now()
        else timezone.now(),
        due_at=end_of_working_day(due_date),
        owning_agency=owner_agency,
        owner=owner,
        actor=actor,
        context=context,
        announce=True,
    )
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "panel_action",
        action.pk,
        locked.referral.person_ids,
        owner_agency=owner_agency.name,
        due_date=due_date.isoformat(),
    )
    return action


@transaction.atomic(durable=True)
def panel_action_close(
    *,
    actor: User,
    context: AuditContext,
    action: PanelAction,
    status: str,
    note: str = "",
    meeting: Meeting | None = None,
) -> PanelAction:
    """Done: by the owning agency or the panel. "Circumstances changed" and "agency did not act": only the
    panel's chairs and coordinator, with a note, usually at the meeting where the action came back."""
    locked = PanelAction.objects.select_for_update().select_related("referral__panel").get(pk=action.pk)
    if locked.status != ActionStatus.OPEN:
        raise ApplicationError(f"This action is already closed ({locked.get_status_display().lower()}).")
    if status not in ActionStatus.values or status == ActionStatus.OPEN:
        raise ValidationError({"status": "Select how the action was closed"})
    runs = is_running(actor, locked.referral.panel)
    if status == ActionStatus.DONE:
        if not runs and actor.agency_id != locked.owner_agency_id:
            raise PermissionRefused("Only the owning agency or the panel can mark this action done.")
    else:
        if not runs:
            raise PermissionRefused("Only the panel's chairs can close an action that was not done.")
        if not note.strip():
            raise ValidationError({"note": "Enter why the action is being closed without being done"})
    if meeting is not None:
        require_unlocked(meeting)
    locked.status = status
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.closure_note = note.strip()
    locked.closed_at_meeting = meeting
    locked.save()
    clock = open_clock(ACTION_SUBJECT, locked.pk, PolicyCode.PANEL_ACTION)
    if clock is not None:
        if status == ActionStatus.DONE:
            deadline_meet(deadline_id=clock.pk, actor=actor, note=note.strip() or "Done", context=context)
        else:
            deadline_cancel(
                deadline_id=clock.pk,
                actor=actor,
                reason=f"{locked.get_status_display()}: {note.strip()}",
                context=context,
            )
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "panel_action",
        locked.pk,
        locked.referral.person_ids,
        status=status,
        note=note.strip()[:200],
    )
    return locked
