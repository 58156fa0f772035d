"""The networks API: contexts (places and groups) searched and created within the user's authority; links between
people and contexts recorded with their evidence (the same live link twice is the first one, answered 200) and
moved on from alleged; and the two-hop neighbourhood of a person or a context.

An endpoint whose URL names a record authorises through the access layer first: 404 to anyone it is not shared
with (a person the user may not see, a context of another authority, a C-coded link whose conditions leave the
user's agency out). A link is recorded only between ends the user may see, each authorised the same way. Every
read that shows a person writes one audit row naming the people shown; writes are audited by their services.

Fields with choices that another choice set already names elsewhere in the API (`status`, `kind`) are plain
strings in the schema, their values in the help text (as in panels/apis.py): one name per enum keeps the schema
warning-free."""

import uuid
from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.networks.access import access_context, access_link, contexts_visible_to
from cases.networks.models import (
    Context,
    ContextKind,
    HandlingCode,
    InformationGrade,
    Link,
    LinkStatus,
    LinkType,
    SourceGrade,
)
from cases.networks.selectors import Neighbourhood, NetworkFilters, neighbourhood
from cases.networks.services import LinkData, context_create, link_add, link_set_status
from safeguarding.common.api import ChoiceListField
from safeguarding.common.errors import NotFound
from safeguarding.common.pagination import StrictLimitOffsetPagination
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import AgencyType, User
from safeguarding.people.access import access_person
from safeguarding.people.models import Person

LIVE_STATUSES = [LinkStatus.ALLEGED, LinkStatus.CORROBORATED, LinkStatus.CONFIRMED]
# Someone at the end of a link whom the user may not open: that they exist is shown, never who they are.
HIDDEN_PERSON_LABEL = "Known to another agency"

ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors, keyed by field name."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Your role may not record networks."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="It does not exist or is not shared with you."),
}


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


# Contexts


class ContextOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text=f"One of {', '.join(ContextKind.values)}.")
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    description = serializers.CharField()
    postcode = serializers.CharField()
    deal_line_name = serializers.CharField()
    is_group = serializers.BooleanField(help_text="A peer group, gang or county line (not a place).")
    created_by_agency = serializers.UUIDField(source="created_by_agency_id")
    created_by_agency_name = serializers.CharField(source="created_by_agency.name")
    created_at = serializers.DateTimeField()


class ContextListCreateApi(APIView):
    pagination_class = StrictLimitOffsetPagination

    class ContextSearchInput(serializers.Serializer):
        q = serializers.CharField(
            max_length=200,
            required=False,
            allow_blank=True,
            help_text="Words of the name, deal line or postcode (near spellings match too).",
        )

    class ContextCreateInput(serializers.Serializer):
        kind = serializers.CharField(max_length=20, help_text=f"One of {', '.join(ContextKind.values)}.")
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
        deal_line_name = serializers.CharField(
            max_length=80, required=False, allow_blank=True, default="", help_text="For a county line."
        )

        def validate_kind(self, value: str) -> str:
            if value not in ContextKind.values:
                raise serializers.ValidationError(f"Must be one of {', '.join(ContextKind.values)}.")
            return value

    @extend_schema(
        parameters=[ContextSearchInput],
        responses=ContextOutput(many=True),
        description="The contexts of your authority, by name; search before you create one.",
    )
    def get(self, request: Request) -> Response:
        # A context names no person, so the list is not an audited read.
        search = self.ContextSearchInput(data=request.query_params)
        search.is_valid(raise_exception=True)
        query = search.validated_data.get("q", "").strip().lower()
        contexts = contexts_visible_to(request.user).select_related("created_by_agency")
        if query:
            # Both served by the trigram index on search_text (context_search_trgm).
            contexts = contexts.filter(
                Q(search_text__contains=query) | Q(search_text__trigram_word_similar=query)
            )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(contexts.order_by("name", "pk"), request, self) or []
        return paginator.get_paginated_response(ContextOutput(page, many=True).data)

    @extend_schema(request=ContextCreateInput, responses={201: ContextOutput, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        serializer = self.ContextCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = context_create(
            actor=request_actor(request), context=_context(request), data=dict(serializer.validated_data)
        )
        return Response(
            ContextOutput(access_context(request.user, created.pk)).data, status=status.HTTP_201_CREATED
        )


class ContextDetailApi(APIView):
    @extend_schema(responses={200: ContextOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, context_id: uuid.UUID) -> Response:
        # The record of a place or group shows no person (its network does, audited there).
        return Response(ContextOutput(access_context(request.user, context_id)).data)


# Links


class NodeOutput(serializers.Serializer):
    key = serializers.CharField(help_text='"p:<uuid>" for a person, "c:<uuid>" for a context.')
    kind = serializers.CharField(help_text=f"person, or a context's kind: {', '.join(ContextKind.values)}.")
    # A field called `label` shadows Field.label in the stubs; DRF takes declared fields off the class.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="A name; for someone you may not open, who to contact instead."
    )
    visible = serializers.BooleanField(help_text="Whether you may open this person or context.")


class LinkOutput(serializers.Serializer):
    id = serializers.UUIDField()
    # The ends as the reader may see them, worked out by the API (`ends` in the serializer's context).
    a = serializers.SerializerMethodField(
        help_text="For a directional link, the one who does it (the suspected exploiter, the carer)."
    )
    b = serializers.SerializerMethodField()
    link_type = serializers.ChoiceField(choices=LinkType.choices)
    status = serializers.CharField(help_text=f"One of {', '.join(LinkStatus.values)}.")
    first_seen = serializers.DateField(allow_null=True)
    last_seen = serializers.DateField(allow_null=True)
    # `source` and `context` shadow Field/Serializer attributes in the stubs (as `label` does, above).
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The evidence: where the link comes from."
    )
    recording_agency = serializers.UUIDField(source="recording_agency_id")
    recording_agency_name = serializers.CharField(source="recording_agency.name")
    source_grade = serializers.CharField(help_text="3x5x2 source evaluation: 1, 2 or 3 (blank if ungraded).")
    information_grade = serializers.CharField(help_text="3x5x2 information: A to E (blank if ungraded).")
    handling_code = serializers.CharField(help_text="P, C (with conditions) or blank.")
    handling_agency_types = serializers.ListField(
        child=serializers.CharField(), help_text="For a C-coded link: the agency types it may go to."
    )
    handling_conditions = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(NodeOutput)
    def get_a(self, link: Link) -> dict[str, Any]:
        ends: dict[str, dict[str, Any]] = self.context["ends"]
        return ends["a"]

    @extend_schema_field(NodeOutput)
    def get_b(self, link: Link) -> dict[str, Any]:
        ends: dict[str, dict[str, Any]] = self.context["ends"]
        return ends["b"]


def _person_node(person: Person | None, person_id: uuid.UUID) -> dict[str, Any]:
    if person is None:
        return {"key": f"p:{person_id}", "kind": "person", "label": HIDDEN_PERSON_LABEL, "visible": False}
    return {"key": f"p:{person.pk}", "kind": "person", "label": person.full_name, "visible": True}


def _context_node(context: Context) -> dict[str, Any]:
    return {"key": f"c:{context.pk}", "kind": context.kind, "label": context.name, "visible": True}


def _visible_person(user: User, person_id: uuid.UUID) -> Person | None:
    try:
        return access_person(user, person_id)
    except NotFound:
        return None


def _link_data(
    user: User, link: Link, known: dict[uuid.UUID, Person]
) -> tuple[dict[str, Any], list[uuid.UUID]]:
    """The link with its ends as the user may see them (`known`: people already authorised), and the people
    it shows. A context end is of the link's authority, which is the user's (access_link)."""
    ends: dict[str, dict[str, Any]] = {}
    shown: list[uuid.UUID] = []
    for end, person_id, context in (
        ("a", link.person_a_id, link.context_a),
        ("b", link.person_b_id, link.context_b),
    ):
        if person_id is None:
            assert context is not None
            ends[end] = _context_node(context)
            continue
        person = known.get(person_id) or _visible_person(user, person_id)
        ends[end] = _person_node(person, person_id)
        if person is not None:
            shown.append(person.pk)
    return LinkOutput(link, context={"ends": ends}).data, shown


class LinkEndInput(serializers.Serializer):
    person = serializers.UUIDField(required=False, help_text="A person you can see.")
    context = serializers.UUIDField(  # type: ignore[assignment]  # as LinkOutput.source
        required=False, help_text="Or a place or group of your authority."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person" in attrs) == ("context" in attrs):
            raise serializers.ValidationError("Give exactly one of person and context.")
        return attrs


class LinkCreateApi(APIView):
    class LinkCreateInput(serializers.Serializer):
        a = LinkEndInput(help_text="For a directional link, the one who does it (the suspected exploiter).")
        b = LinkEndInput()
        link_type = serializers.ChoiceField(choices=LinkType.choices)
        source = serializers.CharField(  # type: ignore[assignment]  # as LinkOutput.source
            max_length=300, help_text="The evidence: where this comes from. Required: no link without it."
        )
        status = serializers.CharField(
            max_length=16,
            required=False,
            default=LinkStatus.ALLEGED,
            help_text=f"One of {', '.join(LIVE_STATUSES)}; alleged if left out.",
        )
        first_seen = serializers.DateField(required=False, allow_null=True, default=None)
        last_seen = serializers.DateField(required=False, allow_null=True, default=None)
        source_grade = serializers.ChoiceField(
            choices=SourceGrade.choices, required=False, allow_blank=True, default=""
        )
        information_grade = serializers.ChoiceField(
            choices=InformationGrade.choices, required=False, allow_blank=True, default=""
        )
        handling_code = serializers.ChoiceField(
            choices=HandlingCode.choices, required=False, allow_blank=True, default=""
        )
        handling_agency_types = ChoiceListField(
            choices=AgencyType.choices,
            required=False,
            default=list,
            help_text="For a C-coded link: the agency types it may be shared with (at least one).",
        )
        handling_conditions = serializers.CharField(
            max_length=300, required=False, allow_blank=True, default=""
        )

        def validate_status(self, value: str) -> str:
            if value not in LIVE_STATUSES:
                raise serializers.ValidationError(f"Must be one of {', '.join(LIVE_STATUSES)}.")
            return value

    @extend_schema(
        request=LinkCreateInput,
        description="Records a link between two ends you can see. The same live link again answers 200 with "
        "the first, unchanged; a new one answers 201, starts its review clock unless confirmed, and alerts "
        "the owners of other open cases it ties the child to.",
        responses={200: LinkOutput, 201: LinkOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        serializer = self.LinkCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request_actor(request)
        ends: dict[str, Person | Context] = {}
        known: dict[uuid.UUID, Person] = {}
        for end in ("a", "b"):
            given = data.pop(end)
            if "person" in given:
                person = access_person(actor, given["person"])
                known[person.pk] = person
                ends[end] = person
            else:
                ends[end] = access_context(actor, given["context"])
        data["handling_agency_types"] = tuple(dict.fromkeys(data["handling_agency_types"]))
        link, created = link_add(
            actor=actor, context=_context(request), a=ends["a"], b=ends["b"], data=LinkData(**data)
        )
        # A new link is answered as recorded (a C-coded link may leave out the very agency that recorded it, which
        # still gets back what it sent); an existing one only as the user may see it (its handling code).
        body, _ = _link_data(actor, link if created else access_link(actor, link.pk), known)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LinkDetailApi(APIView):
    class LinkStatusInput(serializers.Serializer):
        status = serializers.CharField(
            max_length=16,
            help_text=f"One of {', '.join(LIVE_STATUSES)}. Confirming meets the link's review clock.",
        )
        reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

        def validate_status(self, value: str) -> str:
            if value not in LIVE_STATUSES:
                raise serializers.ValidationError(f"Must be one of {', '.join(LIVE_STATUSES)}.")
            return value

    @extend_schema(responses={200: LinkOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, link_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        link = access_link(actor, link_id)
        body, shown = _link_data(actor, link, {})
        if shown:
            audit_read(
                request,
                action=AuditAction.VIEW,
                object_type="network_link",
                object_id=link.pk,
                person_ids=shown,
            )
        return Response(body)

    @extend_schema(request=LinkStatusInput, responses={200: LinkOutput, **ERROR_RESPONSES})
    def patch(self, request: Request, link_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        link = access_link(actor, link_id)
        serializer = self.LinkStatusInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        link_set_status(
            actor=actor,
            context=_context(request),
            link=link,
            status=serializer.validated_data["status"],
            reason=serializer.validated_data["reason"],
        )
        body, _ = _link_data(actor, access_link(actor, link_id), {})
        return Response(body)


# The neighbourhood


class NetworkFilterInput(serializers.Serializer):
    link_type = ChoiceListField(
        choices=LinkType.choices,
        required=False,
        default=list,
        help_text="Only links of these types (repeat the parameter for more than one).",
    )
    status = ChoiceListField(
        choices=LinkStatus.choices,
        required=False,
        default=list,
        help_text=f"Only links in these states: {', '.join(LinkStatus.values)}. Every live state if left out.",
    )
    seen_since = serializers.DateField(required=False, allow_null=True, default=None)
    graded_only = serializers.BooleanField(
        required=False, default=False, help_text="Only graded intelligence."
    )

    def validate_status(self, values: list[str]) -> list[str]:
        wrong = [value for value in values if value not in LinkStatus.values]
        if wrong:
            raise serializers.ValidationError(f"Must be among {', '.join(LinkStatus.values)}.")
        return values


class NetworkNodeOutput(NodeOutput):
    url = serializers.CharField(allow_null=True, help_text="Its page, when you may open it.")
    hops = serializers.IntegerField(help_text="0 for the centre, 1 or 2 for the links out.")


class NetworkEdgeOutput(serializers.Serializer):
    link = serializers.UUIDField(source="link.pk")
    a = serializers.CharField(source="source", help_text="The key of the node at end a.")
    b = serializers.CharField(source="target", help_text="The key of the node at end b.")
    link_type = serializers.ChoiceField(source="link.link_type", choices=LinkType.choices)
    status = serializers.CharField(source="link.status", help_text=f"One of {', '.join(LinkStatus.values)}.")
    first_seen = serializers.DateField(source="link.first_seen", allow_null=True)
    last_seen = serializers.DateField(source="link.last_seen", allow_null=True)
    source = serializers.CharField(  # type: ignore[assignment]  # as LinkOutput.source
        source="link.source", help_text="The evidence."
    )
    recording_agency_name = serializers.CharField(source="link.recording_agency.name")
    source_grade = serializers.CharField(source="link.source_grade")
    information_grade = serializers.CharField(source="link.information_grade")
    handling_code = serializers.CharField(source="link.handling_code")


class NetworkOutput(serializers.Serializer):
    centre = serializers.CharField(help_text="The key of the person or context the network is drawn around.")
    nodes = NetworkNodeOutput(many=True)
    edges = NetworkEdgeOutput(many=True)


def _filters(request: Request) -> NetworkFilters:
    serializer = NetworkFilterInput(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return NetworkFilters(
        link_types=tuple(data["link_type"]),
        statuses=tuple(data["status"]),
        seen_since=data["seen_since"],
        graded_only=data["graded_only"],
    )


def _network_response(
    request: Request, graph: Neighbourhood, *, object_type: str, object_id: uuid.UUID
) -> Response:
    shown = graph.visible_person_ids
    if shown:
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type=object_type,
            object_id=object_id,
            person_ids=shown,
            changes={"shown": "network", "nodes": len(graph.nodes), "edges": len(graph.edges)},
        )
    data = {"centre": graph.centre, "nodes": list(graph.nodes.values()), "edges": graph.edges}
    return Response(NetworkOutput(data).data)


NETWORK_DESCRIPTION = (
    "The links two hops out, as you may see them: a C-coded link only where its conditions name your agency's "
    "type; a person you may not open is a node without a name, with whom to contact."
)


class PersonNetworkApi(APIView):
    @extend_schema(
        parameters=[NetworkFilterInput],
        description=NETWORK_DESCRIPTION,
        responses={200: NetworkOutput, 400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404]},
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        graph = neighbourhood(user=actor, person=person, filters=_filters(request))
        return _network_response(request, graph, object_type="person", object_id=person.pk)


class ContextNetworkApi(APIView):
    @extend_schema(
        parameters=[NetworkFilterInput],
        description=NETWORK_DESCRIPTION,
        responses={200: NetworkOutput, 400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404]},
    )
    def get(self, request: Request, context_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        context = access_context(actor, context_id)
        graph = neighbourhood(user=actor, context=context, filters=_filters(request))
        return _network_response(request, graph, object_type="context", object_id=context.pk)
