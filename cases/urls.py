from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("open/<uuid:person_id>/", views.case_open_view, name="open"),
    path("<uuid:case_id>/", views.case_detail_view, name="detail"),
    path("<uuid:case_id>/change/", views.case_edit_view, name="edit"),
    path("<uuid:case_id>/share/", views.case_share_view, name="share"),
]
