"""The missing-episodes API: report, read, record the return and the interview's outcome; outsiders get 404,
a partner agency reads but may not record (403), bad input is a 400 with nothing saved, and the reads cost a
fixed number of queries."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.missing.models import MissingEpisode
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.conftest import World, count_queries, token_client
from tests.missing.conftest import record_return, report
from tests.test_query_counts import TOKEN_API

pytestmark = pytest.mark.django_db


def _post(client: object, url: str, body: dict[str, object]) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")  # type: ignore[attr-defined]


def test_report_return_and_refusal_through_the_api(world: World) -> None:
    client = token_client(world.mash)
    now = timezone.now()
    url = f"/api/v1/people/{world.case.person_id}/missing-episodes/"
    made = _post(
        client,
        url,
        {
            "reported_at": (now - timedelta(hours=1)).isoformat(),
            "last_seen_at": (now - timedelta(hours=2)).isoformat(),
            "missing_from": "home",
            "last_seen_where": "Park Road",
            "risk_grade": "low",
            "risk_basis": "First time.",
            "reported_by_agency": str(world.police.pk),
        },
    )
    assert made.status_code == 201, made.content  # type: ignore[attr-defined]
    body = made.json()  # type: ignore[attr-defined]
    assert body["person"]["name"] == world.case.person.full_name and body["rhi_clock"] is None
    episode_id = body["id"]

    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == episode_id

    found_at = now - timedelta(minutes=30)
    unbounded = {
        "version": body["version"],
        "found_at": found_at.isoformat(),
        "found_where": "Eastport",
        "found_by": "Police",
        "safe_and_well_done": False,
        "exploitation_indicators": ["phones"] * 40,
    }
    refused = _post(client, f"/api/v1/missing-episodes/{episode_id}/return/", unbounded)
    assert refused.status_code == 400 and "exploitation_indicators" in refused.json()  # type: ignore[attr-defined]
    returned = _post(
        client,
        f"/api/v1/missing-episodes/{episode_id}/return/",
        {**unbounded, "exploitation_indicators": ["phones"]},
    )
    assert returned.status_code == 200, returned.content  # type: ignore[attr-defined]
    clock = returned.json()["rhi_clock"]  # type: ignore[attr-defined]
    assert clock["status"] == "running"

    rhi_url = f"/api/v1/missing-episodes/{episode_id}/return-home-interview/"
    version = returned.json()["version"]  # type: ignore[attr-defined]
    no_reason = _post(
        client, rhi_url, {"version": version, "outcome": "refused", "outcome_at": now.isoformat()}
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["reason"] == ["Enter why the child refused the interview"]  # type: ignore[attr-defined]
    stale = _post(
        client,
        rhi_url,
        {"version": version + 5, "outcome": "refused", "reason": "x", "outcome_at": now.isoformat()},
    )
    assert stale.status_code == 409
    done = _post(
        client,
        rhi_url,
        {
            "version": version,
            "outcome": "refused",
            "reason": "Would not talk.",
            "outcome_at": now.isoformat(),
        },
    )
    assert done.status_code == 200 and done.json()["rhi_outcome"] == "refused"  # type: ignore[attr-defined]
    assert Deadline.objects.get(subject_id=episode_id).status == DeadlineStatus.MET


def test_outsiders_get_404_and_a_partner_agency_may_not_record(world: World) -> None:
    episode = report(world)
    for outsider in (world.stranger, world.housing_officer, world.admin):
        client = token_client(outsider)
        assert client.get(f"/api/v1/missing-episodes/{episode.pk}/").status_code == 404
        assert client.get(f"/api/v1/people/{world.case.person_id}/missing-episodes/").status_code == 404
    bob = token_client(world.police_officer)
    assert bob.get(f"/api/v1/missing-episodes/{episode.pk}/").status_code == 200
    refused = _post(
        bob,
        f"/api/v1/missing-episodes/{episode.pk}/return/",
        {
            "version": 1,
            "found_at": timezone.now().isoformat(),
            "found_where": "x",
            "found_by": "y",
            "safe_and_well_done": False,
        },
    )
    assert refused.status_code == 403
    assert token_client(world.mash).get(f"/api/v1/missing-episodes/{uuid.uuid4()}/").status_code == 404
    assert MissingEpisode.objects.get().found_at is None


def test_the_reads_have_exact_and_constant_query_counts(world: World) -> None:
    client = token_client(world.mash)
    first = record_return(
        world,
        report(
            world,
            last_seen_at=timezone.now() - timedelta(days=20),
            reported_at=timezone.now() - timedelta(days=20) + timedelta(hours=1),
        ),
        found_at=timezone.now() - timedelta(days=19),
        safe_and_well_done=False,
        safe_and_well_at=None,
    )
    detail = f"/api/v1/missing-episodes/{first.pk}/"
    listing = f"/api/v1/people/{world.case.person_id}/missing-episodes/"
    # access (episode with person, case, agencies and clock), audit INSERT
    assert count_queries(client, detail) == TOKEN_API + 1 + 1
    # person access, pagination COUNT, the page's episodes with their clocks, audit INSERT
    assert count_queries(client, listing) == TOKEN_API + 1 + 1 + 1 + 1
    for days in (10, 5):
        start = timezone.now() - timedelta(days=days)
        record_return(
            world,
            report(world, last_seen_at=start, reported_at=start + timedelta(hours=1)),
            found_at=start + timedelta(hours=2),
            safe_and_well_done=False,
            safe_and_well_at=None,
        )
    assert count_queries(client, listing) == TOKEN_API + 1 + 1 + 1 + 1
