"""The menu on every page: the registered items (safeguarding/accounts/home.py) the user's page rules let
them use, with the one for the current page marked."""

import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from safeguarding.accounts.home import menu_items
from safeguarding.accounts.services import is_two_factor_verified
from safeguarding.organisations.models import User


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    active: bool


def _is_current(request: HttpRequest, current: tuple[str, ...]) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    here = f"{match.namespace}:{match.url_name}"
    return any(here == spec or (":" not in spec and match.namespace == spec) for spec in current)


def menu(request: HttpRequest) -> dict[str, Any]:
    """Computed only if a template reads it, once per request; the roles are already loaded."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not is_two_factor_verified(user):
        return {}

    @functools.cache
    def links() -> list[MenuLink]:
        assert isinstance(user, User)
        return [
            MenuLink(item.label, reverse(item.url_name), _is_current(request, item.current))
            for item in menu_items()
            if item.visible(user)
        ]

    return {"menu_links": links}
