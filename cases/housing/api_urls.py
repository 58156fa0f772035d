"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import path

from cases.housing import apis

urlpatterns = [
    path(
        "people/<uuid:person_id>/housing-applications/",
        apis.HousingApplicationListCreateApi.as_view(),
        name="housing-application-list",
    ),
    path(
        "housing-applications/<uuid:housing_application_id>/",
        apis.HousingApplicationDetailApi.as_view(),
        name="housing-application-detail",
    ),
    path(
        "people/<uuid:person_id>/social-needs-panel-referrals/",
        apis.SnpReferralListCreateApi.as_view(),
        name="snp-referral-list",
    ),
    path(
        "social-needs-panel-referrals/<uuid:snp_referral_id>/",
        apis.SnpReferralDetailApi.as_view(),
        name="snp-referral-detail",
    ),
]
