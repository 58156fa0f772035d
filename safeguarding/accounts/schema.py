"""Describe our authentication classes in the OpenAPI schema (imported from AccountsConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.accounts.authentication.HashedTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A per-user token from `manage.py issue_api_token USERNAME`: `Authorization: Bearer rch_…`",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.accounts.authentication.VerifiedSessionAuthentication"
    name = "twoFactorSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A browser session after two-factor.",
        }
