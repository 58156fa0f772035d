from datetime import datetime, timedelta

import pytest

from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import DeadlineSubject, deadline_start, now_from_database
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World


@pytest.fixture
def mash_manager(world: World) -> User:
    manager = factories.user(
        world.social_care, Role.MASH_MANAGER, username="maggie", email="maggie@example.test"
    )
    service_manager = factories.user(
        world.social_care, Role.MASH_MANAGER, username="sam", email="sam@example.test"
    )
    manager.manager = service_manager
    manager.save()
    world.mash.manager = manager
    world.mash.email = "alice@example.test"
    world.mash.save()
    return manager


def case_subject(world: World) -> DeadlineSubject:
    """The world's case as the subject of a clock."""
    return DeadlineSubject(
        subject_type="case",
        subject_id=world.case.pk,
        label="custody booking",
        local_authority_id=world.case.local_authority_id,
        person_id=world.case.person_id,
        case_id=world.case.pk,
    )


def start_clock(
    world: World,
    *,
    ago: timedelta,
    policy: PolicyCode = PolicyCode.GOLDEN_HOUR,
    due_at: datetime | None = None,
) -> Deadline:
    """A clock whose real-world start was `ago` before the database's now: tests make clocks fall due by
    starting them in the past rather than by sleeping."""
    now = now_from_database()
    return deadline_start(
        policy=policy,
        subject=case_subject(world),
        started_at=now - ago,
        owning_agency=world.social_care,
        owner=world.mash,
        actor=world.mash,
        due_at=due_at,
    )


def let_time_pass(clock: Deadline, by: timedelta) -> None:
    """Move a running clock's timestamps into the past, as if `by` had elapsed since it started."""
    Deadline.objects.filter(pk=clock.pk).update(
        started_at=clock.started_at - by, due_at=clock.due_at - by, warn_at=clock.warn_at - by
    )
