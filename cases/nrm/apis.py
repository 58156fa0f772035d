"""The NRM API: a child's referrals (listed and recorded per person), one referral, and its reasonable grounds
and conclusive grounds decisions (read with the referral, recorded once each).

Every route authorises through the access layer first: 404 to anyone the child's case is not shared with,
before anything sent is read. Recording needs the right to change the case (its lead agency): a partner
agency that may only read it is refused with 403. Every read that shows the child writes one audit row;
writes are audited by their services.

Choice fields that another choice set already names elsewhere in the API (`outcome`, `status`) are plain
strings in the schema with their values in the help text, as in cases/networks/apis.py: one name per enum
keeps the schema warning-free."""

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.models import ExploitationType
from cases.nrm.access import access_nrm_referral, can_record_nrm
from cases.nrm.models import NrmDecisionMaker, NrmOutcome, NrmReferral, NrmStatus
from cases.nrm.selectors import nrm_referrals_for_person
from cases.nrm.services import (
    nrm_conclusive_grounds_record,
    nrm_reasonable_grounds_record,
    nrm_referral_create,
)
from safeguarding.common.errors import NotFound, PermissionRefused
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person

ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors, keyed by field name."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="You may read the child's case but not change it."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="It does not exist or is not shared with you."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="That decision is already recorded."),
}


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


class NrmDecisionOutput(serializers.Serializer):
    outcome = serializers.CharField(help_text=f"One of {', '.join(NrmOutcome.values)}.")
    decided_on = serializers.DateField()
    decided_by = serializers.CharField(help_text=f"One of {', '.join(NrmDecisionMaker.values)}.")
    decision_maker_name = serializers.CharField(help_text="The competent authority's team or the panel.")


class NrmRecoveryPeriodOutput(serializers.Serializer):
    starts_on = serializers.DateField()
    earliest_end_on = serializers.DateField(
        help_text="At least 30 days after it starts; it lasts until the conclusive grounds decision."
    )


class NrmGuardianOutput(serializers.Serializer):
    referred_on = serializers.DateField(
        help_text="Referred to the Independent Child Trafficking Guardian service."
    )
    allocated_on = serializers.DateField(allow_null=True)
    guardian_name = serializers.CharField()
    organisation = serializers.CharField()


def _decision(referral: NrmReferral, prefix: str) -> dict[str, Any] | None:
    if not getattr(referral, f"{prefix}_outcome"):
        return None
    return {
        "outcome": getattr(referral, f"{prefix}_outcome"),
        "decided_on": getattr(referral, f"{prefix}_decided_on"),
        "decided_by": getattr(referral, f"{prefix}_decided_by"),
        "decision_maker_name": getattr(referral, f"{prefix}_decision_maker_name"),
    }


class NrmReferralOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    case = serializers.UUIDField(source="case_id")
    status = serializers.SerializerMethodField(help_text=f"One of {', '.join(NrmStatus.values)}.")
    first_responder = serializers.CharField(
        help_text="The first responder organisation that made the referral."
    )
    recording_agency = serializers.UUIDField(source="recording_agency_id")
    recording_agency_name = serializers.CharField(source="recording_agency.name")
    referred_on = serializers.DateField()
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationType.choices)
    )
    county_lines = serializers.BooleanField()
    notes = serializers.CharField()
    reasonable_grounds = serializers.SerializerMethodField(help_text="Null until it is recorded.")
    recovery_period = serializers.SerializerMethodField(
        help_text="Started by a positive reasonable grounds decision; null otherwise."
    )
    conclusive_grounds = serializers.SerializerMethodField(help_text="Null until it is recorded.")
    guardian = serializers.SerializerMethodField(
        help_text="The Independent Child Trafficking Guardian; null until the child is referred to the service."
    )
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_status(self, referral: NrmReferral) -> str:
        return str(referral.status_on(timezone.localdate()))

    @extend_schema_field(NrmDecisionOutput(allow_null=True))
    def get_reasonable_grounds(self, referral: NrmReferral) -> dict[str, Any] | None:
        return _decision(referral, "rg")

    @extend_schema_field(NrmRecoveryPeriodOutput(allow_null=True))
    def get_recovery_period(self, referral: NrmReferral) -> dict[str, Any] | None:
        if referral.recovery_starts_on is None:
            return None
        return {
            "starts_on": referral.recovery_starts_on,
            "earliest_end_on": referral.recovery_earliest_end_on,
        }

    @extend_schema_field(NrmDecisionOutput(allow_null=True))
    def get_conclusive_grounds(self, referral: NrmReferral) -> dict[str, Any] | None:
        return _decision(referral, "cg")

    @extend_schema_field(NrmGuardianOutput(allow_null=True))
    def get_guardian(self, referral: NrmReferral) -> dict[str, Any] | None:
        if referral.ictg_referred_on is None:
            return None
        return {
            "referred_on": referral.ictg_referred_on,
            "allocated_on": referral.ictg_allocated_on,
            "guardian_name": referral.ictg_guardian_name,
            "organisation": referral.ictg_organisation,
        }


class NrmPersonReferralsOutput(serializers.Serializer):
    person = serializers.UUIDField()
    person_name = serializers.CharField()
    referrals = NrmReferralOutput(many=True, help_text="Newest first: those on the cases you may see.")


def _audited(request: Request, referral: NrmReferral) -> NrmReferral:
    audit_read(
        request,
        action=AuditAction.VIEW,
        object_type="nrm_referral",
        object_id=referral.pk,
        person_ids=[referral.person_id],
    )
    return referral


def _writable(actor: User, nrm_referral_id: uuid.UUID) -> NrmReferral:
    """The referral to record on: 404 for anyone who may not see it, 403 for a reader who may not change it."""
    referral = access_nrm_referral(actor, nrm_referral_id)
    try:
        return access_nrm_referral(actor, nrm_referral_id, write=True)
    except NotFound:
        raise PermissionRefused(
            f"Only the agency that leads {referral.person.full_name}'s case can record this."
        ) from None


class NrmPersonReferralsApi(APIView):
    class NrmReferralCreateInput(serializers.Serializer):
        first_responder = serializers.CharField(
            max_length=200, help_text="The first responder organisation that made the referral."
        )
        referred_on = serializers.DateField(help_text="Not in the future, nor before the child's birth.")
        exploitation_types = serializers.ListField(
            child=serializers.ChoiceField(choices=ExploitationType.choices),
            min_length=1,
            max_length=len(ExploitationType),
        )
        county_lines = serializers.BooleanField(required=False, default=False)
        notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @extend_schema(
        responses={200: NrmPersonReferralsOutput, 404: ERROR_RESPONSES[404]},
        description="The child's NRM referrals on the cases you may see.",
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        referrals = nrm_referrals_for_person(user=actor, person_id=person.pk)
        audit_read(
            request,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
            changes={"shown": "nrm_referrals", "count": len(referrals)},
        )
        data = {"person": person.pk, "person_name": person.full_name, "referrals": referrals}
        return Response(NrmPersonReferralsOutput(data).data)

    @extend_schema(
        request=NrmReferralCreateInput,
        responses={201: NrmReferralOutput, **ERROR_RESPONSES},
        description="Records the child's NRM referral on their open case (a child needs no consent) and starts "
        "the 5 working day reasonable grounds clock. One referral may wait for its reasonable grounds "
        "decision at a time.",
    )
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        if not can_record_nrm(actor):
            raise PermissionRefused("Your role does not allow you to record NRM referrals.")
        serializer = self.NrmReferralCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = nrm_referral_create(
            actor=actor, context=_context(request), person=person, data=dict(serializer.validated_data)
        )
        return Response(
            NrmReferralOutput(access_nrm_referral(actor, referral.pk)).data, status=status.HTTP_201_CREATED
        )


class NrmReferralDetailApi(APIView):
    @extend_schema(responses={200: NrmReferralOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, nrm_referral_id: uuid.UUID) -> Response:
        referral = _audited(request, access_nrm_referral(request_actor(request), nrm_referral_id))
        return Response(NrmReferralOutput(referral).data)


class NrmDecisionInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=8, help_text=f"One of {', '.join(NrmOutcome.values)}.")
    decided_on = serializers.DateField(help_text="Not in the future.")
    decided_by = serializers.CharField(
        max_length=16,
        help_text=f"One of {', '.join(NrmDecisionMaker.values)}: the Single Competent Authority, or a devolved "
        "child decision-making panel.",
    )
    decision_maker_name = serializers.CharField(max_length=200, help_text="The team's or the panel's name.")

    def validate_outcome(self, value: str) -> str:
        if value not in NrmOutcome.values:
            raise serializers.ValidationError(f"Must be one of {', '.join(NrmOutcome.values)}.")
        return value

    def validate_decided_by(self, value: str) -> str:
        if value not in NrmDecisionMaker.values:
            raise serializers.ValidationError(f"Must be one of {', '.join(NrmDecisionMaker.values)}.")
        return value


class NrmReasonableGroundsApi(APIView):
    @extend_schema(
        responses={200: NrmReferralOutput, 404: ERROR_RESPONSES[404]},
        description="The referral, with its reasonable grounds decision (null until recorded).",
    )
    def get(self, request: Request, nrm_referral_id: uuid.UUID) -> Response:
        referral = _audited(request, access_nrm_referral(request_actor(request), nrm_referral_id))
        return Response(NrmReferralOutput(referral).data)

    @extend_schema(
        request=NrmDecisionInput,
        responses={201: NrmReferralOutput, **ERROR_RESPONSES},
        description="Records the reasonable grounds decision, once, on or after the referral; it meets the "
        "decision's clock. A positive decision starts a recovery period of at least 30 days.",
    )
    def post(self, request: Request, nrm_referral_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        referral = _writable(actor, nrm_referral_id)
        serializer = NrmDecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        nrm_reasonable_grounds_record(
            actor=actor, context=_context(request), referral=referral, data=dict(serializer.validated_data)
        )
        return Response(
            NrmReferralOutput(access_nrm_referral(actor, referral.pk)).data, status=status.HTTP_201_CREATED
        )


class NrmConclusiveGroundsApi(APIView):
    @extend_schema(
        responses={200: NrmReferralOutput, 404: ERROR_RESPONSES[404]},
        description="The referral, with its conclusive grounds decision (null until recorded).",
    )
    def get(self, request: Request, nrm_referral_id: uuid.UUID) -> Response:
        referral = _audited(request, access_nrm_referral(request_actor(request), nrm_referral_id))
        return Response(NrmReferralOutput(referral).data)

    @extend_schema(
        request=NrmDecisionInput,
        responses={201: NrmReferralOutput, **ERROR_RESPONSES},
        description="Records the conclusive grounds decision, once: only after a positive reasonable grounds "
        "decision, and no sooner than the end of its recovery period (30 days after it).",
    )
    def post(self, request: Request, nrm_referral_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        referral = _writable(actor, nrm_referral_id)
        serializer = NrmDecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        nrm_conclusive_grounds_record(
            actor=actor, context=_context(request), referral=referral, data=dict(serializer.validated_data)
        )
        return Response(
            NrmReferralOutput(access_nrm_referral(actor, referral.pk)).data, status=status.HTTP_201_CREATED
        )
