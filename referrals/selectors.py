import uuid
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, UUIDField, Value
from django.db.models.functions import Coalesce

from referrals.choices import ReferralStatus
from referrals.models import CustodyBooking, DrmAttendance, DrmItem, DrmOutcome, InformationRequest, Referral
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.permissions import Perm


def information_requests_for(*, referral: Referral) -> list[InformationRequest]:
    """Who has and has not answered: the completeness view (no answer text)."""
    return list(
        referral.information_requests.select_related("agency", "answered_by").order_by("agency__name")
    )


def information_answers_visible_to(*, user: User, referral: Referral) -> list[InformationRequest]:
    """Answers the user's agency may read: the MASH that asked, the agency that answered, and agencies the
    answering agency chose to share with. Police do not see health's answer unless health shared it."""
    if user.agency_id is None:
        return []
    queryset = referral.information_requests.filter(answered_at__isnull=False).select_related(
        "agency", "answered_by"
    )
    if user.agency_id != referral.mash_agency_id:
        assert user.agency is not None
        # Shared with the agency, and (for a C-coded answer) an agency type its conditions name.
        shared = Q(answer_shared_with=user.agency_id) & (
            ~Q(handling_code="C") | Q(handling_agency_types__contains=[user.agency.agency_type])
        )
        queryset = queryset.filter(Q(agency_id=user.agency_id) | shared)
    return list(queryset.distinct().order_by("agency__name"))


# --- Reads for the MASH's pages and queues ------------------------------------------------------------------

REFERRAL_SUBJECT = "referral"
CUSTODY_SUBJECT = "custody_booking"
REQUEST_SUBJECT = "information_request"
REFERRAL_CLOCK_SUBJECTS = (REFERRAL_SUBJECT, CUSTODY_SUBJECT, REQUEST_SUBJECT)
REFERRAL_SORTS = {
    "-received": ("-received_at",),
    "received": ("received_at",),
    "name": ("person__family_name", "person__given_name", "-received_at"),
    "-name": ("-person__family_name", "-person__given_name", "-received_at"),
}
OPEN_REFERRAL_STATUSES = (ReferralStatus.RECEIVED, ReferralStatus.GATHERING)


def authority_agencies(*, user: User) -> QuerySet[Agency]:
    assert user.agency is not None
    return Agency.objects.filter(local_authority_id=user.agency.local_authority_id).order_by("name")


def referral_queue(*, user: User, status: str, sort: str) -> QuerySet[Referral]:
    """Referrals the user may see, by status ("open" for received or gathering), newest first (served by
    referral_queue_idx)."""
    queryset = scope_to_user(
        user, Perm.VIEW_REFERRAL, Referral.objects.select_related("person", "referrer_agency")
    )
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by(*REFERRAL_SORTS.get(sort, REFERRAL_SORTS["-received"]), "pk")


def request_clocks(*, request_ids: list[uuid.UUID]) -> QuerySet[Deadline]:
    """The clocks of these information requests: one query."""
    return Deadline.objects.filter(subject_type=REQUEST_SUBJECT, subject_id__in=request_ids).order_by(
        "started_at"
    )


def information_requests_awaiting_answer(*, user: User) -> QuerySet[InformationRequest]:
    """The user's agency's unanswered requests, oldest first (served by request_queue_idx)."""
    assert user.agency is not None
    return (
        InformationRequest.objects.filter(
            agency_id=user.agency.pk,
            answered_at__isnull=True,
            referral__local_authority_id=user.agency.local_authority_id,
        )
        .select_related("referral__person", "referral__mash_agency")
        .order_by("created_at", "pk")
    )


REQUEST_STATES = {
    "waiting": "Waiting for an answer",
    "overdue": "Waiting, past due",
    "answered": "Answered",
    "all": "All",
}


def information_requests_sent(*, user: User, state: str, now: datetime) -> QuerySet[InformationRequest]:
    """The requests the user's MASH sent, with their state: those still waiting first, soonest due first
    (each annotated with its clock's due time, `due_at`), then answered ones, latest answer first. One query
    (and its count); the due time is a subquery on deadline_subject_idx."""
    assert user.agency is not None
    due = Deadline.objects.filter(subject_type=REQUEST_SUBJECT, subject_id=OuterRef("pk")).order_by(
        "-started_at"
    )
    queryset = (
        InformationRequest.objects.filter(
            referral__mash_agency_id=user.agency.pk,
            referral__local_authority_id=user.agency.local_authority_id,
        )
        .select_related("referral__person", "agency", "answered_by")
        .annotate(due_at=Subquery(due.values("due_at")[:1]))
    )
    if state == "waiting":
        queryset = queryset.filter(answered_at__isnull=True)
    elif state == "overdue":
        queryset = queryset.filter(answered_at__isnull=True, due_at__lte=now)
    elif state == "answered":
        queryset = queryset.filter(answered_at__isnull=False)
    return queryset.order_by(F("answered_at").desc(nulls_first=True), F("due_at").asc(nulls_last=True), "pk")


def information_requests_answered(*, user: User) -> QuerySet[InformationRequest]:
    """The requests the user's agency has answered, latest first: they stay visible to it."""
    assert user.agency is not None
    return (
        InformationRequest.objects.filter(
            agency_id=user.agency.pk,
            answered_at__isnull=False,
            referral__local_authority_id=user.agency.local_authority_id,
        )
        .select_related("referral__person", "referral__mash_agency", "answered_by")
        .order_by("-answered_at", "pk")
    )


def agencies_asked(*, referral: Referral, besides: uuid.UUID) -> QuerySet[Agency]:
    """The other agencies asked about this referral: whom an answering agency may share its answer with."""
    return Agency.objects.filter(information_requests__referral=referral).exclude(pk=besides).order_by("name")


def urgent_response_clocks(*, user: User) -> list[tuple[Deadline, Referral]]:
    """Open urgent response clocks of the user's agency, soonest due first, each with its referral: two
    queries."""
    assert user.agency is not None
    clocks = list(
        Deadline.objects.filter(
            local_authority_id=user.agency.local_authority_id,
            owning_agency_id=user.agency_id,
            policy=PolicyCode.URGENT_RESPONSE,
            subject_type=REFERRAL_SUBJECT,
            status__in=OPEN_STATUSES,
        ).order_by("due_at", "pk")
    )
    referrals = {
        referral.pk: referral
        for referral in scope_to_user(
            user, Perm.VIEW_REFERRAL, Referral.objects.select_related("person")
        ).filter(pk__in=[clock.subject_id for clock in clocks])
    }
    return [(clock, referrals[clock.subject_id]) for clock in clocks if clock.subject_id in referrals]


def breached_referral_clocks(*, local_authority_id: uuid.UUID, now: datetime) -> list[Deadline]:
    """Open clocks past due on a referral, its custody booking or an information request, each annotated
    with its referral's id (`referral_id`): one query."""
    referral_of_booking = CustodyBooking.objects.filter(pk=OuterRef("subject_id")).values("referral_id")[:1]
    referral_of_request = InformationRequest.objects.filter(pk=OuterRef("subject_id")).values("referral_id")[
        :1
    ]
    return list(
        Deadline.objects.filter(
            local_authority_id=local_authority_id, subject_type__in=REFERRAL_CLOCK_SUBJECTS
        )
        .filter(Q(status=DeadlineStatus.BREACHED) | Q(status=DeadlineStatus.RUNNING, due_at__lte=now))
        .annotate(
            referral_id=Coalesce(
                Subquery(referral_of_booking, output_field=UUIDField()),
                Subquery(referral_of_request, output_field=UUIDField()),
                F("subject_id"),
                Value(None, output_field=UUIDField()),
            )
        )
        .order_by("due_at", "pk")
    )


def drm_items(*, local_authority_id: uuid.UUID, meeting_date: date) -> list[DrmItem]:
    return list(DrmItem.objects.filter(local_authority_id=local_authority_id, meeting_date=meeting_date))


def drm_outcomes(*, local_authority_id: uuid.UUID, meeting_date: date) -> dict[uuid.UUID, DrmOutcome]:
    """The meeting's outcomes by child, with who recorded each: one query."""
    outcomes = DrmOutcome.objects.filter(
        meeting__local_authority_id=local_authority_id, meeting__meeting_date=meeting_date
    ).select_related("recorded_by")
    return {outcome.person_id: outcome for outcome in outcomes}


def drm_attendance(
    *, local_authority_id: uuid.UUID, meeting_date: date
) -> list[tuple[Agency, DrmAttendance | None]]:
    """Every agency of the authority with its attendance at the meeting, if recorded: two queries."""
    recorded = {
        row.agency_id: row
        for row in DrmAttendance.objects.filter(
            meeting__local_authority_id=local_authority_id, meeting__meeting_date=meeting_date
        )
    }
    agencies = Agency.objects.filter(local_authority_id=local_authority_id).order_by("name")
    return [(agency, recorded.get(agency.pk)) for agency in agencies]


def referrals_for_drm(
    *, user: User, received_from: datetime, received_before: datetime, also: set[uuid.UUID]
) -> QuerySet[Referral]:
    """The meeting's referrals the user may see: those received that day, and any others on its list."""
    return scope_to_user(user, Perm.VIEW_REFERRAL, Referral.objects.select_related("person")).filter(
        Q(received_at__gte=received_from, received_at__lt=received_before) | Q(pk__in=also)
    )


# --- Reads for the API ----------------------------------------------------------------------------------------


def referrals_visible_to(user: User | AnonymousUser) -> QuerySet[Referral]:
    return scope_to_user(user, Perm.VIEW_REFERRAL, Referral.objects.all())


def referral_list(*, user: User | AnonymousUser, status: str | None = None) -> QuerySet[Referral]:
    queryset = referrals_visible_to(user).select_related("person")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-received_at", "pk")


def custody_bookings_with_golden_hour() -> QuerySet[CustodyBooking]:
    golden_hour = Deadline.objects.filter(
        subject_type=CUSTODY_SUBJECT, subject_id=OuterRef("pk"), policy=PolicyCode.GOLDEN_HOUR
    ).order_by("started_at")
    return CustodyBooking.objects.select_related("referral__person").annotate(
        golden_hour_due_at=Subquery(golden_hour.values("due_at")[:1]),
        golden_hour_status=Subquery(golden_hour.values("status")[:1]),
    )


def custody_bookings_visible_to(user: User | AnonymousUser) -> QuerySet[CustodyBooking]:
    """A booking is visible exactly when its referral is."""
    return custody_bookings_with_golden_hour().filter(referral__in=referrals_visible_to(user).values("pk"))


def custody_booking_list(*, user: User | AnonymousUser) -> QuerySet[CustodyBooking]:
    return custody_bookings_visible_to(user).order_by("-booked_in_at", "pk")


def custody_booking_of(*, referral: Referral) -> CustodyBooking:
    """The booking a POST made or replayed, with its Golden Hour, for the client that sent it (who may not
    otherwise see it: a force outside the child's home authority cannot read that authority's records)."""
    return custody_bookings_with_golden_hour().get(referral=referral)
