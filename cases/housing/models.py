"""Housing on the child's record (review finding 6: housing is a first-class agency): the family's housing
applications and the child's referrals to housing's Social Needs Panel, each recorded on the child's open case,
with its dates and outcome. Both are edited as the application or referral moves on, so each carries a
version for optimistic locking; every change is in the audit trail."""

from django.conf import settings
from django.db import models

from cases.models import Case
from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.models import Person


class ApplicantRelationship(models.TextChoices):
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer or guardian"
    YOUNG_PERSON = "young_person", "The young person themselves"
    RELATIVE = "relative", "Another relative"
    OTHER = "other", "Someone else"


class HousingApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    BEING_ASSESSED = "being_assessed", "Being assessed"
    ON_REGISTER = "on_register", "On the housing register"
    DECIDED = "decided", "Decided"


class HousingApplicationOutcome(models.TextChoices):
    HOUSED = "housed", "Offered a home"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class HousingApplication(UUIDModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="housing_applications")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="housing_applications")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    applicant_relationship = models.CharField(max_length=16, choices=ApplicantRelationship.choices)
    applied_on = models.DateField()
    housing_provider = models.CharField(max_length=160)
    status = models.CharField(
        max_length=16, choices=HousingApplicationStatus.choices, default=HousingApplicationStatus.SUBMITTED
    )
    outcome = models.CharField(max_length=16, choices=HousingApplicationOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-applied_on", "-created_at"]
        constraints = [
            # Decided exactly when there is an outcome, and an outcome always has its date.
            models.CheckConstraint(
                condition=models.Q(status="decided", outcome_on__gte=models.F("applied_on"))
                & ~models.Q(outcome="")
                | (~models.Q(status="decided") & models.Q(outcome="", outcome_on__isnull=True)),
                name="housing_application_outcome_when_decided",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="housing_application_version_positive"
            ),
        ]
        indexes = [
            # The child's housing page: their applications, latest first.
            models.Index(fields=["person", "-applied_on", "-created_at"], name="housing_app_person_idx"),
        ]

    def __str__(self) -> str:
        return f"Housing application to {self.housing_provider}"


class PanelOutcome(models.TextChoices):
    SUPPORTED = "supported", "Supported (priority agreed)"
    NOT_SUPPORTED = "not_supported", "Not supported"
    DEFERRED = "deferred", "Deferred to a later panel"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SocialNeedsPanelReferral(UUIDModel):
    """A referral of the child's family to housing's Social Needs Panel, which can give priority on social
    grounds (a move away from where the child is being exploited)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="social_needs_panel_referrals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="social_needs_panel_referrals")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField()
    reason = models.TextField(max_length=4000)
    panel_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=PanelOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referred_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(panel_date__isnull=True)
                | models.Q(panel_date__gte=models.F("referred_on")),
                name="snp_referral_panel_after_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", outcome_on__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_on__gte=models.F("referred_on"))),
                name="snp_referral_outcome_has_date",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="snp_referral_version_positive"),
        ]
        indexes = [
            # The child's housing page: their referrals, latest first.
            models.Index(fields=["person", "-referred_on", "-created_at"], name="snp_referral_person_idx"),
        ]

    def __str__(self) -> str:
        return "Referral to the Social Needs Panel"
