"""Role-shaped home pages: each role's work queues, soonest due first with the clock's time left, and a menu
with only what the role can use. Every home page's queries are exact and do not grow with the work."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, count_queries, verified_client, world_police_request, world_referral
from tests.deadlines.conftest import start_clock
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


TIME_LEFT = re.compile(r"data-clock-remaining>\d+ \w+( \d+ \w+)? left<")


def _menu(html: str) -> list[str]:
    nav = html[html.index('id="navigation"') : html.index("</ul>", html.index('id="navigation"'))]
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]


def test_the_mash_practitioner_sees_golden_hours_and_requests_not_yet_answered(world: World) -> None:
    world_police_request(world)
    html = verified_client(world.mash).get("/").content.decode()
    golden = html[html.index("Golden Hours running") :]
    assert "Golden Hour (custody)" in golden and TIME_LEFT.search(golden.split("</table>")[0])
    requests = html[html.index("Information requests not yet answered") :].split("</table>")[0]
    assert "Agency information request (red)" in requests and "Northbridge Police" in requests
    assert "Record a custody booking" in html and "Referrals awaiting a decision" in html
    assert "Today&#x27;s daily risk meeting" in html or "Today's daily risk meeting" in html


def test_the_asked_agency_sees_the_request_waiting_for_its_answer(world: World) -> None:
    world_police_request(world)
    html = verified_client(world.police_officer).get("/").content.decode()
    waiting = html[html.index("Waiting for your agency") :].split("</table>")[0]
    assert "Agency information request (red)" in waiting and TIME_LEFT.search(waiting)
    assert "Golden Hours running" not in html and "Record a custody booking" not in html
    assert "Daily risk meeting" not in _menu(html)


def test_an_administrator_sees_administration_only(world: World) -> None:
    html = verified_client(world.admin).get("/").content.decode()
    assert _menu(html) == ["Home", "Administration"]
    assert "Go to administration" in html and "Golden Hours" not in html


def test_menus_follow_the_role(world: World) -> None:
    assert _menu(verified_client(world.mash).get("/").content.decode()) == [
        "Home",
        "People",
        "Cases",
        "Referrals",
        "Information requests",
        "Daily risk meeting",
        "Urgent response",
        "Panels",
        "Places and groups",
    ]
    assert _menu(verified_client(world.police_officer).get("/").content.decode()) == [
        "Home",
        "People",
        "Cases",
        "Referrals",
        "Information requests",
        "Panels",
        "Places and groups",
    ]


def test_a_manager_sees_the_teams_pressing_and_unallocated_work_with_allocation(world: World) -> None:
    manager = factories.user(world.social_care, Role.MASH_MANAGER, username="maggie")
    clock = start_clock(world, ago=timedelta(minutes=50))  # a Golden Hour with ten minutes left
    clock.owner = None
    clock.save(update_fields=["owner"])
    html = verified_client(manager).get("/").content.decode()
    pressing = html[html.index("clocks due soon or breached") :].split("</table>")[0]
    assert "Golden Hour (custody)" in pressing and TIME_LEFT.search(pressing)
    unallocated = html[html.index("Work not yet allocated") :].split("</table>")[0]
    assert f"/deadlines/clock/{clock.pk}/allocate/" in unallocated


def test_the_urgent_response_worker_sees_the_urgent_queue_and_can_take_work(world: World) -> None:
    worker = factories.user(world.social_care, Role.URGENT_RESPONSE_WORKER, username="uma")
    clock = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.URGENT_RESPONSE)
    clock.owner = None
    clock.save(update_fields=["owner"])
    html = verified_client(worker).get("/").content.decode()
    urgent = html[html.index("Urgent responses to make") :].split("</table>")[0]
    assert f"/deadlines/clock/{clock.pk}/take/" in urgent and "Not allocated" in urgent


def _grow(world: World, n: int) -> None:
    """More of every kind of work the home pages show."""
    for i in range(n):
        start_clock(world, ago=timedelta(minutes=5 + i))
        start_clock(world, ago=timedelta(minutes=5 + i), policy=PolicyCode.URGENT_RESPONSE)
        factories.open_case(world.mash, family_name=f"Homegrow{i}")


@pytest.mark.parametrize(
    ("persona", "sections"),
    [
        # Golden Hours and decisions (2); requests sent and their RAG counts (2); today's DRM (1); alerts (1);
        # whether alice coordinates a panel (1); her panel actions (1); her cases (1); the audit INSERT (1).
        ("mash", 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1),
        # Requests waiting and answered (2); alerts (1); panels coordinated (1); panel actions (1); cases (1);
        # the audit INSERT (1).
        ("police_officer", 2 + 1 + 1 + 1 + 1 + 1),
        # Nothing of any case: no query beyond the session's.
        ("admin", 0),
    ],
)
def test_every_home_page_has_an_exact_query_count_that_does_not_grow(
    world: World, persona: str, sections: int
) -> None:
    world_referral(world)
    user: User = getattr(world, persona)
    client: Client = verified_client(user)
    expected = SESSION_PAGE + sections + SESSION_SAVE
    assert count_queries(client, "/") == expected
    _grow(world, 12)
    assert count_queries(client, "/") == expected
