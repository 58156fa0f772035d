"""The MASH front door's events in the child's chronology (registered from ReferralsConfig.ready(); see
cases/chronology/registry.py): referrals received, custody bookings, MASH decisions, information requests
asked and answered, and reachable moments (the urgent response's first contact among them).

Each is scoped as the referral's own page is: what a reader sees here is what the referral page shows them
(access_referral's scope), and an answer only where information_answers_visible_to would show it (the MASH
that asked, the agency that answered, and agencies it shared with that its handling code allows). None runs a
query: each is one part of the chronology's UNION."""

import uuid

from django.db.models import Case as CaseWhen
from django.db.models import Exists, Expression, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat

from cases.chronology.registry import ChronologySource, choice_label, chronology_values
from cases.networks.models import HandlingCode
from referrals.choices import DecisionOutcome, RagRating, ReachableMomentKind, ReferralSource
from referrals.models import CustodyBooking, InformationRequest, MashDecision, ReachableMoment, Referral
from referrals.selectors import referrals_visible_to
from safeguarding.organisations.models import User


def _text(*parts: str | Expression) -> Concat:
    """Text joined in SQL: a string is a field path, a literal is Value("…")."""
    return Concat(*parts, output_field=TextField())


def _referrals(user: User, person_id: uuid.UUID) -> QuerySet[Referral]:
    """The child's referrals the reader may open (the scope of access_referral)."""
    return referrals_visible_to(user).filter(person_id=person_id)


def _visible(user: User, person_id: uuid.UUID) -> QuerySet:
    return _referrals(user, person_id).values("pk")


def referral_events(user: User, person_id: uuid.UUID) -> QuerySet:
    source = choice_label("source", ReferralSource.choices)
    return chronology_values(
        _referrals(user, person_id),
        kind="referral",
        at="received_at",
        title=CaseWhen(
            When(
                referrer_agency__isnull=False,
                then=_text(Value("Referral received from "), "referrer_agency__name"),
            ),
            default=_text(Value("Referral received: "), source),
            output_field=TextField(),
        ),
        detail=CaseWhen(
            When(referrer_agency__isnull=False, then=_text(Value("Source: "), source)),
            When(~Q(referrer_name=""), then=_text(Value("Referred by "), "referrer_name")),
            default=Value(""),
            output_field=TextField(),
        ),
        agency="mash_agency__name",
        url_name="referrals:detail",
    )


def custody_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        CustodyBooking.objects.filter(referral__in=_visible(user, person_id)),
        kind="custody",
        at="booked_in_at",
        title=_text(Value("Custody booking at "), "custody_suite"),
        detail=_text("police_force", Value(": "), "arrest_reason"),
        agency="police_force",
        url_name="referrals:custody",
        url_arg="referral_id",
    )


def decision_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        MashDecision.objects.filter(referral__in=_visible(user, person_id)),
        kind="decision",
        at="decided_at",
        title=_text(Value("MASH decision: "), choice_label("outcome", DecisionOutcome.choices)),
        detail="rationale",
        agency="referral__mash_agency__name",
        url_name="referrals:detail",
        url_arg="referral_id",
    )


def _answer_readable_by(user: User) -> Q:
    """The answers the reader's agency may read (information_answers_visible_to, as one filter): the MASH that
    asked, the agency that answered, and an agency it shared with, if a C code's conditions name its type."""
    assert user.agency is not None
    shared = Exists(
        InformationRequest.answer_shared_with.through.objects.filter(
            informationrequest_id=OuterRef("pk"), agency_id=user.agency.pk
        )
    )
    allowed = ~Q(handling_code=HandlingCode.CONDITIONS) | Q(
        handling_agency_types__contains=[user.agency.agency_type]
    )
    return Q(referral__mash_agency_id=user.agency_id) | Q(agency_id=user.agency_id) | (Q(shared) & allowed)


def information_request_events(user: User, person_id: uuid.UUID) -> tuple[QuerySet, ...]:
    requests = InformationRequest.objects.filter(referral__in=_visible(user, person_id))
    asked = chronology_values(
        requests,
        kind="information_request",
        at="created_at",
        title=_text(Value("Information requested from "), "agency__name"),
        detail=_text(Value("RAG rating: "), choice_label("rag_rating", RagRating.choices)),
        agency="referral__mash_agency__name",
        url_name="referrals:detail",
        url_arg="referral_id",
    )
    if user.agency is None:
        return (asked,)
    answered = chronology_values(
        requests.filter(_answer_readable_by(user), answered_at__isnull=False),
        kind="information_request",
        at="answered_at",
        title=_text("agency__name", Value(" answered the information request")),
        detail=CaseWhen(
            When(answer_source="", then=Value("")),
            default=_text(Value("Source: "), "answer_source"),
            output_field=TextField(),
        ),
        agency="agency__name",
        url_name="referrals:detail",
        url_arg="referral_id",
    )
    return (asked, answered)


def reachable_moment_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        ReachableMoment.objects.filter(person_id=person_id, referral__in=_visible(user, person_id)),
        kind="reachable_moment",
        at="occurred_at",
        title=_text(Value("Reachable moment: "), choice_label("kind", ReachableMomentKind.choices)),
        detail=_text(
            CaseWhen(
                When(support_accepted=True, then=Value("Support accepted: ")),
                default=Value("Support not taken up: "),
                output_field=TextField(),
            ),
            "support_offered",
        ),
        agency="recorded_by__agency__name",
        url_name="referrals:detail",
        url_arg="referral_id",
    )


CHRONOLOGY_SOURCES = (
    ChronologySource(kind="referral", label="Referrals received", events=referral_events),
    ChronologySource(kind="custody", label="Custody bookings", events=custody_events),
    ChronologySource(kind="decision", label="MASH decisions", events=decision_events),
    ChronologySource(
        kind="information_request", label="Information requests", events=information_request_events
    ),
    ChronologySource(kind="reachable_moment", label="Reachable moments", events=reachable_moment_events),
)
