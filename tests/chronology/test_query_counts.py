"""The chronology's pages cost the same queries however many events and sources: the union of every source is
one query, its count one more."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.chronology import registry
from cases.chronology.registry import ChronologySource
from cases.networks.services import LinkData, context_create, link_add
from panels.services import panel_action_agree
from referrals.choices import ReachableMomentKind
from referrals.models import ReachableMoment
from referrals.services import referral_create
from tests.chronology.conftest import Story
from tests.conftest import count_queries, verified_client
from tests.referrals.conftest import referral_data
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db

# access_person (the person with its permission probe), one page of the union's rows (one more than it shows,
# to know whether a next page follows: no COUNT), the audit INSERT.
PAGE = SESSION_PAGE + 1 + 1 + 1 + SESSION_SAVE
# access_person, the union's rows (up to PRINT_LIMIT), the audit INSERT.
PRINT = SESSION_PAGE + 1 + 1 + 1 + SESSION_SAVE


def _grow(story: Story, n: int) -> None:
    """n more events in each of several sources: referrals, reachable moments, network links, panel actions."""
    world = story.world
    for i in range(n):
        referral_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data=referral_data(received_at=timezone.now() - timedelta(hours=i + 1)),
            idempotency_key=f"grow-{i}",
            person=world.case.person,
        )
        ReachableMoment.objects.create(
            referral=story.referral,
            person=world.case.person,
            kind=ReachableMomentKind.EMERGENCY_DEPARTMENT,
            occurred_at=timezone.now() - timedelta(hours=i + 1),
            method="hospital",
            support_offered="Youth worker in the emergency department",
            support_accepted=False,
            declined_reason="not_safe",
            recorded_by=world.mash,
        )
        place = context_create(
            actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "shop", "name": f"Chicken shop {i}"}
        )
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=world.case.person,
            b=place,
            data=LinkData(link_type="frequents", source="Outreach"),
        )
        panel_action_agree(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            item=story.item,
            description=f"Action {i}",
            owner_agency=world.police,
            owner=world.police_officer,
            due_date=timezone.localdate() + timedelta(days=7),
        )


@pytest.mark.parametrize("persona", ["mash", "police_officer"])
def test_the_page_has_an_exact_and_constant_query_count(story: Story, persona: str) -> None:
    client = verified_client(getattr(story.world, persona))
    url = f"/chronology/{story.world.case.person_id}/"
    filtered = f"{url}?kind=referral&kind=panel&kind=network_link&order=oldest&from_date_day=1&from_date_month=1&from_date_year=2020"
    assert count_queries(client, url) == PAGE
    assert count_queries(client, filtered) == PAGE
    assert count_queries(client, f"{url}print/") == PRINT
    _grow(story, 30)
    assert count_queries(client, url) == PAGE
    assert count_queries(client, f"{url}?page=2") == PAGE
    assert count_queries(client, filtered) == PAGE
    assert count_queries(client, f"{url}print/") == PRINT


def test_more_sources_cost_no_more_queries(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    client = verified_client(story.world.mash)
    url = f"/chronology/{story.world.case.person_id}/"
    before = count_queries(client, url)
    sources = dict(registry._sources)
    for n in range(5):
        source = sources["reachable_moment"]
        sources[f"copy_{n}"] = ChronologySource(kind=f"copy_{n}", label=f"Copy {n}", events=source.events)
    monkeypatch.setattr(registry, "_sources", sources)
    assert len(registry.chronology_sources()) == 13
    assert count_queries(client, url) == before == PAGE
