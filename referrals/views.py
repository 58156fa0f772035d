"""Pages for the MASH front door: intake (search before create), custody bookings and the Golden Hour,
information gathering, the decision, urgent response, the Daily Risk Management meeting and the queues.

Every page that shows a person's data writes one audit row (VIEW on an object page, LIST with the people shown
on a list). Writes go through referrals.services; a refusal is shown in the GOV.UK error summary and nothing
is saved. Reads are scoped to the user by the access layer (referrals.access, organisations.access)."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from referrals.access import access_information_request_to_answer, access_referral
from referrals.choices import Concern, DecisionOutcome, DrmItemKind, ReachableMomentKind, ReferralStatus
from referrals.forms import (
    NEW_PERSON,
    CustodyBookingForm,
    DecisionForm,
    DrmOutcomeForm,
    InformationAnswerForm,
    InformationShareForm,
    MomentsForm,
    PersonChoiceForm,
    PersonSearchForm,
    RateForm,
    ReferralForm,
    UrgentContactForm,
)
from referrals.models import CustodyBooking, DrmItem, InformationRequest, MashDecision, Referral
from referrals.selectors import (
    CUSTODY_SUBJECT,
    REFERRAL_SORTS,
    REFERRAL_SUBJECT,
    REQUEST_SUBJECT,
    agencies_asked,
    authority_agencies,
    breached_referral_clocks,
    drm_items,
    information_answers_visible_to,
    information_requests_awaiting_answer,
    information_requests_for,
    referral_queue,
    referrals_for_drm,
    request_clocks,
    urgent_response_clocks,
)
from referrals.services import (
    MASH_ROLES,
    custody_booking_create,
    drm_outcome_record,
    information_request_answer,
    information_share_record,
    mash_decision_record,
    referral_create,
    referral_rate,
    urgent_contact_record,
)
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.pagination import paginate
from safeguarding.deadlines.access import ClockSubject
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.views import ClockRow, clock_panel_context, clock_row
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import Role
from safeguarding.people.access import access_person
from safeguarding.people.forms import PersonForm
from safeguarding.people.models import Person
from safeguarding.people.selectors import PersonSearchResult, person_search

# Clocks met by recording the work itself (the share with custody, the decision, the answer, the contact),
# so their panels offer no bare "Record as met": a clock met without the record would hide that it is missing.
MET_BY_RECORDED_WORK = frozenset(
    {
        PolicyCode.GOLDEN_HOUR,
        PolicyCode.MASH_DECISION,
        PolicyCode.URGENT_RESPONSE,
        PolicyCode.INFORMATION_REQUEST_RED,
        PolicyCode.INFORMATION_REQUEST_AMBER,
        PolicyCode.INFORMATION_REQUEST_GREEN,
    }
)
URGENT_QUEUE_ROLES = (Role.URGENT_RESPONSE_WORKER, *MASH_ROLES)
URGENT_CONTACT_ROLES = (Role.URGENT_RESPONSE_WORKER, Role.MASH_MANAGER)
REFERRAL_SORT_LABELS = {
    "-received": "Newest first",
    "received": "Oldest first",
    "name": "Last name A to Z",
    "-name": "Last name Z to A",
}


# --- Helpers -------------------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _audit(
    request: HttpRequest,
    *,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID | None,
    person_ids: list[uuid.UUID],
) -> None:
    audit_event_record(
        actor=_actor(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=sorted(set(person_ids), key=str),
        context=AuditContext.from_request(request),
    )


def _has_any_role(user: User, roles: tuple[Role, ...]) -> bool:
    return any(user.has_role(role) for role in roles)


def _require_roles(user: User | Any, roles: tuple[Role, ...]) -> User:
    """Pages for some roles only. Anyone else gets the same 404 as for a page that does not exist."""
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    if not _has_any_role(user, roles):
        raise NotFound()
    return user


def _access_referral_to_manage(user: User | Any, referral_id: uuid.UUID) -> Referral:
    """The MASH's own pages on a referral (rate, decide): its practitioners and managers only."""
    referral = access_referral(user, referral_id, write=True)
    assert isinstance(user, User)
    if not _has_any_role(user, MASH_ROLES):
        raise NotFound()
    return referral


def _can_manage(user: User, referral: Referral) -> bool:
    """The rule the services apply (a MASH role) on the agency the access layer lets change the referral."""
    return user.agency_id == referral.mash_agency_id and _has_any_role(user, MASH_ROLES)


def _related_or_none(instance: Referral, name: str) -> Any:
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def _show_errors(
    form: BaseForm,
    error: ValidationError | ApplicationError,
    *,
    aliases: dict[str, str] | None = None,
    person_form: BaseForm | None = None,
) -> None:
    """A service's refusal in the form's error summary. Model field names become the form fields that hold
    them (received_at -> received_at_day), so each error links to an input."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, field_errors in error.message_dict.items():
        target = (aliases or {}).get(name, name)
        for message in field_errors:
            if target in form.fields:
                form.add_error(target, message)
            elif person_form is not None and name in person_form.fields:
                person_form.add_error(name, message)
            else:
                form.add_error(None, message)


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


def _to_the_minute(entered: datetime, start: datetime) -> datetime:
    """Forms take times to the minute, so "now" typed in the same minute as the clock started reads as a
    moment before it. A time in the start's own minute is taken as the start itself; any earlier minute is
    left for the service to refuse."""
    if start.replace(second=0, microsecond=0) <= entered < start:
        return start
    return entered


def _concern_labels(referral: Referral) -> list[str]:
    return [Concern(concern).label for concern in referral.concerns]


# --- Clocks --------------------------------------------------------------------------------------------------


def _clock_subject(subject_type: str, subject_id: uuid.UUID, referral: Referral) -> ClockSubject:
    person = referral.person
    return ClockSubject(
        subject_type=subject_type,
        subject_id=subject_id,
        case=referral.case,
        label=f"{person.given_name} {person.family_name[:1]}.",
        person_ids=(referral.person_id,),
    )


def _clock_panel(user: User, subject: ClockSubject, refresh_url: str) -> dict[str, Any]:
    """templates/deadlines/_clock_panel.html's context for a referral's subject. It refreshes through the
    referral's own route, so everyone who may see the referral sees its clocks (the deadlines route lets only
    the owning agency see a clock with no case)."""
    context = clock_panel_context(user, subject)
    for row in context["open_clocks"]:
        if row.deadline.policy in MET_BY_RECORDED_WORK:
            row.can_meet = False
    context["clocks_actionable"] = any(row.has_actions for row in context["open_clocks"])
    context["clock_panel_url"] = refresh_url
    return context


def _audit_referral_viewed(request: HttpRequest, referral: Referral) -> None:
    _audit(
        request,
        action=AuditAction.VIEW,
        object_type="referral",
        object_id=referral.pk,
        person_ids=[referral.person_id],
    )


def _audited_clock_panel(
    request: HttpRequest, referral: Referral, subject_type: str, subject_id: uuid.UUID, refresh_url: str
) -> dict[str, Any]:
    """A look at a subject's clocks is a look at the person's record: audit it, then build the panel."""
    _audit(
        request,
        action=AuditAction.VIEW,
        object_type=subject_type,
        object_id=subject_id,
        person_ids=[referral.person_id],
    )
    return _clock_panel(_actor(request), _clock_subject(subject_type, subject_id, referral), refresh_url)


def _panel_row(context: dict[str, Any], policy: PolicyCode) -> ClockRow | None:
    rows: list[ClockRow] = [*context["open_clocks"], *context["closed_clocks"]]
    return next((row for row in rows if row.deadline.policy == policy), None)


def _request_clock_rows(user: User, requests: list[InformationRequest]) -> dict[uuid.UUID, ClockRow]:
    """Each information request's clock, for the completeness view and the agency's queue: one query."""
    if not requests:
        return {}
    now = timezone.now()
    clocks = request_clocks(request_ids=[request.pk for request in requests])
    return {clock.subject_id: clock_row(clock, user, now) for clock in clocks}


@dataclass(frozen=True)
class RequestRow:
    request: InformationRequest
    clock: ClockRow | None


def _completeness(user: User | None, requests: list[InformationRequest]) -> dict[str, Any]:
    """The completeness view's context: who has and has not answered, with each request's clock if `user`."""
    clocks = _request_clock_rows(user, requests) if user is not None else {}
    return {
        "request_rows": [RequestRow(request, clocks.get(request.pk)) for request in requests],
        "answered_count": sum(1 for request in requests if request.answered_at is not None),
        "show_clocks": user is not None,
    }


@require_GET
def referral_clocks_view(request: HttpRequest, referral_id: uuid.UUID, subject: str) -> HttpResponse:
    """The clock panel alone, for htmx to refresh: the referral's clocks, or its custody booking's."""
    referral = access_referral(request.user, referral_id)
    subject_id = referral.pk
    if subject == CUSTODY_SUBJECT:
        booking = _related_or_none(referral, "custody_booking")
        if booking is None:
            raise NotFound()
        subject_id = booking.pk
    context = _audited_clock_panel(request, referral, subject, subject_id, request.path)
    return render(request, "deadlines/_clock_panel.html", context)


@require_GET
def request_clocks_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    info_request, _ = _access_information_request(request.user, request_id)
    context = _audited_clock_panel(
        request, info_request.referral, REQUEST_SUBJECT, info_request.pk, request.path
    )
    return render(request, "deadlines/_clock_panel.html", context)


# --- The MASH referral list ----------------------------------------------------------------------------------


@require_GET
def referral_list_view(request: HttpRequest) -> HttpResponse:
    if not reads_case_data(request.user):
        raise NotFound()
    actor = _actor(request)
    status = request.GET.get("status", "open")
    if status not in ReferralStatus.values and status not in ("open", "all"):
        status = "open"
    sort = request.GET.get("sort", "-received")
    if sort not in REFERRAL_SORTS:
        sort = "-received"
    context = paginate(request, referral_queue(user=actor, status=status, sort=sort))
    referrals: list[Referral] = list(context["page_obj"].object_list)
    if referrals:
        _audit(
            request,
            action=AuditAction.LIST,
            object_type="referral",
            object_id=None,
            person_ids=[referral.person_id for referral in referrals],
        )
    status_choices = [("open", "Open (received or gathering)"), *ReferralStatus.choices, ("all", "All")]
    context.update(
        {
            "referrals": referrals,
            "status": status,
            "status_label": dict(status_choices)[status],
            "status_choices": status_choices,
            "sort": sort,
            "sort_choices": list(REFERRAL_SORT_LABELS.items()),
            "can_create": _has_any_role(actor, MASH_ROLES),
            "can_see_urgent_queue": _has_any_role(actor, URGENT_QUEUE_ROLES),
        }
    )
    return render(request, "referrals/referral_list.html", context)


# --- Intake: search before create ----------------------------------------------------------------------------

SEARCH_PARAMS = ("name", "date_of_birth", "nhs_number")


@dataclass
class IntakeKind:
    title: str
    form_class: type[ReferralForm] | type[CustodyBookingForm]
    url_name: str
    button: str


INTAKE_KINDS = {
    "referral": IntakeKind("Record a referral", ReferralForm, "referrals:create", "Save referral"),
    "custody": IntakeKind(
        "Record a custody booking", CustodyBookingForm, "referrals:custody-create", "Save custody booking"
    ),
}


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
            _audit(
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
    if request.GET.get("date_of_birth"):
        initial["date_of_birth"] = request.GET["date_of_birth"]
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
    now = timezone.now()
    if request.method == "POST":
        form = kind.form_class(request.POST, agencies=agencies)
    else:
        moment = "received_at" if kind.form_class is ReferralForm else "booked_in_at"
        initial = {"idempotency_key": uuid.uuid4().hex, **MomentsForm.initial_for(moment, now)}
        form = kind.form_class(initial=initial, agencies=agencies)
    if request.method == "POST":
        forms_valid = form.is_valid()
        person_valid = person_form.is_valid() if person_form is not None else True
        if forms_valid and person_valid:
            referral = _intake_save(request, actor, form, person, person_form)
            if referral is not None:
                if isinstance(form, CustodyBookingForm):
                    messages.success(
                        request, "The custody booking has been recorded. The Golden Hour has started."
                    )
                    return redirect("referrals:custody", referral_id=referral.pk)
                messages.success(request, "The referral has been recorded.")
                return redirect("referrals:detail", referral_id=referral.pk)
    if person is not None:
        _audit(
            request,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
        )
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
        _show_errors(
            form,
            error,
            aliases={"received_at": "received_at_day", "booked_in_at": "booked_in_at_day"},
            person_form=person_form,
        )
        return None


@require_http_methods(["GET", "POST"])
def intake_view(request: HttpRequest, kind: str) -> HttpResponse:
    """Search before create, then the details. Only MASH practitioners and managers record referrals."""
    actor = _require_roles(request.user, MASH_ROLES)
    spec = INTAKE_KINDS[kind]
    choice = (request.POST.get("person") if request.method == "POST" else request.GET.get("person")) or ""
    if choice:
        return _intake_details(request, actor, spec, choice)
    if request.method == "POST":
        raise NotFound()
    return _intake_search(request, actor, spec)


# --- The referral --------------------------------------------------------------------------------------------


@require_GET
def referral_detail_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = access_referral(request.user, referral_id)
    actor = _actor(request)
    _audit_referral_viewed(request, referral)
    requests = information_requests_for(referral=referral)
    can_manage = _can_manage(actor, referral)
    clocks = _clock_panel(
        actor,
        _clock_subject(REFERRAL_SUBJECT, referral.pk, referral),
        reverse("referrals:clocks", kwargs={"referral_id": referral.pk}),
    )
    urgent_row = _panel_row(clocks, PolicyCode.URGENT_RESPONSE)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "person": referral.person,
            "concern_labels": _concern_labels(referral),
            "booking": _related_or_none(referral, "custody_booking"),
            "decision": _related_or_none(referral, "decision"),
            **_completeness(actor, requests),
            "answers": information_answers_visible_to(user=actor, referral=referral),
            "moments": list(referral.reachable_moments.select_related("recorded_by")),
            "can_manage": can_manage,
            "can_see_urgent": urgent_row is not None and referral.mash_agency_id == actor.agency_id,
            **clocks,
        },
    )


@require_http_methods(["GET", "POST"])
def custody_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The custody booking, the Golden Hour with the time left, and what the MASH shared with custody (which
    meets the Golden Hour)."""
    referral = access_referral(request.user, referral_id)
    booking: CustodyBooking | None = _related_or_none(referral, "custody_booking")
    if booking is None:
        raise NotFound()
    actor = _actor(request)
    can_share = _can_manage(actor, referral)
    if request.method == "POST" and not can_share:
        raise NotFound()
    form = InformationShareForm(
        request.POST if request.method == "POST" else None,
        initial=MomentsForm.initial_for("shared_at", timezone.now()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            information_share_record(
                actor=actor,
                context=AuditContext.from_request(request),
                booking=booking,
                shared_at=_to_the_minute(form.cleaned_data["shared_at"], booking.booked_in_at),
                shared_with=form.cleaned_data["shared_with"],
                summary=form.cleaned_data["summary"],
            )
        except (ValidationError, ApplicationError) as error:
            _show_errors(form, error, aliases={"shared_at": "shared_at_day"})
        else:
            messages.success(request, "What you shared with custody has been recorded.")
            return redirect("referrals:custody", referral_id=referral.pk)
    clocks = _audited_clock_panel(
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
            "golden_hour": _panel_row(clocks, PolicyCode.GOLDEN_HOUR),
            "form": form,
            "can_share": can_share,
            **clocks,
        },
    )


@require_http_methods(["GET", "POST"])
def rate_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """RAG-rate the referral and choose the agencies (housing included) to ask for their checks."""
    referral = _access_referral_to_manage(request.user, referral_id)
    actor = _actor(request)
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
            _show_errors(form, error)
        else:
            asked_now = ", ".join(request.agency.name for request in created) or "no new agencies"
            messages.success(
                request, f"Rated {referral.get_rag_rating_display().lower()}. Asked: {asked_now}."
            )
            return redirect("referrals:detail", referral_id=referral.pk)
    if request.method == "POST" and decided:
        form.add_error(None, "This referral has been decided; it can no longer be rated.")
    _audit_referral_viewed(request, referral)
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
def decision_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The MASH decision and its rationale. 'Urgent response' starts the 48-hour clock."""
    referral = _access_referral_to_manage(request.user, referral_id)
    actor = _actor(request)
    decision: MashDecision | None = _related_or_none(referral, "decision")
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
            _show_errors(form, error)
        else:
            message = f"Decision recorded: {made.get_outcome_display()}."
            if made.outcome == DecisionOutcome.URGENT_RESPONSE:
                message += " The 48-hour urgent response clock has started."
            messages.success(request, message)
            return redirect("referrals:detail", referral_id=referral.pk)
    _audit_referral_viewed(request, referral)
    requests = information_requests_for(referral=referral)
    return render(
        request,
        "referrals/decision.html",
        {
            "referral": referral,
            "person": referral.person,
            "decision": decision,
            "form": form,
            **_completeness(None, requests),
        },
    )


@require_http_methods(["GET", "POST"])
def urgent_contact_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The urgent response: its 48-hour clock, and the first direct contact with the child (which meets it)."""
    referral = access_referral(request.user, referral_id, write=True)
    actor = _actor(request)
    clocks = _clock_panel(
        actor,
        _clock_subject(REFERRAL_SUBJECT, referral.pk, referral),
        reverse("referrals:clocks", kwargs={"referral_id": referral.pk}),
    )
    urgent = _panel_row(clocks, PolicyCode.URGENT_RESPONSE)
    open_urgent = urgent is not None and urgent.is_open
    can_record = _has_any_role(actor, URGENT_CONTACT_ROLES) and open_urgent
    form = UrgentContactForm(
        request.POST if request.method == "POST" else None,
        initial=MomentsForm.initial_for("occurred_at", timezone.now()),
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
                occurred_at=_to_the_minute(form.cleaned_data["occurred_at"], urgent.deadline.started_at),
                method=form.cleaned_data["method"],
                support_offered=form.cleaned_data["support_offered"],
                support_accepted=form.cleaned_data["support_accepted"],
            )
        except (ValidationError, ApplicationError) as error:
            _show_errors(form, error, aliases={"occurred_at": "occurred_at_day"})
        else:
            messages.success(request, "The contact has been recorded. The urgent response clock is met.")
            return redirect("referrals:urgent-contact", referral_id=referral.pk)
    _audit_referral_viewed(request, referral)
    return render(
        request,
        "referrals/urgent_contact.html",
        {
            "referral": referral,
            "person": referral.person,
            "urgent": urgent,
            "can_record": can_record,
            "is_urgent_worker": _has_any_role(actor, URGENT_CONTACT_ROLES),
            "moments": list(
                referral.reachable_moments.filter(kind=ReachableMomentKind.URGENT_RESPONSE).select_related(
                    "recorded_by"
                )
            ),
            "form": form,
            **clocks,
        },
    )


# --- Information requests: the agency's queue and its answer -------------------------------------------------


def _access_information_request(user: User | Any, request_id: uuid.UUID) -> tuple[InformationRequest, bool]:
    """A request, and whether the user's agency is the one asked (and so may answer it). The agency asked
    sees its request; the MASH that asked sees every request of its referral; anyone else gets 404."""
    try:
        return access_information_request_to_answer(user, request_id), True
    except NotFound:
        pass
    info_request = (
        InformationRequest.objects.select_related("referral", "agency", "answered_by")
        .filter(pk=request_id)
        .first()
    )
    if info_request is None:
        raise NotFound()
    # Authorised through the referral, which also brings the person, the MASH and the case.
    info_request.referral = access_referral(user, info_request.referral_id, write=True)
    return info_request, False


@require_GET
def request_queue_view(request: HttpRequest) -> HttpResponse:
    """The user's agency's unanswered information requests, oldest first, each with its clock."""
    if not reads_case_data(request.user):
        raise NotFound()
    actor = _actor(request)
    assert actor.agency is not None
    context = paginate(request, information_requests_awaiting_answer(user=actor))
    requests: list[InformationRequest] = list(context["page_obj"].object_list)
    if requests:
        _audit(
            request,
            action=AuditAction.LIST,
            object_type=REQUEST_SUBJECT,
            object_id=None,
            person_ids=[info_request.referral.person_id for info_request in requests],
        )
    clock_rows = _request_clock_rows(actor, requests)
    context.update({"rows": [(info_request, clock_rows.get(info_request.pk)) for info_request in requests]})
    return render(request, "referrals/request_queue.html", context)


@require_http_methods(["GET", "POST"])
def request_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """One information request: what was asked about whom and its clock; the agency asked answers it here,
    choosing who else may read the answer."""
    info_request, answering = _access_information_request(request.user, request_id)
    referral = info_request.referral
    actor = _actor(request)
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
            )
        except (ValidationError, ApplicationError) as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Your agency's answer has been sent to the MASH.")
            return redirect("referrals:requests")
    clocks = _audited_clock_panel(
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
            "concern_labels": _concern_labels(referral),
            "answering": answering,
            "can_answer": can_answer,
            "shared_with": list(info_request.answer_shared_with.order_by("name"))
            if info_request.answered_at
            else [],
            "form": form,
            **clocks,
        },
    )


# --- Urgent response worker's queue --------------------------------------------------------------------------


@require_GET
def urgent_queue_view(request: HttpRequest) -> HttpResponse:
    """Open urgent response clocks of the user's agency, soonest due first."""
    actor = _require_roles(request.user, URGENT_QUEUE_ROLES)
    assert actor.agency is not None
    now = timezone.now()
    rows = [
        (clock_row(clock, actor, now), referral) for clock, referral in urgent_response_clocks(user=actor)
    ]
    if rows:
        _audit(
            request,
            action=AuditAction.LIST,
            object_type="referral",
            object_id=None,
            person_ids=[referral.person_id for _, referral in rows],
        )
    return render(request, "referrals/urgent_queue.html", {"rows": rows, "now_iso": now.isoformat()})


# --- Daily Risk Management meeting ---------------------------------------------------------------------------


@dataclass
class DrmRow:
    kind: str
    referral: Referral
    form: DrmOutcomeForm
    item: DrmItem | None = None
    clocks: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{self.kind}-{self.referral.pk}"


def _meeting_date(value: str | None) -> date:
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return timezone.localdate()


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _drm_rows(
    actor: User, meeting_date: date, posted: DrmOutcomeForm | None, posted_prefix: str
) -> dict[str, list[DrmRow]]:
    assert actor.agency is not None
    local_authority_id = actor.agency.local_authority_id
    now = timezone.now()
    breached = breached_referral_clocks(local_authority_id=local_authority_id, now=now)
    items = drm_items(local_authority_id=local_authority_id, meeting_date=meeting_date)
    start, end = _local_day_bounds(meeting_date)
    wanted = {clock.referral_id for clock in breached} | {item.referral_id for item in items}  # type: ignore[attr-defined]
    referrals = {
        referral.pk: referral
        for referral in referrals_for_drm(user=actor, received_from=start, received_before=end, also=wanted)
    }
    outcomes = {(item.kind, item.referral_id): item for item in items}

    def row(kind: str, referral: Referral, clocks: list[str] | None = None) -> DrmRow:
        item = outcomes.get((kind, referral.pk))
        prefix = f"{kind}-{referral.pk}"
        form = (
            posted
            if posted is not None and prefix == posted_prefix
            else DrmOutcomeForm(
                prefix=prefix,
                initial={"referral": referral.pk, "kind": kind, "outcome": item.outcome if item else ""},
            )
        )
        label = DrmItemKind(kind).label.lower()
        form.fields["outcome"].label = f"Outcome agreed for {referral.person.full_name} ({label})"
        return DrmRow(kind=kind, referral=referral, form=form, item=item, clocks=clocks or [])

    new = sorted(
        (referral for referral in referrals.values() if start <= referral.received_at < end),
        key=lambda referral: referral.received_at,
    )
    county_lines = [
        row(DrmItemKind.COUNTY_LINES, referrals[item.referral_id])
        for item in items
        if item.kind == DrmItemKind.COUNTY_LINES and item.referral_id in referrals
    ]
    breached_by_referral: dict[uuid.UUID, list[str]] = {}
    for clock in breached:
        referral_id = clock.referral_id  # type: ignore[attr-defined]
        if referral_id in referrals:
            label = clock.get_policy_display()
            breached_by_referral.setdefault(referral_id, []).append(
                f"{label}, due {timezone.localtime(clock.due_at):%-d %b %H:%M}"
            )
    return {
        "new": [row(DrmItemKind.NEW_REFERRAL, referral) for referral in new],
        "county_lines": county_lines,
        "breached": [
            row(DrmItemKind.BREACHED_CLOCK, referrals[referral_id], labels)
            for referral_id, labels in breached_by_referral.items()
        ],
    }


@require_http_methods(["GET", "POST"])
def drm_view(request: HttpRequest) -> HttpResponse:
    """The Daily Risk Management meeting: the day's new referrals, county lines reports and breached clocks,
    each with its outcome recorded at the meeting."""
    actor = _require_roles(request.user, MASH_ROLES)
    meeting_date = _meeting_date(request.GET.get("date"))
    posted: DrmOutcomeForm | None = None
    posted_prefix = ""
    if request.method == "POST":
        posted_prefix = request.POST.get("item", "")
        posted = DrmOutcomeForm(request.POST, prefix=posted_prefix)
        if posted.is_valid():
            referral = _access_referral_to_manage(actor, posted.cleaned_data["referral"])
            try:
                drm_outcome_record(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    referral=referral,
                    kind=posted.cleaned_data["kind"],
                    meeting_date=meeting_date,
                    outcome=posted.cleaned_data["outcome"],
                )
            except (ValidationError, ApplicationError) as error:
                _show_errors(posted, error)
            else:
                messages.success(request, f"Outcome recorded for {referral.person.full_name}.")
                return redirect(f"{reverse('referrals:drm')}?{urlencode({'date': meeting_date.isoformat()})}")
    sections = _drm_rows(actor, meeting_date, posted, posted_prefix)
    shown = [row.referral.person_id for rows in sections.values() for row in rows]
    if shown:
        _audit(request, action=AuditAction.LIST, object_type="drm", object_id=None, person_ids=shown)
    if posted is not None and not any(
        row.prefix == posted_prefix for rows in sections.values() for row in rows
    ):
        raise NotFound()
    return render(
        request,
        "referrals/drm.html",
        {
            "meeting_date": meeting_date,
            "is_today": meeting_date == timezone.localdate(),
            "sections": [
                ("new", "New referrals", sections["new"]),
                ("county-lines", "County lines reports", sections["county_lines"]),
                ("breached", "Breached clocks", sections["breached"]),
            ],
            "form": posted,
            "previous_date": (meeting_date - timedelta(days=1)).isoformat(),
            "next_date": (meeting_date + timedelta(days=1)).isoformat(),
        },
    )
