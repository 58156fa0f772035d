"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import path

from cases.nrm.apis import (
    NrmConclusiveGroundsApi,
    NrmPersonReferralsApi,
    NrmReasonableGroundsApi,
    NrmReferralDetailApi,
)

urlpatterns = [
    path(
        "people/<uuid:person_id>/nrm-referrals/", NrmPersonReferralsApi.as_view(), name="nrm-person-referrals"
    ),
    path("nrm-referrals/<uuid:nrm_referral_id>/", NrmReferralDetailApi.as_view(), name="nrm-referral-detail"),
    path(
        "nrm-referrals/<uuid:nrm_referral_id>/reasonable-grounds-decision/",
        NrmReasonableGroundsApi.as_view(),
        name="nrm-reasonable-grounds-decision",
    ),
    path(
        "nrm-referrals/<uuid:nrm_referral_id>/conclusive-grounds-decision/",
        NrmConclusiveGroundsApi.as_view(),
        name="nrm-conclusive-grounds-decision",
    ),
]
