"""Version 1 of the API. Every endpoint authenticates with a per-user token (or a two-factor session)."""

from django.urls import path

from cases.apis import CaseDetailApi, CaseListCreateApi
from referrals.apis import (
    CustodyBookingDetailApi,
    CustodyBookingListCreateApi,
    ReferralDetailApi,
    ReferralListCreateApi,
)
from safeguarding.people.apis import PersonDetailApi, PersonListCreateApi

app_name = "api-v1"
urlpatterns = [
    path("people/", PersonListCreateApi.as_view(), name="person-list"),
    path("people/<uuid:person_id>/", PersonDetailApi.as_view(), name="person-detail"),
    path("cases/", CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<uuid:case_id>/", CaseDetailApi.as_view(), name="case-detail"),
    path("referrals/", ReferralListCreateApi.as_view(), name="referral-list"),
    path("referrals/<uuid:referral_id>/", ReferralDetailApi.as_view(), name="referral-detail"),
    path("custody-bookings/", CustodyBookingListCreateApi.as_view(), name="custody-booking-list"),
    path(
        "custody-bookings/<uuid:booking_id>/",
        CustodyBookingDetailApi.as_view(),
        name="custody-booking-detail",
    ),
]
