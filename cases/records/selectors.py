"""Reads of the child's contacts and documents, each scoped to the reader by cases/records/access.py."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from cases.records.access import contacts_visible_to, documents_visible_to
from cases.records.models import Contact, ContactAmendment, Document
from safeguarding.organisations.models import User

# ?sort= values and their orderings; every one ends on the key so pages never overlap.
CONTACT_SORTS = {
    "-occurred": ("-occurred_at", "-created_at", "pk"),
    "occurred": ("occurred_at", "created_at", "pk"),
    "-recorded": ("-created_at", "pk"),
    "recorded": ("created_at", "pk"),
    "type": ("contact_type", "-occurred_at", "pk"),
}
DEFAULT_CONTACT_SORT = "-occurred"


def contact_list(
    *,
    user: User | AnonymousUser,
    person_id: uuid.UUID,
    contact_type: str | None = None,
    sort: str = DEFAULT_CONTACT_SORT,
) -> QuerySet[Contact]:
    """The child's contacts the reader may see, newest first unless sorted otherwise (one query for a page,
    on contact_person_when_idx, with who recorded each)."""
    queryset = contacts_visible_to(user).filter(person_id=person_id)
    if contact_type:
        queryset = queryset.filter(contact_type=contact_type)
    return queryset.select_related("person", "recorded_by", "recording_agency").order_by(
        *CONTACT_SORTS.get(sort, CONTACT_SORTS[DEFAULT_CONTACT_SORT])
    )


def contact_amendments(*, contact: Contact) -> QuerySet[ContactAmendment]:
    """A contact's amendments, oldest first, with who made each (one query)."""
    return contact.amendments.select_related("amended_by", "amended_by_agency").order_by("created_at", "id")


def document_list(*, user: User | AnonymousUser, person_id: uuid.UUID) -> QuerySet[Document]:
    """The child's documents and photos the reader may see, newest first (document_person_when_idx)."""
    return (
        documents_visible_to(user)
        .filter(person_id=person_id)
        .select_related("person", "uploaded_by", "uploading_agency")
        .order_by("-created_at", "pk")
    )


def latest_photo_for(user: User | AnonymousUser, person_id: uuid.UUID) -> Document | None:
    """The newest document marked "recent photo of the child" that the reader may see, or None (one query, on
    document_person_photo_idx). For pages that show the child's photo, such as a missing episode's."""
    return (
        documents_visible_to(user)
        .filter(person_id=person_id, is_recent_photo=True)
        .select_related("uploaded_by", "uploading_agency")
        .order_by("-created_at", "pk")
        .first()
    )
