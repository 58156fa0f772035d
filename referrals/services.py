"""The MASH front door. Each service is one transaction with its audit row; clocks start from the real-world
event time (the custody booking, the receipt of the referral) and are met by the recorded work."""

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_build, audit_event_record
from cases.models import Case
from cases.services import case_open_within
from referrals.choices import (
    Concern,
    Consent,
    DecisionOutcome,
    DrmItemKind,
    RagRating,
    ReachableMomentKind,
    ReferralSource,
    ReferralStatus,
)
from referrals.drm import next_drm_date
from referrals.models import (
    CustodyBooking,
    DrmItem,
    InformationRequest,
    InformationShare,
    MashDecision,
    ReachableMoment,
    Referral,
    ReferralGroupObjectPermission,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.common.writes import RawInsert, insert_together
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    DeadlineSubject,
    deadline_meet,
    deadline_start,
    deadline_start_rows,
    now_from_database,
)
from safeguarding.organisations.access import permission_id
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES, Role
from safeguarding.people.models import Person, PersonGroupObjectPermission
from safeguarding.people.services import (
    _clean_person_data,
    person_create_within,
    person_grant_agency,
    person_search_text,
)

MASH_ROLES = (Role.MASH_PRACTITIONER, Role.MASH_MANAGER)
INFORMATION_REQUEST_POLICY = {
    RagRating.RED: PolicyCode.INFORMATION_REQUEST_RED,
    RagRating.AMBER: PolicyCode.INFORMATION_REQUEST_AMBER,
    RagRating.GREEN: PolicyCode.INFORMATION_REQUEST_GREEN,
}
# Decisions that mean continuing multi-agency work, and so a case.
DECISIONS_THAT_OPEN_A_CASE = {
    DecisionOutcome.ASSESSMENT,
    DecisionOutcome.STRATEGY_DISCUSSION,
    DecisionOutcome.URGENT_RESPONSE,
    DecisionOutcome.EXPLOITATION_AND_RISK_PANEL,
}
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)


def _require_mash(actor: User) -> Agency:
    if actor.agency is None or not any(actor.has_role(role) for role in MASH_ROLES):
        raise PermissionRefused("Only MASH practitioners and managers can do this.")
    return actor.agency


def _require_not_future(moment: datetime, field: str, label: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW_ALLOWANCE:
        raise ValidationError({field: f"{label} must be now or in the past"})


def _subject(
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


def _open_clock(referral: Referral, policy: PolicyCode, subject_type: str = "referral") -> Deadline | None:
    return (
        Deadline.objects.filter(
            subject_type=subject_type,
            subject_id=referral.pk,
            policy=policy,
            status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED, DeadlineStatus.BREACHED],
        )
        .order_by("started_at")
        .first()
    )


def _audit(
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


def referral_find_existing(*, actor: User, idempotency_key: str) -> Referral | None:
    return (
        Referral.objects.select_related("person")
        .filter(created_by=actor, idempotency_key=idempotency_key)
        .first()
    )


def _validate_referral_data(
    data: dict[str, Any], person: Person | None, new_person_data: dict[str, Any] | None
) -> None:
    errors: dict[str, list[str]] = {}
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
    if actor.agency is None or not any(actor.has_role(role) for role in CASE_WORKER_ROLES):
        raise PermissionRefused("Your role does not allow you to add people's records.")
    cleaned = _clean_person_data(data)
    if cleaned.get("nhs_number"):
        known = Person.objects.filter(
            local_authority_id=mash_agency.local_authority_id, nhs_number=cleaned["nhs_number"]
        ).first()
        if known is not None:
            return known
    person = Person(
        local_authority_id=mash_agency.local_authority_id, created_by_agency=actor.agency, **cleaned
    )
    person.search_text = person_search_text(person)
    person.full_clean()
    person.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
        context=context,
    )
    return person


REFERRAL_RELATIONS = ["local_authority", "mash_agency", "person", "case", "referrer_agency", "created_by"]


def _grants_on_new_referral(
    *, referral: Referral, mash_group_id: int, referrer_group_id: int | None
) -> list[RawInsert]:
    """What guardian's assign_perm and person_grant_agency would grant, as rows written with the referral's
    other rows rather than about twenty statements: the MASH may view and change the referral and the
    person, the referring agency may view the referral. Written as plain INSERTs of guardian's three columns
    (a model row each would cost its instance and conversions, for a key nobody reads). The referral's are
    new, so each must be written (a conflict is an error); the person's may already exist (an earlier
    referral or case), so they are inserted with ON CONFLICT DO NOTHING on guardian's unique (group,
    permission, object)."""
    referral_grants = [
        (mash_group_id, permission_id("referrals.view_referral"), referral.pk),
        (mash_group_id, permission_id("referrals.change_referral"), referral.pk),
    ]
    if referrer_group_id is not None:
        referral_grants.append((referrer_group_id, permission_id("referrals.view_referral"), referral.pk))
    person_grants = [
        (mash_group_id, permission_id("people.view_person"), referral.person_id),
        (mash_group_id, permission_id("people.change_person"), referral.person_id),
    ]
    return [
        _grant_rows(ReferralGroupObjectPermission, referral_grants, on_conflict=""),
        _grant_rows(PersonGroupObjectPermission, person_grants, on_conflict="ON CONFLICT DO NOTHING"),
    ]


def _grant_rows(
    grant_model: type[Model], grants: list[tuple[int, int, Any]], *, on_conflict: str
) -> RawInsert:
    # Table name from the model's meta, every value a parameter.
    values = ", ".join(["(%s, %s, %s)"] * len(grants))
    return RawInsert(
        f"INSERT INTO {grant_model._meta.db_table} (group_id, permission_id, content_object_id) "  # noqa: S608
        f"VALUES {values} {on_conflict} RETURNING 1",
        [value for grant in grants for value in grant],
        expect_rows=None if on_conflict else len(grants),
    )


class _NewRows:
    """The rows a new referral writes, gathered and then written together in one statement. A clock whose
    start this host's clock cannot call (already due, say) is started after them by deadline_start, which
    reads the database clock."""

    def __init__(self) -> None:
        self.rows: list[Model | RawInsert] = []
        self.clocks_by_database: list[dict[str, Any]] = []

    def start_clock(self, **clock: Any) -> None:
        start = deadline_start_rows(**clock)
        if start is None:
            self.clocks_by_database.append(clock)
        else:
            self.rows.extend(start.rows)

    def write(self) -> None:
        """Inside the caller's transaction, unless the rows are one statement (no clocks_by_database)."""
        insert_together(*self.rows)
        for clock in self.clocks_by_database:
            # Any error rolls the caller's whole transaction back (nothing in it catches one): a savepoint
            # around the clock would only cost two round trips.
            deadline_start(**clock, savepoint=False)


def _new_referral(
    *,
    actor: User,
    context: AuditContext,
    mash_agency: Agency,
    person: Person | None,
    new_person_data: dict[str, Any] | None,
    data: dict[str, Any],
    idempotency_key: str,
    request_fingerprint: str = "",
) -> tuple[Referral, _NewRows]:
    """The new referral and the rows that go with it (grants, the MASH decision clock, the DRM item for
    county lines, the audit row), checked and not yet written; _idempotent writes them. A new person is
    written here, first, inside _idempotent's transaction."""
    _validate_referral_data(data, person, new_person_data)
    if person is None:
        if new_person_data is None:
            raise ApplicationError("Choose the person this referral is about, or add them.")
        assert actor.agency is not None
        if mash_agency.local_authority_id == actor.agency.local_authority_id:
            person = person_create_within(actor=actor, context=context, data=new_person_data)
        else:
            person = _person_create_in_home_authority(
                actor=actor, context=context, mash_agency=mash_agency, data=new_person_data
            )
    referral = Referral(
        local_authority_id=mash_agency.local_authority_id,
        mash_agency=mash_agency,
        person=person,
        created_by=actor,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
        **data,
    )
    # Field rules (lengths, choices, the narrative limit) are checked here. Left to the database, which
    # enforces them anyway: the foreign keys (each one an object already loaded, so a per-key existence
    # query would only cost a round trip), the idempotency key's uniqueness (_idempotent answers a clash
    # with the referral that key made) and the check constraints (which _validate_referral_data has already
    # checked, with messages naming the fields).
    referral.full_clean(exclude=REFERRAL_RELATIONS, validate_unique=False, validate_constraints=False)
    referrer_group_id = (
        referral.referrer_agency.group_id
        if referral.referrer_agency is not None and referral.referrer_agency_id != mash_agency.pk
        else None
    )
    new = _NewRows()
    new.rows.append(referral)
    new.rows.extend(
        _grants_on_new_referral(
            referral=referral, mash_group_id=mash_agency.group_id, referrer_group_id=referrer_group_id
        )
    )
    new.start_clock(
        policy=PolicyCode.MASH_DECISION,
        subject=_subject(referral),
        started_at=referral.received_at,
        owning_agency=mash_agency,
        owner=actor if actor.agency_id == mash_agency.pk else None,
        actor=actor,
        context=context,
    )
    if referral.source == ReferralSource.COUNTY_LINES_REPORT or Concern.COUNTY_LINES in referral.concerns:
        # County lines police reports go to the next Daily Risk Management Meeting from day one (seed 5.3.1).
        new.rows.append(
            DrmItem(
                local_authority_id=referral.local_authority_id,
                meeting_date=next_drm_date(referral.received_at),
                kind=DrmItemKind.COUNTY_LINES,
                referral=referral,
            )
        )
    new.rows.append(
        audit_event_build(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="referral",
            object_id=referral.pk,
            person_ids=[person.pk],
            context=context,
            changes={"source": str(referral.source)},
        )
    )
    return referral, new


class IdempotencyKeyReused(ApplicationError):
    """The key already made a referral from a different request: answering with that referral would tell the
    client its new request succeeded when it did not."""

    status_code = 422
    code = "idempotency_key_reused"


def _lock_idempotency_key(actor: User, idempotency_key: str) -> None:
    """Serialise requests carrying the same key from the same user, held to the end of the transaction: a
    concurrent duplicate waits for the first to commit, then finds its referral instead of doing the work
    again (and, with a new person, tripping over that person's unique NHS number half-way through)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"referral-idempotency:{actor.pk}:{idempotency_key}"],
        )


def _replay(existing: Referral, request_fingerprint: str) -> Referral:
    if existing.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key has already been used for a different request, so nothing was saved. "
            "Send a new key to make a new referral, or resend exactly the same request to get its result."
        )
    return existing


def _idempotent(
    actor: User,
    idempotency_key: str,
    prepare: Callable[[], tuple[Referral, _NewRows]],
    request_fingerprint: str = "",
    *,
    creates_person: bool,
) -> tuple[Referral, bool]:
    """Make the referral `prepare` checks and gathers, unless this key already made one: the same key from
    the same user always answers with the same referral (and whether this call created it).

    The referral's unique (created_by, idempotency_key) decides: a retry's INSERT fails on it (a concurrent
    one waits for the first to commit, then fails), nothing is written, and the retry answers with the
    referral the key made. That costs nothing on the usual path, where the key is new, and there the rows
    are one statement, which is a transaction of its own. A referral that `creates_person` writes the
    person first, so a retry would run into the person's own unique NHS number before the key; there the
    key is locked and looked up, in one transaction with everything written."""
    try:
        if creates_person:
            with transaction.atomic():
                _lock_idempotency_key(actor, idempotency_key)
                existing = referral_find_existing(actor=actor, idempotency_key=idempotency_key)
                if existing is not None:
                    return _replay(existing, request_fingerprint), False
                referral, new = prepare()
                new.write()
                return referral, True
        referral, new = prepare()  # checks and gathers; writes nothing
        # More than one statement (a clock left to the database clock) needs a transaction; so does a
        # caller's open transaction, where the savepoint lets a retry's refused INSERT roll back alone.
        one_statement = not new.clocks_by_database and not connection.in_atomic_block
        with contextlib.nullcontext() if one_statement else transaction.atomic():
            new.write()
        return referral, True
    except IntegrityError:
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
    referral from a different request (another `request_fingerprint`) is refused with IdempotencyKeyReused."""
    mash_agency = _require_mash(actor)

    def prepare() -> tuple[Referral, _NewRows]:
        return _new_referral(
            actor=actor,
            context=context,
            mash_agency=mash_agency,
            person=person,
            new_person_data=new_person_data,
            data=data,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )

    return _idempotent(actor, idempotency_key, prepare, request_fingerprint, creates_person=person is None)


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


def mash_agency_for(local_authority_id: uuid.UUID) -> Agency:
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
    """A child booked into custody (Operation Harbinger). Recorded by the MASH, or sent by a police user
    through the API; the Golden Hour runs from the booking time whichever force holds the child.

    A force outside the child's home authority names it (`home_authority`, finding 4): the booking goes to
    that authority's MASH, which owns the referral and the clock; the force is the referrer and may see the
    referral. Without `home_authority` the child's home is the actor's own authority."""
    if actor.agency is None:
        raise PermissionRefused("Your account has no agency.")
    is_police = actor.agency.agency_type == AgencyType.POLICE
    if not is_police:
        _require_mash(actor)
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
    _require_not_future(booked_in_at, "booked_in_at", "The booking time")
    booking_fields = {**booking_data, "out_of_area": True} if out_of_area else booking_data

    def prepare() -> tuple[Referral, _NewRows]:
        data = {"source": ReferralSource.CUSTODY_BOOKING, "received_at": timezone.now(), **referral_data}
        if is_police and not data.get("referrer_agency"):
            data["referrer_agency"] = actor.agency
        referral, new = _new_referral(
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
        # The referral is new (written with the booking, below): it has no booking yet.
        booking.full_clean(exclude=["referral"], validate_unique=False)
        new.rows.append(booking)
        new.start_clock(
            policy=PolicyCode.GOLDEN_HOUR,
            subject=_subject(referral, "custody_booking", booking.pk),
            started_at=booked_in_at,
            owning_agency=mash_agency,
            owner=actor if actor.agency_id == mash_agency.pk else None,
            actor=actor,
            context=context,
        )
        return referral, new

    return _idempotent(actor, idempotency_key, prepare, request_fingerprint, creates_person=person is None)


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


@transaction.atomic
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
    _require_mash(actor)
    _require_not_future(shared_at, "shared_at", "The time it was shared")
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
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        "custody_booking",
        booking.pk,
        booking.referral.person_id,
        shared_with=shared_with,
    )
    return share


@transaction.atomic
def referral_rate(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    rag_rating: str,
    agencies: list[Agency],
    question: str = "",
) -> list[InformationRequest]:
    """Rate the referral and ask each relevant agency for its checks, each with a clock by RAG rating."""
    _require_mash(actor)
    if referral.status == ReferralStatus.DECIDED:
        raise ApplicationError("This referral has been decided; it can no longer be rated.")
    if rag_rating not in RagRating.values:
        raise ValidationError({"rag_rating": "Select a RAG rating"})
    if not agencies:
        raise ValidationError({"agencies": "Select at least one agency to ask for information"})
    if any(agency.local_authority_id != referral.local_authority_id for agency in agencies):
        raise ApplicationError("Information can only be requested from agencies of the same authority.")
    referral.rag_rating = rag_rating
    referral.status = ReferralStatus.GATHERING
    referral.save(update_fields=["rag_rating", "status", "updated_at"])
    now = now_from_database()
    created = []
    for agency in agencies:
        request, was_created = InformationRequest.objects.get_or_create(
            referral=referral,
            agency=agency,
            defaults={"rag_rating": rag_rating, "question": question, "requested_by": actor},
        )
        if not was_created:
            continue
        assign_perm("referrals.view_referral", agency.group, referral)
        person_grant_agency(person=referral.person, agency=agency, write=False)
        deadline_start(
            policy=INFORMATION_REQUEST_POLICY[RagRating(rag_rating)],
            subject=_subject(referral, "information_request", request.pk),
            started_at=now,
            owning_agency=agency,
            actor=actor,
            context=context,
        )
        created.append(request)
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        "referral",
        referral.pk,
        referral.person_id,
        rag_rating=rag_rating,
        asked=[a.name for a in agencies],
    )
    return created


@transaction.atomic
def information_request_answer(
    *,
    actor: User,
    context: AuditContext,
    request: InformationRequest,
    answer: str,
    share_with: list[Agency],
) -> InformationRequest:
    if actor.agency_id != request.agency_id:
        raise PermissionRefused("Only the agency asked can answer this request.")
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.answered_at is not None:
        raise ApplicationError("This request has already been answered.")
    if not answer.strip():
        raise ValidationError({"answer": "Enter your agency's answer"})
    locked.answer = answer
    locked.answered_at = timezone.now()
    locked.answered_by = actor
    locked.full_clean()
    locked.save()
    locked.answer_shared_with.set(
        [agency for agency in share_with if agency.local_authority_id == request.referral.local_authority_id]
    )
    clock = Deadline.objects.filter(subject_type="information_request", subject_id=request.pk).first()
    if clock is not None and clock.is_open:
        deadline_meet(deadline_id=clock.pk, actor=actor, met_at=locked.answered_at, context=context)
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        "information_request",
        request.pk,
        request.referral.person_id,
        answered=True,
    )
    return locked


@transaction.atomic
def mash_decision_record(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    outcome: str,
    rationale: str,
) -> MashDecision:
    """Record the MASH decision: meets the one-working-day clock, notifies the referrer, opens a case where the
    work goes on, and for urgent response starts the 48-hour clock."""
    mash_agency = _require_mash(actor)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": "Select a decision"})
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the rationale for the decision"})
    locked = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    if hasattr(locked, "decision"):
        raise ApplicationError("A decision has already been recorded for this referral.")
    now = now_from_database()
    if outcome in DECISIONS_THAT_OPEN_A_CASE and locked.case_id is None:
        case = Case.objects.filter(person=locked.person, lead_agency=mash_agency, status="open").first()
        if case is None:
            case = case_open_within(
                actor=actor,
                context=context,
                person=locked.person,
                data={"summary": f"Opened from referral: {DecisionOutcome(outcome).label}"},
            )
        locked.case = case
    locked.status = ReferralStatus.DECIDED
    locked.save(update_fields=["status", "case", "updated_at"])
    decision = MashDecision.objects.create(
        referral=locked,
        outcome=outcome,
        rationale=rationale,
        decided_by=actor,
        decided_at=now,
        # The referrer is told the outcome (not the detail) through the deadlines outbox's email channel
        # when they are a user; an external referrer is told by the practitioner, recorded here as notified.
        referrer_notified_at=now,
    )
    clock = _open_clock(locked, PolicyCode.MASH_DECISION)
    if clock is not None:
        deadline_meet(
            deadline_id=clock.pk,
            actor=actor,
            met_at=now,
            note=DecisionOutcome(outcome).label,
            context=context,
        )
    if outcome == DecisionOutcome.URGENT_RESPONSE:
        deadline_start(
            policy=PolicyCode.URGENT_RESPONSE,
            subject=_subject(locked),
            started_at=now,
            owning_agency=mash_agency,
            actor=actor,
            context=context,
        )
    _audit(actor, context, AuditAction.UPDATE, "referral", locked.pk, locked.person_id, decision=outcome)
    return decision


@transaction.atomic
def urgent_contact_record(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    occurred_at: datetime,
    method: str,
    support_offered: str,
    support_accepted: bool,
) -> ReachableMoment:
    """The urgent response worker's first direct contact with the child: a reachable moment, and it meets
    the 48-hour clock at the time the contact happened."""
    if actor.agency is None or not (
        actor.has_role(Role.URGENT_RESPONSE_WORKER) or actor.has_role(Role.MASH_MANAGER)
    ):
        raise PermissionRefused("Only urgent response workers can record urgent response contact.")
    _require_not_future(occurred_at, "occurred_at", "The time of contact")
    clock = _open_clock(referral, PolicyCode.URGENT_RESPONSE)
    if clock is None:
        raise ApplicationError("This referral has no open urgent response clock.")
    if occurred_at < clock.started_at:
        raise ValidationError({"occurred_at": "The contact cannot be before the urgent response decision"})
    moment = ReachableMoment(
        referral=referral,
        person=referral.person,
        kind=ReachableMomentKind.URGENT_RESPONSE,
        occurred_at=occurred_at,
        method=method,
        support_offered=support_offered,
        support_accepted=support_accepted,
        recorded_by=actor,
    )
    moment.full_clean()
    moment.save()
    deadline_meet(
        deadline_id=clock.pk, actor=actor, met_at=occurred_at, note="First direct contact", context=context
    )
    _audit(
        actor,
        context,
        AuditAction.CREATE,
        "reachable_moment",
        moment.pk,
        referral.person_id,
        accepted=support_accepted,
    )
    return moment


@transaction.atomic
def drm_outcome_record(
    *, actor: User, context: AuditContext, referral: Referral, kind: str, meeting_date: Any, outcome: str
) -> DrmItem:
    _require_mash(actor)
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
    _audit(actor, context, AuditAction.UPDATE, "drm_item", referral.pk, referral.person_id, kind=kind)
    return item
