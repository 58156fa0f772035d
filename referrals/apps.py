from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """MASH front door: referrals, custody bookings, information requests, decisions."""

    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from referrals.clocks import register_referral_clock_subjects

        register_referral_clock_subjects()

        from referrals.person_pages import PERSON_FRONT_DOOR_SECTION
        from safeguarding.people.sections import person_section_register

        person_section_register(PERSON_FRONT_DOOR_SECTION)

        from referrals.home import HOME_SECTIONS, MENU_ITEMS
        from safeguarding.accounts.home import home_section_register, menu_item_register

        for section in HOME_SECTIONS:
            home_section_register(section)
        for item in MENU_ITEMS:
            menu_item_register(item)

        from cases.chronology.registry import chronology_source_register
        from referrals.chronology import CHRONOLOGY_SOURCES

        for source in CHRONOLOGY_SOURCES:
            chronology_source_register(source)
