"""Outcomes agreed at the Daily Risk Management Meeting."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from referrals.models import DrmItem, Referral
from referrals.services._common import audit, require_mash
from safeguarding.organisations.models import User


@transaction.atomic(durable=True)
def drm_outcome_record(
    *, actor: User, context: AuditContext, referral: Referral, kind: str, meeting_date: Any, outcome: str
) -> DrmItem:
    require_mash(actor)
    if not outcome.strip():
        raise ValidationError({"outcome": "Enter the outcome agreed at the meeting"})
    item, _ = DrmItem.objects.get_or_create(
        local_authority_id=referral.local_authority_id,
        meeting_date=meeting_date,
        kind=kind,
        referral=referral,
    )
    item.outcome = outcome
    item.outcome_recorded_by = actor
    item.outcome_recorded_at = timezone.now()
    item.save()
    audit(actor, context, AuditAction.UPDATE, "drm_item", referral.pk, referral.person_id, kind=kind)
    return item
