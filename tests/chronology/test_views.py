"""The chronology page: every source's events newest first (or oldest), filtered by type and dates, paged, with
an empty state; bad filters and page numbers answer 400 with a message, never a guess; each look is audited
once; and a print view of everything in the filter with a print button that needs no inline script."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.chronology import views
from referrals.choices import ReachableMomentKind
from referrals.models import ReachableMoment
from safeguarding.people.services import person_create
from tests import factories
from tests.chronology.conftest import Story
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def _titles(html: str) -> list[str]:
    """The events' titles, in the order the page shows them."""
    cells = re.findall(
        r'data-label="What happened">\s*(?:<a class="govuk-link" href="[^"]*">|<strong>)(.*?)<', html
    )
    return [re.sub(r"&#x27;|&#39;", "'", cell) for cell in cells]


def _url(story: Story, suffix: str = "") -> str:
    return f"/chronology/{story.world.case.person_id}/{suffix}"


def _moments(story: Story, n: int, *, start: timedelta = timedelta(days=1)) -> None:
    """n reachable moments a day apart, the newest `start` ago."""
    ReachableMoment.objects.bulk_create(
        ReachableMoment(
            referral=story.referral,
            person=story.world.case.person,
            kind=ReachableMomentKind.RETURN_FROM_MISSING,
            occurred_at=timezone.now() - start - timedelta(days=i),
            method="in_person",
            support_offered=f"Return home interview {i}",
            support_accepted=i % 2 == 0,
            declined_reason="" if i % 2 == 0 else "child_declined",
            recorded_by=story.world.mash,
        )
        for i in range(n)
    )


def test_every_source_shows_newest_first_with_a_link_the_reader_can_open(story: Story) -> None:
    client = verified_client(story.world.mash)
    response = client.get(_url(story))
    assert response.status_code == 200
    html = response.content.decode()
    titles = _titles(html)
    for expected in [
        "Referral received: Police custody booking (Golden Hour)",
        "Custody booking at Northbridge Central",
        "MASH decision: Strategy discussion",
        "Information requested from Northbridge Police",
        "Northbridge Police answered the information request",
        "Northbridge Health answered the information request",
        "Reachable moment: Police custody",
        "Case opened",
        "Case shared with Northbridge Police",
        "Referred to the Northbridge ERP",
        "Discussed at the Northbridge ERP",
        "Panel action agreed",
        "Network link added: Suspected exploiter of",
    ]:
        assert expected in titles, expected
    # Newest first: the last link added, then the panel action; the custody booking (10 minutes ago) last.
    assert titles[0] == "Network link added: Suspected exploiter of"
    assert titles[-1] == "Custody booking at Northbridge Central"
    assert "Dean Adultson suspected exploiter of Zephyrine Quillfeather (alleged)" in html
    # Each row's agency, and a link to the record's own page, which the reader may open.
    assert 'data-label="Agency">Northbridge Police</td>' in html
    links = set(re.findall(r'data-label="What happened">\s*<a class="govuk-link" href="([^"]+)"', html))
    assert {f"/referrals/{story.referral.pk}/custody/", f"/panels/actions/{story.action.pk}/"} <= links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_oldest_first_on_request(story: Story) -> None:
    html = verified_client(story.world.mash).get(_url(story), {"order": "oldest"}).content.decode()
    titles = _titles(html)
    assert titles[0] == "Custody booking at Northbridge Central"
    assert titles[-1] == "Network link added: Suspected exploiter of"
    assert 'value="oldest" checked' in html


def test_the_filter_by_type_shows_only_those_types(story: Story) -> None:
    response = verified_client(story.world.mash).get(_url(story), {"kind": ["custody", "decision"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html) == ["MASH decision: Strategy discussion", "Custody booking at Northbridge Central"]
    assert "2 events matching these filters." in html
    assert 'value="custody" checked' in html and 'value="decision" checked' in html
    assert "Clear filters" in html


def test_an_unknown_type_is_a_400_with_an_error_summary_and_no_events(story: Story) -> None:
    response = verified_client(story.world.mash).get(_url(story), {"kind": ["custody", "horoscope"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select the types of event to show from the list" in html
    assert '<a href="#id_kind">' in html
    assert _titles(html) == []
    assert "Correct the filter to see the chronology." in html


def _dates(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_the_date_range_includes_both_ends(story: Story) -> None:
    _moments(story, 3, start=timedelta(days=10))  # 10, 11 and 12 days ago
    client = verified_client(story.world.mash)
    today = timezone.localdate()
    ten_days_ago = today - timedelta(days=10)
    eleven_days_ago = today - timedelta(days=11)
    only = client.get(
        _url(story), {**_dates("from_date", eleven_days_ago), **_dates("to_date", ten_days_ago)}
    ).content.decode()
    assert _titles(only) == ["Reachable moment: Return from missing"] * 2
    assert "Return home interview 0" in only and "Return home interview 1" in only
    assert "Return home interview 2" not in only
    since_today = _titles(client.get(_url(story), _dates("from_date", today)).content.decode())
    assert "Reachable moment: Return from missing" not in since_today and "Case opened" in since_today
    none = client.get(_url(story), _dates("from_date", today + timedelta(days=1))).content.decode()
    assert "No events match these filters." in none and _titles(none) == []


def test_a_from_date_after_the_to_date_is_a_400_with_an_error_summary(story: Story) -> None:
    today = timezone.localdate()
    response = verified_client(story.world.mash).get(
        _url(story), {**_dates("from_date", today), **_dates("to_date", today - timedelta(days=1))}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The date to show events up to must be the same as or after the date from" in html
    assert '<a href="#id_to_date_day">' in html
    assert _titles(html) == []


def test_a_date_that_is_not_real_is_a_400_with_govuk_wording(story: Story) -> None:
    response = verified_client(story.world.mash).get(
        _url(story), {"from_date_day": "31", "from_date_month": "2", "from_date_year": "2026"}
    )
    assert response.status_code == 400
    assert "The date to show events from must be a real date" in response.content.decode()
    partial = verified_client(story.world.mash).get(_url(story), {"to_date_day": "3", "to_date_year": "2026"})
    assert partial.status_code == 400
    assert "Enter the date to show events up to, including a day, month and year" in partial.content.decode()


def test_pages_of_25_and_a_page_that_does_not_exist_is_a_400(story: Story) -> None:
    _moments(story, 30)
    client = verified_client(story.world.mash)
    first = client.get(_url(story)).content.decode()
    assert len(_titles(first)) == 25
    assert "Events 1 to 25." in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = client.get(_url(story), {"page": "2"}).content.decode()
    assert len(_titles(second)) == 20
    assert "Events 26 to 45." in second
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second
    assert not set(re.findall(r"Return home interview \d+", first)) & set(
        re.findall(r"Return home interview \d+", second)
    )
    filtered = client.get(_url(story), {"kind": "reachable_moment"}).content.decode()
    assert 'href="?kind=reachable_moment&amp;page=2" rel="next"' in filtered
    for page in ("3", "0", "-1", "two", "1.5", ""):
        response = client.get(_url(story), {"page": page})
        assert response.status_code == 400, page
        assert "There is no such page of this chronology" in response.content.decode()


def test_exactly_one_full_page_has_no_next_page(story: Story) -> None:
    _moments(story, 10)  # with the story's 15: 25, one page exactly
    client = verified_client(story.world.mash)
    html = client.get(_url(story)).content.decode()
    assert len(_titles(html)) == 25 and "25 events." in html
    assert 'rel="next"' not in html and "govuk-pagination" not in html
    assert client.get(_url(story), {"page": "2"}).status_code == 400


def test_a_child_with_nothing_recorded_has_an_empty_state(story: Story) -> None:
    world = story.world
    person = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name="Nobody", family_name="Yet"),
    )
    html = verified_client(world.mash).get(f"/chronology/{person.pk}/").content.decode()
    assert "Nothing is recorded about Nobody Yet that you can see." in html
    assert _titles(html) == []


def test_each_look_is_audited_once_with_the_child(story: Story) -> None:
    world = story.world
    client = verified_client(world.mash)

    def looks() -> int:
        return AuditEvent.objects.filter(
            actor=world.mash, object_type="chronology", person_ids=[world.case.person_id]
        ).count()

    before = looks()
    client.get(_url(story))
    assert looks() == before + 1
    client.get(_url(story), {"kind": "custody"})
    client.get(_url(story, "print/"))
    assert looks() == before + 3
    latest = AuditEvent.objects.filter(actor=world.mash, object_type="chronology").latest("occurred_at")
    assert latest.object_id == world.case.person_id and latest.changes == {"print": True}


def test_the_page_only_answers_get(story: Story) -> None:
    client = verified_client(story.world.mash)
    assert client.post(_url(story)).status_code == 405
    assert client.post(_url(story, "print/")).status_code == 405


def _has_inline_script(html: str) -> bool:
    """A <script> with code of its own rather than a src (JSON data islands are not code)."""
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "application/json" not in attrs and ("src=" not in attrs or body.strip()):
            return True
    return False


def test_the_print_view_shows_every_event_in_the_filter_with_a_print_button(story: Story) -> None:
    _moments(story, 30)
    client: Client = verified_client(story.world.mash)
    response = client.get(_url(story, "print/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_titles(html)) == 45
    assert "data-chronology-print hidden>Print this page</button>" in html
    assert "chronology/print.js" in html and "chronology/print.css" in html
    assert not _has_inline_script(html)
    assert 'Types of event</dt><dd class="govuk-summary-list__value">All' in html
    filtered = client.get(_url(story, "print/"), {"kind": "custody", "order": "oldest"}).content.decode()
    assert _titles(filtered) == ["Custody booking at Northbridge Central"]
    assert "Custody bookings" in filtered
    # The page links to its print view with the same filter.
    page = client.get(_url(story), {"kind": "custody", "page": "1"}).content.decode()
    assert f'href="/chronology/{story.world.case.person_id}/print/?kind=custody"' in page


def test_the_print_view_says_when_it_stops_short(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PRINT_LIMIT", 5)
    html = verified_client(story.world.mash).get(_url(story, "print/")).content.decode()
    assert len(_titles(html)) == 5
    assert "This shows the first 5 events only. Narrow the dates to print the rest." in html
    bad = verified_client(story.world.mash).get(_url(story, "print/"), {"kind": "nonsense"})
    assert (
        bad.status_code == 400 and "Select the types of event to show from the list" in bad.content.decode()
    )


def test_a_missing_child_is_404(story: Story) -> None:
    client = verified_client(story.world.mash)
    assert client.get(f"/chronology/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/chronology/{uuid.uuid4()}/print/").status_code == 404
