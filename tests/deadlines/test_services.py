from datetime import timedelta

import pytest

from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.models import Deadline, DeadlineEvent, DeadlineStatus, OutboxMessage
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    deadline_cancel,
    deadline_extend,
    deadline_meet,
    deadline_pause,
    deadline_resume,
    deadline_sweep,
    now_from_database,
)
from safeguarding.organisations.models import User
from tests.conftest import World
from tests.deadlines.conftest import let_time_pass, start_clock


def _kinds(deadline: Deadline) -> list[str]:
    return list(DeadlineEvent.objects.filter(deadline=deadline).order_by("id").values_list("kind", flat=True))


@pytest.mark.django_db
def test_golden_hour_is_one_hour_from_booking_and_warns_before(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=20))
    assert clock.due_at - clock.started_at == timedelta(hours=1)
    assert clock.warn_at == clock.due_at - timedelta(minutes=15)
    assert deadline_sweep().total == 0


@pytest.mark.django_db
def test_sweep_warns_then_breaches_each_once(world: World, mash_manager: User) -> None:
    warned = start_clock(world, ago=timedelta(minutes=50))
    breached = start_clock(world, ago=timedelta(minutes=50))
    let_time_pass(breached, timedelta(minutes=11))
    first = deadline_sweep()
    assert (first.warned, first.breached) == (1, 1)
    assert deadline_sweep().total == 0, "a second sweep must find nothing new"
    breached.refresh_from_db()
    assert breached.status == DeadlineStatus.BREACHED
    assert breached.breached_at == breached.due_at
    assert breached.detected_at is not None and breached.detected_at >= breached.due_at
    assert not breached.notified_late
    assert OutboxMessage.objects.filter(deadline=breached, event="breach").count() == 1
    assert OutboxMessage.objects.filter(deadline=warned, event="warning").count() == 1


@pytest.mark.django_db
def test_meeting_just_before_due_is_no_breach(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=59, seconds=58))
    met = deadline_meet(deadline_id=clock.pk, actor=world.mash)
    assert met.status == DeadlineStatus.MET and met.breached_at is None
    assert deadline_sweep().breached == 0
    assert not OutboxMessage.objects.filter(deadline=clock, event="breach").exists()


@pytest.mark.django_db
def test_meeting_just_after_due_records_the_breach_even_without_a_sweep(world: World) -> None:
    clock = start_clock(world, ago=timedelta(hours=1, seconds=1))
    met = deadline_meet(deadline_id=clock.pk, actor=world.mash)
    assert met.status == DeadlineStatus.MET
    assert met.breached_at == met.due_at
    assert OutboxMessage.objects.filter(deadline=clock, event="breach").count() == 1
    assert deadline_sweep().breached == 0
    assert _kinds(clock) == ["started", "breached", "met"]


@pytest.mark.django_db
def test_met_at_the_real_time_decides(world: World) -> None:
    # Typed in late, but the work was done in time: no breach.
    clock = start_clock(world, ago=timedelta(hours=2))
    # Started already due, so breached at once and notified late.
    assert clock.status == DeadlineStatus.BREACHED and clock.notified_late
    fresh = start_clock(world, ago=timedelta(minutes=70), policy=PolicyCode.URGENT_RESPONSE)
    met = deadline_meet(
        deadline_id=fresh.pk, actor=world.mash, met_at=fresh.started_at + timedelta(minutes=5)
    )
    assert met.breached_at is None


@pytest.mark.django_db
def test_clock_started_after_it_was_due_is_breached_at_once_and_flagged_late(world: World) -> None:
    clock = start_clock(world, ago=timedelta(hours=3))
    assert clock.status == DeadlineStatus.BREACHED
    assert clock.notified_late
    assert clock.breached_at == clock.due_at
    assert OutboxMessage.objects.filter(deadline=clock, event="breach").count() == 1
    assert deadline_sweep().breached == 0


@pytest.mark.django_db
def test_pause_across_due_time_gives_no_breach_and_resume_shifts_due(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=30))
    paused = deadline_pause(
        deadline_id=clock.pk, actor=world.mash, reason="Child in hospital, cannot be seen"
    )
    remaining = paused.remaining_while_paused
    assert remaining is not None and timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # Pretend the pause lasted beyond the original due time.
    Deadline.objects.filter(pk=clock.pk).update(
        paused_at=paused.paused_at - timedelta(hours=2),
        due_at=paused.due_at - timedelta(hours=2),
        warn_at=paused.warn_at - timedelta(hours=2),
        started_at=paused.started_at - timedelta(hours=2),
    )
    assert deadline_sweep().breached == 0, "a paused clock never breaches"
    resumed = deadline_resume(deadline_id=clock.pk, actor=world.mash)
    now = now_from_database()
    assert resumed.status == DeadlineStatus.RUNNING
    assert abs((resumed.due_at - now) - remaining) < timedelta(seconds=5)
    assert deadline_sweep().breached == 0


@pytest.mark.django_db
def test_second_escalation_goes_once_after_the_further_interval(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=50))
    let_time_pass(clock, timedelta(minutes=12))
    assert deadline_sweep().breached == 1
    assert deadline_sweep().escalated == 0
    # Still not met 30 minutes after the breach: the service manager is told, once.
    Deadline.objects.filter(pk=clock.pk).update(
        second_escalation_at=now_from_database() - timedelta(seconds=1)
    )
    result = deadline_sweep()
    assert result.escalated == 1
    assert deadline_sweep().escalated == 0
    clock.refresh_from_db()
    assert clock.escalation_level == 2
    assert OutboxMessage.objects.filter(deadline=clock).count() == 2


@pytest.mark.django_db
def test_extend_is_for_managers_with_a_reason(world: World, mash_manager: User) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE)
    with pytest.raises(DeadlineError, match="Only a manager"):
        deadline_extend(
            deadline_id=clock.pk, actor=world.mash, new_due_at=clock.due_at + timedelta(hours=1), reason="x"
        )
    with pytest.raises(DeadlineError, match="Give a reason"):
        deadline_extend(
            deadline_id=clock.pk, actor=mash_manager, new_due_at=clock.due_at + timedelta(hours=1), reason=" "
        )
    with pytest.raises(DeadlineError, match="after the start"):
        deadline_extend(
            deadline_id=clock.pk,
            actor=mash_manager,
            new_due_at=clock.started_at - timedelta(hours=1),
            reason="r",
        )
    extended = deadline_extend(
        deadline_id=clock.pk,
        actor=mash_manager,
        new_due_at=clock.due_at + timedelta(hours=4),
        reason="Family abroad",
    )
    assert extended.due_at == clock.due_at + timedelta(hours=4)
    assert _kinds(clock) == ["started", "extended"]


@pytest.mark.django_db
def test_bad_input_is_refused_and_changes_nothing(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10))
    before = Deadline.objects.values().get(pk=clock.pk)
    with pytest.raises(DeadlineError, match="Give a reason to pause"):
        deadline_pause(deadline_id=clock.pk, actor=world.mash, reason="")
    deadline_cancel(deadline_id=clock.pk, actor=world.mash, reason="Opened in error")
    cancelled = Deadline.objects.values().get(pk=clock.pk)
    with pytest.raises(DeadlineError, match="cannot be met"):
        deadline_meet(deadline_id=clock.pk, actor=world.mash)
    with pytest.raises(DeadlineError, match="Give a reason to cancel"):
        deadline_cancel(deadline_id=clock.pk, actor=world.mash, reason="")
    assert Deadline.objects.values().get(pk=clock.pk) == cancelled
    assert before["status"] == "running" and cancelled["status"] == "cancelled"
    with pytest.raises(DeadlineError, match="after the start"):
        start_clock(
            world,
            ago=timedelta(minutes=1),
            policy=PolicyCode.PANEL_ACTION,
            due_at=now_from_database() - timedelta(hours=1),
        )
    with pytest.raises(DeadlineError, match="in the future"):
        start_clock(world, ago=-timedelta(hours=1))
    assert Deadline.objects.count() == 1
