from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding.accounts"
    label = "accounts"
    verbose_name = "Sign-in, two-factor and API tokens"

    def ready(self) -> None:
        from safeguarding.accounts import schema  # noqa: F401  (registers the OpenAPI extensions)
        from safeguarding.accounts.home import MenuItem, menu_item_register

        menu_item_register(
            MenuItem(
                "admin",
                "Administration",
                "admin:index",
                lambda user: user.is_staff,
                order=90,
                current=("admin",),
            )
        )
