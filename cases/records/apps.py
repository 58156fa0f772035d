from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Contacts, case notes, documents and photos."""

    name = "cases.records"
    label = "records"
    verbose_name = "Contacts, case notes, documents and photos"

    def ready(self) -> None:
        from cases.chronology.registry import chronology_source_register, record_link_register
        from cases.records.chronology import CONTACT_SOURCE, DOCUMENT_SOURCE, RECORDS_LINK

        record_link_register(RECORDS_LINK)
        chronology_source_register(CONTACT_SOURCE)
        chronology_source_register(DOCUMENT_SOURCE)
