"""The person page draws the parts other apps register (safeguarding/people/sections.py); today that is cases'
Cases section and its "Open a case" button, which people itself cannot import."""

import pytest
from django.urls import reverse

from safeguarding.people.sections import person_sections
from tests.conftest import World, verified_client
from tests.form_data import date_parts


def test_cases_networks_referrals_and_panels_register_their_sections_of_the_person_page() -> None:
    assert [section.key for section in person_sections()] == [
        "cases",
        "network",
        "record",
        "front_door",
        "panels",
    ]


@pytest.mark.django_db
def test_the_lead_agency_sees_the_case_and_may_open_another(world: World) -> None:
    person_id = world.case.person_id
    body = verified_client(world.mash).get(reverse("people:detail", kwargs={"person_id": person_id})).content
    page = body.decode()
    assert reverse("cases:detail", kwargs={"case_id": world.case.pk}) in page
    assert f'href="{reverse("cases:open", kwargs={"person_id": person_id})}"' in page
    assert ">Open a case</a>" in page


@pytest.mark.django_db
def test_an_agency_the_case_is_shared_with_sees_it_but_cannot_open_one(world: World) -> None:
    person_id = world.case.person_id
    body = verified_client(world.police_officer).get(
        reverse("people:detail", kwargs={"person_id": person_id})
    )
    page = body.content.decode()
    assert reverse("cases:detail", kwargs={"case_id": world.case.pk}) in page
    assert "Open a case" not in page
    assert "Change details" not in page


@pytest.mark.django_db
def test_add_a_person_and_open_a_case_is_still_among_the_person_pages(world: World) -> None:
    assert reverse("people:create") == "/people/add/"
    response = verified_client(world.mash).get("/people/add/")
    assert response.status_code == 200
    assert response.resolver_match.namespace == "people"
    assert "Save person and open case" in response.content.decode()


@pytest.mark.django_db
def test_adding_a_person_who_is_already_recorded_offers_the_existing_record_first(world: World) -> None:
    from cases.models import Case
    from safeguarding.people.models import Person
    from tests.conftest import SENTINEL_FAMILY_NAME, SENTINEL_GIVEN_NAME, SENTINEL_NHS_NUMBER

    sentinel = world.case.person
    form = {
        "person-given_name": SENTINEL_GIVEN_NAME,
        "person-family_name": SENTINEL_FAMILY_NAME,
        **date_parts("person-date_of_birth", sentinel.date_of_birth),
        "person-sex": "F",
        "person-ethnicity": "WBRI",
        "person-education_status": "on_roll",
        "person-nhs_number": SENTINEL_NHS_NUMBER,
        "case-risk_level": "high",
        "case-exploitation_types": ["criminal"],
        "case-summary": "Seen at the station again.",
    }
    alice = verified_client(world.mash)
    offered = alice.post("/people/add/", form)
    page = offered.content.decode()
    assert offered.status_code == 200 and "This person may already be recorded" in page
    assert f"/people/{sentinel.pk}/" in page and "None of these: add as a new person" in page
    assert Person.objects.filter(family_name=SENTINEL_FAMILY_NAME).count() == 1
    # Someone else after all (a different NHS number): added once the practitioner says so.
    other = {**form, "person-nhs_number": "", "confirm_new": "yes"}
    made = alice.post("/people/add/", other)
    assert made.status_code == 302
    assert Person.objects.filter(family_name=SENTINEL_FAMILY_NAME).count() == 2
    assert Case.objects.filter(person__family_name=SENTINEL_FAMILY_NAME).count() == 2
