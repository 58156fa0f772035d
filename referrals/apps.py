from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """MASH front door: referrals, custody bookings, information requests, decisions."""

    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from referrals.clocks import register_referral_clock_subjects

        register_referral_clock_subjects()
