"""Education personas on top of the shared world: the authority's education service with its education lead
(an agency manager), and helpers to record the sentinel's changes and to deliver what they told."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.education.services import EducationChangeRecorded, education_change_record
from cases.models import Case
from safeguarding.deadlines.delivery import outbox_deliver
from safeguarding.deadlines.models import OutboxMessage
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World


@dataclass
class Edu:
    agency: Agency
    lead: User  # the education lead: an agency manager of the education service


@pytest.fixture
def edu(world: World) -> Edu:
    world.mash.email = "alice@example.test"
    world.mash.save(update_fields=["email"])
    agency = factories.agency(
        world.social_care.local_authority, AgencyType.EDUCATION, "Northbridge Education Services"
    )
    lead = factories.user(agency, Role.AGENCY_MANAGER, username="elena", email="elena@example.test")
    return Edu(agency, lead)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def record(
    world: World, status: str, *, case: Case | None = None, days: int = 1, provider: str = "", **extra: object
) -> EducationChangeRecorded:
    return education_change_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=case or world.case,
        status=status,
        provider_name=provider,
        effective_date=days_ago(days),
        **extra,  # type: ignore[arg-type]
    )


def deliver_all() -> int:
    """What the delivery worker does with every message not yet delivered; how many it delivered."""
    pending = list(OutboxMessage.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True))
    for message_id in pending:
        outbox_deliver(outbox_id=message_id)
    return len(pending)
