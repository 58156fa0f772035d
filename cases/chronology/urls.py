from django.urls import path

from cases.chronology import views

app_name = "chronology"
urlpatterns = [
    path("<uuid:person_id>/", views.chronology_view, name="person"),
    path("<uuid:person_id>/print/", views.chronology_print_view, name="print"),
]
