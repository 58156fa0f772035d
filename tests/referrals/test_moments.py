"""Reachable moments: health records a child seen in the emergency department for violence and it reaches the
MASH as a referral, matched to a child the MASH knows by NHS number; any practitioner working with a referral
records other contact points; support not taken up always says why, coded; nothing is half-saved."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from referrals.models import EmergencyAttendance, ReachableMoment, Referral
from referrals.services import emergency_attendance_record
from safeguarding.deadlines.models import Deadline
from tests.conftest import SENTINEL_NHS_NUMBER, World, token_client, verified_client, world_referral
from tests.referrals.conftest import Front
from tests.referrals.test_views import error_summary, moment_fields


def ed_post(**overrides: Any) -> dict[str, Any]:
    arrived = timezone.now() - timedelta(hours=2)
    data: dict[str, Any] = {
        "idempotency_key": "ed-1",
        "given_name": "Zephyrine",
        "family_name": "Quillfeather",
        "date_of_birth_day": "3",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2011",
        "nhs_number": SENTINEL_NHS_NUMBER,
        "hospital": "Northbridge General",
        **moment_fields("attended_at", arrived),
        "injury": "stab_wound",
        "injury_detail": "Superficial wound to the thigh.",
        "accompanied_by": "",
        "concerns": ["cce", "gangs"],
        "narrative": "Says he was attacked over a debt; will not say by whom.",
        "support_offered": "Youth worker from the hospital's violence team.",
        "support_accepted": "no",
        "declined_reason": "not_safe",
        "declined_detail": "An older male stayed at the bedside.",
        "follow_up": "Violence team to call tomorrow.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_health_records_an_emergency_attendance_and_it_reaches_the_mash(world: World, front: Front) -> None:
    hana = verified_client(front.health_officer)
    assert "Emergency attendance" in hana.get("/").content.decode()
    response = hana.post("/referrals/emergency/new/", ed_post())
    assert response.status_code == 302, error_summary(response.content.decode())
    referral = Referral.objects.get()
    # The child the MASH already knows, found by NHS number: no second record.
    assert referral.person_id == world.case.person_id
    assert referral.source == "3E" and referral.referrer_agency_id == front.health.pk
    assert referral.mash_agency_id == world.social_care.pk
    attendance = EmergencyAttendance.objects.get(referral=referral)
    assert attendance.injury == "stab_wound" and attendance.hospital == "Northbridge General"
    moment = ReachableMoment.objects.get(referral=referral)
    assert moment.kind == "emergency_department" and moment.method == "hospital"
    assert (moment.support_accepted, moment.declined_reason) == (False, "not_safe")
    # The MASH's decision clock runs from the child's arrival, not from the typing.
    clock = Deadline.objects.get(subject_id=referral.pk, policy="mash_decision")
    assert clock.started_at == referral.received_at == attendance.attended_at
    alice = verified_client(world.mash)
    page = alice.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Hospital emergency department" in page and "it was not safe to talk" in page
    assert "Violence team to call tomorrow." in page
    # Sent twice (a double click): one referral.
    assert hana.post("/referrals/emergency/new/", ed_post()).status_code == 302
    assert Referral.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"declined_reason": ""}, ("id_declined_reason", "Select why the support was not taken up")),
        ({"injury": ""}, ("id_injury", "Select the injury")),
        ({"concerns": []}, ("id_concerns", "Select at least one concern")),
        ({"nhs_number": "123"}, ("id_nhs_number", "Enter an NHS number with 10 digits, like 485 777 3456")),
        (
            {"date_of_birth_year": "1890"},
            ("id_date_of_birth_year", "The child's date of birth must be after 1 January 1900"),
        ),
        (
            {"consent_not_sought_reason": ""},
            ("id_consent_not_sought_reason", "Explain why consent was not sought"),
        ),
    ],
)
def test_bad_attendances_are_refused_and_nothing_is_saved(
    world: World, front: Front, overrides: dict[str, Any], expected: tuple[str, str]
) -> None:
    response = verified_client(front.health_officer).post("/referrals/emergency/new/", ed_post(**overrides))
    assert response.status_code == 200
    assert expected in error_summary(response.content.decode())
    assert not Referral.objects.exists() and not ReachableMoment.objects.exists()


@pytest.mark.django_db
def test_a_future_attendance_is_refused(world: World, front: Front) -> None:
    later = ed_post(**moment_fields("attended_at", timezone.now() + timedelta(days=1)))
    response = verified_client(front.health_officer).post("/referrals/emergency/new/", later)
    assert ("id_attended_at_day", "The time of the attendance must be now or in the past") in error_summary(
        response.content.decode()
    )
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_only_health_records_emergency_attendances(world: World, front: Front) -> None:
    for user in (world.mash, world.police_officer, world.housing_officer, world.admin):
        assert verified_client(user).get("/referrals/emergency/new/").status_code == 404
    assert (
        verified_client(world.police_officer).post("/referrals/emergency/new/", ed_post()).status_code == 404
    )
    assert not Referral.objects.exists()
    with pytest.raises(Exception, match="Only health practitioners"):
        emergency_attendance_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            attendance={},
            moment={},
            referral_data={},
            new_person_data={},
            idempotency_key="x",
        )


def moment_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "school",
        **moment_fields("occurred_at", timezone.now() - timedelta(hours=3)),
        "method": "in_person",
        "support_offered": "Mentoring with the school's family worker.",
        "support_accepted": "yes",
        "declined_reason": "",
        "declined_detail": "",
        "follow_up": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_practitioners_working_with_a_referral_record_its_reachable_moments(world: World) -> None:
    referral = world_referral(world)
    url = f"/referrals/{referral.pk}/moments/new/"
    bob = verified_client(world.police_officer)  # asked for police checks: sees the referral
    assert bob.get(url).status_code == 200
    response = bob.post(url, moment_post())
    assert response.status_code == 302
    moment = ReachableMoment.objects.get()
    assert (moment.kind, moment.support_accepted, moment.recorded_by) == (
        "school",
        True,
        world.police_officer,
    )
    detail = verified_client(world.mash).get(f"/referrals/{referral.pk}/").content.decode()
    assert "School or college" in detail and "Record a reachable moment" in detail
    # Not taken up: the reason is asked for; urgent response and emergency attendances have their own pages.
    refused = bob.post(url, moment_post(support_accepted="no"))
    assert ("id_declined_reason", "Select why the support was not taken up") in error_summary(
        refused.content.decode()
    )
    wrong = bob.post(url, moment_post(kind="urgent_response"))
    assert ("id_kind", "Select where the contact happened") in error_summary(wrong.content.decode())
    assert ReachableMoment.objects.count() == 1
    # Housing is not working with this referral.
    assert verified_client(world.housing_officer).get(url).status_code == 404
    assert verified_client(world.housing_officer).post(url, moment_post()).status_code == 404
    assert ReachableMoment.objects.count() == 1


@pytest.mark.django_db
def test_the_api_records_moments_and_emergency_attendances(world: World, front: Front) -> None:
    referral = world_referral(world)
    bob = token_client(world.police_officer)
    url = f"/api/v1/referrals/{referral.pk}/reachable-moments/"
    body = {
        "kind": "school",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "method": "phone",
        "support_offered": "A call from the school's safeguarding lead.",
        "support_accepted": False,
    }
    refused = bob.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and refused.json() == {
        "declined_reason": ["Select why the support was not taken up"]
    }
    made = bob.post(url, {**body, "declined_reason": "child_declined"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["declined_reason"] == "child_declined"
    listed = bob.get(url).json()
    assert listed["person"] == referral.person.full_name
    assert [m["kind"] for m in listed["moments"]] == ["school"]
    assert token_client(world.housing_officer).get(url).status_code == 404
    # Health sends an attendance; the MASH receives it as a referral. Nobody else may send one.
    attendance = {
        "given_name": "Kai",
        "family_name": "Ward",
        "date_of_birth": "2010-06-01",
        "hospital": "Northbridge General",
        "attended_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "injury": "stab_wound",
        "concerns": ["cce"],
        "narrative": "Stabbed in the leg; will not say by whom.",
        "support_offered": "Hospital youth worker.",
        "support_accepted": True,
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    sent = token_client(front.health_officer).post(
        "/api/v1/emergency-attendances/",
        attendance,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="ed-api-1",
    )
    assert sent.status_code == 201, sent.content
    assert Referral.objects.get(pk=sent.json()["referral"]).source == "3E"
    assert (
        token_client(world.police_officer)
        .post("/api/v1/emergency-attendances/", attendance, content_type="application/json")
        .status_code
        == 404
    )
