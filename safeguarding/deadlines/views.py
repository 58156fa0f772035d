"""Pages for clocks: the panel every case and subject page shows, the actions on one clock, the signed-in
user's notifications, and the managers' SLA dashboard with its drill-down lists and CSV export."""

import csv
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from safeguarding.common.pagination import paginate
from safeguarding.deadlines.access import (
    ClockSubject,
    DashboardScope,
    access_dashboard,
    access_deadline,
    access_subject,
    can_act_on,
    can_extend,
)
from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.models import (
    OPEN_STATUSES,
    Deadline,
    DeadlineEvent,
    DeadlineEventKind,
    DeadlineStatus,
    Delivery,
    DeliveryState,
    Notification,
)
from safeguarding.deadlines.policies import PolicyCode, policy_for
from safeguarding.deadlines.selectors import (
    DASHBOARD_SORTS,
    FILTER_LABELS,
    NOW_FILTER_LABELS,
    WINDOW_LABELS,
    WINDOWS,
    ClockListFilter,
    clock_history_for_subject,
    clocks_for_subject,
    dashboard_breakdown,
    dashboard_clock_list,
    dashboard_now_counts,
    dashboard_policy_figures,
    deliveries_for,
    notifications_for,
)
from safeguarding.deadlines.services import (
    deadline_cancel,
    deadline_extend,
    deadline_meet,
    deadline_pause,
    deadline_resume,
    notifications_mark_all_read,
)
from safeguarding.organisations.models import User

# --- Wording shared with clocks.js: keep describe_duration and its JavaScript twin in step. -----------------


def _units(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def describe_duration(delta: timedelta) -> str:
    """The two largest units, finer as the time shrinks: '2 days 3 hours', '40 minutes', '4 minutes 12
    seconds'. Under an hour it counts seconds, so the live countdown visibly moves."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _units(days, "day") + (f" {_units(hours, 'hour')}" if hours else "")
    if hours:
        return _units(hours, "hour") + (f" {_units(minutes, 'minute')}" if minutes else "")
    if minutes:
        return _units(minutes, "minute") + (f" {_units(seconds, 'second')}" if seconds else "")
    return _units(seconds, "second")


def describe_remaining(due_at: datetime, now: datetime) -> str:
    remaining = due_at - now
    if remaining.total_seconds() > 0:
        return f"{describe_duration(remaining)} left"
    return f"{describe_duration(remaining)} overdue"


def _utc_iso(moment: datetime) -> str:
    # Whole seconds with an explicit offset: what every browser's Date.parse reads the same way.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def describe_time(moment: datetime, now: datetime) -> str:
    """'14:05' today, '4 Mar 14:05' this year, '4 Mar 2027 14:05' otherwise (UK time)."""
    local, today = timezone.localtime(moment), timezone.localtime(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return f"{local.day} {local.strftime('%b %Y %H:%M')}"


# --- The clock panel ---------------------------------------------------------------------------------------


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

    @property
    def has_actions(self) -> bool:
        return self.can_meet or self.can_pause or self.can_resume or self.can_cancel or self.can_extend

    @property
    def is_open(self) -> bool:
        return self.deadline.status in OPEN_STATUSES


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
        due_iso=_utc_iso(deadline.due_at),
        warn_iso=_utc_iso(deadline.warn_at),
    )
    if can_act_on(user, deadline) and deadline.status in OPEN_STATUSES:
        running_in_time = deadline.status == DeadlineStatus.RUNNING and deadline.due_at > now
        row.can_meet = row.can_cancel = True
        row.can_pause = running_in_time
        row.can_resume = deadline.status == DeadlineStatus.PAUSED
        row.can_extend = running_in_time and can_extend(user, deadline)
    return row


@dataclass
class HistoryItem:
    event: DeadlineEvent
    title: str
    byline: str
    details: list[str] = field(default_factory=list)

    @property
    def occurred_iso(self) -> str:
        return _utc_iso(self.event.occurred_at)


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
        "clocks_now_iso": _utc_iso(now),
    }


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _audit_subject_view(request: HttpRequest, subject: ClockSubject) -> None:
    audit_event_record(
        actor=_actor(request),
        action=AuditAction.VIEW,
        object_type=subject.subject_type[:40],
        object_id=subject.subject_id,
        person_ids=subject.person_ids,
        context=AuditContext.from_request(request),
        changes={"shown": "clocks"},
    )


@require_GET
def subject_view(request: HttpRequest, subject_type: str, subject_id: uuid.UUID) -> HttpResponse:
    """Every clock of one subject on a page of its own: for subjects whose own page does not exist yet."""
    subject = access_subject(request.user, subject_type, subject_id)
    _audit_subject_view(request, subject)
    context = clock_panel_context(_actor(request), subject)
    return render(request, "deadlines/subject.html", context)


@require_GET
def subject_clocks_view(request: HttpRequest, subject_type: str, subject_id: uuid.UUID) -> HttpResponse:
    """The panel alone, for htmx to refresh every 30 seconds. Each refresh shows the person's clocks again,
    so each is audited like any other look."""
    subject = access_subject(request.user, subject_type, subject_id)
    _audit_subject_view(request, subject)
    context = clock_panel_context(_actor(request), subject)
    return render(request, "deadlines/_clock_panel.html", context)


# --- Actions on one clock ----------------------------------------------------------------------------------

REASON_MAX = 2000
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class MeetForm(forms.Form):
    note = forms.CharField(
        label="What was done (optional)",
        help_text="For example, who was contacted and how. Do not include information not needed here.",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you pausing this clock?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are pausing this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ResumeForm(forms.Form):
    pass


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling this clock?",
        help_text="A cancelled clock no longer counts for or against the time limit.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are cancelling this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


def _number(attrs: dict[str, str]) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", **attrs})


class ExtendForm(forms.Form):
    due_day = forms.CharField(
        label="Day", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_month = forms.CharField(
        label="Month", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_year = forms.CharField(
        label="Year", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_time = forms.CharField(
        label="New due time",
        help_text="Use the 24-hour clock, for example 14:30.",
        error_messages={"required": "Enter the new due time, for example 14:30"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Why are you extending this clock?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are extending this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = [str(cleaned.get(name) or "").strip() for name in ("due_day", "due_month", "due_year")]
        if not all(parts):
            self.add_error("due_day", "Enter the new due date, including a day, month and year")
            return cleaned
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            self.add_error("due_day", "The new due date must be a real date, for example 27 3 2026")
            return cleaned
        try:
            day = datetime(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.add_error("due_day", "The new due date must be a real date, for example 27 3 2026")
            return cleaned
        if not cleaned.get("due_time"):
            return cleaned  # already reported as missing
        match = TIME_PATTERN.match(str(cleaned["due_time"]))
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.add_error("due_time", "Enter the new due time in hours and minutes, for example 14:30")
            return cleaned
        moment = day.replace(hour=int(match.group(1)), minute=int(match.group(2)))
        cleaned["new_due_at"] = timezone.make_aware(moment, timezone.get_current_timezone())
        return cleaned


@dataclass(frozen=True)
class ClockAction:
    title: str
    button: str
    done: str
    form: type[forms.Form]
    run: Callable[[Deadline, User, dict[str, Any], AuditContext], Deadline]
    warning: bool = False


CLOCK_ACTIONS: dict[str, ClockAction] = {
    "meet": ClockAction(
        "Record that this clock was met",
        "Record as met",
        "recorded as met",
        MeetForm,
        lambda d, actor, data, ctx: deadline_meet(
            deadline_id=d.pk, actor=actor, note=data["note"], context=ctx
        ),
    ),
    "pause": ClockAction(
        "Pause this clock",
        "Pause clock",
        "paused",
        PauseForm,
        lambda d, actor, data, ctx: deadline_pause(
            deadline_id=d.pk, actor=actor, reason=data["reason"], context=ctx
        ),
    ),
    "resume": ClockAction(
        "Resume this clock",
        "Resume clock",
        "resumed",
        ResumeForm,
        lambda d, actor, data, ctx: deadline_resume(deadline_id=d.pk, actor=actor, context=ctx),
    ),
    "cancel": ClockAction(
        "Cancel this clock",
        "Cancel clock",
        "cancelled",
        CancelForm,
        lambda d, actor, data, ctx: deadline_cancel(
            deadline_id=d.pk, actor=actor, reason=data["reason"], context=ctx
        ),
        warning=True,
    ),
    "extend": ClockAction(
        "Extend this clock",
        "Extend clock",
        "extended",
        ExtendForm,
        lambda d, actor, data, ctx: deadline_extend(
            deadline_id=d.pk, actor=actor, new_due_at=data["new_due_at"], reason=data["reason"], context=ctx
        ),
    ),
}


def clock_back_url(deadline: Deadline) -> str:
    if deadline.case_id is not None:
        return reverse("cases:detail", kwargs={"case_id": deadline.case_id})
    return reverse(
        "deadlines:subject",
        kwargs={"subject_type": deadline.subject_type, "subject_id": deadline.subject_id},
    )


@require_http_methods(["GET", "POST"])
def clock_action_view(request: HttpRequest, deadline_id: uuid.UUID, action: str) -> HttpResponse:
    """Meet, pause, resume, cancel or extend one clock. The services decide what is allowed; their refusal
    is shown in the error summary and nothing is saved."""
    deadline = access_deadline(request.user, deadline_id, write=True)
    spec = CLOCK_ACTIONS[action]
    actor = _actor(request)
    form = spec.form(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        audit_event_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="deadline",
            object_id=deadline.pk,
            person_ids=[deadline.person_id] if deadline.person_id else [],
            context=AuditContext.from_request(request),
        )
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(deadline, actor, form.cleaned_data, AuditContext.from_request(request))
        except DeadlineError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{policy_for(deadline.policy).label} clock {spec.done}.")
            return redirect(clock_back_url(deadline))
    now = timezone.now()
    return render(
        request,
        "deadlines/clock_action.html",
        {
            "form": form,
            "action": action,
            "spec": spec,
            "row": clock_row(deadline, actor, now),
            "deadline": deadline,
            "back_url": clock_back_url(deadline),
            "met_when": policy_for(deadline.policy).met_when,
            "date_parts": (
                [(form["due_day"], 2), (form["due_month"], 2), (form["due_year"], 4)]
                if action == "extend"
                else []
            ),
        },
    )


# --- Notifications -----------------------------------------------------------------------------------------


DELIVERY_TAGS: dict[str, str] = {
    DeliveryState.SENT: "govuk-tag--green",
    DeliveryState.PENDING: "govuk-tag--yellow",
    DeliveryState.FAILED: "govuk-tag--red",
}


@dataclass
class NotificationItem:
    notification: Notification
    deliveries: list[Delivery]
    link: str

    @property
    def delivery_lines(self) -> list[tuple[Delivery, str]]:
        return [
            (delivery, DELIVERY_TAGS.get(delivery.state, "govuk-tag--grey")) for delivery in self.deliveries
        ]


def _notification_link(notification: Notification) -> str:
    return clock_back_url(notification.deadline)


@require_GET
def notifications_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, with how each was delivered (in the app, by email)."""
    user = _actor(request)
    context = paginate(request, notifications_for(user=user))
    notifications: list[Notification] = list(context["page_obj"].object_list)
    deliveries = deliveries_for(user=user, outbox_ids=[n.delivery.outbox_id for n in notifications])
    context["items"] = [
        NotificationItem(n, deliveries.get(n.delivery.outbox_id, []), _notification_link(n))
        for n in notifications
    ]
    return render(request, "deadlines/notifications.html", context)


@require_POST
def notifications_mark_read_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=_actor(request))
    if count:
        messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("deadlines:notifications")


# --- SLA dashboard -----------------------------------------------------------------------------------------


def _list_url(**params: Any) -> str:
    clock_filter = ClockListFilter(**params)
    return f"{reverse('deadlines:dashboard-list')}?{urlencode(clock_filter.query())}"


def _percent(met: int, closed: int) -> str:
    if not closed:
        return ""
    return f"{(200 * met + closed) // (2 * closed)}%"


@dataclass
class WindowFigure:
    window: str
    label: str
    closed: int
    met_in_time: int
    percent: str
    median: str
    closed_url: str
    met_url: str


@dataclass
class PolicyFigures:
    code: str
    label: str
    windows: list[WindowFigure]


def _policy_figures(scope: DashboardScope, now: datetime) -> list[PolicyFigures]:
    found = dashboard_policy_figures(scope=scope, now=now)
    result = []
    for code in PolicyCode:
        row = found.get(code.value, {})
        windows = []
        for window in WINDOWS:
            closed = int(row.get(f"closed_{window}") or 0)
            met = int(row.get(f"met_in_time_{window}") or 0)
            median = row.get(f"median_{window}")
            windows.append(
                WindowFigure(
                    window=window,
                    label=WINDOW_LABELS[window],
                    closed=closed,
                    met_in_time=met,
                    percent=_percent(met, closed),
                    median=describe_duration(median) if isinstance(median, timedelta) else "",
                    closed_url=_list_url(name="closed", window=window, policy=code.value),
                    met_url=_list_url(name="met", window=window, policy=code.value),
                )
            )
        result.append(PolicyFigures(code.value, str(code.label), windows))
    return result


def _breakdown_rows(scope: DashboardScope, now: datetime, by: str) -> list[dict[str, Any]]:
    rows = dashboard_breakdown(scope=scope, now=now, by=by)
    for row in rows:
        if by == "agency":
            row["name"] = row["owning_agency__name"]
            narrow: dict[str, Any] = {"agency_id": row["owning_agency_id"]}
        else:
            full = f"{row['owner__first_name'] or ''} {row['owner__last_name'] or ''}".strip()
            row["name"] = full or row["owner__username"] or "Nobody (not allocated)"
            narrow = {"owner": str(row["owner_id"]) if row["owner_id"] else "none"}
        row["urls"] = {name: _list_url(name=name, **narrow) for name in NOW_FILTER_LABELS}
        row["percent_4w"] = _percent(row["met_in_time_4w"], row["closed_4w"])
        row["closed_url"] = _list_url(name="closed", window="4w", **narrow)
    return rows


def _dashboard_context(scope: DashboardScope) -> dict[str, Any]:
    now = timezone.now()
    counts = dashboard_now_counts(scope=scope, now=now)
    return {
        "scope": scope,
        "now": now,
        "now_iso": _utc_iso(now),
        "figures": [
            {"name": name, "label": label, "count": counts[name], "url": _list_url(name=name)}
            for name, label in NOW_FILTER_LABELS.items()
        ],
        "policies": _policy_figures(scope, now),
        "by_agency": _breakdown_rows(scope, now, "agency"),
        "by_worker": _breakdown_rows(scope, now, "owner"),
    }


@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    scope = access_dashboard(request.user)
    return render(request, "deadlines/dashboard.html", _dashboard_context(scope))


@require_GET
def dashboard_figures_view(request: HttpRequest) -> HttpResponse:
    """The figures alone, for htmx to refresh every 30 seconds."""
    scope = access_dashboard(request.user)
    return render(request, "deadlines/_dashboard_figures.html", _dashboard_context(scope))


def _parse_list_filter(params: Any) -> ClockListFilter:
    """Unknown values fall back to the widest sensible choice rather than failing: these are links people
    bookmark and edit."""
    name = params.get("filter", "")
    window = params.get("window", "")
    policy = params.get("policy", "")
    try:
        agency_id = uuid.UUID(params.get("agency", ""))
    except ValueError:
        agency_id = None
    owner = params.get("owner", "")
    return ClockListFilter(
        name=name if name in FILTER_LABELS else "running",
        window=window if window in WINDOWS else "4w",
        policy=policy if policy in PolicyCode.values else "",
        agency_id=agency_id,
        owner=owner if owner == "none" or (owner.isdigit() and len(owner) < 12) else "",
    )


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_START) else text


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else ""


CSV_HEADER = [
    "Clock ID",
    "Policy",
    "About",
    "Subject type",
    "Subject ID",
    "Case ID",
    "Owning agency",
    "Owner",
    "Started",
    "Due",
    "Status",
    "Met at",
    "Breached at",
    "Notified late",
]


def _csv_export(request: HttpRequest, clocks: list[Deadline], clock_filter: ClockListFilter) -> HttpResponse:
    audit_event_record(
        actor=_actor(request),
        action=AuditAction.EXPORT,
        object_type="deadline",
        object_id=None,
        person_ids=sorted({c.person_id for c in clocks if c.person_id is not None}, key=str),
        context=AuditContext.from_request(request),
        changes={"export": "clocks", "filter": clock_filter.query(), "rows": len(clocks)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clocks-{clock_filter.name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for clock in clocks:
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    clock.pk,
                    clock.get_policy_display(),
                    clock.subject_label,
                    clock.subject_type,
                    clock.subject_id,
                    clock.case_id or "",
                    clock.owning_agency.name,
                    clock.owner or "",
                    _iso(clock.started_at),
                    _iso(clock.due_at),
                    clock.get_status_display(),
                    _iso(clock.met_at),
                    _iso(clock.breached_at),
                    "yes" if clock.notified_late else "no",
                )
            ]
        )
    return response


@require_GET
def dashboard_list_view(request: HttpRequest) -> HttpResponse:
    """The clocks behind one dashboard figure, soonest due first (or latest), paginated; or all of them as
    CSV. Both are audited with the people whose clocks are shown."""
    scope = access_dashboard(request.user)
    clock_filter = _parse_list_filter(request.GET)
    sort = request.GET.get("sort", "due")
    sort = sort if sort in DASHBOARD_SORTS else "due"
    now = timezone.now()
    queryset = dashboard_clock_list(scope=scope, clock_filter=clock_filter, now=now, sort=sort)
    if request.GET.get("format") == "csv":
        return _csv_export(request, list(queryset), clock_filter)
    context = paginate(request, queryset)
    clocks: list[Deadline] = list(context["page_obj"].object_list)
    if clocks:
        audit_event_record(
            actor=_actor(request),
            action=AuditAction.LIST,
            object_type="deadline",
            object_id=None,
            person_ids=sorted({c.person_id for c in clocks if c.person_id is not None}, key=str),
            context=AuditContext.from_request(request),
        )
    base_query = clock_filter.query()
    context.update(
        {
            "scope": scope,
            "clock_filter": clock_filter,
            "rows": [clock_row(clock, _actor(request), now) for clock in clocks],
            "sort": sort,
            "sort_url": "?" + urlencode({**base_query, "sort": "-due" if sort == "due" else "due"}),
            "csv_url": "?" + urlencode({**base_query, "sort": sort, "format": "csv"}),
            "now_iso": _utc_iso(now),
        }
    )
    return render(request, "deadlines/dashboard_list.html", context)
