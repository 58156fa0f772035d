"""The child's chronology: every registered source's events the reader may see, in one UNION query."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from cases.chronology.registry import chronology_sources
from safeguarding.organisations.models import User

# Ties (two events in the same second) are broken the same way on every page, so paging never repeats or skips
# a row.
NEWEST_FIRST = ("-at", "kind", "url_arg", "title")
OLDEST_FIRST = ("at", "kind", "url_arg", "title")


@dataclass(frozen=True)
class ChronologyFilters:
    kinds: frozenset[str] | None = None  # None: every source
    since: datetime | None = None  # at or after
    before: datetime | None = None  # strictly before
    oldest_first: bool = False


def chronology_events(
    *,
    user: User,
    person_id: uuid.UUID,
    kinds: set[str] | None = None,
    filters: ChronologyFilters = ChronologyFilters(),
) -> QuerySet | None:
    """Newest first unless asked. None when no source is chosen (nothing to show). Each source scopes itself
    to the reader; the date range is applied to each part, since a UNION cannot be filtered after. `kinds`
    is the same as `filters.kinds` (kept for callers from before the filters)."""
    if kinds is not None:
        filters = ChronologyFilters(
            kinds=frozenset(kinds),
            since=filters.since,
            before=filters.before,
            oldest_first=filters.oldest_first,
        )
    parts: list[QuerySet] = []
    for source in chronology_sources():
        if filters.kinds is not None and source.kind not in filters.kinds:
            continue
        events = source.events(user, person_id)
        for part in (events,) if isinstance(events, QuerySet) else events:
            if filters.since is not None:
                part = part.filter(at__gte=filters.since)
            if filters.before is not None:
                part = part.filter(at__lt=filters.before)
            parts.append(part)
    if not parts:
        return None
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by(*(OLDEST_FIRST if filters.oldest_first else NEWEST_FIRST))
