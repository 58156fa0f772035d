from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from referrals.models import Referral
from referrals.services import referral_create
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World


@dataclass
class Front:
    world: World
    health: Agency
    health_officer: User
    urgent_worker: User
    mash_manager: User


@pytest.fixture
def front(world: World) -> Front:
    la = world.social_care.local_authority
    health = factories.agency(la, AgencyType.HEALTH, "Northbridge Health")
    return Front(
        world=world,
        health=health,
        health_officer=factories.user(health, Role.AGENCY_PRACTITIONER, username="hana"),
        urgent_worker=factories.user(world.social_care, Role.URGENT_RESPONSE_WORKER, username="uma"),
        mash_manager=factories.user(world.social_care, Role.MASH_MANAGER, username="mo"),
    )


def referral_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "2A",
        "referrer_name": "Head of year",
        "referrer_contact": "01234 567890",
        "received_at": timezone.now() - timedelta(minutes=30),
        "concerns": ["cce", "missing"],
        "narrative": "Seen with older males, new phone, missing twice this month.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }
    data.update(overrides)
    return data


def new_referral(
    front: Front, *, key: str = "k1", received_at: datetime | None = None, **overrides: Any
) -> Referral:
    data = referral_data(**overrides)
    if received_at is not None:
        data["received_at"] = received_at
    return referral_create(
        actor=front.world.mash,
        context=SYSTEM_CONTEXT,
        data=data,
        idempotency_key=key,
        new_person_data=factories.person_data(given_name="Kai", family_name="Referral"),
    )
