"""National Referral Mechanism (NRM) referrals of children: the referral a first responder made to the Home
Office, the reasonable grounds (RG) and conclusive grounds (CG) decisions the competent authority (or a
devolved child panel) made about it, the recovery period a positive RG decision starts, and the child's
Independent Child Trafficking Guardian. A referral belongs to the child's case, and is seen and changed by
whoever may see and change that case.

A child needs no consent to be referred (an adult does), so a referral of a child records none.

The decisions live on the referral's own row, so the database can hold the rules between them: an RG
decision on or after the referral, a recovery period of at least 30 days after a positive one, and a CG
decision only after a positive RG decision and not before its recovery period ends."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import ExpressionWrapper, F, Q

from cases.models import Case, ExploitationType
from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency
from safeguarding.people.models import Person

# A positive reasonable grounds decision starts a recovery period of at least 30 days (Modern Slavery Act 2015
# s.50A), and the conclusive grounds decision is made no sooner than its end.
RECOVERY_PERIOD = timedelta(days=30)
# The National Referral Mechanism began on 1 April 2009: a date before it is a typing mistake.
NRM_STARTED = date(2009, 4, 1)


class NrmOutcome(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class NrmDecisionMaker(models.TextChoices):
    SINGLE_COMPETENT_AUTHORITY = "sca", "The Single Competent Authority (Home Office)"
    DEVOLVED_PANEL = "devolved_panel", "A devolved child decision-making panel"


class NrmStatus(models.TextChoices):
    """Where a referral has got to, worked out from its decisions and today's date (not stored)."""

    AWAITING_REASONABLE_GROUNDS = "awaiting_reasonable_grounds", "Waiting for the reasonable grounds decision"
    REASONABLE_GROUNDS_NEGATIVE = "reasonable_grounds_negative", "Negative reasonable grounds decision"
    RECOVERY_PERIOD = "recovery_period", "Positive reasonable grounds decision: in the recovery period"
    AWAITING_CONCLUSIVE_GROUNDS = "awaiting_conclusive_grounds", "Waiting for the conclusive grounds decision"
    CONCLUSIVE_GROUNDS_POSITIVE = "conclusive_grounds_positive", "Positive conclusive grounds decision"
    CONCLUSIVE_GROUNDS_NEGATIVE = "conclusive_grounds_negative", "Negative conclusive grounds decision"


def _date_plus(field: str, delta: timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) + delta, output_field=models.DateField())


def _decision_complete(prefix: str) -> Q:
    """A decision is recorded whole (outcome, date, who decided and their name) or not at all."""
    return Q(
        **{
            f"{prefix}_outcome": "",
            f"{prefix}_decided_on__isnull": True,
            f"{prefix}_decided_by": "",
            f"{prefix}_decision_maker_name": "",
        }
    ) | (
        Q(
            **{
                f"{prefix}_outcome__in": NrmOutcome.values,
                f"{prefix}_decided_on__isnull": False,
                f"{prefix}_decided_by__in": NrmDecisionMaker.values,
            }
        )
        & ~Q(**{f"{prefix}_decision_maker_name": ""})
    )


class NrmReferral(UUIDModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="nrm_referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nrm_referrals")
    # Who recorded it here (the first responder is whoever made the referral to the Home Office).
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_responder = models.CharField("first responder organisation", max_length=200)
    referred_on = models.DateField()
    exploitation_types = ArrayField(
        models.CharField(max_length=32, choices=ExploitationType.choices), size=len(ExploitationType)
    )
    county_lines = models.BooleanField(default=False)
    notes = models.TextField(max_length=4000, blank=True)

    rg_outcome = models.CharField(max_length=8, choices=NrmOutcome.choices, blank=True)
    rg_decided_on = models.DateField(null=True, blank=True)
    rg_decided_by = models.CharField(max_length=16, choices=NrmDecisionMaker.choices, blank=True)
    rg_decision_maker_name = models.CharField(max_length=200, blank=True)
    recovery_starts_on = models.DateField(null=True, blank=True)
    recovery_earliest_end_on = models.DateField(null=True, blank=True)

    cg_outcome = models.CharField(max_length=8, choices=NrmOutcome.choices, blank=True)
    cg_decided_on = models.DateField(null=True, blank=True)
    cg_decided_by = models.CharField(max_length=16, choices=NrmDecisionMaker.choices, blank=True)
    cg_decision_maker_name = models.CharField(max_length=200, blank=True)

    # Independent Child Trafficking Guardian: referred to the service, then (perhaps later) one allocated.
    ictg_referred_on = models.DateField(null=True, blank=True)
    ictg_allocated_on = models.DateField(null=True, blank=True)
    ictg_guardian_name = models.CharField(max_length=200, blank=True)
    ictg_organisation = models.CharField(max_length=200, blank=True)

    # Optimistic locking for the guardian's details, the one part people change after recording it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referred_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exploitation_types__len__gte=1)
                & Q(exploitation_types__contained_by=ExploitationType.values),
                name="nrm_exploitation_types_known",
            ),
            models.CheckConstraint(condition=_decision_complete("rg"), name="nrm_rg_decision_whole"),
            models.CheckConstraint(
                condition=Q(rg_decided_on__isnull=True) | Q(rg_decided_on__gte=F("referred_on")),
                name="nrm_rg_decided_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(
                    rg_outcome=NrmOutcome.POSITIVE,
                    recovery_starts_on=F("rg_decided_on"),
                    recovery_earliest_end_on__gte=_date_plus("rg_decided_on", RECOVERY_PERIOD),
                )
                | (
                    ~Q(rg_outcome=NrmOutcome.POSITIVE)
                    & Q(recovery_starts_on__isnull=True, recovery_earliest_end_on__isnull=True)
                ),
                name="nrm_recovery_period_after_positive_rg",
            ),
            models.CheckConstraint(condition=_decision_complete("cg"), name="nrm_cg_decision_whole"),
            models.CheckConstraint(
                condition=Q(cg_outcome="")
                | Q(rg_outcome=NrmOutcome.POSITIVE, cg_decided_on__gte=F("recovery_earliest_end_on")),
                name="nrm_cg_after_recovery_period",
            ),
            models.CheckConstraint(
                condition=Q(ictg_allocated_on__isnull=True, ictg_guardian_name="", ictg_organisation="")
                | (
                    Q(
                        ictg_allocated_on__isnull=False,
                        ictg_referred_on__isnull=False,
                        ictg_allocated_on__gte=F("ictg_referred_on"),
                    )
                    & ~Q(ictg_guardian_name="")
                ),
                name="nrm_guardian_allocated_after_referral",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="nrm_version_positive"),
            # One referral waiting for its reasonable grounds decision per child: a second is the same
            # referral recorded twice.
            models.UniqueConstraint(
                fields=["person"], condition=Q(rg_outcome=""), name="nrm_one_awaiting_rg_per_person"
            ),
        ]
        indexes = [
            # The child's NRM page and the chronology: a person's referrals, newest first.
            models.Index(fields=["person", "-referred_on"], name="nrm_referral_person_idx"),
        ]

    def __str__(self) -> str:
        return f"NRM referral {str(self.pk)[:8]} of {self.referred_on:%d %b %Y}"

    def status_on(self, today: date) -> NrmStatus:
        if self.cg_outcome:
            return (
                NrmStatus.CONCLUSIVE_GROUNDS_POSITIVE
                if self.cg_outcome == NrmOutcome.POSITIVE
                else NrmStatus.CONCLUSIVE_GROUNDS_NEGATIVE
            )
        if not self.rg_outcome:
            return NrmStatus.AWAITING_REASONABLE_GROUNDS
        if self.rg_outcome == NrmOutcome.NEGATIVE:
            return NrmStatus.REASONABLE_GROUNDS_NEGATIVE
        assert self.recovery_earliest_end_on is not None
        if today < self.recovery_earliest_end_on:
            return NrmStatus.RECOVERY_PERIOD
        return NrmStatus.AWAITING_CONCLUSIVE_GROUNDS

    @property
    def exploitation_labels(self) -> list[str]:
        return [str(ExploitationType(value).label) for value in self.exploitation_types]
