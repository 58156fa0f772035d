"""A work queue: open clocks, soonest due first, each with its time left and what the viewer may do with it
(take it, allocate it), for the home pages. One query however long the queue: the clocks with their owner
and agency, one more than is shown to say whether there are more."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.views.panel import ClockRow, clock_row
from safeguarding.organisations.models import User

QUEUE_LENGTH = 10


@dataclass(frozen=True)
class ClockQueue:
    rows: list[ClockRow]
    more: bool

    @property
    def person_ids(self) -> list[uuid.UUID]:
        return [row.deadline.person_id for row in self.rows if row.deadline.person_id is not None]


def clock_queue(
    clocks: QuerySet[Deadline], *, user: User, now: datetime, length: int = QUEUE_LENGTH
) -> ClockQueue:
    """The open clocks of `clocks` (already narrowed to what the viewer may see), soonest due first."""
    found = list(
        clocks.filter(status__in=OPEN_STATUSES)
        .select_related("owner", "owning_agency")
        .order_by("due_at", "pk")[: length + 1]
    )
    return ClockQueue(
        rows=[clock_row(clock, user, now) for clock in found[:length]], more=len(found) > length
    )
