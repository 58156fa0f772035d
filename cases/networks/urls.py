from django.urls import path

from cases.networks import views

app_name = "networks"
urlpatterns = [
    path("people/<uuid:person_id>/", views.person_network_view, name="person"),
    path("people/<uuid:person_id>/links/add/", views.link_add_view, name="link-add"),
    path("contexts/", views.context_list_view, name="contexts"),
    path("contexts/<uuid:context_id>/", views.context_detail_view, name="context"),
    path("contexts/<uuid:context_id>/plan/", views.context_plan_view, name="context-plan"),
    path("links/<uuid:link_id>/status/", views.link_status_view, name="link-status"),
]
