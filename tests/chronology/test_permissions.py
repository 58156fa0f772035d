"""Each agency sees in the chronology only what its own pages would show it: a C-coded answer or link only where
the handling code allows, a person at a link's other end by name only if the reader may open them, panel work
only to those the panel lets see it; and anyone who may not see the child gets the same 404 as for a child who
does not exist, on both pages."""

import re
import uuid

import pytest
from django.test import Client

from audits.models import AuditEvent
from tests.chronology.conftest import Story
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db

POLICE_ANSWERED = "Northbridge Police answered the information request"
HEALTH_ANSWERED = "Northbridge Health answered the information request"
POLICE_ONLY_LINK = "Zephyrine Quillfeather frequents Castle Park"


def _page(client: Client, story: Story) -> str:
    response = client.get(f"/chronology/{story.world.case.person_id}/")
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_a_c_coded_police_answer_is_seen_only_where_its_conditions_allow(story: Story) -> None:
    """Police's answer is C-coded for children's social care: the MASH (social care) and police themselves see
    it; health, who may see the case and the referral (it was asked too), does not."""
    alice = _page(verified_client(story.world.mash), story)
    bob = _page(verified_client(story.world.police_officer), story)
    hana = _page(verified_client(story.health_officer), story)
    assert POLICE_ANSWERED in alice and POLICE_ANSWERED in bob
    assert POLICE_ANSWERED not in hana
    # What health does see of the same referral: that police were asked, and its own answer.
    assert "Information requested from Northbridge Police" in hana and HEALTH_ANSWERED in hana
    # Health shared its (uncoded) answer with police.
    assert HEALTH_ANSWERED in bob and HEALTH_ANSWERED in alice
    # The print view applies the same rules.
    printed = verified_client(story.health_officer).get(f"/chronology/{story.world.case.person_id}/print/")
    assert POLICE_ANSWERED not in printed.content.decode()


def test_an_answer_not_shared_with_an_agency_is_not_in_its_chronology(story: Story) -> None:
    story.health_request.answer_shared_with.clear()
    assert HEALTH_ANSWERED not in _page(verified_client(story.world.police_officer), story)


def test_a_c_coded_link_is_seen_only_by_the_agencies_it_names(story: Story) -> None:
    assert POLICE_ONLY_LINK in _page(verified_client(story.world.police_officer), story)
    assert POLICE_ONLY_LINK not in _page(verified_client(story.world.mash), story)
    assert POLICE_ONLY_LINK not in _page(verified_client(story.health_officer), story)


def test_the_person_at_a_links_other_end_is_named_only_to_those_who_may_open_them(story: Story) -> None:
    alice = _page(verified_client(story.world.mash), story)
    bob = _page(verified_client(story.world.police_officer), story)
    assert "Dean Adultson suspected exploiter of Zephyrine Quillfeather" in alice
    assert "Dean Adultson" not in bob
    assert "A person known to another agency suspected exploiter of Zephyrine Quillfeather" in bob


def test_panel_work_is_seen_only_by_those_the_panel_lets_see_it(story: Story) -> None:
    """Police are invited to the meeting and own the action; health is neither a member nor invited, and
    did not refer: it sees none of the panel's work, though it may see the child."""
    alice = _page(verified_client(story.world.mash), story)
    bob = _page(verified_client(story.world.police_officer), story)
    hana = _page(verified_client(story.health_officer), story)
    assert "Referred to the Northbridge ERP" in alice
    assert "Discussed at the Northbridge ERP" in bob and "Panel action agreed" in bob
    # The panel referral's own page is for the panel and the referring agency: not police.
    assert "Referred to the Northbridge ERP" not in bob
    for title in (
        "Referred to the Northbridge ERP",
        "Discussed at the Northbridge ERP",
        "Panel action agreed",
    ):
        assert title not in hana


@pytest.mark.parametrize("persona", ["mash", "police_officer", "health_officer"])
def test_every_link_in_a_readers_chronology_opens_for_them(story: Story, persona: str) -> None:
    user = getattr(story, persona, None) or getattr(story.world, persona)
    client = verified_client(user)
    html = _page(client, story)
    links = set(re.findall(r'data-label="What happened">\s*<a class="govuk-link" href="([^"]+)"', html))
    assert len(links) >= 3
    for link in links:
        assert client.get(link).status_code == 200, (persona, link)


@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_anyone_who_may_not_see_the_child_gets_404_and_nothing_is_audited(story: Story, persona: str) -> None:
    user = getattr(story.world, persona)
    client = verified_client(user)
    person_id = story.world.case.person_id
    for url in (
        f"/chronology/{person_id}/",
        f"/chronology/{person_id}/print/",
        f"/chronology/{uuid.uuid4()}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Quillfeather" not in response.content.decode()
    assert not AuditEvent.objects.filter(actor=user, object_type="chronology").exists()
