"""Eight sweeps at once over 20,000 clocks, while clocks are being met: no duplicate and no missed breach.

The sweeps run in threads, each with its own PostgreSQL connection, so they really do contend for the same rows
(FOR UPDATE SKIP LOCKED). Meanwhile a separate process (so that its timing does not depend on the sweeps' share
of this process's GIL) meets clocks through the service: long overdue ones, ones not due for hours, and ones
just before and just after they fall due, while the sweeps are claiming them."""

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, F

from safeguarding.deadlines.models import (
    Deadline,
    DeadlineEvent,
    DeadlineEventKind,
    DeadlineStatus,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.policies import PolicyCode, policy_for
from safeguarding.deadlines.services import SweepResult, deadline_sweep, now_from_database
from tests.conftest import World
from tests.deadlines.processes import ROOT, django_subprocess_env, flush_test_redis

CLOCKS = 20_000
SWEEPERS = 8
PAST_DUE = CLOCKS // 2  # already due when the sweeps start
FALLING_DUE = 1_000  # fall due while the sweeps run
MEETING_THREADS = 16  # connections the meeting process uses for the completions timed to a due moment
GOLDEN_HOUR = policy_for(PolicyCode.GOLDEN_HOUR)

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

# The meeting process: starts Django while the clocks are inserted, then follows the plan it is given. A
# completion waits for its row while a sweep's batch holds it (FOR UPDATE), which on a loaded machine takes
# seconds; so the clocks met at their moment are shared by several threads, each with its own connection,
# and one completion held up never makes the next ones late. The fillers have a thread of their own.
MEETER = """
import json, queue, sys, threading, time
from datetime import datetime
from pathlib import Path

import django

django.setup()
from django.db import connection
from safeguarding.deadlines.services import deadline_meet, now_from_database
from safeguarding.organisations.models import User

plan_path = Path(sys.argv[1])
now_from_database()
print("ready", flush=True)
while not plan_path.exists():
    time.sleep(0.01)
plan = json.loads(plan_path.read_text())
actor = User.objects.get(pk=plan["actor"])
timed = queue.Queue()
for at, pk in plan["scheduled"]:
    timed.put((datetime.fromisoformat(at), pk))
errors = []


def meet(pk):
    deadline_meet(deadline_id=pk, actor=actor, note="Information shared with custody")


def in_thread(work):
    def run():
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def meet_timed():
    while True:
        try:
            at, pk = timed.get_nowait()
        except queue.Empty:
            return
        while now_from_database() < at:
            time.sleep(0.005)
        meet(pk)


def meet_fillers():
    for pk in plan["fillers"]:
        meet(pk)


threads = [in_thread(meet_timed) for _ in range(plan["threads"])] + [in_thread(meet_fillers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if errors:
    raise errors[0]
print("done", flush=True)
"""


@pytest.fixture
def empty_broker(transactional_db: None) -> Iterator[None]:
    # The sweeps dispatch delivery tasks to the test broker; no worker runs here, so empty it afterwards.
    flush_test_redis()
    yield
    flush_test_redis()


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run, daemon=True)


def test_eight_concurrent_sweeps_with_racing_completions_breach_each_due_clock_exactly_once(
    world: World, empty_broker: None, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.json"
    meeter = subprocess.Popen(
        [sys.executable, "-c", MEETER, str(plan_path)],
        cwd=ROOT,
        env=django_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _race(world, meeter, plan_path)
    finally:
        if meeter.poll() is None:
            meeter.kill()
            meeter.wait(timeout=10)


def _race(world: World, meeter: "subprocess.Popen[bytes]", plan_path: Path) -> None:
    rng = random.Random(20_000)
    now = now_from_database()
    far_ahead = [now + timedelta(seconds=rng.uniform(3600, 48 * 3600)) for _ in range(CLOCKS - PAST_DUE)]
    due_times = [now - timedelta(seconds=rng.uniform(1, 4 * 3600)) for _ in range(PAST_DUE)] + far_ahead
    Deadline.objects.bulk_create(
        [
            Deadline(
                policy=PolicyCode.GOLDEN_HOUR,
                local_authority_id=world.case.local_authority_id,
                subject_type="custody_booking",
                subject_id=uuid.uuid4(),
                subject_label=f"booking {n}",
                owning_agency=world.social_care,
                owner=world.mash,
                started_at=min(due - timedelta(hours=1), now - timedelta(minutes=1)),
                due_at=due,
                warn_at=GOLDEN_HOUR.warn_at(min(due - timedelta(hours=1), now - timedelta(minutes=1)), due),
            )
            for n, due in enumerate(due_times)
        ],
        batch_size=2_000,
    )
    # Once inserted (which takes a while on a busy machine) and the meeting process is ready, some clocks are
    # brought forward to fall due 1.5 to 7.5 s from now, while the sweeps run.
    assert meeter.stdout is not None and meeter.stdout.readline() == b"ready\n", meeter.communicate()[1]
    ahead = list(Deadline.objects.filter(due_at__gt=now).values_list("pk", flat=True))
    chosen = rng.sample(ahead, FALLING_DUE)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE deadlines_deadline AS d
            SET due_at = clock_timestamp() + f.seconds * interval '1 second',
                warn_at = greatest(
                    clock_timestamp() + f.seconds * interval '1 second' - interval '15 minutes',
                    d.started_at + (clock_timestamp() + f.seconds * interval '1 second' - d.started_at) / 2
                )
            FROM unnest(%s::uuid[], %s::float8[]) AS f(id, seconds)
            WHERE d.id = f.id
            """,
            [chosen, [rng.uniform(1.5, 7.5) for _ in chosen]],
        )
    due_of = dict(Deadline.objects.values_list("pk", "due_at"))
    assert len(due_of) == CLOCKS
    past = [pk for pk, due in due_of.items() if due < now]
    falling = sorted(chosen, key=due_of.__getitem__)
    last_due = due_of[falling[-1]]
    future = [pk for pk, due in due_of.items() if due > last_due]
    assert (len(past), len(falling), len(future)) == (PAST_DUE, FALLING_DUE, CLOCKS - PAST_DUE - FALLING_DUE)

    # Completions: some of the falling clocks met in the seconds before their due time, some just after, each
    # at its moment; in between, clocks long overdue (met late) and clocks not due for hours (met in time).
    # A completion can wait a second or two for a row a sweep's batch holds, so those meant to land before the
    # due time are planned 0.5 to 2 s ahead of it; those meant to land after it are late whatever the load.
    racing = rng.sample(falling, 60)
    scheduled = sorted(
        [(due_of[pk] - timedelta(seconds=rng.uniform(0.5, 2.0)), pk) for pk in racing[:30]]
        + [(due_of[pk] + timedelta(seconds=rng.uniform(0.1, 0.6)), pk) for pk in racing[30:]]
    )
    fillers = rng.sample(past, 150) + rng.sample(future, 100)
    rng.shuffle(fillers)

    errors: list[BaseException] = []
    results: list[SweepResult] = []
    meeting_done = threading.Event()
    stop = threading.Event()  # set if the test fails early, so no thread outlives it (the flush would block)
    give_up = time.monotonic() + 100

    def sweep() -> None:
        while time.monotonic() < give_up and not stop.is_set():
            result = deadline_sweep(batch_size=500)
            results.append(result)
            if result.total == 0:
                if meeting_done.is_set() and now_from_database() > last_due + timedelta(seconds=0.5):
                    return
                time.sleep(0.02)
        if not stop.is_set():
            raise AssertionError("the sweeps did not finish within 100 s")

    plan = {
        "actor": str(world.mash.pk),
        "scheduled": [(at.isoformat(), str(pk)) for at, pk in scheduled],
        "fillers": [str(pk) for pk in fillers],
        "threads": MEETING_THREADS,
    }
    plan_path.with_suffix(".tmp").write_text(json.dumps(plan))
    os.replace(plan_path.with_suffix(".tmp"), plan_path)  # the meeting starts now, with the sweeps

    threads = [_in_thread(sweep, errors) for _ in range(SWEEPERS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        out, err = meeter.communicate(timeout=90)
        assert meeter.returncode == 0 and out == b"done\n", err.decode()[-3000:]
        meeting_done.set()
        for thread in threads:
            thread.join(timeout=100)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a sweep hung"
    assert not errors, errors
    elapsed = time.monotonic() - began
    assert elapsed < 90, f"the concurrent sweeps took {elapsed:.0f} s"

    # Nothing left for a ninth sweep: the eight missed nothing.
    assert deadline_sweep().breached == 0
    finished = now_from_database()
    assert last_due < finished

    rows = {pk: (due, met_at) for pk, due, met_at in Deadline.objects.values_list("pk", "due_at", "met_at")}
    met_in_time = {pk for pk, (due, met_at) in rows.items() if met_at is not None and met_at <= due}
    expected = {pk for pk, (due, met_at) in rows.items() if due <= finished and pk not in met_in_time}
    assert len(met_in_time) >= 100, "too few clocks were met in time for the race to mean anything"
    assert any(pk in met_in_time for pk in falling), "no clock was met in the seconds before it fell due"
    assert any(pk in expected and rows[pk][1] is not None for pk in falling), "no falling clock was met late"

    breach_events = Counter(
        dict(
            DeadlineEvent.objects.filter(kind=DeadlineEventKind.BREACHED)
            .values_list("deadline_id")
            .annotate(n=Count("id"))
            .values_list("deadline_id", "n")
        )
    )
    breach_outbox = Counter(
        dict(
            OutboxMessage.objects.filter(event=OutboxEvent.BREACH)
            .values_list("deadline_id")
            .annotate(n=Count("id"))
            .values_list("deadline_id", "n")
        )
    )
    duplicated = {pk: n for pk, n in breach_events.items() if n > 1}
    assert not duplicated, f"{len(duplicated)} clocks breached more than once"
    missed = expected - set(breach_events)
    assert not missed, f"{len(missed)} due clocks were never breached"
    wrongly = set(breach_events) - expected
    assert not wrongly, f"{len(wrongly)} clocks breached that were met in time or not yet due"
    assert set(breach_outbox) == expected and set(breach_outbox.values()) == {1}
    assert sum(breach_events.values()) == len(expected)

    # Each breach at exactly the due time; met-in-time clocks carry no breach at all.
    assert not Deadline.objects.filter(pk__in=expected).exclude(breached_at=F("due_at")).exists()
    assert not Deadline.objects.filter(pk__in=met_in_time, breached_at__isnull=False).exists()
    assert not Deadline.objects.filter(pk__in=expected, detected_at__lt=F("due_at")).exists()
    statuses = Counter(Deadline.objects.filter(pk__in=expected).values_list("status", flat=True))
    assert set(statuses) <= {DeadlineStatus.BREACHED, DeadlineStatus.MET}
    assert Deadline.objects.filter(status=DeadlineStatus.RUNNING, due_at__lte=finished).count() == 0
    # The breaches recorded by the sweeps plus those recorded by late completions are all there are.
    swept = sum(r.breached for r in results)
    met_late = sum(1 for pk in expected if rows[pk][1] is not None)
    assert len(expected) - met_late <= swept <= len(expected), (swept, len(expected), met_late)

    # Warnings: at most one per clock, and never a "due soon" for a clock already past due.
    warning_events = Counter(
        DeadlineEvent.objects.filter(kind=DeadlineEventKind.WARNED).values_list("deadline_id", flat=True)
    )
    assert set(warning_events.values()) <= {1}
    late_warnings = OutboxMessage.objects.filter(
        event=OutboxEvent.WARNING, created_at__gte=F("deadline__due_at")
    )
    assert late_warnings.count() == 0, f"{late_warnings.count()} clocks warned 'due soon' after they were due"
