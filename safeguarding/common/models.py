import uuid

from django.core.exceptions import ValidationError
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UUIDModel(TimeStampedModel):
    """People and case data are keyed by random UUIDs so identifiers leak nothing and cannot be guessed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


def each_once(values: list[object]) -> None:
    """For a list of choices (ArrayField validators): each choice at most once. With the field's size (the
    number of choices) this bounds the list: 10,000 copies of one concern are refused, not stored."""
    if len(set(values)) != len(values):
        raise ValidationError("Select each option only once", code="repeated")
