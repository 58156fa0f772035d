"""The child's NRM pages: their referrals (each with its reasonable grounds clock or decisions), the page that
records a new referral (for those who may change the child's case), and a referral's own page with its
clock panel and the forms for its decisions and guardian. Every page that shows the child is an audited read."""

import uuid
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.services import audit_read
from cases.nrm.access import (
    access_nrm_referral,
    access_open_case_for_nrm,
    may_change_nrm_referral,
    open_case_for_nrm,
)
from cases.nrm.clocks import nrm_clock_subject
from cases.nrm.forms import NrmDecisionForm, NrmGuardianForm, NrmReferralForm
from cases.nrm.models import NrmOutcome, NrmReferral
from cases.nrm.selectors import nrm_referrals_for_person, reasonable_grounds_clocks
from cases.nrm.services import (
    nrm_conclusive_grounds_record,
    nrm_guardian_record,
    nrm_reasonable_grounds_record,
    nrm_referral_create,
)
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.deadlines.views import clock_panel_context, clock_row
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person


def long_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day is not None else ""


@require_GET
def nrm_person_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    referrals = nrm_referrals_for_person(user=actor, person_id=person.pk)
    clocks = reasonable_grounds_clocks(referrals=referrals)
    now = timezone.now()
    rows = [
        {
            "referral": referral,
            "status": referral.status_on(timezone.localdate()),
            "clock": clock_row(clocks[referral.pk], actor, now) if referral.pk in clocks else None,
        }
        for referral in referrals
    ]
    audit_read(
        request,
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
        changes={"shown": "nrm_referrals", "count": len(rows)},
    )
    return render(
        request,
        "nrm/person.html",
        {"person": person, "rows": rows, "may_record": open_case_for_nrm(actor, person) is not None},
    )


@require_http_methods(["GET", "POST"])
def nrm_open_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Record a referral on the child's open case: only for those who may change it (404 for anyone else,
    as for a record that does not exist)."""
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    case = access_open_case_for_nrm(actor, person)
    form = NrmReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = nrm_referral_create(
                actor=actor,
                context=AuditContext.from_request(request),
                person=person,
                data=form.referral_data(),
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                "NRM referral recorded. The reasonable grounds decision is due within 5 working days: its "
                "clock is on the referral's page.",
            )
            return redirect("nrm:detail", nrm_referral_id=referral.pk)
    audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    return render(request, "nrm/referral_new.html", {"form": form, "person": person, "case": case})


FORMS = ("reasonable_grounds", "conclusive_grounds", "guardian")


def _guardian_initial(referral: NrmReferral) -> dict[str, Any]:
    return {
        "version": referral.version,
        "ictg_referred_on": referral.ictg_referred_on,
        "ictg_allocated_on": referral.ictg_allocated_on,
        "ictg_guardian_name": referral.ictg_guardian_name,
        "ictg_organisation": referral.ictg_organisation,
    }


def _cg_hint(referral: NrmReferral) -> str:
    if referral.recovery_earliest_end_on is None:
        return ""
    return (
        f"On or after {long_date(referral.recovery_earliest_end_on)}, when the recovery period ends. For "
        "example, 27 3 2026."
    )


def _record(request: HttpRequest, referral: NrmReferral, which: str, form: forms.Form) -> NrmReferral:
    """The posted form's service; a refusal raises for the caller to show in the form."""
    actor = request_actor(request)
    context = AuditContext.from_request(request)
    if which == "guardian":
        assert isinstance(form, NrmGuardianForm)
        recorded = nrm_guardian_record(
            actor=actor,
            context=context,
            referral=referral,
            expected_version=form.cleaned_data["version"],
            data=form.guardian_data(),
        )
        messages.success(request, "The guardian's details have been saved.")
        return recorded
    assert isinstance(form, NrmDecisionForm)
    if which == "reasonable_grounds":
        recorded = nrm_reasonable_grounds_record(
            actor=actor, context=context, referral=referral, data=form.decision_data()
        )
        if recorded.rg_outcome == NrmOutcome.POSITIVE:
            messages.success(
                request,
                "Positive reasonable grounds decision recorded. The recovery period runs until at least "
                f"{long_date(recorded.recovery_earliest_end_on)}.",
            )
        else:
            messages.success(request, "Negative reasonable grounds decision recorded.")
        return recorded
    recorded = nrm_conclusive_grounds_record(
        actor=actor, context=context, referral=referral, data=form.decision_data()
    )
    messages.success(request, "Conclusive grounds decision recorded.")
    return recorded


@require_http_methods(["GET", "POST"])
def nrm_detail_view(request: HttpRequest, nrm_referral_id: uuid.UUID) -> HttpResponse:
    """The referral, its clock panel and decisions; for those who may change the case, the forms that record
    the decisions (each only while it can be recorded) and the guardian."""
    actor = request_actor(request)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST" and posted not in FORMS:
        raise NotFound()
    referral = access_nrm_referral(actor, nrm_referral_id, write=request.method == "POST")
    may_change = request.method == "POST" or may_change_nrm_referral(actor, referral)
    data = request.POST if request.method == "POST" else None
    # Prefixed, so that both decisions' questions could share a page without sharing ids.
    rg_form = NrmDecisionForm(data if posted == "reasonable_grounds" else None, prefix="rg")
    cg_form = NrmDecisionForm(
        data if posted == "conclusive_grounds" else None, prefix="cg", decided_on_hint=_cg_hint(referral)
    )
    guardian_form = NrmGuardianForm(
        data if posted == "guardian" else None, initial=_guardian_initial(referral)
    )
    failed: forms.Form | None = None
    if posted:
        form = {"reasonable_grounds": rg_form, "conclusive_grounds": cg_form, "guardian": guardian_form}[
            posted
        ]
        if form.is_valid():
            try:
                _record(request, referral, posted, form)
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                return redirect("nrm:detail", nrm_referral_id=referral.pk)
        failed = form
    audit_read(request, object_type="nrm_referral", object_id=referral.pk, person_ids=[referral.person_id])
    return render(
        request,
        "nrm/referral_detail.html",
        {
            "referral": referral,
            "person": referral.person,
            "status": referral.status_on(timezone.localdate()),
            "may_change": may_change,
            # A decision's form is offered while it can be recorded, and shown again with its errors.
            "show_rg_form": may_change and (not referral.rg_outcome or posted == "reasonable_grounds"),
            "show_cg_form": may_change
            and (
                (referral.rg_outcome == NrmOutcome.POSITIVE and not referral.cg_outcome)
                or posted == "conclusive_grounds"
            ),
            "rg_form": rg_form,
            "cg_form": cg_form,
            "guardian_form": guardian_form,
            "form": failed,
            **clock_panel_context(actor, nrm_clock_subject(referral)),
        },
    )
