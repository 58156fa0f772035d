"""Pages for clocks, one module per workflow: the clock panel (panel), the actions on one clock (actions),
the signed-in user's notifications (notifications), the SLA dashboard (dashboard) and its CSV (export).
The names other apps and urls.py use are re-exported here."""

from safeguarding.deadlines.views.actions import CLOCK_ACTIONS, ClockAction, clock_action_view
from safeguarding.deadlines.views.dashboard import (
    dashboard_figures_view,
    dashboard_list_view,
    dashboard_view,
)
from safeguarding.deadlines.views.notifications import notifications_mark_read_view, notifications_view
from safeguarding.deadlines.views.panel import (
    ClockRow,
    clock_back_url,
    clock_panel_context,
    clock_row,
    subject_clocks_view,
    subject_view,
)
from safeguarding.deadlines.views.wording import describe_duration, describe_remaining, describe_time

__all__ = [
    "CLOCK_ACTIONS",
    "ClockAction",
    "ClockRow",
    "clock_action_view",
    "clock_back_url",
    "clock_panel_context",
    "clock_row",
    "dashboard_figures_view",
    "dashboard_list_view",
    "dashboard_view",
    "describe_duration",
    "describe_remaining",
    "describe_time",
    "notifications_mark_read_view",
    "notifications_view",
    "subject_clocks_view",
    "subject_view",
]
