import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from guardian.core import ObjectPermissionChecker

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.access import access_case
from cases.clocks import case_clock_subject
from cases.forms import CaseEditForm, CaseOpenForm, CaseShareForm
from cases.models import CaseStatus, RiskLevel
from cases.selectors import CASE_SORTS, case_list, case_shares
from cases.services import CaseAlreadyOpen, case_open, case_share, case_update
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.deadlines.views import clock_panel_context
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.permissions import Perm
from safeguarding.people.access import access_person


def case_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CaseStatus.OPEN)
    if status not in CaseStatus.values and status != "all":
        status = CaseStatus.OPEN
    risk_level = request.GET.get("risk", "")
    if risk_level not in RiskLevel.values:
        risk_level = ""
    sort = request.GET.get("sort", "-opened")
    mine = request.GET.get("mine") == "1"
    queryset = case_list(
        user=request.user,
        status=None if status == "all" else status,
        risk_level=risk_level or None,
        allocated_to=request_actor(request) if mine else None,
        sort=sort,
    )
    context = paginate(request, queryset)
    cases = list(context["page_obj"].object_list)
    if cases:
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="case",
            object_id=None,
            person_ids=[c.person_id for c in cases],
        )
    context.update(
        {
            "cases": cases,
            "status": status,
            "risk": risk_level,
            "sort": sort,
            "mine": mine,
            "sorts": CASE_SORTS,
            "status_choices": CaseStatus.choices,
            "risk_choices": RiskLevel.choices,
        }
    )
    return render(request, "cases/case_list.html", context)


def case_detail_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.user, case_id)
    actor = request_actor(request)
    audit_read(request, object_type="case", object_id=case.pk, person_ids=[case.person_id])
    # One checker answers both questions from one pair of permission queries.
    checker = ObjectPermissionChecker(actor)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "shares": list(case_shares(case=case)),
            "can_edit": checker.has_perm(Perm.CHANGE_CASE, case),
            "can_share": checker.has_perm(Perm.SHARE_CASE, case),
            # Every clock of the case, open and closed, and their history: two queries.
            **clock_panel_context(actor, case_clock_subject(case)),
        },
    )


@require_http_methods(["GET", "POST"])
def case_open_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id, write=True)
    form = CaseOpenForm(request.POST or None)
    open_case_id = None
    if request.method == "GET":
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                person=person,
                data=form.case_data(),
            )
        except CaseAlreadyOpen as error:
            # The form offers the open case instead (one open case per person per authority).
            form.add_error(None, error.message)
            open_case_id = error.extra["case_id"]
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The case has been opened.")
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request, "cases/case_open.html", {"form": form, "person": person, "open_case_id": open_case_id}
    )


@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.user, case_id, write=True)
    initial = {
        "version": case.version,
        "status": case.status,
        "risk_level": case.risk_level,
        "exploitation_types": case.exploitation_types,
        "allocated_worker": case.allocated_worker_id,
        "summary": case.summary,
        "closure_reason": case.closure_reason,
    }
    form = CaseEditForm(request.POST or None, initial=initial, case=case)
    if request.method == "GET":
        audit_read(request, object_type="case", object_id=case.pk, person_ids=[case.person_id])
    if request.method == "POST" and form.is_valid():
        try:
            case_update(
                actor=request_actor(request),
                case=case,
                expected_version=form.cleaned_data["version"],
                context=AuditContext.from_request(request),
                data=form.case_data(),
            )
        # ConcurrentEditError is an ApplicationError: a stale edit is refused, never merged.
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The case has been updated.")
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_edit.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
def case_share_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.user, case_id, write=True)
    form = CaseShareForm(request.POST or None, case=case)
    if request.method == "GET":
        audit_read(request, object_type="case", object_id=case.pk, person_ids=[case.person_id])
    if request.method == "POST" and form.is_valid():
        try:
            share = case_share(
                actor=request_actor(request),
                case=case,
                agency=form.cleaned_data["agency"],
                lawful_basis=form.cleaned_data["lawful_basis"],
                reason=form.cleaned_data["reason"],
                context=AuditContext.from_request(request),
            )
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"The case has been shared with {share.agency.name}.")
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_share.html", {"form": form, "case": case})
