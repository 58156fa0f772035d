"""The referral's own page: what was referred, the information gathered, the decision and its clocks."""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audits.context import AuditContext
from referrals.access import access_referral, access_referral_to_manage, can_manage_referral
from referrals.selectors import (
    CUSTODY_SUBJECT,
    REFERRAL_SUBJECT,
    information_answers_visible_to,
    information_requests_for,
    referrals_visible_to,
)
from referrals.services import referral_new_episode
from referrals.views._common import (
    audit_referral_viewed,
    audited_clock_panel,
    clock_panel,
    clock_subject,
    completeness,
    concern_labels,
    panel_row,
    related_or_none,
)
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.roles import CASE_WORKER_ROLES


@require_GET
def referral_detail_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = access_referral(request.user, referral_id)
    actor = request_actor(request)
    audit_referral_viewed(request, referral)
    requests = information_requests_for(referral=referral)
    clocks = clock_panel(
        actor,
        clock_subject(REFERRAL_SUBJECT, referral.pk, referral),
        reverse("referrals:clocks", kwargs={"referral_id": referral.pk}),
    )
    urgent_row = panel_row(clocks, PolicyCode.URGENT_RESPONSE)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "person": referral.person,
            "concern_labels": concern_labels(referral),
            "booking": related_or_none(referral, "custody_booking"),
            "decision": related_or_none(referral, "decision"),
            **completeness(actor, requests),
            "answers": information_answers_visible_to(user=actor, referral=referral),
            "moments": list(referral.reachable_moments.select_related("recorded_by")),
            "can_manage": can_manage_referral(actor, referral),
            "can_record_moment": actor.has_any_role(*CASE_WORKER_ROLES),
            # Received about the child while another referral was open (or received while this one was): the
            # ones this user may see, for the "linked" banner.
            "linked_to": referrals_visible_to(actor).filter(pk=referral.linked_to_id).first()
            if referral.linked_to_id
            else None,
            "linked_referrals": list(
                referrals_visible_to(actor).filter(linked_to=referral).order_by("received_at")
            ),
            "can_see_urgent": urgent_row is not None and referral.mash_agency_id == actor.agency_id,
            **clocks,
        },
    )


@require_POST
def referral_new_episode_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The MASH decides a linked referral is a new episode: it gets its own decision clock."""
    referral = access_referral_to_manage(request.user, referral_id)
    try:
        referral_new_episode(
            actor=request_actor(request), context=AuditContext.from_request(request), referral=referral
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "This referral is now a new episode, with its own decision clock.")
    return redirect("referrals:detail", referral_id=referral.pk)


@require_GET
def referral_clocks_view(request: HttpRequest, referral_id: uuid.UUID, subject: str) -> HttpResponse:
    """The clock panel alone, for htmx to refresh: the referral's clocks, or its custody booking's."""
    referral = access_referral(request.user, referral_id)
    subject_id = referral.pk
    if subject == CUSTODY_SUBJECT:
        booking = related_or_none(referral, "custody_booking")
        if booking is None:
            raise NotFound()
        subject_id = booking.pk
    context = audited_clock_panel(request, referral, subject, subject_id, request.path)
    return render(request, "deadlines/_clock_panel.html", context)
