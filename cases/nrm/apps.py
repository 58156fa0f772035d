from django.apps import AppConfig


class NrmConfig(AppConfig):
    """National Referral Mechanism."""

    name = "cases.nrm"
    label = "nrm"
    verbose_name = "National Referral Mechanism"
