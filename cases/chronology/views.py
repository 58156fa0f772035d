import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from audits.services import audit_read
from cases.chronology.registry import chronology_sources
from cases.chronology.selectors import chronology_events
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person


def chronology_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    audit_read(request, object_type="chronology", object_id=person.pk, person_ids=[person.pk])
    sources = chronology_sources()
    chosen = set(request.GET.getlist("kind")) & {source.kind for source in sources} or None
    events = chronology_events(user=actor, person_id=person.pk, kinds=chosen)
    context = paginate(request, events) if events is not None else {}
    rows = list(context["page_obj"].object_list) if events is not None else []
    for row in rows:
        row["url"] = reverse(row["url_name"], args=[row["url_arg"]])
    return render(
        request,
        "chronology/chronology.html",
        {**context, "person": person, "events": rows, "sources": sources, "chosen": chosen or set()},
    )
