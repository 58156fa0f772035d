"""The permission matrix's sentinel records for cases.records (see tests/matrix/__init__.py): alice's contact
with the sentinel and a small PDF she uploaded, both on the world's case and shared with the agencies the case
is shared with, so police see them and housing and the other authority do not. Made the first time a route
needs them; the PDF is stored in the `default` storage (MEDIA_ROOT)."""

from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.records.models import Contact, Document, Visibility
from cases.records.services import ContactData, contact_record, document_upload
from tests.conftest import World
from tests.records.samples import tiny_pdf

OBJECT_PARAMS: frozenset[str] = frozenset({"contact_id", "document_id"})


def _sentinel_contact_id(world: World) -> str:
    contact = Contact.objects.filter(case=world.case, recorded_by=world.mash).first()
    if contact is None:
        contact = contact_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            data=ContactData(
                occurred_at=timezone.now() - timedelta(hours=3),
                contact_type="visit",
                present="The child and her mother",
                text="Home visit: she was at home and talked about school.",
                visibility=Visibility.SHARED,
            ),
        )
    return str(contact.pk)


def _sentinel_document_id(world: World) -> str:
    document = Document.objects.filter(case=world.case, uploaded_by=world.mash).first()
    if document is None:
        document = document_upload(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            upload=ContentFile(tiny_pdf("Matrix"), name="school-letter.pdf"),
            description="Letter from school",
            visibility=Visibility.SHARED,
        )
    return str(document.pk)


SENTINEL_IDS: dict[str, Callable[[World], str]] = {
    "contact_id": _sentinel_contact_id,
    "document_id": _sentinel_document_id,
}
