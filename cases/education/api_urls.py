"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import path

from cases.education import apis

urlpatterns = [
    path(
        "people/<uuid:person_id>/education-changes/",
        apis.EducationChangeListCreateApi.as_view(),
        name="education-change-list",
    ),
    path(
        "education-changes/<uuid:education_change_id>/",
        apis.EducationChangeDetailApi.as_view(),
        name="education-change-detail",
    ),
    path(
        "people/<uuid:person_id>/school-place-applications/",
        apis.SchoolPlaceApplicationListCreateApi.as_view(),
        name="school-place-application-list",
    ),
    path(
        "school-place-applications/<uuid:school_application_id>/",
        apis.SchoolPlaceApplicationDetailApi.as_view(),
        name="school-place-application-detail",
    ),
]
