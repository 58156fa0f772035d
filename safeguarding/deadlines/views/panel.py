"""The clock panel every case and subject page shows, and the subject page for subjects whose own page does
not show it."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.deadlines.access import (
    access_subject,
    can_allocate,
    can_extend,
    can_meet,
    can_stop,
)
from safeguarding.deadlines.models import (
    OPEN_STATUSES,
    Deadline,
    DeadlineEvent,
    DeadlineEventKind,
    DeadlineStatus,
)
from safeguarding.deadlines.policies import policy_for
from safeguarding.deadlines.selectors import clock_history_for_subject, clocks_for_subject
from safeguarding.deadlines.subjects import CASE_SUBJECT, ClockSubject, subject_url
from safeguarding.deadlines.views.wording import (
    describe_duration,
    describe_remaining,
    describe_time,
    utc_iso,
)
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User


def clock_back_url(deadline: Deadline) -> str:
    """Where a clock is shown: its case's page if it has a case, otherwise its subject's page."""
    if deadline.case_id is not None:
        return subject_url(CASE_SUBJECT, deadline.case_id)
    return subject_url(deadline.subject_type, deadline.subject_id)


@dataclass
class ClockRow:
    """One clock as the panel shows it: state colour, due time and time left, all computed here so the page
    reads correctly without JavaScript; clocks.js only keeps the time left current."""

    deadline: Deadline
    policy_label: str
    tag_label: str
    tag_class: str
    due_text: str
    remaining_text: str
    ticking: bool
    due_iso: str
    warn_iso: str
    can_meet: bool = False
    can_pause: bool = False
    can_resume: bool = False
    can_cancel: bool = False
    can_extend: bool = False
    can_take: bool = False
    can_allocate: bool = False

    @property
    def has_actions(self) -> bool:
        return self.can_meet or self.can_pause or self.can_resume or self.can_cancel or self.can_extend

    @property
    def is_open(self) -> bool:
        return self.deadline.status in OPEN_STATUSES

    @property
    def subject_url(self) -> str:
        return clock_back_url(self.deadline)


def _state(deadline: Deadline, now: datetime) -> tuple[str, str]:
    status = deadline.status
    if status == DeadlineStatus.RUNNING:
        if deadline.due_at <= now:
            return "Overdue", "govuk-tag--red"
        if deadline.warned_at is not None or deadline.warn_at <= now:
            return "Due soon", "govuk-tag--yellow"
        return "Running", "govuk-tag--green"
    if status == DeadlineStatus.BREACHED:
        return "Breached", "govuk-tag--red"
    if status == DeadlineStatus.PAUSED:
        return "Paused", "govuk-tag--grey"
    if status == DeadlineStatus.MET:
        return ("Met late", "govuk-tag--orange") if deadline.breached_at else ("Met", "govuk-tag--blue")
    return "Cancelled", "govuk-tag--grey"


def clock_row(deadline: Deadline, user: User, now: datetime) -> ClockRow:
    tag_label, tag_class = _state(deadline, now)
    if deadline.status == DeadlineStatus.PAUSED and deadline.remaining_while_paused is not None:
        remaining = f"{describe_duration(deadline.remaining_while_paused)} left"
    elif deadline.status in (DeadlineStatus.RUNNING, DeadlineStatus.BREACHED):
        remaining = describe_remaining(deadline.due_at, now)
    else:
        remaining = ""
    row = ClockRow(
        deadline=deadline,
        policy_label=policy_for(deadline.policy).label,
        tag_label=tag_label,
        tag_class=tag_class,
        due_text=describe_time(deadline.due_at, now),
        remaining_text=remaining,
        ticking=deadline.status in (DeadlineStatus.RUNNING, DeadlineStatus.BREACHED),
        due_iso=utc_iso(deadline.due_at),
        warn_iso=utc_iso(deadline.warn_at),
    )
    if deadline.status in OPEN_STATUSES:
        running_in_time = deadline.status == DeadlineStatus.RUNNING and deadline.due_at > now
        stops = can_stop(user, deadline)
        row.can_meet = can_meet(user, deadline)
        row.can_cancel = stops
        row.can_pause = stops and running_in_time
        row.can_resume = stops and deadline.status == DeadlineStatus.PAUSED
        row.can_extend = running_in_time and can_extend(user, deadline)
        row.can_take = row.can_meet and deadline.owner_id != user.pk
        row.can_allocate = can_allocate(user, deadline)
    return row


@dataclass
class HistoryItem:
    event: DeadlineEvent
    title: str
    byline: str
    details: list[str] = field(default_factory=list)

    @property
    def occurred_iso(self) -> str:
        return utc_iso(self.event.occurred_at)


def _parse_moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _history_item(event: DeadlineEvent, deadline: Deadline | None, now: datetime) -> HistoryItem:
    policy_label = policy_for(deadline.policy).label if deadline is not None else "Clock"
    details: list[str] = []
    data = event.data or {}
    due = _parse_moment(data.get("due_at"))
    if event.kind == DeadlineEventKind.STARTED and due is not None:
        details.append(f"Due {describe_time(due, now)}.")
    elif event.kind == DeadlineEventKind.RESUMED and due is not None:
        details.append(f"Now due {describe_time(due, now)}.")
    elif event.kind == DeadlineEventKind.EXTENDED:
        before, after = _parse_moment(data.get("from")), _parse_moment(data.get("to"))
        if before is not None and after is not None:
            details.append(
                f"Due time moved from {describe_time(before, now)} to {describe_time(after, now)}."
            )
    elif event.kind == DeadlineEventKind.BREACHED:
        detected = _parse_moment(data.get("detected_at"))
        if detected is not None:
            details.append(f"Recorded by the system at {describe_time(detected, now)}.")
    if event.reason:
        label = "Note" if event.kind == DeadlineEventKind.MET else "Reason"
        details.append(f"{label}: {event.reason}")
    if deadline is not None and deadline.subject_label:
        details.insert(0, f"About: {deadline.subject_label}.")
    return HistoryItem(
        event=event,
        title=f"{policy_label}: {event.get_kind_display().lower()}",
        byline=str(event.actor) if event.actor is not None else "Reachable (automatic)",
        details=details,
    )


def _panel_url(subject: ClockSubject) -> str:
    return reverse(
        "deadlines:subject-clocks",
        kwargs={"subject_type": subject.subject_type, "subject_id": subject.subject_id},
    )


def clock_panel_context(user: User, subject: ClockSubject, *, now: datetime | None = None) -> dict[str, Any]:
    """What templates/deadlines/_clock_panel.html needs. Two queries whatever the number of clocks: the
    clocks (with owner and agency) and the history (with actors)."""
    now = now or timezone.now()
    clocks = clocks_for_subject(subject=subject)
    by_id = {clock.pk: clock for clock in clocks}
    rows = [clock_row(clock, user, now) for clock in clocks]
    open_rows = [row for row in rows if row.is_open]
    history = [
        _history_item(event, by_id.get(event.deadline_id), now)
        for event in clock_history_for_subject(subject=subject)
    ]
    next_due = next((row for row in open_rows if row.ticking), None)
    return {
        "clock_subject": subject,
        "clock_panel_url": _panel_url(subject),
        "open_clocks": open_rows,
        "closed_clocks": [row for row in rows if not row.is_open],
        "clock_history": history,
        "next_due_clock": next_due,
        # Called when the template renders, so a page that adjusts rows' actions first (referrals) is honoured.
        "clocks_actionable": lambda: any(row.has_actions for row in open_rows),
        "clocks_now_iso": utc_iso(now),
    }


def _audited_subject(request: HttpRequest, subject_type: str, subject_id: uuid.UUID) -> ClockSubject:
    """A look at a subject's clocks is a look at the person's record, refreshes included."""
    subject = access_subject(request.user, subject_type, subject_id)
    audit_read(
        request,
        object_type=subject.subject_type[:40],
        object_id=subject.subject_id,
        person_ids=subject.person_ids,
        action=AuditAction.VIEW,
        changes={"shown": "clocks"},
    )
    return subject


@require_GET
def subject_view(request: HttpRequest, subject_type: str, subject_id: uuid.UUID) -> HttpResponse:
    """Every clock of one subject on a page of its own: for subjects whose own page does not exist yet."""
    subject = _audited_subject(request, subject_type, subject_id)
    context = clock_panel_context(request_actor(request), subject)
    if subject.case_id is not None:
        context["case_url"] = subject_url(CASE_SUBJECT, subject.case_id)
    return render(request, "deadlines/subject.html", context)


@require_GET
def subject_clocks_view(request: HttpRequest, subject_type: str, subject_id: uuid.UUID) -> HttpResponse:
    """The panel alone, for htmx to refresh every 30 seconds."""
    subject = _audited_subject(request, subject_type, subject_id)
    context = clock_panel_context(request_actor(request), subject)
    return render(request, "deadlines/_clock_panel.html", context)
