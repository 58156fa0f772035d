import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "rch"


def token_digest(raw_token: str) -> str:
    # Tokens are 256 bits of randomness, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 digest is stored; the token itself is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    # The first characters, kept in clear so a person can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @staticmethod
    def generate_raw() -> str:
        return f"{TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"
