"""Reachable moments (finding 2): every contact point where help could reach the child, with how support was
offered, whether it was taken up, why not and what follows; and the emergency department's attendances for
violence, which health records and which reach the MASH as referrals (seed 5.4.2)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from referrals.choices import ContactMethod, ReachableMomentKind, ReferralSource
from referrals.models import EmergencyAttendance, ReachableMoment, Referral
from referrals.services._common import audit, require_not_future
from referrals.services.intake import create_once, mash_agency_for, referral_write
from safeguarding.common.errors import PermissionRefused
from safeguarding.organisations.models import AgencyType, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES

# Recorded with their own workflow: urgent response contact meets the 48-hour clock (urgent_contact_record),
# and an emergency department attendance is recorded by health as a referral (emergency_attendance_record).
OWN_WORKFLOW = {ReachableMomentKind.URGENT_RESPONSE, ReachableMomentKind.EMERGENCY_DEPARTMENT}
# How support was offered and taken up: what every moment records besides its kind, time and method.
TAKE_UP_FIELDS = ("support_offered", "support_accepted", "declined_reason", "declined_detail", "follow_up")
# What an emergency department attendance is made of, as the page's form and the API's body give it.
ATTENDANCE_FIELDS = ("hospital", "attended_at", "injury", "injury_detail", "accompanied_by")
ATTENDANCE_REFERRAL_FIELDS = ("concerns", "narrative", "consent", "consent_not_sought_reason", "lawful_basis")
ATTENDANCE_PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number")
MOMENT_FIELDS = ("occurred_at", "method", *TAKE_UP_FIELDS)


def _check_take_up(data: dict[str, Any]) -> None:
    if data.get("support_accepted") is False and not data.get("declined_reason"):
        raise ValidationError({"declined_reason": "Select why the support was not taken up"})
    if data.get("support_accepted") and data.get("declined_reason"):
        data["declined_reason"] = ""  # a reason for declining means nothing once it was taken up


def moment_build(*, referral: Referral, kind: str, actor: User, data: dict[str, Any]) -> ReachableMoment:
    """A moment about the referral's child, checked (not saved): the time is real and not before the child
    was born, and support not taken up says why."""
    occurred_at: datetime = data["occurred_at"]
    require_not_future(occurred_at, "occurred_at", "The time of the contact")
    born = referral.person.date_of_birth
    if born is not None and occurred_at.date() < born:
        raise ValidationError({"occurred_at": "The time of the contact cannot be before the child was born"})
    _check_take_up(data)
    moment = ReachableMoment(
        referral=referral,
        person=referral.person,
        kind=kind,
        recorded_by=actor,
        **{name: data.get(name, "") for name in MOMENT_FIELDS},
    )
    moment.full_clean(exclude=["referral", "person", "recorded_by"])
    return moment


@transaction.atomic(durable=True)
def reachable_moment_record(
    *, actor: User, context: AuditContext, referral: Referral, kind: str, data: dict[str, Any]
) -> ReachableMoment:
    """A contact point recorded on the child's referral by anyone working with it (the caller has checked
    the actor may see the referral)."""
    if not actor.has_any_role(*CASE_WORKER_ROLES):
        raise PermissionRefused("Only practitioners can record a reachable moment.")
    if kind in OWN_WORKFLOW or kind not in ReachableMomentKind.values:
        raise ValidationError({"kind": "Select where the contact happened"})
    moment = moment_build(referral=referral, kind=kind, actor=actor, data=data)
    moment.save(force_insert=True)
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "reachable_moment",
        moment.pk,
        referral.person_id,
        kind=kind,
        accepted=moment.support_accepted,
    )
    return moment


def emergency_attendance_record(
    *,
    actor: User,
    context: AuditContext,
    attendance: dict[str, Any],
    moment: dict[str, Any],
    referral_data: dict[str, Any],
    new_person_data: dict[str, Any],
    idempotency_key: str,
) -> Referral:
    """A child seen in the emergency department for an injury from violence, recorded by health: it reaches
    the authority's MASH as a referral (source 3E, health the referrer) with its decision clock, and the
    attendance is a reachable moment. Health cannot search the authority's people: a child already known is
    matched by NHS number. A retry with the same key answers the first referral."""
    if (
        actor.agency is None
        or actor.agency.agency_type != AgencyType.HEALTH
        or not actor.has_any_role(*CASE_WORKER_ROLES)
    ):
        raise PermissionRefused("Only health practitioners can record an emergency department attendance.")
    attended_at: datetime = attendance["attended_at"]
    require_not_future(attended_at, "attended_at", "The time of the attendance")
    born = new_person_data.get("date_of_birth")
    if born is not None and attended_at.date() < born:
        raise ValidationError(
            {"attended_at": "The time of the attendance cannot be before the child was born"}
        )
    mash_agency = mash_agency_for(actor.agency.local_authority_id)

    def write() -> Referral:
        referral = referral_write(
            actor=actor,
            context=context,
            mash_agency=mash_agency,
            person=None,
            new_person_data=new_person_data,
            data={
                "source": ReferralSource.HEALTH_A_AND_E,
                "received_at": attended_at,
                "referrer_agency": actor.agency,
                **referral_data,
            },
            idempotency_key=idempotency_key,
            match_by_nhs_number=True,
        )
        record = EmergencyAttendance(referral=referral, **attendance)
        record.full_clean(exclude=["referral"], validate_unique=False)
        record.save(force_insert=True)
        built = moment_build(
            referral=referral,
            kind=ReachableMomentKind.EMERGENCY_DEPARTMENT,
            actor=actor,
            data={"occurred_at": attended_at, "method": ContactMethod.AT_HOSPITAL, **moment},
        )
        built.save(force_insert=True)
        audit(
            actor,
            context,
            AuditAction.CREATE,
            "emergency_attendance",
            record.pk,
            referral.person_id,
            injury=str(record.injury),
            accepted=built.support_accepted,
        )
        return referral

    referral, _ = create_once(
        actor=actor, idempotency_key=idempotency_key, request_fingerprint="", write=write
    )
    return referral


def emergency_attendance_record_from(
    *, actor: User, context: AuditContext, data: Mapping[str, Any], idempotency_key: str
) -> Referral:
    """emergency_attendance_record from one flat set of answers (the page's form, the API's body)."""
    return emergency_attendance_record(
        actor=actor,
        context=context,
        attendance={name: data[name] for name in ATTENDANCE_FIELDS},
        moment={name: data[name] for name in TAKE_UP_FIELDS},
        referral_data={name: data[name] for name in ATTENDANCE_REFERRAL_FIELDS},
        new_person_data={name: data[name] for name in ATTENDANCE_PERSON_FIELDS},
        idempotency_key=idempotency_key,
    )
