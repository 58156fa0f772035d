import uuid

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models.functions import Lower

from safeguarding.common.models import TimeStampedModel
from safeguarding.organisations.roles import Role


class LocalAuthority(TimeStampedModel):
    """The data owner. Several authorities can share one deployment; every query of case data is
    scoped to the acting user's authority, so none sees another's people or cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        unique=True,
        help_text="ONS Government Statistical Service code, e.g. E09000031.",
    )

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    YOUTH_OFFENDING = "youth_offending", "Youth offending service"
    MISSING_OUTREACH = "missing_outreach", "Missing outreach"
    VOLUNTARY = "voluntary", "Voluntary or commissioned service"
    PROBATION = "probation", "Probation"


class Agency(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=160)
    agency_type = models.CharField(max_length=32, choices=AgencyType.choices)
    # Object permissions on cases are granted to this group when a case is shared with the agency;
    # every member of the agency is in it.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "local_authority", Lower("name"), name="agency_name_unique_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Belongs to exactly one agency (system administrators included, so that
    every audit row names an agency)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(is_superuser=True),
                name="user_has_agency_unless_superuser",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: Role) -> bool:
        cache: set[str] | None = getattr(self, "_role_names", None)
        if cache is None:
            cache = set(self.groups.filter(name__startswith="role:").values_list("name", flat=True))
            self._role_names = cache
        return Role.group_name(role) in cache

    def has_any_role(self, *roles: Role) -> bool:
        return any(self.has_role(role) for role in roles)
