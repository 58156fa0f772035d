"""The header's unread-notification badge and the managers' Deadlines menu item, on every page."""

import functools
from typing import Any

from django.http import HttpRequest

from safeguarding.accounts.services import is_two_factor_verified
from safeguarding.deadlines.access import can_see_dashboard
from safeguarding.deadlines.selectors import unread_notification_count
from safeguarding.organisations.models import User


def deadlines(request: HttpRequest) -> dict[str, Any]:
    """Both values are computed only if a template reads them (an htmx partial does not), and at most once
    per request: the count is one query on notification_unread_idx; the roles are already loaded."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not is_two_factor_verified(user):
        return {}

    @functools.cache
    def unread() -> int:
        assert isinstance(user, User)
        return unread_notification_count(user=user)

    @functools.cache
    def dashboard() -> bool:
        return can_see_dashboard(user)

    return {"unread_notification_count": unread, "can_see_sla_dashboard": dashboard}
