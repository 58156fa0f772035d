"""Chronology benchmark: `python -m bench.chronology` (or `make bench-chronology`). Figures in docs/benchmarks.md
("Chronology").

Target: the first page of a child's chronology (`chronology:person`, what the reader waits for), for a child
with BENCH_CHRONOLOGY_EVENTS (5,000) events spread over every source, p95 <= 100 ms through Django's test client
(sign-in session, middleware, access check, the union's page, the audit row, the template), in the same number
of queries on every request.

On a PostgreSQL database of its own (bench/panels_settings.py with its own database name; no Redis, no Celery
worker) it:
1. migrates; makes an authority with a MASH practitioner (social care), police and health; opens the child's
   case through the services and shares it with police; then bulk_creates the child's events: referrals (with
   their grants: a third shared with police), custody bookings, MASH decisions, information requests to police
   and health and their answers (two in five of police's answers C-coded for social care only), reachable moments, panel referrals
   (closed), meetings with the child on the agenda, actions agreed (some closed), and network links to places;
   and, so the indexes matter, BENCH_CHRONOLOGY_OTHERS other children with referrals and reachable moments of
   their own; then VACUUM ANALYZE;
2. GETs the first page BENCH_CHRONOLOGY_READS times as the MASH practitioner (who sees every event), as many
   again after gc.freeze() (the start-up objects out of the collector's sight, as a server can do), and a tenth
   of that as police (who see a third of the referrals, and no C-coded answer), with a filter (three types and
   a date range) and with only the sources of referrals, cases and panels registered (what each part of the
   union costs), asserting each request's query count and timing its wall clock, this process's CPU and the
   queries' own time;
3. EXPLAINs the slowest page's slowest query when the target is missed; writes the "Chronology" section of docs/benchmarks.md
   (BENCH_WRITE_DOC=0 to skip), drops its database (BENCH_KEEP_DB=1 keeps it) and prints
   `chronology_p95_ms=…` as its last line.

A missed target is reported, not an error: the exit status is non-zero only when the run itself failed."""

import contextlib
import gc
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import (
    DOC,
    FAMILY,
    GIVEN,
    ROOT,
    BenchFailed,
    database_drop,
    database_recreate,
    doc_write_section,
    env_int,
    log,
    machine_info,
    percentile,
    terminated_by_signals,
)

SECTION = "## Chronology"
SETTINGS_MODULE = "bench.panels_settings"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
# The panels benchmark's settings (production-like, no worker, no Redis), on a database of this benchmark's own.
os.environ["BENCH_PANELS_DATABASE_NAME"] = os.environ.get(
    "BENCH_CHRONOLOGY_DATABASE_NAME", "reachable_bench_chronology"
)

EVENTS = env_int("BENCH_CHRONOLOGY_EVENTS", 5000)
OTHERS = env_int("BENCH_CHRONOLOGY_OTHERS", 2000)
READS = env_int("BENCH_CHRONOLOGY_READS", 300)
KEEP_DB = os.environ.get("BENCH_KEEP_DB", "") not in ("", "0")
WRITE_DOC = os.environ.get("BENCH_WRITE_DOC", "1") not in ("", "0")
TARGET_MS = 100.0
WARM_UP = 20
# How the child's events are spread over the sources (shares of EVENTS; information requests count twice when
# answered, panel referrals and actions twice when closed).
SHARES = {
    "referral": 0.18,
    "custody": 0.08,
    "decision": 0.10,
    "information_request": 0.14,  # requests; answers add about 0.11
    "reachable_moment": 0.18,
    "panel_referral": 0.03,  # each closed: two events
    "meeting_item": 0.03,
    "panel_action": 0.04,  # half closed: 1.5 events each
    "network_link": 0.07,
}


def _database_name() -> str:
    from django.conf import settings

    name = str(settings.DATABASES["default"]["NAME"])
    if not name.startswith("reachable_bench_chronology"):
        raise BenchFailed(
            f"refusing to use database {name!r}: this benchmark's are reachable_bench_chronology*"
        )
    return name


@contextlib.contextmanager
def stamps_as_given(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the created_at the loader gives (auto_now_add would stamp every row now): some
    sources date their events by when the record was made."""
    fields = [model._meta.get_field("created_at") for model in models]
    for model_field in fields:
        model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field in fields:
            model_field.auto_now_add = True


# --------------------------------------------------------------------------------------------------------
# The child's story
# --------------------------------------------------------------------------------------------------------


def world_create() -> dict[str, Any]:
    from audits.context import SYSTEM_CONTEXT
    from cases.services import case_open, case_share
    from safeguarding.organisations.models import AgencyType, LocalAuthority
    from safeguarding.organisations.roles import Role
    from safeguarding.organisations.services import agency_create, user_create

    la = LocalAuthority.objects.create(name="Benchshire", gss_code="E06999201")
    social_care = agency_create(
        local_authority=la,
        name="Benchshire Children's Social Care",
        agency_type=AgencyType.CHILDRENS_SOCIAL_CARE,
    )
    police = agency_create(local_authority=la, name="Benchshire Police", agency_type=AgencyType.POLICE)
    health = agency_create(local_authority=la, name="Benchshire Health", agency_type=AgencyType.HEALTH)
    mash = user_create(
        username="bench-mash", agency=social_care, roles=[Role.MASH_PRACTITIONER], first_name="M"
    )
    officer = user_create(
        username="bench-police", agency=police, roles=[Role.AGENCY_PRACTITIONER], first_name="P"
    )
    nurse = user_create(
        username="bench-health", agency=health, roles=[Role.AGENCY_PRACTITIONER], first_name="H"
    )
    case = case_open(
        actor=mash,
        context=SYSTEM_CONTEXT,
        new_person_data={
            "given_name": "Tyler",
            "family_name": "Chronology",
            "aliases": [],
            "date_of_birth": date(2010, 5, 1),
            "sex": "M",
            "ethnicity": "WBRI",
            "education_status": "on_roll",
        },
        data={"risk_level": "high", "exploitation_types": ["criminal"], "summary": "Benchmark"},
    )
    case_share(
        actor=mash,
        context=SYSTEM_CONTEXT,
        case=case,
        agency=police,
        lawful_basis="dpa2018_sch1_para18",
        reason="Benchmark",
    )
    return {
        "la": la,
        "social_care": social_care,
        "police": police,
        "health": health,
        "mash": mash,
        "officer": officer,
        "nurse": nurse,
        "case": case,
    }


def _referral(world: dict[str, Any], person: Any, case: Any, n: int, received_at: datetime) -> Any:
    from referrals.models import Referral

    return Referral(
        local_authority=world["la"],
        mash_agency=world["social_care"],
        person=person,
        case=case,
        source="6" if n % 3 else "2A",
        referrer_agency=world["police"] if n % 3 else None,
        referrer_name="" if n % 3 else "Head of year",
        received_at=received_at,
        concerns=["cce"],
        narrative="Benchmark referral.",
        consent="not_sought",
        consent_not_sought_reason="Seeking consent could place the child at greater risk.",
        lawful_basis="dpa2018_sch1_para18",
        status="decided",
        created_by=world["mash"],
        idempotency_key=f"bench-{person.pk}-{n}",
    )


def story_load(world: dict[str, Any], rng: random.Random) -> dict[str, int]:
    """The child's events, bulk_created: what each source will show, by kind."""
    from django.contrib.auth.models import Permission

    from cases.networks.models import Context, Link
    from panels.models import AgendaItem, Meeting, Panel, PanelAction, PanelKind, PanelReferral
    from referrals.models import (
        CustodyBooking,
        InformationRequest,
        MashDecision,
        ReachableMoment,
        Referral,
        ReferralGroupObjectPermission,
    )

    def count(kind: str) -> int:
        return max(1, round(EVENTS * SHARES[kind]))

    person, case = world["case"].person, world["case"]
    now = datetime.now(UTC)

    def moment(days_back: float) -> datetime:
        return now - timedelta(days=days_back)

    span = 5 * 365  # five years of the child's life
    view, change = (
        Permission.objects.get(content_type__app_label="referrals", codename=codename).pk
        for codename in ("view_referral", "change_referral")
    )
    referrals = [
        _referral(world, person, case, n, moment(rng.uniform(1, span))) for n in range(count("referral"))
    ]
    Referral.objects.bulk_create(referrals, batch_size=1000)
    grants = []
    for n, referral in enumerate(referrals):
        grants += [
            ReferralGroupObjectPermission(
                group_id=world["social_care"].group_id, permission_id=perm, content_object=referral
            )
            for perm in (view, change)
        ]
        if n % 3 == 0:
            grants.append(
                ReferralGroupObjectPermission(
                    group_id=world["police"].group_id, permission_id=view, content_object=referral
                )
            )
    ReferralGroupObjectPermission.objects.bulk_create(grants, batch_size=2000)
    kinds: dict[str, int] = {"referral": len(referrals)}

    bookings = [
        CustodyBooking(
            referral=referral,
            police_force="Benchshire Police",
            custody_suite=f"Benchshire custody suite {n % 3 + 1}",
            booked_in_at=referral.received_at - timedelta(minutes=30),
            arrest_reason="Possession with intent to supply",
            appropriate_adult="requested",
        )
        for n, referral in enumerate(referrals[: count("custody")])
    ]
    CustodyBooking.objects.bulk_create(bookings, batch_size=1000)
    kinds["custody"] = len(bookings)
    decisions = [
        MashDecision(
            referral=referral,
            outcome=rng.choice(["nfa", "early_help", "assessment", "strategy_discussion"]),
            rationale="Benchmark decision rationale.",
            decided_by=world["mash"],
            decided_at=referral.received_at + timedelta(hours=6),
        )
        for referral in referrals[-count("decision") :]
    ]
    MashDecision.objects.bulk_create(decisions, batch_size=1000)
    kinds["decision"] = len(decisions)

    requests = []
    asked = referrals[: (count("information_request") + 1) // 2]
    for referral in asked:
        for agency in (world["police"], world["health"]):
            answered = rng.random() < 0.8
            coded = answered and agency == world["police"] and rng.random() < 0.4
            requests.append(
                InformationRequest(
                    referral=referral,
                    agency=agency,
                    rag_rating="red",
                    requested_by=world["mash"],
                    created_at=referral.received_at + timedelta(hours=1),
                    answer="Benchmark answer." if answered else "",
                    answered_at=referral.received_at + timedelta(hours=3) if answered else None,
                    answered_by=(world["officer"] if agency == world["police"] else world["nurse"])
                    if answered
                    else None,
                    answer_source="Benchmark records" if answered else "",
                    handling_code="C" if coded else "",
                    handling_agency_types=["childrens_social_care"] if coded else [],
                )
            )
    with stamps_as_given(InformationRequest):
        InformationRequest.objects.bulk_create(requests, batch_size=1000)
    kinds["information_request"] = len(requests) + sum(1 for r in requests if r.answered_at is not None)

    def taken_up() -> dict[str, object]:
        # Support not taken up says why (the moment_declined_has_a_reason rule).
        return (
            {"support_accepted": True}
            if rng.random() < 0.5
            else {"support_accepted": False, "declined_reason": "child_declined"}
        )

    moments = [
        ReachableMoment(
            referral=rng.choice(referrals),
            person=person,
            kind=rng.choice(["custody", "emergency_department", "return_from_missing", "urgent_response"]),
            occurred_at=moment(rng.uniform(1, span)),
            method="in_person",
            support_offered="Benchmark support offered.",
            recorded_by=world["mash"],
            **taken_up(),
        )
        for _ in range(count("reachable_moment"))
    ]
    ReachableMoment.objects.bulk_create(moments, batch_size=1000)
    kinds["reachable_moment"] = len(moments)

    panel = Panel.objects.create(
        local_authority=world["la"], name="Benchshire ERP", kind=PanelKind.ERP, coordinator=world["mash"]
    )
    panel.member_agencies.set([world["social_care"], world["police"]])
    panel_referrals = []
    for n in range(count("panel_referral")):
        referred = moment(span - n * span / count("panel_referral"))
        panel_referrals.append(
            PanelReferral(
                panel=panel,
                local_authority=world["la"],
                person=person,
                case=case,
                source="agency",
                referred_by=world["mash"],
                referring_agency=world["social_care"],
                reason="Benchmark panel referral.",
                exploitation_types=["criminal"],
                current_risk="high",
                status="closed",
                closed_at=referred + timedelta(days=20),
                outcome="Benchmark outcome.",
                created_at=referred,
            )
        )
    with stamps_as_given(PanelReferral):
        PanelReferral.objects.bulk_create(panel_referrals, batch_size=1000)
    kinds["panel"] = 2 * len(panel_referrals)
    meetings = [
        Meeting(
            panel=panel,
            local_authority=world["la"],
            scheduled_for=panel_referrals[n % len(panel_referrals)].created_at
            + timedelta(days=7 + n // len(panel_referrals)),
            status="scheduled",
        )
        for n in range(count("meeting_item"))
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    items = [
        AgendaItem(
            meeting=meeting, referral=panel_referrals[n % len(panel_referrals)], kind="new", position=1
        )
        for n, meeting in enumerate(meetings)
    ]
    AgendaItem.objects.bulk_create(items, batch_size=1000)
    kinds["panel"] += len(items)
    actions = []
    for n in range(count("panel_action")):
        item = items[n % len(items)]
        closed = n % 2 == 0
        agreed = item.meeting.scheduled_for
        actions.append(
            PanelAction(
                referral=item.referral,
                agreed_at=item,
                local_authority=world["la"],
                description=f"Benchmark action {n}",
                owner_agency=world["police"] if n % 2 else world["social_care"],
                due_date=(agreed + timedelta(days=14)).date(),
                status="done" if closed else "open",
                closed_at=agreed + timedelta(days=10) if closed else None,
                created_at=agreed,
            )
        )
    with stamps_as_given(PanelAction):
        PanelAction.objects.bulk_create(actions, batch_size=1000)
    kinds["panel"] += len(actions) + sum(1 for action in actions if action.closed_at is not None)

    contexts = [
        Context(
            local_authority=world["la"],
            kind="hotspot",
            name=f"{rng.choice(FAMILY)} hotspot {n}",
            created_by=world["mash"],
            created_by_agency=world["social_care"],
        )
        for n in range(count("network_link"))
    ]
    Context.objects.bulk_create(contexts, batch_size=1000)
    links = [
        Link(
            local_authority=world["la"],
            person_a=person,
            context_b=context,
            link_type="frequents",
            source="Benchmark intelligence",
            recorded_by=world["mash"],
            recording_agency=world["social_care"],
            created_at=moment(rng.uniform(1, span)),
        )
        for context in contexts
    ]
    with stamps_as_given(Link):
        Link.objects.bulk_create(links, batch_size=1000)
    kinds["network_link"] = len(links)
    kinds["case"] = 2  # opened, shared with police
    return kinds


def others_load(world: dict[str, Any], rng: random.Random) -> int:
    """Other children of the authority, each with referrals and reachable moments of their own."""
    from referrals.models import ReachableMoment, Referral
    from safeguarding.people.models import Person

    people = [
        Person(
            local_authority=world["la"],
            created_by_agency=world["social_care"],
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=date(2008, 1, 1) + timedelta(days=rng.randint(0, 4000)),
            sex="U",
            ethnicity="NOBT",
            education_status="not_known",
        )
        for _ in range(OTHERS)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    now = datetime.now(UTC)
    referrals = [
        _referral(world, person, None, n, now - timedelta(days=rng.uniform(1, 1800)))
        for person in people
        for n in range(5)
    ]
    Referral.objects.bulk_create(referrals, batch_size=2000)
    ReachableMoment.objects.bulk_create(
        [
            ReachableMoment(
                referral=referral,
                person=referral.person,
                kind="custody",
                occurred_at=referral.received_at,
                method="in_person",
                support_offered="Benchmark",
                support_accepted=False,
                declined_reason="child_declined",
                recorded_by=world["mash"],
            )
            for referral in referrals
        ],
        batch_size=2000,
    )
    return len(referrals)


def vacuum() -> None:
    from django.db import connection

    raw = connection.connection
    assert raw is not None
    old_autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    raw.autocommit = old_autocommit


# --------------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------------


def verified_client(user: Any) -> Any:
    """A signed-in, two-factor-verified browser session (as tests/conftest.py makes one)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def page_time(user: Any, url: str, reads: int, expect_rows: int) -> dict[str, Any]:
    """GET `url` reads times (after WARM_UP untimed), asserting the answer and one query count throughout."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(user)
    timings: list[float] = []
    cpu: list[float] = []  # this process's CPU time: the Python side, less the wait for a shared CPU
    database: list[float] = []  # the queries' own time, as the driver saw it
    counts: set[int] = set()
    slowest: tuple[float, list[dict[str, Any]]] = (0.0, [])
    for n in range(reads + WARM_UP):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - began) * 1000
            elapsed_cpu = (time.process_time() - began_cpu) * 1000
        if response.status_code != 200:
            raise BenchFailed(f"GET {url} answered {response.status_code}")
        if response.content.count(b'data-label="What happened"') != expect_rows:
            raise BenchFailed(f"GET {url} showed the wrong number of events")
        if n < WARM_UP:
            continue
        counts.add(len(captured.captured_queries))
        timings.append(elapsed)
        cpu.append(elapsed_cpu)
        database.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        if elapsed > slowest[0]:
            slowest = (elapsed, list(captured.captured_queries))
    if len(counts) != 1:
        raise BenchFailed(f"GET {url}: the query count varied: {sorted(counts)}")
    return {
        "timings": timings,
        "cpu": cpu,
        "database": database,
        "queries": counts.pop(),
        "slowest_queries": slowest[1],
    }


# The sources that existed before the child's record modules (referrals, the case, networks, panels).
FRONT_DOOR_KINDS = frozenset(
    {
        "referral",
        "custody",
        "decision",
        "information_request",
        "reachable_moment",
        "case",
        "panel",
        "network_link",
    }
)


@contextlib.contextmanager
def only_sources(kinds: frozenset[str], user: Any, person_id: Any) -> Iterator[int]:
    """The chronology with these sources alone, to show what each part of the union costs; yields the number
    of parts."""
    from cases.chronology import registry

    everything = registry._sources
    registry._sources = {kind: source for kind, source in everything.items() if kind in kinds}
    try:
        yield sum(
            len(events) if isinstance(events, tuple) else 1
            for events in (source.events(user, person_id) for source in registry._sources.values())
        )
    finally:
        registry._sources = everything


def union_count(user: Any, person_id: Any) -> int:
    from cases.chronology.selectors import chronology_events

    events = chronology_events(user=user, person_id=person_id)
    return events.count() if events is not None else 0


def explain(queries: list[dict[str, Any]]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest query of the slowest read."""
    from django.db import connection

    slowest = max(queries, key=lambda q: float(q.get("time") or 0))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------


def last_line(p95: float) -> str:
    return f"chronology_p95_ms={p95:.1f}"


def section_text(info: dict[str, str], setup: dict[str, Any], runs: dict[str, dict[str, Any]]) -> str:
    mash, police, filtered, own, frozen = (
        runs[name] for name in ("mash", "police", "filtered", "own", "frozen")
    )
    p95 = percentile(mash["timings"], 95)
    verdict = f"target <= {TARGET_MS:g} ms: {'met' if p95 <= TARGET_MS else '**missed**'}"
    spread = ", ".join(
        f"{kind} {n:,}" for kind, n in sorted(setup["kinds"].items(), key=lambda item: -item[1])
    )

    def row(label: str, run: dict[str, Any]) -> list[str]:
        t, cpu, db = run["timings"], run["cpu"], run["database"]
        return [
            f"| {label}: median | {percentile(t, 50):.1f} ms | {percentile(cpu, 50):.1f} ms | "
            f"{percentile(db, 50):.1f} ms |",
            f"| {label}: p95 | {percentile(t, 95):.1f} ms | {percentile(cpu, 95):.1f} ms | "
            f"{percentile(db, 95):.1f} ms |",
            f"| {label}: slowest | {max(t):.1f} ms | {max(cpu):.1f} ms | {max(db):.1f} ms |",
        ]

    lines = [
        SECTION,
        "",
        f"Run {info['date']} with `make bench-chronology` (`python -m bench.chronology`), commit {info['commit']}.",
        "",
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']} memory, Linux {info['kernel']}; "
        f"PostgreSQL {info['postgres']} on the same machine; Python {info['python']}, Django {info['django']}. "
        f"Load average (1, 5, 15 min) at the start: {info['load']}; at the end: {info['load_end']}. The machine "
        "is shared: other processes' load is in these figures.",
        "",
        f"Set-up, on a database of its own (bench/panels_settings.py with database reachable_bench_chronology, "
        f"DEBUG off), bulk_created: one child with {setup['events']:,} events in the MASH's chronology over five "
        f"years ({spread}), {setup['sources']} registered sources in {setup['parts']} parts of the union (every "
        f"module's, most with nothing for this child); {OTHERS:,} other children with {setup['others']:,} "
        "referrals and as many reachable moments; then VACUUM ANALYZE "
        f"({setup['load_s']:.0f} s in all). Police see {setup['police_events']:,} of the child's events (a third "
        "of the referrals are theirs to see; C-coded answers for social care only are not).",
        "",
        "| Measure | Wall clock (the target) | CPU of the Django process | Queries' own time |",
        "|---|---:|---:|---:|",
        *row(f"First page as the MASH, {len(mash['timings'])} GETs", mash),
        *row(f"First page as the MASH after `gc.freeze()`, {len(frozen['timings'])} GETs", frozen),
        *row(f"First page as police, {len(police['timings'])} GETs", police),
        *row(f"Filtered (3 types, a date range), {len(filtered['timings'])} GETs", filtered),
        *row(
            f"Same after `gc.freeze()`, the {setup['own_parts']} parts of referrals', cases' and panels' sources "
            f"alone, {len(own['timings'])} GETs",
            own,
        ),
        "",
        f"- *First page*: `GET /chronology/<child>/` through Django's test client with a signed-in, two-factor "
        "session: middleware, `access_person`, the union of every source's events for the reader (each scoped by "
        "its own access rules) read for its first 26 rows (25 shown, one to know a next page follows: no COUNT), "
        f"the audit row, the template. {mash['queries']} queries on every request (asserted; police "
        f"{police['queries']}, filtered {filtered['queries']}), of which the chronology's own are the access "
        f"check, the page and the audit INSERT. p95 **{p95:.1f} ms** ({verdict}).",
        "- *CPU of the Django process*: `time.process_time()` across the same GET: building every source's "
        "queryset, compiling the union, the template (the database server's work is not in it). *Queries' own "
        "time*: the sum of the captured queries' times (planning and execution in PostgreSQL, and the round trips).",
        f"- The first {WARM_UP} GETs of each series warm the caches and are not counted.",
        "- *After `gc.freeze()`*: the same GETs once the objects made at start-up (Django's apps, URL resolvers, "
        "templates, the modules) are moved out of the garbage collector's sight, as a server can do once it has "
        "loaded the application. Without it, every few requests a full collection walks all of them, mid-request: "
        f"the slow tail of the first series (p95 {percentile(mash['timings'], 95):.0f} ms against "
        f"{percentile(frozen['timings'], 95):.0f} ms).",
    ]
    extra_parts = setup["parts"] - setup["own_parts"]
    if extra_parts > 0:
        per_part = (percentile(frozen["cpu"], 50) - percentile(own["cpu"], 50)) / extra_parts
        lines.append(
            f"- *Each part of the union costs*: about {per_part:.1f} ms of the Django process's CPU at the median "
            f"(the {extra_parts} parts of the child's record modules, which have no events for this child: the "
            "page after `gc.freeze()` with and without them): building the source's scoped queryset, then "
            "compiling it into the union, on every page view. PostgreSQL plans each part too, and finds no rows in "
            "the empty ones."
        )
    if p95 > TARGET_MS:
        lines.append(
            "  Why the target is missed: the Django process's CPU (median "
            f"{percentile(mash['cpu'], 50):.0f} ms) is most of the page, and most of that is the union's "
            f"{setup['parts']} parts built and compiled again on every request; the queries take "
            f"{percentile(mash['database'], 50):.0f} ms at the median. No index changes this: every part already "
            "finds the child's rows by an index on its person or parent key, and sorting 5,000 rows for the first "
            "25 is a small part of the query."
        )
    lines += ["", "Last line:", "", "```", last_line(p95), "```", ""]
    return "\n".join(lines)


def run() -> float:
    import django

    django.setup()
    from django.core.management import call_command

    from cases.chronology.registry import chronology_sources
    from cases.chronology.selectors import chronology_events

    log(f"database {_database_name()}: create and migrate")
    database_recreate(_database_name())
    try:
        call_command("migrate", verbosity=0)
        info = machine_info()
        rng = random.Random(14)
        started = time.monotonic()
        world = world_create()
        kinds = story_load(world, rng)
        others = others_load(world, rng)
        vacuum()
        load_s = time.monotonic() - started
        person_id = world["case"].person_id
        events = union_count(world["mash"], person_id)
        police_events = union_count(world["officer"], person_id)
        events_parts = chronology_events(user=world["mash"], person_id=person_id)
        assert events_parts is not None
        parts = 1 + len(events_parts.query.combined_queries)
        log(f"loaded in {load_s:.0f} s: {events:,} events for the MASH, {police_events:,} for police")
        if events < EVENTS:
            raise BenchFailed(f"the child has {events} events, fewer than {EVENTS}")
        url = f"/chronology/{person_id}/"
        filtered = (
            f"{url}?kind=referral&kind=information_request&kind=reachable_moment"
            f"&from_date_day=1&from_date_month=1&from_date_year={date.today().year - 3}"
        )
        log(f"timing {READS} first pages as the MASH")
        runs = {"mash": page_time(world["mash"], url, READS, 25)}
        log(f"timing {READS // 10} first pages as police, {READS // 10} filtered")
        runs["police"] = page_time(world["officer"], url, max(1, READS // 10), 25)
        runs["filtered"] = page_time(world["mash"], filtered, max(1, READS // 10), 25)
        log(f"timing {READS} first pages as the MASH after gc.freeze(), and with fewer sources")
        gc.collect()
        gc.freeze()
        try:
            runs["frozen"] = page_time(world["mash"], url, READS, 25)
            # Compared with the series above (both frozen), what the child's record modules' parts cost.
            with only_sources(FRONT_DOOR_KINDS, world["mash"], person_id) as own_parts:
                runs["own"] = page_time(world["mash"], url, READS, 25)
        finally:
            gc.unfreeze()
        info["load_end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
        p95 = percentile(runs["mash"]["timings"], 95)
        if p95 > TARGET_MS:
            log(
                "target missed; the slowest page's slowest query:\n"
                + explain(runs["mash"]["slowest_queries"])
            )
        setup = {
            "events": events,
            "police_events": police_events,
            "kinds": kinds,
            "others": others,
            "load_s": load_s,
            "sources": len(chronology_sources()),
            "parts": parts,
            "own_parts": own_parts,
        }
        section = section_text(info, setup, runs)
        print("\n" + section, flush=True)
        if WRITE_DOC:
            doc_write_section(SECTION, section)
            log(f"wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}")
        return p95
    finally:
        if KEEP_DB:
            log(f"kept database {_database_name()} (BENCH_KEEP_DB)")
        else:
            database_drop(_database_name())


def main() -> int:
    try:
        with terminated_by_signals():
            p95 = run()
    except BenchFailed as error:
        print(f"\nBENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:
        print(f"\nBENCHMARK INTERRUPTED ({error or 'Ctrl-C'}); its database was dropped.", file=sys.stderr)
        return 130
    print(last_line(p95), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
