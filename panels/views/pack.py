"""The meeting pack, as a page to read or print and as a PDF: each member's copy holds only what their
agency may see (panels/pack.py). Every read of a pack is one audit row naming everyone in it."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audits.services import audit_read
from panels.access import access_meeting, is_running
from panels.pack import Pack, meeting_pack, pack_context, pack_filename, pack_pdf
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import request_actor


def _pack(request: HttpRequest, meeting_id: uuid.UUID, shown_as: str) -> Pack:
    actor = request_actor(request)
    meeting = access_meeting(actor, meeting_id)
    # Members read the pack once the panel has published it; those who run the panel, while they build it.
    if meeting.pack_published_at is None and not is_running(actor, meeting.panel):
        raise NotFound()
    pack = meeting_pack(meeting=meeting, reader=actor)
    audit_read(
        request,
        object_type="panel_meeting",
        object_id=meeting.pk,
        person_ids=pack.person_ids,
        changes={
            "shown": f"meeting pack ({shown_as})",
            "items": str(len(pack.items)),
            "case_summaries": str(pack.case_summaries_shown),
        },
    )
    return pack


@require_GET
def pack_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    pack = _pack(request, meeting_id, "page")
    return render(request, "panels/pack.html", pack_context(pack))


@require_GET
def pack_pdf_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    pack = _pack(request, meeting_id, "PDF")
    response = HttpResponse(pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(pack)}"'
    # A copy of case data made for one reader: never kept by a browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response
