"""Intake: search for the child before recording a referral or a custody booking about them, so the MASH
does not make a second record of a child it already knows."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from referrals.access import mash_user
from referrals.forms import NEW_PERSON, CustodyBookingForm, PersonChoiceForm, PersonSearchForm, ReferralForm
from referrals.models import Referral
from referrals.selectors import authority_agencies
from referrals.services import custody_booking_create, referral_create
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import DATE_PARTS, form_errors_from
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person
from safeguarding.people.forms import PersonForm
from safeguarding.people.models import Person
from safeguarding.people.selectors import PersonSearchResult, person_search

# The search's parameters: the date of birth is a GOV.UK date input, so it comes as its three parts.
DATE_OF_BIRTH_PARTS = tuple(f"date_of_birth_{part}" for part in DATE_PARTS)
SEARCH_PARAMS = ("name", *DATE_OF_BIRTH_PARTS, "nhs_number")


@dataclass
class IntakeKind:
    title: str
    form_class: type[ReferralForm] | type[CustodyBookingForm]
    url_name: str
    button: str
    # The moment the form asks for, filled in with now so the practitioner changes it only if it differs.
    moment: str


INTAKE_KINDS = {
    "referral": IntakeKind(
        "Record a referral", ReferralForm, "referrals:create", "Save referral", "received_at"
    ),
    "custody": IntakeKind(
        "Record a custody booking",
        CustodyBookingForm,
        "referrals:custody-create",
        "Save custody booking",
        "booked_in_at",
    ),
}


class _MergedErrors:
    """Lets the one error summary list the errors of several forms on a page, in page order."""

    def __init__(self, *forms: BaseForm | None) -> None:
        self.forms = [form for form in forms if form is not None]

    @property
    def errors(self) -> bool:
        return any(form.errors for form in self.forms)

    def non_field_errors(self) -> list[str]:
        return [str(error) for form in self.forms for error in form.non_field_errors()]

    def __iter__(self) -> Any:
        for form in self.forms:
            yield from form


def _search_query(request: HttpRequest) -> str:
    return urlencode({key: request.GET.get(key, "") for key in SEARCH_PARAMS if request.GET.get(key)})


def _intake_search(request: HttpRequest, actor: User, kind: IntakeKind) -> HttpResponse:
    """Step one: search for the child (no JavaScript needed; htmx swaps the results in as the user types)."""
    searching = any(key in request.GET for key in (*SEARCH_PARAMS, "step"))
    search_form = PersonSearchForm(request.GET if searching else None)
    result: PersonSearchResult | None = None
    choice_form: PersonChoiceForm | None = None
    if searching and search_form.is_valid():
        result = person_search(
            user=actor,
            name=search_form.cleaned_data["name"],
            date_of_birth=search_form.cleaned_data.get("date_of_birth"),
            nhs_number=search_form.cleaned_data.get("nhs_number"),
        )
        if result.matches:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="person",
                object_id=None,
                person_ids=[match.person.pk for match in result.matches],
            )
        choice_form = PersonChoiceForm(
            request.GET if request.GET.get("step") == "choose" else None,
            allowed=[match.person.pk for match in result.matches],
        )
        if choice_form.is_bound:
            choice_form.is_valid()
    context = {
        "kind": kind,
        "search_form": search_form,
        "choice_form": choice_form,
        "result": result,
        "searched": searching and search_form.is_valid(),
        # The error summary lists the errors of whichever step the user is on.
        "form": _MergedErrors(search_form, choice_form),
        "new_person": NEW_PERSON,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "referrals/_search_results.html", context)
    return render(request, "referrals/intake_search.html", context)


def _new_person_form(request: HttpRequest) -> PersonForm:
    if request.method == "POST":
        return PersonForm(request.POST, prefix="person")
    initial: dict[str, Any] = {}
    names = request.GET.get("name", "").split()
    if names:
        initial["given_name"] = names[0]
        if len(names) > 1:
            initial["family_name"] = " ".join(names[1:])
    date_of_birth = [request.GET.get(part, "") for part in DATE_OF_BIRTH_PARTS]
    if any(date_of_birth):
        initial["date_of_birth"] = date_of_birth  # the parts as typed, for the date input to show
    if request.GET.get("nhs_number"):
        initial["nhs_number"] = request.GET["nhs_number"]
    return PersonForm(prefix="person", initial=initial)


def _intake_details(request: HttpRequest, actor: User, kind: IntakeKind, choice: str) -> HttpResponse:
    """Step two: the referral (or the custody booking) about the chosen person, or about a new person the
    practitioner has confirmed is none of those found."""
    person: Person | None = None
    person_form: PersonForm | None = None
    if choice == NEW_PERSON:
        person_form = _new_person_form(request)
    else:
        try:
            person = access_person(actor, uuid.UUID(choice))
        except ValueError as error:
            raise NotFound() from error
    agencies = authority_agencies(user=actor)
    if request.method == "POST":
        form = kind.form_class(request.POST, agencies=agencies)
    else:
        initial = {"idempotency_key": uuid.uuid4().hex, kind.moment: timezone.now()}
        form = kind.form_class(initial=initial, agencies=agencies)
    if request.method == "POST":
        forms_valid = form.is_valid()
        person_valid = person_form.is_valid() if person_form is not None else True
        if forms_valid and person_valid:
            referral = _intake_save(request, actor, form, person, person_form)
            if referral is not None:
                if isinstance(form, CustodyBookingForm):
                    messages.success(request, _golden_hour_message(referral))
                    return redirect("referrals:custody", referral_id=referral.pk)
                messages.success(request, "The referral has been recorded.")
                return redirect("referrals:detail", referral_id=referral.pk)
    if person is not None:
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    return render(
        request,
        "referrals/intake_details.html",
        {
            "kind": kind,
            "form": _MergedErrors(person_form, form),
            "details_form": form,
            "person_form": person_form,
            "person": person,
            "choice": choice,
            "search_query": _search_query(request),
            "is_custody": isinstance(form, CustodyBookingForm),
        },
    )


def _intake_save(
    request: HttpRequest,
    actor: User,
    form: ReferralForm | CustodyBookingForm,
    person: Person | None,
    person_form: PersonForm | None,
) -> Referral | None:
    context = AuditContext.from_request(request)
    new_person_data = person_form.person_data() if person_form is not None else None
    try:
        if isinstance(form, CustodyBookingForm):
            return custody_booking_create(
                actor=actor,
                context=context,
                referral_data=form.referral_data(),
                booking_data=form.booking_data(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                person=person,
                new_person_data=new_person_data,
            )
        return referral_create(
            actor=actor,
            context=context,
            data=form.referral_data(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            person=person,
            new_person_data=new_person_data,
        )
    except (ValidationError, ApplicationError) as error:
        form_errors_from(form, error, also=(person_form,))
        return None


def _golden_hour_message(referral: Referral) -> str:
    """What recording a booking did to its Golden Hour: started, or, when the booking is recorded after its
    hour had passed, already breached, and why."""
    clock = Deadline.objects.filter(
        subject_type="custody_booking", subject_id=referral.custody_booking.pk, policy=PolicyCode.GOLDEN_HOUR
    ).first()
    if clock is None or not clock.notified_late:
        return "The custody booking has been recorded. The Golden Hour has started."
    booked = timezone.localtime(clock.started_at).strftime("%-d %B %Y %H:%M")
    due = timezone.localtime(clock.due_at).strftime("%H:%M")
    return (
        f"The custody booking has been recorded, but its Golden Hour is already breached: the child was booked "
        f"in at {booked}, so the MASH needed to know by {due}, and the booking reached it later than that. "
        "Share what the MASH knows with custody now; the breach is recorded for the SLA dashboard."
    )


@require_http_methods(["GET", "POST"])
def intake_view(request: HttpRequest, kind: str) -> HttpResponse:
    """Search before create, then the details. Only MASH practitioners and managers record referrals."""
    actor = mash_user(request.user)
    spec = INTAKE_KINDS[kind]
    choice = (request.POST.get("person") if request.method == "POST" else request.GET.get("person")) or ""
    if choice:
        return _intake_details(request, actor, spec, choice)
    if request.method == "POST":
        raise NotFound()
    return _intake_search(request, actor, spec)
