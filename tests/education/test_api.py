"""The education API: the same rules as the pages (readers of the child's open case read, writers record,
outsiders get 404), one error shape, one audit row per read, and query counts that do not grow."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import AuditEvent
from cases.education.models import EducationChange, SchoolPlaceApplication
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxMessage
from tests.conftest import World, count_queries, token_client
from tests.education.conftest import Edu, days_ago, record
from tests.test_query_counts import TOKEN_API

pytestmark = pytest.mark.django_db


def _changes(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/education-changes/"


def _applications(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/school-place-applications/"


def test_the_history_is_listed_with_the_child_it_is_about(world: World) -> None:
    client = token_client(world.police_officer)
    empty = client.get(_changes(world))
    assert empty.status_code == 200
    assert empty.json()["person"] == {"id": str(world.case.person_id), "full_name": "Zephyrine Quillfeather"}
    assert empty.json()["count"] == 0
    record(world, "on_roll", days=10, provider="Northbridge Academy")
    listed = client.get(_changes(world)).json()
    assert [entry["status"] for entry in listed["results"]] == ["on_roll"]
    assert listed["results"][0]["provider_name"] == "Northbridge Academy"
    assert AuditEvent.objects.filter(actor=world.police_officer, object_type="education").count() == 2


def test_a_change_is_recorded_once_and_tells_once(world: World, edu: Edu) -> None:
    client = token_client(world.mash)
    record(world, "on_roll", days=30)
    body = {"status": "elective_home_education", "effective_date": days_ago(1).isoformat()}
    made = client.post(_changes(world), body, content_type="application/json")
    assert made.status_code == 201
    assert made.json()["alert"] == "told" and made.json()["previous_status"] == "on_roll"
    again = client.post(_changes(world), body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert OutboxMessage.objects.count() == 2
    detail = client.get(f"/api/v1/education-changes/{made.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["person_name"] == "Zephyrine Quillfeather"


def test_a_correction_names_the_entry_and_its_reason(world: World) -> None:
    client = token_client(world.mash)
    wrong = record(world, "on_roll", days=5, provider="Wrong School").change
    no_reason = client.post(
        _changes(world),
        {
            "status": "on_roll",
            "provider_name": "Right School",
            "effective_date": days_ago(5).isoformat(),
            "corrects": str(wrong.pk),
        },
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    assert no_reason.json() == {"correction_reason": ["Enter why the entry is being corrected"]}
    unknown = client.post(
        _changes(world),
        {"status": "on_roll", "effective_date": days_ago(5).isoformat(), "corrects": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "corrects" in unknown.json()
    fixed = client.post(
        _changes(world),
        {
            "status": "on_roll",
            "provider_name": "Right School",
            "effective_date": days_ago(5).isoformat(),
            "corrects": str(wrong.pk),
            "correction_reason": "Wrong school recorded",
        },
        content_type="application/json",
    )
    assert fixed.status_code == 201 and fixed.json()["corrects"] == str(wrong.pk)
    assert client.get(f"/api/v1/education-changes/{wrong.pk}/").json()["corrected_by"] == fixed.json()["id"]


def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(world: World) -> None:
    client = token_client(world.mash)
    response = client.post(
        _changes(world),
        {"status": "somewhere", "effective_date": (timezone.localdate() + timedelta(days=30)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": ["Select their education status"],
        "effective_date": ["The date it took effect must be no more than 14 days from today"],
    }
    assert not EducationChange.objects.exists()


def test_a_partner_agency_reads_but_does_not_record(world: World) -> None:
    client = token_client(world.police_officer)
    response = client.post(
        _changes(world),
        {"status": "on_roll", "effective_date": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not EducationChange.objects.exists()


@pytest.mark.parametrize("persona", ["housing_officer", "stranger"])
def test_outsiders_get_not_found(world: World, persona: str) -> None:
    change = record(world, "on_roll").change
    client = token_client(getattr(world, persona))
    for url in (
        _changes(world),
        _applications(world),
        f"/api/v1/education-changes/{change.pk}/",
        f"/api/v1/people/{uuid.uuid4()}/education-changes/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_school_place_application_and_its_outcome(world: World) -> None:
    client = token_client(world.mash)
    made = client.post(
        _applications(world),
        {
            "school_name": "Northbridge Academy",
            "applied_on": days_ago(3).isoformat(),
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["version"] == 1 and made.json()["outcome"] == ""
    url = f"/api/v1/school-place-applications/{made.json()['id']}/"
    stale = client.patch(
        url,
        {"version": 5, "outcome": "offered", "outcome_on": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    decided = client.patch(
        url,
        {"version": 1, "outcome": "offered", "outcome_on": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert (
        decided.status_code == 200
        and decided.json()["outcome"] == "offered"
        and decided.json()["version"] == 2
    )
    assert Deadline.objects.get(subject_id=made.json()["id"]).status == DeadlineStatus.MET
    listed = client.get(_applications(world)).json()
    assert listed["count"] == 1 and listed["results"][0]["school_name"] == "Northbridge Academy"
    assert (
        token_client(world.police_officer).patch(url, {}, content_type="application/json").status_code == 404
    )


def _grow(world: World, n: int) -> None:
    from audits.context import SYSTEM_CONTEXT
    from cases.education.services import school_place_application_record

    for i in range(n):
        record(world, "on_roll" if i % 2 else "part_time_timetable", days=100 + i, provider=f"School {i}")
        school_place_application_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            school_name=f"School {i}",
            applied_on=days_ago(50 + i),
            due_on=days_ago(40 + i),
        )


def test_the_lists_and_details_have_exact_and_constant_query_counts(world: World) -> None:
    client = token_client(world.mash)
    _grow(world, 1)
    # the child's open case with the reader's grants, the audit INSERT, the count, the page of rows
    expected = TOKEN_API + 1 + 1 + 1 + 1
    assert count_queries(client, _changes(world)) == expected
    assert count_queries(client, _applications(world)) == expected
    _grow(world, 12)
    assert count_queries(client, _changes(world)) == expected
    assert count_queries(client, _applications(world)) == expected
    change = EducationChange.objects.first()
    application = SchoolPlaceApplication.objects.first()
    assert change is not None and application is not None
    # the record with the reader's grants, the audit INSERT
    assert count_queries(client, f"/api/v1/education-changes/{change.pk}/") == TOKEN_API + 1 + 1
    assert count_queries(client, f"/api/v1/school-place-applications/{application.pk}/") == TOKEN_API + 1 + 1
