"""Panels: my panels, meetings and actions; a panel's queue and meetings; scheduling a meeting."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audits.context import AuditContext
from audits.models import AuditAction
from panels.access import access_panel, is_running, panels_run_by
from panels.forms import MeetingScheduleForm
from panels.selectors import (
    action_outcomes,
    clocks_for,
    meetings_for,
    my_actions,
    panel_meetings,
    panel_queue,
)
from panels.services import meeting_schedule
from panels.views._common import audit_shown
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor


def panel_index_view(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    upcoming = list(meetings_for(user=actor).filter(scheduled_for__date__gte=today)[:10])
    actions = list(my_actions(user=actor)[:10])
    audit_shown(
        request, "panel_action", None, [i for a in actions for i in a.referral.person_ids], AuditAction.LIST
    )
    return render(
        request,
        "panels/index.html",
        {
            "section": "panels",
            "panels": list(panels_run_by(actor).order_by("name")),
            "upcoming": upcoming,
            "actions": actions,
            "today": today,
        },
    )


def _panel_page(
    request: HttpRequest, panel_id: uuid.UUID, form: MeetingScheduleForm | None = None
) -> HttpResponse:
    actor = request_actor(request)
    panel = access_panel(actor, panel_id)
    running = is_running(actor, panel)
    queue = list(panel_queue(user=actor, panel=panel)) if running else []
    clocks = clocks_for("panel_referral", [r.pk for r in queue])
    audit_shown(request, "panel_referral", None, [i for r in queue for i in r.person_ids], AuditAction.LIST)
    return render(
        request,
        "panels/panel_detail.html",
        {
            "section": "panels",
            "panel": panel,
            "running": running,
            "queue": [(r, clocks.get(r.pk)) for r in queue],
            "meetings": list(panel_meetings(user=actor, panel=panel)[:20]),
            "form": form or MeetingScheduleForm(),
            "members": list(panel.member_agencies.order_by("name")),
            "chairs": list(panel.chairs.select_related("agency")),
            "action_outcomes": action_outcomes(panel=panel) if running else [],
        },
    )


def panel_detail_view(request: HttpRequest, panel_id: uuid.UUID) -> HttpResponse:
    return _panel_page(request, panel_id)


@require_POST
def meeting_schedule_view(request: HttpRequest, panel_id: uuid.UUID) -> HttpResponse:
    actor = request_actor(request)
    panel = access_panel(actor, panel_id, run=True)
    form = MeetingScheduleForm(request.POST)
    if form.is_valid():
        try:
            meeting = meeting_schedule(
                actor=actor,
                context=AuditContext.from_request(request),
                panel=panel,
                scheduled_for=form.cleaned_data["scheduled_for"],
                location=form.cleaned_data["location"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, f"Meeting scheduled for {timezone.localtime(meeting.scheduled_for):%-d %B %Y %H:%M}."
            )
            return redirect("panels:meeting", meeting_id=meeting.pk)
    return _panel_page(request, panel.pk, form)
