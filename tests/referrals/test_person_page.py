"""One view of a child: the person page lists their referrals (last contacts first) and every open clock about
them that the reader may see, in a fixed number of queries however many there are."""

from datetime import timedelta

import pytest

from safeguarding.deadlines.policies import PolicyCode
from tests.conftest import World, count_queries, verified_client, world_police_request
from tests.deadlines.conftest import start_clock
from tests.referrals.test_linked import second_custody_booking

pytestmark = pytest.mark.django_db


def test_the_person_page_shows_referrals_and_every_open_clock(world: World) -> None:
    world_police_request(world)
    second_custody_booking(world)
    start_clock(world, ago=timedelta(minutes=5), policy=PolicyCode.URGENT_RESPONSE)
    url = f"/people/{world.case.person_id}/"
    html = verified_client(world.mash).get(url).content.decode()
    referrals = html[html.index('id="person-referrals"') :].split("</ul>")[0]
    assert (
        referrals.count("Police custody booking") == 2 and "linked to an earlier open referral" in referrals
    )
    clocks = html[html.index("Open clocks about this child") :].split("</table>")[0]
    for what in (
        "Golden Hour (custody)",
        "MASH decision",
        "Agency information request (red)",
        "Urgent response",
    ):
        assert what in clocks, what
    # Police see the clocks their agency owns and those on the case shared with them.
    police = verified_client(world.police_officer).get(url).content.decode()
    assert "Agency information request (red)" in police[police.index("Open clocks about this child") :]


def test_the_person_page_queries_do_not_grow_with_the_clocks(world: World) -> None:
    world_police_request(world)
    client = verified_client(world.mash)
    url = f"/people/{world.case.person_id}/"
    before = count_queries(client, url)
    for minutes in range(10):
        start_clock(world, ago=timedelta(minutes=minutes + 1), policy=PolicyCode.URGENT_RESPONSE)
    assert count_queries(client, url) == before
