"""The police briefing: one page from the episode holding Philomena Part 1 and Part 2, printable, and a PDF
made without fetching anything; every read audited, the download as an export."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditAction, AuditEvent
from cases.missing.services import Part2Details, ProfileDetails, missing_part2_update, philomena_profile_save
from cases.networks.services import LinkData, link_add
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, verified_client
from tests.missing.conftest import report

pytestmark = pytest.mark.django_db


def _with_profile_and_part2(world: World) -> str:
    philomena_profile_save(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        person=world.case.person,
        expected_version=None,
        data=ProfileDetails(
            next_review_on=timezone.localdate() + timedelta(days=180),
            description="Tall, slim, a scar above the left eyebrow.",
            associates="Older boys from the Eastport estate.",
            phones_and_social_media="Snapchat: zq_fly",
            current_carer="Oak House children's home",
        ),
    )
    episode = report(world)
    missing_part2_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        expected_version=episode.version,
        data=Part2Details(clothing="Black puffer jacket, red trainers", belongings="Two phones"),
    )
    return str(episode.pk)


def test_the_briefing_page_holds_part_1_and_part_2(world: World) -> None:
    episode_id = _with_profile_and_part2(world)
    client = verified_client(world.police_officer)
    episode_page = client.get(f"/missing/episodes/{episode_id}/").content.decode()
    assert f'href="/missing/episodes/{episode_id}/briefing/"' in episode_page
    page = client.get(f"/missing/episodes/{episode_id}/briefing/")
    assert page.status_code == 200
    html = page.content.decode()
    for fact in (
        "a scar above the left eyebrow",
        "Snapchat: zq_fly",
        "Oak House",
        "Black puffer jacket",
        "Two phones",
        "Northbridge bus station",
    ):
        assert fact in html, fact
    assert "missing/briefing-print.css" in html and 'media="print"' in html


def test_the_pdf_is_a_pdf_and_its_download_is_audited(world: World) -> None:
    episode_id = _with_profile_and_part2(world)
    client = verified_client(world.police_officer)
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=episode_id).count()
    response = client.get(f"/missing/episodes/{episode_id}/briefing.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=episode_id)
    assert exports.count() == before + 1
    assert exports.get().person_ids == [world.case.person_id]


def test_a_briefing_without_a_profile_says_so(world: World) -> None:
    episode = report(world)
    html = verified_client(world.mash).get(f"/missing/episodes/{episode.pk}/briefing/").content.decode()
    assert "No Philomena profile has been recorded" in html


def test_part_1_links_name_only_people_the_reader_may_open(world: World) -> None:
    adult = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(
            given_name="Dexter", family_name="Marlowe", date_of_birth=date(1990, 1, 1)
        ),
    )
    link, _ = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=adult,
        b=world.case.person,
        data=LinkData(link_type="suspected_exploiter", source="Police intelligence 4471"),
    )
    client = verified_client(world.mash)
    url = f"/missing/people/{world.case.person_id}/philomena/change/"
    form = client.get(url).content.decode()
    assert "Dexter Marlowe" in form and f'value="{link.pk}"' in form
    saved = client.post(
        url,
        {
            "description": "Tall.",
            "associate_links": [str(link.pk)],
            "current_carer": "Oak House",
            "next_review_on_day": "1",
            "next_review_on_month": "1",
            "next_review_on_year": str(timezone.localdate().year + 1),
        },
    )
    assert saved.status_code == 302
    episode = report(world)
    assert "Dexter Marlowe" in client.get(f"/missing/episodes/{episode.pk}/briefing/").content.decode()
    # Police may see the link but not the adult, whose record is not shared with them.
    police = (
        verified_client(world.police_officer)
        .get(f"/missing/episodes/{episode.pk}/briefing/")
        .content.decode()
    )
    assert "Dexter Marlowe" not in police
    assert f"Known to another agency: suspected exploiter of {world.case.person.full_name}" in police
