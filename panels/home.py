"""The panels' part of the home pages: a chair's or member's next meetings (and a coordinator's), and the
panel actions the user owns, soonest due first; and the Panels menu item. Registered from
PanelsConfig.ready(); see safeguarding/accounts/home.py."""

from collections.abc import Mapping

from django.utils import timezone

from panels.access import panels_run_by
from panels.selectors import meetings_for, my_actions
from safeguarding.accounts.home import HomePage, HomeSection, MenuItem
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.roles import Role


def _meetings(page: HomePage) -> Mapping[str, object] | None:
    """The next meetings of the panels the user sits on or runs (1 query, 2 for someone not a chair or
    member, to see whether they coordinate one)."""
    user = page.actor
    if not reads_case_data(user):
        return None
    if not user.has_any_role(Role.PANEL_CHAIR, Role.PANEL_MEMBER) and not panels_run_by(user).exists():
        return None
    today = timezone.localdate()
    return {"meetings": list(meetings_for(user=user).filter(scheduled_for__date__gte=today)[:5])}


def _actions(page: HomePage) -> Mapping[str, object] | None:
    """The open panel actions the user owns (1 query); nothing shown when there are none."""
    user = page.actor
    if not reads_case_data(user):
        return None
    actions = list(my_actions(user=user)[:10])
    if not actions:
        return None
    return {
        "actions": actions,
        "today": timezone.localdate(),
        "person_ids": [pid for action in actions for pid in action.referral.person_ids],
    }


HOME_SECTIONS = (
    HomeSection("panel_meetings", "home/panel_meetings.html", _meetings, order=40),
    HomeSection("panel_actions", "home/panel_actions.html", _actions, order=45),
)

MENU_ITEMS = (MenuItem("panels", "Panels", "panels:index", reads_case_data, order=50, current=("panels",)),)
