from django.apps import AppConfig


class MissingConfig(AppConfig):
    """Missing episodes, return home interviews and Philomena profiles."""

    name = "cases.missing"
    label = "missing"
    verbose_name = "Missing episodes, return home interviews and Philomena profiles"
