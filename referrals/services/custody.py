"""Children booked into police custody (Operation Harbinger): the Golden Hour runs from the booking time,
whichever force holds the child, and is met when the MASH shares what it knows with custody."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from referrals.choices import ReferralSource
from referrals.models import CustodyBooking, InformationShare, Referral
from referrals.services._common import audit, clock_subject, require_mash, require_not_future
from referrals.services.intake import create_once, mash_agency_for, referral_write
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_meet, deadline_start
from safeguarding.organisations.models import AgencyType, LocalAuthority, User
from safeguarding.people.models import Person


def custody_booking_get_or_create(
    *,
    actor: User,
    context: AuditContext,
    referral_data: dict[str, Any],
    booking_data: dict[str, Any],
    idempotency_key: str,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    home_authority: LocalAuthority | None = None,
    request_fingerprint: str = "",
) -> tuple[Referral, bool]:
    """A child booked into custody. Recorded by the MASH, or sent by a police user through the API.

    A force outside the child's home authority names it (`home_authority`, finding 4): the booking goes to
    that authority's MASH, which owns the referral and the clock; the force is the referrer and may see the
    referral. Without `home_authority` the child's home is the actor's own authority."""
    if actor.agency is None:
        raise PermissionRefused("Your account has no agency.")
    is_police = actor.agency.agency_type == AgencyType.POLICE
    if not is_police:
        require_mash(actor)
    own_authority_id = actor.agency.local_authority_id
    home_authority_id = home_authority.pk if home_authority is not None else own_authority_id
    out_of_area = home_authority_id != own_authority_id
    if out_of_area and not is_police:
        raise PermissionRefused("Only a police force can send a custody booking to another authority's MASH.")
    if out_of_area and person is not None:
        raise ApplicationError(
            "Give the child's details: a force outside the child's home authority cannot see its records."
        )
    mash_agency = mash_agency_for(home_authority_id) if is_police else actor.agency
    booked_in_at: datetime = booking_data["booked_in_at"]
    require_not_future(booked_in_at, "booked_in_at", "The booking time")
    booking_fields = {**booking_data, "out_of_area": True} if out_of_area else booking_data

    def write() -> Referral:
        data = {"source": ReferralSource.CUSTODY_BOOKING, "received_at": timezone.now(), **referral_data}
        if is_police and not data.get("referrer_agency"):
            data["referrer_agency"] = actor.agency
        referral = referral_write(
            actor=actor,
            context=context,
            mash_agency=mash_agency,
            person=person,
            new_person_data=new_person_data,
            data=data,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )
        booking = CustodyBooking(referral=referral, **booking_fields)
        booking.full_clean(exclude=["referral"], validate_unique=False)
        booking.save(force_insert=True)
        deadline_start(
            policy=PolicyCode.GOLDEN_HOUR,
            subject=clock_subject(referral, "custody_booking", booking.pk),
            started_at=booked_in_at,
            owning_agency=mash_agency,
            owner=actor if actor.agency_id == mash_agency.pk else None,
            actor=actor,
            context=context,
        )
        return referral

    return create_once(
        actor=actor, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint, write=write
    )


def custody_booking_create(
    *,
    actor: User,
    context: AuditContext,
    referral_data: dict[str, Any],
    booking_data: dict[str, Any],
    idempotency_key: str,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    home_authority: LocalAuthority | None = None,
    request_fingerprint: str = "",
) -> Referral:
    referral, _ = custody_booking_get_or_create(
        actor=actor,
        context=context,
        referral_data=referral_data,
        booking_data=booking_data,
        idempotency_key=idempotency_key,
        person=person,
        new_person_data=new_person_data,
        home_authority=home_authority,
        request_fingerprint=request_fingerprint,
    )
    return referral


@transaction.atomic(durable=True)
def information_share_record(
    *,
    actor: User,
    context: AuditContext,
    booking: CustodyBooking,
    shared_at: datetime,
    shared_with: str,
    summary: str,
) -> InformationShare:
    """What the MASH shared with custody, and with whom. Meets the Golden Hour at `shared_at`."""
    require_mash(actor)
    require_not_future(shared_at, "shared_at", "The time it was shared")
    if shared_at < booking.booked_in_at:
        raise ValidationError({"shared_at": "The time it was shared cannot be before the booking time"})
    share = InformationShare(
        booking=booking, shared_at=shared_at, shared_with=shared_with, summary=summary, recorded_by=actor
    )
    share.full_clean()
    share.save()
    clock = Deadline.objects.filter(
        subject_type="custody_booking", subject_id=booking.pk, policy=PolicyCode.GOLDEN_HOUR
    ).first()
    if clock is not None and clock.is_open:
        deadline_meet(
            deadline_id=clock.pk,
            actor=actor,
            met_at=shared_at,
            note=f"Shared with {shared_with}",
            context=context,
        )
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "custody_booking",
        booking.pk,
        booking.referral.person_id,
        shared_with=shared_with,
    )
    return share
