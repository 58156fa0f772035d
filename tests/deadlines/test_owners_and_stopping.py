"""Every clock has an owner and new work is announced; who may stop a clock is the policy's rule. An information
request's clock is the asked agency's (its duty inbox hears of it when it arrives), and that agency may meet
it by answering but never pause, extend or cancel it; the MASH that chases it may, with a reason, and the
owner is told. "Take" and "allocate" give a clock to one person, who is told."""

from datetime import timedelta

import pytest

from audits.context import SYSTEM_CONTEXT
from safeguarding.deadlines.delivery import recipients_for
from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxEvent, OutboxMessage
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    deadline_allocate,
    deadline_cancel,
    deadline_extend,
    deadline_pause,
)
from safeguarding.deadlines.views import clock_row
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, verified_client, world_police_request
from tests.deadlines.conftest import start_clock

pytestmark = pytest.mark.django_db


def _request_clock(world: World) -> Deadline:
    request = world_police_request(world)
    return Deadline.objects.get(subject_type="information_request", subject_id=request.pk)


def _names(users: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(user.username for user in users)


def test_a_request_is_the_asked_agencys_and_its_duty_inbox_is_told(world: World) -> None:
    clock = _request_clock(world)
    assert (clock.owning_agency, clock.owner) == (world.police, None)
    [arrived] = OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED)
    assert _names(recipients_for(arrived)) == ["bob"]  # police's practitioner, not the MASH


def test_the_asked_agency_cannot_pause_extend_or_cancel_its_requests_clock(world: World) -> None:
    clock = _request_clock(world)
    police_manager = factories.user(world.police, Role.AGENCY_MANAGER, username="pam")
    for attempt in (
        lambda: deadline_pause(deadline_id=clock.pk, actor=world.police_officer, reason="Busy"),
        lambda: deadline_cancel(deadline_id=clock.pk, actor=world.police_officer, reason="Not ours"),
        lambda: deadline_extend(
            deadline_id=clock.pk,
            actor=police_manager,
            new_due_at=clock.due_at + timedelta(days=1),
            reason="More time",
        ),
    ):
        with pytest.raises(DeadlineError, match="Your agency is the one this clock is waiting for"):
            attempt()
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.RUNNING
    # Police may answer (meet) it, and see no pause, extend or cancel; their pages for those are not found.
    row = clock_row(clock, world.police_officer, clock.started_at)
    assert (row.can_meet, row.can_pause, row.can_cancel, row.can_extend) == (True, False, False, False)
    bob = verified_client(world.police_officer)
    for action in ("pause", "cancel", "extend"):
        assert bob.get(f"/deadlines/clock/{clock.pk}/{action}/").status_code == 404
        assert bob.post(f"/deadlines/clock/{clock.pk}/{action}/", {"reason": "x"}).status_code == 404
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.RUNNING


def test_the_mash_cancels_a_request_with_a_reason_and_the_owner_is_told(world: World) -> None:
    clock = _request_clock(world)
    alice = verified_client(world.mash)
    row = clock_row(clock, world.mash, clock.started_at)
    assert (row.can_meet, row.can_cancel) == (False, True)
    no_reason = alice.post(f"/deadlines/clock/{clock.pk}/cancel/", {"reason": " "})
    assert (
        no_reason.status_code == 200
        and "Enter why you are cancelling this clock" in no_reason.content.decode()
    )
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.RUNNING
    done = alice.post(
        f"/deadlines/clock/{clock.pk}/cancel/", {"reason": "Police answered by phone at the DRM"}
    )
    assert done.status_code == 302
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.CANCELLED
    [told] = OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.CANCELLED)
    assert _names(recipients_for(told)) == ["bob"]
    # The reason is on the clock's history for everyone who can see the clock.
    history = verified_client(world.police_officer).get(f"/referrals/requests/{clock.subject_id}/")
    assert "Police answered by phone at the DRM" in history.content.decode()


def test_a_manager_allocates_work_and_a_worker_takes_it_each_told_once(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=5), policy=PolicyCode.URGENT_RESPONSE)
    Deadline.objects.filter(pk=clock.pk).update(owner=None)
    worker = factories.user(world.social_care, Role.URGENT_RESPONSE_WORKER, username="uma")
    manager = factories.user(world.social_care, Role.MASH_MANAGER, username="maggie")
    deadline_allocate(deadline_id=clock.pk, actor=manager, owner=worker, context=SYSTEM_CONTEXT)
    deadline_allocate(deadline_id=clock.pk, actor=manager, owner=worker, context=SYSTEM_CONTEXT)  # no change
    [allocated] = OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED)
    assert _names(recipients_for(allocated)) == ["uma"]
    with pytest.raises(DeadlineError, match="works for the agency that owns this clock"):
        deadline_allocate(deadline_id=clock.pk, actor=manager, owner=world.police_officer)
    alice = verified_client(world.mash)
    assert alice.post(f"/deadlines/clock/{clock.pk}/take/").status_code == 302
    clock.refresh_from_db()
    assert clock.owner == world.mash
    # Taking it yourself tells nobody; the allocation page is a manager's.
    assert OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED).count() == 1
    assert alice.get(f"/deadlines/clock/{clock.pk}/allocate/").status_code == 404
    page = verified_client(manager).get(f"/deadlines/clock/{clock.pk}/allocate/")
    assert page.status_code == 200, page.content.decode()[-3000:]
    assert "Who should do this work?" in page.content.decode() and "(uma)" in page.content.decode()


@pytest.mark.django_db
def test_a_tracked_clock_is_met_by_its_decision_not_by_a_button(world: World) -> None:
    """The NRM reasonable grounds clock is the Home Office's to meet: its owner sees it run and may not record
    it as met by hand (the NRM page's decision meets it)."""
    tracked = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.NRM_REASONABLE_GROUNDS)
    ordinary = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.GOLDEN_HOUR)
    alice = verified_client(world.mash)
    assert alice.get(f"/deadlines/clock/{tracked.pk}/meet/").status_code == 404
    assert alice.post(f"/deadlines/clock/{tracked.pk}/meet/", {"note": "x"}).status_code == 404
    assert alice.get(f"/deadlines/clock/{ordinary.pk}/meet/").status_code == 200
    panel = alice.get(f"/deadlines/subject/case/{world.case.pk}/").content.decode()
    assert f"/deadlines/clock/{ordinary.pk}/meet/" in panel
    assert f"/deadlines/clock/{tracked.pk}/meet/" not in panel
    tracked.refresh_from_db()
    assert tracked.status == "running"


@pytest.mark.django_db
def test_a_return_home_interview_clock_is_closed_by_its_outcome_only(world: World) -> None:
    """Met by an interview, or closed by a refusal or decision with its reason, on the missing episode: never
    met, paused or cancelled from the clock panel, where no outcome would be recorded."""
    clock = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.RETURN_HOME_INTERVIEW)
    alice = verified_client(world.mash)
    for action in ("meet", "cancel", "pause"):
        assert alice.get(f"/deadlines/clock/{clock.pk}/{action}/").status_code == 404, action
    clock.refresh_from_db()
    assert clock.status == "running"
