import logging
from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from safeguarding.accounts.models import ApiToken, token_digest
from safeguarding.accounts.services import is_two_factor_verified
from safeguarding.organisations.models import User

logger = logging.getLogger(__name__)


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer rch_…` (or `Token rch_…`). Looks the token up by its digest."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode().lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        raw = header[1].decode(errors="replace")
        # The user's role groups come with the token, user and agency (an array subquery), so has_role()
        # needs no query of its own: the same rows User.has_role would read, one round trip fewer.
        role_names = Group.objects.filter(user=OuterRef("user_id"), name__startswith="role:").values("name")
        token = (
            ApiToken.objects.select_related("user__agency")
            .annotate(user_role_names=ArraySubquery(role_names))
            .filter(digest=token_digest(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            logger.warning("API authentication failed from %s", request.META.get("REMOTE_ADDR"))
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        token.user._role_names = set(token.user_role_names)
        now = timezone.now()
        # Write last-used at most once a minute so busy clients do not turn every read into a write.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Session authentication for the browsable API and HTMX, only once the session passed two-factor."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        user = getattr(request._request, "user", None)
        if user is None or not user.is_active or not is_two_factor_verified(user):
            return None
        self.enforce_csrf(request)
        return user, None
