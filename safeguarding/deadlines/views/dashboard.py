"""The managers' SLA dashboard: open figures, met-within-time by policy, breakdowns by agency and worker,
and the drill-down list behind each figure (paginated, or as CSV)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.common.pagination import paginate
from safeguarding.deadlines.access import DashboardScope, access_dashboard
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import (
    DASHBOARD_SORTS,
    FILTER_LABELS,
    NOW_FILTER_LABELS,
    WINDOW_LABELS,
    WINDOWS,
    ClockListFilter,
    dashboard_breakdown,
    dashboard_clock_list,
    dashboard_now_counts,
    dashboard_policy_figures,
)
from safeguarding.deadlines.views.export import clocks_csv_response, dashboard_csv_response
from safeguarding.deadlines.views.panel import clock_row
from safeguarding.deadlines.views.wording import describe_duration, utc_iso
from safeguarding.organisations.access import request_actor


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
        "now_iso": utc_iso(now),
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
    context = _dashboard_context(scope)
    if request.GET.get("format") == "csv":
        return dashboard_csv_response(request, context)
    return render(request, "deadlines/dashboard.html", context)


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
        return clocks_csv_response(request, list(queryset), clock_filter)
    context = paginate(request, queryset)
    clocks: list[Deadline] = list(context["page_obj"].object_list)
    if clocks:
        audit_read(
            request,
            object_type="deadline",
            object_id=None,
            person_ids=[c.person_id for c in clocks if c.person_id is not None],
            action=AuditAction.LIST,
        )
    actor = request_actor(request)
    base_query = clock_filter.query()
    context.update(
        {
            "scope": scope,
            "clock_filter": clock_filter,
            "rows": [clock_row(clock, actor, now) for clock in clocks],
            "sort": sort,
            "sort_url": "?" + urlencode({**base_query, "sort": "-due" if sort == "due" else "due"}),
            "csv_url": "?" + urlencode({**base_query, "sort": sort, "format": "csv"}),
            "now_iso": utc_iso(now),
        }
    )
    return render(request, "deadlines/dashboard_list.html", context)
