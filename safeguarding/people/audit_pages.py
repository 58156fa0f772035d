"""The audit trail people can use. "Who has looked at this record": names, agencies and plain-English
actions, looking at the record kept apart from appearing in a list, a page at a time. The auditor's screen:
the trail searched by person, user, agency and date range, and exported as CSV (the export is itself an
audited read, and every cell is formula-neutralised so a spreadsheet never runs it)."""

import csv
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audits.models import AuditAction, AuditEvent
from audits.selectors import audit_events_for_person
from audits.services import audit_read
from safeguarding.common.csv_cells import csv_cell
from safeguarding.common.errors import NotFound
from safeguarding.common.forms import DateField, GovukFormMixin
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import Role
from safeguarding.people.access import access_person

LOOKS = (AuditAction.VIEW, AuditAction.EXPORT)
CHANGES = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.SHARE)

# What each (action, kind of record) means, as a sentence's verb phrase.
_WHAT = {
    AuditAction.VIEW: "Looked at",
    AuditAction.LIST: "Saw in a list or search",
    AuditAction.CREATE: "Recorded",
    AuditAction.UPDATE: "Changed",
    AuditAction.SHARE: "Shared",
    AuditAction.EXPORT: "Exported",
}
_OBJECTS = {
    "person": "the person's record",
    "case": "the case",
    "referral": "a referral",
    "custody_booking": "a custody booking",
    "information_request": "an information request",
    "deadline": "a clock",
    "network_link": "a network link",
    "panel_referral": "a panel referral",
    "panel_meeting": "a panel meeting",
    "panel_item": "a panel agenda item",
    "panel_action": "a panel action",
    "panel_risk_assessment": "a panel risk assessment",
    "home": "their home page",
    "context": "a place or group",
    "audit_trail": "the audit trail",
}


def describe(event: AuditEvent) -> str:
    """An audit row in plain English: "Looked at the case", "Saw in a list or search: a referral"."""
    what = _WHAT.get(AuditAction(event.action), event.get_action_display())
    thing = _OBJECTS.get(event.object_type, event.object_type.replace("_", " "))
    if event.action == AuditAction.LIST:
        return f"{what}: {thing}"
    return f"{what} {thing}" + (" (through the API)" if event.via == "api" else "")


@dataclass(frozen=True)
class _Row:
    event: AuditEvent
    who: str
    what: str


def _rows(events: list[AuditEvent]) -> list[_Row]:
    return [
        _Row(
            e,
            (e.actor.get_full_name() or e.actor_username) if e.actor is not None else "Reachable (automatic)",
            describe(e),
        )
        for e in events
    ]


@require_GET
def person_looks_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Who has looked at this record: those who opened it, apart from those who only saw it in a list."""
    person = access_person(request.user, person_id)
    show = "lists" if request.GET.get("show") == "lists" else "looks"
    events = audit_events_for_person(person_id=person.pk).select_related("actor")
    events = (
        events.filter(action=AuditAction.LIST) if show == "lists" else events.exclude(action=AuditAction.LIST)
    )
    page = paginate(request, events)
    audit_read(request, object_type="audit_trail", object_id=person.pk, person_ids=[person.pk])
    return render(
        request,
        "people/person_looks.html",
        {"person": person, "show": show, "rows": _rows(list(page["page_obj"].object_list)), **page},
    )


class AuditSearchForm(GovukFormMixin, forms.Form):
    person = forms.UUIDField(
        label="Person's record number",
        help_text="From the address of their record, for example /people/1b9d…/.",
        required=False,
        error_messages={"invalid": "Enter a record number in the right format"},
    )
    user = forms.CharField(label="User name", max_length=150, required=False)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency", required=False)
    date_from = DateField(
        what="the from date", label="From", help_text="For example, 27 3 2026.", required=False
    )
    date_to = DateField(what="the to date", label="To", help_text="For example, 27 3 2026.", required=False)

    def __init__(self, *args: object, auditor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        assert auditor.agency is not None
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(local_authority_id=auditor.agency.local_authority_id).order_by(
            "name"
        )
        field.empty_label = "Any agency"
        field.widget.attrs["class"] = "govuk-select"
        for name in ("person", "user"):
            self.fields[name].widget.attrs["class"] = "govuk-input"

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        if isinstance(start, date) and start.year < 2000:
            self.add_error("date_from", "The from date must be in 2000 or later")
        return cleaned


def _auditor(request: HttpRequest) -> User:
    user = request.user
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    if not user.has_role(Role.AUDITOR):
        raise NotFound()
    return user


def is_auditor(user: User) -> bool:
    return reads_case_data(user) and user.has_role(Role.AUDITOR)


def _search(auditor: User, data: dict[str, object]) -> QuerySet[AuditEvent]:
    assert auditor.agency is not None
    events = AuditEvent.objects.filter(local_authority_id=auditor.agency.local_authority_id)
    if data.get("person"):
        events = events.filter(person_ids__contains=[data["person"]])
    if data.get("user"):
        events = events.filter(actor_username__iexact=str(data["user"]).strip())
    if data.get("agency"):
        events = events.filter(actor_agency_id=data["agency"].pk)  # type: ignore[attr-defined]
    tz = timezone.get_current_timezone()
    if isinstance(data.get("date_from"), date):
        events = events.filter(occurred_at__gte=datetime.combine(data["date_from"], time.min, tz))  # type: ignore[arg-type]
    if isinstance(data.get("date_to"), date):
        events = events.filter(occurred_at__lte=datetime.combine(data["date_to"], time.max, tz))  # type: ignore[arg-type]
    return events.select_related("actor").order_by("-occurred_at", "-id")


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def audit_search_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    auditor = _auditor(request)
    form = AuditSearchForm(request.GET or None, auditor=auditor)
    searched = form.is_bound and form.is_valid()
    events = _search(auditor, form.cleaned_data) if searched else AuditEvent.objects.none()
    if searched and request.GET.get("format") == "csv":
        rows = list(events[:50_000])
        audit_read(
            request,
            action=AuditAction.EXPORT,
            object_type="audit_trail",
            object_id=None,
            person_ids=list({pid for e in rows for pid in e.person_ids}),
        )
        writer = csv.writer(_Echo())
        header = ["When", "User", "Name", "Agency", "What", "Record type", "Record", "People", "Via"]
        lines = (
            writer.writerow([csv_cell(cell) for cell in row])
            for row in [header]
            + [
                [
                    timezone.localtime(e.occurred_at).isoformat(timespec="seconds"),
                    e.actor_username,
                    e.actor.get_full_name() if e.actor is not None else "",
                    e.actor_agency_name,
                    describe(e),
                    e.object_type,
                    e.object_id or "",
                    " ".join(str(p) for p in e.person_ids),
                    e.via,
                ]
                for e in rows
            ]
        )
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
    page = paginate(request, events)
    shown = list(page["page_obj"].object_list)
    if shown:
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="audit_trail",
            object_id=None,
            person_ids=list({pid for e in shown for pid in e.person_ids}),
        )
    return render(
        request,
        "people/audit_search.html",
        {"form": form, "searched": searched, "rows": _rows(shown), **page, "query": request.GET.urlencode()},
    )
