"""Walks the pages as each persona would, from the home page, following every link on every page it reaches,
and fails on any link that ends in a refusal or a page not found: menus and pages offer only what the
persona can use. Each kind of page (URL pattern) is opened a few times, not once per record."""

from collections import Counter, deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.networks.services import LinkData, context_create, link_add
from panels.models import Panel, PanelKind
from panels.services import meeting_schedule, panel_referral_create
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, verified_client, world_police_request
from tests.deadlines.conftest import start_clock

pytestmark = pytest.mark.django_db

# Links that are not pages to walk: assets, the API (its own tests), signing out (a POST form).
SKIP_PREFIXES = ("/static/", "/api/", "/sign-in/", "/sign-out/", "/admin/")
PER_ROUTE = 2
MAX_PAGES = 150


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}"


def _walk(client: Client) -> tuple[list[str], set[str]]:
    """Every link reached from the home page that answers 400 or more, as 'page -> link: status', and the
    kinds of page (URL patterns) opened."""
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([("(start)", "/")])
    broken: list[str] = []
    pages = 0
    while queue and pages < MAX_PAGES:
        source, url = queue.popleft()
        url = urldefrag(url)[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith(SKIP_PREFIXES):
            continue
        if url in seen:
            continue
        seen.add(url)
        route = _route(parts.path) or parts.path
        per_route[route] += 1
        if per_route[route] > PER_ROUTE:
            continue
        response = client.get(url)
        pages += 1
        if response.status_code >= 400:
            broken.append(f"{source} -> {url}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        queue.extend((url, href) for href in parser.hrefs)
    return broken, set(per_route)


@pytest.fixture
def busy_world(world: World) -> World:
    """A world with work of every kind: a custody booking with its Golden Hour and a request to police, an
    urgent response, a panel with a meeting and a referral, a place with links."""
    world_police_request(world)
    start_clock(world, ago=timedelta(hours=1), policy=PolicyCode.URGENT_RESPONSE)
    chair = factories.user(world.social_care, Role.PANEL_CHAIR, username="sam")
    panel = Panel.objects.create(
        local_authority=world.social_care.local_authority,
        name="Northbridge ERP",
        kind=PanelKind.ERP,
        coordinator=world.mash,
    )
    panel.chairs.set([chair])
    panel.member_agencies.set([world.social_care, world.police, world.housing])
    panel_referral_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        panel=panel,
        about=world.case.person,
        case=world.case,
        data={
            "reason": "Found two counties away.",
            "exploitation_types": ["criminal"],
            "current_risk": "high",
        },
    )
    meeting_schedule(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        panel=panel,
        scheduled_for=timezone.now() + timedelta(days=3),
        location="Civic Centre",
    )
    park = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "park", "name": "Castle Park"}
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=park,
        data=LinkData(link_type="frequents", source="Outreach worker"),
    )
    factories.user(world.social_care, Role.MASH_MANAGER, username="maggie")
    factories.user(world.social_care, Role.URGENT_RESPONSE_WORKER, username="uma")
    factories.user(world.social_care, Role.AUDITOR, username="audrey")
    factories.user(world.police, Role.AGENCY_MANAGER, username="pam")
    return world


PERSONAS = ["alice", "bob", "charlie", "dora", "eve", "sam", "maggie", "uma", "audrey", "pam"]


@pytest.mark.parametrize("username", PERSONAS)
def test_no_link_a_persona_is_shown_ends_in_a_refusal(busy_world: World, username: str) -> None:
    user = User.objects.get(username=username)
    broken, routes = _walk(verified_client(user))
    assert broken == [], "\n".join(broken)
    # The walk reached the persona's work, not just the home page.
    assert len(routes) >= (1 if username == "eve" else 12), sorted(routes)
