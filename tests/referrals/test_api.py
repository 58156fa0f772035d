"""The referrals and custody bookings API: create, list, retrieve; retries that are safe; a 400 naming the field
for every bad input with nothing saved; 404 for outsiders; an out-of-area force's custody booking reaching the
child's home MASH; an audit row for every read; exact, constant query counts for the lists."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import AuditEvent
from referrals.models import CustodyBooking, Referral, ReferralGroupObjectPermission
from safeguarding.accounts.services import api_token_issue
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import AgencyType, User
from safeguarding.organisations.roles import Role
from safeguarding.people.models import Person
from tests import factories
from tests.conftest import SENTINEL_FAMILY_NAME, World, count_queries, token_client

REFERRALS = "/api/v1/referrals/"
BOOKINGS = "/api/v1/custody-bookings/"
MISSING = object()  # an override that removes the field from the body

# Token API request: token + user + agency (one join) with the user's role groups (an array subquery in the
# same query). The token's last-used stamp is written at most once a minute, and the first (warming) request in
# count_queries writes it.
TOKEN_API = 1
# Pagination count, page rows (person joined; bookings also join their referral and carry the Golden Hour as
# a subquery), one audit INSERT naming everyone shown.
LIST_PAGE = 3


def _iso(moment: Any) -> str:
    return str(moment.isoformat())


def _apply(body: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if value is MISSING:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def referral_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {"given_name": "Kai", "family_name": "Referral", "date_of_birth": "2010-05-06"},
        "source": "2A",
        "referrer_name": "Head of year",
        "referrer_contact": "01234 567890",
        "received_at": _iso(timezone.now() - timedelta(minutes=30)),
        "concerns": ["cce", "missing"],
        "narrative": "Seen with older males, new phone, missing twice this month.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    return _apply(body, overrides)


def booking_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {"given_name": "Kai", "family_name": "Custody", "date_of_birth": "2009-01-20"},
        "concerns": ["county_lines"],
        "narrative": "Arrested at a trap house with cash and two phones.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
        "police_force": "Southmere Police",
        "custody_suite": "Southmere Central",
        "booked_in_at": _iso(timezone.now() - timedelta(minutes=20)),
        "arrest_reason": "Possession with intent to supply",
        "appropriate_adult": "requested",
        "pace_transfer_requested": True,
    }
    return _apply(body, overrides)


def _post(client: Client, url: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", headers=headers)


def _saved() -> tuple[int, int, int, int, int]:
    return (
        Referral.objects.count(),
        CustodyBooking.objects.count(),
        Person.objects.count(),
        Deadline.objects.count(),
        AuditEvent.objects.count(),
    )


def _audits(user: User, action: str, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action, object_type=object_type).order_by("id"))


# Create, list, retrieve


@pytest.mark.django_db
def test_create_list_and_retrieve_a_referral_with_a_new_person(world: World) -> None:
    client = token_client(world.mash)
    response = _post(client, REFERRALS, referral_body())
    assert response.status_code == 201, response.content
    created = response.json()
    referral = Referral.objects.select_related("person").get(pk=created["id"])
    assert created["person_name"] == "Kai Referral" == referral.person.full_name
    assert created["narrative"].startswith("Seen with older males")
    assert created["status"] == "received" and created["source"] == "2A"
    assert referral.local_authority_id == world.social_care.local_authority_id
    assert referral.mash_agency_id == world.social_care.pk
    clock = Deadline.objects.get(subject_id=referral.pk, policy="mash_decision")
    assert clock.started_at == referral.received_at
    assert len(_audits(world.mash, "create", "referral")) == 1

    listed = client.get(REFERRALS).json()
    assert listed["count"] == 1
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    assert "narrative" not in listed["results"][0], "lists leave the narrative to the detail"

    detail = client.get(f"{REFERRALS}{created['id']}/")
    assert detail.status_code == 200
    assert detail.json() == created


@pytest.mark.django_db
def test_referral_about_an_existing_person(world: World) -> None:
    client = token_client(world.mash)
    people = Person.objects.count()
    response = _post(client, REFERRALS, referral_body(person=MISSING, person_id=str(world.case.person_id)))
    assert response.status_code == 201, response.content
    assert response.json()["person"] == str(world.case.person_id)
    assert response.json()["person_name"].endswith(SENTINEL_FAMILY_NAME)
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_list_is_paginated_with_limit_and_offset_and_filtered_by_status(world: World) -> None:
    client = token_client(world.mash)
    for i in range(3):
        received = timezone.now() - timedelta(hours=i + 1)
        assert _post(client, REFERRALS, referral_body(received_at=_iso(received))).status_code == 201
    page = client.get(REFERRALS, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert page["next"] is None and page["previous"] is not None
    newest_first = [row["received_at"] for row in client.get(REFERRALS).json()["results"]]
    assert newest_first == sorted(newest_first, reverse=True)
    assert client.get(REFERRALS, {"status": "decided"}).json()["count"] == 0
    assert client.get(REFERRALS, {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_mash_records_a_custody_booking_and_the_golden_hour_runs_from_booking(world: World) -> None:
    client = token_client(world.mash)
    booked = timezone.now() - timedelta(minutes=20)
    response = _post(client, BOOKINGS, booking_body(booked_in_at=_iso(booked)))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = CustodyBooking.objects.select_related("referral").get(pk=body["id"])
    clock = Deadline.objects.get(subject_type="custody_booking", subject_id=booking.pk, policy="golden_hour")
    assert clock.started_at == booking.booked_in_at
    assert clock.due_at == booking.booked_in_at + timedelta(hours=1)
    assert body["golden_hour_status"] == "running"
    assert body["referral"]["source"] == "custody"
    assert booking.out_of_area is False
    assert client.get(f"{BOOKINGS}{body['id']}/").json() == body
    assert [row["id"] for row in client.get(BOOKINGS).json()["results"]] == [body["id"]]


# Idempotency


@pytest.mark.django_db
def test_a_retry_with_the_same_key_answers_200_with_the_same_referral(world: World) -> None:
    client = token_client(world.mash)
    body = referral_body()
    first = _post(client, REFERRALS, body, key="retry-1")
    again = _post(client, REFERRALS, body, key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Referral.objects.count() == 1
    assert Person.objects.filter(family_name="Referral").count() == 1
    # The retry showed the referral again: audited as a read.
    (replayed,) = _audits(world.mash, "view", "referral")
    assert str(replayed.object_id) == first.json()["id"]
    # Key order and spacing are not part of the request's meaning.
    reordered = dict(reversed(list(body.items())))
    assert _post(client, REFERRALS, reordered, key="retry-1").status_code == 200


@pytest.mark.django_db
def test_a_booking_retry_with_the_same_key_answers_200_with_the_same_booking(world: World) -> None:
    client = token_client(world.mash)
    body = booking_body()
    first = _post(client, BOOKINGS, body, key="booking-retry")
    again = _post(client, BOOKINGS, body, key="booking-retry")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CustodyBooking.objects.count() == 1


@pytest.mark.django_db
def test_a_different_request_with_a_used_key_is_422_and_saves_nothing(world: World) -> None:
    client = token_client(world.mash)
    assert _post(client, REFERRALS, referral_body(), key="reused").status_code == 201
    before = _saved()
    response = _post(client, REFERRALS, referral_body(narrative="A different referral."), key="reused")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key has already been used for a different request" in response.json()["detail"]
    # The same key at the other endpoint is a different request too.
    assert _post(client, BOOKINGS, booking_body(), key="reused").status_code == 422
    assert _saved() == before


@pytest.mark.django_db
def test_the_same_key_from_another_user_is_their_own(world: World) -> None:
    colleague = factories.user(world.social_care, Role.MASH_PRACTITIONER, username="ann")
    body = referral_body()
    assert _post(token_client(world.mash), REFERRALS, body, key="shared").status_code == 201
    assert _post(token_client(colleague), REFERRALS, body, key="shared").status_code == 201
    assert Referral.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_every_post_makes_a_new_referral(world: World) -> None:
    client = token_client(world.mash)
    body = referral_body(person=MISSING, person_id=str(world.case.person_id))
    ids = {_post(client, REFERRALS, body).json()["id"] for _ in range(2)}
    assert len(ids) == 2
    keys = set(Referral.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and all(key.startswith("server-") for key in keys)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has spaces", "x" * 101, "naïve"])
def test_a_malformed_key_is_400_naming_the_header(world: World, key: str) -> None:
    before = _saved()
    response = _post(token_client(world.mash), REFERRALS, referral_body(), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert _saved() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_with_one_key_make_one_referral(world: World) -> None:
    _, raw = api_token_issue(user=world.mash, name="concurrent")
    body = referral_body(person={**referral_body()["person"], "nhs_number": "9990548609"})
    start = threading.Barrier(8)
    results: list[tuple[int, dict[str, Any]]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            start.wait(timeout=10)
            response = _post(client, REFERRALS, body, key="concurrent-1")
            with lock:
                results.append((response.status_code, response.json()))
        except BaseException as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 7 + [201], results
    assert len({body["id"] for _, body in results}) == 1
    assert all(body == results[0][1] for _, body in results)
    assert Referral.objects.count() == 1
    assert Person.objects.filter(nhs_number="9990548609").count() == 1
    assert Deadline.objects.filter(policy="mash_decision").count() == 1


# Bad input: a 400 naming the field, and nothing saved


LONG_AGO = "2005-03-01T09:00:00+00:00"  # before the new person's date of birth (2010-05-06)

REFERRAL_BAD_INPUTS = [
    ({"received_at": _iso(timezone.now() + timedelta(hours=2))}, "received_at"),
    ({"received_at": LONG_AGO}, "received_at"),
    ({"source": "XX"}, "source"),
    ({"source": "custody"}, "source"),
    ({"narrative": "x" * 10_001}, "narrative"),
    ({"concerns": []}, "concerns"),
    ({"concerns": ["not-a-concern"]}, "concerns"),
    ({"consent_not_sought_reason": ""}, "consent_not_sought_reason"),
    ({"person": {"given_name": "Kai", "family_name": "Referral", "date_of_birth": "2031-01-01"}}, "person"),
    ({"person": MISSING}, "person"),
    *[
        ({field: MISSING}, field)
        for field in ["source", "received_at", "concerns", "narrative", "consent", "lawful_basis"]
    ],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field"), REFERRAL_BAD_INPUTS)
def test_bad_referral_is_400_naming_the_field_and_saves_nothing(
    world: World, change: dict[str, Any], field: str
) -> None:
    client = token_client(world.mash)
    before = _saved()
    response = _post(client, REFERRALS, referral_body(**change), key="bad-1")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _saved() == before
    # The key was not used up by the refused request: the corrected one goes through under it.
    assert _post(client, REFERRALS, referral_body(), key="bad-1").status_code == 201


@pytest.mark.django_db
def test_received_before_an_existing_persons_birth_is_400(world: World) -> None:
    before = _saved()
    response = _post(
        token_client(world.mash),
        REFERRALS,
        referral_body(person=MISSING, person_id=str(world.case.person_id), received_at=LONG_AGO),
    )
    assert response.status_code == 400
    assert "date of birth" in response.json()["received_at"][0]
    assert _saved() == before


@pytest.mark.django_db
def test_referrer_agency_from_another_authority_is_400(world: World) -> None:
    before = _saved()
    response = _post(
        token_client(world.mash), REFERRALS, referral_body(referrer_agency=str(world.other_la_agency.pk))
    )
    assert response.status_code == 400
    assert "referrer_agency" in response.json()
    assert _saved() == before


BOOKING_BAD_INPUTS = [
    ({"booked_in_at": _iso(timezone.now() + timedelta(hours=1))}, "booked_in_at"),
    ({"narrative": "y" * 10_001}, "narrative"),
    ({"home_authority": "E99999999"}, "home_authority"),
    ({"appropriate_adult": "maybe"}, "appropriate_adult"),
    ({"person": {"given_name": "Kai", "family_name": "Custody"}}, "person"),
    *[
        ({field: MISSING}, field)
        for field in [
            "police_force",
            "custody_suite",
            "booked_in_at",
            "arrest_reason",
            "appropriate_adult",
            "concerns",
            "narrative",
        ]
    ],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field"), BOOKING_BAD_INPUTS)
def test_bad_custody_booking_is_400_naming_the_field_and_saves_nothing(
    world: World, change: dict[str, Any], field: str
) -> None:
    before = _saved()
    response = _post(token_client(world.mash), BOOKINGS, booking_body(**change))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _saved() == before


# Who may see what


@pytest.fixture
def mash_referral(world: World) -> dict[str, Any]:
    body = referral_body(person=MISSING, person_id=str(world.case.person_id))
    response = _post(token_client(world.mash), REFERRALS, body)
    assert response.status_code == 201
    return dict(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["police_officer", "housing_officer", "stranger", "admin"])
def test_outsiders_get_404_and_empty_lists(world: World, mash_referral: dict[str, Any], persona: str) -> None:
    booking = _post(token_client(world.mash), BOOKINGS, booking_body()).json()
    client = token_client(getattr(world, persona))
    for url in [f"{REFERRALS}{mash_referral['id']}/", f"{BOOKINGS}{booking['id']}/"]:
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert SENTINEL_FAMILY_NAME not in response.content.decode()
    for url in [REFERRALS, BOOKINGS]:
        assert client.get(url).json()["count"] == 0, (persona, url)


@pytest.mark.django_db
def test_a_person_you_cannot_see_is_404_and_nothing_is_saved(world: World) -> None:
    before = _saved()
    body = referral_body(person=MISSING, person_id=str(world.case.person_id))
    response = _post(token_client(world.stranger), REFERRALS, body)
    assert response.status_code == 404
    assert _saved() == before


@pytest.mark.django_db
def test_only_the_mash_makes_referrals(world: World) -> None:
    before = _saved()
    response = _post(token_client(world.housing_officer), REFERRALS, referral_body())
    assert response.status_code == 403
    assert _saved() == before


@pytest.mark.django_db
def test_anonymous_is_refused(world: World) -> None:
    assert Client().get(REFERRALS).status_code in (401, 403)
    assert _post(Client(), REFERRALS, referral_body()).status_code in (401, 403)
    assert Referral.objects.count() == 0


# Finding 4: a force outside the child's home authority


@pytest.mark.django_db
def test_out_of_area_police_booking_reaches_the_home_mash_and_starts_the_golden_hour(world: World) -> None:
    home = world.social_care.local_authority
    southmere = world.other_la_agency.local_authority
    southmere_police = factories.agency(southmere, AgencyType.POLICE, "Southmere Police")
    custody_sergeant = factories.user(southmere_police, Role.AGENCY_PRACTITIONER, username="sam")
    booked = timezone.now() - timedelta(minutes=15)
    body = booking_body(home_authority=home.gss_code, booked_in_at=_iso(booked))

    police = token_client(custody_sergeant)
    response = _post(police, BOOKINGS, body, key="harbinger-1")
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["out_of_area"] is True and sent["golden_hour_status"] == "running"
    assert _post(police, BOOKINGS, body, key="harbinger-1").json() == sent, "a retry is safe"

    booking = CustodyBooking.objects.select_related("referral__person").get(pk=sent["id"])
    referral = booking.referral
    assert referral.local_authority_id == home.pk
    assert referral.mash_agency_id == world.social_care.pk
    assert referral.referrer_agency_id == southmere_police.pk
    assert referral.person.local_authority_id == home.pk, "the child's record belongs to the home authority"
    assert ReferralGroupObjectPermission.objects.filter(
        group=southmere_police.group, content_object=referral, permission__codename="view_referral"
    ).exists()
    clock = Deadline.objects.get(subject_type="custody_booking", subject_id=booking.pk, policy="golden_hour")
    assert clock.started_at == booking.booked_in_at
    assert clock.owning_agency_id == world.social_care.pk
    assert clock.local_authority_id == home.pk

    # The home MASH finds it in its custody bookings and can open the referral.
    home_mash = token_client(world.mash)
    assert [row["id"] for row in home_mash.get(BOOKINGS).json()["results"]] == [sent["id"]]
    assert home_mash.get(f"{REFERRALS}{referral.pk}/").status_code == 200
    # The police's own authority's MASH does not get it.
    assert token_client(world.stranger).get(f"{BOOKINGS}{sent['id']}/").status_code == 404


@pytest.mark.django_db
def test_out_of_area_booking_matches_a_child_the_home_authority_knows_by_nhs_number(world: World) -> None:
    southmere_police = factories.agency(
        world.other_la_agency.local_authority, AgencyType.POLICE, "Southmere Police"
    )
    custody_sergeant = factories.user(southmere_police, Role.AGENCY_PRACTITIONER, username="sam")
    known = world.case.person
    people = Person.objects.count()
    child = {
        "given_name": "Z",
        "family_name": "Q",
        "date_of_birth": "2011-04-02",
        "nhs_number": known.nhs_number,
    }
    body = booking_body(home_authority=world.social_care.local_authority.gss_code, person=child)
    response = _post(token_client(custody_sergeant), BOOKINGS, body)
    assert response.status_code == 201, response.content
    assert response.json()["referral"]["person"] == str(known.pk)
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_out_of_area_police_cannot_link_to_the_home_authoritys_people(world: World) -> None:
    southmere_police = factories.agency(
        world.other_la_agency.local_authority, AgencyType.POLICE, "Southmere Police"
    )
    custody_sergeant = factories.user(southmere_police, Role.AGENCY_PRACTITIONER, username="sam")
    before = _saved()
    body = booking_body(
        home_authority=world.social_care.local_authority.gss_code,
        person=MISSING,
        person_id=str(world.case.person_id),
    )
    response = _post(token_client(custody_sergeant), BOOKINGS, body)
    assert response.status_code == 400
    assert "person_id" in response.json()
    assert _saved() == before


@pytest.mark.django_db
def test_only_police_send_bookings_to_another_authority(world: World) -> None:
    before = _saved()
    body = booking_body(home_authority=world.other_la_agency.local_authority.gss_code)
    assert _post(token_client(world.mash), BOOKINGS, body).status_code == 403
    assert _saved() == before


@pytest.mark.django_db
def test_in_area_police_booking_goes_to_their_own_authoritys_mash(world: World) -> None:
    response = _post(
        token_client(world.police_officer), BOOKINGS, booking_body(police_force="Northbridge Police")
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["referral"]["id"])
    assert referral.mash_agency_id == world.social_care.pk
    assert referral.referrer_agency_id == world.police.pk
    assert response.json()["out_of_area"] is False
    assert token_client(world.police_officer).get(f"{REFERRALS}{referral.pk}/").status_code == 200


# Audit


@pytest.mark.django_db
def test_every_read_is_audited_naming_the_people_shown(world: World, mash_referral: dict[str, Any]) -> None:
    client = token_client(world.mash)
    booking = _post(client, BOOKINGS, booking_body()).json()
    booking_person = booking["referral"]["person"]

    client.get(REFERRALS)
    (listed,) = _audits(world.mash, "list", "referral")
    assert sorted(map(str, listed.person_ids)) == sorted([mash_referral["person"], booking_person])
    assert listed.via == "api"

    client.get(f"{REFERRALS}{mash_referral['id']}/")
    (viewed,) = _audits(world.mash, "view", "referral")
    assert str(viewed.object_id) == mash_referral["id"]
    assert [str(p) for p in viewed.person_ids] == [mash_referral["person"]]

    client.get(BOOKINGS)
    client.get(f"{BOOKINGS}{booking['id']}/")
    assert [str(p) for p in _audits(world.mash, "list", "custody_booking")[0].person_ids] == [booking_person]
    assert str(_audits(world.mash, "view", "custody_booking")[0].object_id) == booking["id"]

    # An empty page shows nobody, so there is nothing to audit.
    token_client(world.stranger).get(REFERRALS)
    assert _audits(world.stranger, "list", "referral") == []


# Query counts


def _grow(world: World, n: int) -> None:
    client = token_client(world.mash)
    for i in range(n):
        person = {"given_name": "Grow", "family_name": f"Row{i}", "date_of_birth": "2010-01-01"}
        assert _post(client, REFERRALS, referral_body(person=person)).status_code == 201
        assert _post(client, BOOKINGS, booking_body(person=person)).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REFERRALS, BOOKINGS])
def test_lists_have_exact_and_constant_query_counts(world: World, url: str) -> None:
    client = token_client(world.mash)
    _grow(world, 1)
    expected = TOKEN_API + LIST_PAGE
    assert count_queries(client, url) == expected
    _grow(world, 20)
    assert count_queries(client, url) == expected


@pytest.mark.django_db
def test_details_have_exact_query_counts(world: World, mash_referral: dict[str, Any]) -> None:
    client = token_client(world.mash)
    booking = _post(client, BOOKINGS, booking_body()).json()
    # token with role groups, the record with its permission check in one query, audit INSERT
    assert count_queries(client, f"{REFERRALS}{mash_referral['id']}/") == TOKEN_API + 2
    assert count_queries(client, f"{BOOKINGS}{booking['id']}/") == TOKEN_API + 2


@pytest.mark.django_db(transaction=True)
def test_creating_a_referral_about_a_known_person_has_an_exact_query_count(world: World) -> None:
    """A transactional test, so the service's own BEGIN and COMMIT are what a request really sends."""
    client = token_client(world.mash)
    body = referral_body(person=MISSING, person_id=str(world.case.person.pk))
    # Warm-up about another child: a second referral about the same one would join the first (linked_to).
    other = factories.open_case(world.mash, family_name="Warmup").person
    _post(client, REFERRALS, referral_body(person=MISSING, person_id=str(other.pk)))
    with CaptureQueriesContext(connection) as context:
        response = _post(client, REFERRALS, body, key="count-me")
    assert response.status_code == 201
    # token with its user; the person with its access check; BEGIN; whether another referral about the child
    # is open; the referral; its two grants to the MASH (one INSERT); the person's grants (one INSERT,
    # conflicts ignored); the clock's savepoint, the database clock, the clock, its started event, its audit
    # row, release; the referral's audit row; COMMIT
    assert len(context.captured_queries) == 15, [q["sql"][:80] for q in context.captured_queries]
    assert Deadline.objects.filter(subject_id=response.json()["id"]).count() == 1

    with CaptureQueriesContext(connection) as context:
        retry = _post(client, REFERRALS, body, key="count-me")
    assert retry.status_code == 200 and retry.json()["id"] == response.json()["id"]
    # token; person; BEGIN; whether another referral about the child is open; the INSERT the key refuses;
    # ROLLBACK; the referral the key made; the retry's audit
    assert len(context.captured_queries) == 8, [q["sql"][:80] for q in context.captured_queries]
