"""Referring a child to a panel (from a MASH decision, from any agency, or prompted by a trigger), or a place or
group to the contextual panel. The referral lands in the panel's queue with a clock to list it, owned by the
coordinator, who is told."""

import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from cases.models import Case, ExploitationType, RiskLevel
from cases.networks.models import Context
from panels.access import can_refer
from panels.models import (
    OPEN_REFERRAL_STATUSES,
    Panel,
    PanelKind,
    PanelReferral,
    PanelReferralStatus,
    ReferralSource,
)
from panels.services._common import REFERRAL_SUBJECT, audit, open_clock, require_running, subject
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_cancel, deadline_start, now_from_database
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

# A referral is a repeat when the person was on one of the authority's panels within this time before it.
REPEAT_WINDOW = timedelta(days=365)


def _validate(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(data.get("reason", "")).strip():
        errors["reason"] = "Enter the reason for the referral"
    types = data.get("exploitation_types") or []
    if not types:
        errors["exploitation_types"] = "Select at least one type of exploitation"
    elif not set(types) <= set(ExploitationType.values):
        errors["exploitation_types"] = "Select the types of exploitation from the list"
    if data.get("current_risk") not in set(RiskLevel.values) - {RiskLevel.NOT_ASSESSED}:
        errors["current_risk"] = "Select the current level of risk"
    if errors:
        raise ValidationError(errors)


def _about(about: Person | Context) -> dict[str, Any]:
    return {"person": about} if isinstance(about, Person) else {"context": about}


def panel_referral_history(about: Person | Context, *, before: Any = None) -> list[PanelReferral]:
    """The child's (or the place or group's) referrals to any panel of the authority in the repeat window,
    newest first."""
    before = before or timezone.now()
    return list(
        PanelReferral.objects.filter(
            **_about(about), created_at__gte=before - REPEAT_WINDOW, created_at__lt=before
        )
        .select_related("panel")
        .order_by("-created_at")
    )


def panel_referral_create_within(
    *,
    actor: User,
    context: AuditContext,
    panel: Panel,
    about: Person | Context,
    data: dict[str, Any],
    source: str = ReferralSource.AGENCY,
    source_type: str = "",
    source_id: uuid.UUID | None = None,
    case: Case | None = None,
) -> PanelReferral:
    """For callers already in a transaction (a MASH decision "refer to the ERP"). The caller has authorised
    `about` (a child, or a place or group) for `actor`."""
    if not can_refer(actor):
        raise PermissionRefused("Your role does not allow you to refer to a panel.")
    assert actor.agency is not None
    name = about.full_name if isinstance(about, Person) else about.name
    if panel.local_authority_id != about.local_authority_id:
        raise ApplicationError(
            "A child can only be referred to a panel of their own local authority."
            if isinstance(about, Person)
            else "A place or group can only be referred to a panel of its own local authority."
        )
    if isinstance(about, Context) and panel.kind != PanelKind.CONTEXTUAL_ERP:
        raise ValidationError(
            {"panel": "Select a contextual panel: places and groups go to the contextual ERP"}
        )
    _validate(data)
    if PanelReferral.objects.filter(panel=panel, **_about(about), status__in=OPEN_REFERRAL_STATUSES).exists():
        raise ApplicationError(
            f"{name} is already on the {panel.name}'s list. Add what has changed to that referral instead."
        )
    referral = PanelReferral(
        panel=panel,
        local_authority_id=panel.local_authority_id,
        **_about(about),
        case=case if isinstance(about, Person) else None,
        source=source,
        source_type=source_type,
        source_id=source_id,
        referred_by=actor,
        referring_agency=actor.agency,
        reason=str(data["reason"]).strip(),
        exploitation_types=list(data["exploitation_types"]),
        current_risk=data["current_risk"],
        is_repeat=bool(panel_referral_history(about)),
    )
    referral.full_clean(exclude=["person", "context", "panel", "case", "referred_by", "referring_agency"])
    try:
        # A savepoint: a referral made at the same moment by someone else is refused, not a broken transaction.
        with transaction.atomic():
            referral.save(force_insert=True)
    except IntegrityError as error:
        raise ApplicationError(f"{name} is already on this panel's list.") from error
    coordinator = panel.coordinator
    assert coordinator.agency is not None
    deadline_start(
        policy=PolicyCode.PANEL_LISTING,
        subject=subject(referral, REFERRAL_SUBJECT, referral.pk),
        started_at=now_from_database(),
        owning_agency=coordinator.agency,
        owner=coordinator,
        actor=actor,
        context=context,
        announce=True,
    )
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "panel_referral",
        referral.pk,
        referral.person_ids,
        panel=panel.name,
        repeat=referral.is_repeat,
    )
    return referral


@transaction.atomic(durable=True)
def panel_referral_create(
    *,
    actor: User,
    context: AuditContext,
    panel: Panel,
    about: Person | Context,
    data: dict[str, Any],
    source: str = ReferralSource.AGENCY,
    case: Case | None = None,
) -> PanelReferral:
    return panel_referral_create_within(
        actor=actor, context=context, panel=panel, about=about, data=data, source=source, case=case
    )


@transaction.atomic(durable=True)
def panel_referral_close(
    *, actor: User, context: AuditContext, referral: PanelReferral, outcome: str, withdrawn: bool = False
) -> PanelReferral:
    """The panel closes its work with a child (with an outcome), or a referral is withdrawn before listing."""
    locked = (
        PanelReferral.objects.select_for_update(of=("self",))
        .select_related("panel", "person", "context")
        .get(pk=referral.pk)
    )
    require_running(actor, locked.panel)
    if locked.status not in OPEN_REFERRAL_STATUSES:
        raise ApplicationError("This referral is already closed.")
    if not outcome.strip():
        raise ValidationError(
            {"outcome": "Enter the outcome" if not withdrawn else "Enter why it is withdrawn"}
        )
    if locked.actions.filter(status="open").exists():
        raise ApplicationError("Close the open actions first: each as done, or with the reason it was not.")
    locked.status = PanelReferralStatus.WITHDRAWN if withdrawn else PanelReferralStatus.CLOSED
    locked.outcome = outcome.strip()
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    clock = open_clock(REFERRAL_SUBJECT, locked.pk, PolicyCode.PANEL_LISTING)
    if clock is not None:
        deadline_cancel(
            deadline_id=clock.pk,
            actor=actor,
            reason=f"Referral closed: {outcome.strip()}"[:2000],
            context=context,
        )
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "panel_referral",
        locked.pk,
        locked.person_ids,
        status=locked.status,
        outcome=locked.outcome,
    )
    return locked
