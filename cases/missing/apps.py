from django.apps import AppConfig


class MissingConfig(AppConfig):
    """Missing episodes, return home interviews and Philomena profiles."""

    name = "cases.missing"
    label = "missing"
    verbose_name = "Missing episodes, return home interviews and Philomena profiles"

    def ready(self) -> None:
        from cases.missing.clocks import register_missing_clock_subjects

        register_missing_clock_subjects()

        from cases.missing.chronology import register_missing_record

        register_missing_record()
