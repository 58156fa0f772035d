from django.urls import path

from panels.views import actions, figures, meetings, pack, panels, referrals

app_name = "panels"
urlpatterns = [
    path("", panels.panel_index_view, name="index"),
    path("<uuid:panel_id>/", panels.panel_detail_view, name="panel"),
    path("<uuid:panel_id>/schedule/", panels.meeting_schedule_view, name="schedule"),
    path("<uuid:panel_id>/attendance/", figures.attendance_figures_view, name="attendance-figures"),
    path("refer/<uuid:person_id>/", referrals.panel_refer_view, name="refer"),
    path(
        "refer/places-and-groups/<uuid:context_id>/", referrals.panel_refer_context_view, name="refer-context"
    ),
    path("referrals/<uuid:panel_referral_id>/", referrals.panel_referral_view, name="referral"),
    path(
        "referrals/<uuid:panel_referral_id>/close/",
        referrals.panel_referral_close_view,
        name="referral-close",
    ),
    path("meetings/<uuid:meeting_id>/", meetings.meeting_view, name="meeting"),
    path("meetings/<uuid:meeting_id>/agenda/build/", meetings.agenda_build_view, name="agenda-build"),
    path("meetings/<uuid:meeting_id>/agenda/add/", meetings.agenda_add_view, name="agenda-add"),
    path("meetings/<uuid:meeting_id>/agenda/arrange/", meetings.agenda_arrange_view, name="agenda-arrange"),
    path("meetings/<uuid:meeting_id>/publish/", meetings.meeting_publish_view, name="publish"),
    path("meetings/<uuid:meeting_id>/start/", meetings.meeting_start_view, name="start"),
    path("meetings/<uuid:meeting_id>/attendance/", meetings.attendance_add_view, name="attendance-add"),
    path(
        "meetings/<uuid:meeting_id>/attendance/<int:attendance_id>/remove/",
        meetings.attendance_remove_view,
        name="attendance-remove",
    ),
    path("meetings/<uuid:meeting_id>/minutes/", meetings.minutes_save_view, name="minutes"),
    path(
        "meetings/<uuid:meeting_id>/minutes/approve/", meetings.minutes_approve_view, name="minutes-approve"
    ),
    path("meetings/<uuid:meeting_id>/minutes/amend/", meetings.minutes_amend_view, name="minutes-amend"),
    path("meetings/<uuid:meeting_id>/pack/", pack.pack_view, name="pack"),
    path("meetings/<uuid:meeting_id>/pack.pdf", pack.pack_pdf_view, name="pack-pdf"),
    path("items/<uuid:item_id>/", meetings.item_view, name="item"),
    path("items/<uuid:item_id>/assessment/", meetings.assessment_view, name="assessment"),
    path("items/<uuid:item_id>/actions/", actions.action_agree_view, name="action-agree"),
    path("items/<uuid:item_id>/plan/send/", meetings.plan_send_view, name="plan-send"),
    path("actions/", actions.my_actions_view, name="my-actions"),
    path("actions/<uuid:action_id>/", actions.action_view, name="action"),
]
