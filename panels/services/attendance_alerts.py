"""A core agency that keeps missing the panel (the seed's findings 3 and 6: which agencies were missing from
multi-agency discussions, housing among them). When a meeting's minutes are approved, and with them its
attendance, each core member agency with nobody present at that meeting and at the panel's held meeting
before it gets an alert, and the panel's manager a clock to follow it up with the agency."""

import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from audits.context import AuditContext
from audits.models import AuditAction
from panels.models import (
    CORE_AGENCY_TYPES,
    AbsenceAlert,
    Attendance,
    AttendanceKind,
    Meeting,
    MeetingStatus,
    Panel,
)
from panels.services._common import audit
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import DeadlineSubject, deadline_start, now_from_database
from safeguarding.organisations.models import User

# The clock subject type of an alert (registered in panels/clocks.py).
ABSENCE_SUBJECT = "panel_absence_alert"


def absence_alerts_open(*, panel: Panel) -> QuerySet[AbsenceAlert]:
    """The panel's alerts whose follow-up clock is still open (running, paused or breached)."""
    open_follow_up = Deadline.objects.filter(
        subject_type=ABSENCE_SUBJECT, subject_id=OuterRef("pk"), status__in=OPEN_STATUSES
    )
    return AbsenceAlert.objects.filter(Exists(open_follow_up), panel=panel)


@transaction.atomic
def core_absence_alerts_raise(*, meeting: Meeting, actor: User, context: AuditContext) -> list[AbsenceAlert]:
    """Called by minutes_approve in its transaction, after the meeting is locked. A meeting counts as held
    once its minutes are approved: its attendance can no longer change. The two meetings compared are this
    one and the latest held meeting of the panel before it; a meeting with no attendance recorded at all
    says nothing about who was there, so it raises nothing. Observers and apologies are not presence.

    One follow-up per panel and agency at a time: while an alert's clock is open, a further absence adds
    no second alert. The clock is owned by the panel's manager (the coordinator when it has none), starts
    at the meeting (the second absence in a row), and its owner is told in the app and by email."""
    # Alerts of one panel are raised one approval at a time, so two chairs approving two meetings' minutes
    # at once cannot both find no open follow-up and start two. Only the panel row is locked.
    panel = (
        Panel.objects.select_for_update(of=("self",))
        .select_related("manager__agency", "coordinator__agency")
        .get(pk=meeting.panel_id)
    )
    previous = (
        Meeting.objects.filter(
            panel=panel, status=MeetingStatus.MINUTES_LOCKED, scheduled_for__lte=meeting.scheduled_for
        )
        .exclude(pk=meeting.pk)
        .order_by("-scheduled_for", "-created_at")
        .first()
    )
    if previous is None:
        return []
    recorded: set[uuid.UUID] = set()
    present: dict[uuid.UUID, set[uuid.UUID]] = {meeting.pk: set(), previous.pk: set()}
    for meeting_id, agency_id, kind in Attendance.objects.filter(
        meeting_id__in=[meeting.pk, previous.pk]
    ).values_list("meeting_id", "agency_id", "kind"):
        recorded.add(meeting_id)
        if kind == AttendanceKind.PRESENT:
            present[meeting_id].add(agency_id)
    if recorded != {meeting.pk, previous.pk}:
        return []
    absent = [
        agency
        for agency in panel.member_agencies.filter(agency_type__in=CORE_AGENCY_TYPES).order_by("name")
        if agency.pk not in present[meeting.pk] and agency.pk not in present[previous.pk]
    ]
    if not absent:
        return []
    followed_up = set(
        absence_alerts_open(panel=panel).filter(agency__in=absent).values_list("agency_id", flat=True)
    )
    owner = panel.manager or panel.coordinator
    assert owner.agency is not None
    now = now_from_database()
    alerts = []
    for agency in absent:
        if agency.pk in followed_up:
            continue
        alert = AbsenceAlert.objects.create(
            panel=panel, agency=agency, meeting=meeting, previous_meeting=previous
        )
        deadline_start(
            policy=PolicyCode.PANEL_ABSENCE_FOLLOW_UP,
            subject=DeadlineSubject(
                subject_type=ABSENCE_SUBJECT,
                subject_id=alert.pk,
                label=f"{agency.name} (absent from the last 2 {panel.name} meetings)",
                local_authority_id=panel.local_authority_id,
            ),
            started_at=min(meeting.scheduled_for, now),
            owning_agency=owner.agency,
            owner=owner,
            actor=actor,
            context=context,
            now=now,
            announce=True,
        )
        audit(
            actor,
            context,
            AuditAction.CREATE,
            "panel_absence_alert",
            alert.pk,
            [],
            agency=agency.name,
            meetings=f"{previous.pk}, {meeting.pk}",
        )
        alerts.append(alert)
    return alerts
