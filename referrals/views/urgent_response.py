"""The urgent response: its 48-hour clock, and the first direct contact with the child (which meets it)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from referrals.access import access_referral, can_record_urgent_contact
from referrals.choices import ReachableMomentKind
from referrals.forms import UrgentContactForm
from referrals.selectors import REFERRAL_SUBJECT
from referrals.services import urgent_contact_record
from referrals.views._common import (
    audit_referral_viewed,
    clock_panel,
    clock_subject,
    panel_row,
    to_the_minute,
)
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.access import request_actor


@require_http_methods(["GET", "POST"])
def urgent_contact_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = access_referral(request.user, referral_id, write=True)
    actor = request_actor(request)
    clocks = clock_panel(
        actor,
        clock_subject(REFERRAL_SUBJECT, referral.pk, referral),
        reverse("referrals:clocks", kwargs={"referral_id": referral.pk}),
    )
    urgent = panel_row(clocks, PolicyCode.URGENT_RESPONSE)
    open_urgent = urgent is not None and urgent.is_open
    is_urgent_worker = can_record_urgent_contact(actor)
    can_record = is_urgent_worker and open_urgent
    form = UrgentContactForm(
        request.POST if request.method == "POST" else None, initial={"occurred_at": timezone.now()}
    )
    if request.method == "POST" and not can_record:
        form.add_error(
            None,
            "Only urgent response workers can record urgent response contact, and only while the clock is open.",
        )
    elif request.method == "POST" and urgent is not None and form.is_valid():
        try:
            urgent_contact_record(
                actor=actor,
                context=AuditContext.from_request(request),
                referral=referral,
                occurred_at=to_the_minute(form.cleaned_data["occurred_at"], urgent.deadline.started_at),
                method=form.cleaned_data["method"],
                support_offered=form.cleaned_data["support_offered"],
                support_accepted=form.cleaned_data["support_accepted"],
                declined_reason=form.cleaned_data["declined_reason"],
                declined_detail=form.cleaned_data["declined_detail"],
                follow_up=form.cleaned_data["follow_up"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The contact has been recorded. The urgent response clock is met.")
            return redirect("referrals:urgent-contact", referral_id=referral.pk)
    audit_referral_viewed(request, referral)
    return render(
        request,
        "referrals/urgent_contact.html",
        {
            "referral": referral,
            "person": referral.person,
            "urgent": urgent,
            "can_record": can_record,
            "is_urgent_worker": is_urgent_worker,
            "moments": list(
                referral.reachable_moments.filter(kind=ReachableMomentKind.URGENT_RESPONSE).select_related(
                    "recorded_by"
                )
            ),
            "form": form,
            **clocks,
        },
    )
