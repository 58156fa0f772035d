from django.urls import path

from cases.networks import views

app_name = "networks"
urlpatterns = [
    path("people/<uuid:person_id>/", views.person_network_view, name="person"),
    path("people/<uuid:person_id>/links/add/", views.link_add_view, name="link-add"),
    path("people/<uuid:person_id>/links/add/new/", views.link_new_end_view, name="link-new-end"),
    path("contexts/", views.context_list_view, name="contexts"),
    path("contexts/<uuid:context_id>/", views.context_detail_view, name="context"),
    path("contexts/<uuid:context_id>/change/", views.context_edit_view, name="context-edit"),
    path("contexts/<uuid:context_id>/history/", views.context_history_view, name="context-history"),
    path("contexts/<uuid:context_id>/plan/", views.context_plan_view, name="context-plan"),
    path("links/<uuid:link_id>/status/", views.link_status_view, name="link-status"),
]
