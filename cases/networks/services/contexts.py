"""Recording a place or group (the page searches before it offers this) and correcting its details, each change
kept in its history (the audit row names what changed, before and after)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.networks.models import Context, ContextKind
from cases.networks.services._common import require_context_worker, require_recorder
from safeguarding.organisations.models import User
from safeguarding.people.validators import DIRECTION_CONTROLS, normalise_postcode, validate_postcode

# The details a practitioner records and may later correct.
DETAIL_FIELDS = ("kind", "name", "postcode", "deal_line_name", "description")


def _search_text(name: str, deal_line: str, postcode: str) -> str:
    return " ".join(part for part in (name, deal_line, postcode) if part).lower()


def _details(data: dict[str, Any]) -> dict[str, str]:
    """The cleaned details, or a ValidationError naming each field that is wrong."""
    errors: dict[str, str] = {}
    if data.get("kind") not in ContextKind.values:
        errors["kind"] = "Select what kind of place or group this is"
    name = str(data.get("name", "")).strip()
    if not name:
        errors["name"] = "Enter the name of the place or group"
    elif any(character in DIRECTION_CONTROLS for character in name):
        errors["name"] = "Remove the hidden characters that change the direction of the text"
    postcode = normalise_postcode(str(data.get("postcode", "")).strip())
    try:
        validate_postcode(postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return {
        "kind": str(data["kind"]),
        "name": name[:200],
        "description": str(data.get("description", "")).strip(),
        "postcode": postcode[:10],
        "deal_line_name": str(data.get("deal_line_name", "")).strip()[:80],
    }


@transaction.atomic(durable=True)
def context_create(*, actor: User, context: AuditContext, data: dict[str, Any]) -> Context:
    """A place or group of the actor's authority (the page searches before it offers this)."""
    agency = require_recorder(actor)
    created = Context(
        local_authority_id=agency.local_authority_id,
        **_details(data),
        created_by=actor,
        created_by_agency=agency,
    )
    created.search_text = _search_text(created.name, created.deal_line_name, created.postcode)
    created.full_clean(exclude=["local_authority", "created_by", "created_by_agency"])
    created.save(force_insert=True)
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, object_type="context", object_id=created.pk, context=context
    )
    return created


@transaction.atomic(durable=True)
def context_update(*, actor: User, context: AuditContext, ctx: Context, data: dict[str, Any]) -> Context:
    """Correct a place or group's details. The audit row keeps each changed field, before and after, so its
    history shows what it was called and when that changed; nothing changed writes nothing."""
    require_context_worker(actor, ctx)
    details = _details(data)
    locked = Context.objects.select_for_update().get(pk=ctx.pk)
    changes = {
        field: [getattr(locked, field), value]
        for field, value in details.items()
        if getattr(locked, field) != value
    }
    if not changes:
        return locked
    for field, (_, value) in changes.items():
        setattr(locked, field, value)
    locked.search_text = _search_text(locked.name, locked.deal_line_name, locked.postcode)
    locked.full_clean(exclude=["local_authority", "created_by", "created_by_agency"])
    locked.save(update_fields=[*changes, "search_text", "updated_at"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="context",
        object_id=locked.pk,
        context=context,
        changes=changes,
    )
    return locked
