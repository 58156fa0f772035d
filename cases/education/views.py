"""The education pages: a child's education (current status, history, school place applications, and the forms
to record a change and an application), one entry of the history (with its correction), and one application
(with its outcome). Readers of the child's open case see them; those who may change the case record on them;
anyone else gets the same 404 as for a record that does not exist. Every look is audited."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.services import audit_read
from cases.child_records import child_open_case, reader
from cases.education.access import access_education_change, access_school_place_application
from cases.education.clocks import EDUCATION_CHANGE_SUBJECT, SCHOOL_PLACE_SUBJECT
from cases.education.forms import (
    EducationChangeForm,
    EducationCorrectionForm,
    SchoolPlaceApplicationForm,
    SchoolPlaceOutcomeForm,
)
from cases.education.models import OFF_ROLL_STATUSES, EducationChange, RollLeftAlert, SchoolPlaceApplication
from cases.education.selectors import corrected_by, education_history, school_place_applications
from cases.education.services import (
    EducationChangeRecorded,
    education_change_record,
    school_place_application_record,
    school_place_outcome_record,
)
from cases.models import Case
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.deadlines.subjects import ClockSubject
from safeguarding.deadlines.views import clock_panel_context
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person

CHANGE_PREFIX = "change"
TOLD_ANYONE = (RollLeftAlert.TOLD, RollLeftAlert.OWNER_ONLY)
APPLICATION_PREFIX = "application"


def _told(request: HttpRequest, recorded: EducationChangeRecorded, case: Case) -> None:
    """Say who the change told, once, as it is saved (the history keeps saying it on the entry)."""
    change = recorded.change
    if not recorded.created:
        messages.success(request, "This change was already recorded. No one has been told again.")
        return
    messages.success(request, "The change has been recorded.")
    owner = (
        f"The case owner, {case.allocated_worker.get_full_name() or case.allocated_worker.username},"
        if case.allocated_worker
        else f"The case's lead agency, {case.lead_agency.name} (no worker is allocated),"
    )
    if change.alert == RollLeftAlert.TOLD:
        assert recorded.education_agency is not None
        messages.success(
            request,
            f"{owner} and the education lead at {recorded.education_agency.name} have been "
            "told that a child at risk has come off a school roll.",
        )
    elif change.alert == RollLeftAlert.OWNER_ONLY:
        messages.success(
            request,
            f"{owner} has been told that a child at risk has come off a school roll.",
        )
        messages.warning(
            request,
            "The education lead could not be told: there is no education agency for this authority in "
            "Reachable. Tell them yourself.",
        )
    elif change.alert == RollLeftAlert.ALREADY:
        messages.success(
            request,
            "The case owner is already following up this child leaving a school roll, so no one was told again.",
        )


@require_http_methods(["GET", "POST"])
def education_person_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = reader(request.user)
    found = child_open_case(actor, person_id)
    if found is None:
        # A person the reader may see, with no open case they may see: say so, show nothing of the record.
        person = access_person(actor, person_id)
        if request.method == "POST":
            raise NotFound()
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
        return render(request, "education/no_case.html", {"person": person})
    case = found.record
    person = case.person
    change_form = EducationChangeForm(prefix=CHANGE_PREFIX)
    application_form = SchoolPlaceApplicationForm(prefix=APPLICATION_PREFIX)
    bound: Form | None = None
    if request.method == "POST":
        if not found.may_change:
            raise NotFound()
        audit = AuditContext.from_request(request)
        which = request.POST.get("form")
        if which == CHANGE_PREFIX:
            bound = change_form = EducationChangeForm(request.POST, prefix=CHANGE_PREFIX)
            if change_form.is_valid():
                try:
                    recorded = education_change_record(
                        actor=actor, context=audit, case=case, **change_form.change_data()
                    )
                except (ApplicationError, ValidationError) as error:
                    form_errors_from(change_form, error)
                else:
                    _told(request, recorded, case)
                    return redirect("education:person", person_id=person.pk)
        elif which == APPLICATION_PREFIX:
            bound = application_form = SchoolPlaceApplicationForm(request.POST, prefix=APPLICATION_PREFIX)
            if application_form.is_valid():
                try:
                    school_place_application_record(
                        actor=actor, context=audit, case=case, **application_form.cleaned_data
                    )
                except (ApplicationError, ValidationError) as error:
                    form_errors_from(application_form, error)
                else:
                    messages.success(request, "The school place application has been recorded.")
                    return redirect("education:person", person_id=person.pk)
        else:
            raise NotFound()
    # Drawn again after a mistake too: every page that shows the child is a look at the record.
    audit_read(request, object_type="education", object_id=person.pk, person_ids=[person.pk])
    history = education_history(person_id=person.pk)
    return render(
        request,
        "education/person.html",
        {
            "person": person,
            "case": case,
            "may_change": found.may_change,
            "history": history,
            "current": history.current,
            "rows": [(entry, corrected_by(entry)) for entry in history.entries],
            "applications": school_place_applications(person_id=person.pk),
            "off_roll": OFF_ROLL_STATUSES,
            "today": timezone.localdate(),
            "change_form": change_form,
            "application_form": application_form,
            # The error summary's and the page title's.
            "form": bound,
        },
    )


def _clock_panel(
    actor: User, subject_type: str, record: EducationChange | SchoolPlaceApplication
) -> dict[str, Any]:
    subject = ClockSubject(
        subject_type=subject_type,
        subject_id=record.pk,
        label="",
        person_ids=(record.person_id,),
        case_id=record.case_id,
        case_label=record.person.full_name,
    )
    return clock_panel_context(actor, subject)


@require_http_methods(["GET", "POST"])
def education_change_view(request: HttpRequest, education_change_id: uuid.UUID) -> HttpResponse:
    """One entry of the history: what it said, what it corrected or was corrected by, and (for those who may
    record, while it stands) the form to correct it."""
    actor = reader(request.user)
    found = access_education_change(actor, education_change_id)
    entry = found.record
    correction = corrected_by(entry)
    may_correct = found.may_change and correction is None
    form = EducationCorrectionForm(initial=EducationCorrectionForm.initial_from(entry))
    if request.method == "POST":
        if not may_correct:
            raise NotFound()
        form = EducationCorrectionForm(request.POST)
        if form.is_valid():
            case = child_open_case(actor, entry.person_id, write=True)
            if case is None:
                raise NotFound()
            try:
                recorded = education_change_record(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    case=case.record,
                    corrects=entry,
                    correction_reason=form.cleaned_data["correction_reason"],
                    **form.change_data(),
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                _told(request, recorded, case.record)
                return redirect("education:person", person_id=entry.person_id)
    audit_read(request, object_type="education_change", object_id=entry.pk, person_ids=[entry.person_id])
    return render(
        request,
        "education/change.html",
        {
            "entry": entry,
            "person": entry.person,
            "correction": correction,
            "may_correct": may_correct,
            "form": form if request.method == "POST" else None,
            "correction_form": form,
            # Only a change that told someone has a clock (two queries: the clocks and their history).
            **(_clock_panel(actor, EDUCATION_CHANGE_SUBJECT, entry) if entry.alert in TOLD_ANYONE else {}),
        },
    )


@require_http_methods(["GET", "POST"])
def school_place_application_view(request: HttpRequest, school_application_id: uuid.UUID) -> HttpResponse:
    """One application: its dates, its clock, and (for those who may record, until decided) its outcome."""
    actor = reader(request.user)
    found = access_school_place_application(actor, school_application_id)
    application = found.record
    may_decide = found.may_change and not application.is_decided
    form = SchoolPlaceOutcomeForm(initial={"version": application.version})
    if request.method == "POST":
        if not may_decide:
            raise NotFound()
        form = SchoolPlaceOutcomeForm(request.POST)
        if form.is_valid():
            try:
                school_place_outcome_record(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    application=application,
                    expected_version=form.cleaned_data["version"],
                    outcome=form.cleaned_data["outcome"],
                    outcome_on=form.cleaned_data["outcome_on"],
                    outcome_note=form.cleaned_data["outcome_note"],
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "The outcome has been recorded.")
                return redirect("education:application", school_application_id=application.pk)
    audit_read(
        request,
        object_type="school_place_application",
        object_id=application.pk,
        person_ids=[application.person_id],
    )
    return render(
        request,
        "education/application.html",
        {
            "application": application,
            "person": application.person,
            "may_decide": may_decide,
            "form": form if request.method == "POST" else None,
            "outcome_form": form,
            **_clock_panel(actor, SCHOOL_PLACE_SUBJECT, application),
        },
    )
