"""Roles are Django groups with these exact names; code refers to them only through this enum."""

from django.db import models


class Role(models.TextChoices):
    MASH_PRACTITIONER = "mash_practitioner", "MASH practitioner"
    MASH_MANAGER = "mash_manager", "MASH manager"
    URGENT_RESPONSE_WORKER = "urgent_response_worker", "Urgent response worker"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    AGENCY_PRACTITIONER = "agency_practitioner", "Agency practitioner"
    AGENCY_MANAGER = "agency_manager", "Agency manager"
    AUDITOR = "auditor", "Auditor"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"

    @classmethod
    def group_name(cls, role: "Role") -> str:
        return f"role:{role.value}"


# Roles whose holders create and edit people and cases (as opposed to reading what is shared with them).
CASE_WORKER_ROLES = frozenset(
    {
        Role.MASH_PRACTITIONER,
        Role.MASH_MANAGER,
        Role.URGENT_RESPONSE_WORKER,
        Role.AGENCY_PRACTITIONER,
        Role.AGENCY_MANAGER,
        Role.PANEL_CHAIR,
    }
)
MANAGER_ROLES = frozenset({Role.MASH_MANAGER, Role.AGENCY_MANAGER})
# Who works the MASH front door: records referrals and custody bookings, rates, decides and runs the DRM, and
# chases the other agencies' answers (so stops the clocks that chase them).
MASH_ROLES = (Role.MASH_PRACTITIONER, Role.MASH_MANAGER)
# Who answers new work for an agency that has no named owner (its duty inbox), before it escalates to the
# agency's managers.
PRACTITIONER_ROLES = frozenset(
    {Role.MASH_PRACTITIONER, Role.AGENCY_PRACTITIONER, Role.URGENT_RESPONSE_WORKER}
)
