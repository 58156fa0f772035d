from django.apps import AppConfig


class PanelsConfig(AppConfig):
    """The multi-agency Exploitation and Risk Panel (a later issue)."""

    name = "panels"
    verbose_name = "Exploitation and Risk Panel"
