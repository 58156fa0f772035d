import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.selectors import audit_views_of_person
from audits.services import audit_read
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.permissions import Perm
from safeguarding.people.access import access_person
from safeguarding.people.forms import PersonForm
from safeguarding.people.sections import PersonPage, person_sections
from safeguarding.people.selectors import PERSON_SORTS, person_list
from safeguarding.people.services import person_update


def person_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    sort = request.GET.get("sort", "name")
    context = paginate(request, person_list(user=request.user, search=search, sort=sort))
    people = list(context["page_obj"].object_list)
    if people:
        audit_read(
            request,
            object_type="person",
            object_id=None,
            person_ids=[person.pk for person in people],
            action=AuditAction.LIST,
        )
    context.update({"people": people, "search": search, "sort": sort, "sorts": PERSON_SORTS})
    return render(request, "people/person_list.html", context)


@dataclass(frozen=True)
class _Link:
    label: str
    url: str


@dataclass(frozen=True)
class _SectionPart:
    template_name: str
    part: dict[str, object]


def person_detail_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    recent_views = list(audit_views_of_person(person_id=person.pk)[:20])
    can_edit = actor.has_perm(Perm.CHANGE_PERSON, person)
    # Other apps' parts of the page (the person's cases, …), registered in people.sections.
    page = PersonPage(actor=actor, person=person, can_edit=can_edit)
    sections = person_sections()
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "recent_views": recent_views,
            "can_edit": can_edit,
            "edit_actions": [
                _Link(label, reverse(url_name, kwargs={"person_id": person.pk}))
                for section in sections
                for label, url_name in section.edit_actions
            ],
            "sections": [_SectionPart(s.template_name, dict(s.context(page))) for s in sections],
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id, write=True)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "GET":
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    if request.method == "POST" and form.is_valid():
        try:
            person_update(
                actor=request_actor(request),
                person=person,
                expected_version=form.cleaned_data.get("version") or 0,
                context=AuditContext.from_request(request),
                data=form.person_data(),
            )
        except (ApplicationError, ValidationError) as error:
            # ConcurrentEditError is an ApplicationError: the stale edit is refused, not merged.
            form_errors_from(form, error)
        else:
            messages.success(request, "The record has been updated.")
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})
