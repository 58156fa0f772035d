"""Referring a child to a panel, or a place or group to the contextual panel, and the referral's own page (its
items, assessments and actions)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audits.context import AuditContext
from cases.models import Case, CaseStatus
from cases.networks.access import access_context
from panels.access import (
    access_panel_referral,
    can_open_panel,
    can_refer,
    is_running,
    panels_to_refer_to,
)
from panels.forms import PanelReferralForm, ReferralCloseForm
from panels.models import OPEN_REFERRAL_STATUSES, PanelKind
from panels.services import panel_referral_close, panel_referral_create, panel_referral_history
from panels.views._common import audit_shown
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor, scope_to_user
from safeguarding.organisations.permissions import Perm
from safeguarding.people.access import access_person


@require_http_methods(["GET", "POST"])
def panel_refer_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = request_actor(request)
    person = access_person(actor, person_id)
    if not can_refer(actor):
        raise NotFound()
    panels = panels_to_refer_to(actor).order_by("name")
    form = PanelReferralForm(request.POST or None, panels=panels, initial={"panel": panels.first()})
    history = panel_referral_history(person)
    if request.method == "POST" and form.is_valid():
        case = (
            scope_to_user(actor, Perm.VIEW_CASE, Case.objects.filter(person=person, status=CaseStatus.OPEN))
            .order_by("-opened_at")
            .first()
        )
        try:
            referral = panel_referral_create(
                actor=actor,
                context=AuditContext.from_request(request),
                panel=form.cleaned_data["panel"],
                about=person,
                case=case,
                data={k: form.cleaned_data[k] for k in ("reason", "exploitation_types", "current_risk")},
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            repeat = (
                " This is a repeat referral: the panel will see the earlier ones."
                if referral.is_repeat
                else ""
            )
            messages.success(
                request, f"{person.full_name} has been referred to the {referral.panel.name}.{repeat}"
            )
            return redirect("people:detail", person_id=person.pk)
    audit_shown(request, "person", person.pk, [person.pk])
    return render(
        request,
        "panels/refer.html",
        {
            "section": "panels",
            "person": person,
            "form": form,
            "history": history,
            "has_panels": panels.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def panel_refer_context_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    """A place or group to the contextual panel: the same referral, with the place's own words."""
    actor = request_actor(request)
    ctx = access_context(actor, context_id)
    if not can_refer(actor):
        raise NotFound()
    panels = panels_to_refer_to(actor).filter(kind=PanelKind.CONTEXTUAL_ERP).order_by("name")
    form = PanelReferralForm(
        request.POST or None, panels=panels, place_or_group=True, initial={"panel": panels.first()}
    )
    history = panel_referral_history(ctx)
    if request.method == "POST" and form.is_valid():
        try:
            referral = panel_referral_create(
                actor=actor,
                context=AuditContext.from_request(request),
                panel=form.cleaned_data["panel"],
                about=ctx,
                data={k: form.cleaned_data[k] for k in ("reason", "exploitation_types", "current_risk")},
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"{ctx.name} has been referred to the {referral.panel.name}.")
            return redirect("networks:context", context_id=ctx.pk)
    if request.method == "GET":
        audit_shown(request, "context", ctx.pk, [])
    return render(
        request,
        "panels/refer_context.html",
        {"section": "panels", "ctx": ctx, "form": form, "history": history, "has_panels": panels.exists()},
    )


def _referral_page(
    request: HttpRequest, panel_referral_id: uuid.UUID, form: ReferralCloseForm | None = None
) -> HttpResponse:
    actor = request_actor(request)
    referral = access_panel_referral(actor, panel_referral_id)
    items = list(referral.items.select_related("meeting", "assessment").order_by("meeting__scheduled_for"))
    actions = list(referral.actions.select_related("owner_agency", "owner").order_by("due_date"))
    audit_shown(request, "panel_referral", referral.pk, referral.person_ids)
    return render(
        request,
        "panels/referral_detail.html",
        {
            "section": "panels",
            "referral": referral,
            "items": items,
            "actions": actions,
            "history": [r for r in panel_referral_history(referral.about, before=referral.created_at)],
            "running": is_running(actor, referral.panel),
            "panel_visible": can_open_panel(actor, referral.panel),
            "is_open": referral.status in OPEN_REFERRAL_STATUSES,
            "form": form or ReferralCloseForm(),
        },
    )


def panel_referral_view(request: HttpRequest, panel_referral_id: uuid.UUID) -> HttpResponse:
    return _referral_page(request, panel_referral_id)


@require_POST
def panel_referral_close_view(request: HttpRequest, panel_referral_id: uuid.UUID) -> HttpResponse:
    actor = request_actor(request)
    referral = access_panel_referral(actor, panel_referral_id)
    form = ReferralCloseForm(request.POST)
    if form.is_valid():
        try:
            panel_referral_close(
                actor=actor,
                context=AuditContext.from_request(request),
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                withdrawn=request.POST.get("withdrawn") == "1",
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The panel's work with this child is closed.")
            return redirect("panels:referral", panel_referral_id=referral.pk)
    return _referral_page(request, referral.pk, form)
