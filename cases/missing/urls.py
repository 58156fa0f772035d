from django.urls import path

from cases.missing import views

app_name = "missing"
urlpatterns = [
    path("people/<uuid:person_id>/", views.missing_person_view, name="person"),
    path("people/<uuid:person_id>/report/", views.report_view, name="report"),
    path("people/<uuid:person_id>/philomena/", views.philomena_view, name="philomena"),
    path("people/<uuid:person_id>/philomena/change/", views.philomena_edit_view, name="philomena-edit"),
    path("episodes/<uuid:episode_id>/", views.episode_view, name="episode"),
    path("episodes/<uuid:episode_id>/return/", views.return_view, name="return"),
    path("episodes/<uuid:episode_id>/return-home-interview/", views.rhi_view, name="rhi"),
    path("episodes/<uuid:episode_id>/risk/", views.risk_view, name="risk"),
    path("episodes/<uuid:episode_id>/philomena-part-2/", views.part2_view, name="part2"),
    path("episodes/<uuid:episode_id>/briefing/", views.briefing_view, name="briefing"),
    path("episodes/<uuid:episode_id>/briefing.pdf", views.briefing_pdf_view, name="briefing-pdf"),
]
