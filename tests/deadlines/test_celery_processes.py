"""Clocks with real Celery worker and beat processes, the real PostgreSQL and the real Redis broker.

Every test here needs committed rows (the processes have their own connections), hence transaction=True.
Clocks are made to fall due by starting them in the past or moving their timestamps back, never by sleeping
through a long gap; the few seconds of waiting are bounded polls of the database."""

import signal
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, transaction

from safeguarding.deadlines.models import (
    Deadline,
    DeadlineEvent,
    DeadlineEventKind,
    DeadlineStatus,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    deadline_meet,
    deadline_pause,
    deadline_resume,
    deadline_sweep,
    now_from_database,
)
from safeguarding.organisations.models import User
from tests.conftest import World
from tests.deadlines.conftest import let_time_pass, start_clock
from tests.deadlines.processes import (
    CeleryProcesses,
    celery_processes,
    flush_test_redis,
    queued_messages,
    queued_outbox_ids,
    wait_until,
)

# How late the beat-driven sweep may record a warning or breach: one 1 s tick, plus start-up jitter on a
# loaded 2-core machine.
ON_TIME = timedelta(seconds=3)

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def processes(transactional_db: None, tmp_path: Path) -> Iterator[CeleryProcesses]:
    with celery_processes(tmp_path) as started:
        yield started


@pytest.fixture
def people(world: World, mash_manager: User) -> dict[str, User]:
    """alice owns the clocks; maggie is her manager; sam is maggie's manager (the service manager)."""
    assert mash_manager.manager is not None
    return {"alice": world.mash, "maggie": mash_manager, "sam": mash_manager.manager}


def _events(clock: Deadline, kind: DeadlineEventKind) -> list[DeadlineEvent]:
    return list(DeadlineEvent.objects.filter(deadline=clock, kind=kind))


def _outbox(clock: Deadline, event: OutboxEvent) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(deadline=clock, event=event))


def _wait_for_db_time(moment: datetime, timeout: float = 30) -> None:
    """Sleep until the database clock (the only clock) reaches `moment`."""
    wait_until(
        lambda: now_from_database() >= moment,
        timeout=timeout,
        message=f"the database clock did not reach {moment}",
        interval=0.05,
    )


def _wait_for_delivery(
    processes: CeleryProcesses, messages: Iterable[OutboxMessage], timeout: float = 45
) -> None:
    ids = [m.pk for m in messages]
    assert ids
    wait_until(
        lambda: not OutboxMessage.objects.filter(pk__in=ids, delivered_at__isnull=True).exists(),
        timeout=timeout,
        message=lambda: (
            f"outbox messages not delivered within {timeout} s: "
            f"{list(OutboxMessage.objects.filter(pk__in=ids).values())}\n{processes.logs()}"
        ),
    )


def _assert_each_delivered_exactly_once(processes: CeleryProcesses, people: dict[str, User]) -> None:
    """Every Delivery row is sent; every email Delivery produced exactly one email, to the right address; every
    in-app Delivery exactly one Notification; and no email was sent that has no Delivery row."""
    deliveries = list(Delivery.objects.select_related("recipient"))
    assert deliveries
    assert {d.state for d in deliveries} == {DeliveryState.SENT}, [(d.pk, d.state) for d in deliveries]
    by_delivery = processes.emails_by_delivery()
    email_rows = {str(d.pk): d for d in deliveries if d.channel == DeliveryChannel.EMAIL}
    assert set(by_delivery) == set(email_rows), (by_delivery, sorted(email_rows))
    assert all(count == 1 for count in by_delivery.values()), by_delivery
    for message in processes.emails():
        assert message["To"] == email_rows[str(message["X-Reachable-Delivery"])].recipient.email
    in_app = [d for d in deliveries if d.channel == DeliveryChannel.IN_APP]
    assert Notification.objects.count() == len(in_app)
    assert sorted(Notification.objects.values_list("delivery_id", flat=True)) == sorted(d.pk for d in in_app)
    assert all(person.email for person in people.values())


def _recipients(message: OutboxMessage, channel: DeliveryChannel = DeliveryChannel.EMAIL) -> Counter[str]:
    return Counter(
        Delivery.objects.filter(outbox=message, channel=channel).values_list("recipient__username", flat=True)
    )


def test_golden_hour_warns_and_breaches_on_time(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    processes.start_worker()
    processes.start_beat()
    with transaction.atomic():
        # A Golden Hour clock booked 59:56 ago, due in 4 s; its warning brought forward to 2 s from now so
        # that both transitions happen while we watch. Committed together, so no sweep sees it half-made.
        clock = start_clock(world, ago=timedelta(minutes=59, seconds=56))
        warn_at = clock.due_at - timedelta(seconds=2)
        Deadline.objects.filter(pk=clock.pk).update(warn_at=warn_at)
    assert clock.due_at - clock.started_at == timedelta(hours=1)
    assert now_from_database() < warn_at, "the machine is too slow for this test's 2 s margin"

    wait_until(
        lambda: OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.BREACH).exists(),
        timeout=20,
        message=lambda: f"no breach recorded within 16 s of the due time\n{processes.logs()}",
    )
    messages = list(OutboxMessage.objects.filter(deadline=clock))
    _wait_for_delivery(processes, messages)
    clock.refresh_from_db()

    # The warning: once, not before warn_at, and within a tick or two of it.
    [warning] = _outbox(clock, OutboxEvent.WARNING)
    [warned] = _events(clock, DeadlineEventKind.WARNED)
    assert clock.warned_at is not None
    assert warn_at <= clock.warned_at <= warn_at + ON_TIME, (warn_at, clock.warned_at)
    assert warn_at <= warning.created_at <= warn_at + ON_TIME
    assert warned.occurred_at == warn_at
    # The breach: once, at exactly the due time, recorded within a tick or two of it.
    [breach] = _outbox(clock, OutboxEvent.BREACH)
    [breached] = _events(clock, DeadlineEventKind.BREACHED)
    assert clock.status == DeadlineStatus.BREACHED
    assert clock.breached_at == clock.due_at == breached.occurred_at
    assert clock.detected_at is not None
    assert clock.due_at <= clock.detected_at <= clock.due_at + ON_TIME, (clock.due_at, clock.detected_at)
    assert clock.due_at <= breach.created_at <= clock.due_at + ON_TIME
    assert not clock.notified_late
    # Who was told.
    assert _recipients(warning) == Counter(["alice"])
    assert _recipients(breach) == Counter(["alice", "maggie"])
    assert processes.emails_by_recipient_and_subject() == Counter(
        {
            ("alice@example.test", "[Reachable] Due soon: Golden Hour (custody) for custody booking"): 1,
            ("alice@example.test", "[Reachable] Breached: Golden Hour (custody) for custody booking"): 1,
            ("maggie@example.test", "[Reachable] Breached: Golden Hour (custody) for custody booking"): 1,
        }
    )
    # More ticks change nothing.
    processes.wait_for_sweeps(2)
    assert OutboxMessage.objects.filter(deadline=clock).count() == 2
    assert len(_events(clock, DeadlineEventKind.BREACHED)) == 1
    assert len(processes.emails()) == 3
    _assert_each_delivered_exactly_once(processes, people)


def test_met_just_before_due_is_never_breached_and_just_after_is_breached_once(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    processes.start_worker()
    processes.start_beat()
    in_time = start_clock(world, ago=timedelta(minutes=59, seconds=55))
    late = start_clock(world, ago=timedelta(minutes=59, seconds=55))

    # The beat sweeps every second while these are met around their due times.
    # Met 1.5 s ahead: on a loaded machine one service call can take most of a second.
    _wait_for_db_time(in_time.due_at - timedelta(milliseconds=1500))
    met = deadline_meet(deadline_id=in_time.pk, actor=world.mash)
    assert met.met_at is not None and met.met_at < met.due_at, "met too late for this test: machine too slow"
    _wait_for_db_time(late.due_at + timedelta(milliseconds=300))
    met_late = deadline_meet(deadline_id=late.pk, actor=world.mash)
    assert met_late.met_at is not None and met_late.met_at > met_late.due_at

    [breach] = wait_until(
        lambda: _outbox(late, OutboxEvent.BREACH), timeout=10, message="the late clock was not breached"
    )
    _wait_for_delivery(processes, OutboxMessage.objects.all())
    processes.wait_for_sweeps(3)

    in_time.refresh_from_db()
    late.refresh_from_db()
    assert in_time.status == DeadlineStatus.MET
    assert in_time.breached_at is None
    assert _events(in_time, DeadlineEventKind.BREACHED) == []
    assert _outbox(in_time, OutboxEvent.BREACH) == []

    assert late.status == DeadlineStatus.MET
    assert late.breached_at == late.due_at
    assert len(_events(late, DeadlineEventKind.BREACHED)) == 1
    assert _outbox(late, OutboxEvent.BREACH) == [breach]
    assert _recipients(breach) == Counter(["alice", "maggie"])
    _wait_for_delivery(processes, OutboxMessage.objects.all())
    _assert_each_delivered_exactly_once(processes, people)
    breach_emails = [m for m in processes.emails() if str(m["Subject"]).startswith("[Reachable] Breached")]
    assert sorted(str(m["To"]) for m in breach_emails) == ["alice@example.test", "maggie@example.test"]


def test_pause_across_the_due_time_gives_no_breach_and_resume_shifts_it(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    processes.start_worker()
    processes.start_beat()
    clock = start_clock(world, ago=timedelta(minutes=59, seconds=55))
    paused = deadline_pause(deadline_id=clock.pk, actor=world.mash, reason="Child admitted to hospital")
    remaining = paused.remaining_while_paused
    assert remaining is not None and timedelta(seconds=2) < remaining <= timedelta(seconds=5)

    # Paused across the original due time while the beat keeps sweeping.
    _wait_for_db_time(clock.due_at + timedelta(seconds=1))
    processes.wait_for_sweeps(2)
    paused.refresh_from_db()
    assert paused.status == DeadlineStatus.PAUSED
    assert paused.breached_at is None
    assert _events(clock, DeadlineEventKind.BREACHED) == []
    assert _outbox(clock, OutboxEvent.BREACH) == []

    resumed = deadline_resume(deadline_id=clock.pk, actor=world.mash)
    [resumed_event] = _events(clock, DeadlineEventKind.RESUMED)
    assert resumed.due_at == resumed_event.occurred_at + remaining
    assert resumed.due_at > clock.due_at + timedelta(seconds=1)

    wait_until(
        lambda: _outbox(clock, OutboxEvent.BREACH), timeout=15, message="the resumed clock did not breach"
    )
    clock.refresh_from_db()
    assert clock.breached_at == clock.due_at == resumed.due_at
    assert clock.detected_at is not None
    assert resumed.due_at <= clock.detected_at <= resumed.due_at + ON_TIME
    assert [e.occurred_at for e in _events(clock, DeadlineEventKind.BREACHED)] == [resumed.due_at]
    _wait_for_delivery(processes, OutboxMessage.objects.all())
    processes.wait_for_sweeps(2)
    assert len(_outbox(clock, OutboxEvent.BREACH)) == 1
    _assert_each_delivered_exactly_once(processes, people)


def _locked_email_delivery() -> Delivery | None:
    """An email Delivery row whose lock another connection holds: the worker is between committing the row and
    sending (inside REACHABLE_TEST_DELAY_BEFORE_SEND)."""
    for delivery in Delivery.objects.filter(channel=DeliveryChannel.EMAIL, state=DeliveryState.PENDING):
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update(nowait=True).filter(pk=delivery.pk).exists()
        except DatabaseError:
            return delivery
    return None


def test_worker_killed_during_delivery_still_sends_each_email_exactly_once(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    first = processes.start_worker("slow-worker", extra_env={"REACHABLE_TEST_DELAY_BEFORE_SEND": "5"})
    processes.start_beat()
    # Booked 70 minutes ago: breached at once, the breach goes to alice and maggie (the service manager's
    # turn is 20 minutes away).
    clock = start_clock(world, ago=timedelta(hours=1, minutes=10))
    [breach] = _outbox(clock, OutboxEvent.BREACH)

    caught = wait_until(
        _locked_email_delivery,
        timeout=20,
        interval=0.05,
        message=lambda: f"the worker never held an email delivery before sending\n{processes.logs()}",
    )
    assert first.alive
    first.kill_hard()
    assert first.popen.returncode == -signal.SIGKILL
    assert processes.emails() == [], "nothing may have been sent before the kill"
    caught.refresh_from_db()
    assert caught.state == DeliveryState.PENDING
    assert caught.attempts == 0, "the killed attempt's transaction must have been rolled back"

    processes.start_worker("fresh-worker")
    _wait_for_delivery(processes, [breach], timeout=60)
    processes.wait_for_sweeps(2)

    breach.refresh_from_db()
    assert breach.dispatch_count >= 2, "the lost task was re-dispatched by the sweep"
    caught.refresh_from_db()
    assert caught.state == DeliveryState.SENT
    assert _recipients(breach) == Counter(["alice", "maggie"])
    assert sorted(str(m["To"]) for m in processes.emails()) == ["alice@example.test", "maggie@example.test"]
    _assert_each_delivered_exactly_once(processes, people)


def test_flushing_redis_loses_no_clock_and_no_escalation(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    # No worker, no beat: everything dispatched sits in Redis.
    late = start_clock(world, ago=timedelta(hours=2))  # breached at once
    warned = start_clock(world, ago=timedelta(minutes=50))  # warning due
    breached = start_clock(world, ago=timedelta(minutes=50))
    let_time_pass(breached, timedelta(minutes=12))  # breach due
    # Due an hour ago, so its further 30 minutes have passed too: escalated to the service manager.
    first = deadline_sweep()
    assert (first.breached, first.warned, first.escalated) == (1, 1, 1)
    upcoming = start_clock(world, ago=timedelta(minutes=59, seconds=50))  # due in 10 s: after the flush
    assert deadline_sweep().warned == 1

    before_flush = list(OutboxMessage.objects.all())
    assert len(before_flush) == 5
    assert all(m.dispatched_at is not None and m.delivered_at is None for m in before_flush)
    assert queued_outbox_ids() >= {m.pk for m in before_flush}, "every message's delivery task is in Redis"

    flush_test_redis()
    assert queued_messages() == 0

    processes.start_worker()
    processes.start_beat()
    [upcoming_breach] = wait_until(
        lambda: _outbox(upcoming, OutboxEvent.BREACH), timeout=30, message="the upcoming clock never breached"
    )
    _wait_for_delivery(processes, OutboxMessage.objects.all(), timeout=60)
    processes.wait_for_sweeps(2)

    expected = {
        (late.pk, OutboxEvent.BREACH): ["alice", "maggie"],
        (late.pk, OutboxEvent.SECOND_ESCALATION): ["sam"],
        (warned.pk, OutboxEvent.WARNING): ["alice"],
        (breached.pk, OutboxEvent.BREACH): ["alice", "maggie"],
        (breached.pk, OutboxEvent.WARNING): None,  # breached first: no warning after the fact
        (upcoming.pk, OutboxEvent.WARNING): ["alice"],
        (upcoming.pk, OutboxEvent.BREACH): ["alice", "maggie"],
    }
    actual = {(m.deadline_id, m.event): m for m in OutboxMessage.objects.all()}
    assert set(actual) == {key for key, who in expected.items() if who is not None}
    for key, message in actual.items():
        assert message.delivered_at is not None
        assert _recipients(message) == Counter(expected[key]), key
        assert _recipients(message, DeliveryChannel.IN_APP) == Counter(expected[key]), key
    upcoming.refresh_from_db()
    assert upcoming.breached_at == upcoming.due_at
    upcoming_breach.refresh_from_db()
    assert upcoming_breach.delivered_at is not None
    for clock in (late, breached, upcoming):
        assert len(_events(clock, DeadlineEventKind.BREACHED)) == 1
    _assert_each_delivered_exactly_once(processes, people)
    assert len(processes.emails()) == 2 + 1 + 1 + 2 + 1 + 2


def test_beat_down_while_clocks_fall_due_then_every_missed_breach_is_recorded_once(
    processes: CeleryProcesses, world: World, people: dict[str, User]
) -> None:
    processes.start_worker()  # the worker is up; only beat is down
    long_overdue = start_clock(world, ago=timedelta(minutes=10))
    overdue = start_clock(world, ago=timedelta(minutes=10))
    urgent = start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.URGENT_RESPONSE)
    warn_only = start_clock(world, ago=timedelta(minutes=10))
    met_in_time = start_clock(world, ago=timedelta(minutes=10))
    met_late = start_clock(world, ago=timedelta(minutes=10))

    # While beat is down, time passes: 2 h, 55 min, 50 h, 40 min.
    let_time_pass(long_overdue, timedelta(hours=2))
    let_time_pass(overdue, timedelta(minutes=55))
    let_time_pass(urgent, timedelta(hours=50))
    let_time_pass(warn_only, timedelta(minutes=40))
    deadline_meet(deadline_id=met_in_time.pk, actor=world.mash)  # in time: 50 minutes to spare
    let_time_pass(met_late, timedelta(hours=2))
    deadline_meet(deadline_id=met_late.pk, actor=world.mash)  # records its own breach: met after due
    due_times = {
        c.pk: Deadline.objects.get(pk=c.pk).due_at for c in (long_overdue, overdue, urgent, met_late)
    }
    assert not OutboxMessage.objects.exclude(deadline=met_late).exists(), "nothing swept while beat is down"

    processes.start_beat()
    wait_until(
        lambda: OutboxMessage.objects.count() >= 6,
        timeout=20,
        message=lambda: f"the restarted beat did not catch up\n{processes.logs()}",
    )
    _wait_for_delivery(processes, OutboxMessage.objects.all())
    processes.wait_for_sweeps(3)

    for clock in (long_overdue, overdue, urgent, met_late):
        clock.refresh_from_db()
        [event] = _events(clock, DeadlineEventKind.BREACHED)
        assert clock.breached_at == clock.due_at == due_times[clock.pk] == event.occurred_at
        assert clock.detected_at is not None and clock.detected_at > clock.due_at
        assert len(_outbox(clock, OutboxEvent.BREACH)) == 1
    for clock in (long_overdue, overdue, urgent):
        assert clock.status == DeadlineStatus.BREACHED
        assert _outbox(clock, OutboxEvent.WARNING) == [], "a clock found already breached gets no warning"
    # Down for so long that the further interval passed too: the service manager is told as well, once.
    [escalation] = _outbox(long_overdue, OutboxEvent.SECOND_ESCALATION)
    assert _recipients(escalation) == Counter(["sam"])
    assert _outbox(overdue, OutboxEvent.SECOND_ESCALATION) == []
    assert _outbox(urgent, OutboxEvent.SECOND_ESCALATION) == []

    warn_only.refresh_from_db()
    assert warn_only.status == DeadlineStatus.RUNNING and warn_only.breached_at is None
    assert len(_outbox(warn_only, OutboxEvent.WARNING)) == 1
    met_in_time.refresh_from_db()
    assert met_in_time.breached_at is None
    assert not OutboxMessage.objects.filter(deadline=met_in_time).exists()

    assert OutboxMessage.objects.count() == 4 + 1 + 1
    _assert_each_delivered_exactly_once(processes, people)
    # 4 breaches to alice and maggie, 1 escalation to sam, 1 warning to alice.
    assert len(processes.emails()) == 4 * 2 + 1 + 1
    # Stopping and starting beat again replays nothing.
    [beat] = [p for p in processes.started if p.name == "beat"]
    beat.stop()
    processes.start_beat()
    processes.wait_for_sweeps(2)
    assert OutboxMessage.objects.count() == 6
    assert DeadlineEvent.objects.filter(kind=DeadlineEventKind.BREACHED).count() == 4
    assert len(processes.emails()) == 10
