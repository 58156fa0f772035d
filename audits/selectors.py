import uuid

from django.db.models import QuerySet

from audits.models import AuditAction, AuditEvent


def audit_events_for_person(*, person_id: uuid.UUID) -> QuerySet[AuditEvent]:
    """Every event that showed or changed this person's data, newest first (served by the GIN index)."""
    return AuditEvent.objects.filter(person_ids__contains=[person_id]).order_by("-occurred_at", "-id")


def audit_views_of_person(*, person_id: uuid.UUID) -> QuerySet[AuditEvent]:
    return audit_events_for_person(person_id=person_id).filter(
        action__in=[AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT]
    )
