"""The Daily Risk Management meeting as one meeting: attendance by agency, then one item per child on the
day's list (a new referral, a county lines report or a breached clock; a child with several reasons is on the
list once), each with the outcome agreed, saved as the meeting goes (htmx swaps the item in place; without
JavaScript the page reloads at the item)."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from referrals.access import mash_user
from referrals.choices import DrmAttendanceStatus, DrmItemKind, RagRating
from referrals.drm import DrmAttendanceForm, DrmChildOutcomeForm
from referrals.models import DrmOutcome, Referral
from referrals.selectors import (
    breached_referral_clocks,
    drm_attendance,
    drm_items,
    drm_outcomes,
    referrals_for_drm,
)
from referrals.services import drm_attendance_record, drm_outcome_record
from safeguarding.common.errors import ApplicationError, BadRequest, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

# Red first, then amber, green and not yet rated: the meeting takes the most urgent children first.
RAG_ORDER: dict[str, int] = {RagRating.RED: 0, RagRating.AMBER: 1, RagRating.GREEN: 2}


@dataclass
class DrmChild:
    person: Person
    referrals: list[Referral] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    outcome: DrmOutcome | None = None
    form: DrmChildOutcomeForm | None = None

    @property
    def anchor(self) -> str:
        return f"child-{self.person.pk}"

    @property
    def latest(self) -> Referral:
        return self.referrals[-1]

    @property
    def rating(self) -> str:
        rated = [r.rag_rating for r in self.referrals if r.rag_rating]
        return min(rated, key=lambda rating: RAG_ORDER.get(rating, 3)) if rated else ""

    def sort_key(self) -> tuple[int, datetime]:
        return RAG_ORDER.get(self.rating, 3), self.referrals[0].received_at


def _meeting_date(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadRequest("Enter the meeting's date as YYYY-MM-DD") from error


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _drm_children(actor: User, meeting_date: date) -> list[DrmChild]:
    """The day's list, one item per child: 4 queries (breached clocks, listed items, referrals with their
    people, outcomes with who recorded them)."""
    assert actor.agency is not None
    local_authority_id = actor.agency.local_authority_id
    breached = breached_referral_clocks(local_authority_id=local_authority_id, now=timezone.now())
    items = drm_items(local_authority_id=local_authority_id, meeting_date=meeting_date)
    start, end = _local_day_bounds(meeting_date)
    wanted = {clock.referral_id for clock in breached} | {item.referral_id for item in items}  # type: ignore[attr-defined]
    referrals = {
        referral.pk: referral
        for referral in referrals_for_drm(user=actor, received_from=start, received_before=end, also=wanted)
    }
    outcomes = drm_outcomes(local_authority_id=local_authority_id, meeting_date=meeting_date)
    children: dict[uuid.UUID, DrmChild] = {}

    def child_of(referral: Referral) -> DrmChild:
        child = children.setdefault(referral.person_id, DrmChild(person=referral.person))
        if referral not in child.referrals:
            child.referrals.append(referral)
        return child

    for referral in sorted(referrals.values(), key=lambda r: r.received_at):
        if start <= referral.received_at < end:
            received = timezone.localtime(referral.received_at)
            child_of(referral).reasons.append(
                f"New referral ({referral.get_source_display()}), {received:%H:%M}"
            )
    for item in items:
        if item.kind == DrmItemKind.COUNTY_LINES and item.referral_id in referrals:
            child_of(referrals[item.referral_id]).reasons.append(str(DrmItemKind.COUNTY_LINES.label))
    for clock in breached:
        late = referrals.get(clock.referral_id)  # type: ignore[attr-defined]
        if late is not None:
            due = timezone.localtime(clock.due_at)
            child_of(late).reasons.append(f"Breached: {clock.get_policy_display()}, due {due:%-d %b %H:%M}")
    listed = sorted(children.values(), key=DrmChild.sort_key)
    for child in listed:
        child.referrals.sort(key=lambda r: r.received_at)
        child.outcome = outcomes.get(child.person.pk)
    return listed


def _outcome_form(child: DrmChild, data: object = None) -> DrmChildOutcomeForm:
    form = DrmChildOutcomeForm(
        data,  # type: ignore[arg-type]
        prefix=child.anchor,
        initial={"outcome": child.outcome.outcome if child.outcome else ""},
    )
    form.fields["outcome"].label = f"Outcome agreed for {child.person.full_name}"
    return form


def _page_url(meeting_date: date, anchor: str = "") -> str:
    url = f"{reverse('referrals:drm')}?{urlencode({'date': meeting_date.isoformat()})}"
    return f"{url}#{anchor}" if anchor else url


def _save_outcome(
    request: HttpRequest, actor: User, meeting_date: date, children: list[DrmChild]
) -> HttpResponse | None:
    try:
        person_id = uuid.UUID(request.POST.get("child", ""))
    except ValueError as error:
        raise NotFound() from error
    child = next((c for c in children if c.person.pk == person_id), None)
    if child is None:  # not on this day's list, or not one the actor may see
        raise NotFound()
    form = _outcome_form(child, request.POST)
    child.form = form
    if form.is_valid():
        try:
            child.outcome = drm_outcome_record(
                actor=actor,
                context=AuditContext.from_request(request),
                person=child.person,
                meeting_date=meeting_date,
                outcome=form.cleaned_data["outcome"],
            )
        except (ValidationError, ApplicationError) as error:
            form_errors_from(form, error)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                child.form = _outcome_form(child)
                return render(
                    request,
                    "referrals/_drm_child.html",
                    {"child": child, "meeting_date": meeting_date, "saved": True},
                )
            messages.success(request, f"Outcome saved for {child.person.full_name}.")
            return redirect(_page_url(meeting_date, child.anchor))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "referrals/_drm_child.html", {"child": child, "meeting_date": meeting_date})
    return None  # the whole page again, with the error summary


@require_http_methods(["GET", "POST"])
def drm_view(request: HttpRequest) -> HttpResponse:
    actor = mash_user(request.user)
    assert actor.agency is not None
    meeting_date = _meeting_date(request.GET.get("date"))
    children = _drm_children(actor, meeting_date)
    attendance = drm_attendance(local_authority_id=actor.agency.local_authority_id, meeting_date=meeting_date)
    attendance_form = DrmAttendanceForm(agencies=attendance, prefix="attendance")
    errors_form: DrmChildOutcomeForm | DrmAttendanceForm | None = None
    if request.method == "POST":
        if request.POST.get("action") == "attendance":
            attendance_form = DrmAttendanceForm(request.POST, agencies=attendance, prefix="attendance")
            if attendance_form.is_valid():
                try:
                    drm_attendance_record(
                        actor=actor,
                        context=AuditContext.from_request(request),
                        meeting_date=meeting_date,
                        entries=attendance_form.entries(),
                    )
                except (ValidationError, ApplicationError) as error:
                    form_errors_from(attendance_form, error)
                else:
                    messages.success(request, "Attendance saved.")
                    return redirect(_page_url(meeting_date, "attendance"))
            errors_form = attendance_form
        else:
            response = _save_outcome(request, actor, meeting_date, children)
            if response is not None:
                return response
            errors_form = next(c.form for c in children if c.form is not None)
    for child in children:
        if child.form is None:
            child.form = _outcome_form(child)
    if children:
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="drm",
            object_id=None,
            person_ids=[child.person.pk for child in children],
        )
    present = sum(1 for _, row in attendance if row is not None and row.status == DrmAttendanceStatus.PRESENT)
    return render(
        request,
        "referrals/drm.html",
        {
            "meeting_date": meeting_date,
            "is_today": meeting_date == timezone.localdate(),
            "children": children,
            "with_outcome": sum(1 for child in children if child.outcome is not None),
            "attendance_form": attendance_form,
            "present": present,
            "agency_count": len(attendance),
            "form": errors_form,
            "previous_date": (meeting_date - timedelta(days=1)).isoformat(),
            "next_date": (meeting_date + timedelta(days=1)).isoformat(),
        },
    )
