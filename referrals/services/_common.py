"""What the front door's services share: who may act for the MASH, the clock subjects they start, and their
audit rows."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from referrals.access import can_record_referrals
from referrals.choices import RagRating
from referrals.models import Referral
from safeguarding.common.errors import PermissionRefused
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject
from safeguarding.organisations.access import agency_grant
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.services import person_grant_agency

INFORMATION_REQUEST_POLICY = {
    RagRating.RED: PolicyCode.INFORMATION_REQUEST_RED,
    RagRating.AMBER: PolicyCode.INFORMATION_REQUEST_AMBER,
    RagRating.GREEN: PolicyCode.INFORMATION_REQUEST_GREEN,
}
# A device clock a few minutes fast should not make a real event time "in the future".
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)


def require_mash(actor: User) -> Agency:
    if actor.agency is None or not can_record_referrals(actor):
        raise PermissionRefused("Only MASH practitioners and managers can do this.")
    return actor.agency


def referral_grant_agency(*, referral: Referral, agency: Agency, write: bool, person: bool = True) -> None:
    """Let `agency` see the referral (and change it, with `write`) and, with `person`, the person it is
    about: the MASH that owns it, and each agency asked for information. A referring agency sees the
    referral it made but not, through it, the person's record."""
    perms = [Perm.VIEW_REFERRAL, Perm.CHANGE_REFERRAL] if write else [Perm.VIEW_REFERRAL]
    agency_grant(agency=agency, obj=referral, perms=perms)
    if person:
        person_grant_agency(person=referral.person, agency=agency, write=write)


def require_not_future(moment: datetime, field: str, label: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW_ALLOWANCE:
        raise ValidationError({field: f"{label} must be now or in the past"})


def clock_subject(
    referral: Referral, subject_type: str = "referral", subject_id: uuid.UUID | None = None
) -> DeadlineSubject:
    return DeadlineSubject(
        subject_type=subject_type,
        subject_id=subject_id or referral.pk,
        label=f"{referral.person.given_name} {referral.person.family_name[:1]}.",
        local_authority_id=referral.local_authority_id,
        person_id=referral.person_id,
        case_id=referral.case_id,
    )


def open_clock(referral: Referral, policy: PolicyCode, subject_type: str = "referral") -> Deadline | None:
    return open_clock_of(subject_type=subject_type, subject_id=referral.pk, policy=policy)


def audit(
    actor: User,
    context: AuditContext,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID,
    person_id: uuid.UUID,
    **changes: Any,
) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=[person_id],
        context=context,
        changes={k: str(v) for k, v in changes.items()},
    )
