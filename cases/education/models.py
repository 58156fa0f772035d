"""A child's education: where they learn, as a history of changes (review finding 1, Elective Home Education),
and the school places applied for while they are at risk (finding 5).

The history is append-only: a change is a new row, and a mistake is put right by a correction, a new row that
names the entry it replaces and why (the database refuses UPDATE and DELETE on the table). The child's current
status is the latest entry, by the date it took effect, of those no correction has replaced.

Person.education_status (safeguarding/people) is not kept in step: people offers no service that can be
called inside another transaction, and its choices are fewer. This history's latest entry is the truth; the
person's own field is only the starting point when the history is empty (see services.py)."""

import pgtrigger
from django.conf import settings
from django.db import models

from cases.models import Case
from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.models import Person


class EducationStatus(models.TextChoices):
    ON_ROLL = "on_roll", "On roll at a school"
    PART_TIME_TIMETABLE = "part_time_timetable", "On a part-time timetable"
    ALTERNATIVE_PROVISION = "alternative_provision", "In alternative provision"
    EXCLUDED_FIXED_TERM = "excluded_fixed_term", "Suspended (fixed-term exclusion)"
    EXCLUDED_PERMANENT = "excluded_permanent", "Permanently excluded"
    ELECTIVE_HOME_EDUCATION = "elective_home_education", "Elective home education"
    MISSING_EDUCATION = "missing_education", "Child missing education"


# On a school's roll: a suspended pupil stays on the roll of their school.
ON_ROLL_STATUSES = frozenset(
    {
        EducationStatus.ON_ROLL,
        EducationStatus.PART_TIME_TIMETABLE,
        EducationStatus.ALTERNATIVE_PROVISION,
        EducationStatus.EXCLUDED_FIXED_TERM,
    }
)
# Off every roll: what Child C's review found nobody was told of.
OFF_ROLL_STATUSES = frozenset(
    {
        EducationStatus.ELECTIVE_HOME_EDUCATION,
        EducationStatus.MISSING_EDUCATION,
        EducationStatus.EXCLUDED_PERMANENT,
    }
)


class RollLeftAlert(models.TextChoices):
    """Who a change told, decided when it was recorded (services.py, education_change_record)."""

    NONE = "", "No one (not a child at risk leaving a school roll)"
    TOLD = "told", "The case owner and the education lead were told"
    OWNER_ONLY = "owner_only", "The case owner was told; the authority has no education agency to tell"
    ALREADY = "already", "Already being followed up after an earlier change"


class EducationChange(UUIDModel):
    """One entry of a child's education history. Never updated or deleted (a trigger refuses both)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="education_changes")
    # The child's open case when it was recorded: its owner is who is told when a child at risk leaves a roll.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="education_changes")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=32, choices=EducationStatus.choices)
    provider_name = models.CharField("school or provider", max_length=160, blank=True)
    effective_date = models.DateField()
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # A correction replaces one earlier entry (at most one correction each), with its reason.
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.TextField(max_length=2000, blank=True)
    # The status in force before this entry (blank when nothing was known), and who it told.
    previous_status = models.CharField(max_length=32, choices=EducationStatus.choices, blank=True)
    alert = models.CharField(max_length=16, choices=RollLeftAlert.choices, blank=True, default="")

    class Meta:
        ordering = ["-effective_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True, correction_reason="")
                | (models.Q(corrects__isnull=False) & ~models.Q(correction_reason="")),
                name="education_change_correction_has_reason",
            ),
        ]
        indexes = [
            # The child's history and current status: a person's entries, latest effective first.
            models.Index(
                fields=["person", "-effective_date", "-created_at"], name="education_change_person_idx"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="education_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_date:%-d %B %Y}"


class SchoolPlaceOutcome(models.TextChoices):
    OFFERED = "offered", "Place offered"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SchoolPlaceApplication(UUIDModel):
    """A school place applied for a child at risk, due to be decided by a date: a clock (SCHOOL_PLACE_APPLICATION)
    runs to that date and is met when the outcome is recorded."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_place_applications")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="school_place_applications")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    school_name = models.CharField(max_length=160)
    applied_on = models.DateField()
    due_on = models.DateField()
    note = models.TextField(max_length=2000, blank=True)
    outcome = models.CharField(max_length=16, choices=SchoolPlaceOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: recording the outcome names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-applied_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("applied_on")), name="school_place_due_after_applied"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", outcome_on__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_on__gte=models.F("applied_on"))),
                name="school_place_outcome_has_date",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="school_place_version_positive"),
        ]
        indexes = [
            # The child's applications, latest first.
            models.Index(fields=["person", "-applied_on", "-created_at"], name="school_place_person_idx"),
        ]

    def __str__(self) -> str:
        return f"School place at {self.school_name}"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)
