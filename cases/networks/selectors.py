"""The network view: the two-hop neighbourhood of a person or a context, as the viewer may see it, in a
fixed number of queries however large the network: the links one hop out (1), two hops out (1), which of
the people reached the viewer may see (1), and whom to contact about the others (1)."""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from audits.models import AuditEvent
from cases.models import Case, CaseStatus
from cases.networks.access import contexts_visible_to, handling_allows, links_visible_to
from cases.networks.models import (
    Context,
    ContextAction,
    ContextActionStatus,
    ContextAssessment,
    Link,
    LinkStatus,
)
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person

# A node's key in the graph: "p:<uuid>" for a person, "c:<uuid>" for a context.
NodeKey = str


@dataclass
class GraphNode:
    key: NodeKey
    kind: str  # "person" or a ContextKind value
    label: str  # a name, or "Known to another agency: contact …" when the viewer may not open it
    url: str | None
    visible: bool
    hops: int


@dataclass
class GraphEdge:
    link: Link
    source: NodeKey
    target: NodeKey


@dataclass
class Neighbourhood:
    centre: NodeKey
    nodes: dict[NodeKey, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)

    @property
    def visible_person_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(k[2:]) for k, n in self.nodes.items() if k.startswith("p:") and n.visible]


@dataclass(frozen=True)
class NetworkFilters:
    link_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # empty: every live status (lapsed links only when asked for)
    seen_since: date | None = None
    graded_only: bool = False


def _key(person_id: uuid.UUID | None, context_id: uuid.UUID | None) -> NodeKey:
    return f"p:{person_id}" if person_id is not None else f"c:{context_id}"


def _touching(person_ids: set[uuid.UUID], context_ids: set[uuid.UUID]) -> Q:
    return (
        Q(person_a_id__in=person_ids)
        | Q(person_b_id__in=person_ids)
        | Q(context_a_id__in=context_ids)
        | Q(context_b_id__in=context_ids)
    )


def _links(user: User, filters: NetworkFilters) -> QuerySet[Link]:
    assert user.agency is not None
    links = Link.objects.filter(handling_allows(user), local_authority_id=user.agency.local_authority_id)
    if filters.statuses:
        links = links.filter(status__in=filters.statuses)
    else:
        links = links.exclude(status=LinkStatus.LAPSED)
    if filters.link_types:
        links = links.filter(link_type__in=filters.link_types)
    if filters.seen_since is not None:
        links = links.filter(
            Q(last_seen__gte=filters.seen_since)
            | Q(last_seen__isnull=True, created_at__date__gte=filters.seen_since)
        )
    if filters.graded_only:
        links = links.exclude(source_grade="")
    return links.select_related("context_a", "context_b", "recording_agency")


def neighbourhood(
    *,
    user: User,
    person: Person | None = None,
    context: Context | None = None,
    filters: NetworkFilters = NetworkFilters(),
) -> Neighbourhood:
    """The caller has authorised the centre (access_person / access_context)."""
    assert (person is None) != (context is None)
    centre = _key(person.pk if person else None, context.pk if context else None)
    graph = Neighbourhood(centre=centre)
    links = _links(user, filters)
    people: set[uuid.UUID] = {person.pk} if person else set()
    contexts: set[uuid.UUID] = {context.pk} if context else set()
    hop: dict[NodeKey, int] = {centre: 0}
    seen: set[uuid.UUID] = set()
    for depth in (1, 2):
        found = list(links.filter(_touching(people, contexts)).exclude(pk__in=seen))
        people, contexts = set(), set()
        for link in found:
            seen.add(link.pk)
            a, b = _key(link.person_a_id, link.context_a_id), _key(link.person_b_id, link.context_b_id)
            graph.edges.append(GraphEdge(link=link, source=a, target=b))
            for end, person_id, context_id in (
                (a, link.person_a_id, link.context_a_id),
                (b, link.person_b_id, link.context_b_id),
            ):
                if end not in hop:
                    hop[end] = depth
                    if person_id is not None:
                        people.add(person_id)
                    else:
                        assert context_id is not None
                        contexts.add(context_id)
        if depth == 2:
            break
    person_ids = {uuid.UUID(k[2:]) for k in hop if k.startswith("p:")}
    recorders: dict[uuid.UUID, str] = {}
    contexts_by_id: dict[uuid.UUID, Context] = {}
    for edge in graph.edges:
        _note_ends(edge.link, recorders, contexts_by_id)
    if context is not None:
        contexts_by_id[context.pk] = context
    people_shown = _person_nodes(user, person_ids, recorders)
    for key, depth in hop.items():
        node_id = uuid.UUID(key[2:])
        if key.startswith("p:"):
            label, url, shown = people_shown[node_id]
            graph.nodes[key] = GraphNode(key, "person", label, url, shown, depth)
        else:
            ctx = contexts_by_id[node_id]
            graph.nodes[key] = GraphNode(
                key, ctx.kind, ctx.name, f"/networks/contexts/{node_id}/", True, depth
            )
    return graph


def _note_ends(link: Link, recorders: dict[uuid.UUID, str], contexts: dict[uuid.UUID, Context]) -> None:
    """Remember, from a link, who recorded each person at its ends (whom to contact when the viewer may not
    see them) and the contexts at its ends (select_related)."""
    for person_id in (link.person_a_id, link.person_b_id):
        if person_id is not None:
            recorders.setdefault(person_id, link.recording_agency.name)
    for ctx in (link.context_a, link.context_b):
        if ctx is not None:
            contexts[ctx.pk] = ctx


def _person_nodes(
    user: User, person_ids: set[uuid.UUID], recorders: dict[uuid.UUID, str]
) -> dict[uuid.UUID, tuple[str, str | None, bool]]:
    """(label, url, visible) for each person: the name and page of those the viewer may see; for the others
    "Known to another agency: contact …" (the lead agency of their open case, else whoever recorded the link)
    and no page. One query, and one more only when someone is hidden."""
    visible = {
        p.pk: p
        for p in scope_to_user(user, Perm.VIEW_PERSON, Person.objects.filter(pk__in=person_ids)).only(
            "id", "given_name", "family_name", "local_authority_id"
        )
    }
    hidden = person_ids - set(visible)
    contact: dict[uuid.UUID, str] = {}
    if hidden:
        for person_id, agency_name in (
            Case.objects.filter(person_id__in=hidden, status=CaseStatus.OPEN)
            .order_by("opened_at")
            .values_list("person_id", "lead_agency__name")
        ):
            contact.setdefault(person_id, agency_name)
    nodes: dict[uuid.UUID, tuple[str, str | None, bool]] = {}
    for person_id in person_ids:
        known = visible.get(person_id)
        if known is not None:
            nodes[person_id] = (known.full_name, f"/people/{person_id}/", True)
        else:
            who = contact.get(person_id) or recorders.get(person_id, "the MASH")
            nodes[person_id] = (f"Known to another agency: contact {who}", None, False)
    return nodes


@dataclass(frozen=True)
class SnapshotRow:
    """One live link of a snapshot, as seen from the centre: what it is and who or what is at the far end."""

    link: Link
    other_label: str
    other_visible: bool


def network_snapshots(
    *, user: User, person_ids: set[uuid.UUID], context_ids: set[uuid.UUID]
) -> dict[NodeKey, list[SnapshotRow]]:
    """The live links one hop out of each of many centres (a meeting pack's children, places and groups), as
    the viewer may see them: 2 queries however many centres and links (3 when someone is hidden). The caller
    has authorised the centres."""
    snapshots: dict[NodeKey, list[SnapshotRow]] = {}
    if not person_ids and not context_ids:
        return snapshots
    found = list(_links(user, NetworkFilters()).filter(_touching(person_ids, context_ids)))
    recorders: dict[uuid.UUID, str] = {}
    contexts: dict[uuid.UUID, Context] = {}
    for link in found:
        _note_ends(link, recorders, contexts)
    people = _person_nodes(
        user, {p for link in found for p in (link.person_a_id, link.person_b_id) if p is not None}, recorders
    )

    def label(person_id: uuid.UUID | None, context_id: uuid.UUID | None) -> tuple[str, bool]:
        if person_id is not None:
            name, _, shown = people[person_id]
            return name, shown
        assert context_id is not None
        return contexts[context_id].name, True

    for link in found:
        a = (link.person_a_id, link.context_a_id)
        b = (link.person_b_id, link.context_b_id)
        for centre, other in ((a, b), (b, a)):
            if centre[0] in person_ids or centre[1] in context_ids:
                other_label, shown = label(*other)
                snapshots.setdefault(_key(*centre), []).append(SnapshotRow(link, other_label, shown))
    return snapshots


def context_plan(*, ctx: Context) -> tuple[list[ContextAssessment], list[ContextAction]]:
    """A context's assessments, newest first, and its plan's actions, soonest due first (2 queries)."""
    return (
        list(ctx.assessments.select_related("assessed_by", "assessed_by_agency")),
        list(ctx.actions.select_related("owner_agency", "owner").order_by("status", "due_date")),
    )


def plans_reaching(*, user: User, person: Person) -> list[ContextAction]:
    """The open plan actions of every place or group the person is linked to (live links the viewer may see):
    a context's plan reaches each child it affects (1 query)."""
    live = _links(user, NetworkFilters()).filter(Q(person_a=person) | Q(person_b=person))
    context_ids = live.values_list("context_a_id", flat=True).union(
        live.values_list("context_b_id", flat=True)
    )
    return list(
        ContextAction.objects.filter(context_id__in=context_ids, status=ContextActionStatus.OPEN)
        .select_related("context", "owner_agency", "owner")
        .order_by("due_date")
    )


def children_affected(*, user: User, ctx: Context) -> list[Person]:
    """The people linked to a context that the viewer may see (others are counted, never named)."""
    live = _links(user, NetworkFilters()).filter(Q(context_a=ctx) | Q(context_b=ctx))
    ids = {pk for pair in live.values_list("person_a_id", "person_b_id") for pk in pair if pk is not None}
    return list(
        scope_to_user(user, Perm.VIEW_PERSON, Person.objects.filter(pk__in=ids)).order_by("family_name")
    )


def context_search(*, user: User, query: str, limit: int = 10) -> QuerySet[Context]:
    """Contexts of the user's authority whose name, deal line or postcode contains the words typed, or is like
    them (pg_trgm word similarity, served by context_search_trgm)."""
    query = " ".join(query.lower().split())
    return contexts_visible_to(user).filter(
        Q(search_text__contains=query) | Q(search_text__trigram_word_similar=query)
    )[:limit]


def context_history(*, user: User, ctx: Context) -> QuerySet[AuditEvent]:
    """Everything recorded about a place or group, newest first: the record itself (added, changed, looked
    at), its assessments and plan actions, and the links to it that the viewer may see (a link its handling
    code keeps from the viewer stays out of its history too). One query per page, served by audit_object_idx."""
    links = links_visible_to(user).filter(Q(context_a=ctx) | Q(context_b=ctx)).values("pk")
    return AuditEvent.objects.filter(
        Q(object_type="context", object_id=ctx.pk)
        | Q(object_type="context_assessment", object_id__in=ctx.assessments.values("pk"))
        | Q(object_type="context_action", object_id__in=ctx.actions.values("pk"))
        | Q(object_type="network_link", object_id__in=links)
    ).order_by("-occurred_at", "-id")
