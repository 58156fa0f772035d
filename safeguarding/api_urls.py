"""Version 1 of the API. Every endpoint authenticates with a per-user token (or a two-factor session)."""

from django.urls import include, path

from cases.apis import CaseDetailApi, CaseListCreateApi
from cases.networks.apis import (
    ContextDetailApi,
    ContextListCreateApi,
    ContextNetworkApi,
    LinkCreateApi,
    LinkDetailApi,
    PersonNetworkApi,
)
from panels.apis import (
    PanelActionDetailApi,
    PanelActionListApi,
    PanelItemActionsApi,
    PanelItemAssessmentApi,
    PanelMeetingAttendanceApi,
    PanelMeetingDetailApi,
    PanelMeetingListApi,
    PanelReferralCreateApi,
)
from referrals.apis import (
    CustodyBookingDetailApi,
    CustodyBookingListCreateApi,
    ReferralDetailApi,
    ReferralListCreateApi,
)
from referrals.moment_apis import EmergencyAttendanceCreateApi, ReferralMomentsApi
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
    path("panel-meetings/", PanelMeetingListApi.as_view(), name="panel-meeting-list"),
    path("panel-meetings/<uuid:meeting_id>/", PanelMeetingDetailApi.as_view(), name="panel-meeting-detail"),
    path(
        "panel-meetings/<uuid:meeting_id>/attendance/",
        PanelMeetingAttendanceApi.as_view(),
        name="panel-meeting-attendance",
    ),
    path(
        "panel-items/<uuid:item_id>/assessment/",
        PanelItemAssessmentApi.as_view(),
        name="panel-item-assessment",
    ),
    path("panel-items/<uuid:item_id>/actions/", PanelItemActionsApi.as_view(), name="panel-item-actions"),
    path("panel-actions/", PanelActionListApi.as_view(), name="panel-action-list"),
    path("panel-actions/<uuid:action_id>/", PanelActionDetailApi.as_view(), name="panel-action-detail"),
    path("panel-referrals/", PanelReferralCreateApi.as_view(), name="panel-referral-list"),
    path("people/<uuid:person_id>/network/", PersonNetworkApi.as_view(), name="person-network"),
    path("contexts/", ContextListCreateApi.as_view(), name="context-list"),
    path("contexts/<uuid:context_id>/", ContextDetailApi.as_view(), name="context-detail"),
    path("contexts/<uuid:context_id>/network/", ContextNetworkApi.as_view(), name="context-network"),
    path("links/", LinkCreateApi.as_view(), name="link-list"),
    path("links/<uuid:link_id>/", LinkDetailApi.as_view(), name="link-detail"),
    path(
        "referrals/<uuid:referral_id>/reachable-moments/",
        ReferralMomentsApi.as_view(),
        name="referral-moments",
    ),
    path("emergency-attendances/", EmergencyAttendanceCreateApi.as_view(), name="emergency-attendance-list"),
    # The child's record: each module's routes, in this namespace.
    path("", include("cases.missing.api_urls")),
    path("", include("cases.education.api_urls")),
    path("", include("cases.housing.api_urls")),
    path("", include("cases.nrm.api_urls")),
    path("", include("cases.records.api_urls")),
]
