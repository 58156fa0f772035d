"""The clock panel on case and subject pages, the actions on one clock, and who may see and do what."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from audits.models import AuditEvent
from safeguarding.deadlines.models import Deadline, DeadlineEvent, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    DeadlineSubject,
    deadline_cancel,
    deadline_meet,
    deadline_pause,
    deadline_start,
    now_from_database,
)
from safeguarding.deadlines.views import describe_duration
from safeguarding.organisations.models import User
from tests.conftest import SENTINEL_FAMILY_NAME, World, count_queries, verified_client
from tests.deadlines.conftest import start_clock

ACTIONS = ["meet", "pause", "resume", "cancel", "extend"]


def _case_url(world: World) -> str:
    return f"/cases/{world.case.pk}/"


def _panel_url(world: World) -> str:
    return f"/deadlines/subject/case/{world.case.pk}/clocks/"


def _snapshot(clock: Deadline) -> dict[str, Any]:
    """Everything that must not change when an action is refused."""
    fresh = Deadline.objects.get(pk=clock.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Deadline._meta.concrete_fields},
        "events": DeadlineEvent.objects.filter(deadline=clock).count(),
        "audit_updates": AuditEvent.objects.filter(object_type="deadline", action="update").count(),
    }


def _referral_clock(world: World) -> Deadline:
    """A clock whose subject has no case yet (a referral before the MASH decision)."""
    return deadline_start(
        policy=PolicyCode.MASH_DECISION,
        subject=DeadlineSubject(
            subject_type="referral",
            subject_id=uuid.uuid4(),
            label="Referral from school",
            local_authority_id=world.case.local_authority_id,
        ),
        started_at=now_from_database() - timedelta(minutes=5),
        owning_agency=world.social_care,
        owner=world.mash,
        actor=world.mash,
    )


# --- Wording -----------------------------------------------------------------------------------------------


def test_time_left_is_worded_in_the_two_largest_units() -> None:
    assert describe_duration(timedelta(minutes=40)) == "40 minutes"
    assert describe_duration(timedelta(minutes=4, seconds=12)) == "4 minutes 12 seconds"
    assert describe_duration(timedelta(seconds=1)) == "1 second"
    assert describe_duration(timedelta(hours=47, minutes=1)) == "1 day 23 hours"
    assert describe_duration(timedelta(hours=3, seconds=59)) == "3 hours"
    assert describe_duration(-timedelta(minutes=25)) == "25 minutes"


# --- The panel ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_every_running_clock_with_time_left(world: World) -> None:
    golden = start_clock(world, ago=timedelta(minutes=20))
    urgent = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.URGENT_RESPONSE)
    mash = start_clock(world, ago=timedelta(minutes=1), policy=PolicyCode.MASH_DECISION)
    client = verified_client(world.mash)
    # The page's clock, frozen 40 minutes before the Golden Hour is due (the database keeps its own).
    with time_machine.travel(golden.due_at - timedelta(minutes=40), tick=False):
        html = client.get(_case_url(world)).content.decode()
        now = golden.due_at - timedelta(minutes=40)
    for label in ["Golden Hour (custody)", "Urgent response (48 hours)", "MASH decision"]:
        assert label in html
    assert "3 open clocks." in html
    assert f'datetime="{golden.due_at.isoformat(timespec="seconds")}"' in html
    assert "<span data-clock-remaining>40 minutes left</span>" in html
    assert f"<span data-clock-remaining>{describe_duration(urgent.due_at - now)} left</span>" in html
    assert f"<span data-clock-remaining>{describe_duration(mash.due_at - now)} left</span>" in html
    # Countdown data for clocks.js, an htmx refresh of the panel, and no live region ticking every second.
    assert html.count("data-clock-due=") == 3
    assert f'hx-get="{_panel_url(world)}" hx-trigger="every 30s"' in html
    assert "aria-live" not in html
    assert html.count("govuk-tag--green") == 3


@pytest.mark.django_db
def test_state_colours_follow_the_clock(world: World) -> None:
    start_clock(world, ago=timedelta(minutes=5))  # running: green
    start_clock(world, ago=timedelta(minutes=50))  # within the 15-minute warning: yellow
    start_clock(world, ago=timedelta(hours=2))  # breached at once (notified late): red
    paused = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    deadline_pause(deadline_id=paused.pk, actor=world.mash, reason="In hospital")
    html = verified_client(world.mash).get(_case_url(world)).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green" data-clock-tag>Running</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--yellow" data-clock-tag>Due soon</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--red" data-clock-tag>Breached</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey" data-clock-tag>Paused</strong>' in html
    assert "Paused with 1 day 23 hours left" in html
    assert "<span data-clock-remaining>1 hour overdue</span>" in html


@pytest.mark.django_db
def test_met_and_cancelled_clocks_and_the_history_are_listed(world: World) -> None:
    met = start_clock(world, ago=timedelta(minutes=10))
    deadline_meet(deadline_id=met.pk, actor=world.mash, note="Information shared with custody sergeant")
    cancelled = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    deadline_pause(deadline_id=cancelled.pk, actor=world.mash, reason="Family moved away")
    deadline_cancel(deadline_id=cancelled.pk, actor=world.mash, reason="Transferred to another authority")
    html = verified_client(world.mash).get(_case_url(world)).content.decode()
    assert "There are no open clocks." in html
    assert '<strong class="govuk-tag govuk-tag--blue">Met</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">Cancelled</strong>' in html
    assert "Information shared with custody sergeant" in html
    # The history: every event of every clock, newest first, with who and why.
    assert html.count('class="moj-timeline__item"') == 5
    history = html[html.index("Clock history") :]
    order = [
        "Urgent response (48 hours): cancelled",
        "Urgent response (48 hours): paused",
        "Urgent response (48 hours): started",
    ]
    positions = [history.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Reason: Transferred to another authority" in history
    assert "Reason: Family moved away" in history
    assert "Note: Information shared with custody sergeant" in history
    assert "by Test User" in history


@pytest.mark.django_db
def test_panel_refresh_is_one_audited_look(world: World) -> None:
    start_clock(world, ago=timedelta(minutes=20))
    client = verified_client(world.police_officer)
    before = AuditEvent.objects.filter(
        actor=world.police_officer, person_ids__contains=[world.case.person_id]
    )
    count = before.count()
    response = client.get(_panel_url(world), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section"), "the partial is the panel alone, not a whole page"
    assert "<html" not in html
    assert before.count() == count + 1
    event = before.first()
    assert event is not None and event.action == "view" and event.object_id == world.case.pk


@pytest.mark.django_db
def test_subject_page_for_a_case_and_for_a_referral(world: World) -> None:
    start_clock(world, ago=timedelta(minutes=20))
    referral = _referral_clock(world)
    client = verified_client(world.mash)
    response = client.get(f"/deadlines/subject/case/{world.case.pk}/")
    assert response.status_code == 200
    assert SENTINEL_FAMILY_NAME in response.content.decode()
    response = client.get(f"/deadlines/subject/referral/{referral.subject_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Referral from school" in html and "MASH decision" in html
    # A clock with no case is its owning agency's: police cannot see it, even in the same authority.
    police = verified_client(world.police_officer)
    assert police.get(f"/deadlines/subject/referral/{referral.subject_id}/").status_code == 404
    assert police.get(f"/deadlines/subject/referral/{referral.subject_id}/clocks/").status_code == 404
    assert client.get(f"/deadlines/subject/referral/{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
def test_partner_agency_sees_the_clocks_but_cannot_act(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=20))
    client = verified_client(world.police_officer)
    html = client.get(_case_url(world)).content.decode()
    assert "Golden Hour (custody)" in html
    assert "/deadlines/clock/" not in html, "no action links for an agency that does not own the clock"
    for action in ACTIONS:
        url = f"/deadlines/clock/{clock.pk}/{action}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "note": "x"}).status_code == 404
    assert Deadline.objects.get(pk=clock.pk).status == DeadlineStatus.RUNNING


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_get_404_on_every_deadlines_route(world: World, persona: str) -> None:
    clock = start_clock(world, ago=timedelta(minutes=20))
    referral = _referral_clock(world)
    client = verified_client(getattr(world, persona))
    urls = [
        f"/deadlines/subject/case/{world.case.pk}/",
        _panel_url(world),
        f"/deadlines/subject/referral/{referral.subject_id}/",
        f"/deadlines/subject/referral/{referral.subject_id}/clocks/",
        "/deadlines/dashboard/",
        "/deadlines/dashboard/figures/",
        "/deadlines/dashboard/list/?filter=running",
        "/deadlines/dashboard/list/?filter=running&format=csv",
    ] + [f"/deadlines/clock/{c.pk}/{action}/" for c in (clock, referral) for action in ACTIONS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert SENTINEL_FAMILY_NAME not in response.content.decode()
    for action in ACTIONS:
        response = client.post(f"/deadlines/clock/{clock.pk}/{action}/", {"reason": "x", "note": "x"})
        assert response.status_code == 404
    assert Deadline.objects.get(pk=clock.pk).status == DeadlineStatus.RUNNING
    # Their notifications are their own: the list answers, and shows nothing of anyone else's.
    response = client.get("/deadlines/notifications/")
    assert response.status_code == 200
    assert "You have no notifications." in response.content.decode()


# --- Actions -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_owning_case_worker_meets_pauses_resumes_and_cancels(world: World) -> None:
    client = verified_client(world.mash)
    met = start_clock(world, ago=timedelta(minutes=20))
    page = client.get(f"/deadlines/clock/{met.pk}/meet/")
    assert page.status_code == 200 and "Record that this clock was met" in page.content.decode()
    response = client.post(f"/deadlines/clock/{met.pk}/meet/", {"note": "Shared with custody"})
    assert response.status_code == 302 and response["Location"] == _case_url(world)
    met.refresh_from_db()
    assert met.status == DeadlineStatus.MET and met.outcome_note == "Shared with custody"
    assert "Golden Hour (custody) clock recorded as met." in client.get(_case_url(world)).content.decode()

    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    client.post(f"/deadlines/clock/{clock.pk}/pause/", {"reason": "Child admitted to hospital"})
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.PAUSED
    client.post(f"/deadlines/clock/{clock.pk}/resume/")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.RUNNING
    client.post(f"/deadlines/clock/{clock.pk}/cancel/", {"reason": "Opened in error"})
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.CANCELLED
    reasons = list(DeadlineEvent.objects.filter(deadline=clock).values_list("kind", "reason").order_by("id"))
    assert reasons == [
        ("started", ""),
        ("paused", "Child admitted to hospital"),
        ("resumed", ""),
        ("cancelled", "Opened in error"),
    ]


@pytest.mark.django_db
def test_manager_extends_a_clock(world: World, mash_manager: User) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    client = verified_client(mash_manager)
    assert f"/deadlines/clock/{clock.pk}/extend/" in client.get(_case_url(world)).content.decode()
    local = timezone.localtime(clock.due_at + timedelta(days=2))
    response = client.post(
        f"/deadlines/clock/{clock.pk}/extend/",
        {
            "due_day": local.day,
            "due_month": local.month,
            "due_year": local.year,
            "due_time": local.strftime("%H:%M"),
            "reason": "Child out of the country with family",
        },
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.due_at == local.replace(second=0, microsecond=0)
    assert DeadlineEvent.objects.filter(deadline=clock, kind="extended").get().reason == (
        "Child out of the country with family"
    )


@pytest.mark.django_db
def test_practitioner_sees_no_extend_link(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    html = verified_client(world.mash).get(_case_url(world)).content.decode()
    assert f"/deadlines/clock/{clock.pk}/pause/" in html
    assert f"/deadlines/clock/{clock.pk}/extend/" not in html


def _error_summary(html: str) -> str:
    assert 'class="govuk-error-summary"' in html, "no error summary"
    return html[
        html.index('class="govuk-error-summary"') : html.index("</ul>", html.index("govuk-error-summary"))
    ]


@pytest.mark.django_db
def test_pause_without_a_reason_is_refused_and_changes_nothing(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10))
    before = _snapshot(clock)
    response = verified_client(world.mash).post(f"/deadlines/clock/{clock.pk}/pause/", {"reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter why you are pausing this clock" in _error_summary(html)
    assert 'href="#id_reason"' in _error_summary(html)
    assert "<title>Pause this clock - Error - Reachable</title>" in html
    assert _snapshot(clock) == before


@pytest.mark.django_db
def test_meeting_a_cancelled_clock_is_refused_and_changes_nothing(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10))
    deadline_cancel(deadline_id=clock.pk, actor=world.mash, reason="Opened in error")
    before = _snapshot(clock)
    response = verified_client(world.mash).post(f"/deadlines/clock/{clock.pk}/meet/", {"note": "Done"})
    assert response.status_code == 200
    assert "This clock is cancelled; it cannot be met." in _error_summary(response.content.decode())
    assert _snapshot(clock) == before


@pytest.mark.django_db
def test_extending_as_a_practitioner_is_refused_and_changes_nothing(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    before = _snapshot(clock)
    later = clock.due_at + timedelta(days=1)
    response = verified_client(world.mash).post(
        f"/deadlines/clock/{clock.pk}/extend/",
        {
            "due_day": later.day,
            "due_month": later.month,
            "due_year": later.year,
            "due_time": "12:00",
            "reason": "Need more time",
        },
    )
    assert response.status_code == 200
    assert "Only a manager can extend a clock." in _error_summary(response.content.decode())
    assert _snapshot(clock) == before


@pytest.mark.django_db
def test_extending_to_before_the_start_is_refused_and_changes_nothing(
    world: World, mash_manager: User
) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    before = _snapshot(clock)
    earlier = clock.started_at - timedelta(days=1)
    response = verified_client(mash_manager).post(
        f"/deadlines/clock/{clock.pk}/extend/",
        {
            "due_day": earlier.day,
            "due_month": earlier.month,
            "due_year": earlier.year,
            "due_time": "12:00",
            "reason": "Typo",
        },
    )
    assert response.status_code == 200
    assert "The new due time must be after the start time." in _error_summary(response.content.decode())
    assert _snapshot(clock) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"due_time": "12:00"}, "Enter the new due date, including a day, month and year", "id_due_day"),
        (
            {"due_day": "31", "due_month": "2", "due_year": "2030", "due_time": "12:00"},
            "The new due date must be a real date",
            "id_due_day",
        ),
        (
            {"due_day": "1", "due_month": "2", "due_year": "2030", "due_time": "25:00"},
            "Enter the new due time in hours and minutes",
            "id_due_time",
        ),
    ],
)
def test_extend_form_errors_point_at_the_field(
    world: World, mash_manager: User, data: dict[str, str], message: str, anchor: str
) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    before = _snapshot(clock)
    response = verified_client(mash_manager).post(
        f"/deadlines/clock/{clock.pk}/extend/", {"reason": "More time", **data}
    )
    summary = _error_summary(response.content.decode())
    assert message in summary and f'href="#{anchor}"' in summary
    assert _snapshot(clock) == before


# --- Query counts ------------------------------------------------------------------------------------------

# As tests/test_query_counts.py: session, user, OTP device, role groups, agency; then the header's unread
# notification count; and the session write-back (savepoint, UPDATE, release).
SESSION_PAGE = 5
UNREAD_BADGE = 1
SESSION_SAVE = 3


@pytest.mark.django_db
def test_case_page_query_count_is_constant_however_many_clocks(world: World) -> None:
    client = verified_client(world.mash)
    url = _case_url(world)
    # access (1), audit INSERT, shares, object permissions for edit and share (2), clocks, clock history
    expected = SESSION_PAGE + UNREAD_BADGE + 1 + 1 + 1 + 2 + 1 + 1 + SESSION_SAVE
    start_clock(world, ago=timedelta(minutes=5))
    assert count_queries(client, url) == expected
    for minutes in range(1, 21):
        clock = start_clock(world, ago=timedelta(minutes=minutes), policy=PolicyCode.URGENT_RESPONSE)
        if minutes % 3 == 0:
            deadline_pause(deadline_id=clock.pk, actor=world.mash, reason="Paused")
        if minutes % 4 == 0:
            deadline_meet(deadline_id=clock.pk, actor=world.mash)
    assert count_queries(client, url) == expected


@pytest.mark.django_db
def test_panel_refresh_query_count(world: World) -> None:
    client = verified_client(world.mash)
    # access (1), audit INSERT, clocks, clock history. A partial has no header, so no unread count.
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + SESSION_SAVE
    start_clock(world, ago=timedelta(minutes=5))
    assert count_queries(client, _panel_url(world)) == expected
    for minutes in range(1, 11):
        start_clock(world, ago=timedelta(minutes=minutes), policy=PolicyCode.URGENT_RESPONSE)
    assert count_queries(client, _panel_url(world)) == expected
