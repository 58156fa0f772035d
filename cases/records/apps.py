from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Contacts, case notes, documents and photos."""

    name = "cases.records"
    label = "records"
    verbose_name = "Contacts, case notes, documents and photos"
