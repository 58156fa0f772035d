"""The housing API: a child's family's housing applications and their referrals to the Social Needs Panel
(list and record per child; one record, and moving it on with the version read).

A child's records follow the child's open case (access.py): a URL naming a child or a record answers 404 to
anyone who may not see that case, and writes need an agency that may change it and a case worker's role.
Every read writes one audit row naming the child; writes are audited by their services.

Choice fields are plain strings in the schema, their values in the help text (as in cases/networks/apis.py):
`status` and `outcome` name other choice sets elsewhere in the API, and one name per enum keeps the schema
warning-free."""

import uuid
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.services import audit_read
from cases.child_records import access_child_case
from cases.housing.access import access_housing_application, access_snp_referral
from cases.housing.models import (
    ApplicantRelationship,
    HousingApplication,
    HousingApplicationOutcome,
    HousingApplicationStatus,
    PanelOutcome,
    SocialNeedsPanelReferral,
)
from cases.housing.services import (
    housing_application_record,
    housing_application_update,
    snp_referral_record,
    snp_referral_update,
)
from cases.models import Case
from safeguarding.organisations.access import request_actor

Choices = (
    type[ApplicantRelationship]
    | type[HousingApplicationStatus]
    | type[HousingApplicationOutcome]
    | type[PanelOutcome]
)


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


def _one_of(choices: Choices, *, blank: str = "") -> str:
    return f"{blank}One of {', '.join(choices.values)}."


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
    view: APIView, request: Request, case: Case, queryset: QuerySet, output: type[serializers.Serializer]
) -> Response:
    paginator = ChildRecordPagination()
    page = paginator.paginate_queryset(queryset, request, view=view) or []
    response = paginator.get_paginated_response(output(page, many=True).data)
    response.data = {"person": ChildOutput(case.person).data, **response.data}
    return response


# --- Housing applications ----------------------------------------------------------------------------------


class HousingApplicationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    applicant_relationship = serializers.CharField(help_text=_one_of(ApplicantRelationship))
    applied_on = serializers.DateField()
    housing_provider = serializers.CharField()
    status = serializers.CharField(help_text=_one_of(HousingApplicationStatus))
    outcome = serializers.CharField(
        help_text=_one_of(HousingApplicationOutcome, blank="Blank until decided. ")
    )
    outcome_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back to update; a stale one is refused.")
    recorded_by_agency_name = serializers.CharField(source="recorded_by_agency.name")
    recorded_at = serializers.DateTimeField(source="created_at")


class _HousingProgressInput(serializers.Serializer):
    status = serializers.CharField(max_length=16, help_text=_one_of(HousingApplicationStatus))
    outcome = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text=_one_of(HousingApplicationOutcome, blank="Only when decided. "),
    )
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HousingApplicationListCreateApi(APIView):
    pagination_class = ChildRecordPagination

    class HousingApplicationInput(_HousingProgressInput):
        applicant_relationship = serializers.CharField(
            max_length=16, help_text=_one_of(ApplicantRelationship)
        )
        applied_on = serializers.DateField()
        housing_provider = serializers.CharField(max_length=160)

    @extend_schema(responses=HousingApplicationOutput(many=True), description="Latest applied first.")
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id).record
        audit_read(
            request, object_type="housing_applications", object_id=case.person_id, person_ids=[case.person_id]
        )
        applications = (
            HousingApplication.objects.filter(person_id=case.person_id)
            .select_related("person", "recorded_by_agency")
            .order_by("-applied_on", "-created_at", "pk")
        )
        return _child_page(self, request, case, applications, HousingApplicationOutput)

    @extend_schema(request=HousingApplicationInput, responses={201: HousingApplicationOutput})
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id, write=True).record
        serializer = self.HousingApplicationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = housing_application_record(
            actor=request_actor(request), context=_context(request), case=case, **serializer.validated_data
        )
        found = access_housing_application(request.user, application.pk).record
        return Response(HousingApplicationOutput(found).data, status=status.HTTP_201_CREATED)


class HousingApplicationDetailApi(APIView):
    class HousingApplicationUpdateInput(_HousingProgressInput):
        version = serializers.IntegerField(min_value=1, help_text="The version you read.")

    @extend_schema(responses=HousingApplicationOutput)
    def get(self, request: Request, housing_application_id: uuid.UUID) -> Response:
        application = access_housing_application(request.user, housing_application_id).record
        audit_read(
            request,
            object_type="housing_application",
            object_id=application.pk,
            person_ids=[application.person_id],
        )
        return Response(HousingApplicationOutput(application).data)

    @extend_schema(
        request=HousingApplicationUpdateInput,
        responses=HousingApplicationOutput,
        description="Move the application on: its status, and its outcome once decided.",
    )
    def patch(self, request: Request, housing_application_id: uuid.UUID) -> Response:
        application = access_housing_application(request.user, housing_application_id, write=True).record
        serializer = self.HousingApplicationUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        housing_application_update(
            actor=request_actor(request),
            context=_context(request),
            application=application,
            expected_version=data.pop("version"),
            **data,
        )
        found = access_housing_application(request.user, application.pk).record
        return Response(HousingApplicationOutput(found).data)


# --- Social Needs Panel referrals --------------------------------------------------------------------------


class SnpReferralOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    referred_on = serializers.DateField()
    reason = serializers.CharField()
    panel_date = serializers.DateField(allow_null=True, help_text="Blank until listed.")
    outcome = serializers.CharField(help_text=_one_of(PanelOutcome, blank="Blank until decided. "))
    outcome_on = serializers.DateField(allow_null=True)
    outcome_note = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back to update; a stale one is refused.")
    recorded_by_agency_name = serializers.CharField(source="recorded_by_agency.name")
    recorded_at = serializers.DateTimeField(source="created_at")


class _PanelProgressInput(serializers.Serializer):
    panel_date = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text=_one_of(PanelOutcome, blank="Only when decided. "),
    )
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SnpReferralListCreateApi(APIView):
    pagination_class = ChildRecordPagination

    class SnpReferralInput(_PanelProgressInput):
        referred_on = serializers.DateField()
        reason = serializers.CharField(max_length=4000)

    @extend_schema(responses=SnpReferralOutput(many=True), description="Latest referred first.")
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id).record
        audit_read(
            request,
            object_type="social_needs_panel_referrals",
            object_id=case.person_id,
            person_ids=[case.person_id],
        )
        referrals = (
            SocialNeedsPanelReferral.objects.filter(person_id=case.person_id)
            .select_related("person", "recorded_by_agency")
            .order_by("-referred_on", "-created_at", "pk")
        )
        return _child_page(self, request, case, referrals, SnpReferralOutput)

    @extend_schema(request=SnpReferralInput, responses={201: SnpReferralOutput})
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        case = access_child_case(request.user, person_id, write=True).record
        serializer = self.SnpReferralInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = snp_referral_record(
            actor=request_actor(request), context=_context(request), case=case, **serializer.validated_data
        )
        found = access_snp_referral(request.user, referral.pk).record
        return Response(SnpReferralOutput(found).data, status=status.HTTP_201_CREATED)


class SnpReferralDetailApi(APIView):
    class SnpReferralUpdateInput(_PanelProgressInput):
        version = serializers.IntegerField(min_value=1, help_text="The version you read.")

    @extend_schema(responses=SnpReferralOutput)
    def get(self, request: Request, snp_referral_id: uuid.UUID) -> Response:
        referral = access_snp_referral(request.user, snp_referral_id).record
        audit_read(
            request,
            object_type="social_needs_panel_referral",
            object_id=referral.pk,
            person_ids=[referral.person_id],
        )
        return Response(SnpReferralOutput(referral).data)

    @extend_schema(
        request=SnpReferralUpdateInput,
        responses=SnpReferralOutput,
        description="The panel's date once listed, and its outcome once decided.",
    )
    def patch(self, request: Request, snp_referral_id: uuid.UUID) -> Response:
        referral = access_snp_referral(request.user, snp_referral_id, write=True).record
        serializer = self.SnpReferralUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        snp_referral_update(
            actor=request_actor(request),
            context=_context(request),
            referral=referral,
            expected_version=data.pop("version"),
            **data,
        )
        found = access_snp_referral(request.user, referral.pk).record
        return Response(SnpReferralOutput(found).data)
