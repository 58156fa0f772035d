"""The lists work is picked up from: the MASH's referrals, an agency's unanswered information requests, and
the urgent response workers' open clocks."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audits.models import AuditAction
from audits.services import audit_read
from referrals.access import can_record_referrals, can_see_urgent_queue, urgent_queue_user
from referrals.choices import ReferralStatus
from referrals.models import InformationRequest, Referral
from referrals.selectors import (
    REFERRAL_SORTS,
    REQUEST_STATES,
    REQUEST_SUBJECT,
    information_requests_answered,
    information_requests_awaiting_answer,
    information_requests_sent,
    referral_queue,
    urgent_response_clocks,
)
from referrals.views._common import request_clock_rows
from safeguarding.common.errors import BadRequest, NotFound
from safeguarding.common.pagination import paginate
from safeguarding.deadlines.views import clock_row
from safeguarding.organisations.access import reads_case_data, request_actor

REFERRAL_SORT_LABELS = {
    "-received": "Newest first",
    "received": "Oldest first",
    "name": "Last name A to Z",
    "-name": "Last name Z to A",
}


@require_GET
def referral_list_view(request: HttpRequest) -> HttpResponse:
    if not reads_case_data(request.user):
        raise NotFound()
    actor = request_actor(request)
    status = request.GET.get("status", "open")
    if status not in ReferralStatus.values and status not in ("open", "all"):
        status = "open"
    sort = request.GET.get("sort", "-received")
    if sort not in REFERRAL_SORTS:
        sort = "-received"
    context = paginate(request, referral_queue(user=actor, status=status, sort=sort))
    referrals: list[Referral] = list(context["page_obj"].object_list)
    if referrals:
        audit_read(
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
            "can_create": can_record_referrals(actor),
            "can_see_urgent_queue": can_see_urgent_queue(actor),
        }
    )
    return render(request, "referrals/referral_list.html", context)


@require_GET
def request_queue_view(request: HttpRequest) -> HttpResponse:
    """Information requests, in tabs: for an agency, those waiting for its answer (oldest first, each with its
    clock) and those it answered (they stay visible to it); for the MASH, also the requests it sent and their
    state (waiting first, soonest due first; then answered)."""
    if not reads_case_data(request.user):
        raise NotFound()
    actor = request_actor(request)
    assert actor.agency is not None
    is_mash = can_record_referrals(actor)
    tabs = {"sent": "Sent by the MASH"} if is_mash else {}
    tabs |= {"waiting": "Waiting for your agency's answer", "answered": "Answered by your agency"}
    show = request.GET.get("show") or next(iter(tabs))
    if show not in tabs:
        raise BadRequest("Choose one of the tabs: " + ", ".join(tabs.values()))
    state = request.GET.get("state") or "waiting"
    if show == "sent" and state not in REQUEST_STATES:
        raise BadRequest("Choose a state: " + ", ".join(REQUEST_STATES.values()))
    now = timezone.now()
    if show == "sent":
        queryset = information_requests_sent(user=actor, state=state, now=now)
    elif show == "answered":
        queryset = information_requests_answered(user=actor)
    else:
        queryset = information_requests_awaiting_answer(user=actor)
    context = paginate(request, queryset)
    requests: list[InformationRequest] = list(context["page_obj"].object_list)
    if requests:
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type=REQUEST_SUBJECT,
            object_id=None,
            person_ids=[info_request.referral.person_id for info_request in requests],
        )
    clock_rows = request_clock_rows(actor, requests) if show != "answered" else {}
    context.update(
        {
            "rows": [(info_request, clock_rows.get(info_request.pk)) for info_request in requests],
            "tabs": tabs,
            "show": show,
            "states": REQUEST_STATES,
            "state": state,
            "state_label": REQUEST_STATES.get(state, ""),
        }
    )
    return render(request, "referrals/request_queue.html", context)


@require_GET
def urgent_queue_view(request: HttpRequest) -> HttpResponse:
    """Open urgent response clocks of the user's agency, soonest due first."""
    actor = urgent_queue_user(request.user)
    assert actor.agency is not None
    now = timezone.now()
    rows = [
        (clock_row(clock, actor, now), referral) for clock, referral in urgent_response_clocks(user=actor)
    ]
    if rows:
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="referral",
            object_id=None,
            person_ids=[referral.person_id for _, referral in rows],
        )
    return render(request, "referrals/urgent_queue.html", {"rows": rows, "now_iso": now.isoformat()})
