"""The Daily Risk Management meeting as one meeting: attendance by agency, one item per child however many
reasons put them on the list, outcomes saved one at a time (in place with htmx), and a page whose query count
does not grow with the list."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from referrals.models import DrmAttendance, DrmItem, DrmOutcome, Referral
from referrals.services import drm_outcome_record
from tests.conftest import World, count_queries, verified_client
from tests.referrals.conftest import Front, new_referral
from tests.referrals.test_views import PAGE, _grow_referrals, _just_now, error_summary


@pytest.fixture
def alice(world: World) -> Client:
    return verified_client(world.mash)


def _items(page: str) -> list[str]:
    """Each child's item on the list, in order."""
    return re.findall(
        r'<li class="reachable-drm-item" id="child-[^"]+">.*?</li>\s*(?=<li class="reachable-drm-item"|</ol>)',
        page,
        re.S,
    )


def _outcome_post(referral: Referral, text: str) -> dict[str, str]:
    return {
        "action": "outcome",
        "child": str(referral.person_id),
        f"child-{referral.person_id}-outcome": text,
    }


@pytest.mark.django_db
def test_each_child_is_on_the_list_once_with_every_reason(world: World, front: Front, alice: Client) -> None:
    new = new_referral(front, key="new", received_at=_just_now())
    # Received five days ago as a county lines report: listed on that day's meeting, and its MASH decision
    # clock is breached now, so on that day it is on the list for two reasons, and shown once.
    county = new_referral(
        front, key="county", received_at=timezone.now() - timedelta(days=5), source="county_lines"
    )
    meeting = DrmItem.objects.get(referral=county).meeting_date
    page = alice.get("/referrals/drm/", {"date": meeting.isoformat()}).content.decode()
    [item] = [item for item in _items(page) if f"child-{county.person_id}" in item]
    assert "County lines police report" in item and "Breached: MASH decision, due" in item
    assert page.count(f'id="child-{county.person_id}"') == 1
    # Today: the new referral, and the county lines child again for the breached clock alone.
    today = alice.get("/referrals/drm/").content.decode()
    items = _items(today)
    assert len(items) == 2
    [fresh] = [item for item in items if f"child-{new.person_id}" in item]
    assert "New referral" in fresh and "Breached" not in fresh
    assert "2 children on the list, 0 with an outcome." in today


@pytest.mark.django_db
def test_outcomes_are_saved_one_at_a_time_and_changed_in_place(
    world: World, front: Front, alice: Client
) -> None:
    late = new_referral(front, key="late", received_at=timezone.now() - timedelta(days=5))
    other = new_referral(front, key="other", received_at=timezone.now() - timedelta(days=4))
    today = timezone.localdate().isoformat()
    # Without JavaScript: saved, and back at the child's item.
    response = alice.post(
        f"/referrals/drm/?date={today}", _outcome_post(late, "Decision today; manager to review.")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#child-{late.person_id}")
    outcome = DrmOutcome.objects.get(person=late.person)
    assert outcome.meeting.meeting_date == timezone.localdate() and outcome.recorded_by == world.mash
    # With htmx: only the child's item comes back, saying it was saved, and a status for screen readers.
    response = alice.post(
        f"/referrals/drm/?date={today}",
        _outcome_post(late, "Changed: decision by noon."),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.count('class="reachable-drm-item"') == 1 and f'id="child-{late.person_id}"' in body
    assert "Saved" in body and "Changed: decision by noon." in body
    assert 'id="drm-status"' in body and 'hx-swap-oob="true"' in body
    # One outcome per child per meeting: the change replaced it.
    assert DrmOutcome.objects.filter(person=late.person).count() == 1
    assert DrmOutcome.objects.get(person=late.person).outcome == "Changed: decision by noon."
    assert not DrmOutcome.objects.filter(person=other.person).exists()
    assert "2 children on the list, 1 with an outcome." in alice.get("/referrals/drm/").content.decode()


@pytest.mark.django_db
def test_bad_outcomes_are_refused_and_nothing_is_saved(world: World, front: Front, alice: Client) -> None:
    late = new_referral(front, key="late", received_at=timezone.now() - timedelta(days=5))
    today = timezone.localdate().isoformat()
    empty = alice.post(f"/referrals/drm/?date={today}", _outcome_post(late, "   "))
    assert empty.status_code == 200
    assert error_summary(empty.content.decode()) == [
        (f"id_child-{late.person_id}-outcome", "Enter the outcome agreed at the meeting")
    ]
    too_long = alice.post(
        f"/referrals/drm/?date={today}", _outcome_post(late, "x" * 4001), HTTP_HX_REQUEST="true"
    )
    assert "The outcome must be 4,000 characters or fewer" in too_long.content.decode()
    assert "<html" not in too_long.content.decode()
    assert not DrmOutcome.objects.exists()
    # A child who is not on the list, or no child at all: as if the page did not exist.
    stranger = new_referral(front, key="old", received_at=timezone.now() - timedelta(hours=1))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert alice.post(f"/referrals/drm/?date={yesterday}", _outcome_post(stranger, "x")).status_code == 404
    assert alice.post("/referrals/drm/", {"action": "outcome", "child": str(uuid.uuid4())}).status_code == 404
    assert alice.post("/referrals/drm/", {"action": "outcome", "child": "not-an-id"}).status_code == 404
    assert alice.get("/referrals/drm/", {"date": "2026-13-45"}).status_code == 400
    assert not DrmOutcome.objects.exists()


@pytest.mark.django_db
def test_attendance_is_recorded_by_agency(world: World, front: Front, alice: Client) -> None:
    page = alice.get("/referrals/drm/").content.decode()
    assert "0 of 4 agencies present" in page
    for agency in (world.social_care, world.police, world.housing, front.health):
        assert f"Did {agency.name} attend?" in page.replace("&#x27;", "'")
    assert world.other_la_agency.name not in page
    prefix = "attendance"
    data = {
        "action": "attendance",
        f"{prefix}-{world.police.pk}-status": "present",
        f"{prefix}-{world.police.pk}-attendee": "DS Kerr",
        f"{prefix}-{world.social_care.pk}-status": "present",
        f"{prefix}-{front.health.pk}-status": "apologies",
    }
    response = alice.post("/referrals/drm/", data)
    assert response.status_code == 302 and response["Location"].endswith("#attendance")
    rows = {row.agency_id: (row.status, row.attendee) for row in DrmAttendance.objects.all()}
    assert rows == {
        world.police.pk: ("present", "DS Kerr"),
        world.social_care.pk: ("present", ""),
        front.health.pk: ("apologies", ""),
    }
    assert "2 of 4 agencies present" in alice.get("/referrals/drm/").content.decode()
    # A name without saying whether they came, or a status that is not one: refused, nothing changed.
    bad = alice.post(
        "/referrals/drm/",
        {
            **data,
            f"{prefix}-{world.housing.pk}-attendee": "Someone",
            f"{prefix}-{front.health.pk}-status": "maybe",
        },
    )
    assert bad.status_code == 200
    assert sorted(message for _, message in error_summary(bad.content.decode())) == [
        "Select whether Northbridge Health attended",
        "Select whether Northbridge Housing attended",
    ]
    assert DrmAttendance.objects.get(agency=front.health).status == "apologies"
    assert not DrmAttendance.objects.filter(agency=world.housing).exists()


@pytest.mark.django_db
def test_drm_query_count(world: World, front: Front, alice: Client) -> None:
    def grow(n: int) -> None:
        for referral in _grow_referrals(front, n):  # breached MASH decision clocks
            drm_outcome_record(
                actor=world.mash,
                context=SYSTEM_CONTEXT,
                person=referral.person,
                meeting_date=timezone.localdate(),
                outcome="Police to share intelligence.",
            )
        for _ in range(n):
            new_referral(front, key=f"today-{Referral.objects.count()}", received_at=_just_now())

    grow(2)
    # breached clocks with their referrals' ids, the day's listed items, the referrals with their people
    # (permission subquery), the outcomes with who recorded them, the attendance recorded, the authority's
    # agencies, audit INSERT
    expected = PAGE + 7
    assert count_queries(alice, "/referrals/drm/") == expected
    grow(10)
    assert count_queries(alice, "/referrals/drm/") == expected
