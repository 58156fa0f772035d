"""The MASH front door for machines: referrals and police custody bookings (Operation Harbinger).

POSTs are safe to retry: an `Idempotency-Key` header names the request, the same key from the same user
answers with the referral it made (201 the first time, 200 after), and a different request under a used key
is refused with 422. Without the header each POST makes a new referral."""

import hashlib
import json
import re
import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.models import LawfulBasis
from referrals.access import access_custody_booking, access_referral
from referrals.choices import AppropriateAdult, Concern, Consent, ReferralSource, ReferralStatus
from referrals.models import NARRATIVE_MAX, CustodyBooking, Referral
from referrals.selectors import custody_booking_list, custody_booking_of, referral_list
from referrals.services import custody_booking_get_or_create, referral_get_or_create
from safeguarding.common.api import ChoiceListField
from safeguarding.common.pagination import StrictLimitOffsetPagination
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import Agency, LocalAuthority
from safeguarding.people.access import access_person
from safeguarding.people.apis import PersonInputSerializer

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as long as the column that stores it.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 100 printable characters naming this request. Resending the same request with the same key "
        "answers 200 with the referral the first one made (201) instead of making another; a different "
        "request with a key already used is refused (422). Without it, every POST makes a new referral."
    ),
)
ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors, keyed by field name."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Your role may not do this."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="The person does not exist or is not yours."),
    422: OpenApiResponse(
        OpenApiTypes.OBJECT, description="The Idempotency-Key was used for another request."
    ),
}


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


def _idempotency_key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        # No key: the client does not retry, so every request is new.
        return f"server-{uuid.uuid4()}"
    key = key.strip()
    if not IDEMPOTENCY_KEY_PATTERN.match(key):
        raise serializers.ValidationError(
            {IDEMPOTENCY_HEADER: ["Use 1 to 100 printable characters without spaces, e.g. a UUID."]}
        )
    return key


def _request_fingerprint(request: Request, kind: str) -> str:
    """The request as the client meant it: which endpoint, and the body's values with key order and spacing
    normalised, so a retry that re-encodes the same JSON still matches."""
    data = request.data
    if hasattr(data, "lists"):  # a form-encoded QueryDict
        data = {key: values for key, values in data.lists()}
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{kind}\n{body}".encode()).hexdigest()


# Serializers


class ReferralOutputSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    # A plain string in the schema: an enum here would collide with the case status enum's name, and
    # naming enums apart needs ENUM_NAME_OVERRIDES in the settings.
    status = serializers.CharField(read_only=True, help_text=f"One of {', '.join(ReferralStatus.values)}.")

    class Meta:
        model = Referral
        fields = [
            "id",
            "local_authority",
            "mash_agency",
            "person",
            "person_name",
            "case",
            "source",
            "referrer_agency",
            "referrer_name",
            "referrer_contact",
            "received_at",
            "concerns",
            "consent",
            "consent_not_sought_reason",
            "lawful_basis",
            "status",
            "rag_rating",
            "created_at",
        ]
        read_only_fields = fields


class ReferralDetailOutputSerializer(ReferralOutputSerializer):
    class Meta(ReferralOutputSerializer.Meta):
        fields = [*ReferralOutputSerializer.Meta.fields, "narrative"]
        read_only_fields = fields


class CustodyBookingOutputSerializer(serializers.ModelSerializer):
    referral = ReferralOutputSerializer(read_only=True)
    golden_hour_due_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the MASH must have shared what it knows with custody.",
    )
    golden_hour_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = CustodyBooking
        fields = [
            "id",
            "referral",
            "police_force",
            "out_of_area",
            "custody_suite",
            "booked_in_at",
            "arrest_reason",
            "appropriate_adult",
            "pace_transfer_requested",
            "golden_hour_due_at",
            "golden_hour_status",
            "created_at",
        ]
        read_only_fields = fields


class ReferralCommonInputSerializer(serializers.Serializer):
    """What every referral says, and who it is about: an existing person or a new one."""

    person_id = serializers.UUIDField(required=False, help_text="An existing person you can see.")
    person = PersonInputSerializer(required=False, help_text="Or a new person, created with the referral.")
    referrer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    referrer_contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Phone or secure email."
    )
    concerns = ChoiceListField(choices=Concern.choices, allow_empty=False)
    narrative = serializers.CharField(max_length=NARRATIVE_MAX)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_not_sought_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person_id" in attrs) == ("person" in attrs):
            raise serializers.ValidationError({"person": ["Give exactly one of person_id and person."]})
        return attrs


class ReferralCreateSerializer(ReferralCommonInputSerializer):
    # A field called `source` shadows Field.source in the stubs; DRF takes declared fields off the class.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ReferralSource.choices,
        help_text="CIN census referral source code, or one of the MASH's own routes. Custody bookings go to "
        "/api/v1/custody-bookings/, which starts the Golden Hour.",
    )
    received_at = serializers.DateTimeField(help_text="When the MASH received it, not when it was typed in.")
    referrer_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="An agency in your authority.",
    )

    def validate_source(self, value: str) -> str:
        if value == ReferralSource.CUSTODY_BOOKING:
            raise serializers.ValidationError(
                "Send custody bookings to /api/v1/custody-bookings/, which starts the Golden Hour."
            )
        return value


class CustodyBookingCreateSerializer(ReferralCommonInputSerializer):
    home_authority = serializers.SlugRelatedField(
        slug_field="gss_code",
        queryset=LocalAuthority.objects.all(),
        required=False,
        help_text="GSS code of the child's home authority, when the force holding the child is outside it. "
        "The booking goes to that authority's MASH.",
    )
    police_force = serializers.CharField(max_length=120)
    out_of_area = serializers.BooleanField(required=False, default=False)
    custody_suite = serializers.CharField(max_length=120)
    booked_in_at = serializers.DateTimeField(help_text="The Golden Hour runs from here.")
    arrest_reason = serializers.CharField(max_length=500)
    appropriate_adult = serializers.ChoiceField(choices=AppropriateAdult.choices)
    pace_transfer_requested = serializers.BooleanField(required=False, default=False)


BOOKING_FIELDS = (
    "police_force",
    "out_of_area",
    "custody_suite",
    "booked_in_at",
    "arrest_reason",
    "appropriate_adult",
    "pace_transfer_requested",
)


# Views


class ReferralListCreateApi(APIView):
    pagination_class = StrictLimitOffsetPagination

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=ReferralStatus.values, required=False)],
        responses=ReferralOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in ReferralStatus.values:
            raise serializers.ValidationError(
                {"status": [f"Must be one of {', '.join(ReferralStatus.values)}."]}
            )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            referral_list(user=request.user, status=status_filter), request, self
        )
        page = page or []
        if page:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="referral",
                object_id=None,
                person_ids=[r.person_id for r in page],
            )
        return paginator.get_paginated_response(ReferralOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ReferralCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: ReferralDetailOutputSerializer,
            200: OpenApiResponse(
                ReferralDetailOutputSerializer, description="A retry: the referral already made."
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        idempotency_key = _idempotency_key(request)
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request_actor(request)
        person_id = data.pop("person_id", None)
        new_person = data.pop("person", None)
        referral, created = referral_get_or_create(
            actor=actor,
            context=_context(request),
            data=data,
            idempotency_key=idempotency_key,
            person=access_person(actor, person_id) if person_id else None,
            new_person_data=new_person,
            request_fingerprint=_request_fingerprint(request, "referral"),
        )
        if not created:  # a retry shows the referral again: a read like any other
            audit_read(
                request,
                action=AuditAction.VIEW,
                object_type="referral",
                object_id=referral.pk,
                person_ids=[referral.person_id],
            )
        return Response(
            ReferralDetailOutputSerializer(referral).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReferralDetailApi(APIView):
    @extend_schema(responses=ReferralDetailOutputSerializer)
    def get(self, request: Request, referral_id: uuid.UUID) -> Response:
        referral = access_referral(request.user, referral_id)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="referral",
            object_id=referral.pk,
            person_ids=[referral.person_id],
        )
        return Response(ReferralDetailOutputSerializer(referral).data)


class CustodyBookingListCreateApi(APIView):
    pagination_class = StrictLimitOffsetPagination

    @extend_schema(responses=CustodyBookingOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(custody_booking_list(user=request.user), request, self) or []
        if page:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="custody_booking",
                object_id=None,
                person_ids=[b.referral.person_id for b in page],
            )
        return paginator.get_paginated_response(CustodyBookingOutputSerializer(page, many=True).data)

    @extend_schema(
        request=CustodyBookingCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: CustodyBookingOutputSerializer,
            200: OpenApiResponse(
                CustodyBookingOutputSerializer, description="A retry: the booking already sent."
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        idempotency_key = _idempotency_key(request)
        serializer = CustodyBookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request_actor(request)
        person_id = data.pop("person_id", None)
        new_person = data.pop("person", None)
        home_authority: LocalAuthority | None = data.pop("home_authority", None)
        if (
            person_id
            and home_authority is not None
            and actor.agency is not None
            and home_authority.pk != actor.agency.local_authority_id
        ):
            raise serializers.ValidationError(
                {"person_id": ["Outside the child's home authority you cannot see its records: give person."]}
            )
        booking_data = {field: data.pop(field) for field in BOOKING_FIELDS}
        referral, created = custody_booking_get_or_create(
            actor=actor,
            context=_context(request),
            referral_data=data,
            booking_data=booking_data,
            idempotency_key=idempotency_key,
            person=access_person(actor, person_id) if person_id else None,
            new_person_data=new_person,
            home_authority=home_authority,
            request_fingerprint=_request_fingerprint(request, "custody_booking"),
        )
        booking = custody_booking_of(referral=referral)
        if not created:  # a retry shows the booking again: a read like any other
            audit_read(
                request,
                action=AuditAction.VIEW,
                object_type="custody_booking",
                object_id=booking.pk,
                person_ids=[referral.person_id],
            )
        return Response(
            CustodyBookingOutputSerializer(booking).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CustodyBookingDetailApi(APIView):
    @extend_schema(responses=CustodyBookingOutputSerializer)
    def get(self, request: Request, booking_id: uuid.UUID) -> Response:
        booking = access_custody_booking(request.user, booking_id)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="custody_booking",
            object_id=booking.pk,
            person_ids=[booking.referral.person_id],
        )
        return Response(CustodyBookingOutputSerializer(booking).data)
