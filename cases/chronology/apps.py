from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    """One chronology per child, assembled at read time from every module that registers a source, and the
    person page's "Child's record" section with the way to each module's pages."""

    name = "cases.chronology"
    label = "chronology"
    verbose_name = "Chronology"

    def ready(self) -> None:
        from cases.chronology.person_pages import PERSON_RECORD_SECTION
        from safeguarding.people.sections import person_section_register

        person_section_register(PERSON_RECORD_SECTION)
