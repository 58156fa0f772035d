"""Deadlines engine benchmark: `python -m bench.deadlines` (or `make bench-deadlines`).

The issue's acceptance: with 100,000 running clocks and 10,000 falling due in the same minute, report how
long after due the breach is recorded (p50/p99/max), how long after due the email is handed to the mail
backend (p99), how long it takes to record 10,000 breaches, and what a sweep with nothing due costs.

What it does, on a PostgreSQL database and a Redis database of its own (bench/settings.py):

1. creates and migrates the database, and makes an authority, an agency, a service manager, managers and
   owners (with emails and managers) through the organisation services;
2. COPYs 90,000 running clocks due hours to days ahead and 10,000 running Golden Hour clocks due across one
   minute starting BENCH_LEAD_SECONDS from now; those were "already warned" (warned_at set, as the real
   sweep would have done 15 minutes earlier), so only breaches are measured; then VACUUM ANALYZE;
3. times `deadline_sweep_batch()` with nothing due, in this process, and EXPLAINs the breach claim;
4. starts a real Celery beat (sweep every DEADLINES_SWEEP_INTERVAL_SECONDS) and a real prefork worker, and
   waits until the 10,000 are breached and every breach email has been handed to the backend
   (bench/email_backend.py records the wall-clock time of each hand-off), for at most BENCH_WAIT_SECONDS
   after the last is due; work not done by then is counted at the time waited (figures marked ≥, lower
   bounds), and the rest of it is abandoned so that the next phase starts on an empty queue;
5. phase B: 10,000 more clocks due at one instant (100,000 running again), to time recording 10,000 at once;
6. prints the figures against the targets (a missed target is reported, not an error), writes the
   "Deadlines engine" section of docs/benchmarks.md, stops every process it started and drops the database.

BENCH_DB_REUSE=1 and BENCH_SWEEP_QUEUE=1 try candidate settings changes (bench/settings.py); such a run
writes its own section of the doc. Total run time is about 7 to 8 minutes.

The last line printed is `breach_p99_s=… breach_max_s=… email_p99_s=… record_10k_s=… empty_sweep_ms=…`.
Exit status is non-zero only when the run itself failed (set-up error, a process died, interrupted)."""

import contextlib
import csv
import io
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    DOC,
    ROOT,
    BenchFailed,
    database_recreate,
    doc_write_section,
    env_float,
    env_int,
    log,
    percentile,
    terminated_by_signals,
)
from bench.common import database_drop as common_database_drop

SECTION_BASE = "## Deadlines engine"

os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS_MODULE", "bench.settings")


RUNNING_CLOCKS = env_int("BENCH_RUNNING_CLOCKS", 100_000)
DUE_CLOCKS = env_int("BENCH_DUE_CLOCKS", 10_000)
WINDOW_SECONDS = env_float("BENCH_WINDOW_SECONDS", 60)
LEAD_SECONDS = env_float("BENCH_LEAD_SECONDS", 60)
INSTANT_LEAD_SECONDS = env_float("BENCH_INSTANT_LEAD_SECONDS", 8)
SWEEP_INTERVAL = env_float("DEADLINES_SWEEP_INTERVAL_SECONDS", 1.0)
CONCURRENCY = env_int("BENCH_WORKER_CONCURRENCY", 2)
WAIT_SECONDS = env_float("BENCH_WAIT_SECONDS", 180)  # phase A: after the last clock is due
RECORD_WAIT_SECONDS = env_float("BENCH_RECORD_WAIT_SECONDS", 60)  # phase B: to record the 10,000
INSTANT_WAIT_SECONDS = env_float("BENCH_INSTANT_WAIT_SECONDS", 120)  # phase B: to deliver them
EMPTY_SWEEPS = env_int("BENCH_EMPTY_SWEEPS", 200)
OWNERS = env_int("BENCH_OWNERS", 50)
MANAGERS = env_int("BENCH_MANAGERS", 5)
KEEP_DB = os.environ.get("BENCH_KEEP_DB", "") not in ("", "0")
# Candidate settings changes (bench/settings.py); a run with any of them writes its own section of the doc.
EXPERIMENTS = [
    name for name in ("BENCH_DB_REUSE", "BENCH_SWEEP_QUEUE") if os.environ.get(name, "") not in ("", "0")
]
WRITE_DOC = os.environ.get("BENCH_WRITE_DOC", "1") not in ("", "0")

TARGETS = {
    "breach_p99_s": 2.0,
    "breach_max_s": 5.0,
    "email_p99_s": 30.0,
    "record_10k_s": 10.0,
    "empty_sweep_ms": 2.0,
}
SECTION = SECTION_BASE + (f" (experiment: {', '.join(EXPERIMENTS)})" if EXPERIMENTS else "")
WINDOW_SUBJECT = "bench-window"
INSTANT_SUBJECT = "bench-instant"
REDIS_MARKER = "reachable-bench:owned"
SWEEP_DONE = re.compile(r"sweep_deadlines\[[0-9a-f-]+\] succeeded")


def database_create() -> None:
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if name != "reachable_bench" and not name.startswith("reachable_bench_deadlines"):
        raise BenchFailed(
            f"refusing to recreate database {name!r}: this benchmark's database is reachable_bench or "
            "reachable_bench_deadlines*"
        )
    database_recreate(name)


def database_drop() -> None:
    from django.conf import settings

    common_database_drop(settings.DATABASES["default"]["NAME"])


def redis_client() -> Any:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def redis_claim() -> None:
    """Use the bench Redis database only if it is empty or was left by an earlier bench run."""
    from django.conf import settings

    with redis_client() as client:
        if client.dbsize() and not client.exists(REDIS_MARKER):
            raise BenchFailed(
                f"Redis database {settings.CELERY_BROKER_URL} is in use by something else "
                f"({client.dbsize()} keys). Set BENCH_DEADLINES_REDIS_URL to an empty database."
            )
        client.flushdb()
        client.set(REDIS_MARKER, str(os.getpid()))


def redis_release() -> None:
    with redis_client() as client:
        if client.exists(REDIS_MARKER):
            client.flushdb()


def queue_length() -> int:
    """Tasks waiting in the default queue, at every priority (kombu keeps one Redis list per step)."""
    with redis_client() as client:
        return sum(int(client.llen(key)) for key in client.scan_iter(match="celery*", _type="list"))


# --------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------


@dataclass
class World:
    local_authority_id: uuid.UUID
    agency_id: uuid.UUID
    owner_ids: list[int]
    emails_per_breach: int


def organisation_create() -> World:
    from safeguarding.organisations.models import AgencyType, LocalAuthority
    from safeguarding.organisations.roles import Role
    from safeguarding.organisations.services import agency_create, role_groups_ensure, user_create

    role_groups_ensure()
    la = LocalAuthority.objects.create(name="Benchmark Borough", gss_code="E09999999")
    agency = agency_create(
        local_authority=la, name="Benchmark MASH", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    service_manager = user_create(
        username="service.manager",
        agency=agency,
        roles=[Role.MASH_MANAGER],
        first_name="Service",
        last_name="Manager",
        email="service.manager@bench.invalid",
    )
    managers = [
        user_create(
            username=f"manager{m}",
            agency=agency,
            roles=[Role.MASH_MANAGER],
            first_name="Team",
            last_name=f"Manager {m}",
            email=f"manager{m}@bench.invalid",
            manager=service_manager,
        )
        for m in range(MANAGERS)
    ]
    owners = [
        user_create(
            username=f"owner{o}",
            agency=agency,
            roles=[Role.MASH_PRACTITIONER],
            first_name="Practitioner",
            last_name=str(o),
            email=f"owner{o}@bench.invalid",
            manager=managers[o % MANAGERS],
        )
        for o in range(OWNERS)
    ]
    # A breach goes to the owner and the owner's manager, by email as well as in the app.
    return World(la.pk, agency.pk, [owner.pk for owner in owners], emails_per_breach=2)


_COPY_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "policy",
    "subject_type",
    "subject_id",
    "subject_label",
    "started_at",
    "due_at",
    "warn_at",
    "status",
    "warned_at",
    "escalation_level",
    "notified_late",
    "outcome_note",
    "local_authority_id",
    "owning_agency_id",
    "owner_id",
]


@dataclass
class Clock:
    policy: str
    subject_type: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    warned_at: datetime | None


def clocks_copy(world: World, clocks: list[Clock], now: datetime) -> None:
    """COPY running clocks straight into the table (what deadline_start would write, minus its event and
    audit rows, which the sweep never reads)."""
    from django.db import connection, transaction

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i, clock in enumerate(clocks):
        writer.writerow(
            [
                uuid.uuid4(),
                now.isoformat(),
                now.isoformat(),
                clock.policy,
                clock.subject_type,
                uuid.uuid4(),
                "custody booking",
                clock.started_at.isoformat(),
                clock.due_at.isoformat(),
                clock.warn_at.isoformat(),
                "running",
                clock.warned_at.isoformat() if clock.warned_at else "",
                0,
                "f",
                "",
                world.local_authority_id,
                world.agency_id,
                world.owner_ids[i % len(world.owner_ids)],
            ]
        )
    buffer.seek(0)
    sql = (
        f"COPY deadlines_deadline ({', '.join(_COPY_COLUMNS)}) FROM STDIN "
        "WITH (FORMAT csv, NULL '', FORCE_NOT_NULL (outcome_note))"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)


def far_clocks(count: int, now: datetime) -> list[Clock]:
    """Running clocks of every policy, due 2 hours to 7 days ahead, none warning during the run."""
    from safeguarding.deadlines.policies import POLICIES

    policies = list(POLICIES.values())
    clocks = []
    for i in range(count):
        policy = policies[i % len(policies)]
        started = now - timedelta(seconds=(i * 7919) % 1800)
        due = now + timedelta(hours=2) + timedelta(seconds=(i * 104729) % (7 * 24 * 3600))
        clocks.append(Clock(policy.code.value, "bench-far", started, due, policy.warn_at(started, due), None))
    return clocks


def due_clocks(count: int, first_due: datetime, spread: float, subject_type: str) -> list[Clock]:
    """Golden Hour clocks due from first_due, evenly across `spread` seconds (0: all at one instant). Booked
    an hour before due, and already warned 15 minutes before due, as the sweep would have done."""
    clocks = []
    for i in range(count):
        due = first_due + timedelta(seconds=spread * i / count)
        warn = due - timedelta(minutes=15)
        clocks.append(Clock("golden_hour", subject_type, due - timedelta(hours=1), due, warn, warn))
    return clocks


def db_now() -> datetime:
    from safeguarding.deadlines.services import now_from_database

    return now_from_database()


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("deadlines_deadline", "deadlines_outboxmessage", "deadlines_deadlineevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --------------------------------------------------------------------------------------------------------
# The empty sweep
# --------------------------------------------------------------------------------------------------------


@dataclass
class EmptySweep:
    batch_ms: list[float]
    full_ms: list[float]
    task_ms: list[float]
    plans: dict[str, str]
    indexes: dict[str, str | None]
    index_conds: dict[str, bool]


def _timed(fn: Callable[[], Any], n: int, budget_s: float) -> list[float]:
    """n timed calls after a few warm-up calls, or as many as fit in budget_s (so a slow sweep cannot eat the
    lead time before the clocks fall due)."""
    for _ in range(max(3, n // 40)):
        fn()
    out: list[float] = []
    give_up = time.monotonic() + budget_s
    while len(out) < n and (len(out) < 10 or time.monotonic() < give_up):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _explained(claim_sql: str) -> str:
    """The statement to EXPLAIN for a claim: its inner `due` SELECT when it stands alone (WITH due AS (...)
    UPDATE ...), otherwise the whole claim. EXPLAIN ANALYZE runs it, so it runs in a rolled-back transaction
    (and nothing is due anyway)."""
    match = re.match(r"\s*WITH due AS \((.*?)\)\s*UPDATE\s", claim_sql, re.DOTALL)
    statement = match.group(1) if match else claim_sql
    return statement.strip().replace("%(batch)s", "1000").replace("%(second)s", "'{}'")


def empty_sweep_measure() -> EmptySweep:
    from django.conf import settings
    from django.db import connection, transaction

    from safeguarding.deadlines import services
    from safeguarding.deadlines.delivery import outbox_claim_for_dispatch

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE status = 'running'")
        running = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM deadlines_deadline WHERE status = 'running' AND due_at <= now()")
        due = cursor.fetchone()[0]
    if due:
        raise BenchFailed(f"{due} clocks already due before the empty-sweep measurement")
    log(f"empty sweep: {running:,} running clocks, none due; timing {EMPTY_SWEEPS} sweeps in-process")

    stale = timedelta(seconds=settings.DEADLINES_REDISPATCH_AFTER_SECONDS)

    def task_body() -> None:
        # What the beat task does when nothing is due: a full sweep, then the outbox re-dispatch probe.
        services.deadline_sweep()
        outbox_claim_for_dispatch(stale_after=stale)

    batch_ms = _timed(services.deadline_sweep_batch, EMPTY_SWEEPS, 15)
    full_ms = _timed(services.deadline_sweep, EMPTY_SWEEPS, 4)
    task_ms = _timed(task_body, EMPTY_SWEEPS, 4)

    plans: dict[str, str] = {}
    indexes: dict[str, str | None] = {}
    index_conds: dict[str, bool] = {}
    claims = {
        "breaches": services._CLAIM_BREACHES,
        "warnings": services._CLAIM_WARNINGS,
        "second escalations": services._CLAIM_SECOND_ESCALATIONS,
    }
    for name, sql in claims.items():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + _explained(sql))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        plans[name] = plan
        found = re.search(r"Index (?:Only )?Scan using (\S+)", plan)
        indexes[name] = found.group(1) if found else None
        # Using the index is not enough: without an Index Cond the scan walks every entry and filters.
        index_conds[name] = "Index Cond:" in plan
    return EmptySweep(batch_ms, full_ms, task_ms, plans, indexes, index_conds)


# --------------------------------------------------------------------------------------------------------
# Celery processes
# --------------------------------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: "subprocess.Popen[bytes]"
    log_path: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the process group we created for it (the worker and its pool children), then SIGKILL."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        # Pool children left behind by a hard exit of their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)


@dataclass
class Processes:
    workdir: Path
    email_log: Path
    started: list[Process] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        from django.conf import settings

        env = dict(os.environ)
        db = settings.DATABASES["default"]
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
                "BENCH_DEADLINES_DATABASE_NAME": db["NAME"],
                "BENCH_DEADLINES_REDIS_URL": settings.CELERY_BROKER_URL,
                "BENCH_EMAIL_LOG": str(self.email_log),
                "DEADLINES_SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def spawn(self, name: str, args: list[str]) -> Process:
        log_path = self.workdir / f"{name}.log"
        with log_path.open("ab") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "safeguarding", *args],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log_path)
        self.started.append(process)
        return process

    def start_worker(self) -> Process:
        from safeguarding.celery import app

        nodename = f"bench-{uuid.uuid4().hex[:8]}"
        process = self.spawn(
            "worker",
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={CONCURRENCY}",
                "-l",
                "info",
                "-n",
                f"{nodename}@%h",
                "--without-mingle",
                "--without-gossip",
                *(["-Q", "celery,deadlines-sweep"] if "BENCH_SWEEP_QUEUE" in EXPERIMENTS else []),
            ],
        )

        def answers() -> bool:
            self.check_alive()
            replies = app.control.ping(timeout=0.5)
            return any(nodename in key for reply in replies for key in reply)

        wait_for(answers, 60, lambda: f"the worker did not answer a ping\n{self.logs()}")
        return process

    def start_beat(self) -> Process:
        process = self.spawn(
            "beat", ["beat", "-l", "info", "--schedule", str(self.workdir / "beat-schedule")]
        )
        wait_for(
            lambda: self.check_alive() or SWEEP_DONE.search(self.log("worker")),
            60,
            lambda: f"no sweep reached the worker after beat started\n{self.logs()}",
        )
        return process

    def log(self, name: str) -> str:
        return "".join(p.log() for p in self.started if p.name == name)

    def check_alive(self) -> bool:
        for process in self.started:
            if not process.alive:
                raise BenchFailed(f"{process.name} exited (status {process.popen.returncode})\n{self.logs()}")
        return False

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(f"----- {p.name} -----\n{p.log()[-tail:]}" for p in self.started)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            try:
                process.stop()
            except Exception as error:  # keep stopping the others
                log(f"could not stop {process.name} (pid {process.popen.pid}): {error}")


def wait_for(condition: Callable[[], Any], timeout: float, message: Callable[[], str]) -> Any:
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            raise BenchFailed(message())
        time.sleep(0.2)


# --------------------------------------------------------------------------------------------------------
# Waiting and measuring
# --------------------------------------------------------------------------------------------------------


def progress(subject_type: str) -> tuple[int, int, int]:
    """(breached, breach messages, breach messages delivered) for one set of clocks."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE d.status = 'breached'),
                   count(o.id),
                   count(o.delivered_at)
            FROM deadlines_deadline d
            LEFT JOIN deadlines_outboxmessage o ON o.deadline_id = d.id AND o.event = 'breach'
            WHERE d.subject_type = %s
            """,
            [subject_type],
        )
        breached, messages, delivered = cursor.fetchone()
    return breached, messages, delivered


def wait_until(
    processes: Processes,
    subject_type: str,
    count: int,
    give_up: datetime,
    label: str,
    *,
    delivered_too: bool = True,
) -> bool:
    """Wait until all `count` clocks are breached (and, with delivered_too, every breach message delivered).
    False if `give_up` (database time) passes first: the caller reports what was done by then."""
    last_report = 0.0
    while True:
        processes.check_alive()
        breached, messages, delivered = progress(subject_type)
        now = db_now()
        if breached == count and (delivered == count or not delivered_too):
            return True
        if now > give_up or time.monotonic() - last_report >= 10:
            last_report = time.monotonic()
            log(
                f"{label}: {breached:,}/{count:,} breached, {delivered:,}/{messages:,} messages delivered, "
                f"{queue_length():,} tasks queued ({(give_up - now).total_seconds():.0f} s of the bounded wait left)"
            )
        if now > give_up:
            return False
        time.sleep(0.5)


@dataclass
class Sample:
    """Latencies in seconds. `censored` of them belong to work not done when the wait ended: for those the
    value is the time waited, a lower bound, so every percentile computed from the sample is a lower bound
    too (reported with ≥)."""

    values: list[float]
    censored: int = 0

    def p(self, q: float) -> float:
        return percentile(self.values, q) if self.values else float("nan")

    @property
    def max(self) -> float:
        return max(self.values) if self.values else float("nan")


def breach_sample(subject_type: str, censor_at: datetime) -> Sample:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM COALESCE(detected_at, %s) - due_at)::float8, detected_at IS NULL "
            "FROM deadlines_deadline WHERE subject_type = %s",
            [censor_at, subject_type],
        )
        rows = cursor.fetchall()
    return Sample([value for value, _ in rows], sum(1 for _, censored in rows if censored))


def _handed_times(email_log: Path) -> tuple[dict[int, float], int]:
    """Delivery id -> first hand-off time, and how many hand-offs repeated a delivery id."""
    handed: dict[int, float] = {}
    duplicates = 0
    if email_log.exists():
        for line in email_log.read_text().splitlines():
            delivery, _, at = line.partition(",")
            if not delivery:
                continue
            if int(delivery) in handed:
                duplicates += 1
            else:
                handed[int(delivery)] = float(at)
    return handed, duplicates


def email_sample(
    subject_type: str, email_log: Path, censor_at: datetime, per_clock: int
) -> tuple[Sample, int, int]:
    """Hand-off time minus due time for every breach email of these clocks: (sample, emails handed,
    duplicate hand-offs). A clock's emails not handed over by censor_at (no delivery row yet, or a row not
    sent) count as censored at censor_at."""
    from django.db import connection

    handed, duplicates = _handed_times(email_log)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, EXTRACT(EPOCH FROM d.due_at)::float8, dl.id
            FROM deadlines_deadline d
            LEFT JOIN deadlines_outboxmessage o ON o.deadline_id = d.id AND o.event = 'breach'
            LEFT JOIN deadlines_delivery dl ON dl.outbox_id = o.id AND dl.channel = 'email'
            WHERE d.subject_type = %s
            """,
            [subject_type],
        )
        rows = cursor.fetchall()
    due: dict[Any, float] = {}
    done: dict[Any, list[float]] = {}
    for clock, due_epoch, delivery in rows:
        due[clock] = due_epoch
        done.setdefault(clock, [])
        if delivery is not None and delivery in handed:
            done[clock].append(handed[delivery] - due_epoch)
    values: list[float] = []
    censored = 0
    sent = 0
    for clock, latencies in done.items():
        values.extend(latencies)
        sent += len(latencies)
        missing = max(0, per_clock - len(latencies))
        censored += missing
        values.extend([censor_at.timestamp() - due[clock]] * missing)
    return Sample(values, censored), sent, duplicates


def instant_figures(subject_type: str, at: datetime, censor_at: datetime) -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT EXTRACT(EPOCH FROM max(COALESCE(detected_at, %s)) - %s)::float8,
                   EXTRACT(EPOCH FROM min(detected_at) - %s)::float8,
                   EXTRACT(EPOCH FROM max(detected_at) - min(detected_at))::float8,
                   count(*) FILTER (WHERE detected_at IS NULL),
                   count(DISTINCT due_at)
            FROM deadlines_deadline WHERE subject_type = %s
            """,
            [censor_at, at, at, subject_type],
        )
        total, first, recording, missing, instants = cursor.fetchone()
    if instants != 1:
        raise BenchFailed("phase B clocks must all be due at one instant")
    return {
        "record_10k_s": total,
        "first_detected_s": first if first is not None else float("nan"),
        "recording_s": recording if recording is not None else float("nan"),
        "not_recorded": missing,
    }


def redispatched(subject_type: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM deadlines_outboxmessage o JOIN deadlines_deadline d ON d.id = o.deadline_id "
            "WHERE d.subject_type = %s AND o.dispatch_count > 1",
            [subject_type],
        )
        return int(cursor.fetchone()[0])


def abandon_undelivered(subject_type: str) -> None:
    """After a bounded wait ran out: mark the phase's remaining work done so its backlog (the queue, and the
    sweep's re-dispatch of stale messages) cannot delay the next phase. Benchmark data only."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deadlines_outboxmessage o SET delivered_at = clock_timestamp() FROM deadlines_deadline d "
            "WHERE d.id = o.deadline_id AND d.subject_type = %s AND o.delivered_at IS NULL",
            [subject_type],
        )
        cursor.execute(
            "UPDATE deadlines_deadline SET status = 'cancelled' WHERE subject_type = %s AND status = 'running'",
            [subject_type],
        )


def log_summary(worker_log: str) -> dict[str, float]:
    """Sweep and delivery task durations, from the worker's `succeeded in Xs` lines."""

    def durations(task: str) -> list[float]:
        return [float(s) for s in re.findall(task + r"\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", worker_log)]

    sweeps = durations("sweep_deadlines")
    deliveries = durations("deliver_outbox_messages")
    summary: dict[str, float] = {
        "sweeps": len(sweeps),
        "deliveries": len(deliveries),
        "expired_sweeps": len(re.findall(r"Discarding revoked task: \S+sweep_deadlines", worker_log)),
    }
    if sweeps:
        summary["sweep_p50_ms"] = percentile(sweeps, 50) * 1000
        summary["sweep_max_ms"] = max(sweeps) * 1000
    if deliveries:
        summary["delivery_p50_ms"] = percentile(deliveries, 50) * 1000
        summary["delivery_p99_ms"] = percentile(deliveries, 99) * 1000
    return summary


def cpu_seconds(process_group: int) -> float:
    """User + system CPU time of every live process in a process group (a worker and its pool children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state ppid pgrp session ... utime (11th) stime (12th).
        if int(fields[2]) == process_group:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    from django import get_version
    from django.db import connection

    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    model = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.MULTILINE)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    with redis_client() as client:
        redis_version = client.info("server").get("redis_version", "?")
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    import celery

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": nproc,
        "cpu": model.group(1).strip() if model else platform.processor() or "?",
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "postgres": pg,
        "redis": str(redis_version),
        "python": platform.python_version(),
        "django": get_version(),
        "celery": celery.__version__,
        "commit": commit,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def verdict(name: str, value: float, lower_bound: bool = False) -> str:
    if value > TARGETS[name]:
        return "FAIL"
    return "UNKNOWN (lower bound within target)" if lower_bound else "PASS"


@dataclass
class Results:
    figures: dict[str, float]
    lower_bounds: set[str]
    info: dict[str, str]
    empty: EmptySweep
    breach: Sample
    email: Sample
    instant: dict[str, float]
    instant_email: Sample
    summary: dict[str, float]
    notes: list[str]


def fmt(value: float, unit: str, bound: bool) -> str:
    return f"{'≥ ' if bound else ''}{value:.3f} {unit}"


def doc_section(r: Results) -> str:
    f, b = r.figures, r.lower_bounds
    rows = [
        ("Breach recorded after due, p50", fmt(r.breach.p(50), "s", bool(r.breach.censored)), "", ""),
        (
            "Breach recorded after due, p99",
            fmt(f["breach_p99_s"], "s", "breach_p99_s" in b),
            "≤ 2 s",
            "breach_p99_s",
        ),
        (
            "Breach recorded after due, max",
            fmt(f["breach_max_s"], "s", "breach_max_s" in b),
            "≤ 5 s",
            "breach_max_s",
        ),
        ("Email handed to backend after due, p50", fmt(r.email.p(50), "s", bool(r.email.censored)), "", ""),
        (
            "Email handed to backend after due, p99",
            fmt(f["email_p99_s"], "s", "email_p99_s" in b),
            "≤ 30 s",
            "email_p99_s",
        ),
        ("Email handed to backend after due, max", fmt(r.email.max, "s", bool(r.email.censored)), "", ""),
        (
            "Record 10,000 due at one instant",
            fmt(f["record_10k_s"], "s", "record_10k_s" in b),
            "≤ 10 s",
            "record_10k_s",
        ),
        ("Sweep with nothing due, p50", fmt(f["empty_sweep_ms"], "ms", False), "≤ 2 ms", "empty_sweep_ms"),
    ]
    table = ["| Measure | Result | Target | |", "|---|---|---|---|"]
    for label, value, target, key in rows:
        table.append(f"| {label} | {value} | {target} | {verdict(key, f[key], key in b) if key else ''} |")
    info, empty, instant = r.info, r.empty, r.instant
    lines = [
        SECTION,
        "",
        f"Run {info['date']} with `make bench-deadlines` (`python -m bench.deadlines`), commit {info['commit']} "
        "plus the working tree.",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['cpu']}, {info['memory']} memory; PostgreSQL "
        f"{info['postgres']}, Redis {info['redis']}; Python {info['python']}, Django {info['django']}, Celery "
        f"{info['celery']}. Load average (1, 5, 15 min) when the run started: {info['load']}; when it ended: "
        f"{info['load_end']}. The machine is shared: other processes' load is in these figures.",
        "",
        f"Set-up: {RUNNING_CLOCKS:,} running clocks. {RUNNING_CLOCKS - DUE_CLOCKS:,} of every policy are due 2 "
        f"hours to 7 days ahead; {DUE_CLOCKS:,} Golden Hour clocks fall due evenly across "
        f"{WINDOW_SECONDS:.0f} s while the system runs (phase A). Those {DUE_CLOCKS:,} were already warned "
        "(warned_at set 15 minutes before due, as the sweep would have done), so the run measures breaches "
        "only. Each breach goes to the owner and the owner's manager, in the app and by email: "
        f"{DUE_CLOCKS * 2:,} emails and {DUE_CLOCKS * 2:,} in-app notifications per phase. One Celery beat "
        f"(sweep every {SWEEP_INTERVAL:g} s) and one prefork worker (concurrency {CONCURRENCY}) run the "
        "application's code against bench/settings.py (DEBUG off); bench/email_backend.py records when each "
        "email is handed to the backend. "
        + (
            f"Experimental settings on: {', '.join(EXPERIMENTS)} (see bench/settings.py). "
            if EXPERIMENTS
            else "No experimental settings: the production configuration. "
        )
        + f"Phase B then makes {DUE_CLOCKS:,} more clocks due at one instant ({RUNNING_CLOCKS:,} running again).",
        "",
        *table,
        "",
        "Definitions:",
        "",
        "- *Breach recorded after due*: `detected_at - due_at` of each phase A clock (both from PostgreSQL).",
        "- *Email handed to backend after due*: for each of the two breach emails of each phase A clock, the "
        "wall-clock time the backend received the message minus the clock's `due_at`.",
        "- *Record 10,000*: phase B, all due at the same instant T: `max(detected_at) - T`, from the moment "
        f"they fall due until the last is recorded (first recorded {instant['first_detected_s']:.3f} s after "
        f"T; recording, first to last, {instant['recording_s']:.3f} s).",
        f"- *Sweep with nothing due*: p50 of {len(empty.batch_ms)} in-process calls of `deadline_sweep_batch()` "
        f"(three claims in one transaction) with {RUNNING_CLOCKS:,} running clocks, none due; p99 "
        f"{percentile(empty.batch_ms, 99):.3f} ms. The whole `deadline_sweep()` p50 "
        f"{percentile(empty.full_ms, 50):.3f} ms; the beat task's body (sweep plus the outbox re-dispatch "
        f"probe) p50 {percentile(empty.task_ms, 50):.3f} ms.",
        f"- Waits are bounded ({WAIT_SECONDS:.0f} s after the last phase A clock is due; {RECORD_WAIT_SECONDS:.0f} s "
        f"to record and {INSTANT_WAIT_SECONDS:.0f} s to deliver phase B). Work not done by then counts at the "
        "time waited, so a figure marked ≥ is a lower bound.",
        "",
        f"Phase B emails handed to the backend after due: p99 {fmt(r.instant_email.p(99), 's', bool(r.instant_email.censored))}, "
        f"max {fmt(r.instant_email.max, 's', bool(r.instant_email.censored))}.",
        "",
    ]
    if r.notes:
        lines += ["Notes from this run:", "", *[f"- {note}" for note in r.notes], ""]
    lines += [
        "The claim of due breaches (the inner SELECT of `services._CLAIM_BREACHES`) with nothing due and "
        f"{RUNNING_CLOCKS:,} running clocks:",
        "",
        "```",
        empty.plans["breaches"],
        "```",
        "",
        "The other two claims of the sweep use "
        + ", ".join(
            f"`{empty.indexes[k] or 'NO INDEX'}` ({k}, {'with' if empty.index_conds[k] else 'WITHOUT'} an Index Cond)"
            for k in ("warnings", "second escalations")
        )
        + ".",
        "",
        "Last line:",
        "",
        "```",
        last_line(f),
        "```",
        "",
    ]
    return "\n".join(lines)


def last_line(figures: dict[str, float]) -> str:
    return " ".join(f"{name}={figures[name]:.3f}" for name in TARGETS)


# --------------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------------


def start_processes(processes: Processes) -> None:
    processes.start_worker()
    processes.start_beat()


def run(workdir: Path) -> Results:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    email_log = workdir / "emails.csv"
    processes = Processes(workdir, email_log)
    database_created = False
    notes: list[str] = []
    worker_cpu = 0.0
    try:
        redis_claim()
        log(f"database {settings.DATABASES['default']['NAME']}, Redis {settings.CELERY_BROKER_URL}")
        if EXPERIMENTS:
            log(f"experimental settings on: {', '.join(EXPERIMENTS)}")
        database_create()
        database_created = True
        call_command("migrate", interactive=False, verbosity=0)
        info = machine_info()
        log(f"machine: {info['nproc']} CPUs, {info['cpu']}, load {info['load']}")
        world = organisation_create()

        now = db_now()
        began = time.monotonic()
        far = far_clocks(RUNNING_CLOCKS - DUE_CLOCKS, now)
        for i in range(0, len(far), 20_000):
            clocks_copy(world, far[i : i + 20_000], now)
        first_due = db_now() + timedelta(seconds=LEAD_SECONDS)
        clocks_copy(world, due_clocks(DUE_CLOCKS, first_due, WINDOW_SECONDS, WINDOW_SUBJECT), now)
        last_due = first_due + timedelta(seconds=WINDOW_SECONDS * (DUE_CLOCKS - 1) / DUE_CLOCKS)
        vacuum_analyze()
        log(
            f"{RUNNING_CLOCKS:,} running clocks inserted and analysed in {time.monotonic() - began:.1f} s; "
            f"{DUE_CLOCKS:,} fall due from {first_due:%H:%M:%S} to {last_due:%H:%M:%S}"
        )

        empty = empty_sweep_measure()
        log(
            f"empty sweep p50 {percentile(empty.batch_ms, 50):.3f} ms (p99 {percentile(empty.batch_ms, 99):.3f} "
            f"ms); full sweep p50 {percentile(empty.full_ms, 50):.3f} ms; beat task body p50 "
            f"{percentile(empty.task_ms, 50):.3f} ms"
        )
        log(f"breach claim plan:\n{empty.plans['breaches']}")
        for name, index in empty.indexes.items():
            how = (
                "with an Index Cond" if empty.index_conds[name] else "WITHOUT an Index Cond (full index walk)"
            )
            log(f"{name} claim uses {index or 'NO INDEX (sequential scan)'} {how if index else ''}")
        if empty.indexes["breaches"] != "deadline_running_due_idx":
            notes.append("The breach claim did NOT use deadline_running_due_idx.")
            log("WARNING: the breach claim does not use deadline_running_due_idx")
        elif not empty.index_conds["breaches"]:
            notes.append(
                "The breach claim walks deadline_running_due_idx without an Index Cond (every running clock "
                "is read and filtered)."
            )
            log("WARNING: the breach claim has no Index Cond on deadline_running_due_idx")
        connection.close()

        start_processes(processes)
        lead = (first_due - db_now()).total_seconds()
        if lead < 5:
            raise BenchFailed(
                f"set-up took too long: the first clock is due {lead:.0f} s from now; raise BENCH_LEAD_SECONDS"
            )
        log(
            f"worker (concurrency {CONCURRENCY}) and beat (every {SWEEP_INTERVAL:g} s) running; first due in "
            f"{lead:.0f} s"
        )

        # Phase A: 10,000 falling due across a minute.
        give_up = last_due + timedelta(seconds=WAIT_SECONDS)
        complete = wait_until(processes, WINDOW_SUBJECT, DUE_CLOCKS, give_up, "phase A")
        censor_at = min(db_now(), give_up)
        breach = breach_sample(WINDOW_SUBJECT, censor_at)
        email, sent, duplicates = email_sample(WINDOW_SUBJECT, email_log, censor_at, world.emails_per_breach)
        summary = log_summary(processes.log("worker"))
        worker_cpu = cpu_seconds(processes.started[0].popen.pid)
        summary["worker_cpu_s"] = worker_cpu
        log(
            f"phase A: breach after due p50 {breach.p(50):.3f} s p99 {breach.p(99):.3f} s max {breach.max:.3f} s"
            f"{f' ({breach.censored:,} not recorded in time)' if breach.censored else ''}; email after due p50 "
            f"{email.p(50):.3f} s p99 {email.p(99):.3f} s max {email.max:.3f} s"
            f"{f' ({email.censored:,} not handed over in time)' if email.censored else ''}"
        )
        log(f"phase A worker: {summary}")
        if duplicates:
            notes.append(f"{duplicates} emails were handed to the backend more than once.")
        again = redispatched(WINDOW_SUBJECT)
        if not complete:
            notes.append(
                f"Phase A did not finish within the bounded wait: {breach.censored:,} clocks not recorded and "
                f"{email.censored:,} of {DUE_CLOCKS * world.emails_per_breach:,} emails not handed over "
                f"{WAIT_SECONDS:.0f} s after the last was due ({sent:,} were). Its remaining work was abandoned "
                "(worker and beat restarted on an emptied queue) so that phase B starts clean."
            )
            processes.stop_all()
            processes.started.clear()
            redis_claim()
            abandon_undelivered(WINDOW_SUBJECT)
            start_processes(processes)
        if again:
            notes.append(
                f"{again:,} phase A messages were dispatched more than once: still undelivered "
                "DEADLINES_REDISPATCH_AFTER_SECONDS after dispatch, so the sweep queued them again."
            )
        if summary["expired_sweeps"]:
            notes.append(
                f"{summary['expired_sweeps']:.0f} sweep tasks expired (not started within their 10 s expiry: "
                "queued behind delivery tasks, or no pool process free) and were discarded by the worker."
            )
        delivered_messages = max(1.0, summary["deliveries"])
        notes.append(
            f"Phase A worker: {summary['sweeps']:.0f} sweeps (p50 {summary.get('sweep_p50_ms', 0):.1f} ms, max "
            f"{summary.get('sweep_max_ms', 0):.0f} ms); {summary['deliveries']:,.0f} delivery tasks (p50 "
            f"{summary.get('delivery_p50_ms', 0):.1f} ms, p99 {summary.get('delivery_p99_ms', 0):.1f} ms each); "
            f"the worker's processes used {worker_cpu:.1f} s of CPU, about "
            f"{worker_cpu / delivered_messages * 1000:.1f} ms per delivered message (PostgreSQL's share not "
            "included)."
        )

        # Phase B: 10,000 due at one instant.
        instant_at = db_now().replace(microsecond=0) + timedelta(seconds=INSTANT_LEAD_SECONDS + 1)
        clocks_copy(world, due_clocks(DUE_CLOCKS, instant_at, 0, INSTANT_SUBJECT), db_now())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE deadlines_deadline")
        log(f"phase B: {DUE_CLOCKS:,} more clocks all due at {instant_at:%H:%M:%S}")
        record_by = instant_at + timedelta(seconds=RECORD_WAIT_SECONDS)
        recorded = wait_until(
            processes, INSTANT_SUBJECT, DUE_CLOCKS, record_by, "phase B", delivered_too=False
        )
        instant = instant_figures(INSTANT_SUBJECT, instant_at, min(db_now(), record_by))
        log(
            f"phase B: {'all' if recorded else 'NOT all'} {DUE_CLOCKS:,} recorded {instant['record_10k_s']:.3f} s "
            f"after due (first {instant['first_detected_s']:.3f} s, recording {instant['recording_s']:.3f} s)"
        )
        deliver_by = instant_at + timedelta(seconds=INSTANT_WAIT_SECONDS)
        wait_until(processes, INSTANT_SUBJECT, DUE_CLOCKS, deliver_by, "phase B")
        instant_email, _, _ = email_sample(
            INSTANT_SUBJECT, email_log, min(db_now(), deliver_by), world.emails_per_breach
        )
        log(f"phase B: email after due p99 {instant_email.p(99):.3f} s max {instant_email.max:.3f} s")
        if not recorded:
            notes.append(
                f"Phase B: {instant['not_recorded']:,} clocks were not recorded within {RECORD_WAIT_SECONDS:.0f} s."
            )
        info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        processes.stop_all()
        connection.close()
        if database_created and not KEEP_DB:
            database_drop()
        with contextlib.suppress(Exception):
            redis_release()

    figures = {
        "breach_p99_s": breach.p(99),
        "breach_max_s": breach.max,
        "email_p99_s": email.p(99),
        "record_10k_s": instant["record_10k_s"],
        "empty_sweep_ms": percentile(empty.batch_ms, 50),
    }
    lower_bounds = set()
    if breach.censored:
        lower_bounds |= {"breach_p99_s", "breach_max_s"}
    if email.censored:
        lower_bounds.add("email_p99_s")
    if instant["not_recorded"]:
        lower_bounds.add("record_10k_s")
    return Results(figures, lower_bounds, info, empty, breach, email, instant, instant_email, summary, notes)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="reachable-bench-deadlines-"))
    started = time.monotonic()
    try:
        with terminated_by_signals():
            results = run(workdir)
    except BenchFailed as error:
        print(f"\nBENCHMARK FAILED: {error}\n(logs in {workdir})", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:
        print(
            f"\nBENCHMARK INTERRUPTED ({error or 'Ctrl-C'}); processes stopped. Logs in {workdir}",
            file=sys.stderr,
        )
        return 130
    figures = results.figures
    print()
    print(f"{'measure':<16} {'result':>12} {'target':>9}")
    for name, target in TARGETS.items():
        unit = "ms" if name.endswith("_ms") else "s"
        bound = "≥" if name in results.lower_bounds else " "
        print(
            f"{name:<16} {bound}{figures[name]:>10.3f}{unit:<2} ≤{target:>5g}{unit:<2} {verdict(name, figures[name], name in results.lower_bounds)}"
        )
    for note in results.notes:
        print(f"note: {note}")
    if results.lower_bounds:
        print(
            f"(≥: lower bounds, the bounded wait ended before all the work was done: {', '.join(sorted(results.lower_bounds))})"
        )
    print(f"(total run time {time.monotonic() - started:.0f} s; logs in {workdir})")
    if WRITE_DOC:
        doc_write_section(SECTION, doc_section(results))
        log(f"wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}")
    print(last_line(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
