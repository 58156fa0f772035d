"""The MASH decision and its rationale, made with the completeness of the information gathered in view."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from referrals.access import access_referral_to_manage
from referrals.choices import DecisionOutcome
from referrals.forms import DecisionForm
from referrals.models import MashDecision
from referrals.selectors import information_requests_for
from referrals.services import mash_decision_record
from referrals.views._common import audit_referral_viewed, completeness, related_or_none
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor


@require_http_methods(["GET", "POST"])
def decision_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """'Urgent response' starts the 48-hour clock."""
    referral = access_referral_to_manage(request.user, referral_id)
    actor = request_actor(request)
    decision: MashDecision | None = related_or_none(referral, "decision")
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and decision is not None:
        form.add_error(None, "A decision has already been recorded for this referral.")
    elif request.method == "POST" and form.is_valid():
        try:
            made = mash_decision_record(
                actor=actor,
                context=AuditContext.from_request(request),
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            message = f"Decision recorded: {made.get_outcome_display()}."
            if made.outcome == DecisionOutcome.URGENT_RESPONSE:
                message += " The 48-hour urgent response clock has started."
            messages.success(request, message)
            return redirect("referrals:detail", referral_id=referral.pk)
    audit_referral_viewed(request, referral)
    requests = information_requests_for(referral=referral)
    return render(
        request,
        "referrals/decision.html",
        {
            "referral": referral,
            "person": referral.person,
            "decision": decision,
            "form": form,
            **completeness(None, requests),
        },
    )
