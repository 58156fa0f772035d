"""The managers' SLA dashboard: figures worked out by hand from a small fixture, scope by role and authority,
the drill-down lists, the CSV export and its audit row, and exact query counts."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from referrals.services import mash_decision_record
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import (
    DeadlineSubject,
    deadline_cancel,
    deadline_meet,
    deadline_pause,
    deadline_start,
    now_from_database,
)
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, count_queries, verified_client, world_referral

SHIFTED_FIELDS = (
    "started_at",
    "due_at",
    "warn_at",
    "met_at",
    "breached_at",
    "detected_at",
    "second_escalation_at",
    "paused_at",
)


def _clock(
    world: World,
    *,
    ago: timedelta,
    policy: PolicyCode = PolicyCode.GOLDEN_HOUR,
    agency: Agency | None = None,
    owner: User | None = None,
    label: str = "custody booking",
) -> Deadline:
    return deadline_start(
        policy=policy,
        subject=DeadlineSubject(
            subject_type="case",
            subject_id=world.case.pk,
            label=label,
            local_authority_id=world.case.local_authority_id,
            person_id=world.case.person_id,
            case_id=world.case.pk,
        ),
        started_at=now_from_database() - ago,
        owning_agency=agency or world.social_care,
        owner=owner,
        actor=world.mash,
    )


def _met(world: World, *, after_minutes: int, days_ago: float, agency: Agency | None = None) -> Deadline:
    """A Golden Hour met exactly `after_minutes` after it started (late if over 60), `days_ago` days ago."""
    clock = _clock(
        world,
        ago=timedelta(minutes=after_minutes + 1),
        agency=agency,
        owner=world.police_officer if agency is not None else world.mash,
    )
    deadline_meet(
        deadline_id=clock.pk, actor=world.mash, met_at=clock.started_at + timedelta(minutes=after_minutes)
    )
    by = timedelta(days=days_ago)
    Deadline.objects.filter(pk=clock.pk).update(**{name: F(name) - by for name in SHIFTED_FIELDS})
    return clock


@dataclass
class Fixture:
    mash_manager: User
    police_manager: User
    auditor: User
    clocks: dict[str, Deadline]


@pytest.fixture
def fixture(world: World) -> Fixture:
    """Open clocks (now):
        a  Golden Hour, social care, started 50 min ago: running, due within 1 h and 24 h
        b  Urgent response, social care, started 30 h ago: running, due within 24 h
        c  Urgent response, social care, started 1 h ago: running
        d  Golden Hour, social care, started 2 h ago: breached and still open
        e  Return home interview, social care: paused
        f  Golden Hour, police, started 30 min ago: running, due within 1 h and 24 h
        q  Urgent response, social care, nobody owns it, started 10 min ago: running
    Golden Hours met or cancelled (minutes to meet, when):
        g 20 (1 day ago), h 40 (2 days), n 50 (3 days), i 90 late (3 days), p 10 police (1 day),
        k 55 (10 weeks), l 120 late (20 weeks), m 10 (30 weeks: outside both windows),
        j cancelled before it was due (counts for neither)."""
    clocks = {
        "a": _clock(world, ago=timedelta(minutes=50), owner=world.mash),
        "b": _clock(world, ago=timedelta(hours=30), policy=PolicyCode.URGENT_RESPONSE, owner=world.mash),
        "c": _clock(world, ago=timedelta(hours=1), policy=PolicyCode.URGENT_RESPONSE, owner=world.mash),
        "d": _clock(world, ago=timedelta(hours=2), owner=world.mash),
        "e": _clock(world, ago=timedelta(hours=1), policy=PolicyCode.RETURN_HOME_INTERVIEW, owner=world.mash),
        "f": _clock(world, ago=timedelta(minutes=30), agency=world.police, owner=world.police_officer),
        "q": _clock(world, ago=timedelta(minutes=10), policy=PolicyCode.URGENT_RESPONSE),
        "g": _met(world, after_minutes=20, days_ago=1),
        "h": _met(world, after_minutes=40, days_ago=2),
        "n": _met(world, after_minutes=50, days_ago=3),
        "i": _met(world, after_minutes=90, days_ago=3),
        "p": _met(world, after_minutes=10, days_ago=1, agency=world.police),
        "k": _met(world, after_minutes=55, days_ago=70),
        "l": _met(world, after_minutes=120, days_ago=140),
        "m": _met(world, after_minutes=10, days_ago=210),
        "j": _clock(world, ago=timedelta(minutes=10), owner=world.mash),
    }
    deadline_pause(deadline_id=clocks["e"].pk, actor=world.mash, reason="Child in hospital")
    deadline_cancel(deadline_id=clocks["j"].pk, actor=world.mash, reason="Booked in error")
    return Fixture(
        mash_manager=factories.user(world.social_care, Role.MASH_MANAGER, username="maggie"),
        police_manager=factories.user(world.police, Role.AGENCY_MANAGER, username="pat"),
        auditor=factories.user(world.housing, Role.AUDITOR, username="audrey"),
        clocks=clocks,
    )


def _figures(response: Any) -> dict[str, int]:
    return {figure["name"]: figure["count"] for figure in response.context["figures"]}


def _policy(response: Any, code: PolicyCode) -> dict[str, tuple[str, int, int, str]]:
    [row] = [p for p in response.context["policies"] if p.code == code.value]
    return {w.window: (w.percent, w.met_in_time, w.closed, w.median) for w in row.windows}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["mash_manager", "auditor"])
def test_authority_wide_figures(world: World, fixture: Fixture, who: str) -> None:
    response = verified_client(getattr(fixture, who)).get("/deadlines/dashboard/")
    assert response.status_code == 200
    assert _figures(response) == {"running": 5, "due_1h": 2, "due_24h": 3, "breached_open": 1, "paused": 1}
    # 4 weeks: met in time g h n p (4) of g h n i p d (6) = 66.7%; median of 10 20 40 50 90 = 40 minutes.
    # 26 weeks: adds k (in time) and l (late): 5 of 8 = 62.5%, rounded half up; median of
    # 10 20 40 50 55 90 120 = 50 minutes.
    assert _policy(response, PolicyCode.GOLDEN_HOUR) == {
        "4w": ("67%", 4, 6, "40 minutes"),
        "26w": ("63%", 5, 8, "50 minutes"),
    }
    assert _policy(response, PolicyCode.URGENT_RESPONSE) == {"4w": ("", 0, 0, ""), "26w": ("", 0, 0, "")}
    html = response.content.decode()
    assert "None met or breached" in html
    assert 'hx-get="/deadlines/dashboard/figures/" hx-trigger="every 30s"' in html
    assert 'href="/deadlines/dashboard/list/?filter=due_1h"' in html
    assert 'href="/deadlines/dashboard/list/?filter=closed&amp;window=26w&amp;policy=golden_hour"' in html


@pytest.mark.django_db
def test_median_interpolates_between_the_middle_two(world: World, fixture: Fixture) -> None:
    # Without p (10 minutes), 4 weeks has 20 40 50 90: the median is halfway between 40 and 50.
    Deadline.objects.filter(pk=fixture.clocks["p"].pk).update(
        **{name: F(name) - timedelta(weeks=40) for name in SHIFTED_FIELDS}
    )
    response = verified_client(fixture.mash_manager).get("/deadlines/dashboard/")
    assert _policy(response, PolicyCode.GOLDEN_HOUR)["4w"] == ("60%", 3, 5, "45 minutes")
    # 26 weeks: 20 40 50 55 90 120, halfway between 50 and 55.
    assert _policy(response, PolicyCode.GOLDEN_HOUR)["26w"] == ("57%", 4, 7, "52 minutes 30 seconds")


@pytest.mark.django_db
def test_breakdown_by_agency_and_by_worker(world: World, fixture: Fixture) -> None:
    response = verified_client(fixture.mash_manager).get("/deadlines/dashboard/")
    columns = ("running", "due_1h", "due_24h", "breached_open", "paused", "met_in_time_4w", "closed_4w")
    by_agency = {row["name"]: tuple(row[c] for c in columns) for row in response.context["by_agency"]}
    assert by_agency == {
        "Northbridge Children's Social Care": (4, 1, 2, 1, 1, 3, 5),
        "Northbridge Police": (1, 1, 1, 0, 0, 1, 1),
    }
    by_worker = {
        (row["owner_id"], row["owning_agency__name"]): tuple(row[c] for c in columns)
        for row in response.context["by_worker"]
    }
    assert by_worker == {
        (world.mash.pk, "Northbridge Children's Social Care"): (3, 1, 2, 1, 1, 3, 5),
        (world.police_officer.pk, "Northbridge Police"): (1, 1, 1, 0, 0, 1, 1),
        (None, "Northbridge Children's Social Care"): (1, 0, 0, 0, 0, 0, 0),
    }
    [nobody] = [row for row in response.context["by_worker"] if row["owner_id"] is None]
    assert nobody["name"] == "Nobody (not allocated)"
    assert nobody["urls"]["running"] == "/deadlines/dashboard/list/?filter=running&owner=none"


@pytest.mark.django_db
def test_agency_manager_sees_only_their_agency(world: World, fixture: Fixture) -> None:
    response = verified_client(fixture.police_manager).get("/deadlines/dashboard/")
    assert response.status_code == 200
    assert _figures(response) == {"running": 1, "due_1h": 1, "due_24h": 1, "breached_open": 0, "paused": 0}
    assert _policy(response, PolicyCode.GOLDEN_HOUR) == {
        "4w": ("100%", 1, 1, "10 minutes"),
        "26w": ("100%", 1, 1, "10 minutes"),
    }
    assert [row["name"] for row in response.context["by_agency"]] == ["Northbridge Police"]
    # Asking for another agency's clocks by editing the link finds none.
    listing = verified_client(fixture.police_manager).get(
        f"/deadlines/dashboard/list/?filter=running&agency={world.social_care.pk}"
    )
    assert listing.status_code == 200 and listing.context["rows"] == []


@pytest.mark.django_db
def test_another_authority_sees_none_of_these_clocks(world: World, fixture: Fixture) -> None:
    manager = factories.user(world.other_la_agency, Role.MASH_MANAGER)
    response = verified_client(manager).get("/deadlines/dashboard/")
    assert _figures(response) == {"running": 0, "due_1h": 0, "due_24h": 0, "breached_open": 0, "paused": 0}
    assert response.context["by_agency"] == [] and response.context["by_worker"] == []
    assert "No agency has open clocks" in response.content.decode()
    listing = verified_client(manager).get("/deadlines/dashboard/list/?filter=running")
    assert listing.context["rows"] == []
    assert "No clocks match." in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["mash", "police_officer", "housing_officer", "stranger", "admin"])
def test_practitioners_and_outsiders_get_404(world: World, fixture: Fixture, persona: str) -> None:
    client = verified_client(getattr(world, persona))
    for url in [
        "/deadlines/dashboard/",
        "/deadlines/dashboard/figures/",
        "/deadlines/dashboard/list/?filter=running",
        "/deadlines/dashboard/list/?filter=running&format=csv",
    ]:
        assert client.get(url).status_code == 404, url
    assert 'href="/deadlines/dashboard/"' not in client.get("/").content.decode(), "no menu item either"


@pytest.mark.django_db
def test_managers_have_a_deadlines_menu_item(world: World, fixture: Fixture) -> None:
    html = verified_client(fixture.mash_manager).get("/").content.decode()
    assert '<a class="govuk-service-navigation__link" href="/deadlines/dashboard/">Deadlines</a>' in html


@pytest.mark.django_db
def test_figures_partial_is_the_figures_alone(world: World, fixture: Fixture) -> None:
    response = verified_client(fixture.mash_manager).get(
        "/deadlines/dashboard/figures/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-figures"') and "<html" not in html
    assert _figures(response)["running"] == 5


def _ids(response: Any) -> list[uuid.UUID]:
    return [row.deadline.pk for row in response.context["rows"]]


@pytest.mark.django_db
def test_drill_down_lists_the_clocks_behind_each_figure(world: World, fixture: Fixture) -> None:
    client = verified_client(fixture.mash_manager)
    c = fixture.clocks
    response = client.get("/deadlines/dashboard/list/?filter=due_1h")
    assert _ids(response) == [c["a"].pk, c["f"].pk], "soonest due first"
    assert _ids(client.get("/deadlines/dashboard/list/?filter=due_1h&sort=-due")) == [c["f"].pk, c["a"].pk]
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Due within 1 hour</h1>' in html
    assert 'aria-sort="ascending"' in html
    assert f'href="/cases/{world.case.pk}/"' in html

    closed = client.get("/deadlines/dashboard/list/?filter=closed&window=4w&policy=golden_hour")
    assert set(_ids(closed)) == {c[k].pk for k in "ghnipd"}
    met = client.get("/deadlines/dashboard/list/?filter=met&window=26w&policy=golden_hour")
    assert set(_ids(met)) == {c[k].pk for k in "ghnipkl"}
    assert _ids(client.get("/deadlines/dashboard/list/?filter=running&owner=none")) == [c["q"].pk]
    police = client.get(f"/deadlines/dashboard/list/?filter=running&agency={world.police.pk}")
    assert _ids(police) == [c["f"].pk]
    # Nonsense in the query string falls back rather than failing.
    assert (
        client.get("/deadlines/dashboard/list/?filter=bogus&window=9w&agency=x&owner=y&sort=z").status_code
        == 200
    )


@pytest.mark.django_db
def test_drill_down_is_paginated_and_audited(world: World, fixture: Fixture) -> None:
    for minutes in range(30):
        _clock(world, ago=timedelta(minutes=minutes), policy=PolicyCode.URGENT_RESPONSE, owner=world.mash)
    client = verified_client(fixture.mash_manager)
    before = AuditEvent.objects.filter(actor=fixture.mash_manager, action="list").count()
    response = client.get("/deadlines/dashboard/list/?filter=running")
    assert response.context["page_obj"].paginator.count == 35
    assert len(response.context["rows"]) == 25
    assert "?filter=running&amp;page=2" in response.content.decode()
    assert AuditEvent.objects.filter(actor=fixture.mash_manager, action="list").count() == before + 1
    event = AuditEvent.objects.filter(actor=fixture.mash_manager, action="list").first()
    assert event is not None and event.person_ids == [world.case.person_id]


@pytest.mark.django_db
def test_csv_export_holds_the_list_and_is_audited(world: World, fixture: Fixture) -> None:
    formula = _clock(world, ago=timedelta(minutes=5), label='=HYPERLINK("http://evil.example")')
    client = verified_client(fixture.mash_manager)
    response = client.get("/deadlines/dashboard/list/?filter=due_24h&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="clocks-due_24h-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Clock ID", "Policy", "About"]
    by_id = {row[0]: row for row in rows[1:]}
    c = fixture.clocks
    assert set(by_id) == {str(c[k].pk) for k in "abf"} | {str(formula.pk)}
    assert by_id[str(c["f"].pk)][1] == "Golden Hour (custody)"
    assert by_id[str(c["f"].pk)][5:8] == [str(world.case.pk), f"Case {world.case.pk}", "Northbridge Police"]
    assert by_id[str(c["f"].pk)][11] == "Running"
    assert by_id[str(formula.pk)][2] == '\'=HYPERLINK("http://evil.example")', "no formulas in the CSV"
    event = AuditEvent.objects.filter(actor=fixture.mash_manager, action="export").get()
    assert event.person_ids == [world.case.person_id]
    assert event.changes["rows"] == 4 and event.changes["filter"] == {"filter": "due_24h"}


@pytest.mark.django_db
def test_every_exported_clock_names_its_case_and_front_door_clocks_join_the_case_decided(
    world: World, fixture: Fixture
) -> None:
    """A referral's clocks have no case until the MASH decides; the export says so, then names the case the
    decision led to (here the sentinel's open case)."""
    referral = world_referral(world)
    client = verified_client(fixture.mash_manager)

    def references() -> dict[str, str]:
        response = client.get("/deadlines/dashboard/list/?filter=closed&window=4w&format=csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        running = list(
            csv.reader(
                io.StringIO(
                    client.get("/deadlines/dashboard/list/?filter=running&format=csv").content.decode()
                )
            )
        )
        assert rows[0][6] == running[0][6] == "Case reference"
        return {row[0]: row[6] for row in [*rows[1:], *running[1:]]}

    golden = Deadline.objects.get(subject_type="custody_booking", policy=PolicyCode.GOLDEN_HOUR)
    assert references()[str(golden.pk)].startswith("No case yet: custody booking ")
    mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="assessment",
        rationale="Needs support.",
    )
    after = references()
    for clock in Deadline.objects.filter(subject_id__in=[referral.pk, golden.subject_id]):
        assert after[str(clock.pk)] == f"Case {world.case.pk}", clock
    assert all(value for value in after.values()), "every exported row has its case reference"


@pytest.mark.django_db
def test_the_dashboard_summary_exports_as_csv_audited(world: World, fixture: Fixture) -> None:
    client = verified_client(fixture.mash_manager)
    response = client.get("/deadlines/dashboard/?format=csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="deadlines-dashboard-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    sections = {row[0] for row in rows if row[0] != "Section"}
    assert sections == {"Open now", "Met within time, by policy", "By agency", "By worker"}
    page = client.get("/deadlines/dashboard/")
    shown = _figures(page)
    exported = {row[1]: int(row[2]) for row in rows if row[0] == "Open now"}
    assert sorted(exported.values()) == sorted(shown.values())
    assert 'href="?format=csv"' in page.content.decode()
    assert (
        AuditEvent.objects.filter(
            actor=fixture.mash_manager, action="export", object_type="deadline_dashboard"
        ).count()
        == 1
    )
    # Practitioners get the same 404 as for the dashboard itself.
    assert verified_client(world.police_officer).get("/deadlines/dashboard/?format=csv").status_code == 404


# --- Query counts ------------------------------------------------------------------------------------------

# Every two-factor page: session, user, OTP device, role groups, agency (as tests/test_query_counts.py).
SESSION_PAGE = 5
# The header's unread notification count.
UNREAD_BADGE = 1
# Session write-back: savepoint, UPDATE, release.
SESSION_SAVE = 3


def _grow(world: World) -> None:
    """More clocks, in more agencies, owned by more workers."""
    for i in range(6):
        agency = factories.agency(world.case.local_authority, name=f"Growth agency {i}")
        worker = factories.user(agency, Role.AGENCY_PRACTITIONER)
        for minutes in (5, 50, 120):
            _clock(world, ago=timedelta(minutes=minutes + i), agency=agency, owner=worker)
        _met(world, after_minutes=15 + i, days_ago=i, agency=agency)


@pytest.mark.django_db
def test_dashboard_query_count_is_constant(world: World, fixture: Fixture) -> None:
    client = verified_client(fixture.mash_manager)
    # open figures, per-policy figures, by agency, by worker
    expected = SESSION_PAGE + UNREAD_BADGE + 4 + SESSION_SAVE
    assert count_queries(client, "/deadlines/dashboard/") == expected
    _grow(world)
    assert count_queries(client, "/deadlines/dashboard/") == expected
    # The refreshing partial: the same four, and no header.
    assert count_queries(client, "/deadlines/dashboard/figures/") == expected - UNREAD_BADGE


@pytest.mark.django_db
def test_drill_down_query_count_is_constant(world: World, fixture: Fixture) -> None:
    client = verified_client(fixture.mash_manager)
    url = "/deadlines/dashboard/list/?filter=running"
    # pagination count, page rows (with agency and owner), audit INSERT
    expected = SESSION_PAGE + UNREAD_BADGE + 3 + SESSION_SAVE
    assert count_queries(client, url) == expected
    _grow(world)
    assert count_queries(client, url) == expected
