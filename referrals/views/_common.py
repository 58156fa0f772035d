"""What several referral pages share: a subject's clock panel, the completeness of the information asked
for, and the moment a form records."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils import timezone

from audits.services import audit_read
from referrals.choices import Concern
from referrals.models import InformationRequest, Referral
from referrals.selectors import request_clocks
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.subjects import ClockSubject
from safeguarding.deadlines.views import ClockRow, clock_panel_context, clock_row
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User

# Clocks met by recording the work itself (the share with custody, the decision, the answer, the contact),
# so their panels offer no bare "Record as met": a clock met without the record would hide that it is missing.
MET_BY_RECORDED_WORK = frozenset(
    {
        PolicyCode.GOLDEN_HOUR,
        PolicyCode.MASH_DECISION,
        PolicyCode.URGENT_RESPONSE,
        PolicyCode.INFORMATION_REQUEST_RED,
        PolicyCode.INFORMATION_REQUEST_AMBER,
        PolicyCode.INFORMATION_REQUEST_GREEN,
    }
)


def related_or_none(instance: Referral, name: str) -> Any:
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def to_the_minute(entered: datetime, start: datetime) -> datetime:
    """Forms take times to the minute, so "now" typed in the same minute as the clock started reads as a
    moment before it. A time in the start's own minute is taken as the start itself; any earlier minute is
    left for the service to refuse."""
    if start.replace(second=0, microsecond=0) <= entered < start:
        return start
    return entered


def concern_labels(referral: Referral) -> list[str]:
    return [Concern(concern).label for concern in referral.concerns]


def audit_referral_viewed(request: HttpRequest, referral: Referral) -> None:
    audit_read(request, object_type="referral", object_id=referral.pk, person_ids=[referral.person_id])


# --- Clocks --------------------------------------------------------------------------------------------------


def clock_subject(subject_type: str, subject_id: uuid.UUID, referral: Referral) -> ClockSubject:
    person = referral.person
    return ClockSubject(
        subject_type=subject_type,
        subject_id=subject_id,
        label=f"{person.given_name} {person.family_name[:1]}.",
        person_ids=(referral.person_id,),
        case_id=referral.case_id,
        # The case, when there is one, is the referred child's.
        case_label=person.full_name if referral.case_id is not None else "",
    )


def clock_panel(user: User, subject: ClockSubject, refresh_url: str) -> dict[str, Any]:
    """templates/deadlines/_clock_panel.html's context for a referral's subject. It refreshes through the
    referral's own route, so everyone who may see the referral sees its clocks (the deadlines route lets only
    the owning agency see a clock with no case)."""
    context = clock_panel_context(user, subject)
    for row in context["open_clocks"]:
        if row.deadline.policy in MET_BY_RECORDED_WORK:
            row.can_meet = False
    context["clocks_actionable"] = any(row.has_actions for row in context["open_clocks"])
    context["clock_panel_url"] = refresh_url
    return context


def audited_clock_panel(
    request: HttpRequest, referral: Referral, subject_type: str, subject_id: uuid.UUID, refresh_url: str
) -> dict[str, Any]:
    """A look at a subject's clocks is a look at the person's record: audit it, then build the panel."""
    audit_read(request, object_type=subject_type, object_id=subject_id, person_ids=[referral.person_id])
    return clock_panel(request_actor(request), clock_subject(subject_type, subject_id, referral), refresh_url)


def panel_row(context: dict[str, Any], policy: PolicyCode) -> ClockRow | None:
    rows: list[ClockRow] = [*context["open_clocks"], *context["closed_clocks"]]
    return next((row for row in rows if row.deadline.policy == policy), None)


def request_clock_rows(user: User, requests: list[InformationRequest]) -> dict[uuid.UUID, ClockRow]:
    """Each information request's clock, for the completeness view and the agency's queue: one query."""
    if not requests:
        return {}
    now = timezone.now()
    clocks = request_clocks(request_ids=[request.pk for request in requests])
    return {clock.subject_id: clock_row(clock, user, now) for clock in clocks}


@dataclass(frozen=True)
class RequestRow:
    request: InformationRequest
    clock: ClockRow | None


def completeness(user: User | None, requests: list[InformationRequest]) -> dict[str, Any]:
    """The completeness view's context: who has and has not answered, with each request's clock if `user`."""
    clocks = request_clock_rows(user, requests) if user is not None else {}
    return {
        "request_rows": [RequestRow(request, clocks.get(request.pk)) for request in requests],
        "answered_count": sum(1 for request in requests if request.answered_at is not None),
        "show_clocks": user is not None,
    }
