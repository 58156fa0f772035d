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
from safeguarding.common.pagination import StrictLimitOffsetPagination
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person
from safeguarding.people.ethnicity import CinEthnicity
from safeguarding.people.models import EducationStatus, Person, Sex
from safeguarding.people.selectors import person_list
from safeguarding.people.services import person_create, person_update
from safeguarding.people.validators import normalise_nhs_number, validate_date_of_birth, validate_nhs_number


class PersonInputSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=20, required=False
    )
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, validators=[validate_date_of_birth]
    )
    estimated_age_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=120
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    gender = serializers.CharField(max_length=60, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=CinEthnicity.choices, required=False)
    address_line_1 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    address_line_2 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    town = serializers.CharField(max_length=60, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    education_status = serializers.ChoiceField(choices=EducationStatus.choices, required=False)
    school_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    nhs_number = serializers.CharField(max_length=14, required=False, allow_null=True, allow_blank=True)

    def validate_nhs_number(self, value: str | None) -> str | None:
        if not value:
            return None
        validate_nhs_number(value)
        return normalise_nhs_number(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        partial = self.partial
        if not partial and not attrs.get("date_of_birth") and attrs.get("estimated_age_years") is None:
            raise serializers.ValidationError(
                {"date_of_birth": ["Give a date of birth, or an estimated age if it is not known."]}
            )
        return attrs


class PersonOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "estimated_age_years",
            "sex",
            "gender",
            "ethnicity",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "education_status",
            "school_name",
            "nhs_number",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonListCreateApi(APIView):
    # Declared so the schema documents the paginated envelope the list answers with.
    pagination_class = StrictLimitOffsetPagination

    @extend_schema(responses=PersonOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        queryset = person_list(user=request.user, search=request.query_params.get("q", "")[:100])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        if page:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="person",
                object_id=None,
                person_ids=[person.pk for person in page],
            )
        return paginator.get_paginated_response(PersonOutputSerializer(page, many=True).data)

    @extend_schema(request=PersonInputSerializer, responses={201: PersonOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = PersonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = person_create(
            actor=request_actor(request),
            context=AuditContext.from_request(request._request),
            data=serializer.validated_data,
        )
        return Response(PersonOutputSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailApi(APIView):
    class PersonUpdateSerializer(PersonInputSerializer):
        version = serializers.IntegerField(
            min_value=1, help_text="The version you read; a stale one is refused."
        )

    @extend_schema(responses=PersonOutputSerializer)
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        person = access_person(request.user, person_id)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
        )
        return Response(PersonOutputSerializer(person).data)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonOutputSerializer)
    def patch(self, request: Request, person_id: uuid.UUID) -> Response:
        person = access_person(request.user, person_id, write=True)
        serializer = self.PersonUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["This field is required."]})
        person = person_update(
            actor=request_actor(request),
            person=person,
            expected_version=version,
            context=AuditContext.from_request(request._request),
            data=data,
        )
        return Response(PersonOutputSerializer(person).data)
