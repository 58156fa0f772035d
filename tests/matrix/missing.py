"""The permission matrix's sentinel records for cases.missing (see tests/matrix/__init__.py): alice (MASH, the
case's lead agency) reports the sentinel missing on her case, which police are shared; housing and the other
authority are outsiders. Its return is not recorded, so no clock is started on her case (the matrix's
deadline_id stays the case's own clock)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.missing.models import MissingEpisode
from cases.missing.services import EpisodeReport, missing_episode_report
from tests.conftest import World


def sentinel_episode_id(world: World) -> str:
    found = MissingEpisode.objects.filter(person_id=world.case.person_id).values_list("pk", flat=True).first()
    if found is None:
        now = timezone.now()
        found = missing_episode_report(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            person=world.case.person,
            data=EpisodeReport(
                reported_at=now - timedelta(hours=1),
                missing_from="care",
                last_seen_at=now - timedelta(hours=3),
                last_seen_where="Northbridge bus station",
                risk_grade="high",
                risk_basis="Known to be exploited; found with cash last time.",
                reported_by_name="Night worker, Oak House",
            ),
        ).pk
    return str(found)


OBJECT_PARAMS: frozenset[str] = frozenset({"episode_id"})
SENTINEL_IDS: dict[str, Callable[[World], str]] = {"episode_id": sentinel_episode_id}
