"""A person's network, and a link recorded from it after searching for its other end; a link's status."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.networks.access import (
    access_context,
    access_link,
    can_record_links,
    require_reader,
)
from cases.networks.forms import (
    DIRECTION_TO_PERSON,
    ContextForm,
    EndSearchForm,
    LinkForm,
    LinkStatusForm,
)
from cases.networks.models import Context
from cases.networks.selectors import (
    context_search,
    plans_reaching,
)
from cases.networks.services import (
    context_create,
    link_add,
    link_set_status,
)
from cases.networks.views._common import network_context
from safeguarding.common.errors import ApplicationError, NotFound, PermissionRefused
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person
from safeguarding.people.forms import PersonForm
from safeguarding.people.models import CinEthnicity, EducationStatus, Person, Sex
from safeguarding.people.selectors import person_search
from safeguarding.people.services import person_create


@require_GET
def person_network_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = require_reader(request.user)
    network = network_context(request, actor, person=person)
    audit_read(
        request,
        object_type="person",
        object_id=person.pk,
        person_ids=network["graph"].visible_person_ids,
        changes={"network": True},
    )
    plans = plans_reaching(user=actor, person=person)
    return render(request, "networks/person_network.html", {"person": person, "plans": plans, **network})


def _end(actor: User, choice: str) -> Person | Context:
    kind, _, raw = choice.partition(":")
    try:
        end_id = uuid.UUID(raw)
    except ValueError as error:
        raise NotFound() from error
    if kind == "person":
        return access_person(actor, end_id)
    if kind == "context":
        return access_context(actor, end_id)
    raise NotFound()


@require_http_methods(["GET", "POST"])
def link_add_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Step one: search for the other end among the people the user may see and the authority's places and
    groups. Step two: the link, with its evidence. Nothing is saved until the second step is valid."""
    person = access_person(request.user, person_id)
    actor = require_reader(request.user)
    if not can_record_links(actor):
        raise PermissionRefused("Your role does not allow you to record networks.")
    params = request.POST if request.method == "POST" else request.GET
    choice = params.get("end", "")
    if choice:
        return _link_details(request, actor, person, _end(actor, choice), choice)
    if request.method == "POST":
        raise NotFound()
    return _link_search(request, actor, person)


def _link_search(request: HttpRequest, actor: User, person: Person) -> HttpResponse:
    searching = "q" in request.GET
    search_form = EndSearchForm(request.GET if searching else None)
    people: list[Person] = []
    contexts: list[Context] = []
    searched = searching and search_form.is_valid()
    if searched:
        query = search_form.cleaned_data["q"]
        people = [p for p in person_search(user=actor, name=query).people if p.pk != person.pk]
        contexts = list(context_search(user=actor, query=query))
        if request.GET.get("step") == "choose":
            search_form.add_error("end", "Select who or what they are linked to")
    shown = [person.pk, *(p.pk for p in people)]
    audit_read(
        request,
        action=AuditAction.LIST if people else AuditAction.VIEW,
        object_type="person",
        object_id=None if people else person.pk,
        person_ids=shown,
    )
    context = {
        "person": person,
        "search_form": search_form,
        "form": search_form,
        "searched": searched,
        "people": people,
        "contexts": contexts,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "networks/_end_results.html", context)
    return render(request, "networks/link_search.html", context)


def _link_details(
    request: HttpRequest, actor: User, person: Person, other: Person | Context, choice: str
) -> HttpResponse:
    form = LinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        a, b = (other, person) if form.cleaned_data["direction"] == DIRECTION_TO_PERSON else (person, other)
        try:
            _, created = link_add(
                actor=actor, context=AuditContext.from_request(request), a=a, b=b, data=form.link_data()
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, "The link has been recorded." if created else "This link was already recorded."
            )
            return redirect("networks:person", person_id=person.pk)
    people = [person.pk] + ([other.pk] if isinstance(other, Person) else [])
    audit_read(request, object_type="person", object_id=person.pk, person_ids=people)
    return render(
        request,
        "networks/link_add.html",
        {
            "person": person,
            "other": other,
            "other_is_person": isinstance(other, Person),
            "choice": choice,
            "form": form,
        },
    )


UNKNOWN_DETAILS = {
    "sex": Sex.UNKNOWN,
    "ethnicity": CinEthnicity.NOBT,
    "education_status": EducationStatus.NOT_KNOWN,
}


@require_http_methods(["GET", "POST"])
def link_new_end_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Searched and not found: add the peer, adult, place or group here (a person without opening a case for
    them), then go straight on to the link's details. Only offered after a search (the page links here with
    what was searched for)."""
    person = access_person(request.user, person_id)
    actor = require_reader(request.user)
    if not can_record_links(actor):
        raise PermissionRefused("Your role does not allow you to record networks.")
    params = request.POST if request.method == "POST" else request.GET
    # A person unless a place or group was asked for.
    what = "context" if params.get("what") == "context" else "person"
    query = params.get("q", "")[:100].strip()
    form: PersonForm | ContextForm
    if what == "person":
        given, _, family = query.partition(" ")
        data = None
        if request.method == "POST":
            # The short form leaves out what a practitioner rarely knows of a peer or an adult of concern; the
            # record keeps the model's "not known" for those, to be filled in on the person's page.
            data = request.POST.copy()
            for field, default in UNKNOWN_DETAILS.items():
                data.setdefault(f"new-{field}", default)
        form = PersonForm(
            data, prefix="new", initial={"given_name": given, "family_name": family, "sex": Sex.UNKNOWN}
        )
    else:
        form = ContextForm(request.POST or None, prefix="new", initial={"name": query})
    if request.method == "POST" and form.is_valid():
        audit = AuditContext.from_request(request)
        try:
            created: Person | Context = (
                person_create(actor=actor, context=audit, data=form.person_data())
                if isinstance(form, PersonForm)
                else context_create(actor=actor, context=audit, data=form.cleaned_data)
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            end = f"{'person' if isinstance(created, Person) else 'context'}:{created.pk}"
            link = reverse("networks:link-add", kwargs={"person_id": person.pk})
            return redirect(f"{link}?{urlencode({'end': end})}")
    if request.method == "GET":
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    return render(
        request,
        "networks/link_new_end.html",
        {"person": person, "form": form, "what": what, "query": query},
    )


def _back_url(back: str) -> str:
    kind, _, raw = back.partition(":")
    if kind == "p":
        return reverse("networks:person", kwargs={"person_id": raw})
    return reverse("networks:context", kwargs={"context_id": raw})


@require_POST
def link_status_view(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    """Corroborate or confirm a link from the network table."""
    link = access_link(request.user, link_id)
    actor = require_reader(request.user)
    if not can_record_links(actor):
        raise PermissionRefused("Your role does not allow you to record networks.")
    form = LinkStatusForm(request.POST)
    if not form.is_valid():
        raise NotFound()
    try:
        updated = link_set_status(
            actor=actor,
            context=AuditContext.from_request(request),
            link=link,
            status=form.cleaned_data["status"],
        )
    except (ApplicationError, ValidationError) as error:
        text = error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
        messages.error(request, text)
    else:
        messages.success(request, f"The link is now {updated.get_status_display().lower()}.")
    return redirect(_back_url(form.cleaned_data["back"]))
