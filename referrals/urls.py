from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list_view, name="list"),
    path("new/", views.intake_view, {"kind": "referral"}, name="create"),
    path("custody/new/", views.intake_view, {"kind": "custody"}, name="custody-create"),
    path("drm/", views.drm_view, name="drm"),
    path("requests/", views.request_queue_view, name="requests"),
    path("requests/<uuid:request_id>/", views.request_view, name="request"),
    path("requests/<uuid:request_id>/clocks/", views.request_clocks_view, name="request-clocks"),
    path("urgent/", views.urgent_queue_view, name="urgent"),
    path("<uuid:referral_id>/", views.referral_detail_view, name="detail"),
    path("<uuid:referral_id>/clocks/", views.referral_clocks_view, {"subject": "referral"}, name="clocks"),
    path("<uuid:referral_id>/custody/", views.custody_view, name="custody"),
    path(
        "<uuid:referral_id>/custody/clocks/",
        views.referral_clocks_view,
        {"subject": "custody_booking"},
        name="custody-clocks",
    ),
    path("<uuid:referral_id>/rate/", views.rate_view, name="rate"),
    path("<uuid:referral_id>/decision/", views.decision_view, name="decision"),
    path("<uuid:referral_id>/urgent-contact/", views.urgent_contact_view, name="urgent-contact"),
]
