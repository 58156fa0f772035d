"""What every network service checks first: that the actor may record networks (and, for a context, that it is of the actor's authority)."""

from cases.networks.access import can_record_links
from cases.networks.models import (
    Context,
)
from safeguarding.common.errors import PermissionRefused
from safeguarding.organisations.models import Agency, User
from safeguarding.people.models import Person

Node = Person | Context


def require_recorder(actor: User) -> Agency:
    if not can_record_links(actor) or actor.agency is None:
        raise PermissionRefused("Your role does not allow you to record networks.")
    return actor.agency


def require_context_worker(actor: User, ctx: Context) -> Agency:
    agency = require_recorder(actor)
    if ctx.local_authority_id != agency.local_authority_id:
        raise PermissionRefused("This place or group belongs to another authority.")
    return agency
