"""Referrals benchmark: `python -m bench.referrals` (or `make bench-referrals`).

The issue's acceptance: referral creation through the API at 32 concurrent clients reaches at least 70% of
the throughput of a bare DRF endpoint that inserts the same row, with p95 at most 100 ms; person search over
500,000 people answers with p95 at most 100 ms.

What it does, on a PostgreSQL database and a Redis database of its own (bench/referrals_settings.py):

1. creates and migrates the database; makes an authority with a MASH, a MASH practitioner and an API token
   through the services, and a second authority;
2. COPYs BENCH_PEOPLE synthetic people (90% in the MASH's authority, shared with the MASH as a referral or a
   case would share them; 10% in the other authority, which the MASH cannot see), search_text filled as the
   services fill it (lower("given family aliases")), then builds the indexes and runs VACUUM ANALYZE;
3. counts the queries one request of each endpoint makes (in this process, the Django test client);
4. starts gunicorn (`gunicorn safeguarding.wsgi`, DJANGO_SETTINGS_MODULE=bench.referrals_settings, which
   mounts bench/bare_urls.py) on 127.0.0.1, and drives POST /api/v1/referrals/ (with an Idempotency-Key, about
   a random existing person) and the bare endpoint (same body) from BENCH_CLIENTS concurrent keep-alive
   clients, in alternating timed phases after a warm-up of each and an ANALYZE (autovacuum's, which this
   machine's PostgreSQL does not run), recording each request's latency and the CPU time that gunicorn,
   PostgreSQL and the load generator used;
5. times `person_search` (safeguarding/people/selectors.py, the search before create the referral pages use)
   in this process for names drawn from the data: exact, with a typo, surname only, with and without a date
   of birth; EXPLAINs one;
6. prints the figures against the targets (a missed target is reported, not an error), writes the "Referrals"
   section of docs/benchmarks.md, stops gunicorn, drops the database and empties its Redis database.

The last line printed is `referral_ratio=… referral_p95_ms=… search_p95_ms=…`. The exit status is non-zero
only when the run itself failed."""

import contextlib
import http.client
import io
import json
import math
import multiprocessing
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    DOC,
    ROOT,
    BenchFailed,
    admin_connection,
    database_recreate,
    doc_write_section,
    env_float,
    env_int,
    log,
    percentile,
    terminated_by_signals,
)
from bench.common import database_drop as common_database_drop

SECTION = "## Referrals"
SETTINGS_MODULE = "bench.referrals_settings"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE


CORES = os.cpu_count() or 1
PEOPLE = env_int("BENCH_PEOPLE", 500_000)
CLIENTS = env_int("BENCH_CLIENTS", 32)
CLIENT_PROCESSES = env_int("BENCH_CLIENT_PROCESSES", 4)
PHASE_SECONDS = env_float("BENCH_PHASE_SECONDS", 15)
ROUNDS = env_int("BENCH_ROUNDS", 5)
WARMUP_SECONDS = env_float("BENCH_WARMUP_SECONDS", 3)
MAX_REQUESTS_PER_PHASE = env_int("BENCH_MAX_REQUESTS_PER_PHASE", 100_000)
WORKERS = env_int("BENCH_GUNICORN_WORKERS", 2 * CORES + 1)
THREADS = env_int("BENCH_GUNICORN_THREADS", 1)
SEARCHES = env_int("BENCH_SEARCHES", 400)
SEARCH_SECONDS = env_float("BENCH_SEARCH_SECONDS", 120)
CLIENT_TIMEOUT_S = env_float("BENCH_CLIENT_TIMEOUT_SECONDS", 60)
KEEP_DB = os.environ.get("BENCH_KEEP_DB", "") not in ("", "0")
WRITE_DOC = os.environ.get("BENCH_WRITE_DOC", "1") not in ("", "0")
REDIS_MARKER = "reachable-bench-referrals:owned"

TARGETS = {"referral_ratio": (">=", 0.70), "referral_p95_ms": ("<=", 100.0), "search_p95_ms": ("<=", 100.0)}
OURS_PATH = "/api/v1/referrals/"
BARE_PATH = "/api/bench/bare-referrals/"
SEARCH_LIMIT = 10


def met(name: str, value: float) -> bool:
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


# --------------------------------------------------------------------------------------------------------
# Database and Redis of our own
# --------------------------------------------------------------------------------------------------------


def _database_name() -> str:
    from django.conf import settings

    name = str(settings.DATABASES["default"]["NAME"])
    if not name.startswith("reachable_bench_referrals"):
        raise BenchFailed(
            f"refusing to use database {name!r}: this benchmark's are reachable_bench_referrals*"
        )
    return name


def database_create() -> None:
    database_recreate(_database_name())


def database_drop() -> None:
    common_database_drop(_database_name())


def _redis() -> Any:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def redis_claim() -> None:
    """Redis database 13 is this benchmark's, but something else may have left keys there (Celery's binding
    sets, say): those are left alone; only keys under this benchmark's prefix are ever removed."""
    with _redis() as client:
        client.ping()
        client.set(REDIS_MARKER, str(os.getpid()))


def redis_release() -> None:
    with _redis() as client:
        for key in client.scan_iter(match="reachable-bench-referrals*"):
            client.delete(key)


# --------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------


@dataclass
class World:
    local_authority_id: uuid.UUID
    other_authority_id: uuid.UUID
    mash_agency_id: uuid.UUID
    mash_group_id: int
    user_id: int
    token: str


def world_create() -> World:
    from safeguarding.accounts.services import api_token_issue
    from safeguarding.organisations.models import AgencyType, LocalAuthority
    from safeguarding.organisations.roles import Role
    from safeguarding.organisations.services import agency_create, user_create

    home = LocalAuthority.objects.create(name="Benchshire", gss_code="E06999001")
    other = LocalAuthority.objects.create(name="Otherton", gss_code="E06999002")
    mash = agency_create(
        local_authority=home,
        name="Benchshire Children's Social Care",
        agency_type=AgencyType.CHILDRENS_SOCIAL_CARE,
    )
    agency_create(local_authority=home, name="Benchshire Police", agency_type=AgencyType.POLICE)
    agency_create(
        local_authority=other,
        name="Otherton Children's Social Care",
        agency_type=AgencyType.CHILDRENS_SOCIAL_CARE,
    )
    user = user_create(
        username="bench-mash",
        agency=mash,
        roles=[Role.MASH_PRACTITIONER],
        password=None,
        first_name="Bench",
        last_name="Practitioner",
    )
    _, raw = api_token_issue(user=user, name="bench")
    return World(home.pk, other.pk, mash.pk, mash.group_id, user.pk, raw)


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = _words(
    "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Alfie "
    "Theo Joshua Freddie Archie Isaac Lucas Edward Mason Ethan Finley Adam Logan Daniel Samuel Joseph Max "
    "Dylan Reuben Tyler Harrison Riley Jaxon Kai Jayden Callum Kyle Liam Jordan Connor Nathan Kieran "
    "Brandon Lewis Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Harper Alice Matilda "
    "Ruby Emilia Maya Chloe Jessica Leah Megan Courtney Shannon Jade Kayleigh Tia Aaliyah Amira Zara Hana "
    "Precious Chantelle"
)
FAMILY = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson "
    "Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell "
    "Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
    "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes "
    "Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham "
    "Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox "
    "Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton OBrien "
    "Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett "
    "Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland "
    "Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane "
    "Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman "
    "Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins Okafor Mensah "
    "Nowak Kowalski Popescu Silva Santos Osei Adeyemi Mahmood"
)
SYLLABLES = _words(
    "ash bel cor dun el fen gar hol ing jor kel lin mor nor ock pen quin ros sten tor ul vin wick yar"
)
ALIASES = _words("Smudge Tiny Ghost Junior Bugsy Flash Lil Deano Mikey Jay Kaz Taz Shorty Bones Dre Skinny")


def _synthetic_family_names(rng: random.Random) -> list[str]:
    """The common names repeat a lot (as they do), and a long tail of rarer ones keeps the table realistic."""
    tail = {
        (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(["", "s", "ton", "ley", "field"])).title()
        for _ in range(6000)
    }
    return FAMILY * 20 + sorted(tail)


def people_load(world: World, total: int) -> dict[str, Any]:
    """COPY the people (search_text as the services write it) and the MASH's view permission on those in its
    authority; build the search indexes after the load (as a restore would), then VACUUM ANALYZE."""
    from django.contrib.auth.models import Permission
    from django.db import connection

    rng = random.Random(20261126)
    family_names = _synthetic_family_names(rng)
    view_person = Permission.objects.get(content_type__app_label="people", codename="view_person").pk
    home_count = total * 9 // 10
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_person' "
            "AND indexname IN ('person_search_trgm', 'person_aliases_gin', 'person_la_name_idx', 'person_la_dob_idx')"
        )
        rebuilt = cursor.fetchall()
        for name, _ in rebuilt:
            cursor.execute(f'DROP INDEX "{name}"')
    columns = (
        "created_at, updated_at, id, local_authority_id, created_by_agency_id, given_name, family_name, aliases, "
        "date_of_birth, sex, gender, ethnicity, address_line_1, address_line_2, town, postcode, education_status, "
        "school_name, version, search_text"
    )
    now = datetime.now(UTC).isoformat()
    first_dob = date(2006, 1, 1).toordinal()
    last_dob = date(2024, 12, 31).toordinal()
    chunk = 100_000
    raw = connection.connection
    assert raw is not None
    home_ids: list[str] = []
    for offset in range(0, total, chunk):
        people = io.StringIO()
        grants = io.StringIO()
        for i in range(offset, min(total, offset + chunk)):
            person_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            given = rng.choice(GIVEN)
            family = rng.choice(family_names)
            if rng.random() < 0.08:
                family = f"{family}-{rng.choice(FAMILY)}"
            aliases = [rng.choice(ALIASES)] if rng.random() < 0.1 else []
            dob = date.fromordinal(rng.randint(first_dob, last_dob)).isoformat()
            home = i < home_count
            authority = world.local_authority_id if home else world.other_authority_id
            search_text = " ".join([given, family, *aliases]).lower()
            alias_array = "{" + ",".join(aliases) + "}"
            people.write(
                f"{now}\t{now}\t{person_id}\t{authority}\t{world.mash_agency_id}\t{given}\t{family}\t{alias_array}\t"
                f"{dob}\tU\t\tNOBT\t\t\t\t\tnot_known\t\t1\t{search_text}\n"
            )
            if home:
                grants.write(f"{view_person}\t{world.mash_group_id}\t{person_id}\n")
                if len(home_ids) < 5000:
                    home_ids.append(person_id)
        people.seek(0)
        grants.seek(0)
        with raw.cursor() as cursor:
            cursor.copy_expert(f"COPY people_person ({columns}) FROM STDIN", people)
            cursor.copy_expert(
                "COPY people_persongroupobjectpermission (permission_id, group_id, content_object_id) FROM STDIN",
                grants,
            )
        raw.commit()
        log(f"  {min(total, offset + chunk):,} people copied")
    copied = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in rebuilt:
            cursor.execute(definition)
            log(f"  rebuilt {name}")
    raw.commit()
    old_autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    raw.autocommit = old_autocommit
    return {
        "home_people": home_count,
        "other_people": total - home_count,
        "copy_s": copied,
        "load_s": time.monotonic() - started,
        "person_ids": home_ids,
    }


def referral_body(person_id: str) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "source": "2A",
        "referrer_name": "Head of year",
        "referrer_contact": "01234 567890",
        "received_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        "concerns": ["cce", "missing"],
        "narrative": "Seen with older males in a car outside school; new phone and trainers; missing twice.",
        "consent": "not_sought",
        "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
        "lawful_basis": "dpa2018_sch1_para18",
    }


@dataclass
class Breakdown:
    """One POST of each endpoint at a time, in this process (the Django test client, no network): queries
    per request, and where our POST's time goes."""

    queries: dict[str, int]
    ms: dict[str, float]  # median per request: total, and the parts timed separately
    parts_queries: dict[str, int]
    access_plan: str


def breakdown(world: World, person_ids: list[str], requests: int = 30) -> Breakdown:
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import referrals.apis
    import referrals.services

    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.token}")
    spent: dict[str, list[float]] = {}
    part_queries: dict[str, int] = {}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, queries_before = time.perf_counter(), len(connection.queries)
            try:
                return function(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append((time.perf_counter() - began) * 1000)
                part_queries[name] = len(connection.queries) - queries_before

        return wrapper

    def post(path: str) -> None:
        response = client.post(
            path,
            referral_body(random.choice(person_ids)),
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code != 201:
            raise BenchFailed(f"POST {path} answered {response.status_code}: {response.content[:300]!r}")

    queries: dict[str, int] = {}
    totals: dict[str, list[float]] = {}
    for name, path in (("bare", BARE_PATH), ("ours", OURS_PATH)):
        post(path)  # warm per-process caches
        with CaptureQueriesContext(connection) as context:
            post(path)
        queries[name] = len(context.captured_queries)
    patches = [
        mock.patch.object(
            referrals.apis, "access_person", timed("access_person", referrals.apis.access_person)
        ),
        mock.patch.object(
            referrals.services,
            "insert_together",
            timed("insert_together", referrals.services.insert_together),
        ),
    ]
    with contextlib.ExitStack() as stack, CaptureQueriesContext(connection):
        for patch in patches:
            stack.enter_context(patch)
        for _ in range(requests):
            for name, path in (("bare", BARE_PATH), ("ours", OURS_PATH)):
                began = time.perf_counter()
                post(path)
                totals.setdefault(name, []).append((time.perf_counter() - began) * 1000)
    ms = {f"{name} total": percentile(values, 50) for name, values in totals.items()}
    ms.update({name: percentile(values, 50) for name, values in spent.items()})
    return Breakdown(queries, ms, part_queries, explain_access(world, person_ids[0]))


def explain_access(world: World, person_id: str) -> str:
    """EXPLAIN ANALYZE of access_person's query (organisations.access.object_in_scope): how the permission
    check is executed."""
    from django.db import connection

    from safeguarding.organisations.access import one_in_scope_sql, permission_id
    from safeguarding.organisations.models import User
    from safeguarding.people.models import Person

    user = User.objects.select_related("agency").get(pk=world.user_id)
    assert user.agency is not None
    params = [
        person_id,
        user.agency.local_authority_id,
        user.agency.group_id,
        permission_id("people.view_person"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {one_in_scope_sql(Person)}", params
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def analyze_as_autovacuum_would() -> None:
    """ANALYZE the database once the warm-up has written its first rows, as autovacuum's analyze does in any
    production PostgreSQL (it is on by default) once a table has grown by 50 rows and 10%.

    This machine's PostgreSQL runs with autovacuum off, so nothing else would. Every table the referral
    POST writes starts empty, and each backend plans its foreign-key checks once and keeps the plan for the
    life of its connection unless an ANALYZE invalidates it: planned on an empty table, the check from a
    grant to its referral and from a clock's event to its clock is a sequential scan, and stays one while
    the table grows. Measured without this, in a run of 7,000 referrals: 8.4 million referral rows and 3.5
    million clock rows read by those checks, and our PostgreSQL CPU per request rising from 3.5 to 5.9 ms
    over three rounds while the bare endpoint's stayed at 1.0 to 1.3 ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # the forked load generator must not inherit it


# --------------------------------------------------------------------------------------------------------
# gunicorn and the load generator
# --------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(port: int, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "LOG_LEVEL": "WARNING"}
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "safeguarding.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--backlog=2048",
        "--keep-alive=30",
        f"--error-logfile={workdir / 'gunicorn.log'}",
        "--log-level=warning",
    ]
    if THREADS > 1:
        command += ["--worker-class=gthread", f"--threads={THREADS}"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_serving(port: int, token: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchFailed(f"gunicorn exited during start-up (status {process.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"{OURS_PATH}?limit=1", headers={"Authorization": f"Bearer {token}"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchFailed("gunicorn did not answer within 60 s")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _postgres_backends() -> list[int]:
    """The PostgreSQL server processes serving this benchmark's database (same machine)."""
    name = _database_name()
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])
            return [int(row[0]) for row in cursor.fetchall()]
    finally:
        conn.close()


def _client_thread(
    port: int,
    path: str,
    token: str,
    person_ids: list[str],
    start: float,
    stop: float,
    cap: int,
    out: list[Any],
) -> None:
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    time.sleep(max(0.0, start - time.time()))
    while time.time() < stop and len(latencies) < cap:
        body = json.dumps(referral_body(rng.choice(person_ids))).encode()
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        began = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            continue
        ended = time.time()
        if ended > stop:
            break  # finished after the phase: neither its latency nor its count belongs to the phase
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status in (200, 201):
            latencies.append((time.perf_counter() - began) * 1000)
    conn.close()
    out.append((latencies, statuses, errors))


def _client_process(
    port: int,
    path: str,
    token: str,
    person_ids: list[str],
    threads: int,
    start: float,
    stop: float,
    cap: int,
    queue: Any,
) -> None:
    began = os.times()
    out: list[Any] = []
    workers = [
        threading.Thread(target=_client_thread, args=(port, path, token, person_ids, start, stop, cap, out))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ended = os.times()
    latencies = [value for result in out for value in result[0]]
    statuses: dict[int, int] = {}
    for result in out:
        for code, count in result[1].items():
            statuses[code] = statuses.get(code, 0) + count
    errors = sum(result[2] for result in out)
    queue.put((latencies, statuses, errors, (ended.user - began.user) + (ended.system - began.system)))


@dataclass
class Phase:
    endpoint: str
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    errors: int
    cpu_app_s: float
    cpu_db_s: float
    cpu_client_s: float

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.completed / self.seconds


def round_ratios(ours: "Load", bare: "Load") -> list[float]:
    """Each round's ratio of ours to bare: how far the headline ratio (all of ours over all of bare) moves
    with the minute it was measured in."""
    return [
        mine.throughput / theirs.throughput
        for mine, theirs in zip(ours.phases, bare.phases, strict=True)
        if theirs.throughput
    ]


def drain(master_pid: int, limit_s: float = 120) -> float:
    """Wait until gunicorn has finished the requests still queued when the clients stopped (a sync worker
    carries on with a request whose client has gone), so they do not count against the next phase."""
    began = time.monotonic()
    pids = [master_pid, *_children(master_pid)]
    last = _cpu_seconds(pids)
    while time.monotonic() - began < limit_s:
        time.sleep(0.5)
        now = _cpu_seconds(pids)
        if now - last < 0.03:
            return time.monotonic() - began
        last = now
    return time.monotonic() - began


def drive(port: int, path: str, token: str, person_ids: list[str], seconds: float, master_pid: int) -> Phase:
    from django.db import connections

    connections.close_all()  # the forked clients must not share this process's database connection
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.time() + 0.5
    stop = start + seconds
    processes = max(1, min(CLIENT_PROCESSES, CLIENTS))
    per_process = [CLIENTS // processes + (1 if i < CLIENTS % processes else 0) for i in range(processes)]
    cap = max(1, MAX_REQUESTS_PER_PHASE // CLIENTS)
    app_pids = [master_pid, *_children(master_pid)]
    db_pids = _postgres_backends()
    app_before, db_before = _cpu_seconds(app_pids), _cpu_seconds(db_pids)
    children = [
        context.Process(
            target=_client_process, args=(port, path, token, person_ids, threads, start, stop, cap, queue)
        )
        for threads in per_process
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=seconds + 120) for _ in children]
    for child in children:
        child.join(timeout=30)
    app_after = _cpu_seconds(app_pids)
    db_after = _cpu_seconds(db_pids)  # backends that came and went mid-phase are not counted
    latencies = [value for result in results for value in result[0]]
    statuses: dict[int, int] = {}
    for result in results:
        for code, count in result[1].items():
            statuses[code] = statuses.get(code, 0) + count
    return Phase(
        endpoint=path,
        seconds=seconds,
        latencies=latencies,
        statuses=statuses,
        errors=sum(result[2] for result in results),
        cpu_app_s=app_after - app_before,
        cpu_db_s=db_after - db_before,
        cpu_client_s=sum(result[3] for result in results),
    )


@dataclass
class Load:
    name: str
    phases: list[Phase]

    @property
    def latencies(self) -> list[float]:
        return [value for phase in self.phases for value in phase.latencies]

    @property
    def seconds(self) -> float:
        return sum(phase.seconds for phase in self.phases)

    @property
    def completed(self) -> int:
        return sum(phase.completed for phase in self.phases)

    @property
    def throughput(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        bad = sum(
            count for phase in self.phases for code, count in phase.statuses.items() if code not in (200, 201)
        )
        return bad + sum(phase.errors for phase in self.phases)

    def cpu_ms_per_request(self, part: str) -> float:
        total = sum(getattr(phase, f"cpu_{part}_s") for phase in self.phases)
        return 1000 * total / self.completed if self.completed else math.nan


# --------------------------------------------------------------------------------------------------------
# Person search
# --------------------------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def search_terms(count: int) -> list[tuple[str, str, date | None]]:
    """Names drawn from the data, as a practitioner would type them before adding a child: the full name, the
    full name with a typo, the surname alone, given name and alias; half of them with the date of birth."""
    from safeguarding.people.models import Person

    rng = random.Random(7)
    sample = list(
        Person.objects.filter(date_of_birth__isnull=False)
        .order_by("?")
        .values_list("given_name", "family_name", "aliases", "date_of_birth")[: count * 2]
    )
    terms: list[tuple[str, str, date | None]] = []
    kinds = ["full name", "full name with a typo", "surname only", "given name and alias"]
    for index in range(count):
        given, family, aliases, dob = sample[index]
        kind = kinds[index % len(kinds)]
        if kind == "full name":
            name = f"{given} {family}"
        elif kind == "full name with a typo":
            name = f"{given} {_typo(rng, family)}"
        elif kind == "surname only":
            name = family
        else:
            name = f"{given} {aliases[0]}" if aliases else f"{given} {family[:3]}"
        terms.append((kind, name, dob if index % 2 else None))
    return terms


def search_run(world: World) -> dict[str, Any]:
    from django.db import connection

    from safeguarding.organisations.models import User
    from safeguarding.organisations.roles import Role

    user = User.objects.select_related("agency").get(pk=world.user_id)
    try:
        from safeguarding.people.selectors import person_search

        def search(name: str, dob: date | None) -> int:
            return len(person_search(user=user, name=name, date_of_birth=dob, limit=SEARCH_LIMIT).matches)

        how = "`safeguarding.people.selectors.person_search(user=…, name=…, date_of_birth=…, limit=10)`"
    except ImportError:
        from django.contrib.postgres.search import TrigramWordSimilarity

        from safeguarding.organisations.access import scope_to_user
        from safeguarding.people.models import Person

        def search(name: str, dob: date | None) -> int:
            query = " ".join(name.lower().split())
            rows = (
                scope_to_user(user, "people.view_person", Person.objects.all())
                .filter(search_text__trigram_word_similar=query)
                .annotate(similarity=TrigramWordSimilarity(query, "search_text"))
                .order_by("-similarity", "pk")[:SEARCH_LIMIT]
            )
            return len(list(rows))

        how = (
            "`person_search` was not in safeguarding/people/selectors.py, so the equivalent trigram query "
            "(`search_text %> query`, scoped to the authority and the MASH's permissions, ordered by word "
            "similarity, limit 10)"
        )

    terms = search_terms(SEARCHES)
    user.has_role(Role.MASH_PRACTITIONER)  # a request has its roles cached by the time it searches
    for _, name, dob in terms[:20]:
        search(name, dob)  # warm the buffer cache and the process
    timings: dict[str, list[float]] = {}
    hits: list[int] = []
    stop = time.monotonic() + SEARCH_SECONDS
    for kind, name, dob in terms:
        if time.monotonic() > stop:
            break  # bounded: the figures below say how many searches ran
        label = f"{kind}{' + date of birth' if dob else ''}"
        began = time.perf_counter()
        hits.append(search(name, dob))
        timings.setdefault(label, []).append((time.perf_counter() - began) * 1000)
    everything = [value for values in timings.values() for value in values]
    kind, name, dob = terms[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM people_person WHERE search_text %%> %s", [" ".join(name.lower().split())]
        )
        candidates = cursor.fetchone()[0]
    return {
        "how": how,
        "timings": timings,
        "all": everything,
        "mean_hits": sum(hits) / len(hits),
        "example": name,
        "example_candidates": candidates,
        "plan": explain_search(user, name),
    }


def explain_search(user: Any, name: str) -> str:
    """EXPLAIN ANALYZE of the trigram match at the heart of the search, to show which index serves it."""
    from django.contrib.postgres.search import TrigramWordSimilarity
    from django.db import connection

    from safeguarding.organisations.access import scope_to_user
    from safeguarding.people.models import Person

    query = " ".join(name.lower().split())
    queryset = (
        scope_to_user(user, "people.view_person", Person.objects.all())
        .filter(search_text__trigram_word_similar=query)
        .annotate(similarity=TrigramWordSimilarity(query, "search_text"))
        .order_by("-similarity", "pk")[:SEARCH_LIMIT]
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    from django.db import connection

    def first(pattern: str, text: str) -> str:
        match = re.search(pattern, text, re.MULTILINE)
        return match.group(1).strip() if match else "unknown"

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = first(r"^MemTotal:\s+(\d+)", meminfo)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        # The benchmarks' own doc is rewritten by every run: a change there is not a change to what ran.
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", f":!{DOC.relative_to(ROOT)}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, changed = "unknown", ""
    import django

    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": f"{commit} (plus uncommitted changes)" if commit and changed else commit or "unknown",
        "cpu": first(r"^model name\s*:\s*(.+)$", cpuinfo),
        "nproc": str(CORES),
        "memory": f"{int(kib) / 1024 / 1024:.0f} GiB" if kib.isdigit() else "unknown",
        "kernel": platform.release(),
        "postgres": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _queries(count: int) -> str:
    return f"{count} {'query' if count == 1 else 'queries'}"


def _plan_rows(plan: str) -> int:
    return max((int(value) for value in re.findall(r"rows=(\d+)", plan)), default=0)


def section_text(
    info: dict[str, str],
    data: dict[str, Any],
    parts: Breakdown,
    ours: Load,
    bare: Load,
    drained_s: float,
    search: dict[str, Any],
    figures: dict[str, float],
) -> str:
    def verdict(name: str) -> str:
        op, target = TARGETS[name]
        return f"{op} {target:g}: {'met' if met(name, figures[name]) else '**missed**'}"

    rows = []
    for load in (bare, ours):
        lat = load.latencies
        rows.append(
            f"| {load.name} | {load.completed:,} | {load.throughput:.1f} | {_ms(percentile(lat, 50))} | "
            f"{_ms(percentile(lat, 95))} | {_ms(percentile(lat, 99))} | {_ms(max(lat) if lat else math.nan)} | "
            f"{load.failures} | {parts.queries[load.name.split()[0]]} | {load.cpu_ms_per_request('app'):.1f} | "
            f"{load.cpu_ms_per_request('db'):.1f} | {load.cpu_ms_per_request('client'):.1f} |"
        )
    search_rows = [
        f"| {label} | {len(values)} | {_ms(percentile(values, 50))} | {_ms(percentile(values, 95))} | "
        f"{_ms(max(values))} |"
        for label, values in sorted(search["timings"].items())
    ]
    every = search["all"]
    server = f"{WORKERS} sync workers" if THREADS <= 1 else f"{WORKERS} gthread workers x {THREADS} threads"
    ours_total = parts.ms["ours total"]
    access_ms = parts.ms.get("access_person", math.nan)
    write_ms = parts.ms.get("insert_together", math.nan)
    notes = []
    if access_ms > 20:
        notes.append(
            f"- `access_person` (the check that the MASH may see the person) takes {access_ms:.0f} ms of the "
            f"{ours_total:.0f} ms, in one query: guardian's `get_objects_for_user`, under "
            "`organisations.access.scope_to_user`, filters `pk IN (<every object the user's groups may see>) OR "
            "pk IN (<every object the user may see>)`; PostgreSQL runs the two as hashed SubPlans, reading all "
            f"{_plan_rows(parts.access_plan):,} permission rows to answer for one person (plan below). Every "
            "`access_*` function, list and search scoped by `scope_to_user` pays this, in proportion to what "
            "the agency can see, and `person_search` pays it on every search."
        )
    notes.append(
        f"- `insert_together` writes the referral, its guardian grants, the MASH decision clock, the clock's "
        f"started event and both audit rows as one statement of data-modifying CTEs ({write_ms:.1f} ms of the "
        f"{ours_total:.1f} ms), which is its own transaction: {parts.queries['ours']} statements a request in "
        "all (the token, the person's access check, the write). A retry is answered by the referral's unique "
        "(created_by, idempotency_key), not by a lock and a look-up first."
    )
    lines = [
        SECTION,
        "",
        f"Run {info['date']} with `make bench-referrals` (`python -m bench.referrals`), commit {info['commit']}.",
        "",
        f"Machine: {info['nproc']} CPUs (`os.cpu_count()`), {info['cpu']}, {info['memory']} memory, Linux "
        f"{info['kernel']}; PostgreSQL {info['postgres']} on the same machine; Python {info['python']}, Django "
        f"{info['django']}. Load average (1, 5, 15 min) when the run started: {info['load']}; when it ended: "
        f"{info['load_end']}. gunicorn, PostgreSQL and the load generator share these CPUs (each request's CPU "
        "time is split three ways in the table); on a shared machine other processes' load is in the figures.",
        "",
        "### Referral creation through the API",
        "",
        f"gunicorn `safeguarding.wsgi` with {server} on 127.0.0.1, DJANGO_SETTINGS_MODULE="
        f"bench.referrals_settings (DEBUG off). {CLIENTS} concurrent clients with keep-alive connections "
        f"({CLIENT_PROCESSES} processes of threads using http.client), each sending its next request as soon as "
        "the last was answered. Every request is a new referral with its own Idempotency-Key about a random "
        f"person the MASH can see (of the {data['home_people']:,} in its authority). *Bare* is "
        "bench/bare_urls.py: the same URL stack, middleware, token authentication and JSON body, inserting the "
        "same referral row directly. *Ours* is POST /api/v1/referrals/: validation, the person access check, "
        "the referral (its Idempotency-Key unique per user), guardian permissions for the MASH, the "
        "one-working-day MASH decision clock (with its event and audit row) and the referral's audit row. "
        f"{ROUNDS} rounds of {PHASE_SECONDS:g} s per endpoint, alternating (bare then ours, then ours then bare), after {WARMUP_SECONDS:g} s of warm-up "
        "each and then an ANALYZE of the database, as autovacuum would make (it is off on this machine's "
        "PostgreSQL; see `analyze_as_autovacuum_would` in bench/referrals.py); before each phase the harness waits for gunicorn to finish requests left over from the last "
        f"(the longest wait this run: {drained_s:.0f} s). A request counts if it was answered within its phase.",
        "",
        "| Endpoint | Requests | Requests/s | p50 ms | p95 ms | p99 ms | max ms | Failures | Queries/request "
        "| gunicorn CPU ms/req | PostgreSQL CPU ms/req | client CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- Throughput ratio (ours / bare): **{figures['referral_ratio']:.2f}** (target {verdict('referral_ratio')}).",
        "- Each round, in the order run (requests/s; PostgreSQL CPU ms/request): "
        + "; ".join(
            f"{load.name.split()[0]} "
            + ", ".join(
                f"{phase.throughput:.0f} ({phase.cpu_db_s / phase.completed * 1000:.1f})"
                for phase in load.phases
                if phase.completed
            )
            for load in (bare, ours)
        )
        + ".",
        "- Each round's own ratio (ours / bare, the two phases next to each other): "
        + ", ".join(f"{ratio:.2f}" for ratio in round_ratios(ours, bare))
        + ".",
        f"- p95 of ours: **{figures['referral_p95_ms']:.1f} ms** (target {verdict('referral_p95_ms')}).",
        "",
        "Where our POST's time goes, one request at a time in the benchmark process (Django test client, median "
        f"of 30): bare {parts.ms['bare total']:.1f} ms; ours {ours_total:.1f} ms, of which `access_person` "
        f"{access_ms:.1f} ms ({_queries(parts.parts_queries.get('access_person', 0))}; the role lookup comes with the token's) "
        f"and `insert_together` {write_ms:.1f} ms ({_queries(parts.parts_queries.get('insert_together', 0))}).",
        "",
        *notes,
        "",
        "`access_person`'s query for one person:",
        "",
        "```",
        parts.access_plan,
        "```",
        "",
        "### Person search",
        "",
        f"{PEOPLE:,} people COPYed into people_person ({data['home_people']:,} in the MASH's authority, each shared "
        f"with the MASH through a guardian group permission as a referral shares them; {data['other_people']:,} in "
        'another authority); search_text = lower("given family aliases") as the services write it; about 8% '
        "double-barrelled surnames and 10% with an alias; the indexes built after the load, then VACUUM ANALYZE "
        f"({data['load_s']:.0f} s in all). Timed in the benchmark process, one search at a time, after 20 to warm "
        f"up: {search['how']}; {len(every)} searches (at most {SEARCHES}, and at most {SEARCH_SECONDS:g} s). "
        "Terms are drawn from the data: full name, full name with a typo, surname only, given name and alias; "
        "every other one with the date of birth.",
        "",
        "| Search | Searches | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *search_rows,
        f"| **all** | {len(every)} | {_ms(percentile(every, 50))} | **{_ms(percentile(every, 95))}** | "
        f"{_ms(max(every))} |",
        "",
        f"- p95 over all searches: **{figures['search_p95_ms']:.1f} ms** (target {verdict('search_p95_ms')}). "
        f"Mean matches returned: {search['mean_hits']:.1f} (limit {SEARCH_LIMIT}).",
        f"- The trigram match scoped by `scope_to_user`, for {search['example']!r} "
        f"({search['example_candidates']:,} rows in the whole table pass `search_text %> query`):",
        "",
        "```",
        search["plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


def run(workdir: Path) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command

    log(f"database {_database_name()}: create and migrate")
    database_create()
    redis_claim()
    try:
        call_command("migrate", verbosity=0)
        info = machine_info()
        world = world_create()
        log(f"loading {PEOPLE:,} people")
        data = people_load(world, PEOPLE)
        person_ids: list[str] = data["person_ids"]
        parts = breakdown(world, person_ids)
        log(
            f"one at a time: bare {parts.ms['bare total']:.1f} ms ({parts.queries['bare']} queries), ours "
            f"{parts.ms['ours total']:.1f} ms ({parts.queries['ours']} queries; access_person "
            f"{parts.ms.get('access_person', math.nan):.1f} ms, insert_together {parts.ms.get('insert_together', math.nan):.1f} ms)"
        )
        port = free_port()
        from django.db import connections

        connections.close_all()
        ours = Load("ours (/api/v1/referrals/)", [])
        bare = Load("bare (bench endpoint)", [])
        drained_s = 0.0
        with gunicorn(port, workdir) as server:
            wait_until_serving(port, world.token, server)
            log(
                f"gunicorn on 127.0.0.1:{port}: {WORKERS} workers, {THREADS} thread(s) each; {CLIENTS} clients"
            )
            for path in (OURS_PATH, BARE_PATH):
                drive(port, path, world.token, person_ids, WARMUP_SECONDS, server.pid)
                drained_s = max(drained_s, drain(server.pid))
            analyze_as_autovacuum_would()
            for round_number in range(ROUNDS):
                # Bare first in odd rounds, ours first in even ones: a machine that speeds up or slows down
                # through the run (a shared host) then weighs on both endpoints alike.
                order = ((bare, BARE_PATH), (ours, OURS_PATH))
                for load, path in order if round_number % 2 == 0 else order[::-1]:
                    phase = drive(port, path, world.token, person_ids, PHASE_SECONDS, server.pid)
                    if server.poll() is not None:
                        raise BenchFailed(f"gunicorn exited (status {server.returncode}); see {workdir}")
                    load.phases.append(phase)
                    log(
                        f"round {round_number + 1} {load.name}: {phase.throughput:.1f} req/s, "
                        f"p95 {percentile(phase.latencies, 95):.1f} ms, statuses {phase.statuses}, "
                        f"errors {phase.errors}"
                    )
                    drained_s = max(drained_s, drain(server.pid))
        if ours.failures or bare.failures:
            log(f"WARNING: failed requests: ours {ours.failures}, bare {bare.failures} (see {workdir})")
        log(f"person search: up to {SEARCHES} searches, at most {SEARCH_SECONDS:g} s")
        search = search_run(world)
        info["load_end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
        figures = {
            "referral_ratio": ours.throughput / bare.throughput if bare.throughput else 0.0,
            "referral_p95_ms": percentile(ours.latencies, 95),
            "search_p95_ms": percentile(search["all"], 95),
        }
        section = section_text(info, data, parts, ours, bare, drained_s, search, figures)
        print("\n" + section, flush=True)
        if WRITE_DOC:
            doc_write_section(SECTION, section)
            log(f"wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}")
        for name, value in figures.items():
            log(
                f"{name} = {value:.3f} ({'met' if met(name, value) else 'MISSED'}: target {TARGETS[name][0]} {TARGETS[name][1]:g})"
            )
        return figures
    finally:
        if KEEP_DB:
            log(f"kept database {_database_name()} (BENCH_KEEP_DB)")
        else:
            database_drop()
        redis_release()


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="reachable-bench-referrals-"))
    try:
        with terminated_by_signals():
            figures = run(workdir)
    except BenchFailed as error:
        print(f"\nBENCHMARK FAILED: {error}\n(logs in {workdir})", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:
        print(
            f"\nBENCHMARK INTERRUPTED ({error or 'Ctrl-C'}); gunicorn stopped. Logs in {workdir}",
            file=sys.stderr,
        )
        return 130
    print(
        f"referral_ratio={figures['referral_ratio']:.3f} referral_p95_ms={figures['referral_p95_ms']:.1f} "
        f"search_p95_ms={figures['search_p95_ms']:.1f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
