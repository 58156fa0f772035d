from django.apps import AppConfig


class EducationConfig(AppConfig):
    """Education status history and school place applications."""

    name = "cases.education"
    label = "education"
    verbose_name = "Education status history and school place applications"

    def ready(self) -> None:
        from cases.education.clocks import register_education_clock_subjects

        register_education_clock_subjects()

        from cases.chronology.registry import chronology_source_register, record_link_register
        from cases.education.chronology import CHRONOLOGY_SOURCES, RECORD_LINK

        record_link_register(RECORD_LINK)
        for source in CHRONOLOGY_SOURCES:
            chronology_source_register(source)
