"""The clock engine's part of the home pages: a manager's team, its clocks due soon or breached and the work
nobody has been given yet (each with "Allocate"), and an auditor's way into the authority's clocks; and the
Deadlines menu item. Registered from DeadlinesConfig.ready(); see safeguarding/accounts/home.py."""

from collections.abc import Mapping
from datetime import timedelta

from django.db.models import Q

from safeguarding.accounts.home import HomePage, HomeSection, MenuItem
from safeguarding.deadlines.access import can_see_dashboard, is_manager
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.queues import clock_queue
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.roles import Role

# "Due soon" on a manager's home page: within this time, or already warned.
DUE_SOON = timedelta(hours=24)


def _team(page: HomePage) -> Mapping[str, object] | None:
    """The manager's agency's clocks due within a day or breached, and those with no owner (2 queries)."""
    user = page.actor
    if not reads_case_data(user) or not is_manager(user):
        return None
    assert user.agency is not None
    agency_clocks = Deadline.objects.filter(
        local_authority_id=user.agency.local_authority_id, owning_agency_id=user.agency_id
    )
    pressing = clock_queue(
        agency_clocks.filter(
            Q(status=DeadlineStatus.BREACHED)
            | Q(due_at__lte=page.now + DUE_SOON)
            | Q(warned_at__isnull=False)
        ),
        user=user,
        now=page.now,
    )
    unallocated = clock_queue(agency_clocks.filter(owner__isnull=True), user=user, now=page.now)
    return {
        "pressing": pressing,
        "unallocated": unallocated,
        "person_ids": pressing.person_ids + unallocated.person_ids,
    }


def _auditor(page: HomePage) -> Mapping[str, object] | None:
    user = page.actor
    if not reads_case_data(user) or not user.has_role(Role.AUDITOR):
        return None
    return {}


HOME_SECTIONS = (
    HomeSection("team", "home/team.html", _team, order=5),
    HomeSection("auditor", "home/auditor.html", _auditor, order=5),
)

MENU_ITEMS = (
    MenuItem(
        "deadlines",
        "Deadlines",
        "deadlines:dashboard",
        can_see_dashboard,
        order=70,
        current=("deadlines:dashboard", "deadlines:dashboard-list"),
    ),
)
