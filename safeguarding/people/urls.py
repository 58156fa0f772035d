from django.urls import path

from safeguarding.people import audit_pages, views

app_name = "people"
# "add/" (people:create) adds a person and opens their case in one step, a cases workflow: the project's urls
# add it to this namespace, since people imports no domain app.
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("<uuid:person_id>/", views.person_detail_view, name="detail"),
    path("<uuid:person_id>/change/", views.person_edit_view, name="edit"),
    path("<uuid:person_id>/looks/", audit_pages.person_looks_view, name="looks"),
    path("audit/", audit_pages.audit_search_view, name="audit"),
]
