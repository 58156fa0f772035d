"""Need to know on the MASH front door: an agency's answer is read by the MASH, the agency itself and only the
agencies it shares it with; an agency not involved in a referral sees nothing of it, on any route, and gets
the same 404 as for a referral that does not exist."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from audits.context import SYSTEM_CONTEXT
from referrals.models import InformationRequest, MashDecision, Referral
from referrals.services import information_request_answer, referral_rate
from safeguarding.organisations.models import User
from tests.conftest import (
    SENTINEL_FAMILY_NAME,
    SENTINEL_GIVEN_NAME,
    World,
    verified_client,
    world_police_request,
    world_referral,
)
from tests.referrals.conftest import Front, new_referral
from tests.test_permission_matrix import POST_ONLY_ROUTES, all_routes

HEALTH_ANSWER = "Two emergency department attendances with injuries, March and April."


def _rated(front: Front, key: str = "rated") -> Referral:
    world = front.world
    referral = new_referral(front, key=key)
    referral_rate(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating="red",
        agencies=[world.police, world.housing, front.health],
    )
    return referral


def _answer_as_health(front: Front, referral: Referral, *, share_with: list[str]) -> None:
    request = InformationRequest.objects.get(referral=referral, agency=front.health)
    response = verified_client(front.health_officer).post(
        f"/referrals/requests/{request.pk}/",
        {"answer": HEALTH_ANSWER, "answer_source": "GP and ED records", "share_with": share_with},
    )
    assert response.status_code == 302, re.findall(
        r"error-summary__list.*?</ul>", response.content.decode(), re.S
    )


@pytest.mark.django_db
def test_police_cannot_read_healths_answer_unless_health_shares_it_with_police(front: Front) -> None:
    world = front.world
    bob = verified_client(world.police_officer)
    alice = verified_client(world.mash)
    hana = verified_client(front.health_officer)

    private = _rated(front)
    _answer_as_health(front, private, share_with=[])
    health_request = InformationRequest.objects.get(referral=private, agency=front.health)
    # Police see that health has answered (completeness), never what it said.
    police_view = bob.get(f"/referrals/{private.pk}/").content.decode()
    assert "1 of 3 agencies answered" in police_view
    assert HEALTH_ANSWER not in police_view
    assert bob.get(f"/referrals/requests/{health_request.pk}/").status_code == 404
    assert bob.get(f"/referrals/requests/{health_request.pk}/clocks/").status_code == 404
    # The MASH that asked and health itself read it; so does no one else.
    assert HEALTH_ANSWER in alice.get(f"/referrals/{private.pk}/").content.decode()
    assert HEALTH_ANSWER in alice.get(f"/referrals/requests/{health_request.pk}/").content.decode()
    assert HEALTH_ANSWER in hana.get(f"/referrals/{private.pk}/").content.decode()
    assert (
        HEALTH_ANSWER
        not in verified_client(world.housing_officer).get(f"/referrals/{private.pk}/").content.decode()
    )

    shared = _rated(front, key="shared")
    _answer_as_health(front, shared, share_with=[str(world.police.pk)])
    assert HEALTH_ANSWER in bob.get(f"/referrals/{shared.pk}/").content.decode()
    assert (
        HEALTH_ANSWER
        not in verified_client(world.housing_officer).get(f"/referrals/{shared.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_an_agency_cannot_answer_or_read_another_agencys_request(front: Front) -> None:
    world = front.world
    referral = _rated(front)
    housing_request = InformationRequest.objects.get(referral=referral, agency=world.housing)
    bob = verified_client(world.police_officer)
    assert bob.get(f"/referrals/requests/{housing_request.pk}/").status_code == 404
    assert (
        bob.post(f"/referrals/requests/{housing_request.pk}/", {"answer": "Nothing known"}).status_code == 404
    )
    housing_request.refresh_from_db()
    assert housing_request.answered_at is None
    # Each agency's queue holds its own requests only.
    police_request = InformationRequest.objects.get(referral=referral, agency=world.police)
    queue = bob.get("/referrals/requests/").content.decode()
    assert f"/referrals/requests/{police_request.pk}/" in queue
    assert f"/referrals/requests/{housing_request.pk}/" not in queue


@pytest.mark.django_db
def test_an_answer_can_only_be_shared_with_agencies_asked(front: Front) -> None:
    world = front.world
    referral = new_referral(front)
    referral_rate(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating="amber",
        agencies=[front.health],
    )
    request = InformationRequest.objects.get(referral=referral)
    response = verified_client(front.health_officer).post(
        f"/referrals/requests/{request.pk}/",
        {"answer": HEALTH_ANSWER, "answer_source": "GP records", "share_with": [str(world.police.pk)]},
    )
    assert response.status_code == 200
    assert "Select agencies from the list" in response.content.decode()
    request.refresh_from_db()
    assert request.answered_at is None


def _referral_urls(world: World) -> list[tuple[str, str]]:
    """Every referrals route that names an object, filled with the world's referral: found from the URL
    resolver, so a route added later is checked too."""
    referral = world_referral(world)
    request = world_police_request(world)
    values = {"referral_id": str(referral.pk), "request_id": str(request.pk)}
    urls = []
    for route in all_routes():
        # POST-only routes answer 405 to a GET before looking anything up (tests/test_permission_matrix.py).
        if not route.name.startswith("referrals:") or not route.params or route.name in POST_ONLY_ROUTES:
            continue
        urls.append((route.name, reverse(route.name, kwargs={p: values[p] for p in route.params})))
    assert len(urls) >= 9, urls
    return urls


def _leaks(html: str) -> bool:
    return SENTINEL_FAMILY_NAME in html or SENTINEL_GIVEN_NAME in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin", "health_officer"])
def test_an_agency_not_involved_sees_nothing_of_the_referral(front: Front, persona: str) -> None:
    world = front.world
    user: User = getattr(world, persona, None) or getattr(front, persona)
    client = verified_client(user)
    for name, url in _referral_urls(world):
        get = client.get(url)
        assert get.status_code == 404, (name, url, get.status_code)
        assert not _leaks(get.content.decode()), (name, url)
        post = client.post(url, {"answer": "x", "outcome": "nfa", "rationale": "x", "rag_rating": "red"})
        # 405 for a page that takes no POST from anyone: it says nothing about the referral.
        assert post.status_code in (404, 405), (name, url, post.status_code)
    for url in ("/referrals/", "/referrals/requests/", "/referrals/urgent/", "/referrals/drm/"):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert not _leaks(response.content.decode()), url
    assert MashDecision.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_referral_is_the_same_404(world: World) -> None:
    alice = verified_client(world.mash)
    for url in (
        f"/referrals/{uuid.uuid4()}/",
        f"/referrals/{uuid.uuid4()}/custody/",
        f"/referrals/{uuid.uuid4()}/rate/",
        f"/referrals/requests/{uuid.uuid4()}/",
    ):
        assert alice.get(url).status_code == 404


@pytest.mark.django_db
def test_the_agency_asked_reads_the_referral_but_cannot_change_it(world: World) -> None:
    referral = world_referral(world)
    bob = verified_client(world.police_officer)
    custody = bob.get(f"/referrals/{referral.pk}/custody/").content.decode()
    assert "Golden Hour" in custody and "Record what you shared" not in custody
    for name, url in _referral_urls(world):
        if name.split(":")[1] in {"rate", "decision", "urgent-contact"}:
            assert bob.get(url).status_code == 404, url
        else:
            assert bob.get(url).status_code == 200, url
    # Posting to the MASH's forms changes nothing.
    assert (
        bob.post(f"/referrals/{referral.pk}/decision/", {"outcome": "nfa", "rationale": "x"}).status_code
        == 404
    )
    assert (
        bob.post(f"/referrals/{referral.pk}/custody/", {"shared_with": "x", "summary": "x"}).status_code
        == 404
    )
    assert bob.post(f"/referrals/{referral.pk}/rate/", {"rag_rating": "green"}).status_code == 404
    referral.refresh_from_db()
    assert referral.rag_rating == "red" and not MashDecision.objects.exists()


@pytest.mark.django_db
def test_the_mash_reads_every_request_of_its_referral_but_only_the_agency_asked_answers(world: World) -> None:
    request = world_police_request(world)
    alice: Client = verified_client(world.mash)
    page = alice.get(f"/referrals/requests/{request.pk}/").content.decode()
    assert "Send answer" not in page and "Northbridge Police has not answered yet" in page
    assert alice.post(f"/referrals/requests/{request.pk}/", {"answer": "x"}).status_code == 404
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=request,
        answer="Known to police.",
        share_with=[],
        source="Police National Computer",
    )
    assert "Known to police." in alice.get(f"/referrals/requests/{request.pk}/").content.decode()
    # Once answered, the agency cannot answer again.
    again = verified_client(world.police_officer).post(
        f"/referrals/requests/{request.pk}/", {"answer": "Changed"}
    )
    assert "This request has already been answered." in again.content.decode()
    request.refresh_from_db()
    assert request.answer == "Known to police."
