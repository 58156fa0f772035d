from django.apps import AppConfig


class HousingConfig(AppConfig):
    """Housing applications and Social Needs Panel referrals."""

    name = "cases.housing"
    label = "housing"
    verbose_name = "Housing applications and Social Needs Panel referrals"
