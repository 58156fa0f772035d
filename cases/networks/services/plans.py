"""A context's assessments and its plan: actions with owners, each a clock; the plan reaches every child linked
to the context."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.networks.clocks import CONTEXT_ACTION_SUBJECT
from cases.networks.models import (
    AssessmentKind,
    Context,
    ContextAction,
    ContextActionStatus,
    ContextAssessment,
)
from cases.networks.services._common import require_context_worker, require_recorder
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.calendars import end_of_working_day
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject, deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import Agency, User


@transaction.atomic(durable=True)
def context_assess(
    *, actor: User, context: AuditContext, ctx: Context, data: dict[str, Any]
) -> ContextAssessment:
    """A peer group, school or neighbourhood assessment, answering what must change first."""
    agency = require_context_worker(actor, ctx)
    errors: dict[str, str] = {}
    if data.get("kind") not in AssessmentKind.values:
        errors["kind"] = "Select the kind of assessment"
    if not str(data.get("findings", "")).strip():
        errors["findings"] = "Enter what the assessment found"
    if not str(data.get("change_first", "")).strip():
        errors["change_first"] = "Enter what must change first for the children to be safer"
    if errors:
        raise ValidationError(errors)
    assessment = ContextAssessment.objects.create(
        context=ctx,
        kind=data["kind"],
        findings=str(data["findings"]).strip(),
        change_first=str(data["change_first"]).strip(),
        strengths=str(data.get("strengths", "")).strip(),
        assessed_by=actor,
        assessed_by_agency=agency,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="context_assessment",
        object_id=assessment.pk,
        context=context,
        changes={"context": str(ctx.pk), "kind": assessment.kind},
    )
    return assessment


@transaction.atomic(durable=True)
def context_action_agree(
    *,
    actor: User,
    context: AuditContext,
    ctx: Context,
    description: str,
    owner_agency: Agency | None,
    owner: User | None,
    due_date: date | None,
) -> ContextAction:
    """An action of the context's plan: a clock for its owner, who is told."""
    require_context_worker(actor, ctx)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter the action"
    if owner is not None and owner_agency is None:
        owner_agency = owner.agency
    if owner_agency is None:
        errors["owner_agency"] = "Select the agency that owns the action"
    elif owner is not None and owner.agency_id != owner_agency.pk:
        errors["owner"] = "The named owner must work for the owning agency"
    today = timezone.localdate()
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date <= today:
        errors["due_date"] = "The due date must be in the future"
    if errors:
        raise ValidationError(errors)
    assert owner_agency is not None and due_date is not None
    if owner_agency.local_authority_id != ctx.local_authority_id:
        raise ApplicationError("The owning agency must belong to this authority.")
    action = ContextAction.objects.create(
        context=ctx,
        description=description.strip(),
        owner_agency=owner_agency,
        owner=owner,
        due_date=due_date,
        agreed_by=actor,
    )
    deadline_start(
        policy=PolicyCode.CONTEXT_ACTION,
        subject=DeadlineSubject(
            subject_type=CONTEXT_ACTION_SUBJECT,
            subject_id=action.pk,
            label=f"{ctx.name}: {action.description}"[:200],
            local_authority_id=ctx.local_authority_id,
        ),
        started_at=now_from_database(),
        due_at=end_of_working_day(due_date),
        owning_agency=owner_agency,
        owner=owner,
        actor=actor,
        context=context,
        announce=True,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="context_action",
        object_id=action.pk,
        context=context,
        changes={"context": str(ctx.pk), "owner_agency": owner_agency.name, "due_date": due_date.isoformat()},
    )
    return action


@transaction.atomic(durable=True)
def context_action_done(
    *, actor: User, context: AuditContext, action: ContextAction, note: str = ""
) -> ContextAction:
    require_recorder(actor)
    locked = ContextAction.objects.select_for_update().get(pk=action.pk)
    if locked.status != ContextActionStatus.OPEN:
        raise ApplicationError("This action is already done.")
    if actor.agency_id != locked.owner_agency_id and actor.pk != locked.agreed_by_id:
        raise PermissionRefused("Only the owning agency, or whoever agreed the action, can mark it done.")
    locked.status = ContextActionStatus.DONE
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    clock = open_clock_of(subject_type=CONTEXT_ACTION_SUBJECT, subject_id=locked.pk)
    if clock is not None:
        deadline_meet(deadline_id=clock.pk, actor=actor, note=note.strip() or "Done", context=context)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="context_action",
        object_id=locked.pk,
        context=context,
        changes={"status": "done"},
    )
    return locked
