"""The Daily Risk Management meeting: the day's new referrals, county lines reports and breached clocks,
each with the outcome the meeting agreed."""

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
from referrals.access import access_referral_to_manage, mash_user
from referrals.choices import DrmItemKind
from referrals.forms import DrmOutcomeForm
from referrals.models import DrmItem, Referral
from referrals.selectors import breached_referral_clocks, drm_items, referrals_for_drm
from referrals.services import drm_outcome_record
from safeguarding.common.errors import ApplicationError, NotFound
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.models import User


@dataclass
class DrmRow:
    kind: str
    referral: Referral
    form: DrmOutcomeForm
    item: DrmItem | None = None
    clocks: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{self.kind}-{self.referral.pk}"


def _meeting_date(value: str | None) -> date:
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return timezone.localdate()


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _drm_rows(
    actor: User, meeting_date: date, posted: DrmOutcomeForm | None, posted_prefix: str
) -> dict[str, list[DrmRow]]:
    assert actor.agency is not None
    local_authority_id = actor.agency.local_authority_id
    now = timezone.now()
    breached = breached_referral_clocks(local_authority_id=local_authority_id, now=now)
    items = drm_items(local_authority_id=local_authority_id, meeting_date=meeting_date)
    start, end = _local_day_bounds(meeting_date)
    wanted = {clock.referral_id for clock in breached} | {item.referral_id for item in items}  # type: ignore[attr-defined]
    referrals = {
        referral.pk: referral
        for referral in referrals_for_drm(user=actor, received_from=start, received_before=end, also=wanted)
    }
    outcomes = {(item.kind, item.referral_id): item for item in items}

    def row(kind: str, referral: Referral, clocks: list[str] | None = None) -> DrmRow:
        item = outcomes.get((kind, referral.pk))
        prefix = f"{kind}-{referral.pk}"
        form = (
            posted
            if posted is not None and prefix == posted_prefix
            else DrmOutcomeForm(
                prefix=prefix,
                initial={"referral": referral.pk, "kind": kind, "outcome": item.outcome if item else ""},
            )
        )
        label = DrmItemKind(kind).label.lower()
        form.fields["outcome"].label = f"Outcome agreed for {referral.person.full_name} ({label})"
        return DrmRow(kind=kind, referral=referral, form=form, item=item, clocks=clocks or [])

    new = sorted(
        (referral for referral in referrals.values() if start <= referral.received_at < end),
        key=lambda referral: referral.received_at,
    )
    county_lines = [
        row(DrmItemKind.COUNTY_LINES, referrals[item.referral_id])
        for item in items
        if item.kind == DrmItemKind.COUNTY_LINES and item.referral_id in referrals
    ]
    breached_by_referral: dict[uuid.UUID, list[str]] = {}
    for clock in breached:
        referral_id = clock.referral_id  # type: ignore[attr-defined]
        if referral_id in referrals:
            label = clock.get_policy_display()
            breached_by_referral.setdefault(referral_id, []).append(
                f"{label}, due {timezone.localtime(clock.due_at):%-d %b %H:%M}"
            )
    return {
        "new": [row(DrmItemKind.NEW_REFERRAL, referral) for referral in new],
        "county_lines": county_lines,
        "breached": [
            row(DrmItemKind.BREACHED_CLOCK, referrals[referral_id], labels)
            for referral_id, labels in breached_by_referral.items()
        ],
    }


@require_http_methods(["GET", "POST"])
def drm_view(request: HttpRequest) -> HttpResponse:
    actor = mash_user(request.user)
    meeting_date = _meeting_date(request.GET.get("date"))
    posted: DrmOutcomeForm | None = None
    posted_prefix = ""
    if request.method == "POST":
        posted_prefix = request.POST.get("item", "")
        posted = DrmOutcomeForm(request.POST, prefix=posted_prefix)
        if posted.is_valid():
            referral = access_referral_to_manage(actor, posted.cleaned_data["referral"])
            try:
                drm_outcome_record(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    referral=referral,
                    kind=posted.cleaned_data["kind"],
                    meeting_date=meeting_date,
                    outcome=posted.cleaned_data["outcome"],
                )
            except (ValidationError, ApplicationError) as error:
                form_errors_from(posted, error)
            else:
                messages.success(request, f"Outcome recorded for {referral.person.full_name}.")
                return redirect(f"{reverse('referrals:drm')}?{urlencode({'date': meeting_date.isoformat()})}")
    sections = _drm_rows(actor, meeting_date, posted, posted_prefix)
    shown = [row.referral.person_id for rows in sections.values() for row in rows]
    if shown:
        audit_read(request, action=AuditAction.LIST, object_type="drm", object_id=None, person_ids=shown)
    if posted is not None and not any(
        row.prefix == posted_prefix for rows in sections.values() for row in rows
    ):
        raise NotFound()
    return render(
        request,
        "referrals/drm.html",
        {
            "meeting_date": meeting_date,
            "is_today": meeting_date == timezone.localdate(),
            "sections": [
                ("new", "New referrals", sections["new"]),
                ("county-lines", "County lines reports", sections["county_lines"]),
                ("breached", "Breached clocks", sections["breached"]),
            ],
            "form": posted,
            "previous_date": (meeting_date - timedelta(days=1)).isoformat(),
            "next_date": (meeting_date + timedelta(days=1)).isoformat(),
        },
    )
