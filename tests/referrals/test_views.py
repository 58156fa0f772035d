"""The MASH front door through its pages: each flow, and each kind of bad input (which shows the GOV.UK error
summary and saves nothing). Exact query counts for the lists, constant as rows grow."""

import re
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from referrals.models import (
    CustodyBooking,
    InformationRequest,
    InformationShare,
    MashDecision,
    ReachableMoment,
    Referral,
)
from referrals.services import mash_decision_record, referral_rate
from safeguarding.deadlines.models import Deadline
from safeguarding.people.models import Person
from tests import factories
from tests.conftest import SENTINEL_FAMILY_NAME, SENTINEL_GIVEN_NAME, World, count_queries, verified_client
from tests.form_data import date_parts
from tests.referrals.conftest import Front, new_referral

# --- Helpers -------------------------------------------------------------------------------------------------


def moment_fields(name: str, moment: datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        f"{name}_day": str(local.day),
        f"{name}_month": str(local.month),
        f"{name}_year": str(local.year),
        f"{name}_time": local.strftime("%H:%M"),
    }


def referral_post(person: str, *, key: str = "key-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": person,
        "idempotency_key": key,
        "source": "2A",
        "referrer_agency": "",
        "referrer_name": "Head of year",
        "referrer_contact": "01234 567890",
        **moment_fields("received_at", timezone.now() - timedelta(minutes=30)),
        "concerns": ["cce", "missing"],
        "narrative": "Seen with older males, new phone, missing twice this month.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    data.update(overrides)
    return data


def custody_post(
    person: str, *, booked_in_at: datetime, key: str = "custody-1", **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": person,
        "idempotency_key": key,
        "police_force": "Nottinghamshire Police",
        "out_of_area": "yes",
        "custody_suite": "Bridewell",
        **moment_fields("booked_in_at", booked_in_at),
        "arrest_reason": "Possession with intent to supply",
        "appropriate_adult": "requested",
        "pace_transfer_requested": "yes",
        "referrer_agency": "",
        "referrer_name": "PS Khan",
        "referrer_contact": "custody@notts.police.example",
        "concerns": ["county_lines"],
        "narrative": "Arrested 60 miles from home with cash and two phones.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Child in custody; asking could increase the risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    data.update(overrides)
    return data


def new_person_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "person-given_name": "Kai",
        "person-family_name": "Newcomer",
        "person-aliases_text": "",
        **date_parts("person-date_of_birth", date(2011, 4, 2)),
        "person-estimated_age_years": "",
        "person-sex": "M",
        "person-gender": "",
        "person-ethnicity": "BCRB",
        "person-nhs_number": "",
        "person-address_line_1": "",
        "person-address_line_2": "",
        "person-town": "",
        "person-postcode": "",
        "person-education_status": "elective_home_education",
        "person-school_name": "",
    }
    data.update({f"person-{key}": value for key, value in overrides.items()})
    return data


def error_summary(html: str) -> list[str]:
    """The messages in the GOV.UK error summary, and each link's target."""
    assert 'class="govuk-error-summary"' in html, "no error summary on the page"
    return [
        (target, unescape(message))
        for target, message in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    ]


def counts() -> tuple[int, int, int, int]:
    return (
        Referral.objects.count(),
        Person.objects.count(),
        Deadline.objects.count(),
        CustodyBooking.objects.count(),
    )


@pytest.fixture
def alice(world: World) -> Client:
    return verified_client(world.mash)


# --- Search before create ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_people_by_fuzzy_name_alias_and_date_of_birth(world: World, alice: Client) -> None:
    kai = factories.open_case(
        world.mash,
        given_name="Kai",
        family_name="Robertson",
        aliases=["K-Dog"],
        date_of_birth=date(2010, 5, 1),
    ).person
    factories.open_case(
        world.mash, given_name="Jordan", family_name="Unrelated", date_of_birth=date(2009, 1, 1)
    )

    misspelt = alice.get("/referrals/new/", {"name": "Kai Robertsen"})
    assert misspelt.status_code == 200
    assert "ROBERTSON, Kai" in misspelt.content.decode()
    assert "Unrelated" not in misspelt.content.decode()

    by_alias = alice.get("/referrals/new/", {"name": "k-dog"})
    assert "ROBERTSON, Kai" in by_alias.content.decode()

    # Another name but the same date of birth: still shown, because children give false names.
    by_birthday = alice.get(
        "/referrals/new/", {"name": "Someone Else", **date_parts("date_of_birth", date(2010, 5, 1))}
    ).content.decode()
    assert "ROBERTSON, Kai" in by_birthday and "Same date of birth" in by_birthday

    likely = alice.get(
        "/referrals/new/", {"name": "Kai Robertson", **date_parts("date_of_birth", date(2010, 5, 1))}
    ).content.decode()
    assert "Likely the same child" in likely
    # Choosing from the results carries the date of birth on, part by part.
    for part, value in (("day", "1"), ("month", "5"), ("year", "2010")):
        assert f'<input type="hidden" name="date_of_birth_{part}" value="{value}">' in likely

    # Each search that shows people is audited with the people shown.
    audit = AuditEvent.objects.filter(actor=world.mash, action="list", object_type="person").latest("id")
    assert audit.person_ids == [kai.pk]


@pytest.mark.django_db
def test_search_says_only_that_another_agency_holds_a_match(world: World, alice: Client) -> None:
    # Police record a child and keep the case to themselves: the MASH cannot see it.
    hidden = factories.open_case(
        world.police_officer,
        given_name="Hidden",
        family_name="Holloway",
        date_of_birth=date(2011, 7, 9),
        nhs_number=factories.VALID_NHS_NUMBERS[1],
        postcode="NB1 2XY",
    ).person
    for query in (
        {"name": "Hidden Holloway", **date_parts("date_of_birth", date(2011, 7, 9))},
        {"name": "anyone", "nhs_number": factories.VALID_NHS_NUMBERS[1]},
    ):
        html = alice.get("/referrals/new/", query).content.decode()
        assert "A possible match is held by another agency" in html
        assert "HOLLOWAY" not in html and "NB1 2XY" not in html and str(hidden.pk) not in html
    # Without an exact match (same name, another birthday) nothing is said.
    html = alice.get(
        "/referrals/new/", {"name": "Hidden Holloway", **date_parts("date_of_birth", date(2011, 7, 10))}
    ).content.decode()
    assert "held by another agency" not in html


@pytest.mark.django_db
def test_search_with_a_date_of_birth_that_is_not_real_or_in_the_future_says_so(
    world: World, alice: Client
) -> None:
    not_real = alice.get(
        "/referrals/new/", {"name": "Kai", **date_parts("date_of_birth", day="31", month="2", year="2010")}
    )
    assert error_summary(not_real.content.decode()) == [
        ("id_date_of_birth_day", "The date of birth must be a real date, for example 27 3 2026")
    ]
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = alice.get("/referrals/new/", {"name": "Kai", **date_parts("date_of_birth", tomorrow)})
    assert error_summary(future.content.decode()) == [
        ("id_date_of_birth_day", "Date of birth must be today or in the past")
    ]


@pytest.mark.django_db
def test_search_with_htmx_returns_only_the_results(world: World, alice: Client) -> None:
    response = alice.get("/referrals/new/", {"name": SENTINEL_FAMILY_NAME}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}" in html
    assert 'hx-swap-oob="true"' in html and "1 possible match found" in html


@pytest.mark.django_db
def test_continuing_without_choosing_asks_again_and_saves_nothing(world: World, alice: Client) -> None:
    before = counts()
    response = alice.get("/referrals/new/", {"name": SENTINEL_FAMILY_NAME, "step": "choose"})
    assert error_summary(response.content.decode()) == [
        ("id_person", "Select the person, or that none of these is them")
    ]
    assert counts() == before


@pytest.mark.django_db
def test_only_mash_roles_record_referrals(world: World, front: Front) -> None:
    for user in (world.police_officer, world.housing_officer, front.urgent_worker, world.admin):
        client = verified_client(user)
        assert client.get("/referrals/new/").status_code == 404
        assert client.get("/referrals/custody/new/").status_code == 404
        assert client.post("/referrals/new/", referral_post("new", **new_person_post())).status_code == 404
    assert Referral.objects.count() == 0


# --- Recording a referral ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referral_about_an_existing_person(world: World, alice: Client) -> None:
    person_id = world.case.person_id
    page = alice.get("/referrals/new/", {"person": str(person_id), "name": SENTINEL_FAMILY_NAME})
    html = page.content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key, "the form carries an idempotency key made when it was shown"
    response = alice.post(
        f"/referrals/new/?person={person_id}",
        referral_post(str(person_id), key=key.group(1), referrer_agency=str(world.police.pk)),
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.person_id == person_id and referral.referrer_agency == world.police
    assert referral.concerns == ["cce", "missing"] and referral.idempotency_key == key.group(1)
    assert Deadline.objects.get(subject_id=referral.pk, policy="mash_decision").status == "running"

    detail = alice.get(response["Location"]).content.decode()
    assert "Seen with older males" in detail and "Child criminal exploitation" in detail
    assert 'id="clock-panel"' in detail and "MASH decision" in detail
    assert f'hx-get="/referrals/{referral.pk}/clocks/"' in detail


@pytest.mark.django_db
def test_referral_about_a_new_person_once_none_match(world: World, alice: Client) -> None:
    search = {"name": "Kai Newcomer", "person": "new", **date_parts("date_of_birth", date(2011, 4, 2))}
    page = alice.get("/referrals/new/", search)
    html = page.content.decode()
    assert 'value="Kai"' in html and 'value="Newcomer"' in html, (
        "the new person's form starts from the search"
    )
    for part, value in (("day", "2"), ("month", "4"), ("year", "2011")):
        assert f'name="person-date_of_birth_{part}" type="text" inputmode="numeric" value="{value}"' in html
    assert "date_of_birth_day=2&amp;date_of_birth_month=4&amp;date_of_birth_year=2011" in html, (
        "the way back to the search keeps the date of birth"
    )
    response = alice.post("/referrals/new/?person=new", {**referral_post("new"), **new_person_post()})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.person.full_name == "Kai Newcomer"
    assert referral.person.search_text == "kai newcomer"


@pytest.mark.django_db
def test_double_submitted_form_creates_one_referral(world: World, alice: Client) -> None:
    data = {**referral_post("new", key="same-key"), **new_person_post()}
    first = alice.post("/referrals/new/", data)
    second = alice.post("/referrals/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Referral.objects.count() == 1
    assert Person.objects.filter(family_name="Newcomer").count() == 1
    assert Deadline.objects.filter(policy="mash_decision").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            moment_fields("received_at", timezone.now() + timedelta(hours=3)),
            [("id_received_at_day", "The time received must be now or in the past")],
            id="received-in-the-future",
        ),
        pytest.param(
            moment_fields("received_at", datetime(2005, 6, 1, 12, 0, tzinfo=timezone.get_current_timezone())),
            [("id_received_at_day", "The time received cannot be before the person's date of birth")],
            id="received-before-birth",
        ),
        pytest.param({"source": "XX"}, [("id_source", "Select a source from the list")], id="unknown-source"),
        pytest.param(
            {"narrative": "x" * 10_001},
            [("id_narrative", "What has happened must be 10,000 characters or fewer")],
            id="oversized-narrative",
        ),
        pytest.param(
            {"consent_not_sought_reason": ""},
            [("id_consent_not_sought_reason", "Explain why consent was not sought")],
            id="no-reason-consent-not-sought",
        ),
        pytest.param(
            {"received_at_day": "31", "received_at_month": "2"},
            [("id_received_at_day", "The date it was received must be a real date, for example 27 3 2026")],
            id="not-a-real-date",
        ),
        pytest.param(
            {"received_at_time": "25:00"},
            [("id_received_at_time", "Enter a real time in hours and minutes, for example 14:30")],
            id="not-a-real-time",
        ),
        pytest.param(
            {
                "source": "",
                "concerns": [],
                "narrative": "",
                "consent": "",
                "lawful_basis": "",
                "received_at_day": "",
                "received_at_month": "",
                "received_at_year": "",
                "received_at_time": "",
            },
            [
                ("id_source", "Select the source of the referral"),
                ("id_received_at_day", "Enter the date it was received, including a day, month and year"),
                ("id_concerns", "Select at least one concern"),
                ("id_narrative", "Enter what has happened"),
                ("id_consent", "Select whether consent was sought"),
                ("id_lawful_basis", "Select the lawful basis for sharing"),
            ],
            id="missing-mandatory-fields",
        ),
    ],
)
def test_bad_referral_shows_the_error_summary_and_saves_nothing(
    world: World, alice: Client, overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    before = counts()
    audit_rows = AuditEvent.objects.exclude(action__in=["view", "list"]).count()
    # About a new person: a refused referral must not leave the person behind either.
    response = alice.post("/referrals/new/", {**referral_post("new", **overrides), **new_person_post()})
    assert response.status_code == 200
    assert error_summary(response.content.decode()) == expected
    assert (
        "<title>" in response.content.decode() and " - Error - Reachable</title>" in response.content.decode()
    )
    assert counts() == before
    assert AuditEvent.objects.exclude(action__in=["view", "list"]).count() == audit_rows


@pytest.mark.django_db
def test_bad_new_person_saves_nothing(world: World, alice: Client) -> None:
    before = counts()
    response = alice.post("/referrals/new/", {**referral_post("new"), **new_person_post(given_name="")})
    assert ("id_person-given_name", "Enter a first name") in error_summary(response.content.decode())
    assert counts() == before


# --- Custody booking and the Golden Hour ---------------------------------------------------------------------


@pytest.mark.django_db
def test_custody_booking_shows_the_golden_hour_and_sharing_meets_it(world: World, alice: Client) -> None:
    booked = timezone.now() - timedelta(minutes=20)
    response = alice.post(
        "/referrals/custody/new/", {**custody_post("new", booked_in_at=booked), **new_person_post()}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    booking = referral.custody_booking
    assert response["Location"] == f"/referrals/{referral.pk}/custody/"
    assert referral.source == "custody" and booking.out_of_area and booking.pace_transfer_requested
    clock = Deadline.objects.get(subject_type="custody_booking", subject_id=booking.pk, policy="golden_hour")
    # The clock runs from the booking time as entered (to the minute), not from when it was typed in.
    assert clock.started_at == timezone.localtime(booked).replace(second=0, microsecond=0)

    page = alice.get(response["Location"]).content.decode()
    assert re.search(r"data-clock-remaining>(39|40) minutes", page), (
        "the Golden Hour shows about 40 minutes left"
    )
    assert "Record what you shared" in page
    assert f'hx-get="/referrals/{referral.pk}/custody/clocks/"' in page
    # The Golden Hour is met by recording the share, not by a bare "met".
    assert "Record as met" not in page

    shared = alice.post(
        response["Location"],
        {
            **moment_fields("shared_at", timezone.now()),
            "shared_with": "Custody sergeant on duty",
            "summary": "Known to MASH; exploitation concerns; appropriate adult arranged.",
        },
    )
    assert shared.status_code == 302
    clock.refresh_from_db()
    assert clock.status == "met" and clock.breached_at is None
    assert InformationShare.objects.get(booking=booking).shared_with == "Custody sergeant on duty"
    after = alice.get(response["Location"]).content.decode()
    assert "govuk-tag--blue" in after and ">Met<" in after


@pytest.mark.django_db
def test_custody_booking_in_the_future_is_refused_and_saves_nothing(world: World, alice: Client) -> None:
    before = counts()
    response = alice.post(
        "/referrals/custody/new/",
        {**custody_post("new", booked_in_at=timezone.now() + timedelta(hours=2)), **new_person_post()},
    )
    assert response.status_code == 200
    assert error_summary(response.content.decode()) == [
        ("id_booked_in_at_day", "The booking time must be now or in the past")
    ]
    assert counts() == before


@pytest.mark.django_db
def test_custody_booking_missing_fields_saves_nothing(world: World, alice: Client) -> None:
    before = counts()
    data = custody_post(
        str(world.case.person_id),
        booked_in_at=timezone.now(),
        police_force="",
        custody_suite="",
        arrest_reason="",
        appropriate_adult="",
        out_of_area="",
        pace_transfer_requested="",
    )
    response = alice.post("/referrals/custody/new/", data)
    assert [target for target, _ in error_summary(response.content.decode())] == [
        "id_police_force",
        "id_out_of_area",
        "id_custody_suite",
        "id_arrest_reason",
        "id_appropriate_adult",
        "id_pace_transfer_requested",
    ]
    assert counts() == before


@pytest.mark.django_db
def test_information_shared_before_the_booking_or_in_the_future_is_refused(
    world: World, alice: Client
) -> None:
    alice.post(
        "/referrals/custody/new/",
        custody_post(str(world.case.person_id), booked_in_at=timezone.now() - timedelta(minutes=10)),
    )
    referral = Referral.objects.get()
    url = f"/referrals/{referral.pk}/custody/"
    for moment, message in (
        (timezone.now() - timedelta(hours=1), "The time it was shared cannot be before the booking time"),
        (timezone.now() + timedelta(hours=1), "The time it was shared must be now or in the past"),
    ):
        response = alice.post(
            url,
            {**moment_fields("shared_at", moment), "shared_with": "Sergeant", "summary": "Known to MASH."},
        )
        assert error_summary(response.content.decode()) == [("id_shared_at_day", message)]
    empty = alice.post(url, {**moment_fields("shared_at", timezone.now()), "shared_with": "", "summary": ""})
    assert [target for target, _ in error_summary(empty.content.decode())] == ["id_shared_with", "id_summary"]
    assert InformationShare.objects.count() == 0
    assert Deadline.objects.get(policy="golden_hour").status == "running"


# --- Information gathering -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rate_ask_agencies_and_answer_in_their_own_queue(world: World, front: Front, alice: Client) -> None:
    referral = new_referral(front)
    response = alice.post(
        f"/referrals/{referral.pk}/rate/",
        {
            "rag_rating": "red",
            "agencies": [str(world.police.pk), str(world.housing.pk), str(front.health.pk)],
            "question": "Anything known about the address?",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.rag_rating == "red" and referral.status == "gathering"
    assert InformationRequest.objects.filter(referral=referral).count() == 3
    assert Deadline.objects.filter(policy="information_request_red").count() == 3

    # Housing answers in its own queue, and shares its answer with police.
    charlie = verified_client(world.housing_officer)
    queue = charlie.get("/referrals/requests/").content.decode()
    housing_request = InformationRequest.objects.get(referral=referral, agency=world.housing)
    assert f"/referrals/requests/{housing_request.pk}/" in queue and "REFERRAL, Kai" in queue
    assert "Running" in queue or "Due soon" in queue
    page = charlie.get(f"/referrals/requests/{housing_request.pk}/").content.decode()
    assert "Anything known about the address?" in page and "Share your answer with" in page
    answered = charlie.post(
        f"/referrals/requests/{housing_request.pk}/",
        {
            "answer": "Family placed in temporary accommodation in March.",
            "answer_source": "Housing register",
            "share_with": [str(world.police.pk)],
        },
    )
    assert answered.status_code == 302 and answered["Location"] == "/referrals/requests/"
    housing_request.refresh_from_db()
    assert housing_request.answered_by == world.housing_officer
    assert list(housing_request.answer_shared_with.all()) == [world.police]
    assert Deadline.objects.get(subject_id=housing_request.pk).status == "met"
    assert "REFERRAL, Kai" not in charlie.get("/referrals/requests/").content.decode()

    # The MASH sees who has and has not answered, and the answer.
    detail = alice.get(f"/referrals/{referral.pk}/").content.decode()
    assert "1 of 3 agencies answered" in detail
    assert "Family placed in temporary accommodation" in detail
    assert detail.count("Not answered yet") == 2


@pytest.mark.django_db
def test_bad_rating_and_bad_answer_save_nothing(world: World, front: Front, alice: Client) -> None:
    referral = new_referral(front)
    response = alice.post(f"/referrals/{referral.pk}/rate/", {"rag_rating": "purple", "agencies": []})
    assert error_summary(response.content.decode()) == [
        ("id_rag_rating", "Select a RAG rating"),
        ("id_agencies", "Select at least one agency to ask for information"),
    ]
    other_la_agency = alice.post(
        f"/referrals/{referral.pk}/rate/", {"rag_rating": "red", "agencies": [str(world.other_la_agency.pk)]}
    )
    assert error_summary(other_la_agency.content.decode()) == [
        ("id_agencies", "Select agencies from the list")
    ]
    referral.refresh_from_db()
    assert referral.rag_rating == "" and InformationRequest.objects.count() == 0

    referral_rate(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating="amber",
        agencies=[world.police],
    )
    request = InformationRequest.objects.get()
    bob = verified_client(world.police_officer)
    for data, expected in (
        ({"answer": "", "answer_source": "PNC"}, [("id_answer", "Enter your agency's answer")]),
        (
            {"answer": "x" * 10_001, "answer_source": "PNC"},
            [("id_answer", "The answer must be 10,000 characters or fewer")],
        ),
        ({"answer": "Known"}, [("id_answer_source", "Enter where your answer comes from")]),
        (
            {"answer": "Known", "answer_source": "PNC", "handling_code": "C"},
            [("id_handling_agency_types", "Select the agencies a C-coded answer may be shared with")],
        ),
    ):
        response = bob.post(f"/referrals/requests/{request.pk}/", data)
        assert error_summary(response.content.decode()) == expected
    request.refresh_from_db()
    assert request.answered_at is None and Deadline.objects.get(subject_id=request.pk).status == "running"


# --- Decision and urgent response ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_urgent_response_decision_and_first_contact(world: World, front: Front, alice: Client) -> None:
    referral = new_referral(front)
    response = alice.post(
        f"/referrals/{referral.pk}/decision/",
        {"outcome": "urgent_response", "rationale": "High risk of criminal exploitation."},
    )
    assert response.status_code == 302
    decision = MashDecision.objects.get(referral=referral)
    assert decision.outcome == "urgent_response"
    clock = Deadline.objects.get(subject_id=referral.pk, policy="urgent_response")
    assert clock.due_at - clock.started_at == timedelta(hours=48)

    uma = verified_client(front.urgent_worker)
    queue = uma.get("/referrals/urgent/").content.decode()
    assert f"/referrals/{referral.pk}/urgent-contact/" in queue and "REFERRAL, Kai" in queue
    page = uma.get(f"/referrals/{referral.pk}/urgent-contact/").content.decode()
    assert "Record the first direct contact" in page and re.search(r"(1 day 23 hours|2 days) left", page)
    recorded = uma.post(
        f"/referrals/{referral.pk}/urgent-contact/",
        {
            **moment_fields("occurred_at", timezone.now()),
            "method": "in_person",
            "support_offered": "Youth worker and a safe place to stay.",
            "support_accepted": "yes",
        },
    )
    assert recorded.status_code == 302, error_summary(recorded.content.decode())
    clock.refresh_from_db()
    assert clock.status == "met" and clock.breached_at is None
    moment = ReachableMoment.objects.get(referral=referral)
    assert (
        moment.support_accepted and moment.method == "in_person" and moment.recorded_by == front.urgent_worker
    )
    assert "REFERRAL, Kai" not in uma.get("/referrals/urgent/").content.decode()
    assert (
        "Youth worker and a safe place to stay." in alice.get(f"/referrals/{referral.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_bad_decision_saves_nothing(world: World, front: Front, alice: Client) -> None:
    referral = new_referral(front)
    response = alice.post(f"/referrals/{referral.pk}/decision/", {"outcome": "maybe", "rationale": ""})
    assert error_summary(response.content.decode()) == [
        ("id_outcome", "Select a decision"),
        ("id_rationale", "Enter the rationale for the decision"),
    ]
    assert MashDecision.objects.count() == 0
    assert Deadline.objects.get(subject_id=referral.pk, policy="mash_decision").status == "running"
    # A second decision is refused, and the first stands.
    mash_decision_record(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, outcome="nfa", rationale="x"
    )
    again = alice.post(f"/referrals/{referral.pk}/decision/", {"outcome": "erp", "rationale": "y"})
    assert error_summary(again.content.decode()) == [
        ("main-content", "A decision has already been recorded for this referral.")
    ]
    assert MashDecision.objects.get().outcome == "nfa"


@pytest.mark.django_db
def test_bad_urgent_contact_saves_nothing(world: World, front: Front, alice: Client) -> None:
    referral = new_referral(front)
    mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="urgent_response",
        rationale="Risk",
    )
    url = f"/referrals/{referral.pk}/urgent-contact/"
    good = {
        "method": "phone",
        "support_offered": "Call back",
        "support_accepted": "no",
        "declined_reason": "child_declined",
    }
    uma = verified_client(front.urgent_worker)
    for data, expected in (
        (
            {**good, **moment_fields("occurred_at", timezone.now() + timedelta(hours=2))},
            [("id_occurred_at_day", "The time of contact must be now or in the past")],
        ),
        (
            {**good, **moment_fields("occurred_at", timezone.now() - timedelta(days=2))},
            [("id_occurred_at_day", "The contact cannot be before the urgent response decision")],
        ),
        (
            {**good, **moment_fields("occurred_at", timezone.now()), "declined_reason": ""},
            [("id_declined_reason", "Select why the support was not taken up")],
        ),
        (
            {
                **moment_fields("occurred_at", timezone.now()),
                "method": "",
                "support_offered": "",
                "support_accepted": "",
            },
            [
                ("id_method", "Select how you made contact"),
                ("id_support_offered", "Enter the support you offered"),
                ("id_support_accepted", "Select yes if the child accepted the support"),
            ],
        ),
    ):
        response = uma.post(url, data)
        assert error_summary(response.content.decode()) == expected
    # A MASH practitioner is not an urgent response worker: refused, and nothing saved.
    refused = alice.post(url, {**good, **moment_fields("occurred_at", timezone.now())})
    assert "Only urgent response workers can record urgent response contact" in refused.content.decode()
    assert ReachableMoment.objects.count() == 0
    assert Deadline.objects.get(policy="urgent_response").status == "running"


# --- Daily Risk Management meeting ---------------------------------------------------------------------------


def _today_start() -> datetime:
    return datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=timezone.get_current_timezone())


def _just_now() -> datetime:
    """A minute ago, but never yesterday: the DRM lists the day's referrals."""
    return max(timezone.now() - timedelta(minutes=1), _today_start())


@pytest.mark.django_db
def test_drm_and_urgent_queue_are_for_their_roles_only(world: World, front: Front) -> None:
    for user in (world.police_officer, world.housing_officer, world.admin):
        client = verified_client(user)
        assert client.get("/referrals/drm/").status_code == 404
        assert client.get("/referrals/urgent/").status_code == 404
    assert verified_client(front.urgent_worker).get("/referrals/drm/").status_code == 404
    assert verified_client(front.urgent_worker).get("/referrals/urgent/").status_code == 200


# --- The referral list ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referral_list_by_status_newest_first_sortable_and_audited(
    world: World, front: Front, alice: Client
) -> None:
    older = new_referral(front, key="a", received_at=timezone.now() - timedelta(hours=3))
    newer = new_referral(front, key="b", received_at=timezone.now() - timedelta(hours=1))
    decided = new_referral(front, key="c", received_at=timezone.now() - timedelta(hours=2))
    mash_decision_record(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=decided, outcome="nfa", rationale="x"
    )

    html = alice.get("/referrals/").content.decode()
    assert html.index(str(newer.pk)) < html.index(str(older.pk))
    assert str(decided.pk) not in html and "2 referrals: open" in html
    oldest_first = alice.get("/referrals/", {"sort": "received"}).content.decode()
    assert oldest_first.index(str(older.pk)) < oldest_first.index(str(newer.pk))
    assert str(decided.pk) in alice.get("/referrals/", {"status": "decided"}).content.decode()
    assert "3 referrals" in alice.get("/referrals/", {"status": "all", "sort": "nonsense"}).content.decode()
    audit = AuditEvent.objects.filter(actor=world.mash, action="list", object_type="referral").latest("id")
    assert sorted(audit.person_ids, key=str) == sorted(
        [older.person_id, newer.person_id, decided.person_id], key=str
    )


@pytest.mark.django_db
def test_referral_list_paginates(world: World, front: Front, alice: Client) -> None:
    for index in range(26):
        new_referral(front, key=f"k{index}", received_at=timezone.now() - timedelta(minutes=index + 1))
    first = alice.get("/referrals/").content.decode()
    assert "26 referrals" in first and "1 of 2" in first and 'rel="next"' in first
    assert "2 of 2" in alice.get("/referrals/", {"page": 2}).content.decode()


# --- Clock panel refreshes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clock_panels_refresh_through_the_referral_for_every_agency_that_sees_it(
    world: World, front: Front, alice: Client
) -> None:
    referral = new_referral(front)
    referral_rate(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, rag_rating="red", agencies=[world.police]
    )
    request = InformationRequest.objects.get()
    bob = verified_client(world.police_officer)
    for client in (alice, bob):
        panel = client.get(f"/referrals/{referral.pk}/clocks/").content.decode()
        assert panel.startswith("<section") or panel.lstrip().startswith("<section")
        assert "MASH decision" in panel
        assert (
            "Agency information request (red)"
            in client.get(f"/referrals/requests/{request.pk}/clocks/").content.decode()
        )
    # Police see the clocks; acting on them is for the MASH that owns them.
    assert "/deadlines/clock/" not in bob.get(f"/referrals/{referral.pk}/clocks/").content.decode()
    assert bob.get(f"/referrals/{referral.pk}/custody/clocks/").status_code == 404  # no custody booking


# --- Exact query counts --------------------------------------------------------------------------------------

# Every two-factor page request: session, user, OTP device, user's role groups, user's agency.
SESSION_PAGE = 5
# The header's unread notification badge (safeguarding.deadlines.context_processors).
HEADER_BADGE = 1
# Session write-back (SESSION_SAVE_EVERY_REQUEST): savepoint, UPDATE, release.
SESSION_SAVE = 3
PAGE = SESSION_PAGE + HEADER_BADGE + SESSION_SAVE


def _grow_referrals(
    front: Front, n: int, *, urgent: bool = False, ask: list[Any] | None = None
) -> list[Referral]:
    """n referrals, each about a new child, received three days ago (so the MASH decision clock is breached)."""
    world = front.world
    made = []
    for _ in range(n):
        referral = new_referral(
            front, key=f"grow-{Referral.objects.count()}", received_at=timezone.now() - timedelta(days=3)
        )
        if ask:
            referral_rate(
                actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, rag_rating="red", agencies=ask
            )
        if urgent:
            mash_decision_record(
                actor=world.mash,
                context=SYSTEM_CONTEXT,
                referral=referral,
                outcome="urgent_response",
                rationale="r",
            )
        made.append(referral)
    return made


@pytest.mark.django_db
def test_referral_list_query_count(world: World, front: Front, alice: Client) -> None:
    _grow_referrals(front, 2)
    # pagination count, page rows (referral + person + referrer agency, permission subquery), audit INSERT
    expected = PAGE + 3
    assert count_queries(alice, "/referrals/") == expected
    _grow_referrals(front, 20)
    assert count_queries(alice, "/referrals/") == expected


@pytest.mark.django_db
def test_request_queue_query_count(world: World, front: Front) -> None:
    bob = verified_client(world.police_officer)
    _grow_referrals(front, 2, ask=[world.police])
    # pagination count, page rows (request + referral + person + MASH agency), the requests' clocks, audit INSERT
    expected = PAGE + 4
    assert count_queries(bob, "/referrals/requests/") == expected
    _grow_referrals(front, 20, ask=[world.police])
    assert count_queries(bob, "/referrals/requests/") == expected


@pytest.mark.django_db
def test_urgent_queue_query_count(world: World, front: Front) -> None:
    uma = verified_client(front.urgent_worker)
    _grow_referrals(front, 2, urgent=True)
    # open urgent response clocks, their referrals with people (permission subquery), audit INSERT
    expected = PAGE + 3
    assert count_queries(uma, "/referrals/urgent/") == expected
    _grow_referrals(front, 20, urgent=True)
    assert count_queries(uma, "/referrals/urgent/") == expected


@pytest.mark.django_db
def test_a_booking_recorded_after_its_hour_says_it_is_already_breached_and_why(
    world: World, alice: Client
) -> None:
    booked = timezone.now() - timedelta(minutes=90)
    response = alice.post(
        "/referrals/custody/new/",
        {**custody_post("new", booked_in_at=booked, key="late"), **new_person_post()},
        follow=True,
    )
    page = response.content.decode()
    assert "its Golden Hour is already breached" in page
    assert timezone.localtime(booked).strftime("%H:%M") in page
    clock = Deadline.objects.get(policy="golden_hour")
    assert clock.status == "breached" and clock.notified_late
