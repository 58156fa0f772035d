"""Meet, pause, resume, cancel or extend one clock."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.deadlines.access import access_deadline
from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.forms import (
    AllocateForm,
    CancelForm,
    ExtendForm,
    MeetForm,
    PauseForm,
    ResumeForm,
    TakeForm,
)
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import policy_for
from safeguarding.deadlines.services import (
    deadline_allocate,
    deadline_cancel,
    deadline_extend,
    deadline_meet,
    deadline_pause,
    deadline_resume,
)
from safeguarding.deadlines.views.panel import clock_back_url, clock_row
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User


@dataclass(frozen=True)
class ClockAction:
    title: str
    button: str
    done: str
    form: type[forms.Form]
    run: Callable[[Deadline, User, dict[str, Any], AuditContext], Deadline]
    warning: bool = False
    # What the form needs to know of the clock (who may be chosen to own it).
    form_kwargs: Callable[[Deadline], dict[str, Any]] = lambda deadline: {}


CLOCK_ACTIONS: dict[str, ClockAction] = {
    "meet": ClockAction(
        "Record that this clock was met",
        "Record as met",
        "recorded as met",
        MeetForm,
        lambda d, actor, data, ctx: deadline_meet(
            deadline_id=d.pk, actor=actor, note=data["note"], context=ctx
        ),
    ),
    "pause": ClockAction(
        "Pause this clock",
        "Pause clock",
        "paused",
        PauseForm,
        lambda d, actor, data, ctx: deadline_pause(
            deadline_id=d.pk, actor=actor, reason=data["reason"], context=ctx
        ),
    ),
    "resume": ClockAction(
        "Resume this clock",
        "Resume clock",
        "resumed",
        ResumeForm,
        lambda d, actor, data, ctx: deadline_resume(deadline_id=d.pk, actor=actor, context=ctx),
    ),
    "cancel": ClockAction(
        "Cancel this clock",
        "Cancel clock",
        "cancelled",
        CancelForm,
        lambda d, actor, data, ctx: deadline_cancel(
            deadline_id=d.pk, actor=actor, reason=data["reason"], context=ctx
        ),
        warning=True,
    ),
    "take": ClockAction(
        "Take this work",
        "Take it",
        "taken: it is yours",
        TakeForm,
        lambda d, actor, data, ctx: deadline_allocate(
            deadline_id=d.pk, actor=actor, owner=actor, context=ctx
        ),
    ),
    "allocate": ClockAction(
        "Allocate this work",
        "Allocate",
        "allocated",
        AllocateForm,
        lambda d, actor, data, ctx: deadline_allocate(
            deadline_id=d.pk, actor=actor, owner=data["owner"], context=ctx
        ),
        form_kwargs=lambda deadline: {"agency": deadline.owning_agency},
    ),
    "extend": ClockAction(
        "Extend this clock",
        "Extend clock",
        "extended",
        ExtendForm,
        lambda d, actor, data, ctx: deadline_extend(
            deadline_id=d.pk, actor=actor, new_due_at=data["new_due_at"], reason=data["reason"], context=ctx
        ),
    ),
}


@require_http_methods(["GET", "POST"])
def clock_action_view(request: HttpRequest, deadline_id: uuid.UUID, action: str) -> HttpResponse:
    """The services decide what is allowed; their refusal is shown in the error summary and nothing is
    saved."""
    clock = access_deadline(request.user, deadline_id, action=action)
    deadline = clock.deadline
    spec = CLOCK_ACTIONS[action]
    actor = request_actor(request)
    form = spec.form(request.POST if request.method == "POST" else None, **spec.form_kwargs(deadline))
    if request.method == "GET":
        audit_read(
            request,
            object_type="deadline",
            object_id=deadline.pk,
            person_ids=[deadline.person_id] if deadline.person_id else [],
            action=AuditAction.VIEW,
        )
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(deadline, actor, form.cleaned_data, AuditContext.from_request(request))
        except DeadlineError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{policy_for(deadline.policy).label} clock {spec.done}.")
            return redirect(clock_back_url(deadline))
    now = timezone.now()
    return render(
        request,
        "deadlines/clock_action.html",
        {
            "form": form,
            "action": action,
            "spec": spec,
            "row": clock_row(deadline, actor, now),
            "deadline": deadline,
            "case_subject": clock.case,
            "back_url": clock_back_url(deadline),
            "met_when": policy_for(deadline.policy).met_when,
            "date_parts": (
                [(form["due_day"], 2), (form["due_month"], 2), (form["due_year"], 4)]
                if action == "extend"
                else []
            ),
        },
    )
