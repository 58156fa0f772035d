"""Reads of a child's missing episodes and Philomena profile, scoped to the reader (cases.missing.access)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.missing.access import episodes_visible_to
from cases.missing.models import MissingEpisode, MissingRiskAssessment, MissingSettings, PhilomenaCarerChange
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

# "How often lately": the child's missing page counts the episodes reported in this many days.
RECENT_DAYS = 90


def settings_for(local_authority_id: uuid.UUID) -> MissingSettings:
    """The authority's repeat-missing threshold, or the defaults (unsaved) when it has set none."""
    found = MissingSettings.objects.filter(local_authority_id=local_authority_id).first()
    return found or MissingSettings(local_authority_id=local_authority_id)


def person_episodes(*, user: User, person: Person) -> QuerySet[MissingEpisode]:
    """The child's episodes the reader may see, newest first (missing_person_reported_idx), with their
    clocks (and the child, for the API's rows)."""
    return (
        episodes_visible_to(user)
        .filter(person=person)
        .select_related("person", "rhi_deadline")
        .order_by("-reported_at", "pk")
    )


@dataclass(frozen=True)
class MissingCounts:
    total: int
    recent: int  # reported in the last RECENT_DAYS days
    in_window: int  # reported within the authority's repeat-missing window
    threshold: MissingSettings

    @property
    def repeat_missing(self) -> bool:
        return self.in_window >= self.threshold.repeat_episodes


def missing_counts(
    *, user: User, person: Person, threshold: MissingSettings, now: datetime | None = None
) -> MissingCounts:
    """How many episodes the reader may see: in all, lately, and within the repeat-missing window (one
    query)."""
    now = now or timezone.now()
    counts = person_episodes(user=user, person=person).aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=Q(reported_at__gt=now - timedelta(days=RECENT_DAYS))),
        in_window=Count("pk", filter=Q(reported_at__gt=now - threshold.window)),
    )
    return MissingCounts(counts["total"], counts["recent"], counts["in_window"], threshold)


def risk_history(*, episode: MissingEpisode) -> list[MissingRiskAssessment]:
    """The episode's risk grades, newest first, with who graded them (one query)."""
    return list(
        MissingRiskAssessment.objects.filter(episode=episode)
        .select_related("assessed_by", "assessed_by_agency")
        .order_by("-assessed_at", "-id")
    )


def carer_history(*, profile_id: uuid.UUID) -> list[PhilomenaCarerChange]:
    return list(
        PhilomenaCarerChange.objects.filter(profile_id=profile_id)
        .select_related("recorded_by")
        .order_by("-changed_on", "-id")
    )
