import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    SHARE = "share", "Shared"
    EXPORT = "export", "Exported"


class AuditEvent(models.Model):
    """Append-only record of every read and write of a person's data. The database refuses UPDATE and
    DELETE on this table (a trigger), so not even a bug or a console session can rewrite history."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(auto_now_add=True)
    # No index of its own: audit_actor_idx (actor, occurred_at) leads with this column and answers every look-up by it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    # Copied at the time of the event: a later rename or move of agency must not rewrite who did what.
    actor_username = models.CharField(max_length=150)
    actor_agency_name = models.CharField(max_length=160, blank=True)
    actor_agency_id = models.UUIDField(null=True)
    local_authority_id = models.UUIDField(null=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.UUIDField(null=True)
    # The people whose data was shown or changed; a list page names every person on it.
    person_ids = ArrayField(models.UUIDField(), default=list)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=8, default="web", help_text="web or api")
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # "Who has looked at this person": person_ids @> ARRAY[id], newest first.
            GinIndex(fields=["person_ids"], name="audit_person_ids_gin"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_event_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.action} {self.object_type} {self.object_id}"
