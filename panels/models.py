"""The Exploitation and Risk Panel: panel series, referrals to a panel, meetings with their agenda, attendance,
risk assessments, actions that carry forward from meeting to meeting, and minutes that lock.

Panels store where a referral came from (a MASH referral, a missing episode...) as a type and an id, without
importing the app it came from (referrals imports panels, never the other way)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from cases.models import Case, ExploitationType, RiskLevel
from cases.networks.models import Context
from safeguarding.common.models import TimeStampedModel, UUIDModel
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority
from safeguarding.people.models import Person

# The agencies whose absence from a meeting is called out (the seed's findings 3 and 6: housing included).
CORE_AGENCY_TYPES = (
    AgencyType.POLICE,
    AgencyType.CHILDRENS_SOCIAL_CARE,
    AgencyType.HEALTH,
    AgencyType.EDUCATION,
    AgencyType.HOUSING,
)


class PanelKind(models.TextChoices):
    ERP = "erp", "Exploitation and Risk Panel"
    CONTEXTUAL_ERP = "contextual_erp", "Contextual Exploitation and Risk Panel (places, groups, themes)"
    SOCIAL_NEEDS = "social_needs", "Social Needs Panel (housing)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"


class Panel(UUIDModel):
    """A panel series: who sits on it, who chairs it, how often it meets."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="panels")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=PanelKind.choices, default=PanelKind.ERP)
    cadence_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days between meetings: the child-focused ERP meets every 2 to 4 weeks."
    )
    # Told when a referral arrives; owns the clock to list it.
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Alerted when a core agency misses meetings repeatedly.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Co-chairs: police and the local authority.
    chairs = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="chaired_panels")
    member_agencies = models.ManyToManyField(Agency, related_name="panels")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("local_authority", Lower("name"), name="panel_name_unique_per_authority"),
            models.CheckConstraint(
                condition=models.Q(cadence_days__gte=1, cadence_days__lte=90), name="panel_cadence_sensible"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferralSource(models.TextChoices):
    MASH_DECISION = "mash_decision", "MASH decision"
    AGENCY = "agency", "Agency referral"
    REPEAT_MISSING = "repeat_missing", "Prompted: repeat missing episodes"
    NRM_POSITIVE = "nrm_positive", "Prompted: positive NRM decision"
    CROSS_CASE_LINK = "cross_case_link", "Prompted: a link across cases"


class PanelReferralStatus(models.TextChoices):
    AWAITING_LISTING = "awaiting_listing", "Awaiting listing"
    LISTED = "listed", "On the panel"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_REFERRAL_STATUSES = (PanelReferralStatus.AWAITING_LISTING, PanelReferralStatus.LISTED)


class PanelReferral(UUIDModel):
    """A child (or young adult), or a place or group (to the contextual panel), referred to a panel. Stays open
    while the panel is working with them: its items come back at each review until the panel closes it with an
    outcome."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="referrals")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    # Exactly one of the two: whom or what the panel is asked to work with.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="panel_referrals"
    )
    context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="panel_referrals"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=24, choices=ReferralSource.choices)
    # Where it came from, without importing that app: e.g. ("referral", <MASH referral id>).
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.UUIDField(null=True, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=4000)
    exploitation_types = ArrayField(models.CharField(max_length=32, choices=ExploitationType.choices))
    current_risk = models.CharField(max_length=16, choices=RiskLevel.choices)
    status = models.CharField(
        max_length=20, choices=PanelReferralStatus.choices, default=PanelReferralStatus.AWAITING_LISTING
    )
    # On a panel of this authority in the 12 months before this referral.
    is_repeat = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open referral of a person to a panel: a second is a repeat only after the first closed.
            models.UniqueConstraint(
                fields=["panel", "person"],
                condition=models.Q(status__in=["awaiting_listing", "listed"]),
                name="panel_referral_one_open_per_person",
            ),
            models.UniqueConstraint(
                fields=["panel", "context"],
                condition=models.Q(status__in=["awaiting_listing", "listed"]),
                name="panel_referral_one_open_per_context",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=True) ^ models.Q(context__isnull=True),
                name="panel_referral_about_one_child_or_context",
            ),
            models.CheckConstraint(
                condition=~models.Q(exploitation_types=[]), name="panel_referral_has_exploitation_type"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["closed", "withdrawn"], closed_at__isnull=False)
                    | models.Q(status__in=["awaiting_listing", "listed"], closed_at__isnull=True)
                ),
                name="panel_referral_closed_at_matches_status",
            ),
        ]
        indexes = [
            # The panel's queue: its referrals awaiting listing, oldest first.
            models.Index(
                fields=["panel", "created_at"],
                condition=models.Q(status="awaiting_listing"),
                name="panel_referral_queue_idx",
            ),
            # The repeat check: this person's referrals to the authority's panels in the last 12 months.
            models.Index(fields=["person", "created_at"], name="panel_referral_person_idx"),
        ]

    def __str__(self) -> str:
        return f"Panel referral {str(self.pk)[:8]}"

    @property
    def about(self) -> Person | Context:
        """Whom or what the referral is about."""
        about = self.person or self.context
        assert about is not None
        return about

    @property
    def subject_name(self) -> str:
        """The child's full name, or the place or group's name."""
        if self.person is not None:
            return self.person.full_name
        assert self.context is not None
        return self.context.name

    @property
    def short_name(self) -> str:
        """As a clock's label shows it: the child's given name and initial, or the place or group's name."""
        if self.person is not None:
            return f"{self.person.given_name} {self.person.family_name[:1]}."
        assert self.context is not None
        return self.context.name[:80]

    @property
    def person_ids(self) -> list[uuid.UUID]:
        """For the audit trail: the child, or nobody for a place or group."""
        return [self.person_id] if self.person_id is not None else []


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PACK_PUBLISHED = "pack_published", "Pack published"
    IN_PROGRESS = "in_progress", "In progress"
    MINUTES_LOCKED = "minutes_locked", "Minutes approved and locked"


class Meeting(UUIDModel):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    scheduled_for = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    # Agencies invited: their members see this meeting's items, and only these.
    invited_agencies = models.ManyToManyField(Agency, related_name="panel_meetings")
    pack_published_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(max_length=50_000, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking of the live minutes: two people typing never overwrite each other silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="minutes_locked", minutes_approved_at__isnull=False)
                    | (~models.Q(status="minutes_locked") & models.Q(minutes_approved_at__isnull=True))
                ),
                name="meeting_locked_when_approved",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="meeting_version_positive"),
        ]
        indexes = [
            # A panel's meetings by date (the previous meeting, the next one).
            models.Index(fields=["panel", "scheduled_for"], name="meeting_panel_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.panel} on {self.scheduled_for:%d %B %Y}"

    @property
    def is_locked(self) -> bool:
        return self.status == MeetingStatus.MINUTES_LOCKED


class MinutesAmendment(TimeStampedModel):
    """A change to locked minutes: never a silent edit."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000)
    minutes_before = models.TextField(max_length=50_000)
    minutes_after = models.TextField(max_length=50_000)

    class Meta:
        ordering = ["created_at"]


class AttendanceKind(models.TextChoices):
    PRESENT = "present", "Present"
    OBSERVER = "observer", "Observer"
    APOLOGIES = "apologies", "Apologies"


class Attendance(TimeStampedModel):
    """One person at (or sending apologies to) a meeting, the MARAC way."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=160)
    role = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=16, choices=AttendanceKind.choices)
    confidentiality_signed = models.BooleanField(default=False)
    information_sent = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # An observer sits in only once they have signed the confidentiality statement.
            models.CheckConstraint(
                condition=~models.Q(kind="observer") | models.Q(confidentiality_signed=True),
                name="attendance_observer_signed",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="apologies") | models.Q(information_sent=False),
                name="attendance_information_sent_only_with_apologies",
            ),
        ]


class ItemGroup(models.TextChoices):
    VICTIMS = "victims", "Victims"
    OFFENDERS = "offenders", "Offenders"
    LOCATIONS = "locations", "Locations"
    THEMES = "themes", "Themes"


class ItemKind(models.TextChoices):
    NEW = "new", "New referral"
    REVIEW = "review", "Review"


class AgendaItem(UUIDModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    referral = models.ForeignKey(PanelReferral, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    group = models.CharField(max_length=12, choices=ItemGroup.choices, default=ItemGroup.VICTIMS)
    position = models.PositiveSmallIntegerField()
    minutes_allotted = models.PositiveSmallIntegerField(default=15)
    discussion = models.TextField(max_length=20_000, blank=True)
    decision = models.TextField(max_length=4000, blank=True)
    # The succinct plan: aims, the actions agreed (PanelAction), and when the panel looks again.
    plan_aims = models.TextField(max_length=4000, blank=True)
    review_date = models.DateField(null=True, blank=True)
    plan_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "referral"], name="agenda_item_once_per_meeting"),
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_position_unique"),
            models.CheckConstraint(
                condition=models.Q(minutes_allotted__gte=1, minutes_allotted__lte=120),
                name="agenda_item_time_box_sensible",
            ),
        ]


class RiskInstrument(TimeStampedModel):
    """A versioned risk assessment instrument. The definition (indicators, recency weights, thresholds) is data,
    so an authority can adopt a new version; an assessment keeps the version it was made with."""

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    definition = models.JSONField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="risk_instrument_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(active=True), name="risk_instrument_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Trajectory(models.TextChoices):
    NEW = "new", "First assessment"
    INCREASED = "increased", "Increased"
    UNCHANGED = "unchanged", "Unchanged"
    DECREASED = "decreased", "Decreased"


class RiskAssessment(UUIDModel):
    """The panel's structured risk assessment of one item, saved as the meeting goes."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="assessment")
    referral = models.ForeignKey(PanelReferral, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.PROTECT, related_name="+")
    # indicator code -> recency window code, as the instrument defines them.
    answers = models.JSONField(default=dict)
    evidence = models.TextField(max_length=10_000, blank=True)
    professional_judgement = models.TextField(max_length=10_000, blank=True)
    danger_statement = models.TextField(max_length=4000, blank=True)
    safety_goal = models.TextField(max_length=4000, blank=True)
    score = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    previous_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    trajectory = models.CharField(max_length=12, choices=Trajectory.choices)
    age_at_assessment = models.PositiveSmallIntegerField(null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # "The latest risk assessment" of a referral (pack, review: risk then and now).
            models.Index(fields=["referral", "-created_at"], name="risk_assessment_latest_idx"),
        ]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CIRCUMSTANCES_CHANGED = "circumstances_changed", "Closed: circumstances changed"
    AGENCY_DID_NOT_ACT = "agency_did_not_act", "Closed: agency did not act"


class PanelAction(UUIDModel):
    """An action agreed at a panel, with an owner and a due date (a clock). Incomplete actions come back on
    every later agenda about the same referral until closed, and the way each was closed is counted."""

    referral = models.ForeignKey(PanelReferral, on_delete=models.PROTECT, related_name="actions")
    agreed_at = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions_agreed")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(max_length=2000)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="panel_actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="panel_actions",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=24, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="actions_closed"
    )
    closure_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", closed_at__isnull=True)
                    | (~models.Q(status="open") & models.Q(closed_at__isnull=False))
                ),
                name="panel_action_closed_at_matches_status",
            ),
        ]
        indexes = [
            # My agency's open actions across panels, soonest due first; and a referral's open actions.
            models.Index(
                fields=["owner_agency", "due_date"],
                condition=models.Q(status="open"),
                name="panel_action_agency_open_idx",
            ),
            models.Index(
                fields=["referral"], condition=models.Q(status="open"), name="panel_action_referral_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class AbsenceAlert(UUIDModel):
    """A core agency nobody from which was present at two consecutive held meetings of a panel (the seed's
    finding 3: which agencies were missing). The subject of the clock to follow it up, owned by the panel's
    manager (panels/services/attendance_alerts.py)."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="absence_alerts")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The meeting whose approved minutes showed the second absence in a row, and the one before it.
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="absence_alerts")
    previous_meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="absence_alert_once_per_meeting"),
        ]
        indexes = [
            # "Is a follow-up of this agency's absence from this panel still open?" (and the figures page).
            models.Index(fields=["panel", "agency"], name="absence_alert_panel_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"Absence alert {str(self.pk)[:8]}"
