"""The education API: a child's education history (list, record a change or a correction, one entry) and their
school place applications (list, record one, one application and its outcome).

A child's records follow the child's open case (access.py): a URL naming a child or a record answers 404 to
anyone who may not see that case, and writes need an agency that may change it and a case worker's role.
Every read writes one audit row naming the child; writes are audited by their services.

Choice fields are plain strings in the schema, their values in the help text (as in cases/networks/apis.py):
`status` and `outcome` name other choice sets elsewhere in the API, and one name per enum keeps the schema
warning-free."""

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.services import audit_read
from cases.child_records import access_child_case
from cases.education.access import access_education_change, access_school_place_application
from cases.education.models import (
    EducationChange,
    EducationStatus,
    SchoolPlaceApplication,
    SchoolPlaceOutcome,
)
from cases.education.selectors import corrected_by
from cases.education.services import (
    education_change_record,
    school_place_application_record,
    school_place_outcome_record,
)
from cases.models import Case
from safeguarding.organisations.access import request_actor


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


def _one_of(choices: type[EducationStatus] | type[SchoolPlaceOutcome]) -> str:
    return f"One of {', '.join(choices.values)}."


class ChildOutput(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class ChildRecordPagination(LimitOffsetPagination):
    """A child's records, with the child they are about (so an empty page still says whose it is)."""

    default_limit = 50
    max_limit = 200

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"] = {
            "person": {
                "type": "object",
                "properties": {"id": {"type": "string", "format": "uuid"}, "full_name": {"type": "string"}},
                "required": ["id", "full_name"],
            },
            **paginated["properties"],
        }
        paginated["required"] = ["person", *paginated.get("required", [])]
        return paginated


def _child_page(
    view: APIView, request: Request, case: Case, queryset: Any, output: type[serializers.Serializer]
) -> Response:
    paginator = ChildRecordPagination()
    page = paginator.paginate_queryset(queryset, request, view=view) or []
    response = paginator.get_paginated_response(output(page, many=True).data)
    response.data = {"person": ChildOutput(case.person).data, **response.data}
    return response


# --- Education history -------------------------------------------------------------------------------------


class EducationChangeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    status = serializers.CharField(help_text=_one_of(EducationStatus))
    status_label = serializers.CharField(source="get_status_display")
    provider_name = serializers.CharField(help_text="The school, college or alternative provision.")
    effective_date = serializers.DateField()
    note = serializers.CharField()
    previous_status = serializers.CharField(help_text="The status in force before; blank if not known.")
    corrects = serializers.UUIDField(
        source="corrects_id", allow_null=True, help_text="The entry this corrects."
    )
    correction_reason = serializers.CharField()
    corrected_by = serializers.SerializerMethodField(help_text="The correction that replaced this entry.")
    alert = serializers.CharField(
        help_text="Who this change told: told (the case owner and the education lead), owner_only (no education "
        "agency to tell), already (an earlier change is still being followed up), or blank (no one needed telling)."
    )
    recorded_by_agency_name = serializers.CharField(source="recorded_by_agency.name")
    recorded_at = serializers.DateTimeField(source="created_at")

    @extend_schema_field(OpenApiTypes.UUID)
    def get_corrected_by(self, entry: EducationChange) -> uuid.UUID | None:
        correction = corrected_by(entry)
        return correction.pk if correction is not None else None


class EducationChangeListCreateApi(APIView):
    pagination_class = ChildRecordPagination

    class EducationChangeInput(serializers.Serializer):
        status = serializers.CharField(max_length=32, help_text=_one_of(EducationStatus))
        provider_name = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
        effective_date = serializers.DateField(help_text="When it took effect (up to 14 days ahead).")
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        corrects = serializers.UUIDField(
            required=False, allow_null=True, default=None, help_text="To correct an entry: its id."
        )
        correction_reason = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default="", help_text="Needed with corrects."
        )

    @extend_schema(
        responses=EducationChangeOutput(many=True),
        description="The child's education history, latest effective first.",
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id).record
        audit_read(request, object_type="education", object_id=case.person_id, person_ids=[case.person_id])
        entries = (
            EducationChange.objects.filter(person_id=case.person_id)
            .select_related("person", "recorded_by_agency", "correction")
            .order_by("-effective_date", "-created_at", "pk")
        )
        return _child_page(self, request, case, entries, EducationChangeOutput)

    @extend_schema(
        request=EducationChangeInput,
        responses={
            201: EducationChangeOutput,
            200: OpenApiResponse(EducationChangeOutput, description="The same entry was already recorded."),
        },
        description=(
            "Record a change of education status, or (with corrects) a correction of an entry. A child at risk "
            "coming off a school roll tells the case owner and the authority's education lead, once."
        ),
    )
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id, write=True).record
        serializer = self.EducationChangeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        corrects_id = data.pop("corrects")
        corrects = None
        if corrects_id is not None:
            corrects = EducationChange.objects.filter(pk=corrects_id, person_id=case.person_id).first()
            if corrects is None:
                raise serializers.ValidationError(
                    {"corrects": ["No entry of this child's history has that id."]}
                )
        recorded = education_change_record(
            actor=request_actor(request), context=_context(request), case=case, corrects=corrects, **data
        )
        entry = access_education_change(request.user, recorded.change.pk).record
        return Response(
            EducationChangeOutput(entry).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )


class EducationChangeDetailApi(APIView):
    @extend_schema(responses=EducationChangeOutput)
    def get(self, request: Request, education_change_id: uuid.UUID) -> Response:
        entry = access_education_change(request.user, education_change_id).record
        audit_read(request, object_type="education_change", object_id=entry.pk, person_ids=[entry.person_id])
        return Response(EducationChangeOutput(entry).data)


# --- School place applications -----------------------------------------------------------------------------


class SchoolPlaceApplicationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    school_name = serializers.CharField()
    applied_on = serializers.DateField()
    due_on = serializers.DateField(help_text="A clock runs to the end of this working day.")
    note = serializers.CharField()
    outcome = serializers.CharField(help_text=f"Blank until decided; then {_one_of(SchoolPlaceOutcome)}")
    outcome_on = serializers.DateField(allow_null=True)
    outcome_note = serializers.CharField()
    version = serializers.IntegerField(
        help_text="Send it back to record the outcome; a stale one is refused."
    )
    recorded_by_agency_name = serializers.CharField(source="recorded_by_agency.name")
    recorded_at = serializers.DateTimeField(source="created_at")


class SchoolPlaceApplicationListCreateApi(APIView):
    pagination_class = ChildRecordPagination

    class SchoolPlaceApplicationInput(serializers.Serializer):
        school_name = serializers.CharField(max_length=160)
        applied_on = serializers.DateField()
        due_on = serializers.DateField(help_text="When a decision is due by.")
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(responses=SchoolPlaceApplicationOutput(many=True), description="Latest applied first.")
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id).record
        audit_read(
            request,
            object_type="school_place_applications",
            object_id=case.person_id,
            person_ids=[case.person_id],
        )
        applications = (
            SchoolPlaceApplication.objects.filter(person_id=case.person_id)
            .select_related("person", "recorded_by_agency")
            .order_by("-applied_on", "-created_at", "pk")
        )
        return _child_page(self, request, case, applications, SchoolPlaceApplicationOutput)

    @extend_schema(request=SchoolPlaceApplicationInput, responses={201: SchoolPlaceApplicationOutput})
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id, write=True).record
        serializer = self.SchoolPlaceApplicationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = school_place_application_record(
            actor=request_actor(request), context=_context(request), case=case, **serializer.validated_data
        )
        found = access_school_place_application(request.user, application.pk).record
        return Response(SchoolPlaceApplicationOutput(found).data, status=status.HTTP_201_CREATED)


class SchoolPlaceApplicationDetailApi(APIView):
    class SchoolPlaceOutcomeInput(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The version you read.")
        outcome = serializers.CharField(max_length=16, help_text=_one_of(SchoolPlaceOutcome))
        outcome_on = serializers.DateField()
        outcome_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(responses=SchoolPlaceApplicationOutput)
    def get(self, request: Request, school_application_id: uuid.UUID) -> Response:
        application = access_school_place_application(request.user, school_application_id).record
        audit_read(
            request,
            object_type="school_place_application",
            object_id=application.pk,
            person_ids=[application.person_id],
        )
        return Response(SchoolPlaceApplicationOutput(application).data)

    @extend_schema(
        request=SchoolPlaceOutcomeInput,
        responses=SchoolPlaceApplicationOutput,
        description="Record the outcome (once); meets the application's clock.",
    )
    def patch(self, request: Request, school_application_id: uuid.UUID) -> Response:
        application = access_school_place_application(request.user, school_application_id, write=True).record
        serializer = self.SchoolPlaceOutcomeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        school_place_outcome_record(
            actor=request_actor(request),
            context=_context(request),
            application=application,
            expected_version=data.pop("version"),
            **data,
        )
        found = access_school_place_application(request.user, application.pk).record
        return Response(SchoolPlaceApplicationOutput(found).data)
