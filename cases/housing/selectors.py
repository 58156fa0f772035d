"""Reads of a child's housing record. Each takes a child already authorised through access.py (or, for the
chronology, scopes itself to the reader)."""

import uuid

from django.db.models import Case as SqlCase
from django.db.models import Exists, Expression, F, Func, OuterRef, QuerySet, TextField, Value, When
from django.db.models.functions import Concat

from cases.child_records import open_cases_visible_to
from cases.chronology.registry import choice_label, chronology_values
from cases.housing.models import (
    ApplicantRelationship,
    HousingApplication,
    HousingApplicationOutcome,
    HousingApplicationStatus,
    PanelOutcome,
    SocialNeedsPanelReferral,
)
from safeguarding.organisations.models import User


def housing_applications(*, person_id: uuid.UUID) -> list[HousingApplication]:
    """One query: the child's family's applications, latest first."""
    return list(
        HousingApplication.objects.filter(person_id=person_id)
        .select_related("recorded_by", "recorded_by_agency")
        .order_by("-applied_on", "-created_at")
    )


def snp_referrals(*, person_id: uuid.UUID) -> list[SocialNeedsPanelReferral]:
    """One query: the child's referrals to the Social Needs Panel, latest first."""
    return list(
        SocialNeedsPanelReferral.objects.filter(person_id=person_id)
        .select_related("recorded_by", "recorded_by_agency")
        .order_by("-referred_on", "-created_at")
    )


# --- The chronology ----------------------------------------------------------------------------------------


def _text(*parts: Expression | F) -> Concat:
    """Text joined in SQL (every part text, so PostgreSQL's CONCAT needs no casts)."""
    return Concat(*parts, output_field=TextField())


def _day(field: str) -> Func:
    """A date as "3 Mar 2026", in SQL (the chronology is one UNION query)."""
    return Func(F(field), Value("FMDD Mon YYYY"), function="to_char", output_field=TextField())


def _visible(user: User, model: type[HousingApplication] | type[SocialNeedsPanelReferral]) -> QuerySet:
    """The child's records, if the reader may see the child's open case (as on the module's own pages)."""
    return model.objects.filter(Exists(open_cases_visible_to(user).filter(person_id=OuterRef("person_id"))))


def _outcome(choices: list[tuple[str, str]]) -> SqlCase:
    return SqlCase(
        When(outcome="", then=Value("")),
        default=_text(Value(". "), choice_label("outcome", choices), Value(" on "), _day("outcome_on")),
        output_field=TextField(),
    )


def housing_events(user: User, person_id: uuid.UUID) -> tuple[QuerySet, QuerySet]:
    """Two parts of the chronology's UNION: the applications and the Social Needs Panel referrals."""
    applications = chronology_values(
        _visible(user, HousingApplication).filter(person_id=person_id),
        kind="housing",
        at="created_at",
        title=_text(Value("Housing application: "), F("housing_provider")),
        detail=_text(
            Value("By "),
            choice_label("applicant_relationship", ApplicantRelationship.choices),
            Value(", applied "),
            _day("applied_on"),
            Value(". "),
            choice_label("status", HousingApplicationStatus.choices),
            _outcome(HousingApplicationOutcome.choices),
        ),
        agency="recorded_by_agency__name",
        url_name="housing:application",
    )
    referrals = chronology_values(
        _visible(user, SocialNeedsPanelReferral).filter(person_id=person_id),
        kind="housing",
        at="created_at",
        title=Value("Referred to the Social Needs Panel"),
        detail=_text(
            Value("Referred "),
            _day("referred_on"),
            SqlCase(
                When(panel_date__isnull=True, then=Value("")),
                default=_text(Value(", panel "), _day("panel_date")),
                output_field=TextField(),
            ),
            _outcome(PanelOutcome.choices),
            Value(". "),
            F("reason"),
        ),
        agency="recorded_by_agency__name",
        url_name="housing:referral",
    )
    return applications, referrals
