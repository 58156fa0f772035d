"""The child's chronology: every registered source's events the reader may see, in one UNION query."""

import uuid

from django.db.models import QuerySet

from cases.chronology.registry import chronology_sources
from safeguarding.organisations.models import User


def chronology_events(*, user: User, person_id: uuid.UUID, kinds: set[str] | None = None) -> QuerySet | None:
    """Newest first. None when no source is chosen (nothing to show). Each source scopes itself to the reader."""
    parts = [
        source.events(user, person_id)
        for source in chronology_sources()
        if kinds is None or source.kind in kinds
    ]
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-at", "kind", "url_arg")
