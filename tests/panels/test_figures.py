"""Attendance figures (per member agency over the last 12 held meetings, for the panel's chairs, coordinator
and manager) and the alert when a core agency has nobody present at two held meetings in a row: one
follow-up clock per panel and agency at a time, owned by the panel's manager, who is told."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django.utils.html import escape

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from panels.models import AbsenceAlert, Meeting
from panels.services import attendance_record, meeting_schedule, minutes_approve, minutes_save
from panels.services.attendance_alerts import ABSENCE_SUBJECT, core_absence_alerts_raise
from safeguarding.common.errors import NotFound
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxEvent, OutboxMessage
from safeguarding.deadlines.services import deadline_meet
from safeguarding.deadlines.subjects import subject_type
from safeguarding.organisations.models import Agency, AgencyType
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.panels.conftest import Erp
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _held(erp: Erp, days_ago: float, attendance: dict[Agency, str], *, approve: bool = True) -> Meeting:
    """A meeting `days_ago` (scheduled back then), with one person per agency given, its minutes approved."""
    when = (timezone.now() - timedelta(days=days_ago)).astimezone(LONDON).replace(microsecond=0)
    with time_machine.travel(when - timedelta(hours=1), tick=False):
        meeting = meeting_schedule(
            actor=erp.colin, context=SYSTEM_CONTEXT, panel=erp.panel, scheduled_for=when, location="Room 2"
        )
    for agency, kind in attendance.items():
        attendance_record(
            actor=erp.colin,
            context=SYSTEM_CONTEXT,
            meeting=meeting,
            agency=agency,
            data={"name": f"Someone from {agency.name}", "kind": kind, "confidentiality_signed": True},
        )
    if approve:
        minutes_save(
            actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting, minutes="Met.", expected_version=1
        )
        meeting = minutes_approve(actor=erp.sam, context=SYSTEM_CONTEXT, meeting=meeting)
        # minutes_approve has raised the alerts; raising them again, as a retry would, adds nothing.
        core_absence_alerts_raise(meeting=meeting, actor=erp.sam, context=SYSTEM_CONTEXT)
    return meeting


def _clock(alert: AbsenceAlert) -> Deadline:
    return Deadline.objects.get(subject_type=ABSENCE_SUBJECT, subject_id=alert.pk)


@pytest.fixture
def youth(world: World, erp: Erp) -> Agency:
    """A member agency that is not core: its absence is shown, never alerted."""
    agency = factories.agency(
        world.social_care.local_authority, AgencyType.YOUTH_OFFENDING, "Northbridge YOS"
    )
    erp.panel.member_agencies.add(agency)
    return agency


def _figures_url(erp: Erp) -> str:
    return f"/panels/{erp.panel.pk}/attendance/"


# ---------------------------------------------------------------------------------------------------------
# The figures page
# ---------------------------------------------------------------------------------------------------------


def test_the_figures_show_each_member_agency_at_each_meeting_with_core_agencies_marked(
    world: World, erp: Erp, youth: Agency
) -> None:
    first = _held(erp, 28, {world.police: "present", world.social_care: "present", youth: "apologies"})
    second = _held(erp, 14, {world.police: "observer", world.social_care: "present", erp.health: "apologies"})
    response = verified_client(erp.colin).get(_figures_url(erp))
    assert response.status_code == 200
    page = response.content.decode()
    for meeting in (first, second):
        day = timezone.localtime(meeting.scheduled_for)
        assert f'<th scope="col" class="govuk-table__header"><time datetime="{day:%Y-%m-%dT%H:%M:%S}' in page
    for agency in (world.police, world.social_care, world.housing, erp.health, erp.education, youth):
        assert f'<th scope="row" class="govuk-table__header">{escape(agency.name)}' in page
    # Five core member agencies are marked; youth offending is not.
    assert page.count('<strong class="govuk-tag govuk-tag--purple">Core</strong>') == 5
    assert f"{youth.name}</th>" in page
    rows = {
        row.split("</th>")[0]: row for row in page.split('<th scope="row" class="govuk-table__header">')[1:]
    }
    police = rows[world.police.name + ' <strong class="govuk-tag govuk-tag--purple">Core</strong>']
    assert police.index(">Present<") < police.index(">Observer<")
    assert "1 of 2" in police
    youth_row = rows[youth.name]
    assert youth_row.index(">Apologies<") < youth_row.index(">Absent<")
    housing = rows[world.housing.name + ' <strong class="govuk-tag govuk-tag--purple">Core</strong>']
    assert housing.count(">Absent<") == 2 and "0 of 2" in housing


def test_the_figures_cover_the_last_12_held_meetings_only(world: World, erp: Erp) -> None:
    meetings = [_held(erp, 7 * (14 - i), {world.police: "present"}, approve=False) for i in range(14)]
    page = verified_client(erp.sam).get(_figures_url(erp)).content.decode()
    assert "Attendance at the last 12 meetings" in page
    shown = [m for m in meetings if f"{timezone.localtime(m.scheduled_for):%Y-%m-%dT%H:%M:%S}" in page]
    assert shown == meetings[2:]


def test_the_figures_are_for_the_chairs_coordinator_and_manager_only(world: World, erp: Erp) -> None:
    _held(erp, 14, {world.police: "present"})
    for overseer in (erp.paula, erp.sam, erp.colin, erp.manager):
        assert verified_client(overseer).get(_figures_url(erp)).status_code == 200, overseer.username
    # A member agency's person, a referrer of the authority, another authority, the administrator.
    for outsider in (erp.nurse, world.mash, world.stranger, world.admin):
        assert verified_client(outsider).get(_figures_url(erp)).status_code == 404, outsider.username


def test_the_figures_page_makes_the_same_queries_for_2_meetings_as_for_12(world: World, erp: Erp) -> None:
    for days_ago in (14, 28):
        _held(erp, days_ago, {world.police: "present", erp.health: "apologies"}, approve=False)
    client = verified_client(erp.manager)
    # The panel (oversight check); held meetings; their attendance; member agencies; open absence alerts
    # (with none open, their clocks cost no query).
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, _figures_url(erp)) == expected
    for days_ago in range(42, 42 + 7 * 10, 7):
        _held(erp, days_ago, {world.police: "present", erp.education: "present"}, approve=False)
    assert count_queries(client, _figures_url(erp)) == expected


# ---------------------------------------------------------------------------------------------------------
# Repeated absence of a core agency
# ---------------------------------------------------------------------------------------------------------


def test_a_core_agency_absent_from_two_held_meetings_in_a_row_gets_a_follow_up_for_the_manager(
    world: World, erp: Erp, youth: Agency
) -> None:
    _held(erp, 14, {world.police: "present", world.social_care: "present", erp.health: "apologies"})
    second = _held(
        erp, 0.1, {world.police: "apologies", world.social_care: "present", erp.health: "observer"}
    )
    alerts = AbsenceAlert.objects.filter(panel=erp.panel).select_related("agency")
    # Housing and education sent nobody; health sent apologies, then an observer: neither is presence.
    # Police were present at the first. Youth offending is not core.
    assert sorted(a.agency.name for a in alerts) == sorted(
        [world.housing.name, erp.education.name, erp.health.name]
    )
    housing = alerts.get(agency=world.housing)
    assert housing.meeting == second
    clock = _clock(housing)
    assert (clock.policy, clock.owner, clock.owning_agency) == (
        "panel_absence_follow_up",
        erp.manager,
        erp.manager.agency,
    )
    assert clock.status == DeadlineStatus.RUNNING
    assert clock.started_at == second.scheduled_for
    assert clock.subject_label == "Northbridge Housing (absent from the last 2 Northbridge ERP meetings)"
    assert OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED).count() == 1
    assert AuditEvent.objects.filter(object_type="panel_absence_alert", object_id=housing.pk).count() == 1


def test_one_follow_up_per_agency_while_it_is_open_and_a_new_one_after_it_is_met(
    world: World, erp: Erp
) -> None:
    present = {world.police: "present", world.social_care: "present", erp.health: "present"}
    _held(erp, 21, {**present, erp.education: "present"})
    _held(erp, 14, present)
    _held(erp, 7, present)  # housing absent for the second time in a row; education too, for the first
    third = Meeting.objects.filter(panel=erp.panel).order_by("-scheduled_for").first()
    assert third is not None
    [housing] = AbsenceAlert.objects.filter(panel=erp.panel, agency=world.housing)
    assert AbsenceAlert.objects.filter(agency=erp.education).count() == 1  # absent at the last 2
    # Called again for the same meeting (or a later absence while the follow-up is open): nothing new.
    assert core_absence_alerts_raise(meeting=third, actor=erp.sam, context=SYSTEM_CONTEXT) == []
    _held(erp, 0.2, present)
    assert AbsenceAlert.objects.filter(agency=world.housing).count() == 1
    deadline_meet(deadline_id=_clock(housing).pk, actor=erp.manager, note="Housing will send a deputy")
    latest = _held(erp, 0.1, present)
    assert AbsenceAlert.objects.filter(agency=world.housing).count() == 2
    assert AbsenceAlert.objects.filter(agency=world.housing).latest("created_at").meeting == latest


def test_the_coordinator_owns_the_follow_up_of_a_panel_without_a_manager(world: World, erp: Erp) -> None:
    erp.panel.manager = None
    erp.panel.save()
    _held(erp, 14, {world.police: "present"})
    _held(erp, 0.1, {world.police: "present"})
    alert = AbsenceAlert.objects.get(agency=world.housing)
    assert (_clock(alert).owner, _clock(alert).owning_agency) == (erp.colin, world.social_care)


def test_no_alert_from_a_single_meeting_or_one_with_no_attendance_recorded(world: World, erp: Erp) -> None:
    _held(erp, 21, {world.police: "present"})
    assert not AbsenceAlert.objects.exists()  # nothing to compare with yet
    _held(erp, 14, {})
    assert not AbsenceAlert.objects.exists()  # nobody recorded at all says nothing about who was there


def test_a_meeting_whose_minutes_are_not_approved_is_not_counted_as_held(world: World, erp: Erp) -> None:
    first = _held(erp, 21, {world.police: "present"})
    _held(erp, 7, {world.police: "present", world.housing: "present"}, approve=False)
    _held(erp, 0.1, {world.police: "present"})
    alerts = AbsenceAlert.objects.select_related("agency")
    assert sorted(a.agency.name for a in alerts) == sorted(
        [world.housing.name, world.social_care.name, erp.health.name, erp.education.name]
    )
    assert {a.previous_meeting_id for a in alerts} == {first.pk}


def test_the_follow_up_is_seen_by_those_who_oversee_the_panel_and_listed_on_the_figures_page(
    world: World, erp: Erp
) -> None:
    _held(erp, 14, {world.police: "present"})
    _held(erp, 0.1, {world.police: "present"})
    alert = AbsenceAlert.objects.get(agency=world.housing)
    access = subject_type(ABSENCE_SUBJECT).access
    assert access is not None
    subject = access(erp.manager, alert.pk)
    assert (subject.label, subject.person_ids) == ("Northbridge Housing's absence from Northbridge ERP", ())
    assert access(erp.paula, alert.pk).subject_id == alert.pk
    for outsider in (erp.nurse, world.housing_officer, world.stranger):
        with pytest.raises(NotFound):
            access(outsider, alert.pk)
    subject_page = f"/deadlines/subject/{ABSENCE_SUBJECT}/{alert.pk}/"
    page = verified_client(erp.manager).get(_figures_url(erp)).content.decode()
    assert "Repeated absence to follow up" in page and subject_page in page
    assert verified_client(erp.manager).get(subject_page).status_code == 200
    assert verified_client(erp.nurse).get(subject_page).status_code == 404
