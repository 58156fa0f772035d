import uuid
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.selectors import audit_views_of_person
from audits.services import audit_event_record
from cases.forms import CaseOpenForm
from cases.selectors import case_list_for_person
from cases.services import case_open
from safeguarding.common.errors import ApplicationError
from safeguarding.common.pagination import paginate
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person
from safeguarding.people.forms import PersonForm
from safeguarding.people.selectors import PERSON_SORTS, person_list
from safeguarding.people.services import person_update


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def person_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    sort = request.GET.get("sort", "name")
    context = paginate(request, person_list(user=request.user, search=search, sort=sort))
    people = list(context["page_obj"].object_list)
    if people:
        audit_event_record(
            actor=_actor(request),
            action=AuditAction.LIST,
            object_type="person",
            object_id=None,
            person_ids=[person.pk for person in people],
            context=AuditContext.from_request(request),
        )
    context.update({"people": people, "search": search, "sort": sort, "sorts": PERSON_SORTS})
    return render(request, "people/person_list.html", context)


@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    """Add a person and open their safeguarding case in one step: both are saved, or neither is."""
    person_form = PersonForm(request.POST or None, prefix="person")
    case_form = CaseOpenForm(request.POST or None, prefix="case")
    if request.method == "POST" and person_form.is_valid() and case_form.is_valid():
        try:
            case = case_open(
                actor=_actor(request),
                context=AuditContext.from_request(request),
                new_person_data=person_form.person_data(),
                data=case_form.case_data(),
            )
        except ApplicationError as error:
            person_form.add_error(None, error.message)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                target = field if field in person_form.fields else None
                for message in field_errors:
                    person_form.add_error(target, message)
        else:
            messages.success(request, f"{case.person.full_name} has been added and a case opened.")
            return redirect("people:detail", person_id=case.person_id)
    errors_form = _merged_errors(person_form, case_form)
    return render(
        request,
        "people/person_create.html",
        {"person_form": person_form, "case_form": case_form, "form": errors_form},
    )


class _MergedErrors:
    """Lets the one error summary list errors from both forms on the page, in page order."""

    def __init__(self, *forms: PersonForm | CaseOpenForm) -> None:
        self.forms = forms

    @property
    def errors(self) -> bool:
        return any(form.errors for form in self.forms)

    def non_field_errors(self) -> list[str]:
        return [str(error) for form in self.forms for error in form.non_field_errors()]

    def __iter__(self) -> Iterator[BoundField]:
        for form in self.forms:
            yield from form


def _merged_errors(*forms: PersonForm | CaseOpenForm) -> _MergedErrors:
    return _MergedErrors(*forms)


def person_detail_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = _actor(request)
    audit_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
        context=AuditContext.from_request(request),
    )
    cases = list(case_list_for_person(user=actor, person_id=person.pk))
    recent_views = list(audit_views_of_person(person_id=person.pk)[:20])
    can_edit = actor.has_perm("people.change_person", person)
    return render(
        request,
        "people/person_detail.html",
        {"person": person, "cases": cases, "recent_views": recent_views, "can_edit": can_edit},
    )


@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id, write=True)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "GET":
        audit_event_record(
            actor=_actor(request),
            action=AuditAction.VIEW,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
            context=AuditContext.from_request(request),
        )
    if request.method == "POST" and form.is_valid():
        try:
            person_update(
                actor=_actor(request),
                person=person,
                expected_version=form.cleaned_data.get("version") or 0,
                context=AuditContext.from_request(request),
                data=form.person_data(),
            )
        except (
            ApplicationError
        ) as error:  # includes ConcurrentEditError: the stale edit is refused, not merged
            form.add_error(None, error.message)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "The record has been updated.")
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})
