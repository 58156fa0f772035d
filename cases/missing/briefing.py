"""The police briefing for a missing episode: the child's Philomena Part 1 (kept ahead of time) with the
episode's Part 2 (recorded when they went missing), as a page to print and as a PDF.

Network links on Part 1 are shown only as the reader may see them (their handling codes). The PDF is
rendered by WeasyPrint from templates/missing/briefing_pdf.html, whose styles are inline, with a URL fetcher
that refuses every URL, so making a briefing never reaches the network (nor the file system)."""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from cases.missing.access import profile_of
from cases.missing.models import MissingEpisode, MissingRiskAssessment, PhilomenaProfile
from cases.missing.selectors import risk_history
from cases.networks.access import links_visible_to
from cases.networks.models import DIRECTIONAL_TYPES, Context, Link
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person

# WeasyPrint logs each step of each page at INFO: noise in the service's logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def age_on(person: Person, day: date) -> int | None:
    if person.date_of_birth is None:
        return person.estimated_age_years
    born = person.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# Someone at the end of a link whom the reader may not open: that they exist is shown, never who they are.
HIDDEN_PERSON_LABEL = "Known to another agency"


def _other_end(link: Link, person: Person) -> Person | Context | None:
    if link.person_a_id == person.pk:
        return link.person_b or link.context_b
    return link.person_a or link.context_a


def describe_links(reader: User, person: Person, links: Iterable[Link]) -> list[str]:
    """Links from the child's side, as the reader may see them: "Frequents: Castle Park (alleged)",
    "Jay Smith: suspected exploiter of Jo Bloggs (alleged)". A person the reader may not open is named only
    as known to another agency (one query for who they may open, when a link leads to a person)."""
    links = list(links)
    people = {other.pk for link in links if isinstance(other := _other_end(link, person), Person)}
    visible: set[uuid.UUID] = set()
    if people:
        visible = set(
            scope_to_user(reader, Perm.VIEW_PERSON, Person.objects.filter(pk__in=people)).values_list(
                "pk", flat=True
            )
        )

    def name(node: Person | Context | None) -> str:
        if isinstance(node, Person):
            return node.full_name if node.pk == person.pk or node.pk in visible else HIDDEN_PERSON_LABEL
        return node.name if node is not None else ""

    described = []
    for link in links:
        label, status = link.get_link_type_display(), link.get_status_display().lower()
        if link.link_type in DIRECTIONAL_TYPES:
            # Which way round matters: "Known to another agency: suspected exploiter of Jo Bloggs".
            a, b = link.person_a or link.context_a, link.person_b or link.context_b
            described.append(f"{name(a)}: {label.lower()} {name(b)} ({status})")
        else:
            described.append(f"{label}: {name(_other_end(link, person))} ({status})")
    return described


def profile_links(reader: User, person: Person, profile: PhilomenaProfile) -> list[str]:
    """The profile's links the reader may see under their handling codes, described."""
    visible = (
        links_visible_to(reader)
        .filter(pk__in=profile.associate_links.values("pk"))
        .select_related("person_a", "person_b", "context_a", "context_b")
        .order_by("created_at")
    )
    return describe_links(reader, person, visible)


@dataclass(frozen=True)
class Briefing:
    episode: MissingEpisode
    person: Person
    age: int | None
    profile: PhilomenaProfile | None
    links: list[str]
    risk: list[MissingRiskAssessment]
    made_at: datetime


def missing_briefing(*, episode: MissingEpisode, reader: User) -> Briefing:
    """The briefing of an episode the reader may see (access_episode authorised it). Queries: the profile,
    its links the reader may see and the people at their ends they may open (only when it has a profile),
    and the risk history."""
    person = episode.person
    profile = profile_of(reader, person)
    links = profile_links(reader, person, profile) if profile is not None else []
    return Briefing(
        episode=episode,
        person=person,
        age=age_on(person, timezone.localdate()),
        profile=profile,
        links=links,
        risk=risk_history(episode=episode),
        made_at=timezone.now(),
    )


def briefing_context(briefing: Briefing) -> dict[str, Any]:
    return {"briefing": briefing, "episode": briefing.episode, "person": briefing.person}


def briefing_filename(briefing: Briefing) -> str:
    return f"missing-briefing-{timezone.localtime(briefing.episode.reported_at):%Y-%m-%d}.pdf"


def briefing_pdf(briefing: Briefing) -> bytes:
    """The briefing as a PDF. WeasyPrint is imported here, not at module level: it loads Pango through cffi,
    and only this needs it."""
    from weasyprint import HTML

    html = render_to_string("missing/briefing_pdf.html", briefing_context(briefing))
    pdf = HTML(string=html, url_fetcher=refusing_url_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def refusing_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing: the briefing's styles are inline and it has no images,
    so any URL in it is a mistake, and it stops the rendering rather than reach out (fail_on_errors)."""
    from weasyprint.urls import URLFetcher

    class RefusingURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"The briefing fetches nothing; refused {url[:200]!r}")

    return RefusingURLFetcher(fail_on_errors=True)
