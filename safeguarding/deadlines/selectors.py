"""Reads for the clock panel, notifications and the SLA dashboard. Every function takes what the access layer
already authorised (a subject, a dashboard scope, the user themself) and never widens it."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)

from safeguarding.deadlines.access import DashboardScope
from safeguarding.deadlines.models import (
    OPEN_STATUSES,
    Deadline,
    DeadlineEvent,
    DeadlineStatus,
    Delivery,
    Notification,
)
from safeguarding.deadlines.subjects import CASE_SUBJECT, ClockSubject
from safeguarding.organisations.models import User

# --- Clock panel -------------------------------------------------------------------------------------------


def _subject_q(subject: ClockSubject, prefix: str = "") -> Q:
    """A case's panel shows every clock of the case (a referral's, a custody booking's...), not only those
    whose subject is the case itself."""
    if subject.subject_type == CASE_SUBJECT:
        return Q(**{f"{prefix}case_id": subject.subject_id}) | Q(
            **{f"{prefix}subject_type": CASE_SUBJECT, f"{prefix}subject_id": subject.subject_id}
        )
    return Q(**{f"{prefix}subject_type": subject.subject_type, f"{prefix}subject_id": subject.subject_id})


def open_clock_of(*, subject_type: str, subject_id: uuid.UUID, policy: str | None = None) -> Deadline | None:
    """A subject's open clock (running, paused, or breached and not yet met), the oldest first: what a service
    meets or cancels when the work it tracks is done. Served by the subject index."""
    clocks = Deadline.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status__in=OPEN_STATUSES
    )
    if policy is not None:
        clocks = clocks.filter(policy=policy)
    return clocks.order_by("started_at").first()


def clocks_for_subject(*, subject: ClockSubject) -> list[Deadline]:
    """Every clock of the subject, soonest due first (served by deadline_subject_idx, and for a case by the
    case foreign key's index)."""
    return list(
        Deadline.objects.filter(_subject_q(subject))
        .select_related("owner", "owning_agency")
        .order_by("due_at", "pk")
    )


def clock_history_for_subject(*, subject: ClockSubject) -> list[DeadlineEvent]:
    """The events of every clock of the subject, newest first, in one query."""
    return list(
        DeadlineEvent.objects.filter(_subject_q(subject, "deadline__"))
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


# --- Notifications -----------------------------------------------------------------------------------------


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("deadline", "delivery")
        .order_by("-created_at", "-id")
    )


def deliveries_for(*, user: User, outbox_ids: list[int]) -> dict[int, list[Delivery]]:
    """Every channel's delivery of these messages to this user (in-app and email), by outbox message."""
    found: dict[int, list[Delivery]] = defaultdict(list)
    if not outbox_ids:
        return found
    for delivery in Delivery.objects.filter(recipient=user, outbox_id__in=outbox_ids).order_by("channel"):
        found[delivery.outbox_id].append(delivery)
    return found


def unread_notification_count(*, user: User) -> int:
    # Served by notification_unread_idx: an index-only count of a small partial index.
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- SLA dashboard -----------------------------------------------------------------------------------------

WINDOWS = {"4w": timedelta(weeks=4), "26w": timedelta(weeks=26)}
WINDOW_LABELS = {"4w": "last 4 weeks", "26w": "last 26 weeks"}


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated between the middle two for an even count.
    A FILTER clause, when given, goes after WITHIN GROUP, which is where PostgreSQL wants it."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


TIME_TO_MEET = ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())


def _now_filters(now: datetime) -> dict[str, Q]:
    running = Q(status=DeadlineStatus.RUNNING, due_at__gt=now)
    return {
        "running": running,
        "due_1h": running & Q(due_at__lte=now + timedelta(hours=1)),
        "due_24h": running & Q(due_at__lte=now + timedelta(hours=24)),
        # A running clock past due is breached whether or not the sweep has recorded it yet.
        "breached_open": Q(status=DeadlineStatus.BREACHED)
        | Q(status=DeadlineStatus.RUNNING, due_at__lte=now),
        "paused": Q(status=DeadlineStatus.PAUSED),
    }


def _window_filters(since: datetime) -> dict[str, Q]:
    """Clocks started in the window. 'Closed' is the denominator of met-within-time: met, or breached (met
    late, cancelled after the breach, or still open). A clock cancelled before its due time counts for
    neither: it was not the partnership's to meet."""
    started = Q(started_at__gte=since)
    return {
        "closed": started & (Q(status=DeadlineStatus.MET) | Q(breached_at__isnull=False)),
        "met_in_time": started & Q(status=DeadlineStatus.MET, breached_at__isnull=True),
        "met": started & Q(status=DeadlineStatus.MET),
        "breached": started & Q(breached_at__isnull=False),
    }


NOW_FILTER_LABELS = {
    "running": "Running",
    "due_1h": "Due within 1 hour",
    "due_24h": "Due within 24 hours",
    "breached_open": "Breached and still open",
    "paused": "Paused",
}
WINDOW_FILTER_LABELS = {
    "closed": "Met or breached",
    "met_in_time": "Met within time",
    "met": "Met",
    "breached": "Breached",
}
FILTER_LABELS = {**NOW_FILTER_LABELS, **WINDOW_FILTER_LABELS}


@dataclass(frozen=True)
class ClockListFilter:
    """The drill-down: one named figure, optionally narrowed by policy, agency and owner."""

    name: str = "running"
    window: str = "4w"
    policy: str = ""
    agency_id: uuid.UUID | None = None
    # A user id, or "none" for clocks nobody owns, or "" for any owner.
    owner: str = ""

    @property
    def is_windowed(self) -> bool:
        return self.name in WINDOW_FILTER_LABELS

    @property
    def label(self) -> str:
        label = FILTER_LABELS[self.name]
        return f"{label}, {WINDOW_LABELS[self.window]}" if self.is_windowed else label

    def query(self) -> dict[str, str]:
        params = {"filter": self.name}
        if self.is_windowed:
            params["window"] = self.window
        if self.policy:
            params["policy"] = self.policy
        if self.agency_id:
            params["agency"] = str(self.agency_id)
        if self.owner:
            params["owner"] = self.owner
        return params


def dashboard_clocks(*, scope: DashboardScope) -> QuerySet[Deadline]:
    queryset = Deadline.objects.filter(local_authority_id=scope.local_authority_id)
    if scope.agency_id is not None:
        queryset = queryset.filter(owning_agency_id=scope.agency_id)
    return queryset


def dashboard_now_counts(*, scope: DashboardScope, now: datetime) -> dict[str, int]:
    """The open-clock figures as of now, in one query over open clocks only."""
    counts = (
        dashboard_clocks(scope=scope)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(**{name: Count("pk", filter=q) for name, q in _now_filters(now).items()})
    )
    return {name: int(value or 0) for name, value in counts.items()}


def dashboard_policy_figures(*, scope: DashboardScope, now: datetime) -> dict[str, dict[str, Any]]:
    """Per policy, for each window: clocks met or breached, those met within time, and the median time to
    meet (met_at - started_at over met clocks). One grouped query over the longest window, which the
    (local_authority, policy, started_at) index serves."""
    annotations: dict[str, Any] = {}
    for window, length in WINDOWS.items():
        filters = _window_filters(now - length)
        annotations[f"closed_{window}"] = Count("pk", filter=filters["closed"])
        annotations[f"met_in_time_{window}"] = Count("pk", filter=filters["met_in_time"])
        annotations[f"median_{window}"] = Median(TIME_TO_MEET, filter=filters["met"])
    rows = (
        dashboard_clocks(scope=scope)
        .filter(started_at__gte=now - max(WINDOWS.values()))
        .values("policy")
        .annotate(**annotations)
        .order_by()
    )
    return {row["policy"]: row for row in rows}


BREAKDOWN_KEYS = {
    "agency": ("owning_agency_id", "owning_agency__name"),
    "owner": ("owner_id", "owner__first_name", "owner__last_name", "owner__username", "owning_agency__name"),
}


def dashboard_breakdown(*, scope: DashboardScope, now: datetime, by: str) -> list[dict[str, Any]]:
    """Open figures and met-within-time over the last 4 weeks, by agency or by owner, in one grouped query.
    Only open clocks and those started in the window are read."""
    since = now - WINDOWS["4w"]
    window = _window_filters(since)
    annotations: dict[str, Any] = {name: Count("pk", filter=q) for name, q in _now_filters(now).items()}
    annotations["closed_4w"] = Count("pk", filter=window["closed"])
    annotations["met_in_time_4w"] = Count("pk", filter=window["met_in_time"])
    keys = BREAKDOWN_KEYS[by]
    rows = (
        dashboard_clocks(scope=scope)
        .filter(Q(status__in=OPEN_STATUSES) | Q(started_at__gte=since))
        .values(*keys)
        .annotate(**annotations)
        .order_by(*keys[1:], keys[0])
    )
    return [row for row in rows if any(row[name] for name in annotations)]


DASHBOARD_SORTS = {"due": ("due_at", "pk"), "-due": ("-due_at", "-pk")}


def dashboard_clock_list(
    *, scope: DashboardScope, clock_filter: ClockListFilter, now: datetime, sort: str = "due"
) -> QuerySet[Deadline]:
    """The clocks behind one figure of the dashboard."""
    if clock_filter.is_windowed:
        q = _window_filters(now - WINDOWS[clock_filter.window])[clock_filter.name]
    else:
        q = _now_filters(now)[clock_filter.name]
    queryset = dashboard_clocks(scope=scope).filter(q)
    if clock_filter.policy:
        queryset = queryset.filter(policy=clock_filter.policy)
    if clock_filter.agency_id is not None:
        queryset = queryset.filter(owning_agency_id=clock_filter.agency_id)
    if clock_filter.owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif clock_filter.owner:
        queryset = queryset.filter(owner_id=int(clock_filter.owner))
    return queryset.select_related("owning_agency", "owner").order_by(
        *DASHBOARD_SORTS.get(sort, ("due_at", "pk"))
    )
