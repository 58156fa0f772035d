from django.urls import path

from cases.education import views

app_name = "education"
urlpatterns = [
    path("people/<uuid:person_id>/", views.education_person_view, name="person"),
    path("changes/<uuid:education_change_id>/", views.education_change_view, name="change"),
    path(
        "applications/<uuid:school_application_id>/", views.school_place_application_view, name="application"
    ),
]
