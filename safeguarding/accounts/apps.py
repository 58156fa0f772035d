from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding.accounts"
    label = "accounts"
    verbose_name = "Sign-in, two-factor and API tokens"

    def ready(self) -> None:
        from safeguarding.accounts import schema  # noqa: F401  (registers the OpenAPI extensions)
