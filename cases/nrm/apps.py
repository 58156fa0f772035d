from django.apps import AppConfig


class NrmConfig(AppConfig):
    """National Referral Mechanism."""

    name = "cases.nrm"
    label = "nrm"
    verbose_name = "National Referral Mechanism"

    def ready(self) -> None:
        from cases.nrm.clocks import register_nrm_clock_subject

        register_nrm_clock_subject()

        from cases.chronology.registry import chronology_source_register, record_link_register
        from cases.nrm.chronology import CHRONOLOGY_SOURCES, RECORD_LINK

        record_link_register(RECORD_LINK)
        for source in CHRONOLOGY_SOURCES:
            chronology_source_register(source)
