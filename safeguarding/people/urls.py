from django.urls import path

from safeguarding.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("add/", views.person_create_view, name="create"),
    path("<uuid:person_id>/", views.person_detail_view, name="detail"),
    path("<uuid:person_id>/change/", views.person_edit_view, name="edit"),
]
