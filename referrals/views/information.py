"""Information gathering: the MASH RAG-rates a referral and asks agencies to check their records; each agency
asked answers its own request, choosing who else may read the answer."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from referrals.access import access_information_request, access_referral_to_manage
from referrals.choices import ReferralStatus
from referrals.forms import InformationAnswerForm, RateForm
from referrals.selectors import REQUEST_SUBJECT, agencies_asked, information_requests_for
from referrals.services import AnswerGrading, information_request_answer, referral_rate
from referrals.views._common import audit_referral_viewed, audited_clock_panel, concern_labels
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import Agency


@require_http_methods(["GET", "POST"])
def rate_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """RAG-rate the referral and choose the agencies (housing included) to ask for their checks."""
    referral = access_referral_to_manage(request.user, referral_id)
    actor = request_actor(request)
    agencies = Agency.objects.filter(local_authority_id=referral.local_authority_id).exclude(
        pk=referral.mash_agency_id
    )
    requests = information_requests_for(referral=referral)
    asked = {request.agency_id for request in requests}
    form = RateForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies.order_by("name"),
        initial={"rag_rating": referral.rag_rating or None, "agencies": sorted(asked, key=str)},
    )
    decided = referral.status == ReferralStatus.DECIDED
    if request.method == "POST" and not decided and form.is_valid():
        try:
            created = referral_rate(
                actor=actor,
                context=AuditContext.from_request(request),
                referral=referral,
                rag_rating=form.cleaned_data["rag_rating"],
                agencies=list(form.cleaned_data["agencies"]),
                question=form.cleaned_data["question"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            asked_now = ", ".join(request.agency.name for request in created) or "no new agencies"
            messages.success(
                request, f"Rated {referral.get_rag_rating_display().lower()}. Asked: {asked_now}."
            )
            return redirect("referrals:detail", referral_id=referral.pk)
    if request.method == "POST" and decided:
        form.add_error(None, "This referral has been decided; it can no longer be rated.")
    audit_referral_viewed(request, referral)
    return render(
        request,
        "referrals/rate.html",
        {
            "referral": referral,
            "person": referral.person,
            "form": form,
            "requests": requests,
            "decided": decided,
        },
    )


@require_http_methods(["GET", "POST"])
def request_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """One information request: what was asked about whom and its clock; the agency asked answers it here."""
    info_request, answering = access_information_request(request.user, request_id)
    referral = info_request.referral
    actor = request_actor(request)
    share_choices = agencies_asked(referral=referral, besides=info_request.agency_id)
    can_answer = answering and info_request.answered_at is None
    if request.method == "POST" and not answering:
        raise NotFound()
    form = InformationAnswerForm(request.POST if request.method == "POST" else None, agencies=share_choices)
    if request.method == "POST" and not can_answer:
        form.add_error(None, "This request has already been answered.")
    elif request.method == "POST" and form.is_valid():
        try:
            information_request_answer(
                actor=actor,
                context=AuditContext.from_request(request),
                request=info_request,
                answer=form.cleaned_data["answer"],
                share_with=list(form.cleaned_data["share_with"]),
                source=form.cleaned_data["answer_source"],
                grading=AnswerGrading(
                    source_grade=form.cleaned_data.get("source_grade", ""),
                    information_grade=form.cleaned_data.get("information_grade", ""),
                    handling_code=form.cleaned_data.get("handling_code", ""),
                    handling_agency_types=tuple(form.cleaned_data.get("handling_agency_types") or ()),
                    handling_conditions=form.cleaned_data.get("handling_conditions", ""),
                ),
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Your agency's answer has been sent to the MASH.")
            return redirect("referrals:requests")
    clocks = audited_clock_panel(
        request,
        referral,
        REQUEST_SUBJECT,
        info_request.pk,
        reverse("referrals:request-clocks", kwargs={"request_id": info_request.pk}),
    )
    return render(
        request,
        "referrals/request.html",
        {
            "info_request": info_request,
            "referral": referral,
            "person": referral.person,
            "concern_labels": concern_labels(referral),
            "answering": answering,
            "can_answer": can_answer,
            "shared_with": list(info_request.answer_shared_with.order_by("name"))
            if info_request.answered_at
            else [],
            "form": form,
            **clocks,
        },
    )


@require_GET
def request_clocks_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The request's clock panel alone, for htmx to refresh."""
    info_request, _ = access_information_request(request.user, request_id)
    context = audited_clock_panel(
        request, info_request.referral, REQUEST_SUBJECT, info_request.pk, request.path
    )
    return render(request, "deadlines/_clock_panel.html", context)
