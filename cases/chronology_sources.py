"""The case's and the network's events in the child's chronology (registered from CasesConfig.ready(); see
cases/chronology/registry.py): the case opened, shared and closed, and the links added to the child's network.

The case is scoped as its own page is (access_case: VIEW_CASE granted to the reader's agency); a link as the
network page shows it (links_visible_to: a C-coded link only to the agency types its conditions name), and the
person at its other end is named only to a reader who may open them, as on the network page. Lapsed links are
left out, as everywhere but the network page's own filter (and so the live-link indexes serve the look-up).
None runs a query: each is one part of the chronology's UNION."""

import uuid

from django.db.models import Case as CaseWhen
from django.db.models import Exists, Expression, F, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Lower

from cases.chronology.registry import ChronologySource, choice_label, chronology_values
from cases.models import Case, CaseShare, CaseStatus
from cases.networks.access import links_visible_to
from cases.networks.models import LinkStatus, LinkType
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person

# How a person the reader may not open is named (the network page offers whom to contact about them).
UNSEEN_PERSON = "a person known to another agency"


def _text(*parts: str | Expression) -> Concat:
    """Text joined in SQL: a string is a field path, a literal is Value("…")."""
    return Concat(*parts, output_field=TextField())


def _cases(user: User, person_id: uuid.UUID) -> QuerySet[Case]:
    return scope_to_user(user, Perm.VIEW_CASE, Case.objects.filter(person_id=person_id))


def case_events(user: User, person_id: uuid.UUID) -> tuple[QuerySet, ...]:
    cases = _cases(user, person_id)
    opened = chronology_values(
        cases,
        kind="case",
        at="opened_at",
        title=Value("Case opened"),
        detail=_text(Value("Lead agency: "), "lead_agency__name"),
        agency="lead_agency__name",
        url_name="cases:detail",
    )
    closed = chronology_values(
        cases.filter(status=CaseStatus.CLOSED),
        kind="case",
        at="closed_at",
        title=Value("Case closed"),
        detail="closure_reason",
        agency="lead_agency__name",
        url_name="cases:detail",
    )
    shared = chronology_values(
        # Its shares with other agencies (opening it shares it with its lead agency, which "Case opened" says).
        CaseShare.objects.filter(case__in=cases.values("pk")).exclude(agency_id=F("case__lead_agency_id")),
        kind="case",
        at="created_at",
        title=_text(Value("Case shared with "), "agency__name"),
        detail="reason",
        agency="shared_by__agency__name",
        url_name="cases:detail",
        url_arg="case_id",
    )
    return (opened, shared, closed)


def _end_label(user: User, end: str, *, unseen: str = UNSEEN_PERSON) -> Expression:
    """The name of a link's end `end` ("a" or "b"): a place or group by its name (every reader of the
    authority sees contexts), a person by name only if the reader may open them."""
    person = f"person_{end}"
    may_open = Exists(
        scope_to_user(user, Perm.VIEW_PERSON, Person.objects.filter(pk=OuterRef(f"{person}_id")))
    )
    return CaseWhen(
        When(**{f"context_{end}__isnull": False}, then=F(f"context_{end}__name")),
        When(may_open, then=_text(f"{person}__given_name", Value(" "), f"{person}__family_name")),
        default=Value(unseen),
        output_field=TextField(),
    )


def network_link_events(user: User, person_id: uuid.UUID) -> QuerySet:
    links = (
        links_visible_to(user)
        .filter(Q(person_a_id=person_id) | Q(person_b_id=person_id))
        .exclude(status=LinkStatus.LAPSED)
    )
    link_type = choice_label("link_type", LinkType.choices)
    return chronology_values(
        links,
        kind="network_link",
        at="created_at",
        title=_text(Value("Network link added: "), link_type),
        # "Dean Smith suspected exploiter of Zephyrine Quillfeather", "Kai Jones frequents Castle Park".
        detail=_text(
            _end_label(user, "a", unseen=UNSEEN_PERSON.capitalize()),
            Value(" "),
            Lower(link_type),
            Value(" "),
            _end_label(user, "b"),
            Value(" ("),
            Lower(choice_label("status", LinkStatus.choices)),
            Value(")"),
        ),
        agency="recording_agency__name",
        # The child's network page, where the link is drawn (the reader may open it: they may see the child).
        url_name="networks:person",
        url_arg=Value(str(person_id)),
    )


CHRONOLOGY_SOURCES = (
    ChronologySource(kind="case", label="Case opened, shared or closed", events=case_events),
    ChronologySource(kind="network_link", label="Network links added", events=network_link_events),
)
