"""The project's URLs plus one bare endpoint for the referrals benchmark to compare against: the same
request (token authentication, middleware, JSON body) inserting the same referral row directly, with none of
the validation, idempotency, permissions, clock or audit that /api/v1/referrals/ does. Mounted only by
bench/referrals_settings.py; never by the project's own settings."""

import uuid

from django.urls import path
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from referrals.models import Referral
from safeguarding.organisations.models import User
from safeguarding.urls import urlpatterns as project_urlpatterns

BARE_PATH = "api/bench/bare-referrals/"  # under /api/, so the middleware treats it as the API


class BareReferralApi(APIView):
    schema = None  # not part of the API, so not in the OpenAPI schema either

    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User) and user.agency is not None
        body = request.data
        referral = Referral.objects.create(
            local_authority_id=user.agency.local_authority_id,
            mash_agency_id=user.agency_id,
            person_id=body["person_id"],
            source=body["source"],
            referrer_name=body.get("referrer_name", ""),
            referrer_contact=body.get("referrer_contact", ""),
            received_at=body["received_at"],
            concerns=body["concerns"],
            narrative=body["narrative"],
            consent=body["consent"],
            consent_not_sought_reason=body.get("consent_not_sought_reason", ""),
            lawful_basis=body["lawful_basis"],
            created_by=user,
            idempotency_key=f"bare-{uuid.uuid4()}",
        )
        return Response({"id": str(referral.pk)}, status=status.HTTP_201_CREATED)


urlpatterns = [path(BARE_PATH, BareReferralApi.as_view(), name="bench-bare-referral"), *project_urlpatterns]
