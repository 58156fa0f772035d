"""Bad input gets a GOV.UK error summary on pages and a 400 naming the fields in the API; nothing is saved."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case
from safeguarding.people.models import Person
from tests.conftest import World, token_client, verified_client
from tests.form_data import date_parts

TOMORROW_DATE = timezone.localdate() + datetime.timedelta(days=1)
TOMORROW = TOMORROW_DATE.isoformat()

VALID_FORM = {
    "person-given_name": "Riley",
    "person-family_name": "Sample",
    **date_parts("person-date_of_birth", datetime.date(2010, 5, 6)),
    "person-sex": "F",
    "person-ethnicity": "WBRI",
    "person-education_status": "on_roll",
    "person-nhs_number": "401 023 2137",
    "case-risk_level": "high",
    "case-exploitation_types": ["criminal", "county_lines"],
    "case-summary": "Found with large amounts of cash.",
}

BAD_INPUTS = [
    ({"person-nhs_number": "401 023 2138"}, "person-nhs_number", "check digit"),
    (date_parts("person-date_of_birth", TOMORROW_DATE), "person-date_of_birth_day", "today or in the past"),
    ({"person-ethnicity": "XXXX"}, "person-ethnicity", "Select an ethnicity"),
    ({"person-given_name": "x" * 101}, "person-given_name", "100 characters or fewer"),
    ({"case-summary": "x" * 4001}, "case-summary", "4,000 characters or fewer"),
    ({"person-given_name": ""}, "person-given_name", "Enter a first name"),
    (
        {**date_parts("person-date_of_birth"), "person-estimated_age_years": ""},
        "person-date_of_birth_day",
        "estimated age",
    ),
    (
        date_parts("person-date_of_birth", day="31", month="2", year="2010"),
        "person-date_of_birth_day",
        "The date of birth must be a real date",
    ),
    (
        date_parts("person-date_of_birth", day="27", month="", year="2010"),
        "person-date_of_birth_month",
        "Enter the date of birth, including a day, month and year",
    ),
    (
        date_parts("person-date_of_birth", day="27", month="3", year="1899"),
        "person-date_of_birth_year",
        "The date of birth must be after 1 January 1900",
    ),
    (
        {"case-exploitation_types": ["not-a-type"]},
        "case-exploitation_types",
        "Select the types of exploitation suspected from the list",
    ),
    ({"person-sex": ""}, "person-sex", "Select the person&#x27;s sex"),
    (
        {"person-education_status": "nowhere"},
        "person-education_status",
        "Select the education status from the list",
    ),
    (
        {"person-estimated_age_years": "fifteen"},
        "person-estimated_age_years",
        "The estimated age must be a number",
    ),
    (
        {"person-estimated_age_years": "121"},
        "person-estimated_age_years",
        "The estimated age must be 120 or less",
    ),
    # A right-to-left override makes "Kai" display as another name: refused, like every hidden control.
    ({"person-given_name": "K\u202eai"}, "person-given_name", "hidden characters"),
    ({"person-family_name": "Sam\u2066ple"}, "person-family_name", "hidden characters"),
    ({"person-postcode": "NOT A CODE"}, "person-postcode", "Enter a real postcode"),
]


def _counts() -> tuple[int, int]:
    return Person.objects.count(), Case.objects.count()


@pytest.mark.django_db
def test_valid_form_saves_person_and_case(world: World) -> None:
    client = verified_client(world.mash)
    before = _counts()
    response = client.post("/people/add/", VALID_FORM)
    assert response.status_code == 302
    assert _counts() == (before[0] + 1, before[1] + 1)
    person = Person.objects.get(family_name="Sample")
    assert person.nhs_number == "4010232137"


@pytest.mark.django_db
def test_a_postcode_is_kept_as_royal_mail_writes_it(world: World) -> None:
    response = verified_client(world.mash).post("/people/add/", {**VALID_FORM, "person-postcode": "nb12ab"})
    assert response.status_code == 302
    assert Person.objects.get(family_name="Sample").postcode == "NB1 2AB"


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUTS)
def test_bad_input_shows_error_summary_and_saves_nothing(
    world: World, change: dict, field: str, message: str
) -> None:
    client = verified_client(world.mash)
    before = _counts()
    response = client.post("/people/add/", {**VALID_FORM, **change})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert f'href="#id_{field}"' in body, "the error summary must link to the field"
    assert message in body
    assert "<title>Add a person and open a case - Error - Reachable</title>" in body
    assert _counts() == before


@pytest.mark.django_db
def test_duplicate_nhs_number_is_refused_without_saving_anything(world: World) -> None:
    client = verified_client(world.mash)
    before = _counts()
    response = client.post("/people/add/", {**VALID_FORM, "person-nhs_number": "943 476 5919"})
    assert response.status_code == 200
    assert "already recorded" in response.content.decode()
    assert _counts() == before


API_PERSON = {
    "given_name": "Riley",
    "family_name": "Sample",
    "date_of_birth": "2010-05-06",
    "ethnicity": "WBRI",
    "nhs_number": "4010232137",
}

API_BAD_INPUTS = [
    ({"nhs_number": "4010232138"}, "nhs_number"),
    ({"date_of_birth": TOMORROW}, "date_of_birth"),
    ({"ethnicity": "XXXX"}, "ethnicity"),
    ({"family_name": "y" * 101}, "family_name"),
    ({"aliases": ["z" * 101]}, "aliases"),
    ({"date_of_birth": None}, "date_of_birth"),
]


@pytest.mark.django_db
def test_api_creates_person(world: World) -> None:
    response = token_client(world.mash).post("/api/v1/people/", API_PERSON, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["nhs_number"] == "4010232137"


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field"), API_BAD_INPUTS)
def test_api_bad_person_is_400_naming_the_field(world: World, change: dict, field: str) -> None:
    client: Client = token_client(world.mash)
    before = _counts()
    response = client.post("/api/v1/people/", {**API_PERSON, **change}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert _counts() == before


@pytest.mark.django_db
def test_api_case_with_new_person_saves_neither_when_the_case_is_invalid(world: World) -> None:
    client = token_client(world.mash)
    before = _counts()
    response = client.post(
        "/api/v1/cases/",
        {"person": API_PERSON, "risk_level": "catastrophic", "summary": "s"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "risk_level" in response.json()
    response = client.post(
        "/api/v1/cases/",
        {"person": {**API_PERSON, "nhs_number": "943 476 5919"}},
        content_type="application/json",
    )
    assert response.status_code == 400, "duplicate NHS number must be refused"
    assert _counts() == before
    response = client.post(
        "/api/v1/cases/", {"person": API_PERSON, "risk_level": "high"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert _counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.django_db
def test_edit_form_shows_the_date_of_birth_in_the_govuk_date_input(world: World) -> None:
    body = verified_client(world.mash).get(f"/people/{world.case.person_id}/change/").content.decode()
    for part, value in (("day", "2"), ("month", "4"), ("year", "2011")):
        assert f'name="date_of_birth_{part}" type="text" inputmode="numeric" value="{value}"' in body
    assert 'type="date"' not in body


@pytest.mark.django_db
def test_fields_with_errors_get_the_govuk_error_class(world: World) -> None:
    response = verified_client(world.mash).post("/people/add/", {**VALID_FORM, "person-nhs_number": "123"})
    assert "govuk-input--error" in response.content.decode()
