import uuid
from collections.abc import Iterable
from typing import Any

from audits.context import SYSTEM_CONTEXT, AuditContext
from audits.models import AuditAction, AuditEvent
from safeguarding.organisations.models import User


def audit_event_record(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID | None,
    person_ids: Iterable[uuid.UUID] = (),
    context: AuditContext = SYSTEM_CONTEXT,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Callers that also write data call this inside their own transaction, so the
    audit row and the change commit or roll back together."""
    agency = actor.agency if actor is not None else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "system",
        actor_agency_name=agency.name if agency is not None else "",
        actor_agency_id=agency.pk if agency is not None else None,
        local_authority_id=agency.local_authority_id if agency is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=list(person_ids),
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        path=context.path,
        via=context.via,
        reason=reason,
        changes=changes or {},
    )
