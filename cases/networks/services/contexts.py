"""Recording a place or group: the page searches before it offers this."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.networks.models import (
    Context,
    ContextKind,
)
from cases.networks.services._common import require_recorder
from safeguarding.organisations.models import User


def _search_text(name: str, deal_line: str, postcode: str) -> str:
    return " ".join(part for part in (name, deal_line, postcode) if part).lower()


@transaction.atomic(durable=True)
def context_create(*, actor: User, context: AuditContext, data: dict[str, Any]) -> Context:
    """A place or group of the actor's authority (the page searches before it offers this)."""
    agency = require_recorder(actor)
    errors: dict[str, str] = {}
    if data.get("kind") not in ContextKind.values:
        errors["kind"] = "Select what kind of place or group this is"
    name = str(data.get("name", "")).strip()
    if not name:
        errors["name"] = "Enter the name of the place or group"
    if errors:
        raise ValidationError(errors)
    created = Context(
        local_authority_id=agency.local_authority_id,
        kind=data["kind"],
        name=name[:200],
        description=str(data.get("description", "")).strip(),
        postcode=str(data.get("postcode", "")).strip().upper()[:10],
        deal_line_name=str(data.get("deal_line_name", "")).strip()[:80],
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
