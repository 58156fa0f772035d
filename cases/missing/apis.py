"""The missing-episodes API: a child's episodes (listed, and a new one reported), one episode, its return
(which starts the return home interview clock from when the child was found) and the interview's outcome
(which closes it). Each endpoint authorises through cases.missing.access first: 404 to anyone the child's
case is not shared with; a reader who may not record (a partner agency) is refused with 403. Every read is
audited; writes are audited by their services. A write names the episode's `version` it read; a stale one
is refused with 409 and nothing is overwritten."""

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.missing.access import access_episode
from cases.missing.models import (
    MAX_EXPLOITATION_INDICATORS,
    ExploitationIndicator,
    MissingEpisode,
    MissingFrom,
    RhiOutcome,
    RiskGrade,
)
from cases.missing.selectors import person_episodes
from cases.missing.services import (
    EpisodeReport,
    ReturnDetails,
    RhiOutcomeDetails,
    missing_episode_report,
    missing_return_record,
    missing_rhi_outcome_record,
)
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import Agency
from safeguarding.people.access import access_person
from safeguarding.people.models import Person

RECORDED_OUTCOMES = [o.value for o in RhiOutcome if o != RhiOutcome.MISSING_AGAIN]


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


class MissingPersonOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="full_name")


class MissingRhiClockOutput(serializers.Serializer):
    status = serializers.CharField(help_text="running, paused, breached, met or cancelled.")
    started_at = serializers.DateTimeField(help_text="When the child was found.")
    due_at = serializers.DateTimeField()


class MissingEpisodeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = MissingPersonOutput()
    case = serializers.UUIDField(source="case_id")
    version = serializers.IntegerField()
    reported_by_name = serializers.CharField()
    reported_by_agency = serializers.UUIDField(source="reported_by_agency_id", allow_null=True)
    reported_at = serializers.DateTimeField()
    police_reference = serializers.CharField()
    missing_from = serializers.CharField(help_text=f"One of {', '.join(MissingFrom.values)}.")
    last_seen_at = serializers.DateTimeField()
    last_seen_where = serializers.CharField()
    last_seen_by = serializers.CharField()
    risk_grade = serializers.CharField(help_text=f"The latest grade: one of {', '.join(RiskGrade.values)}.")
    repeat_count = serializers.IntegerField(
        help_text="This episode's place in the authority's repeat window."
    )
    repeat_window_days = serializers.IntegerField()
    repeat_prompted = serializers.BooleanField(
        help_text="It met the repeat-missing threshold: a strategy discussion or an ERP referral is prompted."
    )
    clothing = serializers.CharField()
    appearance_now = serializers.CharField()
    belongings = serializers.CharField()
    circumstances = serializers.CharField()
    anything_new = serializers.CharField()
    found_at = serializers.DateTimeField(allow_null=True)
    found_where = serializers.CharField()
    found_by = serializers.CharField()
    safe_and_well_done = serializers.BooleanField(allow_null=True)
    safe_and_well_at = serializers.DateTimeField(allow_null=True)
    harm_suffered = serializers.CharField()
    exploitation_indicators = serializers.ListField(
        child=serializers.CharField(), help_text=f"Of {', '.join(ExploitationIndicator.values)}."
    )
    duration_seconds = serializers.SerializerMethodField(help_text="Last seen to found; null while missing.")
    rhi_clock = MissingRhiClockOutput(source="rhi_deadline", allow_null=True)
    rhi_outcome = serializers.CharField(
        help_text=f"Blank while due, else one of {', '.join(RhiOutcome.values)}."
    )
    rhi_outcome_at = serializers.DateTimeField(allow_null=True)
    rhi_held_by = serializers.CharField()
    rhi_held_by_role = serializers.CharField()
    rhi_independent = serializers.BooleanField()
    rhi_summary = serializers.CharField()
    rhi_reason = serializers.CharField()

    def get_duration_seconds(self, episode: MissingEpisode) -> int | None:
        return int(episode.duration.total_seconds()) if episode.duration is not None else None


def _episode_body(episode_id: uuid.UUID, request: Request) -> dict[str, Any]:
    """The episode as it now is (re-read with what the output shows)."""
    return dict(MissingEpisodeOutput(access_episode(request.user, episode_id)).data)


def _audit_episode(request: Request, episode: MissingEpisode) -> None:
    audit_read(
        request,
        action=AuditAction.VIEW,
        object_type="missing_episode",
        object_id=episode.pk,
        person_ids=[episode.person_id],
    )


class MissingEpisodeListOutput(serializers.Serializer):
    person = MissingPersonOutput()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = MissingEpisodeOutput(many=True)


class MissingPageInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, help_text="25 unless told.")
    offset = serializers.IntegerField(min_value=0, required=False)


class EpisodePagination(LimitOffsetPagination):
    default_limit = 25
    max_limit = 100


class MissingEpisodeListCreateApi(APIView):
    class MissingReportInput(serializers.Serializer):
        reported_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        reported_by_agency = serializers.UUIDField(
            required=False, allow_null=True, default=None, help_text="An agency of the child's authority."
        )
        reported_at = serializers.DateTimeField()
        police_reference = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        missing_from = serializers.ChoiceField(choices=MissingFrom.choices)
        last_seen_at = serializers.DateTimeField()
        last_seen_where = serializers.CharField(max_length=300)
        last_seen_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        risk_grade = serializers.ChoiceField(choices=RiskGrade.choices)
        risk_basis = serializers.CharField(max_length=2000, help_text="What the risk grade is based on.")

    def _person(self, request: Request, person_id: uuid.UUID) -> Person:
        return access_person(request.user, person_id)

    @extend_schema(
        parameters=[MissingPageInput],
        responses={200: MissingEpisodeListOutput},
        description="The child's missing episodes you may see, newest first.",
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = self._person(request, person_id)
        paginator = EpisodePagination()
        page = (
            paginator.paginate_queryset(person_episodes(user=actor, person=person), request, view=self) or []
        )
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="missing_episode",
            object_id=None,
            person_ids=[person.pk],
        )
        return Response(
            MissingEpisodeListOutput(
                {
                    "person": person,
                    "count": paginator.count,
                    "next": paginator.get_next_link(),
                    "previous": paginator.get_previous_link(),
                    "results": page,
                }
            ).data
        )

    @extend_schema(
        request=MissingReportInput,
        responses={201: MissingEpisodeOutput},
        description="Report the child missing, on their open case. Closes an earlier episode's return home "
        "interview still to be held (the child went missing again) and says whether the episode meets the "
        "authority's repeat-missing threshold.",
    )
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        person = self._person(request, person_id)
        serializer = self.MissingReportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = None
        if data["reported_by_agency"] is not None:
            agency = Agency.objects.filter(
                pk=data["reported_by_agency"], local_authority_id=person.local_authority_id
            ).first()
            if agency is None:
                raise serializers.ValidationError(
                    {"reported_by_agency": ["An agency of the child's authority."]}
                )
        data["reported_by_agency"] = agency
        episode = missing_episode_report(
            actor=request_actor(request), context=_context(request), person=person, data=EpisodeReport(**data)
        )
        return Response(_episode_body(episode.pk, request), status=status.HTTP_201_CREATED)


class MissingEpisodeDetailApi(APIView):
    @extend_schema(responses={200: MissingEpisodeOutput})
    def get(self, request: Request, episode_id: uuid.UUID) -> Response:
        episode = access_episode(request.user, episode_id)
        _audit_episode(request, episode)
        return Response(MissingEpisodeOutput(episode).data)


class MissingEpisodeReturnApi(APIView):
    class MissingReturnInput(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The episode's version you read.")
        found_at = serializers.DateTimeField(help_text="When they were found: the 72 hours count from here.")
        found_where = serializers.CharField(max_length=300)
        found_by = serializers.CharField(max_length=200)
        safe_and_well_done = serializers.BooleanField(
            help_text="Whether the police safe and well check is done."
        )
        safe_and_well_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        harm_suffered = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        exploitation_indicators = serializers.ListField(
            child=serializers.ChoiceField(choices=ExploitationIndicator.choices),
            required=False,
            default=list,
            max_length=MAX_EXPLOITATION_INDICATORS,
            help_text=f"Each sign once at most ({MAX_EXPLOITATION_INDICATORS} at most).",
        )

    @extend_schema(
        responses={200: MissingEpisodeOutput}, description="The episode, with its return if recorded."
    )
    def get(self, request: Request, episode_id: uuid.UUID) -> Response:
        episode = access_episode(request.user, episode_id)
        _audit_episode(request, episode)
        return Response(MissingEpisodeOutput(episode).data)

    @extend_schema(
        request=MissingReturnInput,
        responses={200: MissingEpisodeOutput},
        description="Record the child's return; starts the 72-hour return home interview clock from found_at "
        "and tells the case's owner.",
    )
    def post(self, request: Request, episode_id: uuid.UUID) -> Response:
        episode = access_episode(request.user, episode_id)
        serializer = self.MissingReturnInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        data["exploitation_indicators"] = tuple(data["exploitation_indicators"])
        missing_return_record(
            actor=request_actor(request),
            context=_context(request),
            episode=episode,
            expected_version=version,
            data=ReturnDetails(**data),
        )
        return Response(_episode_body(episode.pk, request))


class MissingEpisodeRhiApi(APIView):
    class MissingRhiInput(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The episode's version you read.")
        outcome = serializers.CharField(max_length=16, help_text=f"One of {', '.join(RECORDED_OUTCOMES)}.")
        outcome_at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="When it was held or refused (required for those); a decision defaults to now.",
        )
        held_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        held_by_role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        independent = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Confirms the interviewer is independent of the child's care.",
        )
        summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        reason = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            help_text="Why the child refused, or why it was decided not to hold one (required for those).",
        )

        def validate_outcome(self, value: str) -> str:
            if value not in RECORDED_OUTCOMES:
                raise serializers.ValidationError(f"Must be one of {', '.join(RECORDED_OUTCOMES)}.")
            return value

    @extend_schema(
        responses={200: MissingEpisodeOutput}, description="The episode, with its interview if recorded."
    )
    def get(self, request: Request, episode_id: uuid.UUID) -> Response:
        episode = access_episode(request.user, episode_id)
        _audit_episode(request, episode)
        return Response(MissingEpisodeOutput(episode).data)

    @extend_schema(
        request=MissingRhiInput,
        responses={200: MissingEpisodeOutput},
        description="Record the return home interview's outcome, closing its clock: held by someone "
        "independent or refused by the child (with the reason) meets it; a decision not to hold one (with "
        "the reason) cancels it.",
    )
    def post(self, request: Request, episode_id: uuid.UUID) -> Response:
        episode = access_episode(request.user, episode_id)
        serializer = self.MissingRhiInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        missing_rhi_outcome_record(
            actor=request_actor(request),
            context=_context(request),
            episode=episode,
            expected_version=version,
            data=RhiOutcomeDetails(**data),
        )
        return Response(_episode_body(episode.pk, request))
