"""What the records app gives the child's record area (registered from RecordsConfig.ready(); see
cases/chronology/registry.py): its link from the person page and its two chronology sources, scoped as its own
pages are (an agency's own-agency notes only to that agency)."""

import uuid

from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Coalesce, Left, NullIf

from cases.chronology.registry import ChronologySource, RecordLink, chronology_values
from cases.records.access import contacts_visible_to, documents_visible_to
from cases.records.models import ContactType
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User

RECORDS_LINK = RecordLink(
    key="records",
    label="Contacts, notes and documents",
    url_name="records:person",
    # Every case-data reader may open it for a child they can see (it shows what of it they may see).
    shown_to=reads_case_data,
    description="Visits, calls, meetings, case notes, documents and photos",
)


def _contact_events(user: User, person_id: uuid.UUID) -> QuerySet:
    type_label = Case(
        *(When(contact_type=value, then=Value(str(label))) for value, label in ContactType.choices),
        default=Value("Contact"),
        output_field=CharField(),
    )
    return chronology_values(
        contacts_visible_to(user).filter(person_id=person_id),
        kind="contact",
        at="occurred_at",
        title=type_label,
        detail=Left("text", 200),
        agency="recording_agency__name",
        url_name="records:contact",
    )


def _document_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        documents_visible_to(user).filter(person_id=person_id),
        kind="document",
        at="created_at",
        title=Case(
            When(is_recent_photo=True, then=Value("Recent photo added")),
            default=Value("Document added"),
            output_field=CharField(),
        ),
        detail=Coalesce(NullIf("description", Value("")), "original_filename"),
        agency="uploading_agency__name",
        url_name="records:document",
    )


CONTACT_SOURCE = ChronologySource(kind="contact", label="Contacts and case notes", events=_contact_events)
DOCUMENT_SOURCE = ChronologySource(kind="document", label="Documents and photos", events=_document_events)
