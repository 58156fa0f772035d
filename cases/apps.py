from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Safeguarding cases"

    def ready(self) -> None:
        from cases.person_pages import PERSON_CASES_SECTION
        from safeguarding.people.sections import person_section_register

        person_section_register(PERSON_CASES_SECTION)

        from cases.clocks import register_case_clock_subject

        register_case_clock_subject()

        from cases.home import MENU_ITEMS, MY_CASES_SECTION
        from safeguarding.accounts.home import home_section_register, menu_item_register

        home_section_register(MY_CASES_SECTION)
        for item in MENU_ITEMS:
            menu_item_register(item)

        from cases.chronology.registry import chronology_source_register
        from cases.chronology_sources import CHRONOLOGY_SOURCES

        for source in CHRONOLOGY_SOURCES:
            chronology_source_register(source)
