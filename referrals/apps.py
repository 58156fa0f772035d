from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """MASH front door: referrals, custody bookings, information requests, decisions (a later issue)."""

    name = "referrals"
    verbose_name = "Referrals"
