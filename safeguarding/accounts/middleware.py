from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from safeguarding.accounts.services import is_two_factor_verified

# Reachable without signing in: sign-in itself, health checks for the load balancer, static assets, and
# the API (which authenticates each request itself and answers 401 rather than redirecting).
PUBLIC_PREFIXES = ("/sign-in", "/static/", "/healthz", "/api/", "/favicon.ico", "/robots.txt")
# Reachable after the password, before the second factor.
HALF_SIGNED_IN_PREFIXES = ("/sign-in", "/sign-out", "/two-factor")


class RequireTwoFactorMiddleware:
    """Every page needs a signed-in user who has passed TOTP two-factor. Deny by default: a new page is
    protected without anyone remembering to decorate it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(PUBLIC_PREFIXES) and not path.startswith("/two-factor"):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': request.get_full_path()})}")
        if not is_two_factor_verified(user) and not path.startswith(HALF_SIGNED_IN_PREFIXES):
            return redirect("accounts:two-factor")
        return self.get_response(request)
