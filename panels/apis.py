"""The panel API: meetings (their agenda, attendance and the actions agreed and carried), the risk assessment of
an agenda item, actions (mine, my agency's; closed by their owners) and referrals to a panel.

An endpoint whose URL names a record authorises through panels/access.py before it looks at the body: 404 to
anyone the record is not shared with, 403 to a member who may see it but not run it. Every read that shows a
child's data writes one audit row; writes are audited by their services, and a refused write saves nothing.

Fields with choices are plain strings in the schema (their values in the help text) where an enum would take a
name that another choice set already has elsewhere in the API (`status`, `kind`), or give a choice set a second
name (risk levels are `risk_level` only): one name per enum, one enum per name, keeps the schema warning-free."""

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.models import ExploitationType, RiskLevel
from cases.networks.access import access_context
from cases.networks.models import Context
from panels.access import access_action, access_item, access_meeting, access_panel
from panels.models import (
    ActionStatus,
    AgendaItem,
    AttendanceKind,
    MeetingStatus,
    PanelAction,
    PanelReferralStatus,
    RiskAssessment,
    RiskInstrument,
)
from panels.selectors import MeetingView, meeting_view, meetings_for, my_actions
from panels.services import (
    active_instrument,
    attendance_record,
    panel_action_agree,
    panel_action_close,
    panel_referral_create,
    risk_assessment_save,
)
from safeguarding.organisations.access import reads_case_data, request_actor
from safeguarding.organisations.models import Agency, User
from safeguarding.people.access import access_person
from safeguarding.people.models import Person

# The ways an action is closed (PATCH), and the referral risk levels a referrer may choose.
CLOSED_ACTION_STATUSES = [s for s in ActionStatus.values if s != ActionStatus.OPEN]
REFERRAL_RISK_CHOICES = [c for c in RiskLevel.choices if c[0] != RiskLevel.NOT_ASSESSED]
ACTION_SCOPES = ("mine", "agency")
RISK_LEVELS_HELP = f"One of {', '.join(RiskLevel.values)}."
PERSON_HELP = "The child referred; null when a place or group is referred (see context)."
CONTEXT_HELP = "The place or group referred to a contextual panel; null for a child."
NAME_HELP = "The child's name, or the place or group's."

ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors, keyed by field name."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="You can see this, but your role may not do this."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="It does not exist or is not shared with you."),
}


class PanelPagination(LimitOffsetPagination):
    default_limit = 50
    # Rows may name children, and every row shown is an audited read: no unbounded pages.
    max_limit = 200


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


# Serializers shared by several endpoints


class PanelActionSummaryOutput(serializers.Serializer):
    """An action as the meeting shows it, under the item it belongs to."""

    id = serializers.UUIDField()
    description = serializers.CharField()
    owner_agency = serializers.UUIDField(source="owner_agency_id")
    owner_agency_name = serializers.CharField(source="owner_agency.name")
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = serializers.CharField(source="owner", allow_null=True)
    due_date = serializers.DateField()
    status = serializers.CharField(help_text=f"One of {', '.join(ActionStatus.values)}.")
    is_overdue = serializers.SerializerMethodField(help_text="Still open after the day it was due.")
    agreed_at_item = serializers.UUIDField(source="agreed_at_id")

    def get_is_overdue(self, action: PanelAction) -> bool:
        return action.status == ActionStatus.OPEN and action.due_date < timezone.localdate()


class PanelActionOutput(PanelActionSummaryOutput):
    """An action with the child and panel it is about (lists and the action itself)."""

    referral = serializers.UUIDField(source="referral_id")
    panel = serializers.UUIDField(source="referral.panel_id")
    panel_name = serializers.CharField(source="referral.panel.name")
    person = serializers.UUIDField(source="referral.person_id", allow_null=True, help_text=PERSON_HELP)
    place_or_group = serializers.UUIDField(
        source="referral.context_id", allow_null=True, help_text=CONTEXT_HELP
    )
    person_name = serializers.CharField(source="referral.subject_name", help_text=NAME_HELP)
    closed_at = serializers.DateTimeField(allow_null=True)
    closure_note = serializers.CharField()
    created_at = serializers.DateTimeField()


# Meetings


class PanelMeetingListApi(APIView):
    pagination_class = PanelPagination

    class PanelMeetingListOutput(serializers.Serializer):
        id = serializers.UUIDField()
        panel = serializers.UUIDField(source="panel_id")
        panel_name = serializers.CharField(source="panel.name")
        scheduled_for = serializers.DateTimeField()
        location = serializers.CharField()
        status = serializers.CharField(help_text=f"One of {', '.join(MeetingStatus.values)}.")
        item_count = serializers.IntegerField(help_text="Children and subjects on the agenda.")
        pack_published_at = serializers.DateTimeField(allow_null=True)
        minutes_approved_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses=PanelMeetingListOutput(many=True))
    def get(self, request: Request) -> Response:
        # The list names no child (the agenda is on each meeting), so it is not an audited read.
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(meetings_for(user=request_actor(request)), request, self) or []
        return paginator.get_paginated_response(self.PanelMeetingListOutput(page, many=True).data)


class PanelAssessmentSummaryOutput(serializers.Serializer):
    score = serializers.IntegerField()
    level = serializers.CharField(help_text=RISK_LEVELS_HELP)
    trajectory = serializers.CharField(help_text="new, increased, unchanged or decreased.")


class PanelItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    referral = serializers.UUIDField()
    person = serializers.UUIDField(allow_null=True, help_text=PERSON_HELP)
    place_or_group = serializers.UUIDField(allow_null=True, help_text=CONTEXT_HELP)
    person_name = serializers.CharField(help_text=NAME_HELP)
    group = serializers.CharField(help_text="victims, offenders, locations or themes.")
    position = serializers.IntegerField()
    minutes_allotted = serializers.IntegerField()
    kind = serializers.CharField(help_text="new (a new referral) or review.")
    is_repeat = serializers.BooleanField(help_text="On a panel of this authority in the 12 months before.")
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, help_text="The latest: this item's assessment, else as last assessed."
    )
    previous_risk_level = serializers.CharField(
        allow_null=True, help_text=f"At the referral's previous assessment, if any. {RISK_LEVELS_HELP}"
    )
    assessment = PanelAssessmentSummaryOutput(allow_null=True, help_text="This meeting's assessment.")
    decision = serializers.CharField()
    plan_aims = serializers.CharField()
    review_date = serializers.DateField(allow_null=True)
    actions_agreed = PanelActionSummaryOutput(many=True, help_text="Agreed at this meeting.")
    actions_carried = PanelActionSummaryOutput(
        many=True, help_text="Still open from earlier meetings: they come back until closed."
    )


class PanelAttendanceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.UUIDField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    name = serializers.CharField()
    role = serializers.CharField()
    kind = serializers.CharField(help_text=f"One of {', '.join(AttendanceKind.values)}.")
    confidentiality_signed = serializers.BooleanField()
    information_sent = serializers.BooleanField()


class PanelCoreAbsenceOutput(serializers.Serializer):
    agency_type = serializers.CharField()
    # A field called `label` shadows Field.label in the stubs; DRF takes declared fields off the class.
    label = serializers.CharField()  # type: ignore[assignment]


class PanelMeetingDetailOutput(serializers.Serializer):
    id = serializers.UUIDField()
    panel = serializers.UUIDField()
    panel_name = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    location = serializers.CharField()
    status = serializers.CharField(help_text=f"One of {', '.join(MeetingStatus.values)}.")
    pack_published_at = serializers.DateTimeField(allow_null=True)
    minutes = serializers.CharField()
    minutes_approved_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Of the minutes: send it back when saving them.")
    total_minutes = serializers.IntegerField(help_text="Minutes allotted to the agenda in all.")
    items = PanelItemOutput(many=True)
    attendance = PanelAttendanceOutput(many=True)
    absent_core_agencies = PanelCoreAbsenceOutput(many=True, help_text="Core agencies with nobody present.")


def _item_assessment(item: AgendaItem) -> RiskAssessment | None:
    """The item's own assessment, already loaded with the item (meeting_view selects it)."""
    try:
        return item.assessment
    except RiskAssessment.DoesNotExist:
        return None


def _meeting_data(view: MeetingView) -> dict[str, Any]:
    meeting = view.meeting
    items = []
    for item in view.items:
        referral = item.referral
        assessment = _item_assessment(item)
        previous = view.previous.get(item.pk)
        items.append(
            {
                "id": item.pk,
                "referral": referral.pk,
                "person": referral.person_id,
                "place_or_group": referral.context_id,
                "person_name": referral.subject_name,
                "group": item.group,
                "position": item.position,
                "minutes_allotted": item.minutes_allotted,
                "kind": item.kind,
                "is_repeat": referral.is_repeat,
                # Saving an assessment sets the referral's current risk, so it is always the latest.
                "risk_level": referral.current_risk,
                "previous_risk_level": previous.level if previous is not None else None,
                "assessment": assessment,
                "decision": item.decision,
                "plan_aims": item.plan_aims,
                "review_date": item.review_date,
                "actions_agreed": view.agreed.get(item.pk, []),
                "actions_carried": view.carried.get(item.pk, []),
            }
        )
    return {
        "id": meeting.pk,
        "panel": meeting.panel_id,
        "panel_name": meeting.panel.name,
        "scheduled_for": meeting.scheduled_for,
        "location": meeting.location,
        "status": meeting.status,
        "pack_published_at": meeting.pack_published_at,
        "minutes": meeting.minutes,
        "minutes_approved_at": meeting.minutes_approved_at,
        "version": meeting.version,
        "total_minutes": view.total_minutes,
        "items": items,
        "attendance": view.attendance,
        "absent_core_agencies": view.absent_core,
    }


class PanelMeetingDetailApi(APIView):
    @extend_schema(responses={200: PanelMeetingDetailOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, meeting_id: uuid.UUID) -> Response:
        meeting = access_meeting(request.user, meeting_id)
        view = meeting_view(meeting=meeting)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="panel_meeting",
            object_id=meeting.pk,
            person_ids=[i for item in view.items for i in item.referral.person_ids],
        )
        return Response(PanelMeetingDetailOutput(_meeting_data(view)).data)


class PanelMeetingAttendanceApi(APIView):
    class PanelAttendanceInput(serializers.Serializer):
        agency = serializers.PrimaryKeyRelatedField(
            queryset=Agency.objects.all(), help_text="An agency of the meeting's local authority."
        )
        name = serializers.CharField(max_length=160)
        role = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        kind = serializers.ChoiceField(choices=AttendanceKind.choices)
        confidentiality_signed = serializers.BooleanField(
            required=False, default=False, help_text="Required of an observer."
        )
        information_sent = serializers.BooleanField(
            required=False, default=False, help_text="With apologies: the agency sent its information."
        )

    @extend_schema(request=PanelAttendanceInput, responses={201: PanelAttendanceOutput, **ERROR_RESPONSES})
    def post(self, request: Request, meeting_id: uuid.UUID) -> Response:
        meeting = access_meeting(request.user, meeting_id, run=True)
        serializer = self.PanelAttendanceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendance = attendance_record(
            actor=request_actor(request),
            context=_context(request),
            meeting=meeting,
            agency=data.pop("agency"),
            data=data,
        )
        return Response(PanelAttendanceOutput(attendance).data, status=status.HTTP_201_CREATED)


# The risk assessment of an item


class PanelIndicatorOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # as PanelCoreAbsenceOutput.label
    significant = serializers.BooleanField()


class PanelWindowOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # as PanelCoreAbsenceOutput.label


class PanelInstrumentOutput(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    indicators = PanelIndicatorOutput(many=True, source="definition.indicators")
    windows = PanelWindowOutput(many=True, source="definition.windows", help_text="How recently seen.")


class PanelAssessmentOutput(serializers.Serializer):
    item = serializers.UUIDField()
    referral = serializers.UUIDField()
    person = serializers.UUIDField(allow_null=True, help_text=PERSON_HELP)
    place_or_group = serializers.UUIDField(allow_null=True, help_text=CONTEXT_HELP)
    person_name = serializers.CharField(help_text=NAME_HELP)
    instrument = PanelInstrumentOutput(help_text="The version this item is (or will be) assessed with.")
    assessed = serializers.BooleanField(help_text="False until the first save.")
    answers = serializers.DictField(
        child=serializers.CharField(), help_text="Indicator code -> window code (how recently it was seen)."
    )
    evidence = serializers.CharField()
    professional_judgement = serializers.CharField()
    danger_statement = serializers.CharField()
    safety_goal = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    level = serializers.CharField(allow_null=True, help_text=RISK_LEVELS_HELP)
    previous_level = serializers.CharField(help_text="At the referral's previous assessment; blank if none.")
    trajectory = serializers.CharField(allow_null=True, help_text="new, increased, unchanged or decreased.")
    age_at_assessment = serializers.IntegerField(allow_null=True)
    assessed_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def _assessment_data(
    item: AgendaItem, assessment: RiskAssessment | None, instrument: RiskInstrument
) -> dict[str, Any]:
    referral = item.referral
    data: dict[str, Any] = {
        "item": item.pk,
        "referral": referral.pk,
        "person": referral.person_id,
        "place_or_group": referral.context_id,
        "person_name": referral.subject_name,
        "instrument": instrument,
        "assessed": assessment is not None,
    }
    if assessment is None:
        return {
            **data,
            "answers": {},
            "evidence": "",
            "professional_judgement": "",
            "danger_statement": "",
            "safety_goal": "",
            "score": None,
            "level": None,
            "previous_level": "",
            "trajectory": None,
            "age_at_assessment": None,
            "assessed_by": None,
            "updated_at": None,
        }
    return {
        **data,
        "answers": assessment.answers,
        "evidence": assessment.evidence,
        "professional_judgement": assessment.professional_judgement,
        "danger_statement": assessment.danger_statement,
        "safety_goal": assessment.safety_goal,
        "score": assessment.score,
        "level": assessment.level,
        "previous_level": assessment.previous_level,
        "trajectory": assessment.trajectory,
        "age_at_assessment": assessment.age_at_assessment,
        "assessed_by": str(assessment.assessed_by),
        "updated_at": assessment.updated_at,
    }


def _assessment_and_instrument(item: AgendaItem) -> tuple[RiskAssessment | None, RiskInstrument]:
    """The item's assessment (through the authorised item) and the instrument it is scored with: its own
    version once assessed, else the one in use, as risk_assessment_save chooses."""
    assessment = _item_assessment(item)
    return assessment, assessment.instrument if assessment is not None else active_instrument()


class PanelItemAssessmentApi(APIView):
    class PanelAssessmentInput(serializers.Serializer):
        answers = serializers.DictField(
            child=serializers.CharField(max_length=40),
            allow_empty=False,
            help_text="Indicator code -> window code, for each indicator seen; the instrument (GET) lists both.",
        )
        evidence = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
        professional_judgement = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
        danger_statement = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        safety_goal = serializers.CharField(max_length=4000, required=False, allow_blank=True)

        def validate_answers(self, answers: dict[str, str]) -> dict[str, str]:
            """Against the instrument the item is scored with (the scorer refuses the same again)."""
            definition = self.context["instrument"].definition
            indicators = {i["code"]: i["label"] for i in definition["indicators"]}
            windows = {w["code"] for w in definition["windows"]}
            errors: dict[str, list[str]] = {}
            for code, window in answers.items():
                if code not in indicators:
                    errors[code] = ["Not an indicator of this instrument."]
                elif window not in windows:
                    errors[code] = [f"Select how recently '{indicators[code]}' was seen."]
            if errors:
                raise serializers.ValidationError(errors)
            return answers

    @extend_schema(responses={200: PanelAssessmentOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, item_id: uuid.UUID) -> Response:
        item = access_item(request.user, item_id)
        assessment, instrument = _assessment_and_instrument(item)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="panel_item",
            object_id=item.pk,
            person_ids=item.referral.person_ids,
            changes={"shown": "risk assessment"},
        )
        return Response(PanelAssessmentOutput(_assessment_data(item, assessment, instrument)).data)

    @extend_schema(
        request=PanelAssessmentInput,
        description="Scores and saves the item's assessment (again as the discussion goes on). A text field "
        "left out keeps its saved value.",
        responses={200: PanelAssessmentOutput, **ERROR_RESPONSES},
    )
    def put(self, request: Request, item_id: uuid.UUID) -> Response:
        item = access_item(request.user, item_id, run=True)
        _, instrument = _assessment_and_instrument(item)
        serializer = self.PanelAssessmentInput(data=request.data, context={"instrument": instrument})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        answers = data.pop("answers")
        assessment = risk_assessment_save(
            actor=request_actor(request), context=_context(request), item=item, answers=answers, text=data
        )
        return Response(PanelAssessmentOutput(_assessment_data(item, assessment, assessment.instrument)).data)


# Actions


class PanelItemActionsApi(APIView):
    class PanelActionAgreeInput(serializers.Serializer):
        description = serializers.CharField(max_length=2000)
        owner_agency = serializers.PrimaryKeyRelatedField(
            queryset=Agency.objects.all(),
            required=False,
            allow_null=True,
            help_text="The agency that owns the action; if left out, the named owner's.",
        )
        owner = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True),
            required=False,
            allow_null=True,
            help_text="A person of the owning agency, if one is named.",
        )
        due_date = serializers.DateField(help_text="After the meeting; due at the end of that working day.")

    @extend_schema(request=PanelActionAgreeInput, responses={201: PanelActionOutput, **ERROR_RESPONSES})
    def post(self, request: Request, item_id: uuid.UUID) -> Response:
        item = access_item(request.user, item_id, run=True)
        serializer = self.PanelActionAgreeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        action = panel_action_agree(
            actor=request_actor(request),
            context=_context(request),
            item=item,
            description=data["description"],
            owner_agency=data.get("owner_agency"),
            owner=data.get("owner"),
            due_date=data["due_date"],
        )
        # Read back through the access layer, with what the output shows.
        action = access_action(request.user, action.pk)
        return Response(PanelActionOutput(action).data, status=status.HTTP_201_CREATED)


class PanelActionListApi(APIView):
    pagination_class = PanelPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope",
                str,
                enum=list(ACTION_SCOPES),
                required=False,
                description="mine (the default): the open actions you own; agency: your agency's.",
            )
        ],
        responses=PanelActionOutput(many=True),
        description="Open actions across panels, overdue first, then soonest due.",
    )
    def get(self, request: Request) -> Response:
        scope = request.query_params.get("scope", "mine")
        if scope not in ACTION_SCOPES:
            raise serializers.ValidationError({"scope": [f"Must be one of {', '.join(ACTION_SCOPES)}."]})
        actor = request_actor(request)
        queryset = (
            my_actions(user=actor, agency=scope == "agency")
            if reads_case_data(actor)
            else PanelAction.objects.none()
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, self) or []
        if page:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="panel_action",
                object_id=None,
                person_ids=[i for action in page for i in action.referral.person_ids],
            )
        return paginator.get_paginated_response(PanelActionOutput(page, many=True).data)


class PanelActionDetailApi(APIView):
    class PanelActionCloseInput(serializers.Serializer):
        # A string, not an enum, in the schema: see the module's docstring.
        status = serializers.CharField(
            max_length=24,
            help_text=f"How it was closed: one of {', '.join(CLOSED_ACTION_STATUSES)}. Only the panel closes "
            "an action that was not done, with a note.",
        )
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

        def validate_status(self, value: str) -> str:
            if value not in CLOSED_ACTION_STATUSES:
                raise serializers.ValidationError(f"Must be one of {', '.join(CLOSED_ACTION_STATUSES)}.")
            return value

    @extend_schema(responses={200: PanelActionOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, action_id: uuid.UUID) -> Response:
        action = access_action(request.user, action_id)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="panel_action",
            object_id=action.pk,
            person_ids=action.referral.person_ids,
        )
        return Response(PanelActionOutput(action).data)

    @extend_schema(
        request=PanelActionCloseInput,
        description="Closes the action: done (its owning agency or the panel), or not done (the panel).",
        responses={200: PanelActionOutput, **ERROR_RESPONSES},
    )
    def patch(self, request: Request, action_id: uuid.UUID) -> Response:
        action = access_action(request.user, action_id)
        serializer = self.PanelActionCloseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        panel_action_close(
            actor=request_actor(request),
            context=_context(request),
            action=action,
            status=serializer.validated_data["status"],
            note=serializer.validated_data["note"],
        )
        return Response(PanelActionOutput(access_action(request.user, action_id)).data)


# Referrals to a panel


class PanelReferralOutput(serializers.Serializer):
    id = serializers.UUIDField()
    panel = serializers.UUIDField(source="panel_id")
    panel_name = serializers.CharField(source="panel.name")
    person = serializers.UUIDField(source="person_id", allow_null=True, help_text=PERSON_HELP)
    place_or_group = serializers.UUIDField(source="context_id", allow_null=True, help_text=CONTEXT_HELP)
    person_name = serializers.CharField(source="subject_name", help_text=NAME_HELP)
    referring_agency = serializers.CharField(source="referring_agency.name")
    reason = serializers.CharField()
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationType.choices)
    )
    current_risk = serializers.CharField(help_text=RISK_LEVELS_HELP)
    status = serializers.CharField(help_text=f"One of {', '.join(PanelReferralStatus.values)}.")
    is_repeat = serializers.BooleanField(help_text="On a panel of this authority in the 12 months before.")
    created_at = serializers.DateTimeField()


class PanelReferralCreateApi(APIView):
    class PanelReferralInput(serializers.Serializer):
        panel_id = serializers.UUIDField(help_text="A panel of your authority.")
        person_id = serializers.UUIDField(
            required=False, help_text="A person you can see. Give this or place_or_group_id, not both."
        )
        place_or_group_id = serializers.UUIDField(
            required=False, help_text="A place or group of your authority, for a contextual panel."
        )
        reason = serializers.CharField(max_length=4000)
        exploitation_types = serializers.ListField(
            child=serializers.ChoiceField(choices=ExploitationType.choices),
            allow_empty=False,
            max_length=len(ExploitationType.choices),
        )
        current_risk = serializers.ChoiceField(choices=REFERRAL_RISK_CHOICES)

        def validate_exploitation_types(self, types: list[str]) -> list[str]:
            return list(dict.fromkeys(types))  # each once, in the order given

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("person_id" in attrs) == ("place_or_group_id" in attrs):
                raise serializers.ValidationError(
                    {"person_id": "Give the child (person_id) or the place or group (place_or_group_id)."}
                )
            return attrs

    @extend_schema(
        request=PanelReferralInput,
        description="Refers a child to a panel, or a place or group to a contextual panel: the referral waits "
        "in the panel's queue, with a clock to list it owned by the coordinator, who is told.",
        responses={201: PanelReferralOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        serializer = self.PanelReferralInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request_actor(request)
        panel = access_panel(actor, data.pop("panel_id"))
        about: Person | Context = (
            access_person(actor, data.pop("person_id"))
            if "person_id" in data
            else access_context(actor, data.pop("place_or_group_id"))
        )
        referral = panel_referral_create(
            actor=actor, context=_context(request), panel=panel, about=about, data=data
        )
        return Response(PanelReferralOutput(referral).data, status=status.HTTP_201_CREATED)
