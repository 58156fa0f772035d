"""Reads for the panel pages and APIs, each scoped through panels/access.py."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from panels.access import actions_visible_to, meetings_visible_to, referrals_visible_to
from panels.models import (
    CORE_AGENCY_TYPES,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Meeting,
    Panel,
    PanelAction,
    PanelReferral,
    PanelReferralStatus,
    RiskAssessment,
)
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.organisations.models import Agency, User


def panel_queue(*, user: User, panel: Panel) -> QuerySet[PanelReferral]:
    """Referrals awaiting listing, oldest first (panel_referral_queue_idx)."""
    return (
        referrals_visible_to(user)
        .filter(panel=panel, status=PanelReferralStatus.AWAITING_LISTING)
        .select_related("person", "context", "referring_agency", "referred_by")
        .order_by("created_at")
    )


def panel_meetings(*, user: User, panel: Panel) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .filter(panel=panel)
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-scheduled_for")
    )


def meetings_for(*, user: User) -> QuerySet[Meeting]:
    """The meetings a user is invited to or runs, soonest first from today, for their home page and list."""
    return (
        meetings_visible_to(user)
        .select_related("panel")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("scheduled_for")
    )


@dataclass
class CoreAbsence:
    agency_type: str
    label: str


@dataclass
class MeetingView:
    """Everything the meeting page shows, in a fixed number of queries however many items there are."""

    meeting: Meeting
    items: list[AgendaItem]
    attendance: list[Attendance]
    absent_core: list[CoreAbsence]
    # item id -> the referral's open actions agreed at earlier meetings (they come back until closed).
    carried: dict[uuid.UUID, list[PanelAction]] = field(default_factory=dict)
    # item id -> actions agreed at this meeting.
    agreed: dict[uuid.UUID, list[PanelAction]] = field(default_factory=dict)
    # item id -> the referral's previous assessment (risk "then"), for reviews.
    previous: dict[uuid.UUID, RiskAssessment] = field(default_factory=dict)
    # referral id -> earlier referrals of the same person (repeat referrals' history).
    history: dict[uuid.UUID, list[PanelReferral]] = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(item.minutes_allotted for item in self.items)


def core_absences(attendance: list[Attendance]) -> list[CoreAbsence]:
    """Core agencies with nobody present (observers and apologies do not count as attending)."""
    present = {a.agency.agency_type for a in attendance if a.kind == AttendanceKind.PRESENT}
    return [CoreAbsence(t.value, str(t.label)) for t in CORE_AGENCY_TYPES if t.value not in present]


def meeting_view(*, meeting: Meeting) -> MeetingView:
    """The meeting page's data for someone access_meeting has authorised. Queries: items with their referral,
    person and assessment (1); attendance with agencies (1); open and agreed actions of the items' referrals
    (1); previous assessments (1); earlier referrals of the same people (1)."""
    items = list(
        meeting.items.select_related(
            "referral__person", "referral__context", "referral__referring_agency", "assessment"
        ).order_by("position")
    )
    attendance = list(meeting.attendance.select_related("agency"))
    referral_ids = [item.referral_id for item in items]
    item_for_referral = {item.referral_id: item for item in items}
    view = MeetingView(
        meeting=meeting, items=items, attendance=attendance, absent_core=core_absences(attendance)
    )
    actions = (
        PanelAction.objects.filter(referral_id__in=referral_ids)
        .filter(Q(status=ActionStatus.OPEN) | Q(agreed_at__meeting=meeting) | Q(closed_at_meeting=meeting))
        .select_related("owner_agency", "owner", "agreed_at__meeting")
        .order_by("due_date", "created_at")
    )
    for action in actions:
        item = item_for_referral[action.referral_id]
        if action.agreed_at.meeting_id == meeting.pk:
            view.agreed.setdefault(item.pk, []).append(action)
        else:
            view.carried.setdefault(item.pk, []).append(action)
    previous = (
        RiskAssessment.objects.filter(referral_id__in=referral_ids)
        .exclude(item__meeting=meeting)
        .order_by("referral_id", "-created_at")
        .distinct("referral_id")
    )
    for assessment in previous:
        view.previous[item_for_referral[assessment.referral_id].pk] = assessment
    repeats = [item.referral for item in items if item.referral.is_repeat]
    if repeats:
        earlier = (
            PanelReferral.objects.filter(
                Q(person_id__in=[r.person_id for r in repeats if r.person_id])
                | Q(context_id__in=[r.context_id for r in repeats if r.context_id])
            )
            .exclude(pk__in=[r.pk for r in repeats])
            .select_related("panel")
            .order_by("-created_at")
        )
        # Keyed by the child, or by the place or group: (person id, context id).
        by_subject: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[PanelReferral]] = defaultdict(list)
        for referral in earlier:
            by_subject[(referral.person_id, referral.context_id)].append(referral)
        view.history = {r.pk: by_subject[(r.person_id, r.context_id)] for r in repeats}
    return view


def my_actions(*, user: User, agency: bool = False) -> QuerySet[PanelAction]:
    """My actions (or my agency's) across panels, still open, overdue first then soonest due."""
    assert user.agency is not None
    mine = Q(owner_agency=user.agency) if agency else Q(owner=user)
    return (
        actions_visible_to(user)
        .filter(mine, status=ActionStatus.OPEN)
        .select_related("referral__panel", "referral__person", "referral__context", "owner_agency", "owner")
        .order_by("due_date", "created_at")
    )


def action_clock(action: PanelAction) -> Deadline | None:
    return (
        Deadline.objects.filter(subject_type="panel_action", subject_id=action.pk)
        .order_by("-started_at")
        .first()
    )


def clocks_for(subject_type: str, subject_ids: list[uuid.UUID]) -> dict[uuid.UUID, Deadline]:
    """The open clock of each subject (one query), for lists that show time left."""
    found: dict[uuid.UUID, Deadline] = {}
    for clock in Deadline.objects.filter(
        subject_type=subject_type, subject_id__in=subject_ids, status__in=OPEN_STATUSES
    ).order_by("started_at"):
        found.setdefault(clock.subject_id, clock)
    return found


@dataclass
class AgencyAttendance:
    agency: Agency
    is_core: bool
    # (meeting, kind or "absent") in meeting order.
    record: list[tuple[Meeting, str]]

    @property
    def attended(self) -> int:
        return sum(1 for _, kind in self.record if kind == AttendanceKind.PRESENT)

    @property
    def missed_in_a_row(self) -> int:
        run = 0
        for _, kind in reversed(self.record):
            if kind == AttendanceKind.PRESENT:
                break
            run += 1
        return run


def attendance_figures(*, panel: Panel, meetings: int = 12) -> tuple[list[Meeting], list[AgencyAttendance]]:
    """Attendance per member agency over the panel's last `meetings` held meetings (3 queries)."""
    held = list(
        Meeting.objects.filter(panel=panel, scheduled_for__lte=timezone.now() + timedelta(hours=12)).order_by(
            "-scheduled_for"
        )[:meetings]
    )[::-1]
    # An agency's attendance at a meeting is the best of its people's: present, then observer, then apologies.
    rank = {AttendanceKind.PRESENT: 3, AttendanceKind.OBSERVER: 2, AttendanceKind.APOLOGIES: 1, "absent": 0}
    kinds: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    for meeting_id, agency_id, kind in Attendance.objects.filter(meeting__in=held).values_list(
        "meeting_id", "agency_id", "kind"
    ):
        key = (meeting_id, agency_id)
        if rank[kind] > rank[kinds.get(key, "absent")]:
            kinds[key] = kind
    rows = []
    for agency in panel.member_agencies.order_by("name"):
        rows.append(
            AgencyAttendance(
                agency=agency,
                is_core=agency.agency_type in {t.value for t in CORE_AGENCY_TYPES},
                record=[(m, kinds.get((m.pk, agency.pk), "absent")) for m in held],
            )
        )
    return held, rows


def action_outcomes(*, panel: Panel) -> list[tuple[str, int]]:
    """How the panel's actions stand: open, done, and each way of closing one undone (one query)."""
    counts = dict(
        PanelAction.objects.filter(referral__panel=panel)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(str(label), counts.get(value, 0)) for value, label in ActionStatus.choices]
