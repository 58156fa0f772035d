"""Referrals benchmark: `python -m bench.referrals` (or `make bench-referrals`). Figures and history in
docs/benchmarks.md ("Referrals").

Targets (issue 10): our referral POST's throughput at 32 concurrent clients is at least 0.25 of a bare endpoint
that inserts the same row (a guard against regressions, not a goal to tune for); our POST's p95 at 4
concurrent clients is at most 100 ms; person search over 500,000 people has p95 at most 100 ms.

On a PostgreSQL database and a Redis database of its own (bench/referrals_settings.py) it:
1. migrates, makes an authority with a MASH practitioner and an API token, and COPYs BENCH_PEOPLE people (90%
   in that authority and shared with the MASH, 10% in another), then VACUUM ANALYZE;
2. counts the queries one POST of each endpoint makes (Django test client, in this process);
3. starts gunicorn with bench/bare_urls.py mounted and, after a warm-up of each endpoint and an ANALYZE,
   runs BENCH_ROUNDS rounds: bare and ours at BENCH_CLIENTS clients (which goes first alternates from round to
   round, so a machine that speeds up or slows down weighs on both alike), then ours at BENCH_P95_CLIENTS;
4. times `person_search` one search at a time for names drawn from the data;
5. writes the "Referrals" section of docs/benchmarks.md (BENCH_WRITE_DOC=0 to skip), drops its database and
   its Redis keys, and prints `referral_ratio=… referral_p95_ms=… search_p95_ms=…` as its last line.

A quick trial: BENCH_QUICK=1 (50,000 people, 2 rounds of 5 s, 100 searches, no doc). A missed target is
reported, not an error: the exit status is non-zero only when the run itself failed."""

import contextlib
import http.client
import io
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
    machine_info,
    percentile,
    terminated_by_signals,
)
from bench.common import database_drop as common_database_drop

SECTION = "## Referrals"
SETTINGS_MODULE = "bench.referrals_settings"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
CORES = os.cpu_count() or 1
PEOPLE = env_int("BENCH_PEOPLE", 50_000 if QUICK else 500_000)
CLIENTS = env_int("BENCH_CLIENTS", 32)
P95_CLIENTS = env_int("BENCH_P95_CLIENTS", 4)
CLIENT_PROCESSES = env_int("BENCH_CLIENT_PROCESSES", 4)
PHASE_SECONDS = env_float("BENCH_PHASE_SECONDS", 5 if QUICK else 15)
ROUNDS = env_int("BENCH_ROUNDS", 2 if QUICK else 5)
WARMUP_SECONDS = env_float("BENCH_WARMUP_SECONDS", 3)
WORKERS = env_int("BENCH_GUNICORN_WORKERS", 2 * CORES + 1)
SEARCHES = env_int("BENCH_SEARCHES", 100 if QUICK else 400)
SEARCH_SECONDS = env_float("BENCH_SEARCH_SECONDS", 120)
CLIENT_TIMEOUT_S = env_float("BENCH_CLIENT_TIMEOUT_SECONDS", 60)
KEEP_DB = os.environ.get("BENCH_KEEP_DB", "") not in ("", "0")
WRITE_DOC = os.environ.get("BENCH_WRITE_DOC", "0" if QUICK else "1") not in ("", "0")
REDIS_MARKER = "reachable-bench-referrals:owned"

TARGETS = {"referral_ratio": (">=", 0.25), "referral_p95_ms": ("<=", 100.0), "search_p95_ms": ("<=", 100.0)}
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


def queries_per_post(world: World, person_ids: list[str]) -> dict[str, int]:
    """The queries one POST of each endpoint makes, warm (a first POST fills per-process caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.token}")
    counts = {}
    for name, path in (("bare", BARE_PATH), ("ours", OURS_PATH)):
        for _ in range(2):
            with CaptureQueriesContext(connection) as context:
                response = client.post(
                    path,
                    referral_body(random.choice(person_ids)),
                    content_type="application/json",
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
            if response.status_code != 201:
                raise BenchFailed(f"POST {path} answered {response.status_code}: {response.content[:300]!r}")
        counts[name] = len(context.captured_queries)
    return counts


def analyze_as_autovacuum_would() -> None:
    """ANALYZE once the warm-up has written rows, as autovacuum would (it is off on this machine's
    PostgreSQL): foreign-key checks planned on the empty tables would otherwise stay sequential scans."""
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


def _client_thread(
    port: int, path: str, token: str, person_ids: list[str], stop: float, out: list[Any]
) -> None:
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT_S)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    while time.time() < stop:
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
            statuses[0] = statuses.get(0, 0) + 1  # 0: no answer
            conn.close()
            continue
        if time.time() > stop:
            break  # answered after the phase: it belongs to no phase
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status == 201:
            latencies.append((time.perf_counter() - began) * 1000)
    conn.close()
    out.append((latencies, statuses))


def _client_process(
    port: int,
    path: str,
    token: str,
    person_ids: list[str],
    threads: int,
    start: float,
    stop: float,
    queue: Any,
) -> None:
    time.sleep(max(0.0, start - time.time()))
    out: list[Any] = []
    workers = [
        threading.Thread(target=_client_thread, args=(port, path, token, person_ids, stop, out))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(out)


@dataclass
class Phase:
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def failures(self) -> int:
        return sum(count for code, count in self.statuses.items() if code != 201)


@dataclass
class Load:
    """One endpoint at one concurrency, over all rounds."""

    name: str
    clients: int
    phases: list[Phase] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [value for phase in self.phases for value in phase.latencies]

    @property
    def throughput(self) -> float:
        seconds = sum(phase.seconds for phase in self.phases)
        return len(self.latencies) / seconds if seconds else 0.0

    @property
    def failures(self) -> int:
        return sum(phase.failures for phase in self.phases)


def drive(port: int, path: str, token: str, person_ids: list[str], clients: int, seconds: float) -> Phase:
    """`clients` keep-alive clients, each sending its next POST as soon as the last is answered, for
    `seconds`; threads spread over a few forked processes so the load generator is not one GIL."""
    from django.db import connections

    connections.close_all()  # the forked clients must not share this process's database connection
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start = time.time() + 0.5
    stop = start + seconds
    processes = max(1, min(CLIENT_PROCESSES, clients))
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    children = [
        context.Process(
            target=_client_process, args=(port, path, token, person_ids, threads, start, stop, queue)
        )
        for threads in per_process
    ]
    for child in children:
        child.start()
    results = [result for _ in children for result in queue.get(timeout=seconds + 120)]
    for child in children:
        child.join(timeout=30)
    statuses: dict[int, int] = {}
    for _, counts in results:
        for code, count in counts.items():
            statuses[code] = statuses.get(code, 0) + count
    time.sleep(1)  # requests still being answered after the phase finish before the next begins
    return Phase(seconds, [value for latencies, _ in results for value in latencies], statuses)


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
    from safeguarding.organisations.models import User
    from safeguarding.people.selectors import person_search

    user = User.objects.select_related("agency").get(pk=world.user_id)
    terms = search_terms(SEARCHES)
    for _, name, dob in terms[:20]:
        person_search(user=user, name=name, date_of_birth=dob, limit=SEARCH_LIMIT)  # warm the caches
    timings: dict[str, list[float]] = {}
    stop = time.monotonic() + SEARCH_SECONDS
    for kind, name, dob in terms:
        if time.monotonic() > stop:
            break  # bounded: the figures say how many searches ran
        began = time.perf_counter()
        person_search(user=user, name=name, date_of_birth=dob, limit=SEARCH_LIMIT)
        label = f"{kind}{' + date of birth' if dob else ''}"
        timings.setdefault(label, []).append((time.perf_counter() - began) * 1000)
    return {
        "timings": timings,
        "all": [value for values in timings.values() for value in values],
        "example": terms[1][1],
        "plan": explain_search(user, terms[1][1]),
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


def _ms(value: float) -> str:
    return f"{value:.1f}"


def section_text(
    info: dict[str, str],
    data: dict[str, Any],
    queries: dict[str, int],
    loads: list[Load],
    ratios: list[float],
    search: dict[str, Any],
    figures: dict[str, float],
) -> str:
    def verdict(name: str) -> str:
        op, target = TARGETS[name]
        return f"target {op} {target:g}: {'met' if met(name, figures[name]) else '**missed**'}"

    rows = [
        f"| {load.name} | {load.clients} | {len(load.latencies):,} | {load.throughput:.1f} | "
        f"{_ms(percentile(load.latencies, 50))} | {_ms(percentile(load.latencies, 95))} | "
        f"{_ms(percentile(load.latencies, 99))} | {load.failures} | {queries[load.name]} |"
        for load in loads
    ]
    search_rows = [
        f"| {label} | {len(values)} | {_ms(percentile(values, 50))} | {_ms(percentile(values, 95))} |"
        for label, values in sorted(search["timings"].items())
    ]
    every = search["all"]
    lines = [
        SECTION,
        "",
        f"Run {info['date']} with `make bench-referrals` (`python -m bench.referrals`), commit {info['commit']}.",
        "",
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']} memory, Linux {info['kernel']}; "
        f"PostgreSQL {info['postgres']} on the same machine; Python {info['python']}, Django {info['django']}. "
        f"Load average (1, 5, 15 min) at the start: {info['load']}; at the end: {info['load_end']}. gunicorn, "
        "PostgreSQL and the load generator share these CPUs, and so does anything else running on the machine.",
        "",
        "### Referral creation through the API",
        "",
        f"gunicorn `safeguarding.wsgi` with {WORKERS} sync workers, DJANGO_SETTINGS_MODULE=bench.referrals_settings "
        "(DEBUG off). Each client keeps its connection and sends its next POST as soon as the last is answered; "
        "each POST is a new referral with its own Idempotency-Key about a random person the MASH can see. *bare* "
        "is bench/bare_urls.py: the same middleware, token authentication and JSON body, inserting the referral "
        "row and nothing else. *ours* is POST /api/v1/referrals/: validation, the person's access check, the "
        "referral, the MASH's grants, the MASH decision clock and the audit rows, in one transaction. "
        f"{ROUNDS} rounds of {PHASE_SECONDS:g} s a phase after {WARMUP_SECONDS:g} s of warm-up each and an ANALYZE; "
        f"each round runs bare and ours at {CLIENTS} clients (the order alternating) and ours at {P95_CLIENTS}.",
        "",
        "| Endpoint | Clients | Requests | Requests/s | p50 ms | p95 ms | p99 ms | Failures | Queries/POST |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- Throughput ratio at {CLIENTS} clients (ours / bare): **{figures['referral_ratio']:.2f}** "
        f"({verdict('referral_ratio')}); each round's: {', '.join(f'{ratio:.2f}' for ratio in ratios)}.",
        f"- p95 of ours at {P95_CLIENTS} clients: **{figures['referral_p95_ms']:.1f} ms** ({verdict('referral_p95_ms')}).",
        "",
        "### Person search",
        "",
        f"{PEOPLE:,} people COPYed into people_person ({data['home_people']:,} in the MASH's authority, each "
        f"shared with the MASH by a guardian group grant; {data['other_people']:,} in another authority), "
        'search_text = lower("given family aliases") as the services write it, indexes built after the load, '
        f"then VACUUM ANALYZE ({data['load_s']:.0f} s in all). `person_search(user=…, name=…, date_of_birth=…, "
        f"limit={SEARCH_LIMIT})` timed one search at a time after 20 to warm up: {len(every)} searches of names "
        "drawn from the data (full name, with a typo, surname only, given name and alias; every other one with "
        "the date of birth).",
        "",
        "| Search | Searches | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
        *search_rows,
        f"| **all** | {len(every)} | {_ms(percentile(every, 50))} | **{_ms(percentile(every, 95))}** |",
        "",
        f"- p95 over all searches: **{figures['search_p95_ms']:.1f} ms** ({verdict('search_p95_ms')}).",
        f"- The trigram match scoped by `scope_to_user`, for {search['example']!r}:",
        "",
        "```",
        search["plan"],
        "```",
        "",
        "Last line:",
        "",
        "```",
        last_line(figures),
        "```",
        "",
    ]
    return "\n".join(lines)


def last_line(figures: dict[str, float]) -> str:
    return (
        f"referral_ratio={figures['referral_ratio']:.3f} referral_p95_ms={figures['referral_p95_ms']:.1f} "
        f"search_p95_ms={figures['search_p95_ms']:.1f}"
    )


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
        queries = queries_per_post(world, person_ids)
        queries[f"ours at {P95_CLIENTS}"] = queries["ours"]
        log(f"queries per POST: bare {queries['bare']}, ours {queries['ours']}")
        from django.db import connections

        connections.close_all()
        bare, ours = Load("bare", CLIENTS), Load("ours", CLIENTS)
        ours_few = Load(f"ours at {P95_CLIENTS}", P95_CLIENTS)
        port = free_port()
        with gunicorn(port, workdir) as server:
            wait_until_serving(port, world.token, server)
            log(f"gunicorn on 127.0.0.1:{port}, {WORKERS} workers")
            for path in (OURS_PATH, BARE_PATH):
                drive(port, path, world.token, person_ids, CLIENTS, WARMUP_SECONDS)
            analyze_as_autovacuum_would()
            for round_number in range(ROUNDS):
                pair = [(bare, BARE_PATH), (ours, OURS_PATH)]
                for load, path in [*(pair if round_number % 2 == 0 else pair[::-1]), (ours_few, OURS_PATH)]:
                    phase = drive(port, path, world.token, person_ids, load.clients, PHASE_SECONDS)
                    if server.poll() is not None:
                        raise BenchFailed(f"gunicorn exited (status {server.returncode}); see {workdir}")
                    load.phases.append(phase)
                    log(
                        f"round {round_number + 1} {load.name} ({load.clients} clients): "
                        f"{phase.throughput:.1f} req/s, p95 {percentile(phase.latencies, 95):.1f} ms, "
                        f"statuses {phase.statuses}"
                    )
        for load in (bare, ours, ours_few):
            if load.failures:
                log(f"WARNING: {load.failures} failed requests to {load.name} (see {workdir})")
        log(f"person search: up to {SEARCHES} searches, at most {SEARCH_SECONDS:g} s")
        search = search_run(world)
        info["load_end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
        ratios = [
            mine.throughput / theirs.throughput
            for mine, theirs in zip(ours.phases, bare.phases, strict=True)
            if theirs.throughput
        ]
        figures = {
            "referral_ratio": ours.throughput / bare.throughput if bare.throughput else 0.0,
            "referral_p95_ms": percentile(ours_few.latencies, 95),
            "search_p95_ms": percentile(search["all"], 95),
        }
        section = section_text(info, data, queries, [bare, ours, ours_few], ratios, search, figures)
        print("\n" + section, flush=True)
        if WRITE_DOC:
            doc_write_section(SECTION, section)
            log(f"wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}")
        for name, value in figures.items():
            op, target = TARGETS[name]
            log(f"{name} = {value:.3f} ({'met' if met(name, value) else 'MISSED'}: target {op} {target:g})")
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
    print(last_line(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
