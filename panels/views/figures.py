"""A panel's attendance figures, for those who oversee it (its chairs, coordinator and manager): each member
agency at each of the last 12 held meetings, core agencies marked, and the open follow-ups of core agencies'
repeated absence (panels/services/attendance_alerts.py). Agencies, not people: nothing here is audited."""

import uuid
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from panels.access import access_panel_oversight
from panels.models import AttendanceKind, Meeting
from panels.selectors import AgencyAttendance, attendance_figures, clocks_for
from panels.services.attendance_alerts import ABSENCE_SUBJECT, absence_alerts_open
from safeguarding.deadlines.subjects import subject_url
from safeguarding.organisations.access import request_actor

FIGURES_MEETINGS = 12

# How each kind of attendance reads in a cell: words first, colour only as a second cue.
CELL = {
    AttendanceKind.PRESENT.value: ("Present", "govuk-tag--green"),
    AttendanceKind.OBSERVER.value: ("Observer", "govuk-tag--blue"),
    AttendanceKind.APOLOGIES.value: ("Apologies", "govuk-tag--yellow"),
    "absent": ("Absent", "govuk-tag--red"),
}


@dataclass(frozen=True)
class Cell:
    meeting: Meeting
    label: str
    tag: str


@dataclass(frozen=True)
class Row:
    figures: AgencyAttendance
    cells: list[Cell]


@require_GET
def attendance_figures_view(request: HttpRequest, panel_id: uuid.UUID) -> HttpResponse:
    panel = access_panel_oversight(request_actor(request), panel_id)
    meetings, figures = attendance_figures(panel=panel, meetings=FIGURES_MEETINGS)
    rows = [
        Row(figures=agency, cells=[Cell(meeting, *CELL[kind]) for meeting, kind in agency.record])
        for agency in figures
    ]
    alerts = list(
        absence_alerts_open(panel=panel)
        .select_related("agency", "meeting", "previous_meeting")
        .order_by("created_at")
    )
    clocks = clocks_for(ABSENCE_SUBJECT, [alert.pk for alert in alerts])
    follow_ups = [(alert, clocks.get(alert.pk), subject_url(ABSENCE_SUBJECT, alert.pk)) for alert in alerts]
    return render(
        request,
        "panels/attendance_figures.html",
        {"panel": panel, "meetings": meetings, "rows": rows, "follow_ups": follow_ups},
    )
