from django.urls import path

from cases.nrm import views

app_name = "nrm"
urlpatterns = [
    path("people/<uuid:person_id>/", views.nrm_person_view, name="person"),
    # Named as the other pages that only those who may change the child's case reach (cases:open): anyone else
    # gets 404 there, as for a record that does not exist.
    path("people/<uuid:person_id>/new/", views.nrm_open_view, name="open"),
    path("referrals/<uuid:nrm_referral_id>/", views.nrm_detail_view, name="detail"),
]
