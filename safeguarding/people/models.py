from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.ethnicity import CinEthnicity
from safeguarding.people.validators import (
    validate_date_of_birth,
    validate_nhs_number,
    validate_no_direction_controls,
    validate_postcode,
)


class Sex(models.TextChoices):
    # CIN census sex codes.
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class EducationStatus(models.TextChoices):
    ON_ROLL = "on_roll", "On roll at a school or college"
    ELECTIVE_HOME_EDUCATION = "elective_home_education", "Elective home education"
    MISSING_EDUCATION = "missing_education", "Child missing education"
    NOT_OF_SCHOOL_AGE = "not_of_school_age", "Not of compulsory school age"
    NOT_KNOWN = "not_known", "Not known"


class Person(UUIDModel):
    """Anyone the partnership works with: children, young adults, parents, and people in their network."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="people")
    created_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    given_name = models.CharField(max_length=100, validators=[validate_no_direction_controls])
    family_name = models.CharField(max_length=100, validators=[validate_no_direction_controls])
    aliases = ArrayField(
        models.CharField(max_length=100, validators=[validate_no_direction_controls]),
        default=list,
        blank=True,
        size=20,
    )
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    estimated_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=60, blank=True, help_text="How the person describes their gender.")
    ethnicity = models.CharField(max_length=4, choices=CinEthnicity.choices, default=CinEthnicity.NOBT)
    address_line_1 = models.CharField(max_length=120, blank=True)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True, validators=[validate_postcode])
    education_status = models.CharField(
        max_length=32, choices=EducationStatus.choices, default=EducationStatus.NOT_KNOWN
    )
    school_name = models.CharField(max_length=160, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, null=True, blank=True, validators=[validate_nhs_number]
    )
    version = models.PositiveIntegerField(default=1)
    # Lower-case names and aliases, kept by the services, searched by trigram similarity (search before create).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        permissions = [("audit_person", "Can read who has looked at a person's record")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=False) | models.Q(estimated_age_years__isnull=False),
                name="person_has_date_of_birth_or_estimated_age",
                violation_error_message="Enter a date of birth, or an estimated age if it is not known",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_age_years__isnull=True) | models.Q(estimated_age_years__lte=120),
                name="person_estimated_age_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(nhs_number__isnull=True) | models.Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="person_nhs_number_ten_digits",
            ),
            # One record per NHS number within an authority: duplicates of a child split what agencies know.
            models.UniqueConstraint(
                fields=["local_authority", "nhs_number"],
                condition=models.Q(nhs_number__isnull=False),
                name="person_nhs_number_unique_per_authority",
                violation_error_message="A person with this NHS number is already recorded. Search for them instead.",
            ),
        ]
        indexes = [
            # People list: filtered by authority, ordered by name.
            models.Index(fields=["local_authority", "family_name", "given_name"], name="person_la_name_idx"),
            GinIndex(fields=["aliases"], name="person_aliases_gin"),
            # Fuzzy name and alias search: search_text %> 'query' (pg_trgm word similarity).
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="person_search_trgm"),
            # Likely duplicates share a date of birth.
            models.Index(fields=["local_authority", "date_of_birth"], name="person_la_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)
