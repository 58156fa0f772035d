"""The missing pages: the lead agency reports, records the return and the interview's outcome through GOV.UK
forms whose mistakes come back in an error summary with nothing saved; a partner agency reads but is told
who records; outsiders get the same 404 as for a record that does not exist; the child's missing page and
the episode page cost a fixed number of queries however many episodes there are."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.chronology.selectors import chronology_events
from cases.missing.models import MissingEpisode, RhiOutcome
from cases.missing.services import missing_risk_grade_record
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.missing.conftest import record_return, report
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


def _moment(name: str, moment: timezone.datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        f"{name}_day": str(local.day),
        f"{name}_month": str(local.month),
        f"{name}_year": str(local.year),
        f"{name}_time": local.strftime("%H:%M"),
    }


def _report_form(**overrides: str) -> dict[str, str]:
    now = timezone.now()
    data = {
        "reported_by_name": "Night worker, Oak House",
        "missing_from": "care",
        "last_seen_where": "Northbridge bus station",
        "risk_grade": "high",
        "risk_basis": "Found with cash last time.",
        **_moment("reported_at", now - timedelta(hours=1)),
        **_moment("last_seen_at", now - timedelta(hours=3)),
    }
    data.update(overrides)
    return data


def test_report_missing_then_return_then_a_refusal_without_and_with_a_reason(world: World) -> None:
    client = verified_client(world.mash)
    person = world.case.person
    page = client.get(f"/missing/people/{person.pk}/")
    assert page.status_code == 200
    assert "No missing episodes recorded" in page.content.decode()
    assert f'href="/missing/people/{person.pk}/report/"' in page.content.decode()

    bad = client.post(f"/missing/people/{person.pk}/report/", _report_form(risk_grade="", last_seen_where=""))
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert "Select the risk grade" in bad.content.decode()
    assert "Enter where they were last seen" in bad.content.decode()
    assert not MissingEpisode.objects.exists()

    made = client.post(f"/missing/people/{person.pk}/report/", _report_form())
    episode = MissingEpisode.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/missing/episodes/{episode.pk}/"
    page = client.get(f"/missing/people/{person.pk}/").content.decode()
    assert "is missing now" in page and f'href="/missing/people/{person.pk}/report/"' not in page

    found_at = timezone.now() - timedelta(minutes=40)
    before_report = {
        "version": str(episode.version),
        "found_where": "Eastport",
        "found_by": "Police",
        "safe_and_well_done": "no",
        **_moment("found_at", episode.reported_at - timedelta(hours=1)),
    }
    bad = client.post(f"/missing/episodes/{episode.pk}/return/", before_report)
    assert "must be the same as or after the date they were reported missing" in bad.content.decode()
    assert not Deadline.objects.filter(subject_id=episode.pk).exists()
    good = client.post(
        f"/missing/episodes/{episode.pk}/return/",
        {
            **before_report,
            **_moment("found_at", found_at),
            "exploitation_indicators": ["phones", "out_of_area"],
        },
    )
    assert good.status_code == 302
    episode.refresh_from_db()
    clock = Deadline.objects.get(pk=episode.rhi_deadline_id)
    assert clock.started_at == found_at.replace(second=0, microsecond=0)

    refusal = {"version": str(episode.version), "outcome": "refused", **_moment("outcome_at", timezone.now())}
    bad = client.post(f"/missing/episodes/{episode.pk}/return-home-interview/", refusal)
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    assert "Enter why the child refused the interview" in bad.content.decode()
    episode.refresh_from_db()
    assert episode.rhi_outcome == ""
    assert Deadline.objects.get(pk=clock.pk).status == DeadlineStatus.RUNNING

    done = client.post(
        f"/missing/episodes/{episode.pk}/return-home-interview/",
        {**refusal, "reason": "Says she is fine and will not talk to anyone."},
    )
    assert done.status_code == 302
    episode.refresh_from_db()
    assert episode.rhi_outcome == RhiOutcome.REFUSED
    assert Deadline.objects.get(pk=clock.pk).status == DeadlineStatus.MET

    shown = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "The child refused" in shown and "will not talk to anyone" in shown


def test_a_partner_agency_reads_and_is_told_who_records(world: World) -> None:
    episode = report(world)
    bob = verified_client(world.police_officer)
    page = bob.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert world.case.person.full_name in page
    assert "/return/" not in page  # no way offered to a form they cannot use
    form = bob.get(f"/missing/episodes/{episode.pk}/return/")
    assert form.status_code == 200 and "Only the agency that leads" in form.content.decode()
    assert 'name="found_where"' not in form.content.decode()
    assert bob.post(f"/missing/episodes/{episode.pk}/return/", {"found_where": "x"}).status_code == 403
    episode.refresh_from_db()
    assert episode.found_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/missing/people/{person}/",
        "/missing/people/{person}/report/",
        "/missing/people/{person}/philomena/",
        "/missing/episodes/{episode}/",
        "/missing/episodes/{episode}/return/",
        "/missing/episodes/{episode}/briefing/",
        "/missing/episodes/{episode}/briefing.pdf",
        "/missing/episodes/{missing}/",
    ],
)
def test_outsiders_get_not_found(world: World, path: str) -> None:
    episode = report(world)
    url = path.format(person=world.case.person_id, episode=episode.pk, missing=uuid.uuid4())
    for outsider in (world.stranger, world.housing_officer, world.admin):
        response = verified_client(outsider).get(url)
        assert response.status_code == 404, (outsider, url)
        assert world.case.person.family_name not in response.content.decode(errors="replace")


def _grow(world: World, n: int, *, days_ago: int = 60) -> None:
    """n episodes, two days apart, the first `days_ago` days ago (each after the one before)."""
    now = timezone.now()
    for i in range(n):
        start = now - timedelta(days=days_ago - 2 * i)
        episode = report(
            world, last_seen_at=start - timedelta(hours=2), reported_at=start - timedelta(hours=1)
        )
        record_return(world, episode, found_at=start, safe_and_well_done=False, safe_and_well_at=None)


def test_the_missing_page_has_an_exact_and_constant_query_count(world: World) -> None:
    client = verified_client(world.mash)
    url = f"/missing/people/{world.case.person_id}/"
    # access (person with permission subquery), audit INSERT, the authority's threshold, the counts (one
    # aggregate), pagination COUNT, the page's episodes with their clocks, the open case the reader may
    # record on, the Philomena profile
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    _grow(world, 1)
    assert count_queries(client, url) == expected
    _grow(world, 4, days_ago=40)
    assert count_queries(client, url) == expected
    page = client.get(url).content.decode()
    assert "Repeat missing" in page and "5 episodes in the last 90 days" in page


def test_the_episode_page_has_an_exact_and_constant_query_count(world: World) -> None:
    client = verified_client(world.mash)
    _grow(world, 1)
    episode = MissingEpisode.objects.get()
    url = f"/missing/episodes/{episode.pk}/"
    # access (episode with person, case, agencies and clock), audit INSERT, risk history, may record
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, url) == expected
    for _ in range(5):
        missing_risk_grade_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            episode=episode,
            grade="high",
            assessed_at=timezone.now(),
            basis="More.",
        )
    assert count_queries(client, url) == expected


def test_every_page_is_one_audited_read(world: World) -> None:
    episode = report(world)
    client = verified_client(world.mash)
    for path in ("", "return/", "return-home-interview/", "risk/", "philomena-part-2/", "briefing/"):
        before = AuditEvent.objects.filter(person_ids__contains=[world.case.person_id]).count()
        assert client.get(f"/missing/episodes/{episode.pk}/{path}").status_code == 200
        after = AuditEvent.objects.filter(person_ids__contains=[world.case.person_id]).count()
        assert after == before + 1, path


def test_the_chronology_shows_the_episode_its_return_and_the_interview(world: World) -> None:
    episode = record_return(world, report(world))
    client = verified_client(world.mash)
    page = client.get(f"/chronology/{world.case.person_id}/").content.decode()
    assert "Reported missing" in page and "Found or returned from a missing episode" in page
    events = chronology_events(user=world.mash, person_id=world.case.person_id, kinds={"missing_episode"})
    assert events is not None and len(list(events)) == 2
    assert chronology_events(user=world.stranger, person_id=world.case.person_id) is not None
    assert list(chronology_events(user=world.stranger, person_id=world.case.person_id) or []) == []
    assert episode.pk


def test_the_person_page_links_to_the_missing_page(world: World) -> None:
    page = verified_client(world.mash).get(f"/people/{world.case.person_id}/").content.decode()
    assert f'href="/missing/people/{world.case.person_id}/"' in page
    assert "Missing episodes and Philomena profile" in page


def test_a_child_without_an_open_case_is_not_reported_here(world: World) -> None:
    child = person_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data=factories.person_data(given_name="Ora")
    )
    client = verified_client(world.mash)
    page = client.get(f"/missing/people/{child.pk}/").content.decode()
    assert "No missing episodes recorded" in page and "/report/" not in page
    form = client.get(f"/missing/people/{child.pk}/report/").content.decode()
    assert "has no open case" in form and 'name="risk_grade"' not in form
    assert client.post(f"/missing/people/{child.pk}/report/", _report_form()).status_code == 403
    assert not MissingEpisode.objects.exists()
