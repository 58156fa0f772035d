"""Walks every URL pattern the project has, found by enumerating the URL resolver, as every persona, and
fails on any leak. A route added later is covered without anyone remembering to add it here; a route with a
parameter this test cannot fill fails loudly until someone teaches it how."""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from referrals.models import CustodyBooking
from referrals.services import custody_booking_create
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

# Routes anyone may open without signing in (and which hold no person data).
PUBLIC_ROUTES = {"accounts:sign-in", "accounts:signed-out", "healthz"}
# Routes for the half-signed-in (password done, two-factor pending); they redirect when not signed in.
SIGN_IN_FLOW_ROUTES = {"accounts:two-factor", "accounts:sign-out"}
# Routes that only accept POST; a GET must be refused without side effects.
POST_ONLY_ROUTES = {"accounts:sign-out"}
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
        return any(p in {"person_id", "case_id", "referral_id", "request_id"} for p in self.params)


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
        if route.is_object_route:
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
            if not route.is_object_route or route.is_admin or (api_only and not route.is_api):
                continue
            url = build_url(route, world)
            before = AuditEvent.objects.filter(
                actor=user, person_ids__contains=[world.case.person_id]
            ).count()
            response = client.get(url)
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
            assert _contains_sentinel(response.content), url
            after = AuditEvent.objects.filter(actor=user, person_ids__contains=[world.case.person_id]).count()
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
    for url in [f"/people/{uuid.uuid4()}/", f"/cases/{uuid.uuid4()}/", f"/api/v1/cases/{uuid.uuid4()}/"]:
        assert client.get(url).status_code == 404
