from django.apps import AppConfig


class PanelsConfig(AppConfig):
    """The multi-agency Exploitation and Risk Panel: referrals, meetings, risk assessments, actions, minutes."""

    name = "panels"
    verbose_name = "Exploitation and Risk Panel"

    def ready(self) -> None:
        from panels.person_pages import PERSON_PANELS_SECTION
        from safeguarding.people.sections import person_section_register

        person_section_register(PERSON_PANELS_SECTION)

        from cases.networks.sections import context_section_register
        from panels.person_pages import CONTEXT_PANELS_SECTION

        context_section_register(CONTEXT_PANELS_SECTION)

        from panels.clocks import register_panel_clock_subjects

        register_panel_clock_subjects()

        from panels.home import HOME_SECTIONS, MENU_ITEMS
        from safeguarding.accounts.home import home_section_register, menu_item_register

        for section in HOME_SECTIONS:
            home_section_register(section)
        for item in MENU_ITEMS:
            menu_item_register(item)

        from cases.chronology.registry import chronology_source_register
        from panels.chronology import CHRONOLOGY_SOURCES

        for source in CHRONOLOGY_SOURCES:
            chronology_source_register(source)
