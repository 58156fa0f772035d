"""Meetings: scheduling, the agenda (built from the queue, due reviews and carried actions, then ordered and
time-boxed by the chair), the pack, attendance and what is said about each item, saved as the meeting goes."""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from panels.models import (
    AgendaItem,
    Attendance,
    AttendanceKind,
    ItemGroup,
    ItemKind,
    Meeting,
    MeetingStatus,
    Panel,
    PanelReferral,
    PanelReferralStatus,
)
from panels.services._common import (
    ITEM_SUBJECT,
    REFERRAL_SUBJECT,
    audit,
    open_clock,
    require_running,
    require_unlocked,
)
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_meet
from safeguarding.organisations.models import Agency, User

# The longest a panel may leave a child before looking again.
LONGEST_REVIEW = timedelta(weeks=12)
# The review interval by risk level, when the panel does not set one.
REVIEW_AFTER = {"very_high": timedelta(weeks=2), "high": timedelta(weeks=4), "medium": timedelta(weeks=8)}


def review_date_default(level: str, meeting: Meeting) -> Any:
    return (timezone.localtime(meeting.scheduled_for) + REVIEW_AFTER.get(level, LONGEST_REVIEW)).date()


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)


@transaction.atomic(durable=True)
def meeting_schedule(
    *,
    actor: User,
    context: AuditContext,
    panel: Panel,
    scheduled_for: datetime,
    location: str = "",
    invited_agencies: list[Agency] | None = None,
) -> Meeting:
    require_running(actor, panel)
    if scheduled_for < timezone.now() - timedelta(days=1):
        raise ValidationError({"scheduled_for": "The meeting date must be today or in the future"})
    agencies = list(panel.member_agencies.all()) if invited_agencies is None else invited_agencies
    if any(a.local_authority_id != panel.local_authority_id for a in agencies):
        raise ApplicationError("Only agencies of the panel's local authority can be invited.")
    meeting = Meeting.objects.create(
        panel=panel,
        local_authority_id=panel.local_authority_id,
        scheduled_for=scheduled_for,
        location=location.strip()[:200],
    )
    meeting.invited_agencies.set(agencies)
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "panel_meeting",
        meeting.pk,
        [],
        panel=panel.name,
        scheduled_for=scheduled_for.isoformat(),
    )
    return meeting


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1


def _add_item(
    meeting: Meeting, referral: PanelReferral, group: str, minutes: int, actor: User, context: AuditContext
) -> AgendaItem:
    kind = ItemKind.NEW if referral.status == PanelReferralStatus.AWAITING_LISTING else ItemKind.REVIEW
    item = AgendaItem(
        meeting=meeting,
        referral=referral,
        kind=kind,
        group=group,
        position=_next_position(meeting),
        minutes_allotted=minutes,
    )
    item.full_clean(exclude=["meeting", "referral"], validate_unique=False)
    item.save(force_insert=True)
    if referral.status == PanelReferralStatus.AWAITING_LISTING:
        referral.status = PanelReferralStatus.LISTED
        referral.save(update_fields=["status", "updated_at"])
        clock = open_clock(REFERRAL_SUBJECT, referral.pk, PolicyCode.PANEL_LISTING)
        if clock is not None:
            deadline_meet(deadline_id=clock.pk, actor=actor, note=f"Listed for {meeting}", context=context)
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "panel_meeting",
        meeting.pk,
        referral.person_ids,
        added_item=str(item.pk),
        kind=kind,
    )
    return item


@transaction.atomic(durable=True)
def agenda_item_add(
    *,
    actor: User,
    context: AuditContext,
    meeting: Meeting,
    referral: PanelReferral,
    group: str = ItemGroup.VICTIMS,
    minutes_allotted: int = 15,
) -> AgendaItem:
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    if referral.panel_id != locked.panel_id:
        raise ApplicationError("This referral is for another panel.")
    if referral.status not in (PanelReferralStatus.AWAITING_LISTING, PanelReferralStatus.LISTED):
        raise ApplicationError("This referral is closed, so it cannot go on an agenda.")
    if locked.items.filter(referral=referral).exists():
        raise ApplicationError("This child is already on this meeting's agenda.")
    if group not in ItemGroup.values:
        raise ValidationError({"group": "Select the agenda group"})
    return _add_item(locked, referral, group, minutes_allotted, actor, context)


def agenda_candidates(meeting: Meeting) -> list[PanelReferral]:
    """What belongs on a meeting's agenda and is not on it yet: referrals waiting to be listed, children whose
    review falls due by the meeting, and children with actions still open (they come back until closed)."""
    on_agenda = meeting.items.values("referral_id")
    meeting_day = timezone.localtime(meeting.scheduled_for).date()
    latest_review = (
        AgendaItem.objects.filter(referral=OuterRef("pk"), review_date__isnull=False)
        .order_by("-meeting__scheduled_for")
        .values("review_date")[:1]
    )
    candidates = (
        PanelReferral.objects.filter(panel_id=meeting.panel_id)
        .exclude(pk__in=on_agenda)
        .annotate(review_due=latest_review)
        .filter(
            Q(status=PanelReferralStatus.AWAITING_LISTING)
            | Q(status=PanelReferralStatus.LISTED, review_due__lte=meeting_day)
            | Q(status=PanelReferralStatus.LISTED, actions__status="open")
        )
        .distinct()
        .select_related("person", "context")
        .order_by("created_at")
    )
    return list(candidates)


@transaction.atomic(durable=True)
def agenda_build(*, actor: User, context: AuditContext, meeting: Meeting) -> list[AgendaItem]:
    """Add every candidate (agenda_candidates) to the agenda, new referrals as victims for the chair to
    regroup. Running it again adds only what is new."""
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    return [
        _add_item(locked, referral, ItemGroup.VICTIMS, 15, actor, context)
        for referral in agenda_candidates(locked)
    ]


@transaction.atomic(durable=True)
def agenda_arrange(
    *, actor: User, context: AuditContext, meeting: Meeting, arrangement: list[dict[str, Any]]
) -> None:
    """The chair's order, groups and time boxes: [{"item": id, "group": g, "minutes": m}] in agenda order,
    naming every item once."""
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    items = {str(i.pk): i for i in locked.items.all()}
    named = [str(entry["item"]) for entry in arrangement]
    if sorted(named) != sorted(items):
        raise ApplicationError(
            "The agenda changed while you were arranging it. Reload the page and try again."
        )
    for entry in arrangement:
        if entry["group"] not in ItemGroup.values:
            raise ValidationError({"group": "Select the agenda group"})
        minutes = int(entry["minutes"])
        if not 1 <= minutes <= 120:
            raise ValidationError({"minutes": "Time for an item must be between 1 and 120 minutes"})
    # Positions are unique per meeting: move everything out of the way first, then into place.
    locked.items.update(position=F("position") + 1000)
    for position, entry in enumerate(arrangement, start=1):
        item = items[str(entry["item"])]
        item.position = position
        item.group = entry["group"]
        item.minutes_allotted = int(entry["minutes"])
        item.save(update_fields=["position", "group", "minutes_allotted", "updated_at"])
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], arranged=len(arrangement))


@transaction.atomic(durable=True)
def meeting_publish_pack(*, actor: User, context: AuditContext, meeting: Meeting) -> Meeting:
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    if not locked.items.exists():
        raise ApplicationError("Add at least one item to the agenda before publishing the pack.")
    locked.pack_published_at = timezone.now()
    if locked.status == MeetingStatus.SCHEDULED:
        locked.status = MeetingStatus.PACK_PUBLISHED
    locked.save(update_fields=["pack_published_at", "status", "updated_at"])
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], pack_published=True)
    return locked


@transaction.atomic(durable=True)
def meeting_start(*, actor: User, context: AuditContext, meeting: Meeting) -> Meeting:
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    locked.status = MeetingStatus.IN_PROGRESS
    locked.save(update_fields=["status", "updated_at"])
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], started=True)
    return locked


@transaction.atomic(durable=True)
def attendance_record(
    *, actor: User, context: AuditContext, meeting: Meeting, agency: Agency, data: dict[str, Any]
) -> Attendance:
    locked = _lock_meeting(meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    errors: dict[str, str] = {}
    name = str(data.get("name", "")).strip()
    kind = str(data.get("kind", ""))
    if not name:
        errors["name"] = "Enter the attendee's name"
    if kind not in AttendanceKind.values:
        errors["kind"] = "Select whether they are present, observing or sent apologies"
    if kind == AttendanceKind.OBSERVER and not data.get("confidentiality_signed"):
        errors["confidentiality_signed"] = (
            "An observer must sign the confidentiality statement before the meeting"
        )
    if errors:
        raise ValidationError(errors)
    if agency.local_authority_id != locked.local_authority_id:
        raise ApplicationError("Select an agency of this local authority.")
    attendance = Attendance.objects.create(
        meeting=locked,
        agency=agency,
        name=name[:160],
        role=str(data.get("role", "")).strip()[:120],
        kind=kind,
        confidentiality_signed=bool(data.get("confidentiality_signed")),
        information_sent=kind == AttendanceKind.APOLOGIES and bool(data.get("information_sent")),
        recorded_by=actor,
    )
    audit(actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], attendance=f"{name}, {kind}")
    return attendance


@transaction.atomic(durable=True)
def attendance_remove(*, actor: User, context: AuditContext, attendance: Attendance) -> None:
    locked = _lock_meeting(attendance.meeting)
    require_running(actor, locked.panel)
    require_unlocked(locked)
    attendance.delete()
    audit(
        actor, context, AuditAction.UPDATE, "panel_meeting", locked.pk, [], removed_attendance=attendance.name
    )


ITEM_FIELDS = ("discussion", "decision", "plan_aims", "review_date")


@transaction.atomic(durable=True)
def agenda_item_record(
    *, actor: User, context: AuditContext, item: AgendaItem, data: dict[str, Any]
) -> AgendaItem:
    """What the panel said and decided about one item, and its plan: saved as the meeting goes."""
    locked = (
        AgendaItem.objects.select_for_update().select_related("meeting__panel", "referral").get(pk=item.pk)
    )
    require_running(actor, locked.meeting.panel)
    require_unlocked(locked.meeting)
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    review_date = data.get("review_date", locked.review_date)
    if review_date is not None:
        meeting_day = timezone.localtime(locked.meeting.scheduled_for).date()
        if review_date <= meeting_day:
            raise ValidationError({"review_date": "The review date must be after the meeting"})
        if review_date > meeting_day + LONGEST_REVIEW:
            raise ValidationError({"review_date": "The review date must be within 12 weeks of the meeting"})
    changes = {f: str(v) for f, v in data.items() if getattr(locked, f) != v}
    for field, value in data.items():
        setattr(locked, field, value)
    locked.save()
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "panel_item",
        locked.pk,
        locked.referral.person_ids,
        **{f: (v[:200]) for f, v in changes.items()},
    )
    return locked


@transaction.atomic(durable=True)
def agenda_item_plan_send(*, actor: User, context: AuditContext, item: AgendaItem) -> AgendaItem:
    """The plan (aims, actions, review date) goes to the members: meets the two-working-day clock."""
    locked = (
        AgendaItem.objects.select_for_update().select_related("meeting__panel", "referral").get(pk=item.pk)
    )
    require_running(actor, locked.meeting.panel)
    if not locked.plan_aims.strip() or locked.review_date is None:
        raise ApplicationError("Give the plan its aims and a review date before sending it.")
    if locked.plan_sent_at is not None:
        raise ApplicationError("This plan has already been sent.")
    locked.plan_sent_at = timezone.now()
    locked.save(update_fields=["plan_sent_at", "updated_at"])
    clock = open_clock(ITEM_SUBJECT, locked.pk, PolicyCode.PANEL_PLAN)
    if clock is not None:
        deadline_meet(deadline_id=clock.pk, actor=actor, note="Plan sent to the members", context=context)
    audit(
        actor,
        context,
        AuditAction.SHARE,
        "panel_item",
        locked.pk,
        locked.referral.person_ids,
        plan_sent=True,
    )
    return locked
