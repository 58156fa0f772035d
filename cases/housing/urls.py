from django.urls import path

from cases.housing import views

app_name = "housing"
urlpatterns = [
    path("people/<uuid:person_id>/", views.housing_person_view, name="person"),
    path("applications/<uuid:housing_application_id>/", views.housing_application_view, name="application"),
    path("referrals/<uuid:snp_referral_id>/", views.snp_referral_view, name="referral"),
]
