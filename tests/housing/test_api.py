"""The housing API: the same rules as the pages, one error shape, one audit row per read, and query counts
that do not grow."""

import uuid

import pytest

from audits.models import AuditEvent
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from tests.conftest import World, count_queries, token_client
from tests.housing.conftest import apply, days_ago, refer
from tests.test_query_counts import TOKEN_API

pytestmark = pytest.mark.django_db


def _applications(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/housing-applications/"


def _referrals(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/social-needs-panel-referrals/"


def test_applications_are_listed_recorded_and_moved_on(world: World) -> None:
    client = token_client(world.mash)
    empty = client.get(_applications(world)).json()
    assert empty["person"]["full_name"] == "Zephyrine Quillfeather" and empty["results"] == []
    made = client.post(
        _applications(world),
        {
            "applicant_relationship": "parent",
            "applied_on": days_ago(10).isoformat(),
            "housing_provider": "Northbridge Homes",
            "status": "submitted",
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    url = f"/api/v1/housing-applications/{made.json()['id']}/"
    bad = client.patch(url, {"version": 1, "status": "decided"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json() == {"outcome": ["Select the outcome of the application"]}
    moved = client.patch(
        url,
        {"version": 1, "status": "decided", "outcome": "refused", "outcome_on": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["outcome"] == "refused" and moved.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "status": "submitted"}, content_type="application/json")
    assert stale.status_code == 409
    assert client.get(_applications(world)).json()["count"] == 1


def test_referrals_are_listed_recorded_and_decided(world: World) -> None:
    client = token_client(world.mash)
    made = client.post(
        _referrals(world),
        {"referred_on": days_ago(10).isoformat(), "reason": "A move away from the estate."},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["panel_date"] is None
    url = f"/api/v1/social-needs-panel-referrals/{made.json()['id']}/"
    decided = client.patch(
        url,
        {
            "version": 1,
            "panel_date": days_ago(2).isoformat(),
            "outcome": "not_supported",
            "outcome_on": days_ago(2).isoformat(),
        },
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["outcome"] == "not_supported"
    bob = token_client(world.police_officer)
    assert bob.get(url).json()["person_name"] == "Zephyrine Quillfeather"
    assert bob.patch(url, {"version": 2}, content_type="application/json").status_code == 404
    assert bob.post(_referrals(world), {}, content_type="application/json").status_code == 404
    assert (
        AuditEvent.objects.filter(
            actor=world.police_officer, object_type="social_needs_panel_referral"
        ).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["housing_officer", "stranger"])
def test_outsiders_get_not_found(world: World, persona: str) -> None:
    application = apply(world)
    referral = refer(world)
    client = token_client(getattr(world, persona))
    for url in (
        _applications(world),
        _referrals(world),
        f"/api/v1/housing-applications/{application.pk}/",
        f"/api/v1/social-needs-panel-referrals/{referral.pk}/",
        f"/api/v1/housing-applications/{uuid.uuid4()}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_lists_and_details_have_exact_and_constant_query_counts(world: World) -> None:
    client = token_client(world.mash)
    apply(world)
    refer(world)
    # the child's open case with the reader's grants, the audit INSERT, the count, the page of rows
    expected = TOKEN_API + 1 + 1 + 1 + 1
    assert count_queries(client, _applications(world)) == expected
    assert count_queries(client, _referrals(world)) == expected
    for i in range(12):
        apply(world, housing_provider=f"Provider {i}")
        refer(world, reason=f"Reason {i}")
    assert count_queries(client, _applications(world)) == expected
    assert count_queries(client, _referrals(world)) == expected
    application = HousingApplication.objects.first()
    referral = SocialNeedsPanelReferral.objects.first()
    assert application is not None and referral is not None
    # the record with the reader's grants, the audit INSERT
    assert count_queries(client, f"/api/v1/housing-applications/{application.pk}/") == TOKEN_API + 1 + 1
    assert count_queries(client, f"/api/v1/social-needs-panel-referrals/{referral.pk}/") == TOKEN_API + 1 + 1
