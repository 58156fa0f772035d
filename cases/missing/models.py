"""Missing episodes about a child, their risk grading over time, the return and its return home interview (RHI),
the authority's repeat-missing threshold, and the child's Philomena profile (Part 1, kept ahead of time; Part 2
is recorded on each episode).

An episode belongs to the child's open case in the child's authority: whoever may see that case sees the
episode, and those who may change it record it (cases.missing.access)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cases.models import Case
from cases.networks.models import Link
from safeguarding.common.models import TimeStampedModel, UUIDModel
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.models import Person


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE = "care", "Care (a placement or children's home)"
    EDUCATION = "education", "Education (school or college)"


class RiskGrade(models.TextChoices):
    """The police missing-person risk grades (College of Policing APP), lowest first."""

    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ExploitationIndicator(models.TextChoices):
    """What is noticed on the child's return that points to exploitation (the signs the ERP reads across
    criminal and sexual exploitation and county lines)."""

    OUT_OF_AREA = "out_of_area", "Found out of the area, or travelled far"
    CASH_OR_GOODS = "cash_or_goods", "Unexplained money, clothes or goods"
    PHONES = "phones", "More than one phone, or a new phone"
    DRUGS = "drugs", "Found with drugs, or drug-dealing items"
    WEAPON = "weapon", "Found with a weapon"
    INJURY = "injury", "Unexplained injuries"
    OLDER_ASSOCIATES = "older_associates", "With older people or adults of concern"
    GANG = "gang", "Links to a gang or county line"
    ADDRESS_OF_CONCERN = "address_of_concern", "Found at an address of concern (a trap house)"
    SUBSTANCES = "substances", "Under the influence of drugs or alcohol"
    SEXUAL_HEALTH = "sexual_health", "Signs of sexual exploitation or sexual health concerns"
    TRANSPORT = "transport", "Travelled by taxi or train with no way of paying"
    WOULD_NOT_SAY = "would_not_say", "Would not say where they had been or who with"


# The list is bounded: every indicator once at most, so no more than there are.
MAX_EXPLOITATION_INDICATORS = len(ExploitationIndicator.choices)


class RhiOutcome(models.TextChoices):
    HELD = "held", "Held by someone independent"
    REFUSED = "refused", "The child refused"
    NOT_HELD = "not_held", "Decided not to hold one"
    MISSING_AGAIN = "missing_again", "Not held: the child went missing again"


class MissingSettings(TimeStampedModel):
    """An authority's repeat-missing threshold: `repeat_episodes` episodes within `repeat_window_days` days
    prompts a strategy discussion or a referral to the Exploitation and Risk Panel. An authority with no row
    uses the defaults."""

    DEFAULT_REPEAT_EPISODES = 3
    DEFAULT_REPEAT_WINDOW_DAYS = 90

    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="missing_settings"
    )
    repeat_episodes = models.PositiveSmallIntegerField(default=DEFAULT_REPEAT_EPISODES)
    repeat_window_days = models.PositiveSmallIntegerField(default=DEFAULT_REPEAT_WINDOW_DAYS)

    class Meta:
        verbose_name = "missing episodes settings"
        verbose_name_plural = "missing episodes settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(repeat_episodes__gte=2, repeat_episodes__lte=20),
                name="missing_settings_repeat_episodes_range",
                violation_error_message="The number of episodes must be between 2 and 20",
            ),
            models.CheckConstraint(
                condition=models.Q(repeat_window_days__gte=1, repeat_window_days__lte=365),
                name="missing_settings_window_range",
                violation_error_message="The number of days must be between 1 and 365",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repeat_episodes} in {self.repeat_window_days} days"

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.repeat_window_days)


class MissingEpisode(UUIDModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_episodes")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="missing_episodes")
    # The case's authority, so the access filter needs no join.
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    # Reported missing.
    reported_by_name = models.CharField(max_length=200, blank=True)
    reported_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    police_reference = models.CharField(max_length=50, blank=True)
    missing_from = models.CharField(max_length=16, choices=MissingFrom.choices)
    last_seen_at = models.DateTimeField()
    last_seen_where = models.CharField(max_length=300)
    last_seen_by = models.CharField(max_length=200, blank=True)
    # The latest of the episode's risk assessments (MissingRiskAssessment), kept in step by the services so
    # that lists show it without a subquery.
    risk_grade = models.CharField(max_length=16, choices=RiskGrade.choices)

    # Repeat missing, as it stood when the episode was reported: this episode was the `repeat_count`th in
    # the authority's window, and whether that met its threshold (the prompt shown on the episode).
    repeat_count = models.PositiveSmallIntegerField(default=1)
    repeat_window_days = models.PositiveSmallIntegerField(default=MissingSettings.DEFAULT_REPEAT_WINDOW_DAYS)
    repeat_prompted = models.BooleanField(default=False)

    # Philomena Protocol Part 2: at the time of going missing.
    clothing = models.TextField(max_length=2000, blank=True)
    appearance_now = models.TextField(max_length=2000, blank=True)
    belongings = models.TextField(max_length=2000, blank=True)
    circumstances = models.TextField(max_length=4000, blank=True)
    anything_new = models.TextField(max_length=4000, blank=True)
    part2_updated_at = models.DateTimeField(null=True, blank=True)

    # Found or returned.
    found_at = models.DateTimeField(null=True, blank=True)
    found_where = models.CharField(max_length=300, blank=True)
    found_by = models.CharField(max_length=200, blank=True)
    safe_and_well_done = models.BooleanField(null=True, blank=True)
    safe_and_well_at = models.DateTimeField(null=True, blank=True)
    harm_suffered = models.TextField(max_length=4000, blank=True)
    exploitation_indicators = ArrayField(
        models.CharField(max_length=32, choices=ExploitationIndicator.choices),
        default=list,
        blank=True,
        size=MAX_EXPLOITATION_INDICATORS,
    )
    return_recorded_at = models.DateTimeField(null=True, blank=True)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The return home interview clock, started from found_at.
    rhi_deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The return home interview's outcome: blank while it is still to be held.
    rhi_outcome = models.CharField(max_length=16, choices=RhiOutcome.choices, blank=True)
    rhi_outcome_at = models.DateTimeField(null=True, blank=True)
    rhi_held_by = models.CharField(max_length=200, blank=True)
    rhi_held_by_role = models.CharField(max_length=200, blank=True)
    rhi_independent = models.BooleanField(default=False)
    rhi_summary = models.TextField(max_length=4000, blank=True)
    rhi_reason = models.TextField(max_length=2000, blank=True)
    rhi_recorded_at = models.DateTimeField(null=True, blank=True)
    rhi_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Optimistic locking: every change names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reported_at__gte=models.F("last_seen_at")),
                name="missing_reported_after_last_seen",
            ),
            models.CheckConstraint(
                condition=models.Q(found_at__isnull=True)
                # reported_at is on or after last_seen_at (above), so this is after last seen too.
                | models.Q(found_at__gte=models.F("reported_at")),
                name="missing_found_after_reported",
            ),
            models.CheckConstraint(
                condition=models.Q(found_at__isnull=False) | models.Q(rhi_outcome=""),
                name="missing_rhi_only_after_return",
            ),
            models.CheckConstraint(
                condition=~models.Q(rhi_outcome=RhiOutcome.HELD)
                | models.Q(rhi_independent=True, rhi_outcome_at__isnull=False) & ~models.Q(rhi_held_by=""),
                name="missing_rhi_held_independent",
            ),
            models.CheckConstraint(
                condition=~models.Q(rhi_outcome__in=[RhiOutcome.REFUSED, RhiOutcome.NOT_HELD])
                | ~models.Q(rhi_reason=""),
                name="missing_rhi_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(exploitation_indicators__len__lte=MAX_EXPLOITATION_INDICATORS),
                name="missing_indicators_bounded",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="missing_version_positive"),
        ]
        indexes = [
            # The child's missing page (newest first) and the repeat-missing count (reported_at in a window).
            models.Index(fields=["person", "-reported_at"], name="missing_person_reported_idx"),
        ]

    def __str__(self) -> str:
        return f"Missing episode {str(self.pk)[:8]}"

    @property
    def is_open(self) -> bool:
        """Still missing: no return recorded."""
        return self.found_at is None

    @property
    def duration(self) -> timedelta | None:
        """From last seen to found, once found."""
        if self.found_at is None:
            return None
        return self.found_at - self.last_seen_at

    @property
    def exploitation_indicator_labels(self) -> list[str]:
        labels = dict(ExploitationIndicator.choices)
        return [str(labels.get(value, value)) for value in self.exploitation_indicators]

    @property
    def rhi_pending(self) -> bool:
        return self.found_at is not None and not self.rhi_outcome


class MissingRiskAssessment(TimeStampedModel):
    """One grading of the episode's risk, with what it was based on; the latest is the episode's grade."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="risk_assessments")
    grade = models.CharField(max_length=16, choices=RiskGrade.choices)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    basis = models.TextField(max_length=2000)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(basis=""), name="missing_risk_has_basis"),
        ]
        indexes = [
            # The episode's risk history, newest first.
            models.Index(fields=["episode", "-assessed_at"], name="missing_risk_episode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} at {self.assessed_at:%Y-%m-%d %H:%M}"


class PhilomenaProfile(UUIDModel):
    """Philomena Protocol Part 1: what the police need if the child goes missing, gathered ahead of time. It
    belongs to the child, not to the carer or placement: when the carer changes the profile stays, with the
    change in its carer history."""

    DEFAULT_REVIEW_MONTHS = 6

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="philomena_profile")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(
        max_length=4000, blank=True, help_text="Height, build, hair, distinguishing marks."
    )
    # Photos are documents (the child's records module keeps files): the profile says where one is held.
    photo_reference = models.CharField(max_length=300, blank=True)
    photo_taken_on = models.DateField(null=True, blank=True)
    associates = models.TextField(max_length=4000, blank=True)
    associate_links = models.ManyToManyField(Link, blank=True, related_name="+")
    addresses_and_places = models.TextField(max_length=4000, blank=True)
    phones_and_social_media = models.TextField(max_length=2000, blank=True)
    medical_needs = models.TextField(max_length=2000, blank=True)
    transport = models.TextField(max_length=2000, blank=True)
    current_carer = models.CharField(max_length=200, blank=True)
    current_placement = models.CharField(max_length=300, blank=True)
    next_review_on = models.DateField()
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    review_deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="philomena_version_positive"),
        ]

    def __str__(self) -> str:
        return f"Philomena profile {str(self.pk)[:8]}"


class PhilomenaCarerChange(TimeStampedModel):
    """The profile's carers and placements over time, newest first: the first row is the current one."""

    profile = models.ForeignKey(PhilomenaProfile, on_delete=models.CASCADE, related_name="carer_changes")
    carer = models.CharField(max_length=200, blank=True)
    placement = models.CharField(max_length=300, blank=True)
    changed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.carer or self.placement} from {self.changed_on}"
