"""What the missing pages share: the words for an episode's state and its return home interview, and the page
a reader who may not record is shown instead of a form."""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.missing.access import WRITER_REFUSAL, child_has_open_case
from cases.missing.models import MissingEpisode, RhiOutcome
from safeguarding.common.errors import PermissionRefused
from safeguarding.deadlines.models import DeadlineStatus
from safeguarding.deadlines.views import describe_duration, describe_remaining
from safeguarding.people.models import Person

NO_OPEN_CASE = (
    "{name} has no open case. Missing episodes and the Philomena profile are recorded on the child's open case: "
    "open one first."
)


@dataclass(frozen=True)
class RhiState:
    text: str
    tag: str  # the GOV.UK tag's colour class


def rhi_state(episode: MissingEpisode, now: datetime | None = None) -> RhiState:
    """Where the return home interview stands, from the episode and its clock (select_related)."""
    now = now or timezone.now()
    if episode.found_at is None:
        return RhiState("Not yet: still missing", "govuk-tag--grey")
    if episode.rhi_outcome:
        at = timezone.localtime(episode.rhi_outcome_at) if episode.rhi_outcome_at else None
        label = RhiOutcome(episode.rhi_outcome).label
        return RhiState(f"{label}{f', {at:%d %b %Y %H:%M}' if at else ''}", "govuk-tag--green")
    clock = episode.rhi_deadline
    if clock is None:
        return RhiState("To be held", "govuk-tag--yellow")
    due = timezone.localtime(clock.due_at)
    if clock.status == DeadlineStatus.BREACHED or clock.due_at <= now:
        return RhiState(f"Overdue: was due {due:%d %b %Y %H:%M}", "govuk-tag--red")
    return RhiState(
        f"Due by {due:%d %b %Y %H:%M} ({describe_remaining(clock.due_at, now)})", "govuk-tag--yellow"
    )


def episode_status(episode: MissingEpisode) -> str:
    return "Missing" if episode.found_at is None else "Found or returned"


def episode_duration(episode: MissingEpisode, now: datetime | None = None) -> str:
    """Last seen to found; while still missing, so far."""
    if episode.duration is not None:
        return describe_duration(episode.duration)
    return f"{describe_duration((now or timezone.now()) - episode.last_seen_at)} so far"


def cannot_record(request: HttpRequest, person: Person, title: str, back_url: str) -> HttpResponse:
    """Shown instead of a form to a reader who may see the child's record but not record on it (a partner
    agency the case is shared with, or a child with no open case): why, and nothing saved. A POST is refused
    outright."""
    has_open_case = child_has_open_case(person)
    reason = WRITER_REFUSAL if has_open_case else NO_OPEN_CASE.format(name=person.full_name)
    if request.method != "GET":
        raise PermissionRefused(f"{reason} Nothing has been saved.")
    return render(
        request,
        "missing/cannot_record.html",
        {
            "person": person,
            "title": title,
            "back_url": back_url,
            "reason": reason,
            "has_open_case": has_open_case,
        },
    )
