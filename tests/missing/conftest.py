"""What the missing tests share: an episode reported by alice (MASH, the case's lead agency) on the
sentinel's case, and its return."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.missing.models import MissingEpisode
from cases.missing.services import (
    EpisodeReport,
    ReturnDetails,
    missing_episode_report,
    missing_return_record,
)
from safeguarding.organisations.models import User
from safeguarding.people.models import Person
from tests.conftest import World


def report(
    world: World, *, person: Person | None = None, actor: User | None = None, **overrides: Any
) -> MissingEpisode:
    now = timezone.now()
    data: dict[str, Any] = {
        "reported_at": now - timedelta(hours=1),
        "missing_from": "care",
        "last_seen_at": now - timedelta(hours=3),
        "last_seen_where": "Northbridge bus station",
        "risk_grade": "medium",
        "risk_basis": "Missing overnight before; with older boys.",
        "reported_by_name": "Night worker, Oak House",
        "police_reference": "NB-2026-0042",
    }
    data.update(overrides)
    return missing_episode_report(
        actor=actor or world.mash,
        context=SYSTEM_CONTEXT,
        person=person or world.case.person,
        data=EpisodeReport(**data),
    )


def record_return(world: World, episode: MissingEpisode, **overrides: Any) -> MissingEpisode:
    episode.refresh_from_db()
    data: dict[str, Any] = {
        "found_at": timezone.now() - timedelta(minutes=30),
        "found_where": "Flat 3, Station Road, Eastport",
        "found_by": "Police",
        "safe_and_well_done": True,
        "safe_and_well_at": timezone.now() - timedelta(minutes=10),
        "exploitation_indicators": ("out_of_area", "phones"),
    }
    data.update(overrides)
    return missing_return_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        expected_version=episode.version,
        data=ReturnDetails(**data),
    )
