"""Actions: agreed on an item, marked done by their owner, closed otherwise only by the panel; my actions
and my agency's across panels, overdue first."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audits.context import AuditContext
from audits.models import AuditAction
from panels.access import access_action, access_item, is_running
from panels.forms import ActionCloseForm, ActionDoneForm, ActionForm
from panels.models import ActionStatus, Meeting
from panels.selectors import action_clock, clocks_for, my_actions
from panels.services import panel_action_agree, panel_action_close
from panels.views._common import audit_shown
from panels.views.meetings import _agencies, _item_page
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User


@require_POST
def action_agree_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    item = access_item(request.user, item_id, run=True)
    meeting = item.meeting
    form = ActionForm(
        request.POST,
        agencies=_agencies(meeting),
        people=User.objects.filter(agency__local_authority_id=meeting.local_authority_id, is_active=True),
    )
    if form.is_valid():
        try:
            action = panel_action_agree(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                item=item,
                description=form.cleaned_data["description"],
                owner_agency=form.cleaned_data["owner_agency"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, f"Action agreed for {action.owner_agency.name}, due {action.due_date:%-d %B %Y}."
            )
            response = redirect("panels:item", item_id=item.pk)
            response["Location"] += "#actions"
            return response
    return _item_page(request, item, action_form=form)


def my_actions_view(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    scope = "agency" if request.GET.get("scope") == "agency" else "mine"
    context = paginate(request, my_actions(user=actor, agency=scope == "agency"))
    actions = list(context["page_obj"].object_list)
    clocks = clocks_for("panel_action", [a.pk for a in actions])
    audit_shown(
        request, "panel_action", None, [i for a in actions for i in a.referral.person_ids], AuditAction.LIST
    )
    context.update(
        {
            "section": "panels",
            "scope": scope,
            "rows": [(a, clocks.get(a.pk)) for a in actions],
            "today": timezone.localdate(),
        }
    )
    return render(request, "panels/my_actions.html", context)


def _action_page(request: HttpRequest, action_id: uuid.UUID, **forms: object) -> HttpResponse:
    actor = request_actor(request)
    action = access_action(actor, action_id)
    running = is_running(actor, action.referral.panel)
    is_open = action.status == ActionStatus.OPEN
    audit_shown(request, "panel_action", action.pk, action.referral.person_ids)
    form = next(
        (f for f in forms.values() if isinstance(f, (ActionDoneForm, ActionCloseForm)) and f.errors), None
    )
    return render(
        request,
        "panels/action.html",
        {
            "section": "panels",
            "action": action,
            "clock": action_clock(action),
            "can_mark_done": is_open and (running or actor.agency_id == action.owner_agency_id),
            "can_close": is_open and running,
            "done_form": forms.get("done_form") or ActionDoneForm(),
            "close_form": forms.get("close_form") or ActionCloseForm(),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def action_view(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _action_page(request, action_id)
    actor = request_actor(request)
    action = access_action(actor, action_id)
    done = (
        request.POST.get("status", ActionStatus.DONE) == ActionStatus.DONE
        and "note" in request.POST
        and "status" not in request.POST
    )
    form: ActionDoneForm | ActionCloseForm = (
        ActionDoneForm(request.POST) if done else ActionCloseForm(request.POST)
    )
    if form.is_valid():
        meeting_id = request.POST.get("meeting")
        meeting = (
            Meeting.objects.filter(pk=meeting_id, panel=action.referral.panel).first() if meeting_id else None
        )
        try:
            panel_action_close(
                actor=actor,
                context=AuditContext.from_request(request),
                action=action,
                status=ActionStatus.DONE if done else form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                meeting=meeting,
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Action marked done." if done else "Action closed.")
            back = request.POST.get("next_item")
            if back:
                return redirect("panels:item", item_id=back)
            return redirect("panels:action", action_id=action.pk)
    return _action_page(request, action.pk, **({"done_form": form} if done else {"close_form": form}))
