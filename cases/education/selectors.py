"""Reads of a child's education record. Each takes a child already authorised through access.py (or, for the
chronology, scopes itself to the reader)."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case as SqlCase
from django.db.models import Exists, Expression, F, Func, OuterRef, QuerySet, TextField, Value, When
from django.db.models.functions import Concat

from cases.child_records import open_cases_visible_to
from cases.chronology.registry import choice_label, chronology_values
from cases.education.models import (
    EducationChange,
    EducationStatus,
    SchoolPlaceApplication,
    SchoolPlaceOutcome,
)
from safeguarding.organisations.models import User


def corrected_by(entry: EducationChange) -> EducationChange | None:
    """The correction that replaced this entry, if any (select_related("correction") loads it with the entry)."""
    try:
        return entry.correction
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class EducationHistory:
    # Every entry, corrected ones included, latest effective first.
    entries: list[EducationChange]

    @property
    def current(self) -> EducationChange | None:
        """The entry in force: the first (latest effective, then latest recorded) that no correction replaced."""
        return next((entry for entry in self.entries if corrected_by(entry) is None), None)


def education_history(*, person_id: uuid.UUID) -> EducationHistory:
    """One query, however long the history."""
    entries = list(
        EducationChange.objects.filter(person_id=person_id)
        .select_related("recorded_by", "recorded_by_agency", "correction", "corrects")
        .order_by("-effective_date", "-created_at")
    )
    return EducationHistory(entries)


def school_place_applications(*, person_id: uuid.UUID) -> list[SchoolPlaceApplication]:
    """One query: the child's applications, latest applied first."""
    return list(
        SchoolPlaceApplication.objects.filter(person_id=person_id)
        .select_related("recorded_by", "recorded_by_agency")
        .order_by("-applied_on", "-created_at")
    )


# --- The chronology ----------------------------------------------------------------------------------------


def _text(*parts: Expression | F) -> Concat:
    """Text joined in SQL (every part text, so PostgreSQL's CONCAT needs no casts)."""
    return Concat(*parts, output_field=TextField())


def _day(field: str) -> Func:
    """A date as "3 Mar 2026", in SQL (the chronology is one UNION query)."""
    return Func(F(field), Value("FMDD Mon YYYY"), function="to_char", output_field=TextField())


def _visible(user: User, model: type[EducationChange] | type[SchoolPlaceApplication]) -> QuerySet:
    """The child's records, if the reader may see the child's open case (as on the module's own pages)."""
    return model.objects.filter(Exists(open_cases_visible_to(user).filter(person_id=OuterRef("person_id"))))


def education_change_events(user: User, person_id: uuid.UUID) -> QuerySet:
    changes = _visible(user, EducationChange).filter(person_id=person_id)
    return chronology_values(
        changes,
        kind="education_change",
        at="created_at",
        title=_text(Value("Education status: "), choice_label("status", EducationStatus.choices)),
        detail=_text(
            Value("From "),
            _day("effective_date"),
            SqlCase(
                When(provider_name="", then=Value("")),
                default=_text(Value(", "), F("provider_name")),
                output_field=TextField(),
            ),
            SqlCase(
                When(corrects__isnull=True, then=Value("")),
                default=_text(Value(". Corrects an earlier entry: "), F("correction_reason")),
                output_field=TextField(),
            ),
        ),
        agency="recorded_by_agency__name",
        url_name="education:change",
    )


def school_place_application_events(user: User, person_id: uuid.UUID) -> QuerySet:
    applications = _visible(user, SchoolPlaceApplication).filter(person_id=person_id)
    return chronology_values(
        applications,
        kind="school_place_application",
        at="created_at",
        title=_text(Value("School place application: "), F("school_name")),
        detail=_text(
            Value("Applied "),
            _day("applied_on"),
            Value(", decision due by "),
            _day("due_on"),
            SqlCase(
                When(outcome="", then=Value("")),
                default=_text(
                    Value(". "),
                    choice_label("outcome", SchoolPlaceOutcome.choices),
                    Value(" on "),
                    _day("outcome_on"),
                ),
                output_field=TextField(),
            ),
        ),
        agency="recorded_by_agency__name",
        url_name="education:application",
    )
