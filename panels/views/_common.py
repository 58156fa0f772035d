"""What the panel pages share: auditing what they show, and turning a refused write into form errors."""

import uuid
from collections.abc import Iterable

from django.http import HttpRequest

from audits.models import AuditAction
from audits.services import audit_read


def audit_shown(
    request: HttpRequest,
    object_type: str,
    object_id: uuid.UUID | None,
    person_ids: Iterable[uuid.UUID],
    action: AuditAction = AuditAction.VIEW,
) -> None:
    """One audit row for a page that shows these people's panel records (none when it shows nobody)."""
    ids = list(dict.fromkeys(person_ids))
    if ids or action == AuditAction.VIEW:
        audit_read(request, action=action, object_type=object_type, object_id=object_id, person_ids=ids)
