from django.urls import path

from safeguarding.deadlines import views

app_name = "deadlines"
urlpatterns = [
    # delivery.py links every notification email here.
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/read/", views.notifications_mark_read_view, name="notifications-read"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/figures/", views.dashboard_figures_view, name="dashboard-figures"),
    path("dashboard/list/", views.dashboard_list_view, name="dashboard-list"),
    path("subject/<slug:subject_type>/<uuid:subject_id>/", views.subject_view, name="subject"),
    path(
        "subject/<slug:subject_type>/<uuid:subject_id>/clocks/",
        views.subject_clocks_view,
        name="subject-clocks",
    ),
    *(
        path(f"clock/<uuid:deadline_id>/{action}/", views.clock_action_view, {"action": action}, name=action)
        for action in views.CLOCK_ACTIONS
    ),
]
