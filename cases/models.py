from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding.common.models import TimeStampedModel, UUIDModel, each_once
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.models import Person


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RiskLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class ExploitationType(models.TextChoices):
    CRIMINAL = "criminal", "Child criminal exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    SEXUAL = "sexual", "Sexual exploitation"
    GANGS = "gangs", "Gangs or organised crime"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"
    FINANCIAL = "financial", "Financial exploitation"
    RADICALISATION = "radicalisation", "Radicalisation"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "art6_1e_public_task", "UK GDPR Art. 6(1)(e) public task"
    LEGAL_OBLIGATION = "art6_1c_legal_obligation", "UK GDPR Art. 6(1)(c) legal obligation"
    VITAL_INTERESTS = "art6_1d_vital_interests", "UK GDPR Art. 6(1)(d) vital interests"
    SAFEGUARDING = (
        "dpa2018_sch1_para18",
        "DPA 2018 Sch. 1 para 18 safeguarding of children and individuals at risk (Art. 9)",
    )


class Case(UUIDModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_cases",
    )
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED)
    exploitation_types = ArrayField(
        models.CharField(max_length=32, choices=ExploitationType.choices),
        default=list,
        blank=True,
        size=len(ExploitationType),
        validators=[each_once],
    )
    summary = models.TextField(max_length=4000, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.TextField(max_length=2000, blank=True)
    # Optimistic locking: every write must name the version it read; a stale version is refused.
    version = models.PositiveIntegerField(default=1)
    shared_with: "models.ManyToManyField[Agency, CaseShare]" = models.ManyToManyField(
        Agency, through="CaseShare", related_name="shared_cases"
    )

    class Meta:
        ordering = ["-opened_at"]
        permissions = [("share_case", "Can share a case with another agency")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status=CaseStatus.OPEN, closed_at__isnull=True)
                    | models.Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                ),
                name="case_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("opened_at")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="case_version_positive"),
            # One open case per person per authority: a second would split what agencies know of the child.
            models.UniqueConstraint(
                fields=["person", "local_authority"],
                condition=models.Q(status="open"),
                name="case_one_open_per_person",
            ),
        ]
        indexes = [
            # Case list: open cases of an authority, newest first.
            models.Index(fields=["local_authority", "status", "-opened_at"], name="case_la_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {str(self.pk)[:8]} ({self.get_status_display()})"


class CaseShare(TimeStampedModel):
    """A case shared with an agency, with the lawful basis recorded for the share."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    reason = models.TextField(max_length=2000)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="case_share_unique_agency")]

    def __str__(self) -> str:
        return f"{self.case_id} shared with {self.agency_id}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
