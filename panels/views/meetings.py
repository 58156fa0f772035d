"""The meeting, run live: its agenda (built, ordered and time-boxed by the chair), attendance, each item's
discussion, assessment, plan and actions, and the minutes, all saved as the meeting goes."""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audits.context import AuditContext
from panels.access import access_item, access_meeting, can_open_panel, is_running
from panels.forms import (
    ActionCloseForm,
    ActionForm,
    AgendaAddForm,
    AmendmentForm,
    AssessmentForm,
    AttendanceForm,
    ItemRecordForm,
    MinutesForm,
)
from panels.models import AgendaItem, ItemGroup, Meeting, PanelReferral, PanelReferralStatus
from panels.selectors import meeting_view as meeting_view_data
from panels.services import (
    active_instrument,
    agenda_arrange,
    agenda_build,
    agenda_item_add,
    agenda_item_plan_send,
    agenda_item_record,
    attendance_record,
    attendance_remove,
    meeting_publish_pack,
    meeting_start,
    minutes_amend,
    minutes_approve,
    minutes_save,
    review_date_default,
    risk_assessment_save,
)
from panels.views._common import audit_shown
from safeguarding.common.errors import ApplicationError, ConcurrentEditError
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import Agency, User


def _agencies(meeting: Meeting) -> Any:
    return Agency.objects.filter(local_authority_id=meeting.local_authority_id).order_by("name")


def _addable(meeting: Meeting) -> Any:
    return (
        PanelReferral.objects.filter(
            panel_id=meeting.panel_id,
            status__in=[PanelReferralStatus.AWAITING_LISTING, PanelReferralStatus.LISTED],
        )
        .exclude(items__meeting=meeting)
        .select_related("person", "context")
        .order_by("person__family_name")
    )


def _meeting_page(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    actor = request_actor(request)
    view = meeting_view_data(meeting=meeting)
    is_chair = meeting.panel.chairs.filter(pk=actor.pk).exists()
    running = is_chair or meeting.panel.coordinator_id == actor.pk
    for item in view.items:
        item.carried_actions = view.carried.get(item.pk, [])  # type: ignore[attr-defined]
    groups = [
        (label, [item for item in view.items if item.group == value]) for value, label in ItemGroup.choices
    ]
    audit_shown(
        request, "panel_meeting", meeting.pk, [i for item in view.items for i in item.referral.person_ids]
    )
    context: dict[str, Any] = {
        "section": "panels",
        "meeting": meeting,
        "view": view,
        "groups": [(label, items) for label, items in groups if items],
        "group_choices": ItemGroup.choices,
        "running": running,
        "panel_visible": can_open_panel(actor, meeting.panel),
        "is_chair": is_chair,
        "amendments": list(meeting.amendments.select_related("author")) if meeting.is_locked else [],
        "form": None,
    }
    if running and not meeting.is_locked:
        context["add_form"] = forms.get("add_form") or AgendaAddForm(referrals=_addable(meeting))
        context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(
            agencies=_agencies(meeting)
        )
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm(
            initial={"minutes": meeting.minutes, "version": meeting.version}
        )
    # The form in error leads the error summary.
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return render(request, "panels/meeting.html", context)


def meeting_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return _meeting_page(request, access_meeting(request.user, meeting_id))


def _done(request: HttpRequest, meeting: Meeting, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    response = redirect("panels:meeting", meeting_id=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(
    request: HttpRequest, meeting: Meeting, error: ApplicationError | ValidationError
) -> HttpResponse:
    """A refusal of a one-button action, shown in the meeting page's error summary."""
    form = MinutesForm()
    form_errors_from(form, error)
    return _meeting_page(request, meeting, refused=form)


@require_POST
def agenda_build_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, run=True)
    try:
        added = agenda_build(
            actor=request_actor(request), context=AuditContext.from_request(request), meeting=meeting
        )
    except (ApplicationError, ValidationError) as error:
        return _refused(request, meeting, error)
    if not added:
        return _done(
            request,
            meeting,
            "Nothing new to add: no referrals waiting, reviews due or actions open.",
            "agenda",
        )
    return _done(
        request, meeting, f"{len(added)} item{'s' if len(added) != 1 else ''} added to the agenda.", "agenda"
    )


@require_POST
def agenda_add_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, run=True)
    form = AgendaAddForm(request.POST, referrals=_addable(meeting))
    if form.is_valid():
        try:
            agenda_item_add(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                meeting=meeting,
                referral=form.cleaned_data["referral"],
                group=form.cleaned_data["group"],
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            return _done(
                request,
                meeting,
                f"{form.cleaned_data['referral'].person.full_name} added to the agenda.",
                "agenda",
            )
    return _meeting_page(request, meeting, add_form=form)


@require_POST
def agenda_arrange_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    """The chair's order (a number per item), groups and time boxes, from one form."""
    meeting = access_meeting(request.user, meeting_id, run=True)
    entries = []
    form = MinutesForm()
    for item_id in request.POST.getlist("item"):
        try:
            order = int(request.POST.get(f"order-{item_id}", ""))
            minutes = int(request.POST.get(f"minutes-{item_id}", ""))
        except ValueError:
            form.add_error(None, "Enter each item's order and minutes as whole numbers")
            return _meeting_page(request, meeting, refused=form)
        entries.append(
            (order, {"item": item_id, "group": request.POST.get(f"group-{item_id}", ""), "minutes": minutes})
        )
    entries.sort(key=lambda pair: pair[0])
    try:
        agenda_arrange(
            actor=request_actor(request),
            context=AuditContext.from_request(request),
            meeting=meeting,
            arrangement=[entry for _, entry in entries],
        )
    except (ApplicationError, ValidationError) as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, "Agenda saved.", "agenda")


def _meeting_step(
    request: HttpRequest, meeting_id: uuid.UUID, step: Callable[..., Meeting], message: str
) -> HttpResponse:
    """A one-button step of the meeting (publish the pack, start): the service, then back to the meeting."""
    meeting = access_meeting(request.user, meeting_id, run=True)
    try:
        step(actor=request_actor(request), context=AuditContext.from_request(request), meeting=meeting)
    except (ApplicationError, ValidationError) as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, message)


@require_POST
def meeting_publish_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return _meeting_step(
        request,
        meeting_id,
        meeting_publish_pack,
        "Pack published: each invited agency can now read its copy.",
    )


@require_POST
def meeting_start_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return _meeting_step(
        request, meeting_id, meeting_start, "Meeting started. Everything you record is saved as you go."
    )


@require_POST
def minutes_approve_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    return _meeting_step(
        request,
        meeting_id,
        minutes_approve,
        "Minutes approved and locked. Each plan is due to the members within 2 working days.",
    )


@require_POST
def attendance_add_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, run=True)
    form = AttendanceForm(request.POST, agencies=_agencies(meeting))
    if form.is_valid():
        try:
            attendance_record(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                meeting=meeting,
                agency=form.cleaned_data["agency"],
                data=form.cleaned_data,
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            return _done(request, meeting, f"{form.cleaned_data['name']} recorded.", "attendance")
    return _meeting_page(request, meeting, attendance_form=form)


@require_POST
def attendance_remove_view(request: HttpRequest, meeting_id: uuid.UUID, attendance_id: int) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, run=True)
    attendance = meeting.attendance.filter(pk=attendance_id).first()
    if attendance is None:
        return _done(request, meeting, "That attendee had already been removed.", "attendance")
    try:
        attendance_remove(
            actor=request_actor(request), context=AuditContext.from_request(request), attendance=attendance
        )
    except (ApplicationError, ValidationError) as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, f"{attendance.name} removed.", "attendance")


@require_POST
def minutes_save_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    """Saves the draft; from htmx (as the chair types) it answers with the status line alone."""
    meeting = access_meeting(request.user, meeting_id, run=True)
    form = MinutesForm(request.POST)
    partial = bool(request.headers.get("HX-Request"))
    if form.is_valid():
        try:
            saved = minutes_save(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                expected_version=form.cleaned_data["version"],
            )
        except (ApplicationError, ValidationError) as error:
            if partial:
                message = error.message if isinstance(error, ApplicationError) else "; ".join(error.messages)
                status = 409 if isinstance(error, ConcurrentEditError) else 400
                return render(request, "panels/_minutes_status.html", {"error": message}, status=status)
            form_errors_from(form, error)
        else:
            if partial:
                return render(
                    request,
                    "panels/_minutes_status.html",
                    {"saved_at": timezone.localtime(), "version": saved.version},
                )
            return _done(request, meeting, "Minutes saved.", "minutes")
    elif partial:
        return render(
            request, "panels/_minutes_status.html", {"error": "The minutes could not be saved."}, status=400
        )
    return _meeting_page(request, meeting, minutes_form=form)


@require_http_methods(["GET", "POST"])
def minutes_amend_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, run=True)
    form = AmendmentForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            minutes_amend(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            return _done(request, meeting, "Amendment recorded.", "minutes")
    # The minutes name the children on the agenda.
    audit_shown(
        request, "panel_meeting", meeting.pk, meeting.items.values_list("referral__person_id", flat=True)
    )
    return render(
        request,
        "panels/minutes_amend.html",
        {"section": "panels", "meeting": meeting, "form": form},
    )


def _item_page(request: HttpRequest, item: AgendaItem, **forms: Any) -> HttpResponse:
    actor = request_actor(request)
    meeting = item.meeting
    view = meeting_view_data(meeting=meeting)
    running = is_running(actor, meeting.panel)
    position = [i.pk for i in view.items].index(item.pk)
    this = view.items[position]
    audit_shown(request, "panel_item", item.pk, item.referral.person_ids)
    context: dict[str, Any] = {
        "section": "panels",
        "meeting": meeting,
        "item": this,
        "referral": this.referral,
        "assessment": getattr(this, "assessment", None),
        "previous": view.previous.get(item.pk),
        "carried": view.carried.get(item.pk, []),
        "agreed": view.agreed.get(item.pk, []),
        "history": view.history.get(this.referral_id, []),
        "previous_item": view.items[position - 1] if position > 0 else None,
        "next_item": view.items[position + 1] if position + 1 < len(view.items) else None,
        "running": running,
        "editable": running and not meeting.is_locked,
        "close_form": ActionCloseForm(),
        "form": None,
    }
    if context["editable"]:
        level = this.assessment.level if hasattr(this, "assessment") else this.referral.current_risk
        context["record_form"] = forms.get("record_form") or ItemRecordForm(
            initial={
                "discussion": this.discussion,
                "decision": this.decision,
                "plan_aims": this.plan_aims,
                "review_date": this.review_date or review_date_default(level, meeting),
            }
        )
        context["action_form"] = forms.get("action_form") or ActionForm(
            agencies=_agencies(meeting),
            people=User.objects.filter(agency__local_authority_id=meeting.local_authority_id, is_active=True)
            .select_related("agency")
            .order_by("last_name", "first_name"),
        )
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return render(request, "panels/item.html", context)


@require_http_methods(["GET", "POST"])
def item_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _item_page(request, access_item(request.user, item_id))
    item = access_item(request.user, item_id, run=True)
    form = ItemRecordForm(request.POST)
    if form.is_valid():
        try:
            agenda_item_record(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                item=item,
                data=form.cleaned_data,
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("panels:item", item_id=item.pk)
    return _item_page(request, item, record_form=form)


@require_http_methods(["GET", "POST"])
def assessment_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    item = access_item(request.user, item_id, run=request.method == "POST")
    existing = getattr(item, "assessment", None) if hasattr(item, "assessment") else None
    instrument = existing.instrument if existing is not None else active_instrument()
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {f"indicator_{code}": window for code, window in existing.answers.items()}
        initial.update(
            {
                f: getattr(existing, f)
                for f in ("evidence", "professional_judgement", "danger_statement", "safety_goal")
            }
        )
    form = AssessmentForm(request.POST or None, initial=initial, definition=instrument.definition)
    if request.method == "POST" and form.is_valid():
        try:
            saved = risk_assessment_save(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                item=item,
                answers=form.answers(),
                text={
                    k: form.cleaned_data[k]
                    for k in ("evidence", "professional_judgement", "danger_statement", "safety_goal")
                },
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, f"Risk assessed as {saved.get_level_display().lower()} (score {saved.score})."
            )
            return redirect("panels:item", item_id=item.pk)
    audit_shown(request, "panel_item", item.pk, item.referral.person_ids)
    return render(
        request,
        "panels/assessment.html",
        {
            "section": "panels",
            "item": item,
            "meeting": item.meeting,
            "person": item.referral.person,
            "instrument": instrument,
            "form": form,
            "assessment": existing,
            "editable": is_running(request_actor(request), item.meeting.panel) and not item.meeting.is_locked,
        },
    )


@require_POST
def plan_send_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    item = access_item(request.user, item_id, run=True)
    try:
        agenda_item_plan_send(
            actor=request_actor(request), context=AuditContext.from_request(request), item=item
        )
    except (ApplicationError, ValidationError) as error:
        form = ItemRecordForm()
        form_errors_from(form, error)
        return _item_page(request, item, refused=form)
    messages.success(request, "Plan sent to the members.")
    return redirect("panels:item", item_id=item.pk)
