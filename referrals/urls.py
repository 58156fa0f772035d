from django.urls import path

from referrals.views import (
    custody,
    decision,
    drm,
    information,
    intake,
    moments,
    queues,
    referral,
    urgent_response,
)

app_name = "referrals"
urlpatterns = [
    path("", queues.referral_list_view, name="list"),
    path("new/", intake.intake_view, {"kind": "referral"}, name="create"),
    path("custody/new/", intake.intake_view, {"kind": "custody"}, name="custody-create"),
    path("drm/", drm.drm_view, name="drm"),
    path("emergency/new/", moments.emergency_attendance_view, name="emergency-attendance"),
    path("requests/", queues.request_queue_view, name="requests"),
    path("requests/<uuid:request_id>/", information.request_view, name="request"),
    path("requests/<uuid:request_id>/clocks/", information.request_clocks_view, name="request-clocks"),
    path("urgent/", queues.urgent_queue_view, name="urgent"),
    path("<uuid:referral_id>/", referral.referral_detail_view, name="detail"),
    path("<uuid:referral_id>/clocks/", referral.referral_clocks_view, {"subject": "referral"}, name="clocks"),
    path("<uuid:referral_id>/custody/", custody.custody_view, name="custody"),
    path(
        "<uuid:referral_id>/custody/clocks/",
        referral.referral_clocks_view,
        {"subject": "custody_booking"},
        name="custody-clocks",
    ),
    path("<uuid:referral_id>/rate/", information.rate_view, name="rate"),
    path("<uuid:referral_id>/new-episode/", referral.referral_new_episode_view, name="new-episode"),
    path("<uuid:referral_id>/decision/", decision.decision_view, name="decision"),
    path("<uuid:referral_id>/urgent-contact/", urgent_response.urgent_contact_view, name="urgent-contact"),
    path("<uuid:referral_id>/moments/new/", moments.moment_create_view, name="moment-create"),
]
