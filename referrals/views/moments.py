"""Reachable moments recorded on a referral, and health's emergency department attendances for violence,
which reach the MASH as referrals."""

import uuid

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from referrals.access import access_referral, is_health_practitioner
from referrals.moment_forms import EmergencyAttendanceForm, ReachableMomentForm
from referrals.services import emergency_attendance_record_from, reachable_moment_record
from referrals.services.moments import MOMENT_FIELDS
from referrals.views._common import audit_referral_viewed
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import reads_case_data, request_actor
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import CASE_WORKER_ROLES


@require_http_methods(["GET", "POST"])
def moment_create_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = access_referral(request.user, referral_id)
    actor = request_actor(request)
    if not actor.has_any_role(*CASE_WORKER_ROLES):
        raise NotFound()
    audit_referral_viewed(request, referral)
    form = ReachableMomentForm(request.POST or None, initial={"occurred_at": timezone.now()})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in MOMENT_FIELDS}
        try:
            reachable_moment_record(
                actor=actor,
                context=AuditContext.from_request(request),
                referral=referral,
                kind=form.cleaned_data["kind"],
                data=data,
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Reachable moment recorded.")
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request, "referrals/moment_new.html", {"form": form, "referral": referral, "person": referral.person}
    )


def _health_practitioner(user: User | AnonymousUser) -> User:
    """Health's emergency department page: its practitioners only; anyone else gets 404."""
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    if not is_health_practitioner(user):
        raise NotFound()
    return user


@require_http_methods(["GET", "POST"])
def emergency_attendance_view(request: HttpRequest) -> HttpResponse:
    actor = _health_practitioner(request.user)
    form = EmergencyAttendanceForm(
        request.POST or None, initial={"attended_at": timezone.now(), "idempotency_key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            referral = emergency_attendance_record_from(
                actor=actor,
                context=AuditContext.from_request(request),
                data=cleaned,
                idempotency_key=cleaned["idempotency_key"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"Sent to the MASH as a referral about {referral.person.full_name}.")
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(request, "referrals/emergency_attendance.html", {"form": form})
