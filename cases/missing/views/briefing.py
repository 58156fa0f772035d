"""The police briefing of a missing episode (Philomena Part 1 with the episode's Part 2), as a page to read
or print and as a PDF. Every read is one audit row; the PDF's is an export."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audits.models import AuditAction
from audits.services import audit_read
from cases.missing.access import access_episode
from cases.missing.briefing import (
    Briefing,
    briefing_context,
    briefing_filename,
    briefing_pdf,
    missing_briefing,
)
from safeguarding.organisations.access import request_actor


def _briefing(request: HttpRequest, episode_id: uuid.UUID, *, as_pdf: bool) -> Briefing:
    episode = access_episode(request.user, episode_id)
    briefing = missing_briefing(episode=episode, reader=request_actor(request))
    audit_read(
        request,
        action=AuditAction.EXPORT if as_pdf else AuditAction.VIEW,
        object_type="missing_episode",
        object_id=episode.pk,
        person_ids=[episode.person_id],
        changes={
            "shown": f"police briefing ({'PDF' if as_pdf else 'page'})",
            "part1": briefing.profile is not None,
        },
    )
    return briefing


@require_GET
def briefing_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    briefing = _briefing(request, episode_id, as_pdf=False)
    return render(request, "missing/briefing.html", briefing_context(briefing))


@require_GET
def briefing_pdf_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    briefing = _briefing(request, episode_id, as_pdf=True)
    response = HttpResponse(briefing_pdf(briefing), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{briefing_filename(briefing)}"'
    # A copy of case data made for one reader: never kept by a browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response
