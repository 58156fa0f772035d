"""A custody booking: the Golden Hour with the time left, and what the MASH shared with custody (which meets
the Golden Hour)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from referrals.access import access_referral, can_manage_referral
from referrals.forms import InformationShareForm
from referrals.models import CustodyBooking
from referrals.selectors import CUSTODY_SUBJECT
from referrals.services import information_share_record
from referrals.views._common import audited_clock_panel, panel_row, related_or_none, to_the_minute
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.access import request_actor


@require_http_methods(["GET", "POST"])
def custody_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = access_referral(request.user, referral_id)
    booking: CustodyBooking | None = related_or_none(referral, "custody_booking")
    if booking is None:
        raise NotFound()
    actor = request_actor(request)
    can_share = can_manage_referral(actor, referral)
    if request.method == "POST" and not can_share:
        raise NotFound()
    form = InformationShareForm(
        request.POST if request.method == "POST" else None, initial={"shared_at": timezone.now()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            information_share_record(
                actor=actor,
                context=AuditContext.from_request(request),
                booking=booking,
                shared_at=to_the_minute(form.cleaned_data["shared_at"], booking.booked_in_at),
                shared_with=form.cleaned_data["shared_with"],
                summary=form.cleaned_data["summary"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "What you shared with custody has been recorded.")
            return redirect("referrals:custody", referral_id=referral.pk)
    clocks = audited_clock_panel(
        request,
        referral,
        CUSTODY_SUBJECT,
        booking.pk,
        reverse("referrals:custody-clocks", kwargs={"referral_id": referral.pk}),
    )
    return render(
        request,
        "referrals/custody.html",
        {
            "referral": referral,
            "person": referral.person,
            "booking": booking,
            "shares": list(booking.shares.select_related("recorded_by").order_by("shared_at")),
            "golden_hour": panel_row(clocks, PolicyCode.GOLDEN_HOUR),
            "form": form,
            "can_share": can_share,
            **clocks,
        },
    )
