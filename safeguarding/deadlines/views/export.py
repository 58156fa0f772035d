"""The clocks behind one dashboard figure as CSV, audited with everyone whose clocks it holds."""

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.common.csv_cells import csv_cell
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.selectors import ClockListFilter
from safeguarding.deadlines.subjects import subject_label_of

CSV_HEADER = [
    "Clock ID",
    "Policy",
    "About",
    "Subject type",
    "Subject ID",
    "Case ID",
    "Case reference",
    "Owning agency",
    "Owner",
    "Started",
    "Due",
    "Status",
    "Met at",
    "Breached at",
    "Notified late",
]


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else ""


def _case_reference(clock: Deadline) -> str:
    """The case a clock belongs to; a front-door clock (a referral, a request, a custody booking) belongs to
    the case its referral led to once the MASH decides, and until then says what it is about."""
    if clock.case_id is not None:
        return f"Case {clock.case_id}"
    return f"No case yet: {subject_label_of(clock.subject_type)} {clock.subject_id}"


def clocks_csv_response(
    request: HttpRequest, clocks: list[Deadline], clock_filter: ClockListFilter
) -> HttpResponse:
    audit_read(
        request,
        object_type="deadline",
        object_id=None,
        person_ids=[c.person_id for c in clocks if c.person_id is not None],
        action=AuditAction.EXPORT,
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
                csv_cell(value)
                for value in (
                    clock.pk,
                    clock.get_policy_display(),
                    clock.subject_label,
                    clock.subject_type,
                    clock.subject_id,
                    clock.case_id or "",
                    _case_reference(clock),
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


def dashboard_csv_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The dashboard's summary tables as one CSV (a section column says which table a row is from), audited
    as an export. It names no person: the clocks behind each figure have their own export, with their cases."""
    audit_read(
        request,
        object_type="deadline_dashboard",
        object_id=None,
        person_ids=[],
        action=AuditAction.EXPORT,
        changes={"export": "dashboard"},
    )
    stamp = timezone.localtime(context["now"]).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deadlines-dashboard-{stamp}.csv"'
    writer = csv.writer(response)

    def rows(section: str, header: list[str], values: Iterable[list[Any]]) -> None:
        writer.writerow(["Section", *header])
        for row in values:
            writer.writerow([csv_cell(section), *(csv_cell(value) for value in row)])

    rows("Open now", ["Figure", "Clocks"], ([f["label"], f["count"]] for f in context["figures"]))
    rows(
        "Met within time, by policy",
        ["Policy", "Period", "Met or breached", "Met within time", "Percent", "Median time taken"],
        (
            [policy.label, w.label, w.closed, w.met_in_time, w.percent, w.median]
            for policy in context["policies"]
            for w in policy.windows
        ),
    )
    breakdown = ["Running", "Due within 1 hour", "Due within 24 hours", "Breached and still open", "Paused"]
    keys = ["running", "due_1h", "due_24h", "breached_open", "paused", "met_in_time_4w", "closed_4w"]
    tail = ["Met within time, last 4 weeks", "Met or breached, last 4 weeks"]
    rows(
        "By agency",
        ["Agency", *breakdown, *tail],
        ([r["name"], *(r[k] for k in keys)] for r in context["by_agency"]),
    )
    rows(
        "By worker",
        ["Worker", "Agency", *breakdown, *tail],
        ([r["name"], r["owning_agency__name"], *(r[k] for k in keys)] for r in context["by_worker"]),
    )
    return response
