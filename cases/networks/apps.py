from django.apps import AppConfig


class NetworksConfig(AppConfig):
    """Networks and contextual safeguarding: people, places and groups, graded links, cross-case alerts."""

    name = "cases.networks"
    label = "networks"
    verbose_name = "Networks and contexts"

    def ready(self) -> None:
        from cases.networks.person_pages import PERSON_NETWORK_SECTION
        from safeguarding.people.sections import person_section_register

        person_section_register(PERSON_NETWORK_SECTION)

        from cases.networks.clocks import register_network_clock_subjects

        register_network_clock_subjects()

        from cases.networks.home import HOME_SECTIONS
        from safeguarding.accounts.home import home_section_register

        for section in HOME_SECTIONS:
            home_section_register(section)
