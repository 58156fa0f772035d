"""Information requests in tabs: the MASH sees the requests it sent and where each one is (waiting first,
soonest due first, then answered); an agency sees those waiting for its answer and, in their own tab, those it
answered, which stay visible to it. Bad tabs are 400; the query count does not grow with the list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from referrals.models import InformationRequest, Referral
from referrals.services import information_request_answer, referral_rate
from tests.conftest import World, count_queries, verified_client
from tests.referrals.conftest import Front, new_referral
from tests.referrals.test_views import PAGE


def _ask(front: Front, key: str, rating: str, *, ago: timedelta) -> list[InformationRequest]:
    referral = new_referral(front, key=key, received_at=timezone.now() - ago)
    return referral_rate(
        actor=front.world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating=rating,
        agencies=[front.world.police, front.health],
    )


def _rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    return re.findall(r'<tr class="govuk-table__row".*?</tr>', body, re.S)


@pytest.mark.django_db
def test_the_mash_sees_what_it_sent_and_where_each_request_is(world: World, front: Front) -> None:
    green = _ask(front, "green", "green", ago=timedelta(minutes=30))
    red = _ask(front, "red", "red", ago=timedelta(minutes=20))
    police_red = next(r for r in red if r.agency_id == world.police.pk)
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=police_red,
        answer="Known to us.",
        share_with=[],
        source="Police systems",
    )
    alice = verified_client(world.mash)
    page = alice.get("/referrals/requests/").content.decode()  # the MASH's first tab: what it sent
    assert 'aria-current="page">Sent by the MASH' in page
    assert "3 requests: waiting for an answer" in page
    rows = _rows(page)
    # Soonest due first: the red request to health (due in hours) before the green ones (days).
    assert "Northbridge Health" in rows[0] and "Red" in rows[0]
    assert all("Green" in row for row in rows[1:])
    everything = _rows(alice.get("/referrals/requests/", {"show": "sent", "state": "all"}).content.decode())
    assert len(everything) == 4 and "Answered" in everything[-1] and "Northbridge Police" in everything[-1]
    answered = alice.get("/referrals/requests/", {"show": "sent", "state": "answered"}).content.decode()
    assert len(_rows(answered)) == 1 and f"by {world.police_officer}" in answered
    assert len(green) == 2
    # Nothing overdue yet.
    overdue = alice.get("/referrals/requests/", {"show": "sent", "state": "overdue"}).content.decode()
    assert "No requests are waiting, past due." in overdue


@pytest.mark.django_db
def test_an_agency_keeps_seeing_what_it_answered(world: World, front: Front) -> None:
    [police_request, _] = _ask(front, "one", "amber", ago=timedelta(minutes=5))
    bob = verified_client(world.police_officer)
    assert "1 request waiting for an answer" in bob.get("/referrals/requests/").content.decode()
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=police_request,
        answer="Nothing known.",
        share_with=[],
        source="Police systems",
    )
    assert (
        "There are no requests waiting for your agency's answer."
        in bob.get("/referrals/requests/").content.decode()
    )
    answered = bob.get("/referrals/requests/", {"show": "answered"}).content.decode()
    assert 'aria-current="page">Answered by your agency' in answered
    assert f"/referrals/requests/{police_request.pk}/" in answered
    # Not the MASH: no "sent" tab, and asking for it is a bad request.
    assert "Sent by the MASH" not in answered
    assert bob.get("/referrals/requests/", {"show": "sent"}).status_code == 400
    # Housing was not asked: nothing there.
    charlie = verified_client(world.housing_officer)
    assert (
        "Your agency has not answered any requests yet."
        in charlie.get("/referrals/requests/", {"show": "answered"}).content.decode()
    )


@pytest.mark.django_db
def test_unknown_tabs_and_states_are_400(world: World) -> None:
    alice = verified_client(world.mash)
    assert alice.get("/referrals/requests/", {"show": "everything"}).status_code == 400
    assert alice.get("/referrals/requests/", {"show": "sent", "state": "lost"}).status_code == 400


@pytest.mark.django_db
def test_request_tab_query_counts(world: World, front: Front) -> None:
    alice = verified_client(world.mash)
    bob = verified_client(world.police_officer)

    def grow(n: int) -> None:
        for _ in range(n):
            police_request, _ = _ask(front, f"g{Referral.objects.count()}", "amber", ago=timedelta(minutes=5))
            information_request_answer(
                actor=world.police_officer,
                context=SYSTEM_CONTEXT,
                request=police_request,
                answer="x",
                share_with=[],
                source="Police systems",
            )

    grow(2)
    # sent: COUNT, the page with people, agencies and answerers (due time a subquery), their clocks, audit
    # INSERT. answered: COUNT, the page, audit INSERT (no clocks: they are met).
    sent, answered = PAGE + 4, PAGE + 3
    assert count_queries(alice, "/referrals/requests/?show=sent&state=all") == sent
    assert count_queries(bob, "/referrals/requests/?show=answered") == answered
    grow(6)
    assert count_queries(alice, "/referrals/requests/?show=sent&state=all") == sent
    assert count_queries(bob, "/referrals/requests/?show=answered") == answered
