import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.access import access_case
from cases.models import Case, CaseStatus, ExploitationType, RiskLevel
from cases.selectors import case_list
from cases.services import case_open, case_update
from safeguarding.common.api import ChoiceListField
from safeguarding.common.pagination import StrictLimitOffsetPagination
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person
from safeguarding.people.apis import PersonInputSerializer


class CaseOutputSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name")
    lead_agency = serializers.CharField(source="lead_agency.name")

    class Meta:
        model = Case
        fields = [
            "id",
            "person",
            "person_name",
            "status",
            "risk_level",
            "exploitation_types",
            "summary",
            "lead_agency",
            "allocated_worker",
            "opened_at",
            "closed_at",
            "closure_reason",
            "version",
        ]
        read_only_fields = fields


class CaseFieldsSerializer(serializers.Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    exploitation_types = ChoiceListField(choices=ExploitationType.choices, required=False)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class CaseListCreateApi(APIView):
    # Declared so the schema documents the paginated envelope the list answers with.
    pagination_class = StrictLimitOffsetPagination

    class CaseCreateSerializer(CaseFieldsSerializer):
        person_id = serializers.UUIDField(
            required=False, help_text="An existing person shared with your agency."
        )
        person = PersonInputSerializer(required=False, help_text="Or a new person, created with the case.")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("person_id" in attrs) == ("person" in attrs):
                raise serializers.ValidationError({"person": ["Give exactly one of person_id and person."]})
            return attrs

    @extend_schema(responses=CaseOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in CaseStatus.values:
            raise serializers.ValidationError({"status": [f"Must be one of {', '.join(CaseStatus.values)}."]})
        queryset = case_list(user=request.user, status=status_filter)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        if page:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="case",
                object_id=None,
                person_ids=[case.person_id for case in page],
            )
        return paginator.get_paginated_response(CaseOutputSerializer(page, many=True).data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person_id = data.pop("person_id", None)
        new_person = data.pop("person", None)
        person = access_person(request.user, person_id, write=True) if person_id else None
        case = case_open(
            actor=request_actor(request),
            context=AuditContext.from_request(request._request),
            person=person,
            new_person_data=new_person,
            data=data,
        )
        return Response(CaseOutputSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    class CaseUpdateSerializer(CaseFieldsSerializer):
        version = serializers.IntegerField(
            min_value=1, help_text="The version you read; a stale one is refused."
        )
        status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
        closure_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        allocated_worker = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True), required=False, allow_null=True
        )

    @extend_schema(responses=CaseOutputSerializer)
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        case = access_case(request.user, case_id)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="case",
            object_id=case.pk,
            person_ids=[case.person_id],
        )
        return Response(CaseOutputSerializer(case).data)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseOutputSerializer)
    def patch(self, request: Request, case_id: uuid.UUID) -> Response:
        case = access_case(request.user, case_id, write=True)
        serializer = self.CaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = case_update(
            actor=request_actor(request),
            case=case,
            expected_version=data.pop("version"),
            context=AuditContext.from_request(request._request),
            data=data,
        )
        return Response(CaseOutputSerializer(case).data)
