"""The clocks behind one dashboard figure as CSV, audited with everyone whose clocks it holds."""

import csv
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.common.csv_cells import csv_cell
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.selectors import ClockListFilter

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


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else ""


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
