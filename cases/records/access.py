"""Who sees and records what of a child's contacts and documents. A record follows its case: whoever may see
the case (cases.access, the case's shares) sees the records on it, except those kept to the agency that recorded
them (Visibility.OWN_AGENCY), which no other agency sees even though it sees the case. Every agency the case is
shared with records its own contacts and documents (a case worker of it, on the child's open case); only the
recording agency amends a contact. Missing and not-yours are the same NotFound."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from cases.models import Case, CaseStatus
from cases.records.models import Contact, Document, Visibility
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import reads_case_data, scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person


def _visible_cases(user: User) -> QuerySet[Case]:
    return scope_to_user(user, Perm.VIEW_CASE, Case.objects.all())


def _visibility_allows(user: User, agency_field: str) -> Q:
    assert user.agency_id is not None
    return Q(visibility=Visibility.SHARED) | Q(**{agency_field: user.agency_id})


def contacts_visible_to(user: User | AnonymousUser) -> QuerySet[Contact]:
    """Contacts on cases the user may see, less other agencies' own-agency notes. One query with its access
    rule as subqueries (the case grant, the authority)."""
    if not reads_case_data(user):
        return Contact.objects.none()
    assert isinstance(user, User)
    return Contact.objects.filter(
        _visibility_allows(user, "recording_agency_id"), case__in=_visible_cases(user).values("pk")
    )


def documents_visible_to(user: User | AnonymousUser) -> QuerySet[Document]:
    if not reads_case_data(user):
        return Document.objects.none()
    assert isinstance(user, User)
    return Document.objects.filter(
        _visibility_allows(user, "uploading_agency_id"), case__in=_visible_cases(user).values("pk")
    )


def access_contact(user: User | AnonymousUser, contact_id: uuid.UUID | str) -> Contact:
    try:
        return (
            contacts_visible_to(user)
            .select_related("person", "case", "recorded_by", "recording_agency")
            .get(pk=contact_id)
        )
    except (Contact.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def access_document(user: User | AnonymousUser, document_id: uuid.UUID | str) -> Document:
    try:
        return (
            documents_visible_to(user)
            .select_related("person", "uploaded_by", "uploading_agency")
            .get(pk=document_id)
        )
    except (Document.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def may_record(user: User | AnonymousUser) -> bool:
    """Whether the user's role records contacts and documents at all (no query once roles are loaded)."""
    return reads_case_data(user) and isinstance(user, User) and user.has_any_role(*CASE_WORKER_ROLES)


def open_case_for_recording(user: User | AnonymousUser, person: Person) -> Case | None:
    """The child's open case the user may record on: one the user's agency sees, if their role records."""
    if not may_record(user):
        return None
    assert isinstance(user, User)
    return (
        _visible_cases(user)
        .filter(person=person, status=CaseStatus.OPEN)
        .select_related("person")
        .order_by("-opened_at")
        .first()
    )


def access_open_case_for_recording(user: User | AnonymousUser, person: Person) -> Case:
    case = open_case_for_recording(user, person)
    if case is None:
        raise NotFound()
    return case


def may_amend(user: User | AnonymousUser, contact: Contact) -> bool:
    """Only the agency that recorded a contact amends it (a case worker of it). No query."""
    return may_record(user) and isinstance(user, User) and contact.recording_agency_id == user.agency_id
