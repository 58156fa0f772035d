import uuid
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from audits.context import SYSTEM_CONTEXT, AuditContext
from audits.models import AuditAction, AuditEvent
from safeguarding.organisations.models import User


def audit_event_build(
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
    """One audit row, not yet saved (for a caller that saves several with bulk_create)."""
    agency = actor.agency if actor is not None else None
    return AuditEvent(
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
    event = audit_event_build(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=person_ids,
        context=context,
        reason=reason,
        changes=changes,
    )
    event.save(force_insert=True)
    return event


def audit_read(
    request: HttpRequest,
    *,
    object_type: str,
    object_id: uuid.UUID | None,
    person_ids: Iterable[uuid.UUID],
    action: AuditAction = AuditAction.VIEW,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that the signed-in user looked at a person's data (a page or an API read): every look at a
    child's record is audited. Takes Django's request or DRF's, which passes attribute reads through.
    `changes`: what was shown, where the object alone does not say (an export's filter and row count)."""
    user = request.user
    assert isinstance(user, User)
    return audit_event_record(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=sorted(set(person_ids), key=str),
        context=AuditContext.from_request(request),
        changes=changes,
    )
