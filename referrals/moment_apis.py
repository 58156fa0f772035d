"""The API for reachable moments on a referral, and for health's emergency department attendances (which
reach the MASH as referrals). One APIView per operation, as in referrals/apis.py."""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import AuditAction
from audits.services import audit_read
from cases.models import LawfulBasis
from referrals.access import access_referral, is_health_practitioner
from referrals.apis import ERROR_RESPONSES, IDEMPOTENCY_PARAMETER, _context, _idempotency_key
from referrals.choices import (
    Concern,
    Consent,
    ContactMethod,
    ReachableMomentKind,
    SupportDeclined,
    ViolentInjury,
)
from referrals.models import NARRATIVE_MAX, ReachableMoment
from referrals.services import emergency_attendance_record_from, reachable_moment_record
from safeguarding.common.api import ChoiceListField
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import reads_case_data, request_actor
from safeguarding.organisations.roles import CASE_WORKER_ROLES


class TakeUpSerializer(serializers.Serializer):
    support_offered = serializers.CharField(max_length=4000)
    support_accepted = serializers.BooleanField()
    declined_reason = serializers.ChoiceField(
        choices=SupportDeclined.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the support was not taken up: required when support_accepted is false.",
    )
    declined_detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MomentInputSerializer(TakeUpSerializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    kind = serializers.ChoiceField(
        choices=[
            c for c in ReachableMomentKind.choices if c[0] not in {"urgent_response", "emergency_department"}
        ]
    )
    occurred_at = serializers.DateTimeField(help_text="When the contact happened (not when it was recorded).")


class MomentOutputSerializer(serializers.ModelSerializer):
    recorded_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = ReachableMoment
        fields = [
            "id",
            "referral",
            "kind",
            "occurred_at",
            "method",
            "support_offered",
            "support_accepted",
            "declined_reason",
            "declined_detail",
            "follow_up",
            "recorded_by",
        ]


class ReferralMomentsOutputSerializer(serializers.Serializer):
    """The moments of one referral, naming whose they are even when there are none yet."""

    referral = serializers.UUIDField()
    person = serializers.CharField()
    moments = MomentOutputSerializer(many=True)


class ReferralMomentsApi(APIView):
    @extend_schema(responses=ReferralMomentsOutputSerializer)
    def get(self, request: Request, referral_id: uuid.UUID) -> Response:
        referral = access_referral(request.user, referral_id)
        moments = list(referral.reachable_moments.select_related("recorded_by"))
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="referral",
            object_id=referral.pk,
            person_ids=[referral.person_id],
        )
        body = {"referral": referral.pk, "person": referral.person.full_name, "moments": moments}
        return Response(ReferralMomentsOutputSerializer(body).data)

    @extend_schema(request=MomentInputSerializer, responses={201: MomentOutputSerializer, **ERROR_RESPONSES})
    def post(self, request: Request, referral_id: uuid.UUID) -> Response:
        referral = access_referral(request.user, referral_id)
        actor = request_actor(request)
        if not actor.has_any_role(*CASE_WORKER_ROLES):
            raise NotFound()
        serializer = MomentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind = data.pop("kind")
        moment = reachable_moment_record(
            actor=actor, context=_context(request), referral=referral, kind=kind, data=data
        )
        return Response(MomentOutputSerializer(moment).data, status=status.HTTP_201_CREATED)


class EmergencyAttendanceInputSerializer(TakeUpSerializer):
    # No method: support offered at the hospital is offered in person there.
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    nhs_number = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    hospital = serializers.CharField(max_length=200)
    attended_at = serializers.DateTimeField(
        help_text="When the child arrived: the MASH's clock runs from it."
    )
    injury = serializers.ChoiceField(choices=ViolentInjury.choices)
    injury_detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    accompanied_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    concerns = ChoiceListField(choices=Concern.choices, allow_empty=False)
    narrative = serializers.CharField(max_length=NARRATIVE_MAX)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_not_sought_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)


class EmergencyAttendanceOutputSerializer(serializers.Serializer):
    referral = serializers.UUIDField(source="pk", help_text="The referral the MASH received.")
    received_at = serializers.DateTimeField()
    status = serializers.CharField()


class EmergencyAttendanceCreateApi(APIView):
    @extend_schema(
        request=EmergencyAttendanceInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: EmergencyAttendanceOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        if not reads_case_data(request.user) or not is_health_practitioner(request.user):  # type: ignore[arg-type]
            raise NotFound()
        actor = request_actor(request)
        idempotency_key = _idempotency_key(request)
        serializer = EmergencyAttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = emergency_attendance_record_from(
            actor=actor,
            context=_context(request),
            data=serializer.validated_data,
            idempotency_key=idempotency_key,
        )
        return Response(EmergencyAttendanceOutputSerializer(referral).data, status=status.HTTP_201_CREATED)
