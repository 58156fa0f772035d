"""The places and groups: found before one is added, each with its own page, network, assessment and plan,
changes and history."""

import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction, AuditEvent
from audits.services import audit_read
from cases.networks.access import (
    access_context,
    can_record_links,
    require_reader,
)
from cases.networks.forms import (
    ContextActionForm,
    ContextAssessmentForm,
    ContextForm,
    ContextSearchForm,
)
from cases.networks.models import Context
from cases.networks.sections import ContextPage, context_sections
from cases.networks.selectors import (
    children_affected,
    context_history,
    context_plan,
    context_search,
)
from cases.networks.services import (
    context_action_agree,
    context_action_done,
    context_assess,
    context_create,
    context_update,
)
from cases.networks.services.contexts import DETAIL_FIELDS
from cases.networks.views._common import network_context
from safeguarding.common.errors import ApplicationError, NotFound, PermissionRefused
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.organisations.models import Agency, User


@require_GET
def context_detail_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    context = access_context(request.user, context_id)
    actor = require_reader(request.user)
    network = network_context(request, actor, context=context)
    audit_read(
        request,
        object_type="context",
        object_id=context.pk,
        person_ids=network["graph"].visible_person_ids,
    )
    # Other apps' parts of the page (the panels' referrals of it, ...), registered in networks.sections.
    page = ContextPage(actor=actor, context=context)
    sections = [_SectionPart(s.template_name, dict(s.context(page))) for s in context_sections()]
    return render(
        request,
        "networks/context_detail.html",
        {
            "context_record": context,
            "sections": sections,
            "may_change": can_record_links(actor) and _own_authority(actor, context),
            **network,
        },
    )


@dataclass(frozen=True)
class _SectionPart:
    template_name: str
    part: dict[str, object]


def _own_authority(actor: User, context: Context) -> bool:
    return actor.agency is not None and actor.agency.local_authority_id == context.local_authority_id


@require_http_methods(["GET", "POST"])
def context_edit_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    """Correct a place or group's details; the change goes into its history."""
    context = access_context(request.user, context_id)
    actor = require_reader(request.user)
    if not can_record_links(actor):
        raise NotFound()
    initial = {field: getattr(context, field) for field in DETAIL_FIELDS}
    form = ContextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            context_update(
                actor=actor, context=AuditContext.from_request(request), ctx=context, data=form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The details have been changed.")
            return redirect("networks:context", context_id=context.pk)
    if request.method == "GET":
        audit_read(request, object_type="context", object_id=context.pk, person_ids=[])
    return render(request, "networks/context_edit.html", {"context_record": context, "form": form})


# The plain-English line each kind of event makes in a place or group's history.
_HISTORY_WORDS: dict[tuple[str, str], str] = {
    ("context", AuditAction.CREATE): "Added the place or group",
    ("context", AuditAction.UPDATE): "Changed its details",
    ("context", AuditAction.VIEW): "Looked at its page",
    ("network_link", AuditAction.CREATE): "Recorded a link to it",
    ("network_link", AuditAction.UPDATE): "Changed a link's status",
    ("network_link", AuditAction.VIEW): "Looked at a link to it",
    ("context_assessment", AuditAction.CREATE): "Recorded an assessment",
    ("context_action", AuditAction.CREATE): "Agreed an action of its plan",
    ("context_action", AuditAction.UPDATE): "Marked an action of its plan done",
}

_FIELD_LABELS = {
    "kind": "kind",
    "name": "name",
    "postcode": "postcode",
    "deal_line_name": "deal line name",
    "description": "description",
    "status": "status",
}


@dataclass(frozen=True)
class _HistoryRow:
    event: AuditEvent
    who: str
    what: str
    detail: str
    is_look: bool


def _history_row(event: AuditEvent) -> _HistoryRow:
    what = _HISTORY_WORDS.get((event.object_type, event.action), event.get_action_display())
    details = []
    for field, change in (event.changes or {}).items():
        if field not in _FIELD_LABELS:
            continue
        if isinstance(change, list) and len(change) == 2:
            before, after = change
            details.append(f"{_FIELD_LABELS[field]} from “{before or 'blank'}” to “{after or 'blank'}”")
        else:
            details.append(f"{_FIELD_LABELS[field]}: {change}")
    return _HistoryRow(
        event=event,
        who=event.actor_username or "Reachable (automatic)",
        what=what + (" (through the API)" if event.via == "api" else ""),
        detail="; ".join(details),
        is_look=event.action in (AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT),
    )


@require_GET
def context_history_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    """Its history: what was recorded and changed, by whom and when, and who has looked at it, newest first,
    a page at a time (2 queries a page: the count and the page)."""
    context = access_context(request.user, context_id)
    actor = require_reader(request.user)
    show = request.GET.get("show", "all")
    if show not in ("all", "changes", "looks"):
        show = "all"
    events = context_history(user=actor, ctx=context)
    if show == "changes":
        events = events.exclude(action__in=[AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT])
    elif show == "looks":
        events = events.filter(action__in=[AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT])
    page = paginate(request, events)
    rows = [_history_row(event) for event in page["page_obj"].object_list]
    audit_read(request, object_type="context", object_id=context.pk, person_ids=[], changes={"history": True})
    return render(
        request,
        "networks/context_history.html",
        {"context_record": context, "rows": rows, "show": show, **page},
    )


@require_http_methods(["GET", "POST"])
def context_list_view(request: HttpRequest) -> HttpResponse:
    """Search before create: the places and groups found, then (once searched) the form to add a new one."""
    actor = require_reader(request.user)
    may_record = can_record_links(actor)
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    search_form = ContextSearchForm({"q": query} if "q" in request.GET or request.method == "POST" else None)
    searched = search_form.is_bound and search_form.is_valid()
    results = list(context_search(user=actor, query=search_form.cleaned_data["q"])) if searched else []
    create_form: ContextForm | None = None
    if request.method == "POST":
        if not may_record:
            raise PermissionRefused("Your role does not allow you to record networks.")
        create_form = ContextForm(request.POST)
        if create_form.is_valid():
            try:
                created = context_create(
                    actor=actor, context=AuditContext.from_request(request), data=create_form.cleaned_data
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(create_form, error)
            else:
                messages.success(request, f"{created.name} has been added.")
                return redirect("networks:context", context_id=created.pk)
    elif searched and may_record:
        create_form = ContextForm(initial={"name": query.strip()})
    return render(
        request,
        "networks/context_list.html",
        {
            "search_form": search_form,
            "searched": searched,
            "results": results,
            "query": query,
            "create_form": create_form,
            # The error summary lists the create form's errors when it was posted, else the search's.
            "form": create_form if request.method == "POST" else search_form,
        },
    )


@require_http_methods(["GET", "POST"])
def context_plan_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    """The context's assessments and plan: a peer group, school or neighbourhood assessment answering what
    must change first, and actions with owners (each a clock) that reach every child linked to it."""
    ctx = access_context(request.user, context_id)
    actor = require_reader(request.user)
    may_record = can_record_links(actor)
    agencies = Agency.objects.filter(local_authority_id=ctx.local_authority_id).order_by("name")
    assess_form = ContextAssessmentForm(request.POST if request.POST.get("form") == "assess" else None)
    action_form = ContextActionForm(
        request.POST if request.POST.get("form") == "action" else None, agencies=agencies
    )
    failed: forms.Form | None = None
    if request.method == "POST":
        audit_context = AuditContext.from_request(request)
        try:
            if request.POST.get("form") == "assess" and assess_form.is_valid():
                context_assess(actor=actor, context=audit_context, ctx=ctx, data=assess_form.cleaned_data)
                messages.success(request, "Assessment recorded.")
                return redirect("networks:context-plan", context_id=ctx.pk)
            if request.POST.get("form") == "action" and action_form.is_valid():
                context_action_agree(
                    actor=actor,
                    context=audit_context,
                    ctx=ctx,
                    description=action_form.cleaned_data["description"],
                    owner_agency=action_form.cleaned_data["owner_agency"],
                    owner=None,
                    due_date=action_form.cleaned_data["due_date"],
                )
                messages.success(request, "Action agreed: its owner has been told.")
                return redirect("networks:context-plan", context_id=ctx.pk)
            if request.POST.get("form") == "done":
                action = ctx.actions.filter(pk=request.POST.get("action", "")).first()
                if action is None:
                    raise ApplicationError("That action is not part of this plan.")
                context_action_done(actor=actor, context=audit_context, action=action)
                messages.success(request, "Action marked done.")
                return redirect("networks:context-plan", context_id=ctx.pk)
        except (ValidationError, ApplicationError) as error:
            target = action_form if request.POST.get("form") == "action" else assess_form
            form_errors_from(target, error)
        failed = next((f for f in (assess_form, action_form) if f.errors), None)
    assessments, actions = context_plan(ctx=ctx)
    children = children_affected(user=actor, ctx=ctx)
    if children:
        audit_read(request, object_type="context", object_id=ctx.pk, person_ids=[p.pk for p in children])
    return render(
        request,
        "networks/context_plan.html",
        {
            "context_record": ctx,
            "assessments": assessments,
            "actions": actions,
            "children": children,
            "may_record": may_record,
            "assess_form": assess_form,
            "action_form": action_form,
            "form": failed,
            "actor_agency_id": actor.agency_id,
        },
    )
