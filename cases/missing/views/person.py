"""The child's missing page (their episodes over time, how often lately, the repeat-missing warning and their
Philomena Part 1 in brief) and Part 1 itself, to read and to change."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.services import audit_read
from cases.missing.access import profile_of, writable_open_case
from cases.missing.briefing import describe_links, profile_links
from cases.missing.forms import ProfileForm
from cases.missing.models import MissingEpisode
from cases.missing.selectors import carer_history, missing_counts, person_episodes, settings_for
from cases.missing.services import child_links, default_next_review, philomena_profile_save
from cases.missing.views._common import cannot_record, episode_duration, episode_status, rhi_state
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person


@require_GET
def missing_person_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    audit_read(
        request,
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
        changes={"shown": "missing"},
    )
    counts = missing_counts(user=actor, person=person, threshold=settings_for(person.local_authority_id))
    context = paginate(request, person_episodes(user=actor, person=person))
    rows = [
        {
            "episode": episode,
            "status": episode_status(episode),
            "duration": episode_duration(episode),
            "rhi": rhi_state(episode),
        }
        for episode in context["page_obj"].object_list
    ]
    # The newest episode, when it is still open, is on the first page: the child is missing now.
    episodes: list[MissingEpisode] = list(context["page_obj"].object_list)
    newest = episodes[0] if episodes and context["page_obj"].number == 1 else None
    return render(
        request,
        "missing/person.html",
        {
            **context,
            "person": person,
            "rows": rows,
            "counts": counts,
            "missing_now": newest if newest is not None and newest.found_at is None else None,
            "may_report": writable_open_case(actor, person) is not None,
            "profile": profile_of(actor, person),
        },
    )


@require_GET
def philomena_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    profile = profile_of(actor, person)
    audit_read(
        request,
        object_type="philomena_profile" if profile else "person",
        object_id=profile.pk if profile else person.pk,
        person_ids=[person.pk],
    )
    links: list[str] = []
    carers = []
    if profile is not None:
        links = profile_links(actor, person, profile)
        carers = carer_history(profile_id=profile.pk)
    return render(
        request,
        "missing/philomena.html",
        {
            "person": person,
            "profile": profile,
            "links": links,
            "carers": carers,
            "may_edit": writable_open_case(actor, person) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
def philomena_edit_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    profile = profile_of(actor, person)
    back = reverse("missing:philomena", kwargs={"person_id": person.pk})
    if request.method == "GET":
        audit_read(
            request,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
            changes={"shown": "philomena edit"},
        )
    if writable_open_case(actor, person) is None:
        return cannot_record(request, person, "Philomena profile", back)
    links = child_links(actor, person)
    link_choices = [
        (str(link.pk), label) for link, label in zip(links, describe_links(actor, person, links), strict=True)
    ]
    initial: dict[str, object] = {"next_review_on": default_next_review()}
    if profile is not None:
        initial = {
            name: getattr(profile, name)
            for name in (
                "version",
                "description",
                "photo_reference",
                "photo_taken_on",
                "associates",
                "addresses_and_places",
                "phones_and_social_media",
                "medical_needs",
                "transport",
                "current_carer",
                "current_placement",
                "next_review_on",
            )
        }
        initial["associate_links"] = [str(pk) for pk in profile.associate_links.values_list("pk", flat=True)]
    form = ProfileForm(request.POST or None, initial=initial, link_choices=link_choices)
    if request.method == "POST" and form.is_valid():
        try:
            philomena_profile_save(
                actor=actor,
                context=AuditContext.from_request(request),
                person=person,
                expected_version=form.cleaned_data["version"] if profile is not None else None,
                data=form.details(),
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The Philomena profile has been saved.")
            return redirect(back)
    return render(
        request,
        "missing/philomena_edit.html",
        {"person": person, "profile": profile, "form": form, "back_url": back, "title": "Philomena profile"},
    )
