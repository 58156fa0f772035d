"""Referral intake: one durable transaction writes the referral, its grants, the MASH decision clock, the
DRM item for county lines and the audit row. The same Idempotency-Key from the same user always answers with
the referral it first made."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from referrals.choices import Concern, Consent, DrmItemKind, ReferralSource
from referrals.models import DrmItem, Referral
from referrals.selectors import OPEN_REFERRAL_STATUSES
from referrals.services._common import (
    CLOCK_SKEW_ALLOWANCE,
    clock_subject,
    referral_grant_agency,
    require_mash,
)
from referrals.services.drm import next_drm_date
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_start
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.people.models import Person
from safeguarding.people.services import (
    _clean_person_data,
    person_create_within,
    person_record_within,
)

# Loaded objects the service sets itself: checking each one exists would be a query apiece.
REFERRAL_RELATIONS = [
    "local_authority",
    "mash_agency",
    "person",
    "case",
    "referrer_agency",
    "created_by",
    "linked_to",
]


class IdempotencyKeyReused(ApplicationError):
    """The key already made a referral from a different request: answering with that referral would tell the
    client its new request succeeded when it did not."""

    status_code = 422
    code = "idempotency_key_reused"


def referral_find_existing(*, actor: User, idempotency_key: str) -> Referral | None:
    return (
        Referral.objects.select_related("person")
        .filter(created_by=actor, idempotency_key=idempotency_key)
        .first()
    )


def mash_agency_for(local_authority_id: Any) -> Agency:
    agency = (
        Agency.objects.filter(
            local_authority_id=local_authority_id, agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
        )
        .order_by("created_at")
        .first()
    )
    if agency is None:
        raise ApplicationError("This authority has no MASH (children's social care agency) set up.")
    return agency


def _validate_referral_data(
    actor: User, data: dict[str, Any], person: Person | None, new_person_data: dict[str, Any] | None
) -> None:
    errors: dict[str, list[str]] = {}
    referrer: Agency | None = data.get("referrer_agency")
    if (
        referrer is not None
        and actor.agency is not None
        and referrer.local_authority_id != actor.agency.local_authority_id
    ):
        errors.setdefault("referrer_agency", []).append("Choose an agency in your authority.")
    received_at: datetime = data["received_at"]
    if received_at > timezone.now() + CLOCK_SKEW_ALLOWANCE:
        errors.setdefault("received_at", []).append("The time received must be now or in the past")
    date_of_birth = (
        person.date_of_birth if person is not None else (new_person_data or {}).get("date_of_birth")
    )
    if date_of_birth and timezone.localtime(received_at).date() < date_of_birth:
        errors.setdefault("received_at", []).append(
            "The time received cannot be before the person's date of birth"
        )
    if (
        data.get("consent") == Consent.NOT_SOUGHT
        and not (data.get("consent_not_sought_reason") or "").strip()
    ):
        errors.setdefault("consent_not_sought_reason", []).append("Explain why consent was not sought")
    if not data.get("concerns"):
        errors.setdefault("concerns", []).append("Select at least one concern")
    if errors:
        raise ValidationError(errors)


def _person_create_in_home_authority(
    *, actor: User, context: AuditContext, mash_agency: Agency, data: dict[str, Any]
) -> Person:
    """A child booked into custody by a force outside their home authority (finding 4). The record belongs to
    the home authority, whose MASH will work with the child; the force cannot see that authority's people, so
    a child it already knows by NHS number is matched rather than recorded twice."""
    cleaned = _clean_person_data(data)
    if cleaned.get("nhs_number"):
        known = Person.objects.filter(
            local_authority_id=mash_agency.local_authority_id, nhs_number=cleaned["nhs_number"]
        ).first()
        if known is not None:
            return known
    return person_record_within(
        actor=actor, context=context, data=data, local_authority_id=mash_agency.local_authority_id
    )


def _start_decision_clock(referral: Referral, *, actor: User, context: AuditContext) -> None:
    deadline_start(
        policy=PolicyCode.MASH_DECISION,
        subject=clock_subject(referral),
        started_at=referral.received_at,
        owning_agency=referral.mash_agency,
        owner=actor if actor.agency_id == referral.mash_agency_id else None,
        actor=actor,
        context=context,
    )


@transaction.atomic(durable=True)
def referral_new_episode(*, actor: User, context: AuditContext, referral: Referral) -> Referral:
    """The MASH decides a linked referral is a new episode: it leaves the referral it was linked to and gets
    its own decision clock, from when it was received."""
    require_mash(actor)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.linked_to_id is None:
        raise ApplicationError("This referral is not linked to another.")
    if locked.status not in OPEN_REFERRAL_STATUSES:
        raise ApplicationError("This referral has been decided.")
    earlier = locked.linked_to_id
    locked.linked_to = None
    locked.save(update_fields=["linked_to", "updated_at"])
    _start_decision_clock(locked, actor=actor, context=context)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="referral",
        object_id=locked.pk,
        person_ids=[locked.person_id],
        context=context,
        changes={"linked_to": [str(earlier), None], "new_episode": True},
    )
    return locked


def referral_write(
    *,
    actor: User,
    context: AuditContext,
    mash_agency: Agency,
    person: Person | None,
    new_person_data: dict[str, Any] | None,
    data: dict[str, Any],
    idempotency_key: str,
    request_fingerprint: str = "",
    match_by_nhs_number: bool = False,
) -> Referral:
    """Write a new referral and what goes with it, inside the caller's transaction (create_once's).

    `match_by_nhs_number`: the referrer cannot search the authority's people (health, a force from outside):
    a child already recorded is found by NHS number, else recorded in the MASH's authority, shared with
    nobody but the MASH."""
    _validate_referral_data(actor, data, person, new_person_data)
    if person is None:
        if new_person_data is None:
            raise ApplicationError("Choose the person this referral is about, or add them.")
        assert actor.agency is not None
        if mash_agency.local_authority_id == actor.agency.local_authority_id and not match_by_nhs_number:
            person = person_create_within(actor=actor, context=context, data=new_person_data)
        else:
            person = _person_create_in_home_authority(
                actor=actor, context=context, mash_agency=mash_agency, data=new_person_data
            )
    # Another referral about the child still open: this one joins it rather than starting a second decision
    # clock beside it (referral_new_episode separates them if the MASH decides it is a new episode).
    open_referral = (
        Referral.objects.filter(
            person=person,
            local_authority_id=mash_agency.local_authority_id,
            status__in=OPEN_REFERRAL_STATUSES,
            linked_to__isnull=True,
        )
        .order_by("received_at")
        .first()
    )
    referral = Referral(
        local_authority_id=mash_agency.local_authority_id,
        mash_agency=mash_agency,
        person=person,
        linked_to=open_referral,
        created_by=actor,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
        **data,
    )
    # Uniqueness of the key is the database's to answer (create_once turns the clash into the first
    # referral); the check constraints are checked above with messages naming the fields.
    referral.full_clean(exclude=REFERRAL_RELATIONS, validate_unique=False, validate_constraints=False)
    referral.save(force_insert=True)
    referral_grant_agency(referral=referral, agency=mash_agency, write=True)
    if referral.referrer_agency is not None and referral.referrer_agency_id != mash_agency.pk:
        referral_grant_agency(referral=referral, agency=referral.referrer_agency, write=False, person=False)
    if open_referral is None:
        _start_decision_clock(referral, actor=actor, context=context)
    if referral.source == ReferralSource.COUNTY_LINES_REPORT or Concern.COUNTY_LINES in referral.concerns:
        # County lines police reports go to the next Daily Risk Management Meeting from day one (seed 5.3.1).
        DrmItem.objects.create(
            local_authority_id=referral.local_authority_id,
            meeting_date=next_drm_date(referral.received_at),
            kind=DrmItemKind.COUNTY_LINES,
            referral=referral,
        )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="referral",
        object_id=referral.pk,
        person_ids=[person.pk],
        context=context,
        changes={"source": str(referral.source)},
    )
    return referral


def _replay(existing: Referral, request_fingerprint: str) -> Referral:
    if existing.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key has already been used for a different request, so nothing was saved. "
            "Send a new key to make a new referral, or resend exactly the same request to get its result."
        )
    return existing


def create_once(
    *, actor: User, idempotency_key: str, request_fingerprint: str, write: Callable[[], Referral]
) -> tuple[Referral, bool]:
    """Run `write` in one durable transaction unless this key already made a referral; answer the referral
    and whether this call made it.

    The referral's unique (created_by, idempotency_key) decides: a retry's INSERT fails on it (a concurrent
    one waits for the first to commit, then fails), its whole transaction rolls back, and the retry answers
    with the referral the key made. A retry that adds the same new person trips over the person's own
    uniqueness first (a ValidationError from full_clean, or an IntegrityError when concurrent): that too is
    answered with the key's referral when there is one."""
    try:
        with transaction.atomic(durable=True):
            return write(), True
    except (IntegrityError, ValidationError):
        existing = referral_find_existing(actor=actor, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return _replay(existing, request_fingerprint), False


def referral_get_or_create(
    *,
    actor: User,
    context: AuditContext,
    data: dict[str, Any],
    idempotency_key: str,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    request_fingerprint: str = "",
) -> tuple[Referral, bool]:
    """The referral this key made, or a new one; and whether this call made it. A key that already made a
    referral from a different request (another `request_fingerprint`) is refused with IdempotencyKeyReused.
    A custody booking has its own service (custody_booking_get_or_create), which starts its Golden Hour: a
    plain referral cannot claim to be one."""
    mash_agency = require_mash(actor)
    if data.get("source") == ReferralSource.CUSTODY_BOOKING:
        raise ValidationError({"source": "Record a custody booking with the custody booking form"})
    return create_once(
        actor=actor,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
        write=lambda: referral_write(
            actor=actor,
            context=context,
            mash_agency=mash_agency,
            person=person,
            new_person_data=new_person_data,
            data=data,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        ),
    )


def referral_create(
    *,
    actor: User,
    context: AuditContext,
    data: dict[str, Any],
    idempotency_key: str,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    request_fingerprint: str = "",
) -> Referral:
    referral, _ = referral_get_or_create(
        actor=actor,
        context=context,
        data=data,
        idempotency_key=idempotency_key,
        person=person,
        new_person_data=new_person_data,
        request_fingerprint=request_fingerprint,
    )
    return referral
