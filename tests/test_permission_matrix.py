"""Walks every URL pattern the project has, found by enumerating the URL resolver, as every persona, and
fails on any leak: reads (GET) and writes (POST, PUT, PATCH, DELETE, after which nothing in the database may
have changed). A route added later is covered without anyone remembering to add it here; a route with a
parameter this test cannot fill fails loudly until someone teaches it how."""

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.networks.models import Context, Link
from cases.networks.services import LinkData, context_create, link_add
from panels.models import AgendaItem, Panel, PanelKind
from panels.services import (
    agenda_build,
    attendance_record,
    meeting_publish_pack,
    meeting_schedule,
    minutes_save,
    panel_action_agree,
    panel_referral_create,
    risk_assessment_save,
)
from referrals.models import CustodyBooking
from referrals.services import custody_booking_create
from safeguarding.accounts.models import ApiToken
from safeguarding.deadlines.models import Deadline
from tests.conftest import (
    SENTINEL_FAMILY_NAME,
    SENTINEL_GIVEN_NAME,
    SENTINEL_NHS_NUMBER,
    World,
    token_client,
    verified_client,
    world_police_request,
    world_referral,
)
from tests.deadlines.conftest import start_clock
from tests.matrix import AREAS

# Routes anyone may open without signing in (and which hold no person data).
PUBLIC_ROUTES = {"accounts:sign-in", "accounts:signed-out", "healthz"}
# Routes for the half-signed-in (password done, two-factor pending); they redirect when not signed in.
SIGN_IN_FLOW_ROUTES = {"accounts:two-factor", "accounts:sign-out"}
# Routes that only accept POST; a GET must be refused without side effects. A signed-in GET answers 405
# before anything is looked up, which says nothing about the record its URL names (so not 404), shows nothing
# and reads nothing; their POSTs are checked with the other writes below.
POST_ONLY_ROUTES = {
    "accounts:sign-out",
    "panels:schedule",
    "panels:referral-close",
    "panels:agenda-build",
    "panels:agenda-add",
    "panels:agenda-arrange",
    "panels:publish",
    "panels:start",
    "panels:attendance-add",
    "panels:attendance-remove",
    "panels:minutes",
    "panels:minutes-approve",
    "panels:action-agree",
    "panels:plan-send",
    "api-v1:panel-meeting-attendance",
    "api-v1:panel-item-actions",
    "api-v1:panel-referral-list",
    "api-v1:link-list",
    "networks:link-status",
    "referrals:new-episode",
    "api-v1:emergency-attendance-list",
}
# Pages that change a panel meeting, which only its chairs and coordinator may: a member agency invited to the
# meeting (police) already sees it, so it is refused with 403 rather than told it is missing (panels/access.py),
# and shown nothing of it.
MEMBER_REFUSED_ROUTES = {"panels:minutes-amend"}
# Networks: a context (a place, a group) is a record of its authority, seen by every case-data reader there
# (cases/networks/access.py), so a route that names only a context is open to housing (same authority, not
# shared the sentinel), who must still see nothing of her; another authority and the administrator get 404.
AUTHORITY_PARAMS = {"context_id"}
SAME_AUTHORITY_OUTSIDERS = {"housing_officer"}
# Of those, the routes that show the context's own record and no person: an insider sees no sentinel there and
# no audited read is written. Every other context route (its network) shows her, audited once.
CONTEXT_RECORD_ROUTES = {
    "api-v1:context-detail",
    "networks:context-edit",
    "networks:context-history",
    "panels:refer-context",
}
# Django's static-serving and admin internals that are not pages of ours.
IGNORED_PATTERN_PREFIXES = ("static/", "media/")


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # e.g. "cases/<uuid:case_id>/"
    params: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.template.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")

    @property
    def is_object_route(self) -> bool:
        return any(
            p
            in {
                "person_id",
                "case_id",
                "referral_id",
                "request_id",
                # Panels: a meeting, an item and an action show the sentinel; so does her referral to the panel.
                "meeting_id",
                "item_id",
                "action_id",
                "panel_referral_id",
                # Networks: alice's C-coded link between the sentinel and a place, for social care and police.
                "link_id",
                # The child's record: each module's records of the sentinel (tests/matrix/).
                *(param for area in AREAS for param in area.OBJECT_PARAMS),
            }
            for p in self.params
        )

    @property
    def is_context_route(self) -> bool:
        """Names a context and nothing of the sentinel's that would make it an object route."""
        return bool(AUTHORITY_PARAMS & set(self.params)) and not self.is_object_route


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:  # type: ignore[type-arg]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            template = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or template)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", template)) + tuple(
                re.findall(r"\(\?P<(\w+)>", template)
            )
            yield Route(name=name, template=template, params=params)


def all_routes() -> list[Route]:
    routes = [
        r for r in _walk(get_resolver().url_patterns) if not r.template.startswith(IGNORED_PATTERN_PREFIXES)
    ]
    assert len(routes) > 20, "URL enumeration found suspiciously few routes"
    return routes


def _sentinel_custody_booking_id(world: World) -> str:
    """A custody booking about the sentinel child, recorded by the MASH the first time it is needed."""
    booking_id = (
        CustodyBooking.objects.filter(referral__person_id=world.case.person_id)
        .values_list("pk", flat=True)
        .first()
    )
    if booking_id is None:
        referral = custody_booking_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            referral_data={
                "concerns": ["cce"],
                "narrative": "Arrested with cash and two phones.",
                "consent": "not_sought",
                "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
                "lawful_basis": "dpa2018_sch1_para18",
            },
            booking_data={
                "police_force": "Northbridge Police",
                "custody_suite": "Northbridge Central",
                "booked_in_at": timezone.now() - timedelta(minutes=10),
                "arrest_reason": "Possession with intent to supply",
                "appropriate_adult": "requested",
            },
            idempotency_key="permission-matrix-booking",
            person=world.case.person,
        )
        booking_id = referral.custody_booking.pk
    return str(booking_id)


MATRIX_PANEL_NAME = "Northbridge Exploitation and Risk Panel"


def _sentinel_panel_ids(world: World) -> dict[str, str]:
    """A panel of the world's authority coordinated by alice (MASH), whose members are social care and police
    only: charlie (housing) is an outsider to it. Bob (police) referred the sentinel; her item is on the agenda
    of a meeting inviting social care and police, assessed, with an action police own, police's attendance and
    minutes that name her. Made the first time a route needs it; made at the start, its clocks and audit rows
    would change the counts of every test that uses the world. Not linked to the sentinel's case, so that the
    case's clocks (deadline_id) stay what they were."""
    item = (
        AgendaItem.objects.filter(
            meeting__panel__name=MATRIX_PANEL_NAME,
            meeting__local_authority_id=world.social_care.local_authority_id,
            referral__person_id=world.case.person_id,
        )
        .select_related("meeting")
        .first()
    )
    if item is None:
        panel = Panel.objects.create(
            local_authority_id=world.social_care.local_authority_id,
            name=MATRIX_PANEL_NAME,
            kind=PanelKind.ERP,
            coordinator=world.mash,
        )
        panel.member_agencies.set([world.social_care, world.police])
        panel_referral_create(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            panel=panel,
            about=world.case.person,
            data={
                "reason": "Found two counties away with cash and two phones.",
                "exploitation_types": ["criminal", "county_lines"],
                "current_risk": "high",
            },
        )
        meeting = meeting_schedule(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            panel=panel,
            scheduled_for=timezone.now(),
            invited_agencies=[world.social_care, world.police],
        )
        [item] = agenda_build(actor=world.mash, context=SYSTEM_CONTEXT, meeting=meeting)
        risk_assessment_save(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            item=item,
            answers={"missing": "last_6_months", "drugs_or_cash": "last_6_months"},
            text={"evidence": "Missing twice this month; found with cash."},
        )
        panel_action_agree(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            item=item,
            description="Check the address she was found at",
            owner_agency=world.police,
            owner=world.police_officer,
            due_date=timezone.localdate() + timedelta(days=7),
        )
        attendance_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            meeting=meeting,
            agency=world.police,
            data={"name": "Bob Officer", "kind": "present"},
        )
        minutes_save(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            meeting=meeting,
            minutes=f"{SENTINEL_GIVEN_NAME} {SENTINEL_FAMILY_NAME}: risk high; police to check the address.",
            expected_version=1,
        )
        # Published, so the invited members may read the pack.
        meeting_publish_pack(actor=world.mash, context=SYSTEM_CONTEXT, meeting=meeting)
    meeting = item.meeting
    return {
        "panel_id": str(meeting.panel_id),
        "meeting_id": str(meeting.pk),
        "item_id": str(item.pk),
        "panel_referral_id": str(item.referral_id),
        "action_id": str(item.actions_agreed.values_list("pk", flat=True).get()),
        "attendance_id": str(meeting.attendance.values_list("pk", flat=True).get()),
    }


MATRIX_CONTEXT_NAME = "Matrix Street Bus Station"


def _sentinel_network_ids(world: World) -> dict[str, str]:
    """A place of the world's authority recorded by alice (MASH), and alice's link from the sentinel to it,
    C-coded for children's social care and police only: bob (police) sees the link and the sentinel, charlie
    (housing) sees the place but neither the link nor her. Made the first time a route needs it (its review
    clock and audit rows would change the counts of every test that uses the world); not linked to her case,
    so the case's clocks (deadline_id) stay what they were."""
    context = Context.objects.filter(
        name=MATRIX_CONTEXT_NAME, local_authority_id=world.social_care.local_authority_id
    ).first()
    if context is None:
        context = context_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data={"kind": "transport_hub", "name": MATRIX_CONTEXT_NAME, "postcode": "NB1 1AA"},
        )
    link = Link.objects.filter(person_a_id=world.case.person_id, context_b=context).first()
    if link is None:
        link, _ = link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=world.case.person,
            b=context,
            data=LinkData(
                link_type="frequents",
                source="Return home interview",
                handling_code="C",
                handling_agency_types=("childrens_social_care", "police"),
                handling_conditions="Social care and police only",
            ),
        )
    return {"context_id": str(context.pk), "link_id": str(link.pk)}


def build_url(route: Route, world: World) -> str:
    """Fill each parameter with a value that makes the route point at the sentinel's data."""
    values = {
        "person_id": str(world.case.person_id),
        "case_id": str(world.case.pk),
        # Admin: the object is the administrator's own user row / the lead agency; both exist.
        "object_id": str(world.admin.pk),
        "app_label": "organisations",
        "content_type_id": "1",
        "pk": str(
            TOTPDevice.objects.get_or_create(user=world.admin, name="matrix", defaults={"confirmed": False})[
                0
            ].pk
        ),
        "id": str(world.admin.pk),
        "url": "",
        "format": ".json",
        # Deadlines: the sentinel case's clocks, and one clock of it (started the first time it is needed).
        "subject_type": "case",
        "subject_id": str(world.case.pk),
        "deadline_id": str(
            Deadline.objects.filter(case=world.case).values_list("pk", flat=True).first()
            or start_clock(world, ago=timedelta(minutes=5)).pk
        ),
        # Referrals API: a custody booking about the sentinel child.
        "booking_id": _sentinel_custody_booking_id(world),
        # Referral pages: alice's referral about the sentinel and its information request to police.
        "referral_id": str(world_referral(world).pk),
        "request_id": str(world_police_request(world).pk),
        # Panels: the sentinel on the agenda of a meeting of a panel housing is not a member of.
        **_sentinel_panel_ids(world),
        # Networks: the sentinel's link to a place, and the place.
        **_sentinel_network_ids(world),
        # The child's record: each module fills its own parameters (tests/matrix/), made on first use.
        **{
            param: make(world)
            for area in AREAS
            for param, make in area.SENTINEL_IDS.items()
            if param in route.params
        },
    }
    template = route.template
    if template.startswith("^") or "(?P<" in template:
        # Regex routes (admin catch-alls, DRF format suffixes): substitute named groups.
        def replace(match: re.Match[str]) -> str:
            return values.get(match.group(1), "x")

        template = re.sub(r"\(\?P<(\w+)>[^)]*\)", replace, template)
        template = template.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    missing = [p for p in route.params if p not in values]
    assert not missing, (
        f"{route.name}: the permission matrix does not know how to fill {missing}; add it to build_url"
    )
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], template)
    return "/" + url.lstrip("/")


def _contains_sentinel(body: bytes) -> bool:
    text = body.decode(errors="replace")
    return SENTINEL_FAMILY_NAME in text or SENTINEL_GIVEN_NAME in text or SENTINEL_NHS_NUMBER in text


def test_enumeration_covers_known_routes() -> None:
    names = {r.name for r in all_routes()}
    for expected in [
        "people:detail",
        "cases:detail",
        "api-v1:person-detail",
        "api-v1:case-list",
        "panels:meeting",
        "panels:item",
        "api-v1:panel-meeting-detail",
        "api-v1:panel-item-assessment",
        "api-v1:panel-action-detail",
        "api-v1:context-detail",
        "api-v1:context-network",
        "api-v1:link-detail",
        "api-v1:person-network",
        "healthz",
        "admin:index",
    ]:
        assert expected in names


@pytest.mark.django_db
def test_anonymous_reaches_nothing_private(world: World) -> None:
    client = Client()
    for route in all_routes():
        url = build_url(route, world)
        response = client.get(url)
        assert not _contains_sentinel(response.content), f"anonymous saw person data at {url}"
        if route.name in PUBLIC_ROUTES:
            assert response.status_code in (200, 503), (url, response.status_code)
        elif route.is_api:
            assert response.status_code in (401, 403), (url, response.status_code)
        else:
            assert response.status_code in (302, 405), (url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/sign-in/"), (url, response["Location"])


def _outsider_checks(client: Client, world: World, who: str, *, api_only: bool = False) -> None:
    for route in all_routes():
        if api_only and not route.is_api:
            continue  # a token authenticates API calls only; pages need a two-factor session
        url = build_url(route, world)
        response = client.get(url)
        assert not _contains_sentinel(response.content), f"{who} saw person data at {url}"
        if route.name in POST_ONLY_ROUTES:
            assert response.status_code == 405 and not _allows(response, "get"), (url, response.status_code)
        elif route.is_object_route or (route.is_context_route and who not in SAME_AUTHORITY_OUTSIDERS):
            assert response.status_code == 404, f"{who} got {response.status_code} (not 404) at {url}"
        assert response.status_code != 403 or route.is_admin, f"{who} got 403 (reveals existence) at {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_get_404_and_no_data_in_pages(world: World, persona: str) -> None:
    _outsider_checks(verified_client(getattr(world, persona)), world, persona)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_get_404_and_no_data_through_the_api(world: World, persona: str) -> None:
    _outsider_checks(token_client(getattr(world, persona)), world, persona, api_only=True)


@pytest.mark.django_db
def test_non_administrators_cannot_use_the_admin(world: World) -> None:
    client = verified_client(world.mash)
    for route in all_routes():
        if route.is_admin:
            response = client.get(build_url(route, world))
            assert response.status_code in (302, 403, 404), (route.name, response.status_code)


@pytest.mark.django_db
def test_administrator_reaches_the_admin(world: World) -> None:
    response = verified_client(world.admin).get("/admin/")
    assert response.status_code == 200
    response = verified_client(world.admin).get(f"/admin/organisations/user/{world.mash.pk}/change/")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["mash", "police_officer"])
def test_insiders_see_the_record_and_every_look_is_audited(world: World, persona: str) -> None:
    """Own agency (lead) and partner agency (shared): every object route answers, and each look at the
    person's data leaves an audit row naming them."""
    user = getattr(world, persona)
    for client, api_only in ((verified_client(user), False), (token_client(user), True)):
        for route in all_routes():
            if (
                not (route.is_object_route or route.is_context_route)
                or route.is_admin
                or (api_only and not route.is_api)
            ):
                continue
            url = build_url(route, world)
            before = AuditEvent.objects.filter(
                actor=user, person_ids__contains=[world.case.person_id]
            ).count()
            response = client.get(url)
            after = AuditEvent.objects.filter(actor=user, person_ids__contains=[world.case.person_id]).count()
            if route.name in POST_ONLY_ROUTES:
                assert response.status_code == 405, (url, response.status_code)
                assert not _allows(response, "get"), url
                assert not _contains_sentinel(response.content), url
                assert after == before, f"a GET of {url} wrote {after - before} audit rows"
                continue
            if response.status_code == 403:
                # A panel member who sees the meeting but does not run it, on a page that changes it.
                assert persona == "police_officer" and route.name in MEMBER_REFUSED_ROUTES, url
                assert not _contains_sentinel(response.content), url
                assert after == before, f"refused at {url}, yet {after - before} audit rows"
                continue
            if response.status_code == 404:
                # Write-only pages (change, share, open; the MASH's rating, decision and urgent response pages)
                # are not for a partner agency: still 404, never 403.
                assert persona == "police_officer" and route.name.split(":")[-1] in {
                    "edit",
                    "share",
                    "open",
                    "rate",
                    "decision",
                    "urgent-contact",
                }, url
                continue
            assert response.status_code == 200, (url, response.status_code)
            if route.name in CONTEXT_RECORD_ROUTES:
                # The record of a place: no person on it, so no audited read of her.
                assert not _contains_sentinel(response.content), url
                assert after == before, f"viewing {url} wrote {after - before} audit rows, expected none"
                continue
            if response["Content-Type"] == "application/pdf":
                # A PDF's text is in embedded font glyphs, not searchable here: it is a PDF, and
                # tests/panels/test_pack.py checks it is rendered from what the page shows.
                assert response.content.startswith(b"%PDF-"), url
            else:
                assert _contains_sentinel(response.content), url
            assert after == before + 1, f"viewing {url} wrote {after - before} audit rows, expected 1"


@pytest.mark.django_db
def test_list_routes_audit_the_people_shown(world: World) -> None:
    client = verified_client(world.mash)
    for url in ["/people/", "/cases/", "/api/v1/people/", "/api/v1/cases/"]:
        before = AuditEvent.objects.filter(action="list", person_ids__contains=[world.case.person_id]).count()
        response = client.get(url)
        assert response.status_code == 200
        assert _contains_sentinel(response.content)
        after = AuditEvent.objects.filter(action="list", person_ids__contains=[world.case.person_id]).count()
        assert after == before + 1, url


@pytest.mark.django_db
def test_random_ids_are_404_for_everyone(world: World) -> None:
    client = verified_client(world.mash)
    for url in [
        f"/people/{uuid.uuid4()}/",
        f"/cases/{uuid.uuid4()}/",
        f"/api/v1/cases/{uuid.uuid4()}/",
        f"/panels/meetings/{uuid.uuid4()}/",
        f"/api/v1/panel-meetings/{uuid.uuid4()}/",
        f"/api/v1/panel-actions/{uuid.uuid4()}/",
        f"/api/v1/people/{uuid.uuid4()}/network/",
        f"/api/v1/contexts/{uuid.uuid4()}/",
        f"/api/v1/contexts/{uuid.uuid4()}/network/",
        f"/api/v1/links/{uuid.uuid4()}/",
    ]:
        assert client.get(url).status_code == 404


# --- Writes ------------------------------------------------------------------------------------------------
#
# POST, PUT, PATCH and DELETE to every route as every outsider, each with the body an insider would send (the
# fields of the MASH's own form on that page, or the API's JSON of the record), so that a missing access check
# would really change something; and after each request, nothing in the database has changed.

WRITE_METHODS = ("post", "put", "patch", "delete")
# A route whose URL names the sentinel's data answers an outsider's write 404, or 405 where the route has no
# such method at all (which says nothing about the record).
SENTINEL_PARAMS = {
    "person_id",
    "case_id",
    "referral_id",
    "request_id",
    "deadline_id",
    "booking_id",
    "subject_id",
    "meeting_id",
    "item_id",
    "action_id",
    "panel_referral_id",
    "attendance_id",
    "link_id",
}
# What a request may change that is not case data: the requester's own session (saved on every request,
# removed by signing out) and a token's last-used stamp (written at most once a minute).
IGNORED_TABLES = {"django_session"}
IGNORED_COLUMNS = {ApiToken._meta.db_table: ["last_used_at"]}
# Signing out ends the requester's own session (and axes logs it): the rest of the sweep would then run
# signed out. tests/accounts covers it.
OWN_SESSION_ROUTES = {"accounts:sign-out"}


def database_snapshot() -> dict[str, str]:
    """A digest of every row of every table, in one query: a write anywhere (an INSERT, UPDATE or DELETE of
    any model, guardian grant, audit row or clock) changes its table's digest."""
    parts, params = [], []
    for table in sorted(set(connection.introspection.table_names()) - IGNORED_TABLES):
        row = "(to_jsonb(t) - %s::text[])::text"
        parts.append(
            f"SELECT %s, md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) "
            f"FROM {connection.ops.quote_name(table)} t"
        )
        ignored = IGNORED_COLUMNS.get(table, [])
        params += [table, ignored, ignored]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return dict(cursor.fetchall())


class FormFields(HTMLParser):
    """The fields a browser would submit from a page's forms: inputs with their values, checked boxes, the
    checked (or else the first) radio, each select's selected (or else first) option, textareas' text."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name, kind, value = a.get("name", ""), a.get("type", "text"), a.get("value", "")
        if tag == "input" and name and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.setdefault(name, []).append(value or "on")
            elif kind != "radio" or "checked" in a or name not in self.fields:
                self.fields[name] = [value]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][0] += data


@dataclass(frozen=True)
class Write:
    route: Route
    url: str
    form: dict[str, list[str]]  # for pages
    json_body: dict[str, object]  # for the API

    @property
    def has_body(self) -> bool:
        return bool(self.form or self.json_body)


def insiders_writes(world: World, *, signed_in: bool, skip_admin: bool = False) -> list[Write]:
    """Every route's URL with the body an insider (the MASH) would write there, read from its own GET."""
    pages, api = verified_client(world.mash), token_client(world.mash)
    writes = []
    for route in all_routes():
        if (skip_admin and route.is_admin) or (signed_in and route.name in OWN_SESSION_ROUTES):
            continue
        url = build_url(route, world)
        response = (api if route.is_api else pages).get(url)
        form: dict[str, list[str]] = {}
        json_body: dict[str, object] = {}
        if response.status_code == 200 and route.is_api and "json" in response.get("Content-Type", ""):
            data = response.json()
            json_body = data if isinstance(data, dict) and "results" not in data else {}
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = FormFields()
            parser.feed(response.content.decode(errors="replace"))
            form = parser.fields
        writes.append(Write(route, url, form, json_body))
    return writes


def send(client: Client, method: str, write: Write) -> HttpResponse:
    if write.route.is_api:
        return getattr(client, method)(
            write.url, json.dumps(write.json_body), content_type="application/json"
        )
    if method == "post":
        return client.post(write.url, write.form)
    return getattr(client, method)(
        write.url, urlencode(write.form, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def _allows(response: HttpResponse, method: str) -> bool:
    return method.upper() in {allowed.strip() for allowed in response.get("Allow", "").split(",")}


def _write_everywhere(
    client: Client, writes: list[Write], who: str, check: Callable[[Write, str, HttpResponse], None]
) -> None:
    """Send every write with every method; after each, `check` the answer and that nothing changed."""
    before = database_snapshot()
    for write in writes:
        for method in WRITE_METHODS:
            response = send(client, method, write)
            where = f"{who} {method.upper()} {write.url} answered {response.status_code}"
            assert response.status_code < 500, where
            assert not _contains_sentinel(response.content), f"{where} with person data"
            if response.status_code == 405:
                assert not _allows(response, method), f"{where} though the route allows {method.upper()}"
            check(write, method, response)
            after = database_snapshot()
            changed = sorted(table for table in after if after[table] != before.get(table))
            assert not changed, f"{where} and changed {changed}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_writes_are_404_and_change_nothing(world: World, persona: str) -> None:
    # The administrator is an outsider to case data only: the admin is its own area, where its writes are
    # real (a POST to an admin delete page deletes), so the admin's routes are left out for it.
    writes = insiders_writes(world, signed_in=True, skip_admin=persona == "admin")
    assert sum(write.has_body for write in writes) >= 10, "the insider's forms and records were not read"
    user = getattr(world, persona)

    def check(write: Write, method: str, response: HttpResponse) -> None:
        where = f"{persona} {method.upper()} {write.url} answered {response.status_code}"
        if SENTINEL_PARAMS & set(write.route.params) and not write.route.is_admin:
            assert response.status_code in (404, 405), f"{where}, not 404"
        if write.route.is_context_route and persona not in SAME_AUTHORITY_OUTSIDERS:
            assert response.status_code in (404, 405), f"{where}, not 404"
        assert response.status_code != 403 or write.route.is_admin, f"{where} (403 reveals existence)"

    _write_everywhere(verified_client(user), writes, persona, check)
    api = token_client(user)
    api.get("/api/v1/people/")  # writes the token's last-used stamp before anything is compared
    _write_everywhere(api, [write for write in writes if write.route.is_api], f"{persona} (token)", check)


@pytest.mark.django_db
def test_anonymous_writes_are_refused_and_change_nothing(world: World) -> None:
    writes = insiders_writes(world, signed_in=False)

    def check(write: Write, method: str, response: HttpResponse) -> None:
        where = f"anonymous {method.upper()} {write.url} answered {response.status_code}"
        if write.route.name in PUBLIC_ROUTES:
            return  # the sign-in form answers with its errors; nothing else is checked beyond no change
        if write.route.is_api:
            assert response.status_code in (401, 403), where
        else:
            assert response.status_code in (302, 405), where
            if response.status_code == 302:
                assert response["Location"].startswith("/sign-in/"), (where, response["Location"])

    _write_everywhere(Client(), writes, "anonymous", check)
