"""The Daily Risk Management meeting: when it sits (each working day at 10:00, Europe/London), and its writes: who attended for each agency, and the outcome agreed for each
child on the list. Each is saved as the meeting goes, one row at a time."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from referrals.choices import DrmAttendanceStatus
from referrals.models import DRM_OUTCOME_MAX as OUTCOME_MAX
from referrals.models import DrmAttendance, DrmMeeting, DrmOutcome
from referrals.services._common import require_mash
from safeguarding.deadlines.calendars import is_working_day, next_working_day
from safeguarding.organisations.models import Agency, User
from safeguarding.people.models import Person


def _meeting(actor: User, meeting_date: date) -> DrmMeeting:
    agency = require_mash(actor)
    meeting, _ = DrmMeeting.objects.get_or_create(
        local_authority_id=agency.local_authority_id, meeting_date=meeting_date
    )
    return meeting


DRM_TIME = time(10, 0)


def next_drm_date(moment: datetime) -> date:
    """The meeting that will first discuss something received at `moment`."""
    local = timezone.localtime(moment)
    day = local.date()
    if is_working_day(day) and local.time() < DRM_TIME:
        return day
    return next_working_day(day)


@transaction.atomic(durable=True)
def drm_outcome_record(
    *, actor: User, context: AuditContext, person: Person, meeting_date: date, outcome: str
) -> DrmOutcome:
    """The outcome the meeting agreed for one child, or a change to it. The caller has checked that the child
    is on that day's list and that the actor may see them."""
    if not outcome.strip():
        raise ValidationError({"outcome": "Enter the outcome agreed at the meeting"})
    if len(outcome) > OUTCOME_MAX:
        raise ValidationError({"outcome": f"The outcome must be {OUTCOME_MAX:,} characters or fewer"})
    meeting = _meeting(actor, meeting_date)
    item, created = DrmOutcome.objects.update_or_create(
        meeting=meeting,
        person=person,
        defaults={"outcome": outcome.strip(), "recorded_by": actor, "recorded_at": timezone.now()},
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type="drm_outcome",
        object_id=item.pk,
        person_ids=[person.pk],
        context=context,
        changes={"meeting_date": meeting_date.isoformat()},
    )
    return item


@dataclass(frozen=True)
class AttendanceEntry:
    agency: Agency
    status: str
    attendee: str = ""


@transaction.atomic(durable=True)
def drm_attendance_record(
    *, actor: User, context: AuditContext, meeting_date: date, entries: Sequence[AttendanceEntry]
) -> list[DrmAttendance]:
    """Who came to the meeting for each agency of the authority; an agency left out is not recorded."""
    meeting = _meeting(actor, meeting_date)
    saved = []
    for entry in entries:
        if entry.agency.local_authority_id != meeting.local_authority_id:
            raise ValidationError("Only agencies of this authority can attend its meeting")
        if entry.status not in DrmAttendanceStatus.values:
            raise ValidationError({f"{entry.agency.pk}-status": "Select whether the agency attended"})
        row, _ = DrmAttendance.objects.update_or_create(
            meeting=meeting,
            agency=entry.agency,
            defaults={"status": entry.status, "attendee": entry.attendee.strip(), "recorded_by": actor},
        )
        saved.append(row)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="drm_meeting",
        object_id=meeting.pk,
        person_ids=[],
        context=context,
        changes={"attendance": {str(e.agency.pk): e.status for e in entries}},
    )
    return saved
