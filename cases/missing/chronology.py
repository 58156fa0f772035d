"""What missing episodes add to the child's record (registered from MissingConfig.ready()): the way from the
person page to the child's missing page, and the chronology's events: reported missing and found or
returned (kind "missing_episode"), and the return home interview's outcome (kind "return_home_interview").
Each source is scoped to what the reader may open, as the pages are, and runs no query itself."""

import uuid

from django.db.models import Case, CharField, F, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce, Concat

from cases.chronology.registry import (
    ChronologySource,
    RecordLink,
    chronology_source_register,
    chronology_values,
    record_link_register,
)
from cases.missing.access import episodes_visible_to
from cases.missing.models import RhiOutcome
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User

EPISODE_KIND = "missing_episode"
RHI_KIND = "return_home_interview"


def _episode_events(user: User, person_id: uuid.UUID) -> QuerySet:
    episodes = episodes_visible_to(user).filter(person_id=person_id)
    reported = chronology_values(
        episodes,
        kind=EPISODE_KIND,
        at="reported_at",
        title=Value("Reported missing"),
        detail=Concat(Value("Last seen: "), F("last_seen_where"), output_field=TextField()),
        agency="recording_agency__name",
        url_name="missing:episode",
    )
    returned = chronology_values(
        episodes.filter(found_at__isnull=False),
        kind=EPISODE_KIND,
        at="found_at",
        title=Value("Found or returned from a missing episode"),
        detail=Concat(Value("Found: "), F("found_where"), output_field=TextField()),
        agency="recording_agency__name",
        url_name="missing:episode",
    )
    return reported.union(returned, all=True)


RHI_TITLES = {
    RhiOutcome.HELD: "Return home interview held",
    RhiOutcome.REFUSED: "Return home interview refused by the child",
    RhiOutcome.NOT_HELD: "Decided not to hold a return home interview",
    RhiOutcome.MISSING_AGAIN: "Return home interview not held: went missing again",
}


def _rhi_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        episodes_visible_to(user).filter(person_id=person_id).exclude(rhi_outcome=""),
        kind=RHI_KIND,
        at=Coalesce("rhi_outcome_at", "rhi_recorded_at"),
        title=Case(
            *(When(rhi_outcome=outcome, then=Value(title)) for outcome, title in RHI_TITLES.items()),
            output_field=CharField(),
        ),
        detail=Case(
            When(rhi_outcome=RhiOutcome.HELD, then=F("rhi_held_by_role")),
            default=F("rhi_reason"),
            output_field=TextField(),
        ),
        agency="recording_agency__name",
        url_name="missing:episode",
    )


RECORD_LINK = RecordLink(
    key="missing",
    label="Missing episodes and Philomena profile",
    url_name="missing:person",
    shown_to=reads_case_data,
)
SOURCES = (
    ChronologySource(kind=EPISODE_KIND, label="Missing episodes", events=_episode_events),
    ChronologySource(kind=RHI_KIND, label="Return home interviews", events=_rhi_events),
)


def register_missing_record() -> None:
    record_link_register(RECORD_LINK)
    for source in SOURCES:
        chronology_source_register(source)
