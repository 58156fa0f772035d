import logging

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts.models import ApiToken, token_digest
from safeguarding.organisations.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the stored token row and the raw token, which is never stored and cannot be shown again."""
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=token_digest(raw))
    logger.info("API token %s issued for %s", token.prefix, user.username)
    return token, raw


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling, created on first visit and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()


def is_two_factor_verified(user: object) -> bool:
    """True for a signed-in user whose session passed TOTP (django-otp adds is_verified to request.user)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and callable(is_verified) and is_verified())
