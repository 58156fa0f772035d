"""The network pages: a person's or a context's two-hop network, drawn as a Cytoscape.js graph and, with the
same facts, as a table (the graph is an enhancement; the table is the record); the places and groups, found
before one is added; and a link recorded from a person's network after searching for its other end. Every
page that shows people writes one audit row naming those the viewer could see."""

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
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
    ContextActionForm,
    ContextAssessmentForm,
    ContextForm,
    ContextSearchForm,
    EndSearchForm,
    LinkForm,
    LinkStatusForm,
    NetworkFilterForm,
)
from cases.networks.models import Context, HandlingCode, Link, LinkStatus
from cases.networks.selectors import (
    Neighbourhood,
    NodeKey,
    children_affected,
    context_plan,
    context_search,
    neighbourhood,
    plans_reaching,
)
from cases.networks.services import (
    context_action_agree,
    context_action_done,
    context_assess,
    context_create,
    link_add,
    link_set_status,
)
from safeguarding.common.errors import ApplicationError, NotFound, PermissionRefused
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.people.access import access_person
from safeguarding.people.models import Person
from safeguarding.people.selectors import person_search


@dataclass(frozen=True)
class _End:
    label: str
    url: str | None
    visible: bool


@dataclass(frozen=True)
class _Row:
    """One link as the table shows it (and the graph draws it)."""

    link: Link
    source: _End
    target: _End
    grading: str
    handling: str
    can_corroborate: bool
    can_confirm: bool


def _grading(link: Link) -> str:
    if not (link.source_grade or link.information_grade):
        return "Not graded"
    return f"{link.source_grade or '-'}{link.information_grade or '-'}"


def _handling(link: Link) -> str:
    if link.handling_code == HandlingCode.CONDITIONS:
        agencies = ", ".join(AgencyType(t).label for t in link.handling_agency_types)
        conditions = f". {link.handling_conditions}" if link.handling_conditions else ""
        return f"C: shared only with {agencies}{conditions}"
    if link.handling_code == HandlingCode.LAWFUL_SHARING:
        return "P: lawful sharing permitted"
    return "None"


def _rows(graph: Neighbourhood, *, may_record: bool) -> list[_Row]:
    def end(key: NodeKey) -> _End:
        node = graph.nodes[key]
        return _End(node.label, node.url, node.visible)

    live = (LinkStatus.ALLEGED, LinkStatus.CORROBORATED)
    return [
        _Row(
            link=edge.link,
            source=end(edge.source),
            target=end(edge.target),
            grading=_grading(edge.link),
            handling=_handling(edge.link),
            can_corroborate=may_record and edge.link.status == LinkStatus.ALLEGED,
            can_confirm=may_record and edge.link.status in live,
        )
        for edge in graph.edges
    ]


def _elements(graph: Neighbourhood) -> dict[str, list[dict[str, Any]]]:
    """What network-graph.mjs hands to Cytoscape: the labels are the selector's, so a person the viewer may
    not open is "Known to another agency: contact …" here as everywhere."""
    nodes = [
        {
            "data": {
                "id": node.key,
                "label": node.label,
                "kind": node.kind,
                "url": node.url,
                "visible": node.visible,
                "hops": node.hops,
                "centre": node.key == graph.centre,
            }
        }
        for node in graph.nodes.values()
    ]
    edges = [
        {
            "data": {
                "id": f"l:{edge.link.pk}",
                "source": edge.source,
                "target": edge.target,
                "label": f"{edge.link.get_link_type_display()} ({edge.link.get_status_display().lower()})",
                "status": edge.link.status,
            }
        }
        for edge in graph.edges
    ]
    return {"nodes": nodes, "edges": edges}


def _network(
    request: HttpRequest, actor: User, *, person: Person | None = None, context: Context | None = None
) -> dict[str, Any]:
    filter_form = NetworkFilterForm(request.GET or None)
    if filter_form.is_bound:
        filter_form.is_valid()  # errors are shown; the network is drawn without the filter in error
    graph = neighbourhood(user=actor, person=person, context=context, filters=filter_form.filters())
    may_record = can_record_links(actor)
    return {
        "graph": graph,
        "rows": _rows(graph, may_record=may_record),
        "elements": _elements(graph),
        "filter_form": filter_form,
        "form": filter_form,  # the error summary's
        "filtered": filter_form.is_bound,
        "may_record": may_record,
        "back": graph.centre,
    }


@require_GET
def person_network_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = require_reader(request.user)
    network = _network(request, actor, person=person)
    audit_read(
        request,
        object_type="person",
        object_id=person.pk,
        person_ids=network["graph"].visible_person_ids,
        changes={"network": True},
    )
    plans = plans_reaching(user=actor, person=person)
    return render(request, "networks/person_network.html", {"person": person, "plans": plans, **network})


@require_GET
def context_detail_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    context = access_context(request.user, context_id)
    actor = require_reader(request.user)
    network = _network(request, actor, context=context)
    audit_read(
        request,
        object_type="context",
        object_id=context.pk,
        person_ids=network["graph"].visible_person_ids,
    )
    return render(request, "networks/context_detail.html", {"context_record": context, **network})


@require_http_methods(["GET", "POST"])
def context_list_view(request: HttpRequest) -> HttpResponse:
    """Search before create: the places and groups found, then (once searched) the form to add a new one."""
    actor = require_reader(request.user)
    may_record = can_record_links(actor)
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    search_form = ContextSearchForm({"q": query} if "q" in request.GET or request.method == "POST" else None)
    searched = search_form.is_bound and search_form.is_valid()
    results = list(context_search(user=actor, query=search_form.cleaned_data["q"])) if searched else []
    create_form: ContextForm | None = None
    if request.method == "POST":
        if not may_record:
            raise PermissionRefused("Your role does not allow you to record networks.")
        create_form = ContextForm(request.POST)
        if create_form.is_valid():
            try:
                created = context_create(
                    actor=actor, context=AuditContext.from_request(request), data=create_form.cleaned_data
                )
            except (ApplicationError, ValidationError) as error:
                form_errors_from(create_form, error)
            else:
                messages.success(request, f"{created.name} has been added.")
                return redirect("networks:context", context_id=created.pk)
    elif searched and may_record:
        create_form = ContextForm(initial={"name": query.strip()})
    return render(
        request,
        "networks/context_list.html",
        {
            "search_form": search_form,
            "searched": searched,
            "results": results,
            "query": query,
            "create_form": create_form,
            # The error summary lists the create form's errors when it was posted, else the search's.
            "form": create_form if request.method == "POST" else search_form,
        },
    )


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


@require_http_methods(["GET", "POST"])
def context_plan_view(request: HttpRequest, context_id: uuid.UUID) -> HttpResponse:
    """The context's assessments and plan: a peer group, school or neighbourhood assessment answering what
    must change first, and actions with owners (each a clock) that reach every child linked to it."""
    ctx = access_context(request.user, context_id)
    actor = require_reader(request.user)
    may_record = can_record_links(actor)
    agencies = Agency.objects.filter(local_authority_id=ctx.local_authority_id).order_by("name")
    assess_form = ContextAssessmentForm(request.POST if request.POST.get("form") == "assess" else None)
    action_form = ContextActionForm(
        request.POST if request.POST.get("form") == "action" else None, agencies=agencies
    )
    failed: forms.Form | None = None
    if request.method == "POST":
        audit_context = AuditContext.from_request(request)
        try:
            if request.POST.get("form") == "assess" and assess_form.is_valid():
                context_assess(actor=actor, context=audit_context, ctx=ctx, data=assess_form.cleaned_data)
                messages.success(request, "Assessment recorded.")
                return redirect("networks:context-plan", context_id=ctx.pk)
            if request.POST.get("form") == "action" and action_form.is_valid():
                context_action_agree(
                    actor=actor,
                    context=audit_context,
                    ctx=ctx,
                    description=action_form.cleaned_data["description"],
                    owner_agency=action_form.cleaned_data["owner_agency"],
                    owner=None,
                    due_date=action_form.cleaned_data["due_date"],
                )
                messages.success(request, "Action agreed: its owner has been told.")
                return redirect("networks:context-plan", context_id=ctx.pk)
            if request.POST.get("form") == "done":
                action = ctx.actions.filter(pk=request.POST.get("action", "")).first()
                if action is None:
                    raise ApplicationError("That action is not part of this plan.")
                context_action_done(actor=actor, context=audit_context, action=action)
                messages.success(request, "Action marked done.")
                return redirect("networks:context-plan", context_id=ctx.pk)
        except (ValidationError, ApplicationError) as error:
            target = action_form if request.POST.get("form") == "action" else assess_form
            form_errors_from(target, error)
        failed = next((f for f in (assess_form, action_form) if f.errors), None)
    assessments, actions = context_plan(ctx=ctx)
    children = children_affected(user=actor, ctx=ctx)
    if children:
        audit_read(request, object_type="context", object_id=ctx.pk, person_ids=[p.pk for p in children])
    return render(
        request,
        "networks/context_plan.html",
        {
            "context_record": ctx,
            "assessments": assessments,
            "actions": actions,
            "children": children,
            "may_record": may_record,
            "assess_form": assess_form,
            "action_form": action_form,
            "form": failed,
            "actor_agency_id": actor.agency_id,
        },
    )
