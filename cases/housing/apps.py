from django.apps import AppConfig


class HousingConfig(AppConfig):
    """Housing applications and Social Needs Panel referrals."""

    name = "cases.housing"
    label = "housing"
    verbose_name = "Housing applications and Social Needs Panel referrals"

    def ready(self) -> None:
        from cases.chronology.registry import chronology_source_register, record_link_register
        from cases.housing.chronology import CHRONOLOGY_SOURCE, RECORD_LINK

        record_link_register(RECORD_LINK)
        chronology_source_register(CHRONOLOGY_SOURCE)
