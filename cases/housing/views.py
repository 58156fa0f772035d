"""The housing pages: a child's housing (the family's applications and the Social Needs Panel referrals, with
the forms to record each), one application (moved on as it progresses) and one referral (its panel and
outcome). Readers of the child's open case see them; those who may change the case record on them; anyone
else gets the same 404 as for a record that does not exist. Every look is audited."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.services import audit_read
from cases.child_records import child_open_case, reader
from cases.housing.access import access_housing_application, access_snp_referral
from cases.housing.forms import (
    HousingApplicationForm,
    HousingApplicationUpdateForm,
    SnpReferralForm,
    SnpReferralUpdateForm,
)
from cases.housing.selectors import housing_applications, snp_referrals
from cases.housing.services import (
    housing_application_record,
    housing_application_update,
    snp_referral_record,
    snp_referral_update,
)
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.people.access import access_person

APPLICATION_PREFIX = "application"
REFERRAL_PREFIX = "referral"


@require_http_methods(["GET", "POST"])
def housing_person_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = reader(request.user)
    found = child_open_case(actor, person_id)
    if found is None:
        # A person the reader may see, with no open case they may see: say so, show nothing of the record.
        person = access_person(actor, person_id)
        if request.method == "POST":
            raise NotFound()
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
        return render(request, "housing/no_case.html", {"person": person})
    case = found.record
    person = case.person
    application_form = HousingApplicationForm(prefix=APPLICATION_PREFIX)
    referral_form = SnpReferralForm(prefix=REFERRAL_PREFIX)
    bound: Form | None = None
    if request.method == "POST":
        if not found.may_change:
            raise NotFound()
        audit = AuditContext.from_request(request)
        which = request.POST.get("form")
        if which == APPLICATION_PREFIX:
            bound = application_form = HousingApplicationForm(request.POST, prefix=APPLICATION_PREFIX)
            if application_form.is_valid():
                try:
                    housing_application_record(
                        actor=actor, context=audit, case=case, **application_form.cleaned_data
                    )
                except (ApplicationError, ValidationError) as error:
                    form_errors_from(application_form, error)
                else:
                    messages.success(request, "The housing application has been recorded.")
                    return redirect("housing:person", person_id=person.pk)
        elif which == REFERRAL_PREFIX:
            bound = referral_form = SnpReferralForm(request.POST, prefix=REFERRAL_PREFIX)
            if referral_form.is_valid():
                try:
                    snp_referral_record(actor=actor, context=audit, case=case, **referral_form.cleaned_data)
                except (ApplicationError, ValidationError) as error:
                    form_errors_from(referral_form, error)
                else:
                    messages.success(request, "The referral to the Social Needs Panel has been recorded.")
                    return redirect("housing:person", person_id=person.pk)
        else:
            raise NotFound()
    # Drawn again after a mistake too: every page that shows the child is a look at the record.
    audit_read(request, object_type="housing", object_id=person.pk, person_ids=[person.pk])
    return render(
        request,
        "housing/person.html",
        {
            "person": person,
            "case": case,
            "may_change": found.may_change,
            "applications": housing_applications(person_id=person.pk),
            "referrals": snp_referrals(person_id=person.pk),
            "application_form": application_form,
            "referral_form": referral_form,
            # The error summary's and the page title's.
            "form": bound,
        },
    )


@require_http_methods(["GET", "POST"])
def housing_application_view(request: HttpRequest, housing_application_id: uuid.UUID) -> HttpResponse:
    actor = reader(request.user)
    found = access_housing_application(actor, housing_application_id)
    application = found.record
    form = HousingApplicationUpdateForm(initial=HousingApplicationUpdateForm.initial_from(application))
    if request.method == "POST":
        if not found.may_change:
            raise NotFound()
        form = HousingApplicationUpdateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                housing_application_update(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    application=application,
                    expected_version=data.pop("version"),
                    **data,
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "The housing application has been updated.")
                return redirect("housing:application", housing_application_id=application.pk)
    audit_read(
        request,
        object_type="housing_application",
        object_id=application.pk,
        person_ids=[application.person_id],
    )
    return render(
        request,
        "housing/application.html",
        {
            "application": application,
            "person": application.person,
            "may_change": found.may_change,
            "form": form if request.method == "POST" else None,
            "update_form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def snp_referral_view(request: HttpRequest, snp_referral_id: uuid.UUID) -> HttpResponse:
    actor = reader(request.user)
    found = access_snp_referral(actor, snp_referral_id)
    referral = found.record
    form = SnpReferralUpdateForm(initial=SnpReferralUpdateForm.initial_from(referral))
    if request.method == "POST":
        if not found.may_change:
            raise NotFound()
        form = SnpReferralUpdateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                snp_referral_update(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    referral=referral,
                    expected_version=data.pop("version"),
                    **data,
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "The referral has been updated.")
                return redirect("housing:referral", snp_referral_id=referral.pk)
    audit_read(
        request,
        object_type="social_needs_panel_referral",
        object_id=referral.pk,
        person_ids=[referral.person_id],
    )
    return render(
        request,
        "housing/referral.html",
        {
            "referral": referral,
            "person": referral.person,
            "may_change": found.may_change,
            "form": form if request.method == "POST" else None,
            "update_form": form,
        },
    )
