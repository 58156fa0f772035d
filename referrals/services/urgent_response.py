"""Urgent response: the worker's first direct contact with the child is a reachable moment and meets the
48-hour clock."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from referrals.access import can_record_urgent_contact
from referrals.choices import ReachableMomentKind
from referrals.models import ReachableMoment, Referral
from referrals.services._common import audit, open_clock, require_not_future
from referrals.services.moments import moment_build
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_meet
from safeguarding.organisations.models import User


@transaction.atomic(durable=True)
def urgent_contact_record(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    occurred_at: datetime,
    method: str,
    support_offered: str,
    support_accepted: bool,
    declined_reason: str = "",
    declined_detail: str = "",
    follow_up: str = "",
) -> ReachableMoment:
    """The urgent response worker's first direct contact with the child: a reachable moment, and it meets
    the 48-hour clock at the time the contact happened."""
    if actor.agency is None or not can_record_urgent_contact(actor):
        raise PermissionRefused("Only urgent response workers can record urgent response contact.")
    require_not_future(occurred_at, "occurred_at", "The time of contact")
    clock = open_clock(referral, PolicyCode.URGENT_RESPONSE)
    if clock is None:
        raise ApplicationError("This referral has no open urgent response clock.")
    if occurred_at < clock.started_at:
        raise ValidationError({"occurred_at": "The contact cannot be before the urgent response decision"})
    moment = moment_build(
        referral=referral,
        kind=ReachableMomentKind.URGENT_RESPONSE,
        actor=actor,
        data={
            "occurred_at": occurred_at,
            "method": method,
            "support_offered": support_offered,
            "support_accepted": support_accepted,
            "declined_reason": declined_reason,
            "declined_detail": declined_detail,
            "follow_up": follow_up,
        },
    )
    moment.save()
    deadline_meet(
        deadline_id=clock.pk, actor=actor, met_at=occurred_at, note="First direct contact", context=context
    )
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "reachable_moment",
        moment.pk,
        referral.person_id,
        accepted=support_accepted,
    )
    return moment
